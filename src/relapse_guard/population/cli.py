"""The command line of :mod:`relapse_guard.population` (a ``relapse-guard`` command may wrap it).

::

    python -m relapse_guard.population generate DIR --households 100000 --seed 0 --format jsonl
    python -m relapse_guard.population check DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence

from ..errors import RelapseGuardError
from .directory import read_population
from .layout import FILE_FORMATS
from .synthetic import generate_population

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m relapse_guard.population", description="Generate or check a relapse_guard population directory."
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
    check = commands.add_parser("check", help="read a population and report its counts and bad rows")
    check.add_argument("directory")
    check.add_argument("--show", type=int, default=20, help="bad rows to print (default 20)")
    return parser


def _progress_bar(started: float) -> Callable[[int, int], None]:
    """A progress callback drawing households written as one line on stderr (for a terminal)."""

    def draw(written: int, total: int) -> None:
        seconds = time.perf_counter() - started
        bar = "#" * (int(written / total * 30) if total else 30)
        rate = written / seconds if seconds > 0 else 0.0
        sys.stderr.write(f"\r[{bar:<30}] {written:,}/{total:,} households written, {rate:,.0f}/s")
        sys.stderr.flush()

    return draw


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
