"""The command-line sessions the pages mark as checked print what the pages show.

A ```console block of README.md or docs/ is checked when the line before its opening fence is
``<!-- session: checked -->`` (an HTML comment: the rendered page does not show it). In a
block, a line starting with ``$ `` is a command and the lines after it, up to the next command
or the fence, are what it prints: stdout and stderr as one stream, in the order written. The
checked blocks of a page run in page order in one fresh directory, so a later block uses the
files an earlier one made; each command runs in a bash process of its own, with the
interpreter's directory (a virtual environment's, where ``relapse-guard`` is installed) first
on ``PATH``, the relapse_guard under test importable, no terminal, ``NO_COLOR=1`` and English.

- A command ending in a here-document (``$ cat > my_district.py <<'EOF'``) takes the lines up to
  its delimiter as its input.
- ``$ echo $?`` prints the exit status of the command before it (the only status compared).
- An expected line ``...`` (indented or not) stands for any number of lines: output the page trims.
- Trailing spaces do not count, and timings and rates (``in 0.7 s``, ``"seconds": 0.71``,
  ``2,310/s``) are masked on both sides (``TIMINGS``). Nothing else is: counts, money and ids
  are what the sessions are checked for.
- A page whose output needs an optional extra that is not installed is skipped (``NEEDS``).

A failure names the page and the command and shows a diff of the page's lines against the
output, which can be pasted into the page.
"""

from __future__ import annotations

import difflib
import importlib.util
import itertools
import operator
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import relapse_guard

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

MARK = "<!-- session: checked -->"

#: The module an optional extra installs that a page's sessions print with: without it the page
#: is skipped (reports.md: the charts, of the ``plot`` extra).
NEEDS = {"reports.md": "matplotlib"}

#: What changes from run to run, each with what it reads as on both sides.
TIMINGS = [
    (re.compile(r"\bin \d+(?:\.\d+)? s\b"), "in <t> s"),
    (re.compile(r"\b\d+(?:\.\d+)? seconds\b"), "<t> seconds"),
    (re.compile(r'"(\w*seconds)": \d+(?:\.\d+)?'), r'"\1": <t>'),
    (re.compile(r"\b\d[\d,]*(?:\.\d+)?( \w+)?/s\b"), r"<n>\1/s"),
]

#: A command that writes a file the page shows: ``$ cat > my_district.py <<'EOF'``.
HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<delimiter>\w+)\1\s*$")

#: An expected line that stands for any number of output lines.
ELISION = "..."


@dataclass(frozen=True)
class Command:
    line: int  # of the ``$ `` line in the page, from 1
    text: str
    expected: list[str]


@dataclass(frozen=True)
class Session:
    line: int  # of the opening fence
    checked: bool
    commands: list[Command]


def sessions(page: Path) -> list[Session]:
    """Every console block of a page, in page order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Session] = []
    for start, line in enumerate(lines):
        if line != "```console":
            continue
        commands: list[Command] = []
        number = start + 1
        while lines[number] != "```":
            if lines[number].startswith("$ "):
                text = lines[number][2:]
                first = number
                if heredoc := HEREDOC.search(text):
                    # the document's lines, up to its delimiter, are the command's, not output
                    while lines[number] != heredoc["delimiter"]:
                        number += 1
                    text = "\n".join([text, *lines[first + 1 : number + 1]])
                commands.append(Command(first + 1, text, []))
            elif commands:
                commands[-1].expected.append(lines[number])
            else:
                raise AssertionError(f"{page.name}:{number + 1}: a session starts with output, not '$ '")
            number += 1
        found.append(Session(start + 1, start > 0 and lines[start - 1] == MARK, commands))
    return found


def checked_blocks(page: Path) -> list[list[Command]]:
    """The commands of each checked console block of a page, in page order."""
    return [session.commands for session in sessions(page) if session.checked]


def normalised(lines: list[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        line = line.rstrip()
        for pattern, placeholder in TIMINGS:
            line = pattern.sub(placeholder, line)
        result.append(line)
    return result


def is_elision(line: str) -> bool:
    return line.strip() == ELISION


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the actual lines are the expected ones, each ``...`` standing for any number of lines."""
    # reachable[j]: the expected lines so far match the first j actual lines
    reachable = [True] + [False] * len(actual)
    for line in expected:
        if is_elision(line):
            reachable = list(itertools.accumulate(reachable, operator.or_))
        else:
            reachable = [False] + [reachable[j] and actual[j] == line for j in range(len(actual))]
    return reachable[-1]


