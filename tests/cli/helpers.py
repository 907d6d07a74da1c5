"""What the command-line tests share: running the command, and a population with a bad row."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m relapse_guard ARGS`` as a user would run it: its output and exit code."""
    return subprocess.run(
        [sys.executable, "-m", "relapse_guard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def with_a_bad_date(population: Path, into: Path) -> Path:
    """A copy of ``population`` in ``into`` whose first facts file has an impossible date on
    line 3 (``2016-13-45``); the file's path."""
    shutil.copytree(population, into)
    facts = sorted(into.glob("facts-*.jsonl"))[0]
    lines = facts.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[2])
    record["date"] = "2016-13-45"
    lines[2] = json.dumps(record)
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return facts
