"""The command line of :mod:`relapse_guard.population` (``relapse-guard generate`` and
``generate-month`` run its commands).

::

    python -m relapse_guard.population generate DIR --households 10000 --seed 0 --format jsonl
    python -m relapse_guard.population month DIR --month 2017-02 --out 2017-02.jsonl --seed 0
    python -m relapse_guard.population check DIR

Progress is drawn on stderr when it is a terminal, or with ``--progress``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..argtypes import add_generate_arguments, add_month_arguments, add_version_argument, non_negative
from ..errors import ParameterNotInForce, RelapseGuardError
from ..i18n import resolve_language
from ..interface import plural, progress_text, tr
from ..labels import label
from ..progress_line import ProgressLine, wants_progress
from ..stdout_guard import guarded_output
from ..writable import make_directory
from .directory import read_population
from .monthly import MonthFile, next_month
from .monthly_draws import MonthlyShares
from .records import PopulationError
from .synthetic import DEFAULT_START, Distributions, generate_population

__all__ = ["MONTH_DESCRIPTION", "add_month_arguments", "main", "run_check", "run_generate", "run_month"]

MONTH_DESCRIPTION = (
    "Draw a month of new facts (income assessments, illnesses with their self-paid cost, job losses, "
    "disasters, school enrolments in school months) for every household of a population directory and "
    "write them to one facts file, in the population's order. A few are late reports: dated one to three "
    "months before the month, never in one of the population's months (whose events it holds; a month "
    "that is one of them is refused). Fact ids start with m<YYYY-MM>-<household id>-. The same population, "
    "month, seed and shares give the same bytes. Read the file back with "
    "relapse_guard.population.fact_records."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m relapse_guard.population",
        description="Generate or check a relapse_guard population directory, or draw its next month of facts.",
    )
    add_version_argument(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a synthetic population to a directory")
    add_generate_arguments(generate)
    month = commands.add_parser(
        "month",
        help="write a month of new facts for the households of a population to one facts file",
        description=MONTH_DESCRIPTION,
    )
    add_month_arguments(month)
    check = commands.add_parser("check", help="read a population and report its counts and bad rows")
    check.add_argument("directory", help="the population directory to read")
    check.add_argument("--show", type=non_negative, default=20, help="bad rows to print (default 20)")
    return parser


def _progress(
    asked: bool, what: str, lang: str = "en"
) -> tuple[Callable[[int, int], None] | None, ProgressLine | None]:
    """A progress callback drawing households ``what`` (written, drawn) and the time left in ``lang``,
    and its line; both None when progress is not wanted (stderr not a terminal, no ``--progress``)."""
    if not wants_progress(asked):
        return None, None
    line = ProgressLine()

    def draw(done: int, total: int) -> None:
        line.show(progress_text(done, total or None, "household", seconds=line.seconds, what=what, lang=lang))

    return draw, line


def _check_start(start: dt.date) -> None:
    """Refuse a ``--start`` before the poverty line the synthetic incomes are drawn around begins."""
    from ..policies import load_policy

    line_policy = Distributions().line_policy
    try:
        load_policy(line_policy).parameters.value("poverty_line", start)
    except ParameterNotInForce as error:
        raise RelapseGuardError(
            f"--start {start.isoformat()} is too early: synthetic incomes are drawn around {line_policy}'s "
            f"poverty line, whose first value takes effect on {error.first}; give --start {error.first} or later"
        ) from None


def run_generate(args: argparse.Namespace) -> int:
    """``generate``: write the population, print what was written; ``--start`` is checked first, and no
    ``*.tmp`` file of this run is left behind, whatever stops it. Errors are raised."""
    if args.start is not None:
        _check_start(args.start)
    make_directory(args.directory, "directory", error=PopulationError)  # refused before any household is drawn
    started = time.perf_counter()
    directory = Path(args.directory)
    before = set(directory.glob("*.tmp")) if directory.is_dir() else set()
    progress, line = _progress(args.progress, "written", _language(args))
    try:
        population = generate_population(
            directory,
            households=args.households,
            start=args.start or DEFAULT_START,
            months=args.months,
            seed=args.seed,
            partitions=args.partitions,
            format=args.format,
            processes=args.processes,
            overwrite=args.overwrite,
            progress=progress,
        )
    except BaseException:
        if directory.is_dir():
            for left in set(directory.glob("*.tmp")) - before:
                left.unlink(missing_ok=True)
        raise
    finally:
        if line is not None:
            line.close()
    seconds = time.perf_counter() - started
    lang = _language(args)
    print(
        tr(
            lang,
            "wrote {households} and {facts} in {partitions} to {directory} in {seconds} s",
            households=plural(population.households or 0, "household", lang=lang),
            facts=plural(population.facts or 0, "fact", lang=lang),
            partitions=plural(len(population.partitions), "partition", lang=lang),
            directory=args.directory,
            seconds=f"{seconds:.1f}",
        )
    )
    return 0


def _language(args: argparse.Namespace) -> str:
    """The language of the lines printed: ``--lang`` where the command line has it, else
    ``RELAPSE_GUARD_LANG`` or the locale's."""
    return resolve_language(getattr(args, "lang", None))


