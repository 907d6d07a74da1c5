"""The columnar screen: households decided from their income assessments and the band of each date.

A household whose facts are all income assessments (of that household, with unique ids) is
*framed*: each of its assessments dated up to the as-of date is compared with the band of its
date, which the policy's vectorised forms give once per date for every household
(:mod:`.dated`). A household whose every assessment is at or above its date's band is
*quiet*: the engine would only record its income, so it ends as it started (``new``, no
risks, no grants, no reviews) with the income of its last assessment, and its result is
written directly. Every other household (any other fact, an assessment under the band or
before a member's birth, a policy part without a vectorised form) is handed to the engine.

Households are decided one at a time, as they are read, and none is held once it is
screened: the screen's memory is the serial screen's. Outcomes keep the input order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from ...engine import Engine
from ...facts import BasicNeedsChecked, Fact, IncomeAssessed
from ...household import Household
from ...lifecycle import State
from ...policy import Policy
from ...population import BadRow
from ...result import HouseholdResult
from ..choice import PolicyChoice
from ..fact_ids import FactIds
from ..screened import Outcome, Record, Screened, Tally
from ..summary import Problem
from .dated import ColumnarPlan, columnar_plan
from .frame import FactFrame, quiet_facts

__all__ = ["COLUMNAR", "ENGINE", "run_columnar"]

#: The paths a household takes, as a screen's result counts them: decided in columns, or run
#: by the engine.
COLUMNAR, ENGINE = "columnar", "engine"

_NEW = State.NEW
_SORT_KEY = Fact.sort_key
#: By policy (its id, with the policy to tell a new one from one freed and reused): its
#: bands by date, or None when a part declares no vectorised form (its households go to the engine).
_Plans = dict[int, tuple[Policy, ColumnarPlan | None]]


#: A household held for its other facts' forms waits with at most this many others so held:
#: the forms run once for them all (a form costs a few microseconds a call, whatever its rows).
BATCH = 256
#: ... and with at most this many households in all (the others read after it wait too, for
#: the outcomes to keep the input order).
HELD = 2048


class _Framed:
    """A household framed whose other facts wait for their triggers' ``vectorised_quiet``:
    ``plan`` its policy's, ``last`` its last assessment up to the as-of date, ``facts`` and
    ``incomes`` each other fact with the income its household had then."""

    __slots__ = ("facts", "incomes", "last", "plan")

    def __init__(
        self, plan: ColumnarPlan, last: IncomeAssessed | None, facts: list[Fact], incomes: list[Decimal]
    ) -> None:
        self.plan = plan
        self.last = last
        self.facts = facts
        self.incomes = incomes


class _Held:
    """A household read and not yet screened: the household, its facts, its bad rows, its
    engine, and what the columnar screen made of it (its last assessment when quiet,
    :data:`_NOT_QUIET` for the engine, or :class:`_Framed`)."""

    __slots__ = ("bad", "decided", "engine", "facts", "household")

    def __init__(
        self,
        household: Household,
        facts: Sequence[Fact],
        bad: Sequence[BadRow],
        engine: Engine,
        decided: IncomeAssessed | _NotQuiet | _Framed | None,
    ) -> None:
        self.household = household
        self.facts = facts
        self.bad = bad
        self.engine = engine
        self.decided = decided


def run_columnar(
    records: Iterable[Record],
    engines: PolicyChoice | Engine,
    as_of: dt.date,
    tally: Tally,
    paths: Counter[str],
    *,
    fact_ids: FactIds | None = None,
    defer: bool = False,
) -> Iterator[Screened]:
    """What :func:`~relapse_guard.screening.screen.run_records` yields for ``records``, the
    quiet households decided in columns; ``paths`` counts the households of each path
    (:data:`COLUMNAR`, :data:`ENGINE`: problems included in the last). With ``defer``, a
    household for the engine is not run: it comes with the outcome None (its path counted),
    for the caller to run (a what-if sharing two policies' runs, :mod:`relapse_guard.whatif.shared`).

    A household with facts other than income assessments waits, with the households read
    after it, until :data:`BATCH` such households or :data:`HELD` households in all are held,
    or the records end; then their triggers' forms run once for them all, and the held
    households are screened in order."""
    plans: _Plans = {}
    held: list[_Held | Screened] = []
    framed = 0
    try:
        for household, facts, bad in records:
            tally.rows_read += 1 + len(facts) + len(bad)
            item: _Held | Screened
            if household is None:
                item = Screened(None, None, bad)
            else:
                tally.done += 1  # screened or not: done either way
                item = _read(household, facts, bad, engines, as_of, plans, fact_ids)
            if type(item) is _Held and type(item.decided) is _Framed:
                held.append(item)
                framed += 1
                if framed >= BATCH:
                    yield from _screen_held(held, as_of, paths, defer)
                    framed = 0
            elif held:
                held.append(item)
                if len(held) >= HELD:
                    yield from _screen_held(held, as_of, paths, defer)
                    framed = 0
            else:
                yield _screen(item, as_of, paths, defer)
            if tally.done % tally.every == 0:
                tally.report()
    except Exception:  # reading failed: what was read before it is screened first, as the engine would
        yield from _screen_held(held, as_of, paths, defer)
        raise
    yield from _screen_held(held, as_of, paths, defer)
    tally.report()


def _read(
    household: Household,
    facts: Sequence[Fact],
    bad: Sequence[BadRow],
    engines: PolicyChoice | Engine,
    as_of: dt.date,
    plans: _Plans,
    fact_ids: FactIds | None,
) -> _Held | Screened:
    """One household read: a problem at once (its engine or its fact ids refused), or what the
    columnar screen makes of it, to screen."""
    try:
        if fact_ids is not None:
            fact_ids.claim(household.id, facts)
        engine = engines.engine_for(household) if isinstance(engines, PolicyChoice) else engines
    except Exception as error:  # one household's failure is that household's problem
        return Screened(household, Problem.from_exception(household.id, error), bad)
    plan = _plan(plans, engine.policy)
    decided = _NOT_QUIET if plan is None else _decide(household, facts, as_of, plan)
    return _Held(household, facts, bad, engine, decided)


def _screen_held(held: list[_Held | Screened], as_of: dt.date, paths: Counter[str], defer: bool) -> Iterator[Screened]:
    """The held households screened, in order (``held`` emptied): their other facts' forms run
    once for them all first."""
    items = held[:]
    held.clear()
    _settle(items)
    for item in items:
        yield _screen(item, as_of, paths, defer)


def _screen(item: _Held | Screened, as_of: dt.date, paths: Counter[str], defer: bool) -> Screened:
    """One household screened: decided in columns, or run by the engine (not run with ``defer``)."""
    if type(item) is Screened:
        if item.household is not None:
            paths[ENGINE] += 1  # a problem
        return item
    assert type(item) is _Held
    household, facts, bad, engine, decided = item.household, item.facts, item.bad, item.engine, item.decided
    first = min([fact.date for fact in facts]) if facts else None
    if isinstance(decided, _NotQuiet):
        paths[ENGINE] += 1
        if defer:
            return Screened(household, None, bad, engine.policy, first)
        return _on_engine(engine, household, facts, bad, as_of, first)
    paths[COLUMNAR] += 1
    last = decided.last if isinstance(decided, _Framed) else decided
    return Screened(household, _quiet_result(household, engine.policy.label, as_of, last), bad, engine.policy, first)


def _settle(items: list[_Held | Screened]) -> None:
    """Run each kind's forms once over the other facts of the framed households of ``items``,
    and send to the engine each household one of whose facts they do not find quiet."""
    by_kind: dict[tuple[int, type[Fact]], list[tuple[_Held, Fact, Decimal]]] = {}
    plans: dict[int, ColumnarPlan] = {}
    for item in items:
        if isinstance(item, _Held) and isinstance(item.decided, _Framed):
            plan = item.decided.plan
            plans[id(plan)] = plan
            for fact, income in zip(item.decided.facts, item.decided.incomes, strict=True):
                by_kind.setdefault((id(plan), type(fact)), []).append((item, fact, income))
    for (plan_id, kind), rows in by_kind.items():
        plan = plans[plan_id]
        frame = FactFrame(
            plan.parameters,
            _NEW,
            [fact for _, fact, _ in rows],
            [income for _, _, income in rows],
            [item.household.members for item, _, _ in rows],
        )
        for (item, _, _), quiet in zip(rows, quiet_facts(plan.kinds[kind], frame), strict=True):
            if not quiet:
                item.decided = _NOT_QUIET


def _plan(plans: _Plans, policy: Policy) -> ColumnarPlan | None:
    found = plans.get(id(policy))
    if found is None or found[0] is not policy:
        found = plans[id(policy)] = (policy, columnar_plan(policy))
    return found[1]


def _on_engine(
    engine: Engine,
    household: Household,
    facts: Sequence[Fact],
    bad: Sequence[BadRow],
    as_of: dt.date,
    first: dt.date | None,
) -> Screened:
    """The household run by the engine, as ``run_records`` runs it; ``first`` is the date of its earliest fact."""
    try:
        outcome: Outcome = engine.run(household, facts, as_of=as_of)
    except Exception as error:  # one household's failure is that household's problem
        return Screened(household, Problem.from_exception(household.id, error), bad)
    return Screened(household, outcome, bad, engine.policy, first)


class _NotQuiet:
    """What :func:`_quiet` says of a household that is not quiet (None is a quiet household's
    last assessment when it has none up to the as-of date)."""


_NOT_QUIET = _NotQuiet()


def _decide(
    household: Household, facts: Sequence[Fact], as_of: dt.date, plan: ColumnarPlan
) -> IncomeAssessed | _NotQuiet | _Framed | None:
    """What the columnar screen makes of a household: quiet (its last assessment up to
    ``as_of``, None when it has none), :data:`_NOT_QUIET` (the engine runs it), or
    :class:`_Framed` (quiet if its other facts' triggers find nothing in them).

    One pass over the facts stops at the first that sends the household to the engine (an
    assessment under its date's band, a fact of a kind not framed): most households the
    engine must run are known for it at once.
    """
    hid = household.id
    if plan.new_year and _reaches_new_year(facts, as_of):
        return _NOT_QUIET  # each_year:new is routed for it: the engine's to decide
    days, band_of = plan.income.days, plan.income.band_of
    kinds = plan.kinds
    last: IncomeAssessed | None = None
    earliest: dt.date | None = None
    others = False
    for fact in facts:
        if type(fact) is not IncomeAssessed:
            if type(fact) not in kinds:
                return _NOT_QUIET
            others = True
            continue
        if fact.household_id != hid:  # the engine refuses a fact of another household
            return _NOT_QUIET
        day = fact.date
        if day > as_of:
            continue
        band = days[day] if day in days else band_of(day)
        income = fact.income_per_capita
        if band is None or type(income) is not Decimal or not income.is_finite() or income < band:
            return _NOT_QUIET  # (a bad income is the engine's to name)
        if last is None or day > last.date or (day == last.date and fact.id > last.id):
            last = fact  # the last in the engine's order: by date, then id
        if earliest is None or day < earliest:
            earliest = day
    if len({fact.id for fact in facts}) != len(facts):
        return _NOT_QUIET  # the engine drops or refuses a duplicate
    if earliest is not None and earliest < max([m.birth_date for m in household.members], default=earliest):
        return _NOT_QUIET  # the engine refuses an assessment before a member's birth
    if others:
        return _framed(household, facts, as_of, plan)
    return last


def _reaches_new_year(facts: Sequence[Fact], as_of: dt.date) -> bool:
    """True when a 1 January falls after the household's first fact, up to ``as_of``: the clock
    reaches a new year of a household not on file there (the year of the first fact has none)."""
    dates = [fact.date for fact in facts if fact.date <= as_of]
    return bool(dates) and min(dates).year < as_of.year


def _framed(
    household: Household, facts: Sequence[Fact], as_of: dt.date, plan: ColumnarPlan
) -> IncomeAssessed | _NotQuiet | _Framed | None:
    """A household whose assessments are all at or above their bands, with other facts of kinds
    framed: in the engine's order, each other fact must come after an assessment, with that
    income at or above the lifecycle rule's band of its date (the rule finds nothing in it),
    be of the household, name a member of it if it names one, and (a needs check) find every
    need met. Then :class:`_Framed`: its triggers' forms decide (quiet when no trigger looks
    at its facts)."""
    observed = plan.observed
    assert observed is not None  # without it no kind is framed (ColumnarPlan.kinds): never called
    hid = household.id
    members = {member.id for member in household.members}
    kinds = plan.kinds
    last: IncomeAssessed | None = None
    others: list[Fact] = []
    incomes: list[Decimal] = []
    for fact in sorted([fact for fact in facts if fact.date <= as_of], key=_SORT_KEY):
        if type(fact) is IncomeAssessed:
            last = fact
            continue
        if last is None or fact.household_id != hid:
            return _NOT_QUIET  # no income known yet (the rules read none), or another household's fact
        day = fact.date
        band = observed.days[day] if day in observed.days else observed.band_of(day)
        if band is None or last.income_per_capita < band:
            return _NOT_QUIET
        if type(fact) is BasicNeedsChecked and fact.unmet:
            return _NOT_QUIET
        member_id = getattr(fact, "member_id", None)
        if member_id is not None and member_id not in members:
            return _NOT_QUIET  # the engine refuses a member not of the household
        if kinds[type(fact)]:
            others.append(fact)
            incomes.append(last.income_per_capita)
    return _Framed(plan, last, others, incomes) if others else last


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
