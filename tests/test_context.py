"""Context: a read-only view that the engine moves through one method, ``refresh``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import hypothesis.strategies as st
from hypothesis import given

from relapse_guard.context import Context
from relapse_guard.decisions import Grant, Risk, Severity
from relapse_guard.facts import BasicNeed, HousingGrade
from relapse_guard.household import Household, Member, Place
from relapse_guard.lifecycle import State
from relapse_guard.parameters import ParameterValue
from relapse_guard.policies import load_policy

PARAMETERS = load_policy("chongqing_2016").parameters
HOUSEHOLD = Household(
    id="H1", place=Place("Yubei", "Town", "Village"), members=[Member(id="H1-1", birth_date=dt.date(1970, 1, 1))]
)


@attrs.define
class Now:
    """The household as a run holds it (what ``refresh`` reads)."""

    state: State = State.NEW
    income: Decimal | None = None
    previous_income: Decimal | None = None
    unmet: frozenset[BasicNeed] = frozenset()
    housing_grade: HousingGrade | None = None
    pending: list[tuple[Risk, Grant]] = attrs.Factory(list)


def context(date: dt.date, **kwargs: object) -> Context:
    return Context(household=HOUSEHOLD, date=date, state=State.NEW, parameters=PARAMETERS, **kwargs)  # type: ignore[arg-type]


def test_refresh_moves_to_the_date_and_reads_parameters_of_that_date() -> None:
    ctx = context(dt.date(2015, 6, 1))
    assert ctx.poverty_line == 2760
    ctx.refresh(dt.date(2016, 6, 1), Now())
    assert ctx.date == dt.date(2016, 6, 1)
    assert ctx.poverty_line == 3600
    assert [(p.name, p.effective_from) for p in ctx.used_parameters()] == [("poverty_line", dt.date(2015, 1, 1))]
    ctx.reset_used()
    assert ctx.poverty_line == 3600
    assert [p.effective_from for p in ctx.used_parameters()] == [dt.date(2016, 1, 1)]


@given(
    state=st.sampled_from(State),
    income=st.none() | st.decimals(min_value=0, max_value=100_000, places=2),
    previous=st.none() | st.decimals(min_value=0, max_value=100_000, places=2),
    unmet=st.frozensets(st.sampled_from(BasicNeed)),
    grade=st.none() | st.sampled_from(HousingGrade),
)
def test_refresh_shows_the_household_as_the_run_holds_it(
    state: State,
    income: Decimal | None,
    previous: Decimal | None,
    unmet: frozenset[BasicNeed],
    grade: HousingGrade | None,
) -> None:
    ctx = context(dt.date(2016, 1, 1))
    ctx.refresh(dt.date(2016, 1, 1), Now(state, income, previous, unmet, grade))
    assert (ctx.state, ctx.income_per_capita, ctx.previous_income_per_capita, ctx.unmet_needs, ctx.housing_grade) == (
        state,
        income,
        previous,
        unmet,
        grade,
    )
    if income is not None:
        assert ctx.monthly_income_per_capita == income / 12


def test_contexts_share_the_look_ups_that_values_on_gives() -> None:
    looked_up: dict[dt.date, dict[str, ParameterValue]] = {}

    def values_on(date: dt.date) -> dict[str, ParameterValue]:
        return looked_up.setdefault(date, {})

    first = context(dt.date(2016, 3, 1), values_on=values_on)
    assert first.poverty_line == 3600
    assert set(looked_up[dt.date(2016, 3, 1)]) == {"poverty_line"}
    second = context(dt.date(2016, 3, 1), values_on=values_on)
    assert second._seen is first._seen  # one look-up per date, shared
    second.refresh(dt.date(2016, 4, 1), Now())
    assert second._seen is looked_up[dt.date(2016, 4, 1)]


def _waiting(key: str, on: dt.date) -> tuple[Risk, Grant]:
    risk = Risk(
        kind="illness", household_id="H1", date=on, severity=Severity.HIGH, trigger="illness", fact_id=key, key=key
    )
    grant = Grant(intervention="temporary_relief", household_id="H1", date=on, risk_key=key, amount=Decimal(3000))
    return risk, grant


def test_pending_are_the_grants_waiting_for_a_case_as_the_run_holds_them() -> None:
    first, second = _waiting("a", dt.date(2016, 3, 10)), _waiting("b", dt.date(2016, 5, 10))
    held: list[tuple[Risk, Grant]] = [first]
    ctx = context(dt.date(2016, 3, 10), pending=held)
    assert ctx.pending == [first[1]]
    assert ctx.grants == ()  # not paid
    held.append(second)  # a route holds another: seen at once
    assert ctx.pending == [first[1], second[1]]
    # a decided case leaves the run a new list of those still waiting: seen from the next refresh
    ctx.refresh(dt.date(2016, 6, 1), Now(pending=[second]))
    assert ctx.pending == [second[1]]
    assert context(dt.date(2016, 6, 1)).pending == []
