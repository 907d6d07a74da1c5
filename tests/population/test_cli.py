"""``python -m relapse_guard.population``: generate and check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.population import MonthlyShares, fact_records, month_facts, read_population, synthetic_households
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
    assert "; 1 bad row, 1 record skipped" in out
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


def test_month_writes_a_file_then_refuses_to_overwrite_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "county"
    assert main(["generate", str(target), "--households", "200", "--seed", "2", "--processes", "1"]) == 0
    capsys.readouterr()
    out = tmp_path / "2017-01.csv"
    arguments = ["month", str(target), "--month", "2017-01", "--out", str(out), "--seed", "4", "--late-share", "0.1"]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("wrote ")
    assert "facts of 2017-01 for 200 households" in printed
    assert "income_assessed" in printed
    assert "late reports" in printed
    expected = [
        fact.to_dict()
        for record in month_facts(target, "2017-01", seed=4, shares=MonthlyShares(late_share=0.1))
        for fact in record.facts
    ]
    assert list(fact_records(out)) == expected
    assert main(arguments) == 2
    assert "exists" in capsys.readouterr().err
    assert main([*arguments, "--overwrite", "--format", "jsonl"]) == 2
    assert "the suffix says csv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["month", str(target), "--month", "2017-01", "--out", str(out), "--late-share", "2"])
    assert "between 0 and 1" in capsys.readouterr().err


def test_month_of_a_population_with_a_bad_row_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "county"
    assert main(["generate", str(target), "--households", "100", "--processes", "1"]) == 0
    households = target / "households-00000.jsonl"
    households.write_text(households.read_text(encoding="utf-8") + "{}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["month", str(target), "--month", "2017-01", "--out", str(tmp_path / "jan.jsonl")]) == 1
    captured = capsys.readouterr()
    assert "for 100 households" in captured.out
    assert "relapse-guard: bad row: " in captured.err
    assert "households-00000.jsonl:101:" in captured.err
    assert "1 bad row in the population" in captured.err
