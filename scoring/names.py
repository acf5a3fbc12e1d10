"""Name resolution shared by the Company search, deep links (``?entity=``), screening and the CLI.

Any canonical name, alias, short name, legal-form variant or Chinese name resolves the same way: exact
name, exact alias, the name without its legal form, then fuzzy above a threshold (``core.linking``).
Where one surface names several entities (a group and its subsidiaries share a short name), the parent
ranks above its subsidiaries; a tie that the relations cannot break resolves to nothing and shows the
candidates. Below the threshold the closest candidates are given with their scores, for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from core.linking import EntityLinker
from core.normalize import normalize_name
from db.models import Alias, Entity

DEFAULT_THRESHOLD = 85.0


@dataclass(frozen=True)
class Resolution:
    query: str
    entity: str | None  # the canonical name, None when nothing resolves
    method: str | None  # name | alias | normalized | printed | fuzzy | parent
    score: float  # 0..1 of the match, or of the closest candidate when unmatched
    candidates: tuple[tuple[str, float], ...] = field(default=())  # closest names (canonical, score) for review

    @property
    def message(self) -> str:
        if self.entity is not None:
            return f"{self.query!r} is {self.entity} ({self.method}, {self.score:.2f})"
        closest = ", ".join(f"{name} ({score:.2f})" for name, score in self.candidates[:3])
        return f"no company named {self.query!r}" + (f"; closest: {closest}" if closest else "")


class NameResolver:
    """Resolves names against one snapshot of the entities and their aliases."""

    def __init__(
        self, names: dict[str, list[str]], parents: dict[str, str | None], *, threshold: float = DEFAULT_THRESHOLD
    ):
        self.threshold = threshold
        self._linker = EntityLinker(names, fuzzy_threshold=threshold)
        self._parents = parents
        self._surfaces: dict[str, set[str]] = {}
        for canonical, aliases in names.items():
            for surface in [canonical, *aliases]:
                self._surfaces.setdefault(surface.casefold().strip(), set()).add(canonical)
                self._surfaces.setdefault(normalize_name(surface), set()).add(canonical)
        self._keys = {}
        for canonical, aliases in names.items():
            for surface in [canonical, *aliases]:
                self._keys.setdefault(normalize_name(surface), canonical)
        self._key_list = list(self._keys)

    @classmethod
    def from_session(cls, session: Session, *, threshold: float = DEFAULT_THRESHOLD) -> "NameResolver":
        entities = session.exec(select(Entity.id, Entity.name, Entity.parent_id)).all()
        by_id = {entity_id: name for entity_id, name, _ in entities}
        names: dict[str, list[str]] = {name: [] for _, name, _ in entities}
        for entity_id, alias in session.exec(select(Alias.entity_id, Alias.alias)):
            names[by_id[entity_id]].append(alias)
        parents = {name: by_id.get(parent_id) for _, name, parent_id in entities}
        return cls(names, parents, threshold=threshold)

    def _parent_of_all(self, canonicals: set[str]) -> str | None:
        """The one member the others descend from (a group and its subsidiaries sharing a name)."""
        roots = [c for c in canonicals if all(o == c or self._descends(o, c) for o in canonicals)]
        return roots[0] if len(roots) == 1 else None

    def _descends(self, child: str, ancestor: str) -> bool:
        seen = set()
        while child in self._parents and self._parents[child] and child not in seen:
            seen.add(child)
            child = self._parents[child]
            if child == ancestor:
                return True
        return False

    def _ranked(self, key: str, matched: list[str], limit: int) -> tuple[tuple[str, float], ...]:
        """``matched`` keys (ranked by WRatio) scored as the linker scores: the ``limit`` closest names."""
        out: dict[str, float] = {}
        for candidate in matched:
            score = fuzz.ratio(key, candidate) / 100.0
            out[self._keys[candidate]] = max(out.get(self._keys[candidate], 0.0), round(score, 3))
        return tuple(sorted(out.items(), key=lambda item: (-item[1], item[0]))[:limit])

    def resolve_many(self, texts: list[str], *, block: int = 1000) -> list[Resolution]:
        """Many names at once (screening): the closest candidates of the unresolved ones are ranked in
        blocks with ``rapidfuzz.process.cdist`` (WRatio, every core), then scored as the linker scores."""
        import numpy as np

        results: list[Resolution | None] = [self._resolve_known(t) for t in texts]
        todo = [i for i, r in enumerate(results) if r is None]
        keys = [normalize_name((texts[i] or "").strip()) for i in todo]
        limit = 3
        for start in range(0, len(todo), block):
            part = keys[start : start + block]
            scores = (
                process.cdist(part, self._key_list, scorer=fuzz.WRatio, workers=-1)
                if self._key_list and any(part)
                else None
            )
            for row, (index, key) in enumerate(zip(todo[start : start + block], part)):
                query = (texts[index] or "").strip()
                closest: tuple = ()
                if key and scores is not None:
                    order = np.argsort(-scores[row], kind="stable")[: limit * 3]
                    closest = self._ranked(key, [self._key_list[j] for j in order], limit)
                results[index] = Resolution(query, None, None, closest[0][1] if closest else 0.0, closest)
        return results  # type: ignore[return-value]

    def _resolve_known(self, text: str) -> Resolution | None:
        """``resolve`` up to the fuzzy candidates: None when only candidates are left to find."""
        query = (text or "").strip()
        if not query:
            return Resolution(query, None, None, 0.0)
        link = self._linker.link(query)
        if link is not None:
            return Resolution(query, link.entity, link.method, link.score)
        for surface in (query.casefold(), normalize_name(query)):
            sharing = self._surfaces.get(surface, set())
            if len(sharing) > 1:
                parent = self._parent_of_all(sharing)
                if parent is not None:
                    return Resolution(query, parent, "parent", 1.0)
                return Resolution(query, None, None, 1.0, tuple((name, 1.0) for name in sorted(sharing)))
        return None

    def resolve(self, text: str) -> Resolution:
        """One name: exact name, alias, legal-form variants, fuzzy; else the closest candidates."""
        return self.resolve_many([text])[0]


def resolve_entity(session: Session, name: str) -> tuple[Entity | None, Resolution]:
    """The entity a name resolves to (or None), with how."""
    resolution = NameResolver.from_session(session).resolve(name)
    entity = None
    if resolution.entity is not None:
        entity = session.exec(select(Entity).where(Entity.name == resolution.entity)).first()
    return entity, resolution