def elided(expected: list[str], actual: list[str]) -> list[str]:
    """The expected lines with each ``...`` replaced by the actual lines it stands for, so that a
    diff with the actual lines shows only what differs."""
    shown: list[str] = []
    position = 0  # in the actual lines
    for number, line in enumerate(expected):
        if not is_elision(line):
            shown.append(line)
            if line in actual[position:]:
                position = actual.index(line, position) + 1
            continue
        end = _elision_end(expected[number + 1 :], actual, position)
        if end is None:
            shown.append(line)
        else:
            shown.extend(actual[position:end])
            position = end
    return shown


def _elision_end(after: list[str], actual: list[str], position: int) -> int | None:
    """Where the actual lines an elision stands for end: before the first expected line after it
    that was printed, less the expected lines in between (taken as changed in place)."""
    between = 0
    for line in after:
        if is_elision(line):
            return None
        if line in actual[position:]:
            return max(position, actual.index(line, position) - between)
        between += 1
    return max(position, len(actual) - between)


def session_environment() -> dict[str, str]:
    """The environment of a reader's shell with relapse_guard installed, as the pages assume."""
    env = dict(os.environ)
    source = str(Path(relapse_guard.__file__).resolve().parents[1])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    # unbuffered, so that stdout and stderr interleave as on a terminal
    env.update(NO_COLOR="1", PYTHONUNBUFFERED="1", RELAPSE_GUARD_LANG="en", LC_ALL="C.UTF-8")
    return env


def run(command: Command, folder: Path, env: dict[str, str], status: int) -> tuple[list[str], int]:
    """What the command prints, stdout and stderr in one stream, and its exit status."""
    if command.text == "echo $?":
        return [str(status)], 0
    done = subprocess.run(
        ["bash", "-c", command.text],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return done.stdout.splitlines(), done.returncode


def difference(command: Command, actual: list[str]) -> str:
    """A unified diff of what the page shows against what the command printed, in the page's text
    where a line differs only in its timings, so that the output side can be pasted into the page."""
    on_page = {normalised([line])[0]: line.rstrip() for line in command.expected}
    printed = [on_page.get(normalised([line])[0], line.rstrip()) for line in actual]
    shown = elided([line.rstrip() for line in command.expected], printed)
    return "\n".join(difflib.unified_diff(shown, printed, "the page", "printed", lineterm=""))


PAGES_WITH_SESSIONS = [page for page in PAGES if checked_blocks(page)]


@pytest.mark.parametrize("page", PAGES_WITH_SESSIONS, ids=lambda page: page.name)
def test_checked_sessions_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "relapse-guard").exists():
        pytest.skip("the relapse-guard command is not installed beside this interpreter")
    if page.name in NEEDS and importlib.util.find_spec(NEEDS[page.name]) is None:
        pytest.skip(f"{page.name} needs {NEEDS[page.name]}")
    env = session_environment()
    status = 0
    for block in checked_blocks(page):
        for command in block:
            actual, status = run(command, tmp_path, env, status)
            if not matches(normalised(command.expected), normalised(actual)):
                raise AssertionError(f"{page.name}:{command.line}: $ {command.text}\n{difference(command, actual)}")


def test_some_sessions_are_checked() -> None:
    assert len(PAGES_WITH_SESSIONS) >= 3


def test_elision_and_timings() -> None:
    assert matches(["a", ELISION, "d"], ["a", "b", "c", "d"])
    assert matches(["a", ELISION], ["a"])
    assert not matches(["a", ELISION, "d"], ["a", "b", "c"])
    assert not matches(["a"], ["a", "b"])
    assert normalised(["done in 0.7 s  ", '"ingest_seconds": 0.013,', "2,310/s, 3s left", "12 facts/s"]) == [
        "done in <t> s",
        '"ingest_seconds": <t>,',
        "<n>/s, 3s left",
        "<n> facts/s",
    ]
    assert normalised(["wrote 3,000 households in 1 partition"]) == ["wrote 3,000 households in 1 partition"]


def test_a_failure_shows_only_what_differs() -> None:
    command = Command(1, "relapse-guard cycle ...", ["cycle: 3 picked in 0.7 s", "...", "  alerts: 2", "done"])
    printed = ["cycle: 3 picked in 1.2 s", "  Bishan: 1", "  Yubei: 2", "  alerts: 3", "done"]
    assert difference(command, printed).splitlines()[2:] == [
        "@@ -1,5 +1,5 @@",
        " cycle: 3 picked in 0.7 s",
        "   Bishan: 1",
        "   Yubei: 2",
        "-  alerts: 2",
        "+  alerts: 3",
        " done",
    ]
