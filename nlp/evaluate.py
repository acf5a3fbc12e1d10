"""`python -m nlp.evaluate FILE.jsonl [--json]`: listing events on labelled passages, scored.

The file's format is that of ``shared/reference/real_news_dev.jsonl``: one passage per line with
``text``, ``lang`` and ``expect`` (company key -> status, null, or a list of acceptable statuses,
the first the primary one). A key holds lower-case alternatives separated by ``|``; it matches a
predicted entity when an alternative is a substring of the entity's lower-cased canonical name or
of a name the text gives it (an alias such as "Comac" links to its canonical legal name).
Only 1260H events count as predictions (an event on another list is a null for 1260H).

Counted per company label: a predicted status that the label accepts is a true positive; a
predicted status it does not accept (or a prediction for a company without a key) is a false
positive; a label with a non-null primary status that got no accepted prediction is a false
negative. A false designation is a predicted "designated" the label does not accept.

Unlinked organisations that carry an event (candidates) count as predictions too: the NLP reports
them. Entities are linked against every name of every list edition (data/facts/1260h_editions.json)
and the curated watchlist, as a database holding every listed entity would link them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.linking import EntityLinker
from core.settings import DATA_DIR, Settings, get_settings
from core.vocabulary import ListName, ListingStatus
from nlp.analysis import analyze_doc
from nlp.events import STATUS_PRIORITY
from nlp.pipeline import build_pipeline
from nlp.watchlist import names_from_watchlist

EDITIONS = DATA_DIR / "facts" / "1260h_editions.json"


def listed_names(path: Path = EDITIONS) -> dict[str, list[str]]:
    """Every entity of every list edition with the aliases the lists print."""
    names: dict[str, list[str]] = {}
    for edition in json.loads(path.read_text(encoding="utf-8"))["editions"]:
        for entry in edition.get("added", []) + edition.get("carried_over_not_in_transcription", []):
            aliases = names.setdefault(entry["name"], [])
            aliases += [a for a in entry.get("aliases", []) + entry.get("previous_names", []) if a not in aliases]
        for rename in edition.get("renamed", []):
            names.setdefault(rename["to"], [])
            if rename["from"] not in names[rename["to"]]:
                names[rename["to"]].append(rename["from"])
    return names


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_designations: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "false_designations": self.false_designations,
        }


@dataclass
class Evaluation:
    overall: Scores = field(default_factory=Scores)
    by_language: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    by_status: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    errors: list[dict] = field(default_factory=list)
    passages: int = 0

    def as_dict(self) -> dict:
        return {
            "passages": self.passages,
            **self.overall.as_dict(),
            "by_language": {k: v.as_dict() for k, v in sorted(self.by_language.items())},
            "by_status": {k: v.as_dict() for k, v in sorted(self.by_status.items())},
            "errors": self.errors,
        }


def acceptable(label) -> tuple[list, str | None]:
    """(accepted statuses, None included when null is accepted; the primary status)."""
    statuses = label if isinstance(label, list) else [label]
    return statuses, statuses[0]


def predicted_statuses(events: list, keys: dict[str, list[str]]) -> tuple[dict[str, str], list[str]]:
    """Per expected key, the status predicted for it (the strongest when several); and the entities
    predicted that no key matches."""
    by_key: dict[str, set[str]] = defaultdict(set)
    unmatched = []
    for event in events:
        if event.list_name != ListName.SECTION_1260H:
            continue
        names = [event.entity.lower(), *(n.lower() for n in event.mentioned_as)]
        matched = [
            key for key, alternatives in keys.items() if any(alt in name for alt in alternatives for name in names)
        ]
        for key in matched:
            by_key[key].add(event.status)
        if not matched:
            unmatched.append(f"{event.entity}: {event.status}")
    rank = {status: index for index, status in enumerate(STATUS_PRIORITY)}
    return {key: min(statuses, key=lambda s: rank.get(s, 99)) for key, statuses in by_key.items()}, unmatched


def evaluate(rows: list[dict], *, settings: Settings | None = None) -> Evaluation:
    settings = settings or get_settings()
    names = {**listed_names(), **names_from_watchlist(settings.watchlist_path)}
    linker = EntityLinker(names)
    result = Evaluation(passages=len(rows))
    by_lang: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_lang[row.get("lang") or "en"].append((index, row))
    for lang, items in sorted(by_lang.items()):
        nlp = build_pipeline(lang, names, settings)
        for (index, row), doc in zip(items, nlp.pipe([row["text"] for _, row in items])):
            _, events = analyze_doc(doc, linker, lang)
            _score_passage(result, index, row, lang, events)
    return result


def _score_passage(result: Evaluation, index: int, row: dict, lang: str, events: list) -> None:
    expect = row.get("expect") or {}
    keys = {key: key.split("|") for key in expect}
    predicted, unmatched = predicted_statuses(events, keys)
    counters = [result.overall, result.by_language[lang]]
    for name in unmatched:
        for scores in counters:
            scores.fp += 1
            scores.false_designations += name.endswith(": designated")
        result.errors.append(
            {
                "passage": index,
                "lang": lang,
                "company": name,
                "expected": None,
                "predicted": name.rsplit(": ", 1)[1],
                "error": "unlabelled company",
            }
        )
    for key, label in expect.items():
        accepted, primary = acceptable(label)
        got = predicted.get(key)
        status_counters = counters + [result.by_status[str(primary)]]
        if got is not None and got in accepted:
            for scores in status_counters:
                scores.tp += 1
            continue
        error = None
        if got is not None:  # a status the label does not accept
            for scores in status_counters:
                scores.fp += 1
                scores.false_designations += got == ListingStatus.DESIGNATED
            error = "wrong status" if primary is not None else "event for a null label"
        if primary is not None and None not in accepted:
            for scores in status_counters:
                scores.fn += 1
            error = error or "missed"
        elif primary is not None and got is None:
            continue  # null accepted
        if error:
            result.errors.append(
                {"passage": index, "lang": lang, "company": key, "expected": label, "predicted": got, "error": error}
            )


def read_rows(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise SystemExit(f"{path}:{number}: not valid JSON ({exc})") from None
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="labelled passages, JSON lines")
    parser.add_argument("--json", action="store_true", help="print the figures and every error as JSON")
    args = parser.parse_args(argv)
    result = evaluate(read_rows(args.file))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    overall = result.overall
    print(
        f"{result.passages} passages: precision {overall.precision:.3f}, recall {overall.recall:.3f}, "
        f"false designations {overall.false_designations} (tp {overall.tp}, fp {overall.fp}, fn {overall.fn})"
    )
    for title, table in (("language", result.by_language), ("primary status", result.by_status)):
        for key, scores in sorted(table.items()):
            print(
                f"  {title} {key}: precision {scores.precision:.3f}, recall {scores.recall:.3f}, "
                f"false designations {scores.false_designations}"
            )
    for error in result.errors:
        print(
            f"  passage {error['passage']} ({error['lang']}) {error['company']}: {error['error']} "
            f"(expected {error['expected']}, predicted {error['predicted']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
