"""The ``screen`` and ``explain`` commands of ``relapse-guard``: a population directory in, results out.

Both run under one policy (``--policy``: a registered name, ``path/to/file.py:NAME`` or
``package.module:NAME``, see :mod:`relapse_guard.cli_policy`) or a policy map
(``--policy-map``): each household under the policy its place has on the as-of date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .cli_policy import load_policy_spec, policy_source
from .engine import Engine, household_on
from .errors import InvalidArgument, RelapseGuardError, StoreError, UnknownHousehold
from .explanation import money_lines, to_json
from .facts import Fact
from .household import Household
from .interface import plural, progress_text, tr
from .labels import label
from .policies.policy_map import PolicyMap, said_under
from .policy import Policy
from .population import BadRow, Population, read_population
from .progress_line import ProgressLine, wants_progress
from .result import HouseholdResult
from .reviews import ReviewState
from .screening.choice import PolicySource, shared_fact_kinds
from .screening.parallel import screen_population
from .screening.screen import Progress
from .screening.summary import Problem, ScreenResult, problem_summary
from .writable import make_directory

__all__ = [
    "EXPLAIN_FORMATS",
    "SCREEN_FILES",
    "check_out",
    "explain_household",
    "explain_stored",
    "policy_for_household",
    "policy_source",
    "print_paths",
    "print_problems",
    "progress_bar",
    "run_screen",
    "unknown_household",
]

#: The files ``screen --out`` writes.
SCREEN_FILES = ("households.jsonl", "totals.json", "problems.jsonl")


def progress_bar(line: ProgressLine, lang: str = "en") -> Callable[[Progress], None]:
    """A progress callback showing a screen's :class:`Progress` on ``line``: households done of
    those planned, the rate and the time left (in ``lang``)."""

    def draw(progress: Progress) -> None:
        total = progress.households_total or None
        line.show(progress_text(progress.households_done, total, "household", seconds=progress.seconds, lang=lang))

    return draw


def check_out(out: str, writes: Sequence[str], *, overwrite: bool, option: str = "--out") -> Path:
    """The output directory ``out``, checked before any work: refuse a path that is a file, a
    directory that already holds one of the files ``writes`` names (unless ``overwrite``), and
    a place that cannot be written. The directory is made (with its parents) and a file written
    in it and removed, so that what permission bits cannot tell (``/proc``, a read-only file
    system) is refused here, not after the work."""
    directory = Path(out)
    if directory.exists() and not directory.is_dir():
        raise RelapseGuardError(f"{option} {out} is a file, not a directory")
    if directory.is_dir():
        there = [name for name in writes if (directory / name).exists()]
        if there and not overwrite:
            raise RelapseGuardError(
                f"{option} {out} already holds {', '.join(there)}; give another directory, or --overwrite to replace"
            )
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RelapseGuardError(f"{option} {out} cannot be made: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RelapseGuardError(f"{option} {out} cannot be written: no permission to write in {existing}")
    return make_directory(out, option)


def print_problems(bad_rows: Iterable[BadRow], problems: Iterable[Problem], *, lang: str = "en") -> None:
    """List the bad rows and the problem households on stderr, then a line counting them by kind
    (the command line's words in ``lang``; a problem's message as :meth:`Problem.said` says it, a row's as written)."""
    bad = list(bad_rows)
    listed = sorted(problems, key=lambda problem: problem.household_id)
    for row in bad:
        print(tr(lang, "relapse-guard: bad row: {row}", row=row), file=sys.stderr)
    for problem in listed:
        print(tr(lang, "relapse-guard: problem household: {problem}", problem=problem.said(lang)), file=sys.stderr)
    line = problem_summary(len(bad), listed, lang=lang)
    if line is not None:
        print(tr(lang, "relapse-guard: {line}", line=line), file=sys.stderr)


def print_paths(paths: Mapping[str, int], lang: str) -> None:
    """Say on stderr how many households a columnar screen decided each way (nothing on the engine alone)."""
    if paths.get("columnar"):
        print(
            tr(
                lang,
                "columnar screen: {columnar} households decided in columns, {engine} handed to the engine",
                columnar=f"{paths.get('columnar', 0):,}",
                engine=f"{paths.get('engine', 0):,}",
            ),
            file=sys.stderr,
        )


def run_screen(
    population_dir: str,
    policy_name: PolicySource,
    as_of: dt.date,
    out: str | None,
    workers: int,
    scheduler: str | None = None,
    *,
    fail_fast: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    lang: str = "en",
    engine: str = "scalar",
) -> int:
    """Screen a population directory; print the totals; write rows and problems to ``out``.

    The totals are printed as JSON (the same in every language); the lines about bad rows and
    problem households, and the progress, are said in ``lang``.

    ``workers`` local processes screen it, or, with ``scheduler``, a Dask cluster: a running
    scheduler's address, or ``"local"`` for a local cluster of ``workers`` processes.
    ``engine`` is ``scalar``, ``columnar`` or ``auto`` (docs/columnar.md); a columnar screen
    says on stderr how many households went each way (in ``lang``).
    ``policy_name`` is a registered name or a ``path.py:NAME`` / ``module:NAME`` spec (see
    :func:`~relapse_guard.cli_check.load_policy_spec`), or a policy map: each household is then
    screened under the policy its place has on ``as_of``, and a place the map does not cover is
    a problem household (kind ``no_policy``). Progress is drawn on stderr when it is a terminal,
    or with ``progress``.

    Returns 0 when every row was read and every household screened, 1 when there were bad
    rows or problem households (listed, and counted by kind), and raises for unusable input
    (and :class:`~relapse_guard.errors.BackendUnavailable` when Dask is asked for but
    missing). With ``fail_fast`` the first problem household raises
    :class:`~relapse_guard.screening.screen.StoppedAtProblem`.
    """
    population = read_population(population_dir)
    if isinstance(policy_name, str):
        load_policy_spec(policy_name)  # an unknown policy fails before a cluster is started or reached
    directory = check_out(out, SCREEN_FILES, overwrite=overwrite) if out is not None else None
    keep_rows = out is not None
    line = ProgressLine() if wants_progress(progress) else None
    draw = progress_bar(line, lang) if line is not None else None
    try:
        result = _screen(population, policy_name, as_of, workers, scheduler, keep_rows, draw, fail_fast, engine)
    finally:
        if line is not None:
            line.close()
    totals = result.totals.to_dict()
    # the files first: a reader of stdout that goes away (``| head -1``) must not cost them
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "households.jsonl").open("w", encoding="utf-8") as file:
            for row in result.rows:
                file.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
        (directory / "totals.json").write_text(
            json.dumps(totals, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        with (directory / "problems.jsonl").open("w", encoding="utf-8") as file:
            for bad in result.bad_rows:
                file.write(json.dumps(bad.to_dict(), ensure_ascii=False) + "\n")
            for problem in sorted(result.problems, key=lambda problem: problem.household_id):
                file.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    print(json.dumps({"policy": result.policy, "as_of": as_of.isoformat(), **totals}, indent=2, ensure_ascii=False))
    print_paths(result.paths, lang)
    print_problems(result.bad_rows, result.problems, lang=lang)
    return 1 if result.bad_rows or result.problems else 0


#: The output formats of ``explain``: the timeline as text, or the documented JSON form.
EXPLAIN_FORMATS = ("text", "json")


def _check_format(output_format: str) -> None:
    if output_format not in EXPLAIN_FORMATS:
        raise InvalidArgument(f"explain's format is one of {', '.join(EXPLAIN_FORMATS)}, not {output_format!r}")


def _screen(
    population: Population,
    policy_name: PolicySource,
    as_of: dt.date,
    workers: int,
    scheduler: str | None,
    keep_rows: bool,
    progress: Callable[[Progress], None] | None,
    fail_fast: bool,
    engine: str = "scalar",
) -> ScreenResult:
    """The screen itself: in local processes, or on Dask with a ``scheduler``."""
    if scheduler is None:
        return screen_population(
            population,
            policy_name,
            as_of,
            workers=workers,
            keep_rows=keep_rows,
            progress=progress,
            fail_fast=fail_fast,
            load=load_policy_spec,
            engine=engine,
        )
    from .screening.dask_backend import dask_client, screen_population_dask

    with dask_client(scheduler, workers=workers) as client:
        return screen_population_dask(
            population,
            policy_name,
            as_of,
            client=client,
            keep_rows=keep_rows,
            progress=progress,
            fail_fast=fail_fast,
            load=load_policy_spec,
            engine=engine,
        )


def _print_explained(
    result: HouseholdResult, policy: Policy, as_of: dt.date | None, output_format: str, lang: str = "en"
) -> None:
    if output_format == "json":
        print(to_json(result, policy, language=lang))
        return
    print(result.explain(lang))
    for line in money_lines(result, lang):
        print(line)
    for status in policy.reviews_due(result, as_of or result.as_of or dt.date.today()):
        review, responsible = label("review_name", status.review, lang), label("responsible", status.responsible, lang)
        if status.state is ReviewState.OVERDUE:
            # its days counted from the grace period's end, as the JSON's days_overdue and an alert say them
            line = tr(
                lang,
                "  review {review}: due {date}, {days} past its grace period ({responsible})",
                review=review,
                date=status.due_on,
                days=plural(status.days_overdue, "day", lang=lang),
                responsible=responsible,
            )
        else:
            line = tr(
                lang,
                "  review {review}: {state} since {date} ({responsible})",
                review=review,
                state=label("review", status.state.value, lang),
                date=status.due_on,
                responsible=responsible,
            )
        print(line)


def policy_for_household(
    source: Policy | PolicyMap,
    household: Household,
    facts: Sequence[Fact],
    as_of: dt.date | None,
    output_format: str,
    lang: str = "en",
) -> Policy:
    """The policy to explain ``household`` under: the one given, or the one its place has in the
    map on ``as_of`` (default: the date of its last fact; today's for a household without facts;
    the place in force then, after any move among its facts),
    said on a line of its own (on stderr for JSON, so that stdout is the document alone)."""
    if isinstance(source, Policy):
        return source
    on = as_of or max((fact.date for fact in facts), default=None) or dt.date.today()
    place = household_on(household, facts, on).place
    policy = source.policy_for(place, on)
    said = tr(
        lang,
        "{map}: place {place} on {date} is under {policy}",
        map=said_under(source.label, lang),
        place=repr(str(place)),
        date=on.isoformat(),
        policy=policy.label,
    )
    print(said, file=sys.stderr if output_format == "json" else sys.stdout)
    return policy


def _loaded(policy: str | Policy | PolicyMap) -> Policy | PolicyMap:
    """A policy spec loaded (see :func:`~relapse_guard.cli_policy.load_policy_spec`); a policy or a map as it is."""
    return load_policy_spec(policy) if isinstance(policy, str) else policy


def explain_household(
    population_dir: str,
    household_id: str,
    policy_name: str | Policy | PolicyMap,
    as_of: dt.date | None,
    *,
    output_format: str = "text",
    lang: str = "en",
    known_on: dt.datetime | None = None,
) -> int:
    """Print one household's explained timeline; 1 when rows of it could not be read (listed on
    stderr: it is explained without them); 2 (with a message) when it is not in the population or
    its own row could not be read.

    ``policy_name`` is a policy spec (a registered name, ``path.py:NAME`` or ``module:NAME``), a
    policy, or a policy map: the household is then explained under the policy its place has on
    ``as_of``, or without it on the date of its last fact. ``output_format`` ``"json"`` prints
    the household's result as one JSON document of the documented form
    (:func:`~relapse_guard.explanation.to_json`) instead of text lines, its decisions in
    ``lang`` (``en``, ``zh-CN``). ``known_on`` runs it as known on that moment
    (:meth:`Engine.run`).
    """
    _check_format(output_format)
    source = _loaded(policy_name)
    kinds = source.fact_kinds if isinstance(source, Policy) else shared_fact_kinds(source.label, source.policies())
    unread: list[BadRow] = []  # rows of the household that could not be read
    for partition in read_population(population_dir).partitions:
        for household, facts, bad in partition.records(kinds=kinds):
            if household is not None and household.id == household_id:
                policy = policy_for_household(source, household, facts, as_of, output_format, lang)
                result = Engine(policy).run(household, facts, as_of=as_of, known_on=known_on)
                _print_explained(result, policy, as_of, output_format, lang)
                print_problems(bad, (), lang=lang)  # explained without them: said, and exit 1
                return 1 if bad else 0
            unread += [row for row in bad if row.household_id == household_id]
    if unread:
        print_problems(unread, (), lang=lang)
        raise RelapseGuardError(
            f"household {household_id!r} of {population_dir} could not be read: its rows above are bad"
        )
    raise RelapseGuardError(f"household {household_id!r} is not in {population_dir}")


def explain_stored(
    store_path: str,
    household_id: str,
    policy_name: str | Policy | PolicyMap,
    as_of: dt.date | None,
    *,
    output_format: str = "text",
    lang: str = "en",
    known_on: dt.datetime | None = None,
) -> int:
    """Print the explained timeline of a household kept in a SQLite store (its facts replayed),
    under a policy spec, a policy, or the one its place has in a policy map, as text or JSON (as in
    :func:`explain_household`).

    Raises :class:`~relapse_guard.errors.StoreError` for a file that is not a store and
    :class:`~relapse_guard.errors.UnknownHousehold` for a household the store does not hold.
    """
    from .store import SQLiteStore, replay

    _check_format(output_format)
    source = _loaded(policy_name)  # an unknown policy fails before the store is opened
    if not Path(store_path).is_file():
        raise StoreError(f"no store file at {store_path}")
    with SQLiteStore(store_path, read_only=True) as store:  # explaining writes nothing
        try:
            household = store.household(household_id)
        except UnknownHousehold as error:
            raise unknown_household(error, store_path, lang) from None
        if isinstance(source, Policy):
            policy = source
        else:
            kinds = shared_fact_kinds(source.label, source.policies())
            facts = store.facts(household_id, kinds=kinds)
            policy = policy_for_household(source, household, facts, as_of, output_format, lang)
        result = replay(store, household_id, policy, as_of=as_of, known_on=known_on)
        _print_explained(result, policy, as_of, output_format, lang)
    return 0


def unknown_household(error: UnknownHousehold, store_path: str, lang: str) -> UnknownHousehold:
    """``error`` (a household a store does not hold) with a message for a user of the command line,
    in ``lang`` (the library's says what a Python caller can do)."""
    said = UnknownHousehold(error.household_id)
    said.args = (
        tr(
            lang,
            "household {household} is not in the store {store}; check the id (a cycle given a population "
            "directory stores its households: relapse-guard cycle {store} --population DIR)",
            household=repr(error.household_id),
            store=store_path,
        ),
    )
    return said
