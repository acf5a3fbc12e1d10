"""Entity headings of official lists: legal name, short names, former names, inline subsidiaries.

A heading as the Federal Register prints it::

    China Electronics Corporation (CEC) (and CEC subsidiaries: A, B Co., Ltd. (B),
    ..., and Z)

Only the parenthesised groups at the end of a heading are notes; a group inside a
name is part of it ("Semiconductor Manufacturing International (Beijing)
Corporation"), and so is a trailing legal form ("China Communications
Construction Group (Limited)").
"""

from __future__ import annotations

import re

from nlp.official.model import ListedName

_NUMBERING = re.compile(r"^\s*(\(?\d+[.)]|[-•*\u2022])\s*")
_SUBSIDIARIES = re.compile(r"^and\s+(?P<short>.+?)\s+subsidiar(?:y|ies)\s*:\s*(?P<list>.*)$", re.I | re.S)
_SUBSIDIARY_OF = re.compile(r"^subsidiary of\s+", re.I)
_FORMER = re.compile(r"^(formerly(?: known as)?|previously)\s+", re.I)
_ALSO = re.compile(r"^(also known as|a\.k\.a\.|aka|also)\s+", re.I)
# Words a legal name can end in, printed in parentheses ("... Group (Limited)").
_LEGAL_GROUP = re.compile(r"^(limited|ltd\.?|group|inc\.?|co\.?|company|corporation)$", re.I)
# A piece of a comma-split list that only continues the previous name ("Co., Ltd.", "Innomics, Inc.").
_LEGAL_TAIL = re.compile(
    r"^(ltd\.?|limited|inc\.?|incorporated|llc|l\.l\.c\.|plc|s\.l\.u\.?|s\.a\.?|ag|gmbh|corp\.?|co\.?|"
    r"co\.,? ltd\.?|pty\.? ltd\.?|l\.p\.|lp|n\.v\.|b\.v\.)$",
    re.I,
)
# A legal form followed by a capitalised word that starts another name: a comma the printing lost.
_LOST_COMMA = re.compile(
    r"\b(Corporation|Limited|Inc\.|Ltd\.?|LLC|PLC)\s+(?!(?:Limited|Ltd|Inc|Co|Company|Corporation|Group|Holdings?|"
    r"Liability|Partnership|Branch|Pty|S\.A|AG|GmbH|No)\b)(?=[A-Z][a-z])"
)
_CITATION = re.compile(r"1260H(?:\([0-9A-Za-z]+\))+")


def squash(text: str) -> str:
    """One line, single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def top_level_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level parenthesised group; end is the index after ')'."""
    groups, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, index + 1))
    return groups


