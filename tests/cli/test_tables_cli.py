"""``relapse-guard test``: case files run under their policy or --policy, a diff per failing case, a summary."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from relapse_guard.cli import main
from relapse_guard.testing.tables import policy_cases

from .helpers import cli

#: The shipped policies' directory, as installed (the case files are package data).
POLICIES = Path(str(resources.files("relapse_guard.policies")))
YUBEI_CASES = POLICIES / "yubei_2016" / "cases.toml"

FAILING = """
policy = "yubei_2016"
as_of = 2016-12-31

[[case]]
name = "right"
household = { members = 2 }
facts = [{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }]
expect = { state = "assisted" }

[[case]]
name = "wrong"
household = { members = 2 }
facts = [{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }]
expect = { state = "exited", grants = [{ intervention = "safety_net", amount = 300 }], partial = true }
"""


def test_a_shipped_policy_s_case_file_passes_as_a_user_runs_it() -> None:
    done = cli("test", str(YUBEI_CASES))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    cases = policy_cases("yubei_2016")
    assert cases is not None
    assert done.stdout == f"{len(cases.cases)} cases passed\n"


def test_a_failing_case_is_shown_field_by_field_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(FAILING, encoding="utf-8")
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"case #2 'wrong' ({path}) failed:\n"
        "  state:\n"
        "    expected: exited\n"
        "    got:      assisted\n"
        "  grants[0].amount (safety_net):\n"
        "    expected: 300\n"
        "    got:      266.66\n"
        "\n"
        "1 case passed, 1 failed\n"
    )


def test_explain_and_verbose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(FAILING, encoding="utf-8")
    assert main(["test", str(path), "--explain", "-v"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"case #1 'right' ({path}) passed"
    assert "  timeline:" in lines
    assert "      => assisted since 2016-06-01" in lines


def test_policy_overrides_the_file_s_and_runs_several_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(POLICIES / name / "cases.toml") for name in ("chongqing_2016", "yubei_2016")]
    assert main(["test", *files, "--policy", "chongqing_2016"]) == 1  # Yubei's cases fail under the base policy
    *_, summary = capsys.readouterr().out.splitlines()
    assert summary.endswith("failed")
    assert main(["test", *files[:1], "--policy", "chongqing_2016"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "5 cases passed"


def test_no_file_runs_the_cases_the_policy_ships(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "--policy", "bishan_2016"]) == 0
    assert capsys.readouterr().out == "5 cases passed\n"


def test_a_policy_of_one_s_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.py").write_text(
        "from relapse_guard import load_policy\nmine = load_policy('yubei_2016').derive(name='mine')\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases.toml"
    cases.write_text(
        YUBEI_CASES.read_text(encoding="utf-8").replace('"yubei_2016"', '"mine.py:mine"'), encoding="utf-8"
    )
    assert main(["test", str(cases)]) == 0
    assert capsys.readouterr().out == "8 cases passed\n"
    assert main(["test", str(cases), "--policy", f"{tmp_path / 'mine.py'}:mine"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give case files to run (FILE...), or --policy NAME"),
        (["--policy", "nowhere"], "unknown policy 'nowhere'"),
        (["--policy", "relapse_guard.policies.yubei_2016:policy"], "ships no cases"),
        (["missing.toml"], "case file missing.toml: cannot be read"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["test", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("relapse-guard: error: ")
    assert message in captured.err


def test_a_case_file_that_cannot_be_read_names_the_case_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(FAILING.replace('state = "exited"', 'state = "exitted"'), encoding="utf-8")
    assert main(["test", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"relapse-guard: error: case file {path}: case #2 'wrong': expect.state = 'exitted' refused; expected one of "
        "'new', 'identified', 'assisted', 'exited', 'monitored', 'relapsed', 'stable'\n"
    )
