"""Entity linking: exact name/alias, normalised name, then fuzzy (rapidfuzz) above a threshold.

A surface form shared by several entities (e.g. "China Unicom" for three
listed Unicom companies) is ambiguous and links to none of them: a wrong link
is worse than no link for a compliance user.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.normalize import has_legal_form, normalize_name, printed_key


@dataclass(frozen=True)
class Link:
    entity: str  # canonical name
    method: str  # name | alias | normalized | fuzzy
    score: float  # 0..1


def _unique(index: dict[str, set[str]]) -> dict[str, str]:
    return {key: next(iter(names)) for key, names in index.items() if len(names) == 1}


class EntityLinker:
    """Links a surface name to a canonical entity name, explaining how."""

    def __init__(self, names: dict[str, list[str]], *, fuzzy_threshold: float = 90.0):
        """``names`` maps canonical name -> aliases."""
        self.fuzzy_threshold = fuzzy_threshold
        self._canonical = {name.casefold().strip(): name for name in names}
        exact: dict[str, set[str]] = {}
        normalized: dict[str, set[str]] = {}
        printed: dict[str, set[str]] = {}
        for canonical, aliases in names.items():
            for surface in [canonical, *aliases]:
                exact.setdefault(surface.casefold().strip(), set()).add(canonical)
                if has_legal_form(surface):
                    printed.setdefault(printed_key(surface), set()).add(canonical)
                key = normalize_name(surface)
                if len(key) >= 2:
                    normalized.setdefault(key, set()).add(canonical)
        self._exact = _unique(exact)
        self._printed = _unique(printed)
        self._normalized = _unique(normalized)
        self.ambiguous = sorted(k for k, v in exact.items() if len(v) > 1)
        self._keys = list(self._normalized)
        self._answers: dict[str, Link | None] = {}

    def __len__(self) -> int:
        return len(self._canonical)

    def link_exact(self, text: str) -> Link | None:
        """Only a canonical name or an unambiguous alias, character for character (case-insensitive)."""
        surface = text.casefold().strip()
        if surface in self._canonical:
            return Link(self._canonical[surface], "name", 1.0)
        if surface in self._exact:
            return Link(self._exact[surface], "alias", 1.0)
        return None

    def link_printed(self, text: str) -> Link | None:
        """An exact link, else another printing of the same official name (punctuation, case and
        legal-form spelling aside; every word the same), when that names one entity only."""
        exact = self.link_exact(text)
        if exact is not None:
            return exact
        key = printed_key(text)
        if not has_legal_form(text) or key not in self._printed:
            return None
        return Link(self._printed[key], "printed", 1.0)

    def link(self, text: str) -> Link | None:
        """Exact, normalised, then fuzzy; answers are remembered per surface text (the names in
        news repeat: 'Chinese', 'Pentagon', 'Alibaba')."""
        if text in self._answers:
            return self._answers[text]
        answer = self._link(text)
        if len(self._answers) < 100_000:
            self._answers[text] = answer
        return answer

    def _link(self, text: str) -> Link | None:
        if not text.strip():
            return None
        exact = self.link_exact(text)
        if exact is not None:
            return exact
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
