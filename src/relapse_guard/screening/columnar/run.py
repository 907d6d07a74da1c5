"""The columnar screen: the quiet households of a batch decided at once, the others by the engine.

A household whose facts are all income assessments (of that household, with unique ids) is
*framed*: its assessments dated up to the as-of date become columns (household, date,
income in 1/SCALE yuan), and the income band of every distinct date is worked out once from
the policy's vectorised ``quiet_from`` forms (:mod:`.frame`). A household whose every
assessment is at or above its date's band is *quiet*: the engine would only record its
income, so it ends as it started (``new``, no risks, no grants, no reviews) with the
income of its last assessment, and its result is written directly.

A framed household that is not quiet but stays ``new`` (every assessment at or above its
identification band) and whose risks are only recorded (no route grants anything for them)
is *replayed*: the engine runs it on the assessments that raise a risk, the one before each
and the last one only, which gives the result of the whole run (:mod:`.risks`). Every other
household — any other fact, an assessment under the band, before a member's birth or finer
than 1/SCALE yuan, a policy part without a vectorised form — is handed to the engine whole.
Outcomes keep the input order.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

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
from .frame import LIMIT, NO_BAND, SCALE_DIGITS, QuietFrame, VectorisedQuietFrom, band_scaled, quiet_plan
from .risks import RiskPlan, risk_plan, routes_grant_nothing, yearly_bands

__all__ = ["BATCH", "COLUMNAR", "ENGINE", "REPLAYED", "run_columnar"]

#: The households framed together (the memory a batch holds is a few of its columns).
BATCH = 20_000
#: The paths a household takes, as a screen's result counts them: decided in columns, replayed
#: by the engine on the few facts that matter (found in columns), or run whole by the engine.
COLUMNAR, REPLAYED, ENGINE = "columnar", "replayed", "engine"

_NEW = State.NEW
#: The engine's order among the assessments of one household (same kind: date, then id).
_LAST = operator.attrgetter("date", "id")
#: For a policy: the vectorised ``quiet_from`` of a new household's parts, and its risk plan.
_Plan = tuple[tuple[VectorisedQuietFrom, ...] | None, RiskPlan | None]
_Plans = dict[int, tuple[Policy, _Plan]]


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


def _plan(plans: _Plans, policy: Policy) -> _Plan:
    found = plans.get(id(policy))
    if found is None or found[0] is not policy:
        found = plans[id(policy)] = (policy, (quiet_plan(policy, _NEW), risk_plan(policy, _NEW)))
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
    framed: dict[int, tuple[Engine, _Plan, list[int]]] = {}
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
        if plan[0] is not None and _framable(household.id, facts):
            framed.setdefault(id(engine), (engine, plan, []))[2].append(index)
        else:
            done[index] = _on_engine(engine, household, facts, bad, as_of, _first(facts))
            paths[ENGINE] += 1
    for engine, (quiet, risks), indices in framed.values():
        assert quiet is not None
        replays = None if engine.records_decisions else risks
        decided = _decide(chunk, indices, engine.policy, quiet, replays, as_of)
        for index, (path, found) in zip(indices, decided, strict=True):
            household, facts, bad = chunk[index]
            assert household is not None
            first = _first(facts)
            if path == COLUMNAR:
                result = _quiet_result(household, engine.policy.label, as_of, found)
                done[index] = Screened(household, result, bad, engine.policy, first)
            else:  # replayed on the facts found, or run whole
                done[index] = _on_engine(engine, household, found if path == REPLAYED else facts, bad, as_of, first)
            paths[path] += 1
    for screened in done:
        assert screened is not None
        yield screened


def _on_engine(
    engine: Engine,
    household: Household,
    facts: Sequence[Fact],
    bad: Sequence[BadRow],
    as_of: dt.date,
    first: dt.date | None,
) -> Screened:
    """The household run by the engine on ``facts``, as ``run_records`` runs it; ``first`` is
    the date of its earliest fact (of all of them, when ``facts`` are those replayed)."""
    try:
        outcome: Outcome = engine.run(household, facts, as_of=as_of)
    except Exception as error:  # one household's failure is that household's problem
        return Screened(household, Problem.from_exception(household.id, error), bad)
    return Screened(household, outcome, bad, engine.policy, first)


def _first(facts: Sequence[Fact]) -> dt.date | None:
    """The date of the earliest of ``facts`` (None without any)."""
    return min(fact.date for fact in facts) if facts else None


#: What :func:`_decide` makes of a framed household: ``(COLUMNAR, its last assessment up to
#: the as-of date or None)``, ``(REPLAYED, the facts the engine replays in place of all of
#: them)`` or ``(ENGINE, None)``: the engine runs it whole.
_Decided = tuple[str, Any]


def _decide(
    chunk: list[Record],
    indices: list[int],
    policy: Policy,
    plan: tuple[VectorisedQuietFrom, ...],
    risks: RiskPlan | None,
    as_of: dt.date,
) -> list[_Decided]:
    """What the columnar screen makes of each framed household (see :data:`_Decided`)."""
    owners: list[int] = []
    days: list[int] = []
    incomes: list[int] = []
    facts_at: list[IncomeAssessed] = []
    spans: list[tuple[int, int]] = []
    decided: list[_Decided] = []
    for position, index in enumerate(indices):
        household, facts, _ = chunk[index]
        assert household is not None
        begin = len(days)
        dated = [fact.date for fact in facts]
        if dated and max(dated) > as_of:
            facts = [fact for fact in facts if fact.date <= as_of]
            dated = [fact.date for fact in facts]
        if not facts:
            spans.append((begin, begin))
            decided.append((COLUMNAR, None))
            continue
        born = max((member.birth_date for member in household.members), default=dt.date.min)
        # in 1/SCALE yuan: exact only for an income that is a whole number of them
        shifted = [fact.income_per_capita.scaleb(SCALE_DIGITS) for fact in facts]  # type: ignore[attr-defined]
        whole = [int(value) for value in shifted if value.is_finite()]
        if (
            min(dated) < born
            or len(whole) != len(shifted)
            or any(map(operator.ne, whole, shifted))
            or not -LIMIT < min(whole) <= max(whole) < LIMIT
        ):
            spans.append((begin, begin))  # the engine refuses an assessment before a birth
            decided.append((ENGINE, None))
            continue
        owners += [position] * len(facts)
        days += [day.toordinal() for day in dated]
        incomes += whole
        facts_at += facts  # type: ignore[arg-type]
        spans.append((begin, len(days)))
        decided.append((COLUMNAR, None))
    if not days:
        return decided
    day = np.array(days, dtype=np.int64)
    distinct, inverse = np.unique(day, return_inverse=True)
    frame = QuietFrame(policy.parameters, _NEW, distinct)
    income = np.array(incomes, dtype=np.int64)
    owner = np.array(owners, dtype=np.int64)
    under = income < band_scaled(plan, frame)[inverse]
    loud = [
        position
        for position in np.flatnonzero(np.bincount(owner[under], minlength=len(indices))).tolist()
        if decided[position][0] == COLUMNAR
    ]
    for position in loud:
        decided[position] = (ENGINE, None)
    for position, (path, _) in enumerate(decided):
        begin, end = spans[position]
        if path == COLUMNAR and end > begin:  # quiet: its income is its last assessment's
            decided[position] = (COLUMNAR, max(facts_at[begin:end], key=_LAST))
    if risks is None or not loud:
        return decided
    for position, replay in _replays(risks, policy, frame, inverse, income, owner, facts_at, spans, loud).items():
        household, facts, _ = chunk[indices[position]]
        decided[position] = (REPLAYED, [*replay, *(fact for fact in facts if fact.date > as_of)])
    return decided


def _replays(
    risks: RiskPlan,
    policy: Policy,
    frame: QuietFrame,
    inverse: npt.NDArray[np.intp],
    income: npt.NDArray[np.int64],
    owner: npt.NDArray[np.int64],
    facts_at: list[IncomeAssessed],
    spans: list[tuple[int, int]],
    loud: list[int],
) -> dict[int, list[Fact]]:
    """For each ``loud`` household (by position) that stays ``new`` and whose risks are only
    recorded, the assessments the engine replays in place of all of them (:mod:`.risks`)."""
    bands = yearly_bands(risks, frame)
    if bands is None:
        return {}
    identified = bands.identified_under[inverse]
    blocked = (identified == NO_BAND) | (income < identified)
    raising: list[tuple[str, list[bool]]] = []
    for kind, raises_under, quiet_after in bands.triggers:
        raises, after = raises_under[inverse], quiet_after[inverse]
        blocked |= (raises == NO_BAND) | (after == NO_BAND) | (income < after)
        raising.append((kind, (income < raises).tolist()))
    stopped = np.bincount(owner[blocked], minlength=len(spans))
    kept: dict[int, list[int]] = {}
    found: dict[str, tuple[list[int], list[int], list[int]]] = {}
    for position in loud:
        if stopped[position]:
            continue
        begin, end = spans[position]
        rows = sorted(range(begin, end), key=lambda row: _LAST(facts_at[row]))
        keep = {rows[-1]}
        for kind, flags in raising:
            years: set[int] = set()
            for at, row in enumerate(rows):
                if flags[row] and facts_at[row].date.year not in years:
                    years.add(facts_at[row].date.year)
                    keep.add(row)
                    if at:
                        keep.add(rows[at - 1])  # the fall from the income before shows in the evidence
                    days, amounts, owners = found.setdefault(kind, ([], [], []))
                    days.append(int(frame.ordinals[inverse[row]]))
                    amounts.append(int(income[row]))
                    owners.append(position)
        kept[position] = [row for row in rows if row in keep]
    for kind, (days, amounts, owners) in found.items():
        nothing = routes_grant_nothing(risks, policy.parameters, kind, np.array(days, dtype=np.int64), amounts)
        for position, granted_nothing in zip(owners, nothing, strict=True):
            if not granted_nothing:
                kept.pop(position, None)
    return {position: [facts_at[row] for row in rows] for position, rows in kept.items()}


def _quiet_result(household: Household, policy: str, as_of: dt.date, last: IncomeAssessed | None) -> HouseholdResult:
    """What the engine gives for a quiet household: its income recorded, nothing else."""
    income = None if last is None else last.income_per_capita
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
