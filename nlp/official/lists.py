"""Per-list count bounds and plausibility rules, from data/lists.toml (one home for them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LISTS_FILE = Path(__file__).resolve().parents[2] / "data" / "lists.toml"


@dataclass(frozen=True)
class ListRules:
    name: str
    title: str
    edition_min_entities: int
    edition_max_entities: int
    edition_min_share_of_previous: float
    interim_max_entities: int


@lru_cache(maxsize=8)
def list_rules(name: str, path: Path = LISTS_FILE) -> ListRules:
    """The rules for list ``name``; a list missing from the file is a configuration error."""
    lists = tomllib.loads(path.read_text(encoding="utf-8")).get("lists", {})
    if name not in lists:
        raise KeyError(f"list {name!r} is not described in {path}")
    return ListRules(name=name, **lists[name])
