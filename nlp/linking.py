"""Entity linking: exact alias, normalised name, then fuzzy (rapidfuzz) above a threshold."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from nlp.normalize import normalize_name


@dataclass(frozen=True)
class Link:
    entity: str  # canonical name
    method: str  # alias | normalized | fuzzy
    score: float  # 0..1


class EntityLinker:
    """Links a surface name to a canonical entity name, explaining how."""

    def __init__(self, names: dict[str, list[str]], *, fuzzy_threshold: float = 90.0):
        """``names`` maps canonical name -> aliases."""
        self.fuzzy_threshold = fuzzy_threshold
        self._exact: dict[str, str] = {}
        self._normalized: dict[str, str] = {}
        for canonical, aliases in names.items():
            for surface in [canonical, *aliases]:
                self._exact.setdefault(surface.casefold().strip(), canonical)
                key = normalize_name(surface)
                if len(key) >= 2:
                    self._normalized.setdefault(key, canonical)
        self._keys = list(self._normalized)

    def __len__(self) -> int:
        return len(set(self._exact.values()))

    def link(self, text: str) -> Link | None:
        surface = text.casefold().strip()
        if not surface:
            return None
        if surface in self._exact:
            return Link(self._exact[surface], "alias", 1.0)
        key = normalize_name(text)
        if key in self._normalized:
            return Link(self._normalized[key], "normalized", 1.0)
        if len(key) < 4 or not self._keys:
            return None  # short strings fuzz-match everything
        match = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold)
        if match is None:
            return None
        matched_key, score, _ = match
        return Link(self._normalized[matched_key], "fuzzy", round(score / 100.0, 3))
