"""Vulnerability audit of the installed dependencies (pip-audit), with an honest summary.

    .venv/bin/python scripts/audit.py          # `make audit`, part of `make test`

pip-audit answers "No known vulnerabilities found" even when it could not look a single
package up (no route to the PyPI JSON API or OSV, as on an offline build machine). This
wrapper reads its JSON instead and says which of three things happened:

- exit 1: a known vulnerability in an installed package (the advisory ids and fixed versions);
- exit 0: every package was audited and none is known to be vulnerable;
- exit 0 with a loud WARNING: the vulnerability service was unreachable, so N packages were
  NOT audited (CI keeps going: an unreachable service is not a finding, but it is never
  reported as a clean audit). RISKWATCH_AUDIT_STRICT=1 makes that an error too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field


@dataclass
class AuditSummary:
    audited: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    vulnerable: dict[str, list[str]] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.vulnerable:
            return 1
        if self.skipped and os.environ.get("RISKWATCH_AUDIT_STRICT") == "1":
            return 1
        return 0

    def lines(self) -> list[str]:
        out = []
        for name, advisories in sorted(self.vulnerable.items()):
            out.append(f"VULNERABLE {name}: {'; '.join(advisories)}")
        if self.skipped and not self.audited:
            out.append(
                f"WARNING: no vulnerability service reachable: {len(self.skipped)} packages NOT audited "
                f"(e.g. {next(iter(self.skipped.values()))})"
            )
        elif self.skipped:
            out.append(f"WARNING: {len(self.skipped)} packages NOT audited: {', '.join(sorted(self.skipped))}")
        if self.audited and not self.vulnerable:
            out.append(f"audit: {len(self.audited)} packages audited, no known vulnerabilities")
        return out


def summarise(report: dict) -> AuditSummary:
    """Classify pip-audit's ``--format json`` report."""
    summary = AuditSummary()
    for dependency in report.get("dependencies", []):
        name = f"{dependency.get('name')} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            summary.skipped[name] = dependency["skip_reason"]
            continue
        summary.audited.append(name)
        vulns = dependency.get("vulns") or []
        if vulns:
            summary.vulnerable[name] = [
                f"{v.get('id')} (fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})" for v in vulns
            ]
    return summary


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--format", "json", "--progress-spinner", "off"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        print(
            f"WARNING: pip-audit gave no report (exit {completed.returncode}): "
            f"{completed.stderr.strip().splitlines()[-1:] or ['no output']}",
            file=sys.stderr,
        )
        return 1 if os.environ.get("RISKWATCH_AUDIT_STRICT") == "1" else 0
    summary = summarise(report)
    for line in summary.lines():
        print(line, file=sys.stderr)
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
