"""Exit codes scripts can trust, each checked as a user meets it: a subprocess.

0 done; 1 done with findings (bad rows, problem households, check findings); 2 a usage
error or input that cannot be read at all; 3 an internal error (a bug); 130 interrupted;
a closed pipe (``relapse-guard ... | head``) ends quietly, with the code the run earned
(test_closed_stdout_cli: the files are written whatever happens to stdout).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.population import generate_population

from ..screening.test_problems import failing_policy_file
from .helpers import cli

AS_OF = "2016-12-31"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exit") / "county"
    generate_population(directory, households=200, partitions=2, seed=11, processes=1)
    return directory


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> str:
    return failing_policy_file(tmp_path_factory.mktemp("policy"))


def _with_a_bug(statement: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``relapse-guard ARGS`` in a subprocess where ``relapse_guard.demo.render_demo`` runs ``statement``."""
    code = (
        "import sys\n"
        "import relapse_guard.demo\n"
        "def broken(*args, **kwargs):\n"
        f"    {statement}\n"
        "relapse_guard.demo.render_demo = broken\n"
        "from relapse_guard.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_0_done() -> None:
    done = cli("policies")
    assert (done.returncode, done.stderr) == (0, "")


def test_1_problem_households_are_listed_and_counted_and_the_others_screened(
    county: Path, failing: str, tmp_path: Path
) -> None:
    serial = cli("screen", str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(tmp_path / "one"))
    two = cli(
        "screen", str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(tmp_path / "two"), "--workers", "2"
    )
    plain = cli("screen", str(county), "--policy", "yubei_2016", "--as-of", AS_OF)
    assert (serial.returncode, two.returncode, plain.returncode) == (1, 1, 0), serial.stderr
    problems = (tmp_path / "one" / "problems.jsonl").read_text(encoding="utf-8")
    assert problems == (tmp_path / "two" / "problems.jsonl").read_text(encoding="utf-8")
    assert json.loads(serial.stdout) == json.loads(two.stdout)
    rows = [json.loads(line) for line in problems.splitlines()]
    assert rows
    assert all(row["household_id"].endswith("7") for row in rows)
    assert {(row["kind"], row["error"], row["plugin"]) for row in rows} == {
        ("plugin_failed", "ZeroDivisionError", "trigger.divides_by_zero")
    }
    households = [json.loads(line) for line in (tmp_path / "one" / "households.jsonl").read_text().splitlines()]
    assert len(households) + len(rows) == 200 == json.loads(plain.stdout)["households"]
    summary = serial.stderr.splitlines()[-1]
    assert summary == (
        f"relapse-guard: {len(rows)} problem households: {len(rows)} plugin_failed "
        "(ZeroDivisionError in trigger.divides_by_zero)"
    )
    assert f"relapse-guard: problem household: plugin_failed: household '{rows[0]['household_id']}'" in serial.stderr


def test_1_the_report_goes_on_too(county: Path, failing: str, tmp_path: Path) -> None:
    done = cli("report", str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(tmp_path), "--workers", "2")
    assert done.returncode == 1, done.stderr
    assert "problem households: " in done.stderr.splitlines()[-1]
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Households that could not be screened" in text
    assert "trigger.divides\\_by\\_zero" in text


@pytest.mark.parametrize("command", ["screen", "report"])
def test_1_fail_fast_stops_at_the_first_problem_with_its_traceback(
    county: Path, failing: str, tmp_path: Path, command: str
) -> None:
    done = cli(
        command, str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(tmp_path / "out"), "--fail-fast"
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback (most recent call last)" in done.stderr
    assert "ZeroDivisionError: division by zero" in done.stderr
    assert done.stderr.splitlines()[-1].endswith("(--fail-fast)")
    assert "stopped at the first problem household" in done.stderr


def test_2_usage_errors(county: Path) -> None:
    for workers in ("0", "-1"):
        for command in ("screen", "report"):
            done = cli(
                command, str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", "x", "--workers", workers
            )
            assert done.returncode == 2
            assert f"argument --workers: must be at least 1 (one process), not {workers}" in done.stderr
    assert cli("screen", "--no-such-option").returncode == 2


def test_2_an_out_that_is_a_file_is_refused_before_the_screen(county: Path, failing: str, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine\n", encoding="utf-8")
    for command in ("screen", "report"):
        # with --fail-fast a screen that ran would stop with 1: the refusal comes first
        done = cli(command, str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(taken), "--fail-fast")
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr == f"relapse-guard: error: --out {taken} is a file, not a directory\n"
    assert taken.read_text(encoding="utf-8") == "mine\n"


def test_2_an_out_that_holds_earlier_results_needs_overwrite(county: Path, failing: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("screen", str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out)).returncode == 0
    again = cli("screen", str(county), "--policy", failing, "--as-of", AS_OF, "--out", str(out), "--fail-fast")
    assert again.returncode == 2
    assert "already holds households.jsonl, totals.json, problems.jsonl" in again.stderr
    assert "--overwrite" in again.stderr
    args = ("screen", str(county), "--policy", "dazu_2016", "--as-of", AS_OF, "--out", str(out), "--overwrite")
    assert cli(*args).returncode == 0
    (tmp_path / "notes.txt").write_text("other files do not matter\n", encoding="utf-8")
    report = cli("report", str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(tmp_path))
    assert report.returncode == 0, report.stderr
    again = cli("report", str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(tmp_path))
    assert again.returncode == 2
    assert "already holds report.md, report.html" in again.stderr


def test_2_generate_names_start_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    directory = tmp_path / "early"
    done = cli("generate", str(directory), "--households", "200", "--start", "2014-12-01", "--processes", "1")
    assert done.returncode == 2
    assert done.stderr.startswith("relapse-guard: error: --start 2014-12-01 is too early")
    assert "--start 2015-01-01 or later" in done.stderr
    assert not list(tmp_path.rglob("*.tmp"))
    assert cli("generate", str(directory), "--households", "200", "--start", "2015-01-01").returncode == 0


def test_3_an_internal_error_prints_its_traceback_and_asks_for_a_report() -> None:
    done = _with_a_bug("raise AttributeError('a bug')", "demo")
    assert done.returncode == 3
    assert "Traceback (most recent call last)" in done.stderr
    assert "AttributeError: a bug" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("relapse-guard: internal error: this is a bug in relapse_guard")
    assert "please report it" in done.stderr


def test_130_interrupted() -> None:
    done = _with_a_bug("raise KeyboardInterrupt", "demo")
    assert done.returncode == 130
    assert done.stderr == "relapse-guard: interrupted\n"


def test_0_a_closed_pipe_ends_quietly() -> None:
    # A real pipe to `head -1`, made small (one page) so that the demo's output (about 17 kB)
    # cannot all be written before head has read its line and gone.
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("pipe sizes are set on Linux only")
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    with subprocess.Popen(
        [sys.executable, "-m", "relapse_guard", "demo"], stdout=write_end, stderr=subprocess.PIPE, text=True
    ) as writer:
        os.close(write_end)
        head = subprocess.run(["head", "-1"], stdin=read_end, capture_output=True, text=True, timeout=120, check=False)
        os.close(read_end)
        _, stderr = writer.communicate(timeout=120)
    assert head.returncode == 0
    assert head.stdout.startswith("relapse_guard demo: ")
    assert (writer.returncode, stderr) == (0, "")
