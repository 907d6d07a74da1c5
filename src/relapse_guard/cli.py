"""The ``relapse-guard`` command line (also ``python -m relapse_guard``)."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from .argtypes import (
    POLICY_HELP,
    add_engine_argument,
    add_generate_arguments,
    add_language_argument,
    add_month_arguments,
    add_policy_argument,
    add_policy_options,
    add_progress_argument,
    add_side_options,
    add_version_argument,
    argparse_speaks,
    iso_date,
    iso_instant,
    non_negative,
    positive,
    set_message_language,
    workers,
)
from .errors import InvalidArgument, RelapseGuardError, said
from .interface import tr
from .labels import LABELS
from .stdout_guard import guarded_output, guarded_stderr, to_null

__all__ = [
    "ALERT_KINDS",
    "EXIT_DONE",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "exit_code_of",
    "main",
]

#: Done, nothing to report. A reader of stdout or stderr that goes away (``relapse-guard ... | head``,
#: ``relapse-guard ... 2>&1 | tee log`` with ``tee`` killed) changes no exit code: the command finishes
#: its work and exits with the code it earned.
EXIT_DONE = 0
#: Done, with findings: bad rows, problem households, a policy's check findings.
EXIT_FINDINGS = 1
#: A usage error, or input that cannot be read at all.
EXIT_USAGE = 2
#: An internal error: a bug in relapse_guard (the traceback is printed).
EXIT_INTERNAL_ERROR = 3
#: Interrupted (Ctrl-C), as shells report SIGINT: 128 + 2.
EXIT_INTERRUPTED = 130


#: The kinds of alert ``alerts --kind`` takes: relapse_guard.monitoring.AlertKind's values, from
#: the labels (so that the parser does not import the monitoring; a test checks they are the same).
ALERT_KINDS = LABELS["alert"]

_GENERATE_MONTH = """Draw a month of new facts for every household of a population directory, as the departments \
send them each month, and write them to one facts file in the population's order: about 60% of \
households get an income assessment (drawn around their last known income), a few percent an illness \
with its self-paid cost, a job loss or a disaster with its loss, and in September the school \
enrolments with their yearly cost. About 2% are late reports, dated one to three months before \
the month, so that a monitoring cycle that ingests the file must replay; none is of the \
population's months, whose events it holds, and a month that is one of them is refused. Fact ids \
start with m<YYYY-MM>-<household id>- and never collide with the population's or another month's. \
The same population, month, seed and --late-share give the same bytes. See docs/population.md."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relapse-guard",
        description="Anti-relapse monitoring: lifecycle, triggers, routing and explained decisions.",
    )
    add_version_argument(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="walk the built-in example households through their lifecycle")
    add_policy_argument(demo, default="yubei_2016")
    demo.add_argument("--as-of", type=iso_date, default=None, help="date to run to (YYYY-MM-DD; default 2019-06-30)")
    add_language_argument(demo)
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
    check.add_argument("policy", help=POLICY_HELP)
    check.add_argument(
        "--format", choices=["text", "json"], default="text", help="text lines, or a JSON list of findings"
    )
    check.add_argument("--on", type=iso_date, default=None, help="probe this date only (default: every date it uses)")
    check.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help="compare the parameters' review_by and expires dates with this date (default: --on, else today)",
    )
    add_language_argument(check)
    test = commands.add_parser(
        "test",
        help="run files of worked cases (policy test tables); exit 1 when a case fails",
        description="Run TOML files of worked cases, each a household, its facts, an as-of date and what is "
        "expected (state, grants, risks, reviews completed), under the policy each file names or --policy. "
        "Each failing case is printed with its differences, expected against got, then a summary line. "
        "Exit 0 when every case passes, 1 when one fails. See docs/testing-your-policy.md.",
    )
    test.add_argument("files", nargs="*", metavar="FILE", help="case files (TOML)")
    test.add_argument(
        "--policy",
        metavar="SPEC",
        help=POLICY_HELP + "; every file runs under it instead of the one it names, and with no FILE the "
        "cases the registered policy ships run",
    )
    test.add_argument("--explain", action="store_true", help="print each failing case's explained timeline too")
    test.add_argument("-v", "--verbose", action="store_true", help="print a line for each case that passes too")
    add_language_argument(test)
    screen = commands.add_parser("screen", help="screen a population directory as of a date")
    screen.add_argument("population", help="a population directory (see docs/population.md)")
    add_policy_options(screen)
    screen.add_argument("--as-of", type=iso_date, required=True, help="date to screen as of (YYYY-MM-DD)")
    screen.add_argument("--out", help="directory for households.jsonl, totals.json and problems.jsonl")
    screen.add_argument(
        "--overwrite", action="store_true", help="replace the files of an earlier screen in the --out directory"
    )
    screen.add_argument(
        "--workers", type=workers, default=1, help="local worker processes, or the local Dask cluster's (default 1)"
    )
    screen.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first household that cannot be screened, with its traceback (for policy authors)",
    )
    screen.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="screen on Dask (the dask extra): a running scheduler's address (tcp://host:8786), or 'local' "
        "for a local cluster of --workers processes",
    )
    add_engine_argument(screen)
    add_progress_argument(screen)
    add_language_argument(screen)
    explain = commands.add_parser("explain", help="print one household's explained timeline")
    explain.add_argument("household_id", metavar="HOUSEHOLD_ID", help="the id of the household to explain")
    source = explain.add_mutually_exclusive_group(required=True)
    source.add_argument("--population", help="the population directory holding the household")
    source.add_argument("--store", help="a SQLite store file holding the household (relapse_guard.store)")
    add_policy_options(
        explain,
        map_help="explain the household under the policy of its place on the --as-of date, or without one on "
        "the date of its last fact: a built-in map (chongqing) or a TOML file of places and policies",
    )
    explain.add_argument("--as-of", type=iso_date, default=None, help="date to run to (default: its last fact)")
    explain.add_argument(
        "--known-on",
        type=iso_instant,
        default=None,
        metavar="WHEN",
        help="use only the facts, corrections and retractions recorded by WHEN (an ISO date: the end of that "
        "day in UTC; or a date and time), in their versions of then (docs/corrections.md)",
    )
    explain.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="the explained timeline as text lines (default), or the household's result as one JSON document "
        "of the documented form (schema: relapse_guard.explanation.load_schema)",
    )
    add_language_argument(explain)
    diff = commands.add_parser(
        "diff",
        help="the decisions that differ between two knowledge dates of one household, and the facts why",
        description="Run one household as known on two moments (--known-on twice) and print the facts whose "
        "version differs (recorded, corrected or retracted in between) and the decisions made as known on one "
        "and not the other (- the first, + the second). See docs/corrections.md.",
    )
    diff.add_argument("household_id", metavar="HOUSEHOLD_ID", help="the id of the household")
    diff_source = diff.add_mutually_exclusive_group(required=True)
    diff_source.add_argument("--population", help="the population directory holding the household")
    diff_source.add_argument("--store", help="a SQLite store file holding the household (relapse_guard.store)")
    add_policy_options(
        diff,
        map_help="run the household under the policy of its place on the --as-of date, or without one on the "
        "date of its last fact: a built-in map (chongqing) or a TOML file of places and policies",
    )
    diff.add_argument(
        "--known-on",
        type=iso_instant,
        action="append",
        required=True,
        metavar="WHEN",
        help="a knowledge date, given twice: the earlier, then the later (ISO date or date and time)",
    )
    diff.add_argument("--as-of", type=iso_date, default=None, help="date to run to (default: its last fact)")
    diff.add_argument("--format", choices=["text", "json"], default="text", help="text lines (default) or JSON")
    add_language_argument(diff)
    generate = commands.add_parser("generate", help="write a seeded synthetic population to a directory")
    add_generate_arguments(generate)
    cycle = commands.add_parser(
        "cycle",
        help="run a month's monitoring cycle over a store: ingest the month's facts, rescreen what changed",
        description="Ingest the month's facts files into a SQLite store (created if missing), rescreen only the "
        "households given new facts or with something due (each resumed from its checkpoint, or replayed when a "
        "fact came late), and print the month's alerts by kind: new risks, state changes, grants, transition "
        "periods ending, reviews and case steps due. Running it again changes nothing; run again with the month's "
        "corrected file, it ends as one run with that file would. See docs/monitoring.md.",
    )
    cycle.add_argument("store", help="the SQLite store file (created if missing)")
    cycle.add_argument("--as-of", type=iso_date, required=True, help="the cycle's date, usually the month's last day")
    cycle.add_argument(
        "--future",
        action="store_true",
        help="run a cycle as of a date more than 31 days after today (refused otherwise: every later cycle "
        "must come after it)",
    )
    cycle.add_argument(
        "--facts",
        nargs="+",
        action="extend",  # --facts A --facts B: both (a second --facts replaced the first)
        default=[],
        metavar="FILE",
        help="the month's facts files (.jsonl, .csv, .parquet)",
    )
    cycle.add_argument(
        "--population",
        metavar="DIR",
        help="first store a population directory's households and facts (the first cycle of a generated county)",
    )
    add_policy_options(
        cycle,
        map_help="each household under the policy of its place on the cycle's date: a built-in map (chongqing) "
        "or a TOML file of places and policies; a place it does not cover is a problem household",
    )
    cycle.add_argument("--out", help="directory for alerts.jsonl, cycle.json and problems.jsonl")
    cycle.add_argument("--overwrite", action="store_true", help="replace the files of an earlier cycle in --out")
    cycle.add_argument("--workers", type=workers, default=1, help="local worker processes (default 1)")
    cycle.add_argument(
        "--chunk-size", type=positive, default=2_000, help="households written per transaction (default 2000)"
    )
    add_progress_argument(cycle)
    add_language_argument(cycle)
    quarantined = commands.add_parser(
        "quarantined",
        help="list the records a store quarantined (kept out of it): household, fact, error and why",
        description="List the records a SQLite store quarantined, oldest first: the facts a cycle could not "
        "store (a fact conflicting with a stored one under its id, a correction of another household's fact), "
        "each with its household, fact id, error and why. --format json prints one JSON object a line, with the "
        "record as the store keeps it. The store is opened read-only. See docs/monitoring.md.",
    )
    quarantined.add_argument("store", help="the SQLite store file (it must exist)")
    quarantined.add_argument("--household", metavar="ID", help="only the records of this household")
    quarantined.add_argument(
        "--format", choices=["text", "json"], default="text", help="a line each (default), or JSON lines"
    )
    add_language_argument(quarantined)
    alerts = commands.add_parser(
        "alerts",
        help="list the alerts a cycle stored (the last cycle by default): household, kind and what it says",
        description="List the alerts a monitoring cycle stored in a SQLite store, by household: each on a line "
        "with its date, household, town/village, kind, whether it is new this cycle or open since an earlier one, "
        "and what it says, in the language of --lang, then a line counting them. "
        "--format jsonl prints one JSON object a line, as alerts.jsonl holds them, its detail in that language. "
        "The store is opened read-only. See docs/monitoring.md.",
    )
    alerts.add_argument("store", help="the SQLite store file (it must exist)")
    alerts.add_argument(
        "--cycle",
        type=iso_date,
        metavar="AS_OF",
        help="the cycle's date, its --as-of (default: the last cycle the store ran)",
    )
    alerts.add_argument("--household", metavar="ID", help="only the alerts of this household")
    alerts.add_argument(
        "--kind",
        nargs="+",
        action="extend",
        default=[],
        choices=ALERT_KINDS,
        metavar="KIND",
        help="only alerts of these kinds: " + ", ".join(ALERT_KINDS),
    )
    alerts.add_argument(
        "--district",
        metavar="NAME",
        help="only the alerts of this district: its name in any case, or another name the policy map gives it "
        "(大足区 for Dazu)",
    )
    alerts.add_argument(
        "--policy-map",
        metavar="FILE|chongqing",
        help="the policy map whose district names --district also matches (default: chongqing, the built-in map)",
    )
    alerts.add_argument(
        "--format", choices=["text", "jsonl"], default="text", help="a line each (default), or JSON lines"
    )
    # a township's worklist: its town's or a village's alerts, what is new this cycle
    alerts.add_argument("--town", metavar="NAME", help="only the alerts of this town (any case)")
    alerts.add_argument("--village", metavar="NAME", help="only the alerts of this village (any case)")
    alerts.add_argument(
        "--new",
        action="store_true",
        help="only the alerts new this cycle, not those still open since an earlier one (a review overdue "
        "announced before)",
    )
    add_language_argument(alerts)
    verify = commands.add_parser(
        "verify",
        help="check a store's hash chains (facts, decisions, checkpoints); exit 1 when something was changed",
        description="Check every hash chain of a SQLite store (its facts, decisions log and checkpoint log) and, "
        "with --anchor, that nothing up to heads saved earlier was rewritten. Print the store intact with its "
        "counts and heads, or each problem found (edited, deleted, reordered or inserted, with its sequence "
        "number and household). Exit 0 when the store is intact, 1 when it is not, 2 for a store or anchor "
        "file that cannot be used. The store is not created. See docs/store.md.",
    )
    verify.add_argument("store", help="the SQLite store file (it must exist)")
    verify.add_argument(
        "--anchor",
        metavar="FILE",
        help="a JSON file of heads saved earlier (by --save-anchor): also check nothing up to them changed",
    )
    verify.add_argument(
        "--save-anchor",
        metavar="FILE",
        help="write the heads verified to this JSON file when the store is intact (the next --anchor)",
    )
    verify.add_argument(
        "--format", choices=["text", "json"], default="text", help="a text summary (default) or one JSON object"
    )
    add_language_argument(verify)
    month = commands.add_parser(
        "generate-month",
        help="write the next month of facts for a generated population to a facts file",
        description=_GENERATE_MONTH,
    )
    add_month_arguments(month)
    report = commands.add_parser(
        "report",
        help="screen a population directory (or a monitoring store) and write a Markdown and HTML report with charts",
    )
    report.add_argument("population", nargs="?", help="a population directory (see docs/population.md); or --store")
    report.add_argument(
        "--store",
        metavar="FILE",
        help="report on a monitoring store instead (relapse-guard cycle): its households and every fact its "
        "cycles stored, corrections included, replayed as of --as-of; opened read-only",
    )
    add_policy_options(report)
    report.add_argument("--as-of", type=iso_date, required=True, help="date to report as of (YYYY-MM-DD)")
    report.add_argument("--out", required=True, help="directory for report.md, report.html and the charts (SVG)")
    report.add_argument("--overwrite", action="store_true", help="replace an earlier report in the --out directory")
    report.add_argument("--workers", type=workers, default=1, help="local worker processes (default 1)")
    report.add_argument("--limit", type=non_negative, default=50, help="households listed per list (default 50)")
    report.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first household that cannot be screened, with its traceback (for policy authors)",
    )
    add_engine_argument(report)
    add_progress_argument(report)
    add_language_argument(report)
    whatif = commands.add_parser(
        "whatif",
        help="run a population directory under two policies and show what differs: states, money, budget",
        description="Run every household of a population directory under policy a and policy b (--policy twice, "
        "a then b; or --policy-map twice, each household under each map's policy for its place; or one of each) "
        "and print the households that differ, with the first decision where each one's timelines "
        "part, the totals under each policy, and the budget difference (b - a) per intervention and per "
        "district: one-off and yearly yuan, monthly in force yuan a month, paid to date yuan. --workers N compares the "
        "partitions in N local processes, --scheduler on Dask (the same result). Exit 0 when every row was read "
        "and both policies ran every household, 1 with bad rows, households a policy refused or households whose "
        "place a map does not cover. See docs/cli.md.",
    )
    whatif.add_argument("population", help="a population directory (see docs/population.md)")
    add_side_options(whatif)
    whatif.add_argument("--as-of", type=iso_date, required=True, help="date to run both policies to (YYYY-MM-DD)")
    whatif.add_argument("--out", help="directory for whatif.csv (the differing households) and whatif.html")
    whatif.add_argument("--overwrite", action="store_true", help="replace the files of an earlier what-if in --out")
    whatif.add_argument(
        "--workers", type=workers, default=1, help="local worker processes, or the local Dask cluster's (default 1)"
    )
    whatif.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="compare on Dask (the dask extra): a running scheduler's address (tcp://host:8786), or 'local' "
        "for a local cluster of --workers processes",
    )
    add_engine_argument(whatif)
    add_progress_argument(whatif)
    add_language_argument(whatif)
    return parser


