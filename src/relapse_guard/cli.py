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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage or input error)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import DEMO_AS_OF, render_demo

            print(render_demo(args.as_of or DEMO_AS_OF, args.policy))
        elif args.command == "diagram":
            from .lifecycle import mermaid

            print(mermaid(), end="")
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
