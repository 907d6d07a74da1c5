from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given

from relapse_guard import HouseAppraised, IncomeAssessed, State
from relapse_guard.decisions import Risk, Severity
from relapse_guard.facts import HousingGrade
from relapse_guard.triggers import IncomeDropTrigger, Trigger

from .conftest import DAY, NOT_ON_FILE, ON_FILE, amounts, evidence, incomes, make_ctx, states, used

TRIGGER = IncomeDropTrigger()


def assessed(income: str | Decimal, *, date: dt.date = DAY, fid: str = "i1") -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="h1", date=date, income_per_capita=Decimal(income))


def detect(
    income: str | Decimal, *, state: State, previous: str | Decimal | None = None, date: dt.date = DAY
) -> Risk | None:
    # The engine applies the assessed income before running triggers: the context holds it.
    return TRIGGER.detect(
        assessed(income, date=date), make_ctx(state=state, income=income, previous=previous, date=date)
    )


def test_is_a_trigger_of_income_assessments() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "income_drop"
    assert TRIGGER.prefix == "triggers.income_drop"
    assert TRIGGER.fact_kinds == (IncomeAssessed,)


def test_other_fact_kinds_are_ignored() -> None:
    fact = HouseAppraised(id="x", household_id="h1", date=DAY, grade=HousingGrade.D)
    assert TRIGGER.detect(fact, make_ctx(income="0")) is None


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize(
    ("income", "severity"),
    [
        ("0", Severity.SEVERE),
        ("1799.99", Severity.SEVERE),
        ("1800", Severity.HIGH),  # exactly half the line
        ("1800.01", Severity.HIGH),
        ("3599.99", Severity.HIGH),
    ],
)
def test_below_the_line_in_any_state(state: State, income: str, severity: Severity) -> None:
    risk = detect(income, state=state)
    assert risk is not None
    assert risk.severity is severity
    assert evidence(risk)["finding"] == "below the poverty line"


#: Households on file under support (the safety net's own means test follows their income).
SUPPORTED = (State.IDENTIFIED, State.ASSISTED, State.RELAPSED)
#: Exited households in their transition period: unstable when their income is in the monitoring range.
EXITED = (State.EXITED, State.MONITORED)
assert set(SUPPORTED) | set(EXITED) == set(ON_FILE)


@pytest.mark.parametrize("state", SUPPORTED)
@pytest.mark.parametrize("income", ["3600", "3600.00", "3600.01", "5399.99", "9000"])
def test_households_under_support_at_or_above_the_line_raise_nothing(state: State, income: str) -> None:
    assert detect(income, state=state) is None


@pytest.mark.parametrize("state", EXITED)
@pytest.mark.parametrize(
    ("income", "fires"), [("3600", True), ("5399.99", True), ("5400", False), ("5400.01", False), ("9000", False)]
)
def test_exited_households_in_the_monitoring_range_are_unstable(state: State, income: str, fires: bool) -> None:
    """domain-assistance.md 3.1: an exited household with income in the monitoring range (under
    1.5 x the line) is an unstable exited household, a target of monitoring."""
    risk = detect(income, state=state)
    assert (risk is not None) is fires
    if risk is not None:
        assert risk.severity is Severity.LOW
        assert risk.key == f"income_drop:h1:unstable_exited:{state.value}:2016"
        assert evidence(risk)["finding"] == "unstable exited household in the monitoring range"


@pytest.mark.parametrize("state", NOT_ON_FILE)
@pytest.mark.parametrize(
    ("income", "fires"), [("3600", True), ("5399.99", True), ("5400", False), ("5400.01", False), ("9000", False)]
)
def test_edge_households_near_the_line_are_low(state: State, income: str, fires: bool) -> None:
    risk = detect(income, state=state)
    assert (risk is not None) is fires
    if risk is not None:
        assert risk.severity is Severity.LOW
        assert evidence(risk)["finding"] == "edge household near the line"


def test_below_the_line_content_and_parameters() -> None:
    risk = detect("1799.99", state=State.MONITORED, previous="4100")
    assert risk is not None
    assert risk.kind == "income_drop"
    assert risk.trigger == "income_drop"
    assert risk.cost == Decimal(0)
    assert risk.member_id is None
    assert risk.key == "income_drop:h1:below:monitored:2016"
    assert risk.evidence == (
        ("income_per_capita", "1799.99"),
        ("poverty_line", "3600"),
        ("household_status", "on file (monitored)"),
        ("half_poverty_line", "1800"),
        ("finding", "below the poverty line"),
        ("previous_income_per_capita", "4100"),
        ("change_per_capita", "-2300.01"),
        ("reason", "income per capita 1799.99 < half the poverty line 1800; fell by 2300.01 from 4100"),
    )
    # Households below the line do not need the monitoring threshold: it is not read.
    assert used(risk) == [("poverty_line", "3600", "2016-01-01")]


