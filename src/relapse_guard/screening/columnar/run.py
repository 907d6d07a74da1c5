"""The columnar screen: the quiet households of a batch decided at once, the others by the engine.

A household whose facts are all income assessments (of that household, with unique ids) is
*framed*: its assessments dated up to the as-of date become columns (household, date,
income in 1/SCALE yuan), and the income band of every distinct date is worked out once from
the policy's vectorised ``quiet_from`` forms (:mod:`.frame`). A household whose every
assessment is at or above its date's band is *quiet*: the engine would only record its
income, so it ends as it started (``new``, no risks, no grants, no reviews) with the
income of its last assessment, and its result is written directly. Every other household —
any other fact, an assessment under the band, an income finer than 1/SCALE yuan, a policy
part without a vectorised form — is handed to the engine. Outcomes keep the input order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ...engine import Engine
from ...facts import Fact, IncomeAssessed
from ...household import Household
from ...lifecycle import State
from ...policy import Policy
from ...population import BadRow
from ...result import HouseholdResult
from ..choice import PolicyChoice
from ..fact_ids import FactIds
from ..screened import Outcome, Record, Screened, Tally
from ..summary import Problem
from .frame import QuietFrame, VectorisedQuietFrom, band_scaled, quiet_plan, scaled

__all__ = ["BATCH", "COLUMNAR", "ENGINE", "run_columnar"]

#: The households framed together (the memory a batch holds is a few of its columns).
BATCH = 20_000
#: The paths a household takes, as a screen's result counts them.
COLUMNAR, ENGINE = "columnar", "engine"

_NEW = State.NEW
_Plans = dict[int, tuple[Policy, tuple[VectorisedQuietFrom, ...] | None]]


def run_columnar(
    records: Iterable[Record],
    engines: PolicyChoice | Engine,
    as_of: dt.date,
    tally: Tally,
    paths: Counter[str],
    *,
    fact_ids: FactIds | None = None,
    batch: int = BATCH,
) -> Iterator[Screened]:
    """What :func:`~relapse_guard.screening.screen.run_records` yields for ``records``, the
    quiet households decided in columns; ``paths`` counts the households of each path
    (:data:`COLUMNAR`, :data:`ENGINE`: those handed to the engine, problems included)."""
    plans: _Plans = {}
    reported = tally.done // tally.every
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, batch)):
        yield from _batch(chunk, engines, as_of, tally, paths, fact_ids, plans)
        if tally.done // tally.every != reported:
            reported = tally.done // tally.every
            tally.report()
    tally.report()


def _plan(plans: _Plans, policy: Policy) -> tuple[VectorisedQuietFrom, ...] | None:
    found = plans.get(id(policy))
    if found is None or found[0] is not policy:
        found = plans[id(policy)] = (policy, quiet_plan(policy, _NEW))
    return found[1]


def _framable(household_id: str, facts: Sequence[Fact]) -> bool:
    """True when ``facts`` are all income assessments of the household, with unique ids (the
    engine would take them as they are: nothing to refuse, no duplicate to drop)."""
    for fact in facts:
        if type(fact) is not IncomeAssessed or fact.household_id != household_id:
            return False
    return len({fact.id for fact in facts}) == len(facts)


def _batch(
    chunk: list[Record],
    engines: PolicyChoice | Engine,
    as_of: dt.date,
    tally: Tally,
    paths: Counter[str],
    fact_ids: FactIds | None,
    plans: _Plans,
) -> Iterator[Screened]:
    done: list[Screened | None] = [None] * len(chunk)
    framed: dict[int, tuple[Engine, tuple[VectorisedQuietFrom, ...], list[int]]] = {}
    for index, (household, facts, bad) in enumerate(chunk):
        tally.rows_read += 1 + len(facts) + len(bad)
        if household is None:
            done[index] = Screened(None, None, bad)
            continue
        tally.done += 1
        try:
            if fact_ids is not None:
                fact_ids.claim(household.id, facts)
            engine = engines.engine_for(household) if isinstance(engines, PolicyChoice) else engines
        except Exception as error:  # one household's failure is that household's problem
            done[index] = Screened(household, Problem.from_exception(household.id, error), bad)
            paths[ENGINE] += 1
            continue
        plan = _plan(plans, engine.policy)
        if plan is not None and _framable(household.id, facts):
            framed.setdefault(id(engine), (engine, plan, []))[2].append(index)
        else:
            done[index] = _on_engine(engine, household, facts, bad, as_of)
            paths[ENGINE] += 1
    for engine, plan, indices in framed.values():
        quiet = _quiet(chunk, indices, engine.policy, plan, as_of)
        for index, income in zip(indices, quiet, strict=True):
            household, facts, bad = chunk[index]
            assert household is not None
            if income is False:
                done[index] = _on_engine(engine, household, facts, bad, as_of)
                paths[ENGINE] += 1
            else:
                result = _quiet_result(household, engine.policy.label, as_of, income)
                first = min(fact.date for fact in facts) if facts else None
                done[index] = Screened(household, result, bad, engine.policy, first)
                paths[COLUMNAR] += 1
    for screened in done:
        assert screened is not None
        yield screened


def _on_engine(
    engine: Engine, household: Household, facts: Sequence[Fact], bad: Sequence[BadRow], as_of: dt.date
) -> Screened:
    """The household run by the engine, as ``run_records`` runs it."""
    try:
        outcome: Outcome = engine.run(household, facts, as_of=as_of)
    except Exception as error:  # one household's failure is that household's problem
        return Screened(household, Problem.from_exception(household.id, error), bad)
    first = min(fact.date for fact in facts) if facts else None
    return Screened(household, outcome, bad, engine.policy, first)


def _quiet(
    chunk: list[Record],
    indices: list[int],
    policy: Policy,
    plan: tuple[VectorisedQuietFrom, ...],
    as_of: dt.date,
) -> list[IncomeAssessed | bool | None]:
    """For each framed household: False when the engine must run it, else its last assessment
    up to ``as_of`` in the engine's order (None: it has none)."""
    owners: list[int] = []
    days: list[int] = []
    incomes: list[int] = []
    last: list[IncomeAssessed | bool | None] = []
    for position, index in enumerate(indices):
        latest: IncomeAssessed | None = None
        fine = True
        for fact in chunk[index][1]:
            assert type(fact) is IncomeAssessed
            if fact.date > as_of:
                continue
            income = scaled(fact.income_per_capita)
            if income is None:
                fine = False
                break
            owners.append(position)
            days.append(fact.date.toordinal())
            incomes.append(income)
            if latest is None or (fact.date, fact.id) > (latest.date, latest.id):
                latest = fact
        last.append(latest if fine else False)
    if not days:
        return last
    day = np.array(days, dtype=np.int64)
    distinct, inverse = np.unique(day, return_inverse=True)
    bands = band_scaled(plan, QuietFrame(policy.parameters, _NEW, distinct))
    under = np.array(incomes, dtype=np.int64) < bands[inverse]
    loud = np.bincount(np.array(owners, dtype=np.int64)[under], minlength=len(indices))
    for position in np.flatnonzero(loud).tolist():
        last[position] = False
    return last


def _quiet_result(
    household: Household, policy: str, as_of: dt.date, last: IncomeAssessed | bool | None
) -> HouseholdResult:
    """What the engine gives for a quiet household: its income recorded, nothing else."""
    income = last.income_per_capita if isinstance(last, IncomeAssessed) else None
    return HouseholdResult(
        household_id=household.id,
        policy=policy,
        as_of=as_of,
        state=_NEW,
        state_since=None,
        income_per_capita=income,
        monitoring_starts_on=None,
        monitoring_ends_on=None,
        decisions=(),
        risks=(),
        grants=(),
    )
