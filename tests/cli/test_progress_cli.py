"""Progress on stderr (on a terminal, or with ``--progress``) and counts said right: "1 row", "2 rows"."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from relapse_guard.progress_line import ProgressLine, wants_progress
from relapse_guard.text import duration, noun, plural, progress_text

from .helpers import cli

#: A progress line as drawn: bar, households done of planned, rate, and the time left or "done".
LINE = re.compile(
    r"^\[#* *\] [\d,]+/[\d,]+ households( written| drawn| rescreened)?, [\d,]+/s, (\d+[smh].* left|done)$"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plural_and_noun() -> None:
    assert [plural(n, "row") for n in (0, 1, 2, 1_000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]
    assert plural(1, "policy", "policies") == "1 policy"
    assert plural(2, "policy", "policies") == "2 policies"
    assert plural(40125, "fact", grouped=False) == "40125 facts"
    assert noun(1, "household") == "household"
    assert noun(3, "household") == "households"


def test_the_interventions_count_members_with_the_decisions_count() -> None:
    from relapse_guard import message_keys
    from relapse_guard.interventions import _common

    assert _common.count is message_keys.count  # "3 members" in English, "3 人" in Chinese
    assert message_keys.count(3, "member").english() == plural(3, "member")


def test_progress_text_shows_done_over_planned_and_the_time_left() -> None:
    assert progress_text(1_000, 4_000, "household", seconds=2.0, what="written") == (
        "[#######                       ] 1,000/4,000 households written, 500/s, 6s left"
    )
    assert progress_text(4_000, 4_000, "household", seconds=8.0).endswith("4,000/4,000 households, 500/s, done")
    assert progress_text(7, None, "household", seconds=1.0) == "7 households, 7/s"
    assert progress_text(1, 1, "household", seconds=0.0) == f"[{'#' * 30}] 1/1 household, done"
    assert [duration(s) for s in (0.4, 59, 61, 3600 * 2 + 60)] == ["0s", "59s", "1m 01s", "2h 01m"]


def test_a_line_on_a_terminal_is_rewritten_in_place() -> None:
    terminal = Terminal()
    line = ProgressLine(terminal, interval=0)
    line.show("one")
    line.show("two")
    line.close()
    assert terminal.getvalue() == "\rone\x1b[K\rtwo\x1b[K\n"


def test_elsewhere_whole_lines_at_most_every_interval_and_the_last_when_closed() -> None:
    log = io.StringIO()
    line = ProgressLine(log, interval=3600)
    for text in ("one", "two", "three"):
        line.show(text)
    assert log.getvalue() == "one\n"
    line.close()
    assert log.getvalue() == "one\nthree\n"
    line.close()
    assert log.getvalue() == "one\nthree\n"


def test_progress_is_wanted_on_a_terminal_or_when_asked() -> None:
    assert wants_progress(False, Terminal())
    assert wants_progress(True, io.StringIO())
    assert not wants_progress(False, io.StringIO())


def test_generate_draws_no_progress_into_a_pipe_unless_asked(tmp_path: Path) -> None:
    quiet = cli("generate", str(tmp_path / "quiet"), "--households", "1", "--processes", "1")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert re.fullmatch(r"wrote 1 household and \d+ facts in 1 partition to .* in [\d.]+ s\n", quiet.stdout)


def test_generate_progress_moves_while_a_partition_is_written(tmp_path: Path) -> None:
    done = cli("generate", str(tmp_path / "county"), "--households", "2500", "--processes", "1", "--progress")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    # one partition: the first line is shown before it is written, with the time left; the last when it is
    assert lines[0].startswith("[############                  ] 1,000/2,500 households written, ")
    assert lines[0].endswith(" left")
    assert lines[-1].startswith("[##############################] 2,500/2,500 households written, ")
    assert lines[-1].endswith(", done")


@pytest.mark.parametrize("command", ["screen", "report", "cycle", "generate-month"])
def test_every_command_with_progress_draws_it_when_asked(command: str, tmp_path: Path) -> None:
    county = tmp_path / "county"
    assert cli("generate", str(county), "--households", "150", "--processes", "1").returncode == 0
    args = {
        "screen": ["screen", str(county), "--policy", "yubei_2016", "--as-of", "2016-12-31"],
        "report": [
            "report",
            str(county),
            "--policy",
            "yubei_2016",
            "--as-of",
            "2016-12-31",
            "--out",
            str(tmp_path / "r"),
        ],
        "cycle": ["cycle", str(tmp_path / "c.db"), "--population", str(county), "--as-of", "2016-12-31"],
        "generate-month": ["generate-month", str(county), "--month", "2017-01", "--out", str(tmp_path / "m.jsonl")],
    }[command]
    if command == "cycle":
        args += ["--policy", "yubei_2016"]
    done = cli(*args, "--progress")
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert progress, done.stderr
    assert all(LINE.match(line) for line in progress), progress
    assert progress[-1].startswith("[##############################] 150/150 households")
