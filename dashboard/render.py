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