def run_month(args: argparse.Namespace) -> int:
    """``month`` (``generate-month``): write the file, print what it holds; 1 when the population had
    bad rows. Errors are raised."""
    started = time.perf_counter()
    progress, line = _progress(args.progress, "drawn", _language(args))
    try:
        written: MonthFile = next_month(
            args.population,
            args.month,
            args.out,
            seed=args.seed,
            shares=MonthlyShares(late_share=args.late_share),
            format=args.format,
            processes=args.processes,
            overwrite=args.overwrite,
            progress=progress,
        )
    finally:
        if line is not None:
            line.close()
    lang = _language(args)
    for row in written.bad_rows:
        print(tr(lang, "relapse-guard: bad row: {row}", row=row), file=sys.stderr)
    seconds = time.perf_counter() - started
    kinds = tr(lang, ", ").join(f"{count:,} {label('fact', kind, lang)}" for kind, count in written.by_kind.items())
    print(
        tr(
            lang,
            "wrote {facts} of {month} for {households} to {path} in {seconds} s: {kinds}; {late}",
            facts=plural(written.facts, "fact", lang=lang),
            month=f"{written.month:%Y-%m}",
            households=plural(written.households, "household", lang=lang),
            path=written.path,
            seconds=f"{seconds:.1f}",
            kinds=kinds or tr(lang, "none"),
            late=plural(written.late, "late report", lang=lang),
        )
    )
    if written.bad_rows:
        print(
            tr(
                lang,
                "relapse-guard: {rows} in the population: their households got no facts",
                rows=plural(len(written.bad_rows), "bad row", lang=lang),
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def run_check(args: argparse.Namespace) -> int:
    """``check``: read the population, print its bad rows (``--show`` of them) and its counts; 1 with bad rows."""
    started = time.perf_counter()
    population = read_population(args.directory)
    households = facts = skipped = bad = 0
    for record in population.iter_records():
        if record.household is None:
            skipped += 1
        else:
            households += 1
        facts += len(record.facts)
        for row in record.bad_rows:
            if bad < args.show:
                print(row)
            bad += 1
    seconds = time.perf_counter() - started
    lang = _language(args)
    print(
        tr(
            lang,
            "{households} and {facts} read in {seconds} s ({rate} facts/s); {bad}, {skipped} skipped",
            households=plural(households, "household", lang=lang),
            facts=plural(facts, "fact", lang=lang),
            seconds=f"{seconds:.1f}",
            rate=f"{facts / seconds if seconds else 0:,.0f}",
            bad=plural(bad, "bad row", lang=lang),
            skipped=plural(skipped, "record", lang=lang),
        )
    )
    return 1 if bad else 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "generate": run_generate,
    "month": run_month,
    "check": run_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 bad rows found, 2 error).

    A closed stdout (``... | head -1``) or stderr (``... 2>&1 | tee log``, ``tee`` killed) stops
    nothing and changes no exit code, as in ``relapse-guard``'s commands."""
    with guarded_output():
        args = _parser().parse_args(argv)
        try:
            return _COMMANDS[args.command](args)
        except (RelapseGuardError, OSError, ValueError) as error:
            print(f"relapse-guard: error: {error}", file=sys.stderr)
            return 2
