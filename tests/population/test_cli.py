"""``python -m relapse_guard.population``: generate and check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.population import read_population, synthetic_households
from relapse_guard.population.cli import main

from .helpers import as_pairs


def test_generate_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "county"
    arguments = ["--households", "150", "--seed", "8", "--format", "csv", "--processes", "1"]
    assert main(["generate", str(target), *arguments]) == 0
    assert "wrote 150 households" in capsys.readouterr().out
    assert as_pairs(read_population(target).iter_records()) == list(synthetic_households(150, seed=8))
    assert main(["check", str(target)]) == 0
    assert "150 households" in capsys.readouterr().out
    facts = target / "facts-00000.csv"
    facts.write_text(facts.read_text(encoding="utf-8") + "X0,x,income_assessed,2016-01-01,,oops\n", encoding="utf-8")
    assert main(["check", str(target)]) == 1
    out = capsys.readouterr().out
    assert "facts-00000.csv:" in out
    assert "1 bad rows" in out
    assert main(["generate", str(target), "--households", "10"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_module_entry_point(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "relapse_guard.population", "generate", str(tmp_path / "p"), "--households", "20"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert read_population(tmp_path / "p").households == 20
