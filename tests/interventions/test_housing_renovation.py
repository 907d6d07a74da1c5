"""Housing renovation: C 12,000 / D 35,000, x 1.5 for low-income households, never twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard.decisions import Grant, Period
from relapse_guard.facts import HousingGrade
from relapse_guard.interventions import HousingRenovation, Intervention
from relapse_guard.lifecycle import State
from relapse_guard.parameters import ParameterTree

from .helpers import SEED, context, declined, past_grant, risk, used, with_params

RENOVATION = HousingRenovation()


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(RENOVATION, Intervention)
    assert (RENOVATION.name, RENOVATION.prefix) == ("housing_renovation", "housing")


@pytest.mark.parametrize(
    ("grade", "state", "expected"),
    [
        ("C", State.EXITED, "12000.00"),
        ("D", State.EXITED, "35000.00"),
        ("C", State.MONITORED, "12000.00"),
        ("D", State.NEW, "35000.00"),
        ("C", State.IDENTIFIED, "18000.00"),
        ("D", State.IDENTIFIED, "52500.00"),
        ("C", State.ASSISTED, "18000.00"),
        ("D", State.RELAPSED, "52500.00"),
    ],
)
def test_yubei_grants_and_the_low_income_uplift(grade: str, state: State, expected: str) -> None:
    grant = RENOVATION.grant(risk("unsafe_housing", evidence=[("grade", grade)]), context(state=state, size=4))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)
    assert grant.period is Period.ONE_OFF
    assert grant.persons == 4


def test_safety_net_households_count_as_low_income() -> None:
    on_net = (past_grant("safety_net", "300", date=dt.date(2016, 1, 5), period=Period.MONTHLY),)
    grant = RENOVATION.grant(risk(evidence=[("grade", "D")]), context(state=State.EXITED, grants=on_net))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("52500.00")


def test_basis_and_parameters() -> None:
    low = RENOVATION.grant(risk(evidence=[("grade", "D")]), context(state=State.IDENTIFIED))
    plain = RENOVATION.grant(risk(evidence=[("grade", "C")]), context(state=State.EXITED))
    assert isinstance(low, Grant)
    assert isinstance(plain, Grant)
    assert low.basis == "D grade grant 35000.00 x low-income uplift 1.5 = 52500.00 one-off"
    assert used(low) == {
        "housing.grant.D": ("35000", dt.date(2015, 1, 1)),
        "housing.low_income_uplift": ("1.5", dt.date(2015, 1, 1)),
    }
    assert plain.basis == "C grade grant 12000.00 = 12000.00 one-off (no low-income uplift)"
    assert used(plain) == {"housing.grant.C": ("12000", dt.date(2015, 1, 1))}


def test_grade_from_the_latest_appraisal_when_the_risk_has_none() -> None:
    grant = RENOVATION.grant(risk("disaster", cost=8000), context(housing_grade=HousingGrade.D))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("35000.00")


def test_the_risks_grade_comes_before_the_appraisal() -> None:
    safe = RENOVATION.grant(risk(evidence=[("grade", "B")]), context(housing_grade=HousingGrade.D))
    assert declined(safe) == "house graded B: only C and D qualify"
    grant = RENOVATION.grant(risk(evidence=[("grade", "C")]), context(housing_grade=HousingGrade.D))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("12000.00")


def test_grade_written_as_the_enum_member_text() -> None:
    grant = RENOVATION.grant(risk(evidence=[("grade", str(HousingGrade.D))]), context())
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("35000.00")


@pytest.mark.parametrize(
    ("grade", "reason"),
    [
        (HousingGrade.A, "house graded A: only C and D qualify"),
        (HousingGrade.B, "house graded B: only C and D qualify"),
        (None, "house never appraised"),
    ],
)
def test_only_c_and_d_qualify(grade: HousingGrade | None, reason: str) -> None:
    result = RENOVATION.grant(risk("disaster"), context(housing_grade=grade, state=State.IDENTIFIED))
    assert declined(result) == reason


@pytest.mark.parametrize(
    ("evidence", "reason"),
    [
        ("A", "house graded A: only C and D qualify"),
        ("B", "house graded B: only C and D qualify"),
        ("E", "unknown house grade 'E'"),
        ("c", "unknown house grade 'c'"),
    ],
)
def test_safe_or_unknown_grade_in_evidence_does_not_qualify(evidence: str, reason: str) -> None:
    assert declined(RENOVATION.grant(risk(evidence=[("grade", evidence)]), context())) == reason


def test_no_house_is_subsidised_twice() -> None:
    earlier = (
        past_grant("housing_renovation", "12000", date=dt.date(2016, 7, 10)),
        past_grant("housing_renovation", "6000", date=dt.date(2016, 9, 1)),
    )
    result = RENOVATION.grant(risk(evidence=[("grade", "D")]), context(grants=earlier, date=dt.date(2017, 3, 1)))
    assert declined(result) == "already granted on 2016-07-10: no house is subsidised twice"


def test_declined_when_the_grant_is_zero() -> None:
    params = with_params("[housing.grant.C]\nvalues = { 2015-01-01 = 0 }")
    result = RENOVATION.grant(risk(evidence=[("grade", "C")]), context(parameters=params))
    assert declined(result) == (
        "renovation grant comes to nothing: C grade grant 0.00 = 0.00 one-off (no low-income uplift)"
    )


def test_no_uplift_when_the_policy_has_none() -> None:
    without = ParameterTree({n: p for n, p in SEED.parameters.items() if n != "housing.low_income_uplift"})
    grant = RENOVATION.grant(risk(evidence=[("grade", "D")]), context(state=State.IDENTIFIED, parameters=without))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("35000.00")


def test_uplift_rounded_to_the_fen() -> None:
    params = with_params("[housing.low_income_uplift]\nvalues = { 2015-01-01 = 1.3333 }")
    grant = RENOVATION.grant(risk(evidence=[("grade", "C")]), context(state=State.IDENTIFIED, parameters=params))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("15999.60")  # 12000 x 1.3333
    params = with_params("[housing.grant.C]\nvalues = { 2015-01-01 = 12000.005 }")
    grant = RENOVATION.grant(risk(evidence=[("grade", "C")]), context(parameters=params))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("12000.01")
