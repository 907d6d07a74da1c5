"""Education aid: a yearly amount per student, by school level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard.decisions import Grant, Period
from relapse_guard.household import Schooling
from relapse_guard.interventions import EducationAid, Intervention
from relapse_guard.parameters import ParameterTree

from .helpers import SEED, context, declined, household, risk, used, with_params

AID = EducationAid()


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(AID, Intervention)
    assert (AID.name, AID.prefix) == ("education_aid", "education_aid")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Schooling.PRESCHOOL, "1000.00"),
        (Schooling.PRIMARY, "1000.00"),
        (Schooling.JUNIOR_SECONDARY, "1250.00"),
        (Schooling.SENIOR_SECONDARY, "2000.00"),
        (Schooling.VOCATIONAL, "2000.00"),
        (Schooling.TERTIARY, "4000.00"),
    ],
)
def test_amount_per_level(level: Schooling, expected: str) -> None:
    grant = AID.grant(risk("schooling", evidence=[("level", level.value)], cost=3000), context())
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)
    assert grant.period is Period.YEARLY
    assert grant.persons == 1
    assert grant.basis == f"{expected} per {level.value} student x 1 student = {expected} per year"
    assert used(grant) == {
        f"education_aid.per_student.{level.value}": (str(int(Decimal(expected))), dt.date(2015, 1, 1))
    }


def test_level_written_as_the_enum_member_text() -> None:
    # Context.risk stores str(value): a trigger passing Schooling.TERTIARY leaves "Schooling.TERTIARY"
    grant = AID.grant(risk("schooling", evidence=[("level", str(Schooling.TERTIARY))]), context())
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("4000.00")


def test_level_from_the_member_when_the_risk_has_no_level() -> None:
    hh = household(2, schooling=[Schooling.NONE, Schooling.SENIOR_SECONDARY])
    grant = AID.grant(risk("schooling", member_id="h1-m1"), context(hh=hh))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("2000.00")
    not_in_school = AID.grant(risk("schooling", member_id="h1-m0"), context(hh=hh))
    assert declined(not_in_school) == "no school level in the evidence and member h1-m0 is not in school"


@pytest.mark.parametrize(
    ("level", "reason"),
    [
        ("none", "not in school: level 'none'"),
        ("Schooling.NONE", "not in school: level 'Schooling.NONE'"),
        ("kindergarten", "unknown school level 'kindergarten'"),
        ("Schooling.NURSERY", "unknown school level 'Schooling.NURSERY'"),
        ("HousingGrade.C", "unknown school level 'HousingGrade.C'"),
    ],
)
def test_declined_for_no_or_unknown_level(level: str, reason: str) -> None:
    assert declined(AID.grant(risk("schooling", evidence=[("level", level)]), context())) == reason


def test_declined_for_an_unknown_level_and_a_member_not_in_school() -> None:
    result = AID.grant(risk("schooling", member_id="h1-m2", evidence=[("level", "kindergarten")]), context())
    assert declined(result) == "unknown school level 'kindergarten' and member h1-m2 is not in school"


def test_declined_without_any_level() -> None:
    assert declined(AID.grant(risk("schooling"), context())) == "no school level in the evidence and no member named"
    assert declined(AID.grant(risk("schooling", member_id="stranger"), context())) == (
        "no school level in the evidence and no member stranger in the household"
    )


def test_declined_when_the_policy_has_no_amount_for_the_level() -> None:
    without_tertiary = ParameterTree(
        {name: p for name, p in SEED.parameters.items() if name != "education_aid.per_student.tertiary"}
    )
    tertiary = risk("schooling", evidence=[("level", "tertiary")])
    assert declined(AID.grant(tertiary, context(parameters=without_tertiary))) == (
        "no education-aid amount for level 'tertiary'"
    )
    assert isinstance(AID.grant(tertiary, context()), Grant)


def test_declined_when_the_amount_is_zero_from_a_date() -> None:
    params = with_params("[education_aid.per_student.primary]\nvalues = { 2015-01-01 = 1000, 2016-09-01 = 0 }")
    primary = risk("schooling", evidence=[("level", "primary")])
    before = AID.grant(primary, context(parameters=params, date=dt.date(2016, 8, 31)))
    assert isinstance(before, Grant)
    assert before.amount == Decimal("1000.00")
    after = AID.grant(primary, context(parameters=params, date=dt.date(2016, 9, 1)))
    assert declined(after) == "education-aid amount for level 'primary' is 0.00"