def test_edge_content_and_parameters() -> None:
    risk = detect("5000", state=State.NEW)
    assert risk is not None
    assert risk.evidence == (
        ("income_per_capita", "5000"),
        ("poverty_line", "3600"),
        ("household_status", "not on file (new)"),
        ("monitoring_threshold", "5400.00"),
        ("finding", "edge household near the line"),
        ("reason", "edge household near the line: income per capita 5000 < monitoring threshold 1.5 x 3600 = 5400.00"),
    )
    assert used(risk) == [("poverty_line", "3600", "2016-01-01"), ("monitoring.threshold_ratio", "1.5", "2015-01-01")]


def test_unstable_exited_content_and_parameters() -> None:
    risk = detect("4000", state=State.MONITORED, previous="8000")
    assert risk is not None
    assert risk.evidence == (
        ("income_per_capita", "4000"),
        ("poverty_line", "3600"),
        ("household_status", "on file (monitored)"),
        ("monitoring_threshold", "5400.00"),
        ("finding", "unstable exited household in the monitoring range"),
        ("previous_income_per_capita", "8000"),
        ("change_per_capita", "-4000"),
        (
            "reason",
            "unstable exited household in the monitoring range: income per capita 4000 < monitoring threshold"
            " 1.5 x 3600 = 5400.00; fell by 4000 from 8000",
        ),
    )
    assert used(risk) == [("poverty_line", "3600", "2016-01-01"), ("monitoring.threshold_ratio", "1.5", "2015-01-01")]


def test_a_rise_is_shown_with_its_sign_and_no_fall() -> None:
    risk = detect("3500", state=State.RELAPSED, previous="3000")
    assert risk is not None
    assert evidence(risk)["change_per_capita"] == "+500"
    assert evidence(risk)["reason"] == "income per capita 3500 < poverty line 3600"


def test_an_unchanged_income_is_shown_as_zero_change() -> None:
    risk = detect("3500", state=State.RELAPSED, previous="3500")
    assert risk is not None
    assert evidence(risk)["change_per_capita"] == "0"


def test_no_previous_income_means_no_fall_evidence() -> None:
    risk = detect("3500", state=State.EXITED)
    assert risk is not None
    assert "previous_income_per_capita" not in evidence(risk)
    assert "change_per_capita" not in evidence(risk)


def test_poverty_line_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # The line is 2760 in 2015 and 3600 from 2016-01-01.
    assert detect("3000", state=State.ASSISTED, date=dt.date(2015, 12, 31)) is None
    before = detect("3000", state=State.MONITORED, date=dt.date(2015, 12, 31))
    assert before is not None
    assert before.severity is Severity.LOW  # in the range: 2760 <= 3000 < 4140
    risk = detect("3000", state=State.MONITORED, date=dt.date(2016, 1, 1))
    assert risk is not None
    assert risk.severity is Severity.HIGH
    assert used(risk) == [("poverty_line", "3600", "2016-01-01")]


def test_threshold_ratio_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # The ratio is 1.5 (threshold 5400) in 2016 and 2 (threshold 7200) from 2017-01-01.
    assert detect("6000", state=State.STABLE, date=dt.date(2016, 12, 31)) is None
    risk = detect("6000", state=State.STABLE, date=dt.date(2017, 1, 1))
    assert risk is not None
    assert risk.severity is Severity.LOW
    assert evidence(risk)["monitoring_threshold"] == "7200.00"
    assert used(risk) == [("poverty_line", "3600", "2016-01-01"), ("monitoring.threshold_ratio", "2", "2017-01-01")]


@given(income=amounts, previous=incomes, state=states)
def test_fires_iff_below_the_thresholds(income: Decimal, previous: Decimal | None, state: State) -> None:
    risk = detect(income, state=state, previous=previous)
    line = Decimal(3600)
    watched = state in NOT_ON_FILE or state in EXITED  # edge households, and exited ones in their transition
    assert (risk is not None) is (income < line or (watched and income < Decimal("1.5") * line))
    if risk is None:
        return
    if income < line / 2:
        assert risk.severity is Severity.SEVERE
    elif income < line:
        assert risk.severity is Severity.HIGH
    else:
        assert risk.severity is Severity.LOW
    assert (risk.get("previous_income_per_capita") is None) is (previous is None)
    assert risk.cost == 0
