"""Every option of every command says what it is for; ``--version``; the options both command lines share."""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys

import pytest

import relapse_guard
from relapse_guard import argtypes
from relapse_guard.cli import _parser as relapse_guard_parser
from relapse_guard.population.cli import _parser as population_parser
from relapse_guard.population.layout import FILE_FORMATS
from relapse_guard.population.monthly_draws import MonthlyShares

from .helpers import cli

PARSERS = {"relapse-guard": relapse_guard_parser, "python -m relapse_guard.population": population_parser}


def _commands(parser: argparse.ArgumentParser, prefix: str) -> dict[str, argparse.ArgumentParser]:
    """The parser and every command's (and subcommand's), by the command line that reaches it."""
    found = {prefix: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                found.update(_commands(command, f"{prefix} {name}"))
    return found


def _without_help(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    missing: list[str] = []
    for where, command in _commands(parser, prefix).items():
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing.extend(f"{where} {n}" for n in action.choices if n not in _subcommand_help(action))
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}")
    return missing


def _subcommand_help(action: argparse._SubParsersAction[argparse.ArgumentParser]) -> set[str]:
    return {choice.dest for choice in action._choices_actions if (choice.help or "").strip()}


@pytest.mark.parametrize("prog", list(PARSERS))
def test_every_option_and_argument_of_every_command_has_help(prog: str) -> None:
    parser = PARSERS[prog]()
    assert len(_commands(parser, prog)) > 2
    assert _without_help(parser, prog) == []


def test_the_walk_finds_an_option_without_help() -> None:
    parser = argparse.ArgumentParser(prog="tool")
    commands = parser.add_subparsers(dest="command")
    command = commands.add_parser("run", help="run it")
    command.add_argument("--fast", action="store_true")
    command.add_argument("target")
    commands.add_parser("quiet")
    assert _without_help(parser, "tool") == ["tool quiet", "tool run --fast", "tool run target"]


@pytest.mark.parametrize("module", ["relapse_guard", "relapse_guard.population"])
def test_version(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    expected = importlib.metadata.version("relapse-guard")
    prog = "relapse-guard" if module == "relapse_guard" else "python -m relapse_guard.population"
    assert done.stdout == f"{prog} {expected}\n"


def test_the_version_falls_back_on_the_package_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert argtypes.version() == relapse_guard.__version__
    monkeypatch.delattr(relapse_guard, "__version__")
    assert argtypes.version() == "unknown"


def _options(parser: argparse.ArgumentParser) -> list[tuple[object, ...]]:
    return [
        (tuple(a.option_strings), a.dest, a.default, a.type, a.choices, a.required, a.help)
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction)
    ]


@pytest.mark.parametrize(("ours", "theirs"), [("generate", "generate"), ("generate-month", "month")])
def test_generate_options_are_declared_once_for_both_command_lines(ours: str, theirs: str) -> None:
    mine = _commands(relapse_guard_parser(), "relapse-guard")[f"relapse-guard {ours}"]
    population = _commands(population_parser(), "p")[f"p {theirs}"]
    assert _options(mine) == _options(population)


def test_the_defaults_written_down_for_the_parser_are_the_library_s() -> None:
    assert set(argtypes.FILE_FORMAT_CHOICES) == set(FILE_FORMATS)
    assert MonthlyShares().late_share == argtypes.LATE_SHARE
    generate = _commands(relapse_guard_parser(), "r")["r generate"]
    assert generate.parse_args(["county"]).households == 10_000
    assert "(default 10,000)" in generate.format_help()


def test_help_shows_the_progress_option_of_each_command_that_draws_progress() -> None:
    commands = _commands(relapse_guard_parser(), "r")
    for name in ("generate", "generate-month", "screen", "report", "cycle"):
        assert "--progress" in commands[f"r {name}"].format_help(), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "c", "--households", "-5"], "argument --households: must be at least 0, not -5"),
        (["generate", "c", "--partitions", "0"], "argument --partitions: must be at least 1, not 0"),
        (["generate", "c", "--months", "x"], "argument --months: 'x' is not a whole number"),
        (
            ["generate", "c", "--start", "2016-02-30"],
            "argument --start: '2016-02-30' is not a date: day is out of range",
        ),
        (["generate", "c", "--start", "2016-3-1"], "argument --start: '2016-3-1' is not an ISO date (YYYY-MM-DD)"),
        (["screen", "c", "--policy", "p", "--as-of", "20161231"], "'20161231' is not an ISO date (YYYY-MM-DD)"),
        (["generate-month", "c", "--month", "2017-13", "--out", "x.jsonl"], "'2017-13' is not a month (YYYY-MM)"),
        (["report", "c", "--policy", "p", "--as-of", "2016-12-31", "--out", "o", "--limit", "-1"], "at least 0"),
    ],
)
def test_a_bad_number_or_date_is_a_usage_error_naming_the_option(args: list[str], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
