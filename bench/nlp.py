"""NLP benchmark: riskwatch's whole NLP stage (watchlist ruler, linking, unlinked organisations,
document-level listing events) against raw
`nlp.pipe` of the same base model on the same texts.

    python -m bench.nlp [--quick]

Texts: 5,000 (500 with --quick) English paragraphs assembled deterministically from the
snapshot's news sentences and list names. Ends stdout with one JSON line:
{"bench": "nlp", "ratio": riskwatch words/s / baseline words/s, "words_per_s", "baseline_words_per_s", ...}
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time

import spacy

from core.settings import DATA_DIR, get_settings
from nlp.analysis import analyze_doc
from core.linking import EntityLinker
from nlp.pipeline import build_pipeline
from nlp.watchlist import names_from_watchlist


def corpus(count: int) -> tuple[list[str], dict[str, list[str]]]:
    facts = json.loads((DATA_DIR / "facts" / "news_articles.json").read_text(encoding="utf-8"))
    editions = json.loads((DATA_DIR / "facts" / "1260h_editions.json").read_text(encoding="utf-8"))["editions"]
    names = names_from_watchlist(DATA_DIR / "watchlist" / "watchlist.jsonl")
    for edition in editions:
        for entry in edition["added"]:
            names.setdefault(entry["name"], list(entry.get("aliases", [])))
    sentences = [p for a in facts["articles"] if a["feed"] == "compliance_wire" for p in a["paragraphs"]]
    listed = sorted(names)
    rng = random.Random(1260)
    texts = []
    for _ in range(count):
        chosen = rng.sample(sentences, 3)
        extra = f"Analysts also mentioned {rng.choice(listed)} and {rng.choice(listed)} in the same report."
        texts.append(" ".join(chosen + [extra]))
    return texts, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500 texts instead of 5,000")
    options = parser.parse_args(argv)
    settings = get_settings()
    texts, names = corpus(500 if options.quick else 5000)
    words = sum(len(t.split()) for t in texts)
    batch = settings.nlp_batch_size
    print(f"{len(texts)} texts, {words} words, {len(names)} watched names", file=sys.stderr)

    baseline = spacy.load(settings.spacy_model_en, exclude=["lemmatizer"])
    list(baseline.pipe(texts[:50], batch_size=batch))  # warm up
    start = time.perf_counter()
    for _ in baseline.pipe(texts, batch_size=batch):
        pass
    baseline_s = time.perf_counter() - start
    print(f"baseline nlp.pipe ({settings.spacy_model_en}): {baseline_s:.1f}s", file=sys.stderr)

    nlp = build_pipeline("en", names, settings)
    linker = EntityLinker(names)
    list(nlp.pipe(texts[:50], batch_size=batch))
    start = time.perf_counter()
    mentions = events = 0
    for doc in nlp.pipe(texts, batch_size=batch):
        hits, found = analyze_doc(doc, linker, "en")
        mentions += sum(1 for h in hits if h.entity)
        events += len(found)
    riskwatch_s = time.perf_counter() - start
    print(f"riskwatch NLP stage: {riskwatch_s:.1f}s ({mentions} linked mentions, {events} events)", file=sys.stderr)

    result = {
        "bench": "nlp",
        "quick": options.quick,
        "texts": len(texts),
        "words": words,
        "ratio": round(baseline_s / riskwatch_s, 3),
        "words_per_s": round(words / riskwatch_s),
        "baseline_words_per_s": round(words / baseline_s),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "model": nlp.meta.get("riskwatch_base"),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