def balance(text: str) -> int:
    """Open parentheses minus closed ones."""
    return text.count("(") - text.count(")")


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """``text`` split at ``separator`` outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def citations(text: str) -> list[str]:
    """Statutory citations in a basis paragraph, '(g)(3)(B)(i)'-style continuations included."""
    found = []
    for match in re.finditer(r"(?:1260H)?((?:\([0-9A-Za-z]{1,4}\)){2,})", text):
        cite = match.group(0)
        cite = cite if cite.startswith("1260H") else f"1260H{cite}"
        if cite not in found:
            found.append(cite)
    return found


def parse_heading(printed: str, warnings: list[str]) -> tuple[ListedName, list[ListedName]]:
    """A heading -> its entry and the subsidiaries named inside it (each with the parent link)."""
    printed = squash(_NUMBERING.sub("", squash(printed))).rstrip(";, ")
    if balance(printed) > 0:
        warnings.append(f"unbalanced parentheses closed at the end of heading: {printed[:80]!r}")
        printed += ")" * balance(printed)
    subsidiaries_text, parent_short = None, None
    groups = top_level_groups(printed)
    if groups and groups[-1][1] == len(printed):
        inner = printed[groups[-1][0] + 1 : -1].strip()
        match = _SUBSIDIARIES.match(inner)
        if match:
            subsidiaries_text, parent_short = match.group("list"), squash(match.group("short"))
            printed_main = printed[: groups[-1][0]].rstrip(" ,;")
        else:
            printed_main = printed
    else:
        printed_main = printed
    entry = split_entry(printed_main)
    entry.printed = printed
    subsidiaries = []
    if subsidiaries_text is not None:
        if parent_short and parent_short not in entry.aliases and parent_short != entry.name:
            warnings.append(
                f"subsidiaries of {entry.name!r} introduced as {parent_short!r}, not one of its short names"
            )
        for name in split_name_list(subsidiaries_text, warnings, context=entry.name):
            child = split_entry(name)
            child.parent, child.parent_short = entry.name, parent_short
            subsidiaries.append(child)
    return entry, subsidiaries


def split_entry(printed: str) -> ListedName:
    """'Name (Short) (formerly Old Name (OLD))' -> name, aliases ['Short', 'Old Name', 'OLD']."""
    name = squash(_NUMBERING.sub("", squash(printed))).rstrip(";, ")
    aliases: list[str] = []
    parent = None
    while True:
        groups = top_level_groups(name)
        if not groups or groups[-1][1] != len(name) or groups[-1][0] == 0:
            break
        start = groups[-1][0]
        inner = name[start + 1 : -1].strip()
        if _LEGAL_GROUP.match(inner):
            break  # "... Group (Limited)": part of the legal name
        notes: list[str] = []
        for part in split_top_level(inner, ";"):
            if _SUBSIDIARY_OF.match(part):
                parent = _SUBSIDIARY_OF.sub("", part).strip()
                continue
            part = _ALSO.sub("", _FORMER.sub("", part)).strip()
            if not part or re.match(r"^(see|note)\b|^\d", part, re.I):
                continue
            nested = split_entry(part)  # "formerly Old Name (OLD)"
            notes += [nested.name, *nested.aliases]
        aliases = notes + aliases
        name = name[:start].rstrip(" ,;")
    aliases = [a for i, a in enumerate(aliases) if a and a != name and a not in aliases[:i]]
    return ListedName(name=name, aliases=aliases, printed=squash(printed), parent=parent)


def split_name_list(text: str, warnings: list[str], *, context: str) -> list[str]:
    """'A, B Co., Ltd., C, and D' -> ['A', 'B Co., Ltd.', 'C', 'D'], repairing printing slips."""
    text = squash(text)
    if re.search(r"\s\.\s", text):
        warnings.append(f"stray ' . ' read as a comma in the subsidiaries of {context!r}")
        text = re.sub(r"\s\.\s", ", ", text)
    names: list[str] = []
    pieces = [re.sub(r"^and\s+", "", piece).strip() for piece in split_top_level(text)]
    for index, piece in enumerate(pieces):
        legal_tail = bool(_LEGAL_TAIL.match(_before_groups(piece)))
        # a lone word continues the previous name ("SMIC, Americas") unless a legal form follows it
        # ("Innomics, Inc.")
        lone_word = re.fullmatch(r"[A-Z][a-z]+", piece) is not None and not (
            index + 1 < len(pieces) and _LEGAL_TAIL.match(_before_groups(pieces[index + 1]))
        )
        if names and (legal_tail or lone_word):
            if not legal_tail:
                warnings.append(
                    f"{names[-1]!r} and {piece!r} read as one name (a comma inside a name) "
                    f"in the subsidiaries of {context!r}"
                )
            names[-1] = f"{names[-1]}, {piece}"
            continue
        names.append(piece)
    result = []
    for name in names:
        parts = _split_lost_commas(name)
        if len(parts) > 1 and not _AND_AFTER_LEGAL.search(name):
            warnings.append(
                f"{name!r} split into {parts!r} (a comma missing between two names) in the subsidiaries of {context!r}"
            )
        result += parts
    return [n for n in result if n]


def _before_groups(text: str) -> str:
    """``text`` without its parenthesised notes ("Ltd. (ZEMIC)" -> "Ltd.")."""
    groups = top_level_groups(text)
    return text[: groups[0][0]].strip() if groups else text


# "A Co., Ltd. and B Corporation": two names joined by "and" after a legal form.
_AND_AFTER_LEGAL = re.compile(r"\b(Corporation|Limited|Inc\.|Ltd\.?|LLC|PLC|Co\.)(\s+and)\s+(?=[A-Z])")


def _split_lost_commas(name: str) -> list[str]:
    parts, start = [], 0
    depth_at = _depths(name)
    for match in _AND_AFTER_LEGAL.finditer(name):
        if depth_at[match.start()] == 0:
            parts.append(name[start : match.end(1)].strip())
            start = match.end()
    if parts:
        return parts + _split_lost_commas(name[start:].strip())
    for match in _LOST_COMMA.finditer(name):
        if depth_at[match.start()] == 0:
            parts.append(name[start : match.end(1)].strip())
            start = match.end()
    parts.append(name[start:].strip())
    return parts


def _depths(text: str) -> list[int]:
    depths, depth = [], 0
    for char in text:
        if char == "(":
            depth += 1
        depths.append(depth)
        if char == ")":
            depth = max(depth - 1, 0)
    return depths
