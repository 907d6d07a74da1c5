"""The serial screen: the engine mapped over a stream of households, as of a date.

Each household runs under the engine its :class:`~relapse_guard.screening.choice.PolicyChoice`
gives it: the one policy's, or the policy its place has in a policy map.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from collections.abc import Iterable, Iterator

from ..engine import Engine
from ..errors import BackendUnavailable, InvalidArgument, RelapseGuardError
from ..policies.policy_map import PolicyMap
from ..policy import Policy
from ..population import BadRow
from .choice import PolicyChoice, choose, name_policies
from .fact_ids import FactIds
from .screened import Outcome, Progress, ProgressCallback, Record, Screened, Tally
from .summary import HouseholdRow, Problem, ScreenResult

__all__ = [
    "ENGINES",
    "Outcome",
    "Progress",
    "ProgressCallback",
    "Record",
    "Screened",
    "StoppedAtProblem",
    "Tally",
    "columnar_available",
    "resolve_engine",
    "run_on",
    "run_records",
    "screen_records",
]


_DATE = operator.attrgetter("date")


class StoppedAtProblem(RelapseGuardError):
    """A screen run with ``fail_fast`` stopped at its first problem household.

    ``problem`` is the :class:`~relapse_guard.screening.summary.Problem`; the exception that
    caused it is the ``__cause__``, with its traceback (from a worker process: its text).
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem)

    def __str__(self) -> str:
        return f"stopped at the first problem household: {self.problem}"


def run_records(
    records: Iterable[Record],
    engines: PolicyChoice | Engine,
    as_of: dt.date,
    tally: Tally,
    *,
    fail_fast: bool = False,
    fact_ids: FactIds | None = None,
) -> Iterator[Screened]:
    """Each record, run under the engine ``engines`` gives its household (one engine: every
    household), as a :class:`Screened`, counted in ``tally``, which reports as it goes and at
    the end.

    Any exception raised while running one household (no policy for its place, policy code
    that raised, facts the engine refuses, and as a last guard any other ``Exception``)
    makes that household's outcome a :class:`Problem`, and the others go on; with
    ``fail_fast`` the first one raises :class:`StoppedAtProblem` instead, from the exception.
    ``fact_ids`` (one per partition) makes a household that uses a fact id of an earlier
    household a problem.
    """
    for household, facts, bad in records:
        tally.rows_read += 1 + len(facts) + len(bad)
        if household is None:
            yield Screened(None, None, bad)
            continue
        tally.done += 1  # screened or not: done either way
        outcome: Outcome
        policy: Policy | None = None
        first: dt.date | None = None
        try:
            if fact_ids is not None:
                fact_ids.claim(household.id, facts)
            engine = engines.engine_for(household) if isinstance(engines, PolicyChoice) else engines
            outcome = engine.run(household, facts, as_of=as_of)
            policy = engine.policy
            first = min(map(_DATE, facts)) if facts else None
        except Exception as error:  # one household's failure is that household's problem
            outcome = Problem.from_exception(household.id, error)
            if fail_fast:
                raise StoppedAtProblem(outcome) from error
        yield Screened(household, outcome, bad, policy, first)
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


#: The screen's engines: ``scalar`` (the engine for every household), ``columnar``, and ``auto``.
ENGINES = ("auto", "columnar", "scalar")


def columnar_available() -> bool:
    """True when the columnar screen can run here (numpy is installed: the ``fast`` extra)."""
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


