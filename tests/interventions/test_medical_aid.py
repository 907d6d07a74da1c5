"""Medical aid: share x self-paid cost, within what is left of the yearly cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Declined, Grant, Period
from relapse_guard.interventions import Intervention, MedicalAid
from relapse_guard.money import to_money

from .helpers import context, declined, past_grant, risk, used

AID = MedicalAid()
ON_SAFETY_NET = (past_grant("safety_net", "275.01", date=dt.date(2015, 12, 1), period=Period.MONTHLY),)


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(AID, Intervention)
    assert (AID.name, AID.prefix) == ("medical_aid", "medical_aid")


def test_share_of_the_self_paid_cost() -> None:
    grant = AID.grant(risk(cost=10000, member_id="h1-m0"), context())
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("6000.00")
    assert grant.period is Period.ONE_OFF
    assert grant.persons == 1
    assert grant.basis == (
        "0.6 x 10000.00 self-paid = 6000.00 (household share); yearly cap 30000.00 - 0.00 already granted"
        " in 2016 = 30000.00 left; min = 6000.00 one-off"
    )
    assert used(grant) == {
        "medical_aid.share": ("0.6", dt.date(2015, 1, 1)),
        "medical_aid.yearly_cap": ("30000", dt.date(2015, 1, 1)),
    }


def test_higher_share_for_safety_net_households() -> None:
    grant = AID.grant(risk(cost=10000), context(grants=ON_SAFETY_NET))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("7000.00")
    assert "(safety-net household share)" in grant.basis
    assert "medical_aid.share_safety_net" in used(grant)
    assert "medical_aid.share" not in used(grant)


def test_rounded_half_up_to_the_fen() -> None:
    grant = AID.grant(risk(cost="1234.56"), context())  # 0.6 x 1234.56 = 740.736
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("740.74")
    grant = AID.grant(risk(cost="0.025"), context())  # 0.6 x 0.025 = 0.015 -> 0.02
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("0.02")


@pytest.mark.parametrize(
    ("already", "expected"),
    [
        ("0", Decimal("6000.00")),
        ("24000", Decimal("6000.00")),  # exactly fits under the cap
        ("24000.01", Decimal("5999.99")),
        ("25000", Decimal("5000.00")),
        ("29999.99", Decimal("0.01")),
    ],
)
def test_limited_to_what_is_left_under_the_yearly_cap(already: str, expected: Decimal) -> None:
    earlier = (past_grant("medical_aid", already, date=dt.date(2016, 2, 1)),)
    grant = AID.grant(risk(cost=10000), context(grants=earlier))
    assert isinstance(grant, Grant)
    assert grant.amount == expected


@pytest.mark.parametrize(
    "already",
    [
        "30000",  # the cap is used up
        "31000",  # more than the cap (a cap lowered since): nothing, never negative
    ],
)
def test_declined_when_the_yearly_cap_is_used_up(already: str) -> None:
    earlier = (past_grant("medical_aid", already, date=dt.date(2017, 2, 1)),)
    on = dt.date(2017, 5, 1)
    result = AID.grant(risk(cost=10000, date=on), context(grants=earlier, date=on))
    assert declined(result) == f"medical aid cap 30000.00 used up in 2017: {already}.00 already granted"


def test_the_cap_is_per_calendar_year() -> None:
    earlier = (
        past_grant("medical_aid", "20000", date=dt.date(2015, 12, 31)),
        past_grant("medical_aid", "5000", date=dt.date(2016, 1, 1)),
        past_grant("temporary_relief", "3000", date=dt.date(2016, 2, 1)),  # another intervention: not counted
    )
    grant = AID.grant(risk(cost=100000), context(grants=earlier))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("25000.00")  # 30000 - 5000 granted in 2016
    assert "30000.00 - 5000.00 already granted in 2016 = 25000.00 left" in grant.basis


def test_a_renamed_instance_counts_its_own_grants() -> None:
    earlier = (past_grant("medical_aid", "30000", date=dt.date(2016, 2, 1)),)
    grant = MedicalAid(name="red_cross_relief").grant(risk(cost=1000), context(grants=earlier))
    assert isinstance(grant, Grant)
    assert grant.intervention == "red_cross_relief"
    assert grant.amount == Decimal("600.00")


def test_declined_without_a_cost() -> None:
    assert declined(AID.grant(risk(cost=0), context())) == "no self-paid medical cost: cost 0.00"


def test_declined_when_the_share_is_less_than_a_fen() -> None:
    assert declined(AID.grant(risk(cost="0.008"), context())) == (
        "medical aid comes to nothing: 0.6 x 0.01 self-paid = 0.00"
    )


@given(
    steps=st.lists(
        st.tuples(
            st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2017, 12, 31)),
            st.decimals(min_value=0, max_value=40000, places=2, allow_nan=False, allow_infinity=False),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_never_exceeds_the_yearly_cap_over_a_sequence_of_grants(steps: list[tuple[dt.date, Decimal, bool]]) -> None:
    grants: list[Grant] = []
    asked: dict[int, Decimal] = {}
    for i, (on, cost, safety_net) in enumerate(sorted(steps)):
        past = [*ON_SAFETY_NET, *grants] if safety_net else grants
        grant = AID.grant(risk(cost=cost, date=on, key=f"k{i}"), context(date=on, grants=past))
        share = Decimal("0.7") if safety_net else Decimal("0.6")
        asked[on.year] = asked.get(on.year, Decimal(0)) + to_money(share * cost)
        if isinstance(grant, Declined):
            reasons = ("no self-paid medical cost", "medical aid cap 30000.00 used up", "medical aid comes to nothing")
            assert grant.reason.startswith(reasons)
            continue
        assert grant.amount is not None
        assert grant.amount > 0
        assert grant.amount.as_tuple().exponent == -2
        assert grant.amount <= to_money(share * cost)
        grants.append(grant)
    for year, total_asked in asked.items():
        total = sum((g.amount or Decimal(0) for g in grants if g.date.year == year), Decimal(0))
        assert total <= 30000
        assert total == min(total_asked, Decimal(30000))
