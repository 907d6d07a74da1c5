"""A risk's cost weighs on the income left for ``income_left.open_risk_months`` from its date, then no more.

A safety-net top-up granted for a hospital bill was worked out on the income left after the
bill, and its re-checks compared only the income with the income it was set on: a household
earning 2.7 times the standard kept the top-up for years after a one-off bill.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.entitlements import add_months, first_of_next_month
from relapse_guard.facts import Fact, IllnessReported
from relapse_guard.interventions.safety_net import monthly_top_up

D = dt.date
YUBEI = load_policy("yubei_2016")  # income_left.open_risk_months = 12; standard 300 from 2016


def _household(size: int) -> Household:
    members = [{"id": f"H-{n}", "birth_date": "1960-01-01"} for n in range(size)]
    return Household.from_dict(
        {"id": "H", "place": {"district": "Yubei", "town": "T", "village": "V"}, "members": members}
    )


def _monthly(start: dt.date, months: int, income: Decimal, day: int = 20) -> list[Fact]:
    facts: list[Fact] = []
    for n in range(months):
        on = add_months(D(start.year, start.month, day), n)
        facts.append(IncomeAssessed(id=f"i{n:02d}", household_id="H", date=on, income_per_capita=income))
    return facts


def test_a_top_up_granted_for_a_bill_ends_once_the_bill_no_longer_weighs() -> None:
    # A bill of 60000: medical aid pays its yearly cap, 30000, and the household bears 30000,
    # which leaves nothing of 2 x 9500 a year: (300 - 0) x 2 = 600.00 a month.
    facts = [
        IncomeAssessed(id="i-first", household_id="H", date=D(2016, 1, 10), income_per_capita=Decimal(9500)),
        IllnessReported(
            id="ill",
            household_id="H",
            date=D(2016, 2, 17),
            member_id="H-0",
            self_paid_cost=Decimal(60000),
            hospitalised=True,
        ),
        *_monthly(D(2016, 3, 1), 34, Decimal(9600)),
    ]
    result = Engine(YUBEI).run(_household(2), facts, as_of=D(2018, 12, 31))
    (top_up,) = [grant for grant in result.grants if grant.intervention == "safety_net"]
    assert top_up.amount == Decimal("600.00")
    assert top_up.ends == D(2017, 3, 1)  # owed March 2016 to February 2017: twelve months, not 34
    (ended,) = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_ENDED]
    assert ended.date == D(2017, 2, 20)  # the first assessment after 2017-02-17
    assert "no longer weighs on the income left" in ended.explanation
    assert "income_left.open_risk_months" in {parameter.name for parameter in ended.parameters}
    assert result.money()["safety_net"].paid_to_date == Decimal("7200.00")


def test_within_the_window_the_bill_still_weighs() -> None:
    facts = [
        IncomeAssessed(id="i-first", household_id="H", date=D(2016, 1, 10), income_per_capita=Decimal(9500)),
        IllnessReported(
            id="ill", household_id="H", date=D(2016, 2, 17), member_id="H-0", self_paid_cost=Decimal(60000)
        ),
        *_monthly(D(2016, 3, 1), 11, Decimal(9600)),  # the last on 2017-01-20
    ]
    result = Engine(YUBEI).run(_household(2), facts, as_of=D(2017, 1, 31))
    in_force = result.monthly_in_force(D(2017, 1, 31))
    assert in_force["safety_net"].amount == Decimal("600.00")


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 5),
    income=st.integers(0, 9000).map(Decimal),
    cost=st.integers(0, 60000).map(Decimal),
    ill_on=st.dates(D(2016, 1, 1), D(2016, 12, 31)),
    day=st.integers(1, 28),
    later=st.integers(-800, 800).map(Decimal),
)
def test_after_the_window_the_top_up_is_worked_out_on_the_income_alone(
    size: int, income: Decimal, cost: Decimal, ill_on: dt.date, day: int, later: Decimal
) -> None:
    # Monthly assessments of one income, and of another after the illness's month; when the
    # illness's cost weighed on the top-up running, the first assessment once the cost is older
    # than 12 months sets the top-up on its income alone.
    before = _monthly(D(2016, 1, 1), ill_on.month, income, day)
    after = [
        IncomeAssessed(
            id=f"j{n:02d}", household_id="H", date=fact.date, income_per_capita=max(income + later, Decimal(0))
        )
        for n, fact in enumerate(_monthly(add_months(D(ill_on.year, ill_on.month, 1), 1), 24, income, day))
    ]
    illness = IllnessReported(id="ill", household_id="H", date=ill_on, member_id="H-0", self_paid_cost=cost)
    facts = [*before, illness, *after]
    result = Engine(YUBEI).run(_household(size), facts, as_of=D(2018, 12, 31))
    lapse = next(fact for fact in after if add_months(fact.date, -12) >= ill_on)
    assert isinstance(lapse, IncomeAssessed)
    running = result.monthly_in_force(lapse.date - dt.timedelta(days=1)).get("safety_net")
    if not cost or running is None or running.date < ill_on:
        return  # no cost weighed on the top-up running (re-checks keep it on the income alone)
    expected = monthly_top_up(lapse.income_per_capita, Decimal(0), size, Decimal(300))
    found = result.monthly_in_force(first_of_next_month(lapse.date)).get("safety_net")
    if expected is None:
        assert found is None, found
    else:
        assert found is not None, expected
        assert found.amount == expected, (found, expected)