def resolve_engine(engine: str) -> str:
    """``"columnar"`` or ``"scalar"``: what ``engine`` (one of :data:`ENGINES`) screens with
    here; ``auto`` is columnar when numpy is installed. Raises
    :class:`~relapse_guard.errors.InvalidArgument` for another name, and
    :class:`~relapse_guard.errors.BackendUnavailable` for ``columnar`` without numpy."""
    if engine not in ENGINES:
        raise InvalidArgument(f"the screen's engine is one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "scalar":
        return engine
    if columnar_available():
        return "columnar"
    if engine == "columnar":
        raise BackendUnavailable("the columnar screen needs numpy: pip install 'relapse-guard[fast]'")
    return "scalar"


def run_on(
    engine: str,
    records: Iterable[Record],
    choice: PolicyChoice,
    as_of: dt.date,
    tally: Tally,
    paths: Counter[str],
    *,
    fail_fast: bool = False,
    fact_ids: FactIds | None = None,
) -> Iterator[Screened]:
    """:func:`run_records` on ``engine`` (``scalar``, ``columnar`` or ``auto``: see
    :func:`screen_records`), each household counted in ``paths`` by the path it took;
    ``fail_fast`` runs on the engine, so the first problem in input order is the one raised."""
    if resolve_engine(engine) == "columnar" and not fail_fast:
        from .columnar import run_columnar

        yield from run_columnar(records, choice, as_of, tally, paths, fact_ids=fact_ids)
        return
    for item in run_records(records, choice, as_of, tally, fail_fast=fail_fast, fact_ids=fact_ids):
        if item.household is not None:
            paths["engine"] += 1
        yield item


def screen_records(
    records: Iterable[Record],
    policy: Policy | PolicyMap | PolicyChoice,
    as_of: dt.date,
    *,
    keep_rows: bool = True,
    progress: ProgressCallback | None = None,
    progress_every: int = 10_000,
    households_total: int | None = None,
    extra_bad_rows: Iterable[BadRow] = (),
    tally: Tally | None = None,
    fail_fast: bool = False,
    digests: bool = True,
    engine: str = "scalar",
) -> ScreenResult:
    """Screen households one at a time, in a single pass: memory stays flat however many.

    ``policy`` is one policy for every household, or a policy map: each household is then
    screened under the policy its place has on ``as_of`` (a choice made already, as
    :func:`~relapse_guard.screening.choice.choose` makes it, is used as it is). Each row and
    district names the policy used.

    A household that cannot be screened — no policy for its place, its policy code raised, the engine refused its
    facts (e.g. an exit verified for a household never assisted), it uses a fact id of an
    earlier household — is listed in ``problems`` and the screen goes on; with
    ``fail_fast`` the first one raises :class:`StoppedAtProblem`. ``progress`` is called
    every ``progress_every`` households and at the end; a screen of several partitions
    passes one ``tally`` instead, which counts and reports across them. ``digests`` keeps the
    fact ids' digests in ``fact_id_digests``, for the ids shared with other partitions (see
    :func:`~relapse_guard.screening.parallel.check_fact_ids`): not needed for a single partition.

    ``engine`` is ``"scalar"`` (every household run by the engine), ``"columnar"`` (the
    households the columnar screen decides exactly are decided in columns, the others run by
    the engine: the same rows and totals; needs numpy, docs/columnar.md) or ``"auto"``
    (columnar when numpy is installed); ``fail_fast`` screens on the engine. ``paths``
    counts the households each way.
    """
    choice = choose(policy, as_of, record_decisions=False)  # rows need no explanations: explain replays
    result = ScreenResult(as_of=as_of, policy=choice.label)
    result.bad_rows.extend(extra_bad_rows)
    totals = result.totals
    if tally is None:
        tally = Tally(households_total, progress, progress_every)
    fact_ids = FactIds()
    screened = run_on(engine, records, choice, as_of, tally, result.paths, fail_fast=fail_fast, fact_ids=fact_ids)
    for household, outcome, bad, used, first in screened:
        result.bad_rows.extend(bad)
        if household is None or outcome is None:
            continue
        if isinstance(outcome, Problem):
            result.problems.append(outcome)
        else:
            assert used is not None
            place = household.place
            row = HouseholdRow.from_result(
                outcome,
                (choice.district_name(place.district), place.town, place.village),
                used.reviews_due(outcome, as_of),
            )
            totals.add(row, first)
            if keep_rows:
                result.rows.append(row)
    if digests:
        result.fact_id_digests.append(fact_ids.digests())
    name_policies(totals.by_district, choice, as_of)
    return result
