"""Properties shared by every money intervention: never negative, always to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Declined, Grant, Period
from relapse_guard.facts import HousingGrade
from relapse_guard.household import Schooling
from relapse_guard.interventions import (
    EducationAid,
    HousingRenovation,
    IndustrySupportFunds,
    Intervention,
    MedicalAid,
    MicroInsurance,
    SafetyNetTopUp,
    TemporaryRelief,
)
from relapse_guard.lifecycle import State

from .helpers import context, past_grant, risk

MONEY: tuple[Intervention, ...] = (
    SafetyNetTopUp(),
    TemporaryRelief(),
    TemporaryRelief(priority=True),
    MedicalAid(),
    EducationAid(),
    IndustrySupportFunds(),
    IndustrySupportFunds(name="industry_funds_low_income", prefix="industry_funds.low_income"),
    MicroInsurance(products=("accident", "serious_illness", "rural_medical")),
    HousingRenovation(),
)

_amounts = st.decimals(min_value=0, max_value=200000, places=3, allow_nan=False, allow_infinity=False)


@given(
    income=st.none() | _amounts,
    cost=_amounts,
    size=st.integers(min_value=1, max_value=10),
    state=st.sampled_from(State),
    grade=st.none() | st.sampled_from(HousingGrade),
    level=st.sampled_from(Schooling),
    on_safety_net=st.booleans(),
    already=_amounts,
    on=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2017, 12, 31)),
)
def test_amounts_are_never_negative_and_always_to_the_fen(
    income: Decimal | None,
    cost: Decimal,
    size: int,
    state: State,
    grade: HousingGrade | None,
    level: Schooling,
    on_safety_net: bool,
    already: Decimal,
    on: dt.date,
) -> None:
    earlier = [past_grant("medical_aid", already, date=dt.date(on.year, 1, 1))]
    if on_safety_net:
        earlier.append(past_grant("safety_net", "100", date=dt.date(on.year, 1, 1), period=Period.MONTHLY))
    ctx = context(size=size, income=income, state=state, housing_grade=grade, grants=earlier, date=on)
    the_risk = risk(cost=cost, date=on, evidence=[("level", level.value)])
    for intervention in MONEY:
        grant = intervention.grant(the_risk, ctx)
        if not isinstance(grant, Grant):
            assert isinstance(grant, Declined)  # never a bare None: the audit trail says why
            assert grant.reason
            continue
        assert grant.intervention == intervention.name
        assert grant.amount is not None
        assert grant.amount > 0
        assert grant.amount.as_tuple().exponent == -2
        assert grant.basis
        assert grant.parameters  # every amount says which parameters it used
