"""Benchmarks keep their DESIGN.md interface (the figures themselves are not asserted)."""

import json
import subprocess
import sys

import pytest

from db.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_replay_benchmark_prints_one_json_line():
    completed = subprocess.run([sys.executable, "-m", "bench.replay", "--quick"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["bench"] == "replay" and result["seconds"] > 0 and result["peak_mb"] > 0
