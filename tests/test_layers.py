"""The import layers, checked over every module's imports (function-level ones included).

core                      settings, redaction, vocabulary, sources config, names, dates, text
db        -> core         storage
crawler   -> db, core     fetching (Scrapy)
nlp       -> db, core     reading documents
scoring   -> db, core     the exposure model
dashboard -> scoring, db, core
jobs      -> everything   CLI, daily run, scheduler, replay server, alerts
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "core": set(),
    "db": {"core"},
    "crawler": {"db", "core"},
    "nlp": {"db", "core"},
    "scoring": {"db", "core"},
    "dashboard": {"scoring", "db", "core"},
    "jobs": {"crawler", "nlp", "scoring", "dashboard", "db", "core"},
}


def imported_layers(path: Path) -> set[tuple[str, int]]:
    """(top-level package, line) of every riskwatch import in one module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in ALLOWED}
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_follow_the_layers(layer):
    wrong = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for imported, line in sorted(imported_layers(path)):
            if imported != layer and imported not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not wrong, "layer violations:\n" + "\n".join(wrong)


def test_the_check_sees_a_violation(tmp_path):
    bad = tmp_path / "module.py"
    bad.write_text("def f():\n    from jobs.cli import app\n    import crawler.kinds\n")
    assert imported_layers(bad) == {("jobs", 2), ("crawler", 3)}
