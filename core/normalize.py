"""Company-name normalisation: legal forms and punctuation removed, case folded."""

from __future__ import annotations

import re
import unicodedata

# Order matters: longer forms first so "Co., Ltd." goes before "Co.".
LEGAL_FORMS = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "控股",
    "company limited",
    "co., ltd.",
    "co. ltd.",
    "co ltd",
    "co., ltd",
    "limited",
    "ltd.",
    "ltd",
    "holdings",
    "holding",
    "group",
    "corporation",
    "corp.",
    "corp",
    "incorporated",
    "inc.",
    "inc",
    "company",
    "co.",
    "plc",
    "ag",
    "gmbh",
    "s.a.",
    "llc",
]
_FORMS = sorted(LEGAL_FORMS, key=len, reverse=True)
_ASCII_FORM = re.compile(r"(?<![\w])(" + "|".join(re.escape(f) for f in _FORMS if f.isascii()) + r")(?![\w])", re.I)
_CJK_FORM = re.compile("|".join(re.escape(f) for f in _FORMS if not f.isascii()))


_TRAILING_FORM = re.compile(r"[\s,]+(" + "|".join(re.escape(f) for f in _FORMS if f.isascii()) + r")\.?$", re.I)


def short_name(name: str) -> str:
    """The name without trailing legal forms, case kept: 'Tencent Holdings Limited' -> 'Tencent'."""
    previous, current = None, name.strip()
    while previous != current:
        previous = current
        current = _TRAILING_FORM.sub("", current).strip().rstrip(",").strip()
    return current


def normalize_name(name: str) -> str:
    """'BYD Co., Ltd.' -> 'byd'; 'Alibaba Group Holding Limited' -> 'alibaba'; '比亚迪股份有限公司' -> '比亚迪'."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"\(.*?\)", " ", text)  # parenthesised aliases and notes
    text = _CJK_FORM.sub(" ", text)
    previous = None
    while previous != text:  # "Group Holding Limited": strip repeatedly
        previous = text
        text = _ASCII_FORM.sub(" ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=\w) (co|ltd)$", "", text)  # a bare trailing "Co" as counterparty lists abbreviate it
    return text or unicodedata.normalize("NFKC", name).casefold().strip()


_SPELLING = [
    (r"\bcompany\b", "co"),
    (r"\blimited\b", "ltd"),
    (r"\bincorporated\b", "inc"),
    (r"\bcorporation\b", "corp"),
]


def printed_key(name: str) -> str:
    """A key equal for two printings of one official name, and only for those: case, quotes,
    punctuation, the spelling of legal forms and a trailing legal form differ ('BOE Technology Group
    Company Limited' == 'BOE Technology Group Co., Ltd.'); every other word stays ('China Telecom Group
    Co., Ltd.' != 'China Telecom Corporation Limited')."""
    text = _printed_words(name)
    # a trailing legal form printed or left out ("China SpaceSat Co." / "China SpaceSat Co., Ltd.")
    return _TRAILING_LEGAL.sub("", text).strip() or text


_TRAILING_LEGAL = re.compile(r"(\s+(co|ltd|inc|corp|llc|plc))+$")


def has_legal_form(name: str) -> bool:
    """Whether a name ends in a legal form: only such names are compared by ``printed_key`` (a short
    name such as 'China Telecom' would otherwise equal 'China Telecom Corporation Limited')."""
    text = printed_key(name)
    return text != _printed_words(name)


def _printed_words(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s&]", " ", text)
    for pattern, replacement in _SPELLING:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text).strip()
