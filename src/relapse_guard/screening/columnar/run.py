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
from typing import cast

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
from .dated import DatedBands, dated_bands

__all__ = ["COLUMNAR", "ENGINE", "run_columnar"]

#: The paths a household takes, as a screen's result counts them: decided in columns, or run
#: by the engine.
COLUMNAR, ENGINE = "columnar", "engine"

_NEW = State.NEW
#: By policy (its id, with the policy to tell a new one from one freed and reused): its
#: bands by date, or None when a part declares no vectorised form (its households go to the engine).
_Plans = dict[int, tuple[Policy, DatedBands | None]]


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
    for the caller to run (a what-if sharing two policies' runs, :mod:`relapse_guard.whatif.shared`)."""
    plans: _Plans = {}
    for household, facts, bad in records:
        tally.rows_read += 1 + len(facts) + len(bad)
        if household is None:
            yield Screened(None, None, bad)
            continue
        tally.done += 1  # screened or not: done either way
        try:
            if fact_ids is not None:
                fact_ids.claim(household.id, facts)
            engine = engines.engine_for(household) if isinstance(engines, PolicyChoice) else engines
        except Exception as error:  # one household's failure is that household's problem
            paths[ENGINE] += 1
            yield Screened(household, Problem.from_exception(household.id, error), bad)
        else:
            dated = _plan(plans, engine.policy)
            quiet = _NOT_QUIET if dated is None else _quiet(household, facts, as_of, dated)
            first = min([fact.date for fact in facts]) if facts else None
            if isinstance(quiet, _NotQuiet):
                paths[ENGINE] += 1
                if defer:
                    yield Screened(household, None, bad, engine.policy, first)
                else:
                    yield _on_engine(engine, household, facts, bad, as_of, first)
            else:
                paths[COLUMNAR] += 1
                result = _quiet_result(household, engine.policy.label, as_of, quiet)
                yield Screened(household, result, bad, engine.policy, first)
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


def _plan(plans: _Plans, policy: Policy) -> DatedBands | None:
    found = plans.get(id(policy))
    if found is None or found[0] is not policy:
        found = plans[id(policy)] = (policy, dated_bands(policy))
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


def _quiet(
    household: Household, facts: Sequence[Fact], as_of: dt.date, dated: DatedBands
) -> IncomeAssessed | _NotQuiet | None:
    """A quiet household's last assessment up to ``as_of`` (None when it has none), or
    :data:`_NOT_QUIET`: the engine runs it.

    Each pass stops at the first fact that is not quiet: most households the engine must run
    are known for it at once.
    """
    for fact in facts:  # a fact of another kind first: the cheapest test, and the commonest
        if type(fact) is not IncomeAssessed:
            return _NOT_QUIET
    assessments = cast("Sequence[IncomeAssessed]", facts)  # every one is, as checked above
    hid = household.id
    days, band_of = dated.days, dated.band_of
    last: IncomeAssessed | None = None
    earliest: dt.date | None = None
    for fact in assessments:
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
    return last


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
