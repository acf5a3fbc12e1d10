"""Safe rendering of document text: everything from a document is escaped, never trusted."""

from __future__ import annotations

import re

# Characters with a meaning in Streamlit markdown (CommonMark, directives, LaTeX, emoji shortcodes).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def escape_markdown(text: str) -> str:
    """``text`` as literal markdown: no tag, link, directive or formula can come through."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def highlight(sentence: str, terms: list[str]) -> str:
    """The sentence as safe markdown, with every occurrence of the terms (names, aliases) highlighted."""
    terms = sorted({t for t in terms if t and len(t) >= 2}, key=len, reverse=True)
    if not terms:
        return escape_markdown(sentence)
    parts = re.split("(" + "|".join(re.escape(t) for t in terms) + ")", sentence, flags=re.I)
    return "".join(
        f":orange-background[{escape_markdown(p)}]" if i % 2 else escape_markdown(p) for i, p in enumerate(parts)
    )


# How each status reads on screen: one box and one badge colour per kind (scoring.status.Tone).
STATUS_STYLE = {
    "listed": ("error", "red", ":material/gpp_bad:"),
    "related": ("warning", "orange", ":material/account_tree:"),
    "proposed": ("warning", "violet", ":material/pending:"),
    "withdrawn": ("info", "gray", ":material/undo:"),
    "removed": ("info", "blue", ":material/remove_circle:"),
    "clear": ("success", "green", ":material/verified:"),
}


def status_markdown(line) -> str:
    """A status line as safe markdown: a coloured badge, the escaped sentence, links to its evidence."""
    _, colour, _ = STATUS_STYLE.get(line.tone, STATUS_STYLE["clear"])
    links = " ".join(f"[{escape_markdown(e.label)}]({e.url})" for e in line.evidence if e.url)
    badge = f":{colour}-badge[{line.tone.upper()}]"
    return f"{badge} {escape_markdown(line.text)}" + (f"  \n{links}" if links else "")


def status_box(line) -> None:
    """Render a status line in its box (red listed, amber related, ... green clear; never green when a
    parent or subsidiary is listed)."""
    import streamlit as st

    box, _, icon = STATUS_STYLE.get(line.tone, STATUS_STYLE["clear"])
    getattr(st, box)(status_markdown(line), icon=icon)


def choices_label_name(label: str) -> str:
    """The canonical name in a search label ('alias → name' or 'name')."""
    return label.split(" → ", 1)[-1]
