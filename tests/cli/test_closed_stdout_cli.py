"""A reader of stdout that goes away (``relapse-guard ... | head -1``) stops nothing: every command
that writes files writes them, and exits with the code its run earned. Nor does a reader of stderr
that goes away (``relapse-guard ... 2>&1 | tee log`` with ``tee`` killed): ``cycle`` with bad rows
exited 0 then (the BrokenPipeError of its first line on stderr was taken for a closed stdout).

``cycle ... --out DIR | head -1`` exited 0 and never wrote DIR: the summary was printed before the
files were written, and the closed pipe ended the command with 0; ``screen ... --out DIR | head -1``
with a bad row the same (0, no DIR). Here stdout is a pipe whose reader is gone before the command
starts, and unbuffered, so that the first line printed meets it (as when the output is longer than
the pipe holds, or ``head`` has read its line already).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.population import generate_population

from .helpers import with_a_bad_date

AS_OF = "2016-12-31"


def closed(
    *args: str, buffered: bool = False, module: str = "relapse_guard", streams: str = "stdout"
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS`` with a stdout nobody reads (the pipe's reading end closed); with
    ``streams="stderr"`` the stderr instead (stdout read), with ``"both"`` both, as ``2>&1 | true``."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    env["RELAPSE_GUARD_LANG"] = "en"
    try:
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            stdout=write_end if streams in ("stdout", "both") else subprocess.PIPE,
            stderr=write_end if streams in ("stderr", "both") else subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("closed") / "county"
    generate_population(directory, households=60, seed=3, processes=1)
    return directory


@pytest.fixture(scope="module")
def bad(county: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county with one bad row (an impossible date on line 3 of its facts)."""
    into = tmp_path_factory.mktemp("bad") / "county"
    with_a_bad_date(county, into)
    return into


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr


@pytest.mark.parametrize("buffered", [False, True])
def test_screen_writes_out_and_exits_1_for_a_bad_row(bad: Path, tmp_path: Path, buffered: bool) -> None:
    out = tmp_path / "out"
    done = closed("screen", str(bad), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out), buffered=buffered)
    assert done.returncode == 1, done.stderr
    _no_traceback(done)
    assert "relapse-guard: bad row: " in done.stderr  # stderr is said as without the pipe
    assert sorted(path.name for path in out.iterdir()) == ["households.jsonl", "problems.jsonl", "totals.json"]
    (problem,) = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert problem["field"] == "date"
    assert json.loads((out / "totals.json").read_text(encoding="utf-8"))["households"] == 60


def test_screen_without_problems_exits_0(county: Path) -> None:
    done = closed("screen", str(county), "--policy", "yubei_2016", "--as-of", AS_OF)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("buffered", [False, True])
def test_cycle_writes_out_and_exits_1_for_a_bad_row(bad: Path, tmp_path: Path, buffered: bool) -> None:
    out, store = tmp_path / "out", tmp_path / "county.db"
    done = closed(
        "cycle",
        *(str(store), "--population", str(bad), "--as-of", AS_OF, "--policy", "yubei_2016", "--out", str(out)),
        buffered=buffered,
    )
    assert done.returncode == 1, done.stderr
    _no_traceback(done)
    assert sorted(path.name for path in out.iterdir()) == ["alerts.jsonl", "cycle.json", "problems.jsonl"]
    summary = json.loads((out / "cycle.json").read_text(encoding="utf-8"))
    assert (summary["bad_rows"], summary["rescreened"]) == (1, 60)
    assert (out / "alerts.jsonl").read_text(encoding="utf-8")


def test_report_writes_its_files_and_exits_1_for_a_bad_row(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    done = closed("report", str(bad), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out))
    assert done.returncode == 1, done.stderr
    _no_traceback(done)
    assert (out / "report.md").is_file()
    assert (out / "report.html").is_file()


def test_whatif_writes_out_and_exits_1_for_a_bad_row(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "whatif"
    done = closed(
        "whatif",
        *(str(bad), "--policy", "yubei_2016", "--policy", "dazu_2016", "--as-of", AS_OF, "--out", str(out)),
    )
    assert done.returncode == 1, done.stderr
    _no_traceback(done)
    assert (out / "whatif.csv").read_text(encoding="utf-8").startswith("household_id,district,")
    assert (out / "whatif.html").is_file()


def test_generate_and_generate_month_write_their_files(bad: Path, tmp_path: Path) -> None:
    population = tmp_path / "generated"
    done = closed("generate", str(population), "--households", "30", "--processes", "1")
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert (population / "manifest.json").is_file()
    month = tmp_path / "2017-01.jsonl"
    done = closed("generate-month", str(bad), "--month", "2017-01", "--out", str(month), "--processes", "1")
    assert done.returncode == 1, done.stderr  # the population's bad row
    _no_traceback(done)
    assert month.read_text(encoding="utf-8")


def test_verify_saves_its_anchor(county: Path, tmp_path: Path) -> None:
    store, anchor = tmp_path / "county.db", tmp_path / "heads.json"
    done = closed("cycle", str(store), "--population", str(county), "--as-of", AS_OF, "--policy", "yubei_2016")
    assert done.returncode == 0, done.stderr
    done = closed("verify", str(store), "--save-anchor", str(anchor))
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert set(json.loads(anchor.read_text(encoding="utf-8"))) == {"facts", "decisions", "checkpoints"}


@pytest.mark.parametrize("output_format", ["text", "jsonl"])
def test_alerts_lists_into_a_closed_pipe_quietly(county: Path, tmp_path: Path, output_format: str) -> None:
    store = tmp_path / "county.db"
    done = closed("cycle", str(store), "--population", str(county), "--as-of", AS_OF, "--policy", "yubei_2016")
    assert done.returncode == 0, done.stderr
    done = closed("alerts", str(store), "--format", output_format, buffered=True)
    assert (done.returncode, done.stderr) == (0, "")


def test_help_ends_quietly() -> None:
    done = closed("--help")
    assert (done.returncode, done.stderr) == (0, "")


def test_in_process_the_exit_code_is_the_one_earned(bad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # main() as a script calls it: a stdout that raises BrokenPipeError on its first write
    from relapse_guard.cli import main

    class Gone:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())
    out = tmp_path / "out"
    assert main(["screen", str(bad), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out)]) == 1
    assert (out / "totals.json").is_file()
    assert isinstance(sys.stdout, Gone)  # given back as it was


