"""The ``relapse-guard`` command line (also ``python -m relapse_guard``)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence

from .errors import RelapseGuardError

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relapse-guard",
        description="Anti-relapse monitoring: lifecycle, triggers, routing and explained decisions.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="walk the built-in example households through their lifecycle")
    demo.add_argument("--policy", default="yubei_2016", help="registered policy name (default: yubei_2016)")
    demo.add_argument("--as-of", type=_date, default=None, help="date to run to (YYYY-MM-DD; default 2019-06-30)")
    diagram = commands.add_parser("diagram", help="print the lifecycle diagram drawn from the code")
    diagram.add_argument(
        "--format",
        choices=["mermaid", "dot", "svg"],
        default="mermaid",
        help="mermaid stateDiagram, Graphviz DOT, or a standalone SVG drawing (default: mermaid)",
    )
    commands.add_parser("policies", help="list the registered policies")
    check = commands.add_parser(
        "check",
        help="run a policy's static checks; exit 1 when there are findings",
        description="Run a policy's static checks (check_policy); exit 0 with no findings, 1 with findings.",
    )
    check.add_argument(
        "policy", help="a registered policy name, or a policy of your own: path/to/file.py:NAME or package.module:NAME"
    )
    check.add_argument(
        "--format", choices=["text", "json"], default="text", help="text lines, or a JSON list of findings"
    )
    check.add_argument("--on", type=_date, default=None, help="probe this date only (default: every date it uses)")
    screen = commands.add_parser("screen", help="screen a population directory as of a date")
    screen.add_argument("population", help="a population directory (see docs/population.md)")
    screen.add_argument("--policy", required=True, help="registered policy name, e.g. yubei_2016")
    screen.add_argument("--as-of", type=_date, required=True, help="date to screen as of (YYYY-MM-DD)")
    screen.add_argument("--out", help="directory for households.jsonl, totals.json and problems.jsonl")
    screen.add_argument(
        "--workers", type=int, default=1, help="local worker processes, or the local Dask cluster's (default 1)"
    )
    screen.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="screen on Dask (the dask extra): a running scheduler's address (tcp://host:8786), or 'local' "
        "for a local cluster of --workers processes",
    )
    explain = commands.add_parser("explain", help="print one household's explained timeline")
    explain.add_argument("household_id")
    source = explain.add_mutually_exclusive_group(required=True)
    source.add_argument("--population", help="the population directory holding the household")
    source.add_argument("--store", help="a SQLite store file holding the household (relapse_guard.store)")
    explain.add_argument("--policy", required=True, help="registered policy name")
    explain.add_argument("--as-of", type=_date, default=None, help="date to run to (default: its last fact)")
    generate = commands.add_parser("generate", help="write a seeded synthetic population to a directory")
    generate.add_argument("directory")
    generate.add_argument("--households", type=int, default=100_000)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    generate.add_argument("--months", type=int, default=12, help="months of facts (default 12)")
    generate.add_argument("--start", type=_date, default=None, help="first day of facts (default 2016-01-01)")
    generate.add_argument("--partitions", type=int, default=None, help="default: one per 50,000 households")
    generate.add_argument("--processes", type=int, default=None, help="worker processes (default: cores)")
    generate.add_argument("--overwrite", action="store_true", help="replace the population files in DIRECTORY")
    report = commands.add_parser(
        "report", help="screen a population directory and write a Markdown and HTML report with charts"
    )
    report.add_argument("population", help="a population directory (see docs/population.md)")
    report.add_argument("--policy", required=True, help="registered policy name, e.g. yubei_2016")
    report.add_argument("--as-of", type=_date, required=True, help="date to report as of (YYYY-MM-DD)")
    report.add_argument("--out", required=True, help="directory for report.md, report.html and the charts (SVG)")
    report.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    report.add_argument("--limit", type=int, default=50, help="households listed per list (default 50)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 findings such as bad rows, 2 usage or input error)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import DEMO_AS_OF, render_demo

            print(render_demo(args.as_of or DEMO_AS_OF, args.policy))
        elif args.command == "diagram":
            from .diagrams import render

            print(render(args.format), end="")
        elif args.command == "check":
            from .cli_check import run_check

            return run_check(args.policy, args.format, args.on)
        elif args.command == "screen":
            from .cli_screen import run_screen

            return run_screen(args.population, args.policy, args.as_of, args.out, args.workers, args.scheduler)
        elif args.command == "explain":
            from .cli_screen import explain_household, explain_stored

            if args.store is not None:
                return explain_stored(args.store, args.household_id, args.policy, args.as_of)
            return explain_household(args.population, args.household_id, args.policy, args.as_of)
        elif args.command == "generate":
            from .population.cli import main as population_main

            passed = ["--households", str(args.households), "--seed", str(args.seed), "--format", args.format]
            passed += ["--months", str(args.months)]
            if args.start is not None:
                passed += ["--start", args.start.isoformat()]
            if args.partitions is not None:
                passed += ["--partitions", str(args.partitions)]
            if args.processes is not None:
                passed += ["--processes", str(args.processes)]
            if args.overwrite:
                passed.append("--overwrite")
            return population_main(["generate", args.directory, *passed])
        elif args.command == "report":
            from .cli_report import run_report

            return run_report(args.population, args.policy, args.as_of, args.out, args.workers, args.limit)
        elif args.command == "policies":
            from .policies import load_policy, policy_names

            for name in policy_names():
                policy = load_policy(name)
                print(f"{name}\t{policy.label}\t{policy.description}")
    except RelapseGuardError as error:
        print(f"relapse-guard: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (``relapse-guard screen ... | head``): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
