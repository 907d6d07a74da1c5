"""Safety-net top-up: (standard - monthly income left per person) x members, monthly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Grant, Period
from relapse_guard.interventions import Intervention, SafetyNetTopUp
from relapse_guard.money import FEN, to_money

from .helpers import D2015, D2016, context, declined, risk, used, with_params

TOP_UP = SafetyNetTopUp()


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(TOP_UP, Intervention)
    assert TOP_UP.name == "safety_net"
    assert TOP_UP.prefix == "safety_net"


def test_gap_times_members_with_the_basis_spelled_out() -> None:
    grant = TOP_UP.grant(risk(), context(size=3, income=2500))
    assert isinstance(grant, Grant)
    # 2500 / 12 = 208.333... -> 208.33; (300 - 208.33) x 3 = 275.01
    assert grant.amount == Decimal("275.01")
    assert grant.period is Period.MONTHLY
    assert grant.persons == 3
    assert grant.service is None
    assert grant.emergency is False
    assert grant.intervention == "safety_net"
    assert grant.risk_key == "k"
    assert grant.date == D2016
    assert grant.basis.startswith("(300.00 - 208.33) x 3 members = 275.01 per month")
    assert "2500.00 a year / 12" in grant.basis


def test_standard_picked_by_date_230_then_300_from_2016() -> None:
    # 2400 a year = 200.00 a month per person, 2 members
    before = TOP_UP.grant(risk(date=D2015), context(size=2, income=2400, date=D2015))
    last_day = TOP_UP.grant(risk(), context(size=2, income=2400, date=dt.date(2015, 12, 31)))
    first_day = TOP_UP.grant(risk(), context(size=2, income=2400, date=dt.date(2016, 1, 1)))
    assert isinstance(before, Grant)
    assert isinstance(last_day, Grant)
    assert isinstance(first_day, Grant)
    assert before.amount == Decimal("60.00")  # (230 - 200) x 2
    assert last_day.amount == Decimal("60.00")
    assert first_day.amount == Decimal("200.00")  # (300 - 200) x 2
    assert used(before) == {"safety_net.standard": ("230", dt.date(2015, 1, 1))}
    assert used(first_day) == {"safety_net.standard": ("300", dt.date(2016, 1, 1))}
    assert first_day.basis.startswith("(300.00 - 200.00) x 2 members = 200.00 per month")


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("3599.88", Decimal("0.03")),  # 299.99 a month: gap 0.01 x 3
        ("3599.93", Decimal("0.03")),  # 299.9941... rounds down to 299.99
        ("0", Decimal("900.00")),  # no income: the whole standard for each member
    ],
)
def test_at_and_around_the_standard(income: str, expected: Decimal) -> None:
    grant = TOP_UP.grant(risk(), context(size=3, income=income))
    assert isinstance(grant, Grant)
    assert grant.amount == expected


@pytest.mark.parametrize(
    ("income", "monthly"),
    [
        ("3600", "300.00"),  # exactly 300.00 a month: no gap
        ("3600.12", "300.01"),  # above the standard
        ("36000", "3000.00"),
        ("3599.94", "300.00"),  # 299.995 rounds half-up to 300.00: no gap left
        ("5000", "416.67"),
    ],
)
def test_declined_at_or_above_the_standard(income: str, monthly: str) -> None:
    assert declined(TOP_UP.grant(risk(), context(size=3, income=income))) == (
        f"no safety-net gap: monthly income left per person {monthly} >= standard 300.00"
    )


def test_income_left_after_the_risks_cost() -> None:
    # 3000 a year per person; a cost of 1800 over 3 members is 600 per person: 2400 left = 200.00 a month
    grant = TOP_UP.grant(risk(cost=1800), context(size=3, income=3000))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("300.00")
    assert grant.basis.startswith("(300.00 - 200.00) x 3 members = 300.00 per month")
    assert "cost of 1800.00" in grant.basis
    # without the cost, 250.00 a month: (300 - 250) x 3
    no_cost = TOP_UP.grant(risk(), context(size=3, income=3000))
    assert isinstance(no_cost, Grant)
    assert no_cost.amount == Decimal("150.00")


def test_cost_above_income_leaves_nothing_never_less() -> None:
    grant = TOP_UP.grant(risk(cost=100000), context(size=4, income=5000))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("1200.00")  # (300 - 0) x 4, never more


def test_declined_when_income_never_assessed() -> None:
    assert declined(TOP_UP.grant(risk(cost=5000), context(income=None))) == "income never assessed"


def test_responsible_from_parameter_or_default() -> None:
    grant = TOP_UP.grant(risk(), context(income=0))
    assert isinstance(grant, Grant)
    assert grant.responsible == "town civil affairs office"
    params = with_params('[safety_net.responsible]\nvalues = { 2015-01-01 = "Yubei civil affairs bureau" }')
    grant = TOP_UP.grant(risk(), context(income=0, parameters=params))
    assert isinstance(grant, Grant)
    assert grant.responsible == "Yubei civil affairs bureau"


def test_custom_prefix_reads_its_own_standard() -> None:
    params = with_params("[urban_dibao.standard]\nvalues = { 2016-01-01 = 450 }")
    grant = SafetyNetTopUp(name="urban", prefix="urban_dibao").grant(
        risk(), context(size=1, income=3600, parameters=params)
    )
    assert isinstance(grant, Grant)
    assert grant.intervention == "urban"
    assert grant.amount == Decimal("150.00")
    assert used(grant) == {"urban_dibao.standard": ("450", dt.date(2016, 1, 1))}


def test_a_standard_finer_than_the_fen_never_pays_zero() -> None:
    params = with_params("[safety_net.standard]\nvalues = { 2016-01-01 = 300.004 }")
    assert declined(TOP_UP.grant(risk(), context(size=1, income=3600, parameters=params))) == (
        "safety-net gap 0.004 (300.004 - 300.00) x 1 member = 0.00: less than a fen to pay"
    )


_incomes = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)
_costs = st.decimals(min_value=0, max_value=60000, places=2, allow_nan=False, allow_infinity=False)
_sizes = st.integers(min_value=1, max_value=9)
_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2017, 12, 31))


@given(income=_incomes, cost=_costs, size=_sizes, on=_dates)
def test_gap_fill_reaches_the_standard_and_never_lifts_above_it(
    income: Decimal, cost: Decimal, size: int, on: dt.date
) -> None:
    ctx = context(size=size, income=income, date=on)
    the_risk = risk(cost=cost, date=on)
    grant = TOP_UP.grant(the_risk, ctx)
    standard = Decimal(230) if on < dt.date(2016, 1, 1) else Decimal(300)
    left = ctx.income_left_per_capita(the_risk)
    assert left is not None
    monthly = left / 12
    gap = standard - to_money(monthly)
    if gap <= 0:
        assert declined(grant) == (
            f"no safety-net gap: monthly income left per person {to_money(monthly)} >= standard {standard}.00"
        )
        return
    assert isinstance(grant, Grant)
    assert grant.amount is not None
    assert grant.amount > 0
    assert grant.amount == grant.amount.quantize(FEN)
    assert grant.amount.as_tuple().exponent == -2
    assert grant.amount == gap * size  # equals the gap, for every member
    topped_up = monthly + grant.amount / size
    assert topped_up <= standard + FEN / 2  # never lifted above the standard (but for half a fen of rounding)
    assert topped_up >= standard - FEN / 2  # and the gap is filled
