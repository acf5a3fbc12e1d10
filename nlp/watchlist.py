"""The watchlist: curated entities (JSONL) seeded into the DB, and ruler patterns built from the DB."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlmodel import Session

from db import queries
from core.normalize import short_name

log = logging.getLogger(__name__)


def read_watchlist(path: Path) -> list[dict]:
    """Curated entities: one JSON object per line (name, country, aliases, parent, relation)."""
    entries = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON: {exc}") from exc
        if "name" not in entry:
            raise ValueError(f"{path}:{number}: entry without a name")
        entries.append(entry)
    return entries


def seed_watchlist(session: Session, path: Path) -> int:
    """Upsert curated entities and aliases (parents first). Idempotent."""
    entries = read_watchlist(path)
    entries.sort(key=lambda e: e.get("parent") is not None)
    for entry in entries:
        queries.upsert_entity(
            session,
            name=entry["name"],
            country=entry.get("country"),
            aliases=[tuple(a) for a in entry.get("aliases", [])],
            parent=entry.get("parent"),
            relation=entry.get("relation"),
            alias_source="curated watchlist",
            watched=True,
        )
    session.commit()
    return len(entries)


def names_from_watchlist(path: Path) -> dict[str, list[str]]:
    return {e["name"]: [a[0] for a in e.get("aliases", [])] for e in read_watchlist(path)}


def short_name_variants(names: dict[str, list[str]]) -> dict[str, list[str]]:
    """Names without legal forms ('Tencent Holdings Limited' -> 'Tencent') where that short
    form belongs to exactly one entity and is not another entity's name or alias."""
    taken: dict[str, set[str]] = {}
    for canonical, aliases in names.items():
        for surface in [canonical, *aliases]:
            taken.setdefault(surface.casefold(), set()).add(canonical)
    candidates: dict[str, set[str]] = {}
    for canonical, aliases in names.items():
        for surface in [canonical, *aliases]:
            short = short_name(surface)
            if short != surface and len(short) >= 4:
                candidates.setdefault(short.casefold(), set()).add(canonical)
    variants: dict[str, list[str]] = {}
    for canonical, aliases in names.items():
        for surface in [canonical, *aliases]:
            short = short_name(surface)
            key = short.casefold()
            if (
                short != surface
                and len(short) >= 4
                and candidates.get(key) == {canonical}
                and taken.get(key, {canonical}) == {canonical}
            ):
                variants.setdefault(canonical, [])
                if short not in variants[canonical]:
                    variants[canonical].append(short)
    return variants


def ruler_patterns(names: dict[str, list[str]], tokenize) -> list[dict]:
    """EntityRuler patterns: every name and alias (and unambiguous short names without legal
    forms), token-exact, case-insensitive except short all-caps acronyms (so 'byd' inside a
    word or sentence never matches)."""
    patterns = []
    seen = set()
    variants = short_name_variants(names)
    for canonical, aliases in names.items():
        for surface in [canonical, *aliases, *variants.get(canonical, [])]:
            tokens = [t.text for t in tokenize(surface)]
            if not tokens:
                continue
            acronym = len(surface) <= 5 and surface.isupper()
            key = (canonical, tuple(t if acronym else t.lower() for t in tokens))
            if key in seen:
                continue
            seen.add(key)
            # Phrase patterns (matched case-insensitively on LOWER by the ruler's PhraseMatcher, much
            # faster than token patterns); acronyms as exact-case token patterns.
            pattern = [{"ORTH": t} for t in tokens] if acronym else surface
            patterns.append({"label": "ORG", "pattern": pattern, "id": canonical})
    return patterns


def write_patterns_jsonl(patterns: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for pattern in patterns:
            handle.write(json.dumps(pattern, ensure_ascii=False) + "\n")
