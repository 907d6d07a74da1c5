"""The ``relapse-guard`` command line (also ``python -m relapse_guard``)."""

from __future__ import annotations

import argparse
import datetime as dt
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
    diagram.add_argument("--format", choices=["mermaid"], default="mermaid")
    commands.add_parser("policies", help="list the registered policies")
    screen = commands.add_parser("screen", help="screen a population directory as of a date")
    screen.add_argument("population", help="a population directory (see docs/population.md)")
    screen.add_argument("--policy", required=True, help="registered policy name, e.g. yubei_2016")
    screen.add_argument("--as-of", type=_date, required=True, help="date to screen as of (YYYY-MM-DD)")
    screen.add_argument("--out", help="directory for households.jsonl, totals.json and problems.jsonl")
    screen.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    explain = commands.add_parser("explain", help="print one household's explained timeline")
    explain.add_argument("household_id")
    explain.add_argument("--population", required=True, help="the population directory holding the household")
    explain.add_argument("--policy", required=True, help="registered policy name")
    explain.add_argument("--as-of", type=_date, default=None, help="date to run to (default: its last fact)")
    generate = commands.add_parser("generate", help="write a seeded synthetic population to a directory")
    generate.add_argument("directory")
    generate.add_argument("--households", type=int, default=100_000)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 findings such as bad rows, 2 usage or input error)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import DEMO_AS_OF, render_demo

            print(render_demo(args.as_of or DEMO_AS_OF, args.policy))
        elif args.command == "diagram":
            from .lifecycle import mermaid

            print(mermaid(), end="")
        elif args.command == "screen":
            from .cli_screen import run_screen

            return run_screen(args.population, args.policy, args.as_of, args.out, args.workers)
        elif args.command == "explain":
            from .cli_screen import explain_household

            return explain_household(args.population, args.household_id, args.policy, args.as_of)
        elif args.command == "generate":
            from .population.cli import main as population_main

            return population_main(
                [
                    "generate",
                    args.directory,
                    "--households",
                    str(args.households),
                    "--seed",
                    str(args.seed),
                    "--format",
                    args.format,
                ]
            )
        elif args.command == "policies":
            from .policies import load_policy, policy_names

            for name in policy_names():
                policy = load_policy(name)
                print(f"{name}\t{policy.label}\t{policy.description}")
    except RelapseGuardError as error:
        print(f"relapse-guard: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
