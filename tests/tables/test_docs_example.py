"""docs/testing-your-policy.md shows a case file and a run of it: the file run here, and what the run prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from relapse_guard.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "testing-your-policy.md").read_text(encoding="utf-8")
EXAMPLE = Path(__file__).with_name("test_yubei_low_income.toml")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.S)


def test_the_example_shown_is_the_case_file_run_here() -> None:
    (shown,) = [block for block in _blocks("toml") if "[[case]]" in block]
    assert shown == EXAMPLE.read_text(encoding="utf-8")


def test_the_failing_run_shown_is_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (session,) = [block for block in _blocks("console") if block.startswith("$ relapse-guard test ")]
    command, *printed = session.splitlines()
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count("amount = 18000") == 1
    (tmp_path / EXAMPLE.name).write_text(text.replace("amount = 18000", "amount = 12000"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(command.split()[2:]) == 1
    assert capsys.readouterr().out.splitlines() == printed


def test_the_shipped_cases_example_type_checks() -> None:
    """The page's lines reading the cases a policy ships, here where ``mypy --strict`` checks them
    (it covers the tests): ``policy_cases`` gives None for a policy that ships none."""
    from relapse_guard.testing.tables import policy_cases

    shipped = policy_cases("yubei_2016")
    assert shipped is not None  # yubei_2016 ships cases
    assert all(outcome.passed for outcome in shipped.run())


def test_the_page_shows_the_example_checked_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    body = source.split("def test_the_shipped_cases_example_type_checks() -> None:")[1].split("\n\n\n")[0]
    lines = [line.removeprefix("    ") for line in body.splitlines() if "shipped" in line and '"""' not in line]
    assert len(lines) == 3
    assert "\n".join(lines) in PAGE
