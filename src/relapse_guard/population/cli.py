"""The command line of :mod:`relapse_guard.population` (a ``relapse-guard`` command may wrap it).

::

    python -m relapse_guard.population generate DIR --households 100000 --seed 0 --format jsonl
    python -m relapse_guard.population month DIR --month 2017-02 --out 2017-02.jsonl --seed 0
    python -m relapse_guard.population check DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence

from ..argtypes import share
from ..errors import RelapseGuardError
from .directory import read_population
from .layout import FILE_FORMATS
from .monthly import MonthFile, next_month, parse_month
from .monthly_draws import MonthlyShares
from .synthetic import generate_population

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m relapse_guard.population",
        description="Generate or check a relapse_guard population directory, or draw its next month of facts.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a synthetic population to a directory")
    generate.add_argument("directory")
    generate.add_argument("--households", type=int, default=100_000, help="number of households (default 100000)")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.add_argument("--format", choices=sorted(FILE_FORMATS), default="jsonl")
    generate.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2016, 1, 1), help="first day (ISO)")
    generate.add_argument("--months", type=int, default=12, help="months of facts (default 12)")
    generate.add_argument("--partitions", type=int, default=None, help="default: one per 50,000 households")
    generate.add_argument("--processes", type=int, default=None, help="worker processes (default: cores)")
    generate.add_argument("--overwrite", action="store_true", help="replace the population files of DIR")
    month = commands.add_parser(
        "month",
        help="write a month of new facts for the households of a population to one facts file",
        description=MONTH_DESCRIPTION,
    )
    add_month_arguments(month)
    check = commands.add_parser("check", help="read a population and report its counts and bad rows")
    check.add_argument("directory")
    check.add_argument("--show", type=int, default=20, help="bad rows to print (default 20)")
    return parser


MONTH_DESCRIPTION = (
    "Draw a month of new facts (income assessments, illnesses with their self-paid cost, job losses, "
    "disasters, school enrolments in school months) for every household of a population directory and "
    "write them to one facts file, in the population's order. A few are late reports: dated one to three "
    "months before the month. Fact ids start with m<YYYY-MM>-<household id>-. The same population, "
    "month, seed and shares give the same bytes. Read the file back with "
    "relapse_guard.population.fact_records."
)


def _month(text: str) -> dt.date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_month_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the month command (shared by ``relapse-guard generate-month``)."""
    parser.add_argument("population", help="a population directory, as generate writes it")
    parser.add_argument(
        "--month", type=_month, required=True, help="the month to draw, YYYY-MM (e.g. 2017-01 after a 2016 population)"
    )
    parser.add_argument("--out", required=True, help="the facts file to write: .jsonl, .csv or .parquet")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--format",
        choices=sorted(FILE_FORMATS),
        default=None,
        help="file format (default: from the suffix of --out; parquet needs the parquet extra)",
    )
    parser.add_argument(
        "--late-share",
        type=share,
        default=MonthlyShares().late_share,
        help=f"share of events reported 1-3 months late (default {MonthlyShares().late_share})",
    )
    parser.add_argument("--processes", type=int, default=None, help="worker processes (default: cores)")
    parser.add_argument("--overwrite", action="store_true", help="replace the file --out if it exists")


def _progress_bar(started: float, done: str = "written") -> Callable[[int, int], None]:
    """A progress callback drawing households ``done`` as one line on stderr (for a terminal)."""

    def draw(written: int, total: int) -> None:
        seconds = time.perf_counter() - started
        bar = "#" * (min(30, int(written / total * 30)) if total else 30)
        rate = written / seconds if seconds > 0 else 0.0
        of = f"/{total:,}" if total else ""
        sys.stderr.write(f"\r[{bar:<30}] {written:,}{of} households {done}, {rate:,.0f}/s")
        sys.stderr.flush()

    return draw


def _month_written(args: argparse.Namespace, started: float) -> int:
    """Run the month command: write the file, print what it holds; 1 when the population had bad rows."""
    written: MonthFile = next_month(
        args.population,
        args.month,
        args.out,
        seed=args.seed,
        shares=MonthlyShares(late_share=args.late_share),
        format=args.format,
        processes=args.processes,
        overwrite=args.overwrite,
        progress=_progress_bar(started, "drawn") if sys.stderr.isatty() else None,
    )
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    for row in written.bad_rows:
        print(f"relapse-guard: bad row: {row}", file=sys.stderr)
    seconds = time.perf_counter() - started
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in written.by_kind.items())
    print(
        f"wrote {written.facts:,} facts of {written.month:%Y-%m} for {written.households:,} households "
        f"to {written.path} in {seconds:.1f} s: {kinds or 'none'}; {written.late:,} late reports"
    )
    if written.bad_rows:
        print(
            f"relapse-guard: {len(written.bad_rows):,} bad rows in the population: their households got no facts",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 bad rows found, 2 error)."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        if args.command == "generate":
            population = generate_population(
                args.directory,
                households=args.households,
                start=args.start,
                months=args.months,
                seed=args.seed,
                partitions=args.partitions,
                format=args.format,
                processes=args.processes,
                overwrite=args.overwrite,
                progress=_progress_bar(started) if sys.stderr.isatty() else None,
            )
            if sys.stderr.isatty():
                sys.stderr.write("\n")
            seconds = time.perf_counter() - started
            print(
                f"wrote {population.households:,} households and {population.facts:,} facts in "
                f"{len(population.partitions)} partition(s) to {args.directory} in {seconds:.1f} s"
            )
            return 0
        if args.command == "month":
            return _month_written(args, started)
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
        print(
            f"{households:,} households and {facts:,} facts read in {seconds:.1f} s "
            f"({facts / seconds if seconds else 0:,.0f} facts/s); {bad:,} bad rows, {skipped:,} records skipped"
        )
        return 1 if bad else 0
    except (RelapseGuardError, OSError, ValueError) as error:
        print(f"relapse-guard: error: {error}", file=sys.stderr)
        return 2
