"""Listing-event extraction against a labelled set of English and German sentences
(tests/data/labelled_sentences.jsonl): precision and recall per status must be >= 0.9."""

import json
from collections import Counter
from pathlib import Path


from core.settings import DATA_DIR, Settings
from nlp.analysis import analyze_doc
from core.linking import EntityLinker
from nlp.pipeline import build_pipeline
from nlp.watchlist import names_from_watchlist

LABELLED = Path(__file__).parent / "data" / "labelled_sentences.jsonl"
STATUSES = ("designated", "removed", "proposed", "withdrawn")


def known_names() -> dict[str, list[str]]:
    names = names_from_watchlist(DATA_DIR / "watchlist" / "watchlist.jsonl")
    editions = json.loads((DATA_DIR / "facts" / "1260h_editions.json").read_text(encoding="utf-8"))["editions"]
    for edition in editions:
        for entry in edition["added"]:
            names.setdefault(entry["name"], list(entry.get("aliases", [])))
    return names


def evaluate() -> tuple[dict[str, dict[str, float]], list[str]]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = known_names()
    linker = EntityLinker(names)
    settings = Settings(spacy_model_en="", spacy_model_de="")  # blank + rules: fast, no weights needed
    pipelines = {lang: build_pipeline(lang, names, settings) for lang in {r["lang"] for r in rows}}
    counts = {s: Counter() for s in STATUSES}
    mistakes = []
    for row in rows:
        _, events = analyze_doc(pipelines[row["lang"]](row["text"]), linker, row["lang"])
        # the labels name linked entities; unlinked organisations (candidates) are checked elsewhere
        found = {(e.entity, e.list_name, e.status) for e in events if e.linked}
        expected = {(e["entity"], e.get("list", "1260H"), e["status"]) for e in row["events"]}
        for status in STATUSES:
            f = {x for x in found if x[2] == status}
            e = {x for x in expected if x[2] == status}
            counts[status]["tp"] += len(f & e)
            counts[status]["fp"] += len(f - e)
            counts[status]["fn"] += len(e - f)
        if found != expected:
            mistakes.append(f"{row['id']}: {row['text']}\n  expected {sorted(expected)}\n  found    {sorted(found)}")
    scores = {}
    for status, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        scores[status] = {"precision": round(precision, 3), "recall": round(recall, 3), "support": c["tp"] + c["fn"]}
    return scores, mistakes


def test_precision_and_recall_per_status():
    scores, mistakes = evaluate()
    report = json.dumps(scores, indent=1) + "\n" + "\n".join(mistakes[:30])
    for status in STATUSES:
        assert scores[status]["support"] >= 15, report
        assert scores[status]["precision"] >= 0.9, report
        assert scores[status]["recall"] >= 0.9, report


if __name__ == "__main__":  # python -m tests.test_labelled_events: print the figures for the README
    figures, errors = evaluate()
    print(json.dumps(figures, indent=1))
    print("\n".join(errors))
