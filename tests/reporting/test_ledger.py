"""Money of a household by intervention and by month, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import HouseholdResult, State
from relapse_guard.decisions import Grant, Period
from relapse_guard.reporting import Money, household_money, month_index, month_label

D = dt.date


def grant(
    name: str,
    on: dt.date,
    amount: str | None,
    period: Period = Period.ONE_OFF,
    *,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    prorated: bool = False,
) -> Grant:
    return Grant(
        intervention=name,
        household_id="h1",
        date=on,
        risk_key=f"{name}:{on}",
        amount=None if amount is None else Decimal(amount),
        period=period,
        service=None if amount is not None else "training",
        starts=starts,
        ends=ends,
        prorated=prorated,
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
    # safety net 100 a month from February, replaced by 150 from May, to June: 3 x 100 + 2 x 150.
    outcome = result(
        grant("safety_net", D(2016, 1, 15), "100", Period.MONTHLY, starts=D(2016, 2, 1), ends=D(2016, 5, 1)),
        grant("insurance", D(2016, 1, 15), "60", Period.YEARLY),
        grant("medical_aid", D(2016, 2, 10), "500"),
        grant("training", D(2016, 3, 1), None),
        grant("safety_net", D(2016, 4, 3), "150", Period.MONTHLY, starts=D(2016, 5, 1)),
    )
    money = household_money(outcome, D(2016, 6, 30))
    assert money.by_intervention == {
        "insurance": Money(granted=Decimal(60)),
        "medical_aid": Money(granted=Decimal(500)),
        "safety_net": Money(monthly_in_force=Decimal(150), monthly_to_date=Decimal(600)),
    }
    jan, feb, may = month_index(D(2016, 1, 1)), month_index(D(2016, 2, 1)), month_index(D(2016, 5, 1))
    assert money.granted_by_month == {jan: Decimal(60), feb: Decimal(500)}
    assert money.monthly_changes == {feb: Decimal(100), may: Decimal(50)}
    # the result's own figures are the same
    for name, line in outcome.money().items():
        report = money.by_intervention[name]
        assert (line.one_off, line.monthly_in_force, line.paid_to_date) == (
            report.granted,
            report.monthly_in_force,
            report.total_to_date,
        )


def test_an_entitlement_ended_before_it_started_counts_nothing_and_the_as_of_month_counts() -> None:
    outcome = result(
        grant("safety_net", D(2016, 5, 2), "80", Period.MONTHLY, starts=D(2016, 6, 1), ends=D(2016, 6, 1)),
        grant("safety_net", D(2016, 5, 20), "90", Period.MONTHLY, starts=D(2016, 6, 1)),
    )
    money = household_money(outcome, D(2016, 6, 30))
    assert money.by_intervention["safety_net"] == Money(monthly_in_force=Decimal(90), monthly_to_date=Decimal(90))
    assert money.monthly_changes == {month_index(D(2016, 6, 1)): Decimal(90)}


def test_prorated_months_change_by_what_each_month_owes() -> None:
    # 310 a month, prorated, from 16 Mar to 10 May: March 16/31 = 160.00, April 310, May 9/31 = 90.00
    outcome = result(
        grant("care", D(2016, 3, 16), "310", Period.MONTHLY, starts=D(2016, 3, 16), ends=D(2016, 5, 10), prorated=True)
    )
    money = household_money(outcome, D(2016, 6, 30))
    assert money.by_intervention["care"] == Money(monthly_in_force=Decimal(0), monthly_to_date=Decimal("560.00"))
    mar, apr, may, jun = (month_index(D(2016, m, 1)) for m in (3, 4, 5, 6))
    assert money.monthly_changes == {
        mar: Decimal("160.00"),
        apr: Decimal("150.00"),
        may: Decimal("-220.00"),
        jun: Decimal("-90.00"),
    }


def test_money_adds_up() -> None:
    one = Money(Decimal(1), Decimal(2), Decimal(3))
    assert one + one == Money(Decimal(2), Decimal(4), Decimal(6))
    assert one.total_to_date == Decimal(4)