def _argv_language(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv``, read before parsing (for the messages given while parsing)."""
    for index, item in enumerate(argv):
        if item == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if item.startswith("--lang="):
            return item.partition("=")[2]
    return None


def _language(asked: str | None) -> str:
    """The language to report errors in: ``asked``, ``RELAPSE_GUARD_LANG`` or the locale's, and
    English for a language not spoken (that error is said in English)."""
    from .i18n import resolve_language

    try:
        return resolve_language(asked)
    except InvalidArgument:
        return "en"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0 done; 1 done with findings (bad rows, problem households, check findings); 2 a usage
    error or input that cannot be read at all; 3 an internal error (a bug: the traceback is
    printed); 130 interrupted. A closed stdout (``relapse-guard ... | head``) or stderr
    (``relapse-guard ... 2>&1 | tee log``, ``tee`` killed) stops nothing: what is printed on it after
    is dropped, the command's files are written and its exit code is the one it earned.
    :func:`exit_code_of` is the one place exceptions become exit codes.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    # both flushed at the end (--help and --version print, then exit)
    with guarded_output() as (stdout, _):
        said_in = _language(_argv_language(words))
        set_message_language(said_in)
        with argparse_speaks(said_in):
            args = _parser().parse_args(words)  # a usage error exits 2 here, with argparse's message
        lang = _language(getattr(args, "lang", None))
        try:
            code = _run(args)
            stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
            return code
        except BaseException as error:  # every exception gets its exit code here
            if isinstance(error, SystemExit):
                raise
            return exit_code_of(error, lang=lang)


def exit_code_of(error: BaseException, *, lang: str | None = None) -> int:
    """Report ``error`` on stderr as the command line does and return its exit code.

    The command line's own words are said in ``lang`` (default: ``RELAPSE_GUARD_LANG`` or the
    locale's); the error's message as the library wrote it.
    """
    lang = _language(None) if lang is None else lang
    with guarded_stderr():  # a reader of stderr gone (outside main's guard too) changes no exit code
        return _exit_code_of(error, lang)


def _exit_code_of(error: BaseException, lang: str) -> int:
    """:func:`exit_code_of`, with stderr guarded."""
    from .screening.screen import StoppedAtProblem

    if isinstance(error, KeyboardInterrupt):
        print(tr(lang, "relapse-guard: interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(error, BrokenPipeError):
        # main guards stdout and stderr, so this is another pipe (a worker's, a socket's): an error
        # like any other OSError, said below. Outside main it may be stdout's: then stdout goes to
        # the null device, so that the interpreter's last flush does not fail again.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            to_null(sys.stdout)
    if isinstance(error, StoppedAtProblem):
        traceback.print_exception(error)
        print(tr(lang, "relapse-guard: {error} (--fail-fast)", error=error), file=sys.stderr)
        return EXIT_FINDINGS
    if isinstance(error, RelapseGuardError | OSError):  # OSError: a file or directory that cannot be read or written
        print(tr(lang, "relapse-guard: error: {error}", error=said(error)), file=sys.stderr)
        return EXIT_USAGE
    if isinstance(error, Exception):
        traceback.print_exception(error)
        print(
            tr(
                lang,
                "relapse-guard: internal error: this is a bug in relapse_guard; please report it, "
                "with the traceback above and the command that gave it",
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
    raise error  # SystemExit, GeneratorExit: not ours to map


def _run(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; return its exit code (errors are raised)."""
    from .i18n import resolve_language

    # --lang where the command has it, else RELAPSE_GUARD_LANG or the locale; a language not spoken is an error
    lang = resolve_language(getattr(args, "lang", None)) if args.command not in ("diagram", "policies") else "en"
    if args.command == "demo":
        from .cli_policy import load_policy_spec
        from .demo import DEMO_AS_OF, render_demo

        print(render_demo(args.as_of or DEMO_AS_OF, load_policy_spec(args.policy), lang=lang))
    elif args.command == "diagram":
        from .diagrams import render

        print(render(args.format), end="")
    elif args.command == "check":
        from .cli_check import run_check

        return run_check(args.policy, args.format, args.on, args.as_of, lang=lang)
    elif args.command == "test":
        from .cli_tables import run_tables

        return run_tables(args.files, args.policy, explain=args.explain, verbose=args.verbose, lang=lang)
    elif args.command == "screen":
        from .cli_policy import policy_source
        from .cli_screen import run_screen

        return run_screen(
            args.population,
            policy_source(args.policy, args.policy_map),
            args.as_of,
            args.out,
            args.workers,
            args.scheduler,
            fail_fast=args.fail_fast,
            overwrite=args.overwrite,
            progress=args.progress,
            lang=lang,
            engine=args.engine,
        )
    elif args.command == "explain":
        from .cli_policy import policy_or_map
        from .cli_screen import explain_household, explain_stored

        source = policy_or_map(args.policy, args.policy_map)
        # a household kept in a store (its facts replayed), else one of the population
        explain, where = (
            (explain_stored, args.store) if args.store is not None else (explain_household, args.population)
        )
        return explain(
            where, args.household_id, source, args.as_of, output_format=args.format, lang=lang, known_on=args.known_on
        )
    elif args.command == "diff":
        from .cli_diff import run_diff

        return run_diff(args, lang=lang)
    elif args.command == "quarantined":
        from .cli_cycle import run_quarantined

        return run_quarantined(args.store, household=args.household, output_format=args.format, lang=lang)
    elif args.command == "alerts":
        from .cli_cycle import run_alerts
        from .policies.policy_map import load_policy_map

        return run_alerts(
            args.store,
            cycle=args.cycle,
            household=args.household,
            kinds=args.kind,
            district=args.district,
            policy_map=load_policy_map(args.policy_map) if args.policy_map is not None else None,
            output_format=args.format,
            lang=lang,
            town=args.town,
            village=args.village,
            new=args.new,
        )
    elif args.command == "verify":
        from .cli_verify import run_verify

        return run_verify(
            args.store, anchor=args.anchor, save_anchor=args.save_anchor, output_format=args.format, lang=lang
        )
    elif args.command == "generate":
        from .population.cli import run_generate

        return run_generate(args)
    elif args.command == "cycle":
        from .cli_cycle import run_cycle
        from .cli_policy import policy_source

        return run_cycle(
            args.store,
            policy_source(args.policy, args.policy_map),
            args.as_of,
            facts=args.facts,
            population=args.population,
            out=args.out,
            overwrite=args.overwrite,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=args.progress,
            lang=lang,
            future=args.future,
        )
    elif args.command == "generate-month":
        from .population.cli import run_month

        return run_month(args)
    elif args.command == "report":
        from .cli_policy import policy_source
        from .cli_report import run_report

        return run_report(
            args.population,
            policy_source(args.policy, args.policy_map),
            args.as_of,
            args.out,
            args.workers,
            args.limit,
            fail_fast=args.fail_fast,
            overwrite=args.overwrite,
            progress=args.progress,
            lang=lang,
            engine=args.engine,
            store=args.store,
        )
    elif args.command == "whatif":
        from .cli_whatif import run_whatif, whatif_sides

        return run_whatif(
            args.population,
            whatif_sides(args.sides),
            args.as_of,
            args.out,
            overwrite=args.overwrite,
            progress=args.progress,
            lang=lang,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
        )
    elif args.command == "policies":
        # the policies that load, then every policy, trigger and intervention that does not, with why
        from .errors import BrokenPlugin
        from .plugins import INTERVENTIONS, TRIGGERS
        from .policies import POLICIES, load_policy, policy_names
        from .registry import reason

        broken: list[BrokenPlugin] = []
        for name in policy_names():
            try:
                policy = load_policy(name)
            except BrokenPlugin as error:
                broken.append(error)
            except RelapseGuardError as error:  # e.g. InvalidPolicy: it loads, but is not usable
                broken.append(BrokenPlugin("policy", name, POLICIES.source(name), reason(error)))
            else:
                print(f"{name}\t{policy.label}\t{policy.description}")
        for registry in (TRIGGERS, INTERVENTIONS):
            broken.extend(registry.broken().values())
        for plugin in broken:
            print(f"{plugin.name}\tbroken {plugin.group}\t{plugin.source}: {plugin.reason}")
        return EXIT_FINDINGS if broken else EXIT_DONE
    return EXIT_DONE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
