"""Micro insurance: the sum of the products' premiums x members, once per calendar year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard.decisions import Grant, Period
from relapse_guard.errors import UnknownParameter
from relapse_guard.interventions import Intervention, MicroInsurance

from .helpers import context, declined, past_grant, risk, used, with_params

YUBEI = MicroInsurance()
BISHAN = MicroInsurance(products=("accident", "serious_illness", "rural_medical"))


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(YUBEI, Intervention)
    assert (YUBEI.name, YUBEI.prefix, YUBEI.products) == ("micro_insurance", "insurance", ("accident",))


@pytest.mark.parametrize(("size", "expected"), [(1, "50.00"), (3, "150.00"), (5, "250.00")])
def test_yubei_accident_insurance_50_per_person(size: int, expected: str) -> None:
    grant = YUBEI.grant(risk("entered:exited"), context(size=size))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)
    assert grant.period is Period.YEARLY
    assert grant.persons == size
    assert used(grant) == {"insurance.premium.accident": ("50", dt.date(2015, 1, 1))}


def test_bishan_50_plus_50_plus_140_per_person() -> None:
    grant = BISHAN.grant(risk("entered:exited"), context(size=3))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("720.00")  # (50 + 50 + 140) x 3
    assert grant.basis == (
        "(accident 50.00 + serious_illness 50.00 + rural_medical 140.00) = 240.00 per person x 3 members"
        " = 720.00 per year"
    )
    assert grant.service == "insurance cover: accident, serious_illness, rural_medical"
    assert list(used(grant)) == [
        "insurance.premium.accident",
        "insurance.premium.serious_illness",
        "insurance.premium.rural_medical",
    ]


def test_once_per_calendar_year() -> None:
    this_year = (past_grant("micro_insurance", "150", date=dt.date(2016, 1, 1), period=Period.YEARLY),)
    last_year = (past_grant("micro_insurance", "150", date=dt.date(2015, 12, 31), period=Period.YEARLY),)
    other = (past_grant("medical_aid", "600", date=dt.date(2016, 2, 1)),)
    assert declined(YUBEI.grant(risk(), context(grants=this_year, date=dt.date(2016, 12, 31)))) == (
        "premiums already bought in 2016 (on 2016-01-01)"
    )
    assert isinstance(YUBEI.grant(risk(), context(grants=last_year, date=dt.date(2016, 1, 1))), Grant)
    assert isinstance(YUBEI.grant(risk(), context(grants=other)), Grant)


def test_declined_when_the_premiums_come_to_nothing() -> None:
    params = with_params("[insurance.premium.accident]\nvalues = { 2015-01-01 = 0 }")
    assert declined(YUBEI.grant(risk(), context(size=2, parameters=params))) == (
        "premiums come to nothing: (accident 0.00) = 0.00 per person x 2 members = 0.00 per year"
    )


def test_a_product_without_a_premium_is_a_policy_error() -> None:
    with pytest.raises(UnknownParameter):
        MicroInsurance(products=("life",)).grant(risk(), context())


@pytest.mark.parametrize("products", [(), ("",), ("accident", "accident")])
def test_products_must_be_named_once_each(products: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="products"):
        MicroInsurance(products=products)


def test_products_given_as_a_list_become_a_tuple() -> None:
    assert MicroInsurance(products=["accident", "rural_medical"]).products == ("accident", "rural_medical")