@pytest.mark.parametrize("buffered", [False, True])
def test_the_population_module_writes_its_directory_and_exits_0(tmp_path: Path, buffered: bool) -> None:
    """``python -m relapse_guard.population generate DIR | head -0`` exited 2 (a BrokenPipeError
    taken for a reading error) after writing its files."""
    into = tmp_path / "county"
    done = closed("generate", str(into), "--households", "20", buffered=buffered, module="relapse_guard.population")
    assert done.returncode == 0, done.stderr
    _no_traceback(done)
    assert "error" not in done.stderr
    assert (into / "manifest.json").exists()


# A reader of stderr that goes away: the exit code is the one the run earned.


def _facts_with_bad_rows(county: Path, into: Path) -> Path:
    """A month's facts file of ``county`` whose every third row has an impossible date."""
    rows = []
    for index, line in enumerate(sorted(county.glob("facts-*.jsonl"))[0].read_text(encoding="utf-8").splitlines()[:9]):
        record = json.loads(line)
        record["id"] = f"late-{index}"
        if index % 3 == 0:
            record["date"] = "2016-13-01"
        rows.append(json.dumps(record))
    into.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return into


@pytest.mark.parametrize("streams", ["stderr", "both"])
@pytest.mark.parametrize("buffered", [False, True])
def test_cycle_with_stderr_closed_exits_1_for_bad_rows(
    county: Path, tmp_path: Path, streams: str, buffered: bool
) -> None:
    """``cycle ... 2>&1 >/dev/null | true`` exited 0 with 3 bad rows not stored (1 without the pipe)."""
    store, out = tmp_path / "county.db", tmp_path / "out"
    done = closed("cycle", str(store), "--population", str(county), "--as-of", AS_OF, "--policy", "yubei_2016")
    assert done.returncode == 0, done.stderr
    facts = _facts_with_bad_rows(county, tmp_path / "late.jsonl")
    done = closed(
        "cycle",
        *(str(store), "--facts", str(facts), "--as-of", "2017-01-31", "--policy", "yubei_2016", "--out", str(out)),
        streams=streams,
        buffered=buffered,
    )
    assert done.returncode == 1
    assert json.loads((out / "cycle.json").read_text(encoding="utf-8"))["bad_rows"] == 3
    if streams == "stderr":
        assert done.stdout.startswith("cycle 2017-01-31: ")  # stdout is said all the same


def test_screen_with_stderr_closed_exits_1_for_a_bad_row(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = closed("screen", str(bad), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out), streams="stderr")
    assert done.returncode == 1
    assert json.loads(done.stdout)["households"] == 60
    assert (out / "problems.jsonl").read_text(encoding="utf-8")


def test_an_error_with_stderr_closed_exits_2(tmp_path: Path) -> None:
    done = closed("screen", str(tmp_path / "missing"), "--policy", "yubei_2016", "--as-of", AS_OF, streams="both")
    assert done.returncode == 2


def test_the_population_module_with_stderr_closed(bad: Path, tmp_path: Path) -> None:
    done = closed("check", str(bad), module="relapse_guard.population", streams="stderr")
    assert done.returncode == 1  # the bad row
    into = tmp_path / "county"
    done = closed(
        "generate", str(into), "--households", "20", "--progress", module="relapse_guard.population", streams="stderr"
    )
    assert done.returncode == 0  # its progress on a stderr nobody reads changes nothing
    assert (into / "manifest.json").exists()


def test_in_process_a_closed_stderr_changes_no_exit_code(
    bad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relapse_guard.cli import exit_code_of, main

    class Gone:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def isatty(self) -> bool:
            return False

    gone = Gone()
    monkeypatch.setattr(sys, "stderr", gone)
    out = tmp_path / "out"
    assert main(["screen", str(bad), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out)]) == 1
    assert (out / "totals.json").is_file()
    assert sys.stderr is gone  # given back as it was
    # an error said on a stderr whose reader is gone is an error all the same, outside main too
    assert exit_code_of(FileNotFoundError(2, "No such file or directory", "x.csv"), lang="en") == 2
