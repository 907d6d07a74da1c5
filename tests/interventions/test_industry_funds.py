"""Industry support funds: per household or per person, once per household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard.decisions import Grant, Period
from relapse_guard.errors import InvalidPolicy, UnknownParameter
from relapse_guard.interventions import IndustrySupportFunds, Intervention

from .helpers import context, declined, past_grant, risk, used, with_params

FUNDS = IndustrySupportFunds()
EXITED = IndustrySupportFunds(name="industry_funds_exited", prefix="industry_funds.exited")
LOW_INCOME = IndustrySupportFunds(name="industry_funds_low_income", prefix="industry_funds.low_income")


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(FUNDS, Intervention)
    assert (FUNDS.name, FUNDS.prefix, FUNDS.once) == ("industry_funds", "industry_funds", True)


def test_bishan_2000_per_household() -> None:
    grant = FUNDS.grant(risk("entered:identified"), context(size=4))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("2000.00")
    assert grant.period is Period.ONE_OFF
    assert grant.persons == 4
    assert grant.basis == "2000.00 per household = 2000.00 one-off"
    assert used(grant) == {
        "industry_funds.amount": ("2000", dt.date(2016, 1, 1)),
        "industry_funds.basis": ("household", dt.date(2016, 1, 1)),
    }


@pytest.mark.parametrize("size", [1, 2, 3, 6])
def test_yubei_2000_per_household_on_exit_and_2000_per_person_for_low_income(size: int) -> None:
    exited = EXITED.grant(risk("entered:exited"), context(size=size))
    low = LOW_INCOME.grant(risk("entered:identified"), context(size=size))
    assert isinstance(exited, Grant)
    assert isinstance(low, Grant)
    assert exited.intervention == "industry_funds_exited"
    assert exited.amount == Decimal("2000.00")
    assert low.intervention == "industry_funds_low_income"
    assert low.amount == Decimal(2000 * size).quantize(Decimal("0.01"))
    assert low.basis == f"2000.00 per person x {size} member{'s' if size > 1 else ''} = {low.amount} one-off"
    assert set(used(low)) == {"industry_funds.low_income.amount", "industry_funds.low_income.basis"}


def test_never_twice_to_a_household() -> None:
    earlier = (past_grant("industry_funds", "2000", date=dt.date(2016, 2, 1)),)
    assert declined(FUNDS.grant(risk(), context(grants=earlier))) == (
        "already granted on 2016-02-01: industry funds are given once per household"
    )


def test_the_two_yubei_schemes_are_counted_apart() -> None:
    earlier = (past_grant("industry_funds_low_income", "6000", date=dt.date(2016, 2, 1)),)
    assert declined(LOW_INCOME.grant(risk(), context(grants=earlier))).startswith("already granted on 2016-02-01")
    exited = EXITED.grant(risk(), context(grants=earlier))
    assert isinstance(exited, Grant)
    assert exited.amount == Decimal("2000.00")


def test_once_false_grants_again() -> None:
    earlier = (past_grant("industry_funds", "2000", date=dt.date(2016, 2, 1)),)
    grant = IndustrySupportFunds(once=False).grant(risk(), context(grants=earlier))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("2000.00")


def test_declined_before_the_scheme_starts_in_2016_naming_the_parameter() -> None:
    assert declined(LOW_INCOME.grant(risk(), context(date=dt.date(2015, 12, 31)))) == (
        "not in force yet: parameter 'industry_funds.low_income.amount' has no value on 2015-12-31:"
        " its first value takes effect on 2016-01-01"
    )
    assert isinstance(LOW_INCOME.grant(risk(), context(date=dt.date(2016, 1, 1))), Grant)


def test_a_policy_without_the_scheme_is_an_error() -> None:
    with pytest.raises(UnknownParameter):
        IndustrySupportFunds(prefix="industry_funds.replant").grant(risk(), context())


def test_unknown_basis_is_a_policy_error() -> None:
    params = with_params('[industry_funds.basis]\nvalues = { 2016-01-01 = "village" }')
    with pytest.raises(InvalidPolicy, match="'household' or 'person'"):
        FUNDS.grant(risk(), context(parameters=params))


def test_zero_amount_grants_nothing() -> None:
    params = with_params("[industry_funds.amount]\nvalues = { 2016-01-01 = 0 }")
    assert declined(FUNDS.grant(risk(), context(parameters=params))) == (
        "industry funds come to nothing: 0.00 per household = 0.00 one-off"
    )
