"""The sources config (data/sources.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.settings import DATA_DIR

SOURCES_PATH = DATA_DIR / "sources.toml"


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    spider: str
    url: str
    allowed_domains: list[str]
    schedule: str = "daily"
    first_date: date = date(2020, 1, 1)
    overlap_days: int = 30
    args: dict = field(default_factory=dict)
    check: dict = field(default_factory=dict)  # [source.check]: bounds for `riskwatch sources check`


def load_sources(path: Path = SOURCES_PATH) -> list[SourceConfig]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sources = []
    for entry in data.get("source", []):
        missing = {"name", "kind", "spider", "url"} - set(entry)
        if missing:
            raise ValueError(f"{path}: source {entry.get('name', '?')!r} lacks {sorted(missing)}")
        sources.append(
            SourceConfig(
                name=entry["name"],
                kind=entry["kind"],
                spider=entry["spider"],
                url=entry["url"],
                allowed_domains=list(entry.get("allowed_domains", [])),
                schedule=entry.get("schedule", "daily"),
                first_date=date.fromisoformat(str(entry.get("first_date", "2020-01-01"))),
                overlap_days=int(entry.get("overlap_days", 30)),
                args=dict(entry.get("args", {})),
                check=dict(entry.get("check", {})),
            )
        )
    return sources
