"""`python -m nlp.evaluate`: the scoring rules on passages written here, and the real development set."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from nlp.evaluate import evaluate, main

DEV = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real_news_dev.jsonl"

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


def test_real_development_set(capsys):
    if not DEV.exists():
        warnings.warn(f"REAL MATERIAL MISSING: {DEV}; the real-news evaluation is skipped")
        pytest.skip(f"real development set not present at {DEV}")
    assert main([str(DEV), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passages"] == 100 and report["by_language"].keys() == {"de", "en"}
    # Issue 13's goals (precision >= 0.90, recall >= 0.75, no false designation) are not met yet;
    # this guards the 2026-11-25 baseline (precision 0.68, recall 0.10, 4 false designations)
    # against regressions until they are.
    assert report["precision"] >= 0.65 and report["recall"] >= 0.10 and report["false_designations"] <= 4
