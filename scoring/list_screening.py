"""Screening against every list record (the Consolidated Screening List's ~25,000 parties, not only the
companies riskwatch scores): each counterparty's hits on every list, with how each matched.

A hit is a present record whose name or alternate name equals the counterparty's name after
legal-form normalisation (score 1.0), or is close to it (``rapidfuzz`` ``fuzz.ratio`` on the normalised
names, at or above the threshold), or a record linked to the company the counterparty resolved to.
Fuzzy matching runs as ``rapidfuzz.process.cdist`` over blocks of counterparties (all cores, bounded
memory: a block's score matrix is uint8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from core.normalize import normalize_name
from db.models import ListRecord

BLOCK = 512  # counterparties per cdist call: BLOCK x names bytes of scores at a time
DEFAULT_LIST_THRESHOLD = 90.0


@dataclass(frozen=True)
class ListHit:
    list_name: str
    record_name: str
    record_id: str
    party_type: str
    matched: str  # the record's name or alternate name that matched
    method: str  # normalised name | fuzzy | linked company
    score: float
    since: str | None

    def as_dict(self) -> dict:
        return {
            "list": self.list_name,
            "name": self.record_name,
            "record_id": self.record_id,
            "type": self.party_type,
            "matched": self.matched,
            "method": self.method,
            "score": self.score,
            "since": self.since,
        }

    @property
    def text(self) -> str:
        since = f", since {self.since}" if self.since else ""
        return f"{self.list_name}: {self.record_name} ({self.method} {self.score:.2f}{since})"


class ListIndex:
    """The present records' names, normalised, for exact lookups and blocked fuzzy matching."""

    def __init__(self, records: list[tuple]):
        # records: (id, list_name, name, alt_names, record_id, party_type, listed_on, entity_id)
        self.records = {r[0]: r for r in records}
        self.keys: list[str] = []
        self.owners: list[int] = []
        self.surfaces: list[str] = []
        self.exact: dict[str, list[int]] = {}
        self.by_entity: dict[int, list[int]] = {}
        self.first_position: dict[int, int] = {}
        for rid, _list, name, alt_names, _record_id, _type, _listed, entity_id in records:
            for surface in [name, *(alt_names or [])]:
                key = normalize_name(surface)
                if not key:
                    continue
                self.keys.append(key)
                self.owners.append(rid)
                self.surfaces.append(surface)
                self.exact.setdefault(key, []).append(len(self.keys) - 1)
                self.first_position.setdefault(rid, len(self.keys) - 1)
            if entity_id is not None:
                self.by_entity.setdefault(entity_id, []).append(rid)

    @classmethod
    def from_session(cls, session: Session) -> "ListIndex":
        rows = session.exec(
            select(
                ListRecord.id,
                ListRecord.list_name,
                ListRecord.name,
                ListRecord.alt_names,
                ListRecord.record_id,
                ListRecord.party_type,
                ListRecord.listed_on,
                ListRecord.entity_id,
            ).where(ListRecord.present == True)  # noqa: E712
        ).all()
        return cls([tuple(r) for r in rows])

    def __len__(self) -> int:
        return len(self.keys)

    def _hit(self, position: int, method: str, score: float) -> ListHit:
        rid = self.owners[position]
        _, list_name, name, _, record_id, party_type, listed_on, _ = self.records[rid]
        return ListHit(
            list_name,
            name,
            record_id,
            party_type,
            self.surfaces[position],
            method,
            round(score, 3),
            listed_on.isoformat() if listed_on else None,
        )

    def screen(
        self,
        names: list[str],
        *,
        entity_ids: list[int | None] | None = None,
        threshold: float = DEFAULT_LIST_THRESHOLD,
    ) -> list[list[ListHit]]:
        """Every list hit of each name (best per record, list order then score), in input order."""
        queries = [normalize_name(n or "") for n in names]
        found: list[dict[int, ListHit]] = [{} for _ in names]

        def keep(i: int, hit: ListHit, rid: int) -> None:
            if rid not in found[i] or found[i][rid].score < hit.score:
                found[i][rid] = hit

        for i, key in enumerate(queries):
            for position in self.exact.get(key, []) if key else []:
                keep(i, self._hit(position, "normalised name", 1.0), self.owners[position])
        if self.keys:
            for start in range(0, len(queries), BLOCK):
                block = queries[start : start + BLOCK]
                scores = process.cdist(
                    block, self.keys, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.uint8, workers=-1
                )
                rows, cols = np.nonzero(scores)
                for row, col in zip(rows.tolist(), cols.tolist()):
                    if not block[row]:
                        continue
                    score = scores[row, col] / 100.0
                    if score < 1.0:
                        keep(start + row, self._hit(col, "fuzzy", score), self.owners[col])
        for i, entity_id in enumerate(entity_ids or []):
            for rid in self.by_entity.get(entity_id, []) if entity_id is not None else []:
                if rid in self.first_position:
                    keep(i, self._hit(self.first_position[rid], "linked company", 1.0), rid)
        return [sorted(hits.values(), key=lambda h: (h.list_name, -h.score, h.record_name)) for hits in found]
