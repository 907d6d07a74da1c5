from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard import JobLost, MainEarnerLost, State
from relapse_guard.decisions import Severity
from relapse_guard.errors import InvalidFact
from relapse_guard.household import LabourCapacity
from relapse_guard.triggers import MainEarnerLostTrigger, Trigger

from .conftest import DAY, M1, M2, evidence, household, make_ctx

TRIGGER = MainEarnerLostTrigger()


def lost(*, member: str = M1, cause: str = "death", fid: str = "e1", date: dt.date = DAY) -> MainEarnerLost:
    return MainEarnerLost(id=fid, household_id="h1", date=date, member_id=member, cause=cause)


def test_is_a_trigger_of_main_earner_facts() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "main_earner_lost"
    assert TRIGGER.prefix == "triggers.main_earner_lost"
    assert TRIGGER.fact_kinds == (MainEarnerLost,)


def test_other_fact_kinds_are_ignored() -> None:
    assert TRIGGER.detect(JobLost(id="j", household_id="h1", date=DAY, member_id=M1), make_ctx()) is None


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("income", [None, "0", "100000"])
def test_always_severe(state: State, income: str | None) -> None:
    risk = TRIGGER.detect(lost(), make_ctx(state=state, income=income))
    assert risk is not None
    assert risk.severity is Severity.SEVERE


def test_risk_content() -> None:
    hh = household(LabourCapacity.FULL, LabourCapacity.PARTIAL, LabourCapacity.NONE)
    risk = TRIGGER.detect(lost(member=M2, cause="lost labour capacity"), make_ctx(state=State.EXITED, hh=hh))
    assert risk is not None
    assert risk.kind == "main_earner_lost"
    assert risk.trigger == "main_earner_lost"
    assert risk.member_id == M2
    assert risk.cost == Decimal(0)
    assert risk.key == f"main_earner_lost:{M2}:2016-06-01"
    assert risk.evidence == (
        ("cause", "lost labour capacity"),
        ("other_members_who_can_work", "1"),
        ("household_status", "on file (exited)"),
        ("reason", "main earner lost (lost labour capacity); 1 other member(s) can work"),
    )
    assert risk.parameters == ()


def test_default_cause_is_death_and_no_one_left_to_work() -> None:
    hh = household(LabourCapacity.FULL, LabourCapacity.NONE)
    risk = TRIGGER.detect(lost(), make_ctx(hh=hh))
    assert risk is not None
    assert evidence(risk)["cause"] == "death"
    assert evidence(risk)["other_members_who_can_work"] == "0"


def test_one_loss_from_two_sources_is_one_risk() -> None:
    first = TRIGGER.detect(lost(fid="e1"), make_ctx())
    second = TRIGGER.detect(lost(fid="e2"), make_ctx())
    assert first is not None
    assert second is not None
    assert first.key == second.key


def test_unknown_member_is_an_invalid_fact_with_the_id_redacted() -> None:
    with pytest.raises(InvalidFact) as caught:
        TRIGGER.detect(lost(member="500112199912319999"), make_ctx())
    error = caught.value
    assert error.household_id == "h1"
    assert error.field == "member_id"
    assert error.value == "500***99"
    assert error.fact_id == "e1"
    assert "500112199912319999" not in str(error)
