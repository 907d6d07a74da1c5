from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard import DisasterReported, HouseAppraised, State
from relapse_guard.decisions import Severity
from relapse_guard.facts import HousingGrade
from relapse_guard.triggers import Trigger, UnsafeHousingTrigger

from .conftest import DAY, evidence, make_ctx

TRIGGER = UnsafeHousingTrigger()


def appraised(grade: HousingGrade, *, fid: str = "a1", date: dt.date = DAY) -> HouseAppraised:
    return HouseAppraised(id=fid, household_id="h1", date=date, grade=grade)


def test_is_a_trigger_of_appraisals() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "unsafe_housing"
    assert TRIGGER.prefix == "triggers.unsafe_housing"
    assert TRIGGER.fact_kinds == (HouseAppraised,)


def test_other_fact_kinds_are_ignored() -> None:
    fact = DisasterReported(id="x", household_id="h1", date=DAY, hazard="earthquake", loss=Decimal(90000))
    assert TRIGGER.detect(fact, make_ctx()) is None


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize(
    ("grade", "severity"),
    [
        (HousingGrade.A, None),
        (HousingGrade.B, None),
        (HousingGrade.C, Severity.HIGH),
        (HousingGrade.D, Severity.SEVERE),
    ],
)
def test_grades_c_and_d_are_risks(state: State, grade: HousingGrade, severity: Severity | None) -> None:
    risk = TRIGGER.detect(appraised(grade), make_ctx(state=state))
    if severity is None:
        assert risk is None
    else:
        assert risk is not None
        assert risk.severity is severity
        assert risk.get("grade") == grade.value


def test_risk_content() -> None:
    risk = TRIGGER.detect(appraised(HousingGrade.C), make_ctx(income="5000"))
    assert risk is not None
    assert risk.kind == "unsafe_housing"
    assert risk.trigger == "unsafe_housing"
    assert risk.cost == Decimal(0)
    assert risk.member_id is None
    assert risk.fact_id == "a1"
    assert risk.key == "unsafe_housing:h1:C"
    assert risk.evidence == (
        ("grade", "C"),
        ("meaning", "partly dangerous"),
        ("reason", "house appraised C (partly dangerous): qualifies for renovation"),
    )
    assert risk.parameters == ()


def test_d_grade_evidence() -> None:
    risk = TRIGGER.detect(appraised(HousingGrade.D), make_ctx())
    assert risk is not None
    assert evidence(risk)["meaning"] == "whole building dangerous"
    assert risk.key == "unsafe_housing:h1:D"


def test_repeated_appraisals_at_one_grade_are_one_risk_but_a_worse_grade_is_new() -> None:
    first = TRIGGER.detect(appraised(HousingGrade.C, fid="a1"), make_ctx())
    again = TRIGGER.detect(appraised(HousingGrade.C, fid="a2", date=dt.date(2017, 5, 1)), make_ctx())
    worse = TRIGGER.detect(appraised(HousingGrade.D, fid="a3"), make_ctx())
    assert first is not None
    assert again is not None
    assert worse is not None
    assert first.key == again.key
    assert worse.key != first.key
