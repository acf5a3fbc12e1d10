"""`python -m nlp.evaluate`: the scoring rules on passages written here, and the real development set."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from nlp.evaluate import evaluate, main

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
DEV = REFERENCE / "real_news_dev.jsonl"
# A second real set gathered later from other articles (real_news_extra.md beside it): labelled
# quotations this project did not tune against until it had measured them.
EXTRA = REFERENCE / "real_news_extra.jsonl"
# A third real set from yet other articles (real_news_holdout.md), measured untuned first, then used to
# generalise the rules (README: NLP accuracy).
HOLDOUT = REFERENCE / "real_news_holdout.jsonl"
FOURTH = REFERENCE / "real_news_fourth.jsonl"  # a fourth real set, likewise (real_news_fourth.md)
FIFTH = REFERENCE / "real_news_fifth.jsonl"  # and a fifth (real_news_fifth.md)

# Passages written for this test (not quotations of articles).
OWN = [
    {
        "text": "The Pentagon added BYD to the Section 1260H list on Tuesday.",
        "lang": "en",
        "expect": {"byd": "designated"},
    },  # a true positive
    {
        "text": "The Pentagon added BYD to the Section 1260H list on Tuesday.",
        "lang": "en",
        "expect": {"byd": None},
    },  # a false designation
    {"text": "Analysts discussed Baidu's quarterly results.", "lang": "en", "expect": {"baidu": "proposed"}},  # a miss
    {
        "text": "Analysts discussed Baidu's quarterly results.",
        "lang": "en",
        "expect": {"baidu": ["proposed", None]},
    },  # null accepted: no miss
]


def test_counting_rules_on_own_passages():
    result = evaluate(OWN)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 1, 1)
    assert result.overall.false_designations == 1
    assert {(e["passage"], e["error"]) for e in result.errors} == {(1, "event for a null label"), (2, "missed")}


def test_unlabelled_company_is_a_false_positive():
    result = evaluate([{"text": "The Pentagon added BYD to the Section 1260H list.", "lang": "en", "expect": {}}])
    assert result.overall.fp == 1 and result.errors[0]["error"] == "unlabelled company"


def _real(path: Path, capsys) -> dict:
    if not path.exists():
        warnings.warn(f"REAL MATERIAL MISSING: {path}; the real-news evaluation is skipped")
        pytest.skip(f"real labelled passages not present at {path}")
    assert main([str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_real_development_set(capsys):
    report = _real(DEV, capsys)
    assert report["passages"] == 100 and report["by_language"].keys() == {"de", "en"}
    # issue 13's goals, on real published text
    assert report["precision"] >= 0.90, report["errors"]
    assert report["recall"] >= 0.75, report["errors"]
    assert report["false_designations"] == 0, report["errors"]
    for language in ("de", "en"):
        assert report["by_language"][language]["precision"] >= 0.85, report["errors"]
        assert report["by_language"][language]["recall"] >= 0.70, report["errors"]


# The later real sets with the false designations known to remain in each (README: what the NLP still
# gets wrong): passages that name no list, quoted from articles about another list.
LATER_SETS = [
    pytest.param(EXTRA, 2, id="extra"),  # two passages from an Entity List article
    # a 2020 executive order's "blacklist", and DJI put "on the blacklist" in 2020 (the Entity List)
    pytest.param(HOLDOUT, 5, id="holdout"),
    pytest.param(FOURTH, 6, id="fourth"),  # Entity List and Military End-User List articles
    pytest.param(FIFTH, 1, id="fifth"),  # one Entity List passage
]


@pytest.mark.parametrize("path, known_false_designations", LATER_SETS)
def test_later_real_sets(path, known_false_designations, capsys):
    report = _real(path, capsys)
    assert report["by_language"].keys() == {"de", "en"}
    assert report["precision"] >= 0.90 and report["recall"] >= 0.75, report["errors"]
    assert report["false_designations"] <= known_false_designations, report["errors"]
