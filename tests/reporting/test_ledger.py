"""Money of a household by intervention and by month, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import HouseholdResult, State
from relapse_guard.decisions import Grant, Period
from relapse_guard.reporting import Money, household_money, month_index, month_label

D = dt.date


def grant(name: str, on: dt.date, amount: str | None, period: Period = Period.ONE_OFF) -> Grant:
    return Grant(
        intervention=name,
        household_id="h1",
        date=on,
        risk_key=f"{name}:{on}",
        amount=None if amount is None else Decimal(amount),
        period=period,
        service=None if amount is not None else "training",
    )


def result(*grants: Grant) -> HouseholdResult:
    return HouseholdResult(
        household_id="h1",
        policy="p@1",
        as_of=D(2016, 6, 30),
        state=State.ASSISTED,
        state_since=D(2016, 1, 15),
        income_per_capita=None,
        monitoring_starts_on=None,
        monitoring_ends_on=None,
        decisions=(),
        risks=(),
        grants=grants,
    )


def test_months_are_numbered_and_labelled() -> None:
    assert month_index(D(2016, 1, 31)) + 1 == month_index(D(2016, 2, 1))
    assert month_label(month_index(D(2016, 12, 5))) == "2016-12"
    assert month_label(month_index(D(2017, 1, 1))) == "2017-01"


def test_monthly_grants_count_each_month_in_force_until_replaced() -> None:
    # safety net 100 a month from January, replaced by 150 from April, to June: 3 x 100 + 3 x 150.
    outcome = result(
        grant("safety_net", D(2016, 1, 15), "100", Period.MONTHLY),
        grant("insurance", D(2016, 1, 15), "60", Period.YEARLY),
        grant("medical_aid", D(2016, 2, 10), "500"),
        grant("training", D(2016, 3, 1), None),
        grant("safety_net", D(2016, 4, 3), "150", Period.MONTHLY),
    )
    money = household_money(outcome, D(2016, 6, 30))
    assert money.by_intervention == {
        "insurance": Money(granted=Decimal(60)),
        "medical_aid": Money(granted=Decimal(500)),
        "safety_net": Money(monthly_in_force=Decimal(150), monthly_to_date=Decimal(750)),
    }
    jan, feb, apr = month_index(D(2016, 1, 1)), month_index(D(2016, 2, 1)), month_index(D(2016, 4, 1))
    assert money.granted_by_month == {jan: Decimal(60), feb: Decimal(500)}
    assert money.monthly_changes == {jan: Decimal(100), apr: Decimal(50)}
    # one-off and yearly plus monthly in force is what money_granted counts
    assert {name: m.as_screened for name, m in money.by_intervention.items()} == outcome.money_granted()


def test_a_grant_replaced_within_its_month_counts_nothing_and_the_as_of_month_counts() -> None:
    outcome = result(
        grant("safety_net", D(2016, 6, 2), "80", Period.MONTHLY),
        grant("safety_net", D(2016, 6, 20), "90", Period.MONTHLY),
    )
    money = household_money(outcome, D(2016, 6, 30))
    assert money.by_intervention["safety_net"] == Money(monthly_in_force=Decimal(90), monthly_to_date=Decimal(90))
    assert money.monthly_changes == {month_index(D(2016, 6, 1)): Decimal(90)}


def test_money_adds_up() -> None:
    one = Money(Decimal(1), Decimal(2), Decimal(3))
    assert one + one == Money(Decimal(2), Decimal(4), Decimal(6))
    assert (one.total_to_date, one.as_screened) == (Decimal(4), Decimal(3))
