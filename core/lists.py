"""What riskwatch knows about each official list (data/lists.toml, their one home): titles, count
bounds and plausibility rules, the Consolidated Screening List's label of each list, and what a listing
implies (with its legal basis)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.settings import DATA_DIR

LISTS_FILE = DATA_DIR / "lists.toml"


@dataclass(frozen=True)
class ListRules:
    name: str
    title: str
    # a DoD list edition (1260H)
    edition_min_entities: int = 0
    edition_max_entities: int = 0
    edition_min_share_of_previous: float = 0.0
    interim_max_entities: int = 0
    # a list of the Consolidated Screening List
    csl_source: str | None = None
    csl_source_aliases: tuple[str, ...] = ()
    csl_min_records: int = 0
    csl_max_records: int = 0
    csl_min_share_of_previous: float = 0.0
    # what a listing means, and its legal basis
    implies: str = ""
    implies_source: str = ""
    prohibited_after_days: int | None = None  # NS-CMIC: the investment ban's start after the listing
    divestment_until_days: int | None = None
    extra: dict = field(default_factory=dict, compare=False)


@lru_cache(maxsize=4)
def all_list_rules(path: Path = LISTS_FILE) -> dict[str, ListRules]:
    """Every described list, by riskwatch's list name (a ``ListName`` value)."""
    lists = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("lists", {})
    known = set(ListRules.__dataclass_fields__) - {"name", "extra"}
    rules = {}
    for name, entry in lists.items():
        values = {k: v for k, v in entry.items() if k in known}
        if "csl_source_aliases" in values:
            values["csl_source_aliases"] = tuple(values["csl_source_aliases"])
        rules[name] = ListRules(name=name, **values, extra={k: v for k, v in entry.items() if k not in known})
    return rules


def list_rules(name: str, path: Path = LISTS_FILE) -> ListRules:
    """The rules for list ``name``; a list missing from the file is a configuration error."""
    rules = all_list_rules(path)
    if name not in rules:
        raise KeyError(f"list {name!r} is not described in {path}")
    return rules[name]


def csl_list_names(path: Path = LISTS_FILE) -> dict[str, str]:
    """CSL ``source`` label (and its known variants) -> riskwatch's list name."""
    names = {}
    for rules in all_list_rules(path).values():
        for label in (rules.csl_source, *rules.csl_source_aliases):
            if label:
                names[label] = rules.name
    return names
