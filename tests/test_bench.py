"""Benchmarks keep their DESIGN.md interface (the figures themselves are not asserted)."""

import json
import subprocess
import sys

import pytest

from core.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "name, field",
    [
        ("replay", "seconds"),
        ("crawl", "ratio"),
        ("scoring", "ratio"),
        ("nlp", "ratio"),
        ("dashboard", "max_ms"),
        ("lists", "ratio"),
        ("screening", "ratio"),
    ],
)
def test_benchmark_prints_one_json_line(name, field):
    completed = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["bench"] == name and result[field] > 0


def test_replay_scale_adds_synthetic_news():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.replay", "--quick", "--scale"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["bench"] == "replay" and result["seconds"] > 0 and result["news_factor"] == 1
    scaled = result["news_factor_2"]
    assert scaled["articles"] == 2 * result["articles"] > 0
    assert scaled["documents"] == result["documents"] + result["articles"]
    assert result["growth"] > 0 and result["article_growth"] == 2.0
