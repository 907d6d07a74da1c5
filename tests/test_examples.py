"""Every script in examples/ runs to the end (its own asserts check what it shows)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "quickstart.py",
        "illness_during_monitoring.py",
        "disaster.py",
        "custom_policy.py",
        "disaster_case.py",
        "user_policy.py",
        "monthly_cycle.py",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "household" in out or "as of" in out
