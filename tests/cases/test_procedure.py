"""Procedures as data: validation names the procedure and the step; the shipped procedures' shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from relapse_guard import load_policy
from relapse_guard.cases import (
    IDENTIFICATION,
    NATIONAL_PROCEDURES,
    RISK_ELIMINATION,
    Outcome,
    Procedure,
    RiskEliminationCondition,
    Step,
    WorkingCalendar,
    national_identification,
)
from relapse_guard.errors import InvalidPolicy, InvalidProcedure

D = dt.date


def visit(**changes: Any) -> Step:
    return Step(**{"name": "visit", "level": "village", "deadline_days": 3, **changes})


def decide(**changes: Any) -> Step:
    return Step(
        **{"name": "decide", "level": "county", "deadline_days": 5, "outcomes": {"approve", "reject"}, **changes}
    )


@pytest.mark.parametrize(
    ("steps", "extra", "step", "words"),
    [
        ([], {}, None, "at least one step"),
        ([visit(), visit()], {}, "visit", "used twice"),
        ([visit(name="approved")], {}, "approved", "decided state"),
        ([visit(name="Home Visit")], {}, "Home Visit", "lower-case"),
        ([visit(level=" ")], {}, "visit", "level"),
        ([visit(deadline_days=-1)], {}, "visit", "deadline_days"),
        ([visit(deadline_days=1.5)], {}, "visit", "deadline_days"),
        ([visit(outcomes={"reject"})], {}, "visit", "every step must be able to approve"),
        ([visit(outcomes={"approve", "send_back"})], {}, "visit", "no earlier step"),
        ([visit(notice=True)], {}, "visit", "first step cannot be a public notice"),
        ([visit(), decide(outcomes={"approve", "send_back"}, send_back_to="decide")], {}, "decide", "not an earlier"),
        ([visit(), decide(send_back_to="visit")], {}, "decide", "do not include 'send_back'"),
        ([visit(escalate_to="village")], {}, "visit", "escalate_to"),
        ([visit(), decide()], {"appeal_to": "nowhere"}, None, "appeal_to names 'nowhere'"),
        ([visit(), decide()], {}, None, "appeal_to names no step"),
        ([visit(outcomes={"approve", "reject"}), decide()], {"appeal_to": "decide"}, "visit", "would skip it"),
        ([visit()], {"max_appeals": -1}, None, "max_appeals"),
        ([visit()], {"name": "Identification"}, None, "procedure name"),
    ],
)
def test_invalid_procedures_name_procedure_and_step(
    steps: list[Step], extra: dict[str, Any], step: str | None, words: str
) -> None:
    with pytest.raises(InvalidProcedure, match=words) as info:
        Procedure(**{"name": "check", "steps": steps, **extra})
    assert info.value.step == step
    assert info.value.procedure == extra.get("name", "check")
    assert isinstance(info.value, InvalidPolicy)


def test_outcomes_are_checked_when_the_step_is_built() -> None:
    with pytest.raises(ValueError, match="outcome 'object' cannot be listed"):
        Procedure(name="p", steps=[visit(), decide(outcomes={"approve", "object"})], appeal_to="decide")
    with pytest.raises(ValueError, match="'maybe' is not an outcome"):
        visit(outcomes={"maybe"})
    assert visit(outcomes="approve").outcomes == {Outcome.APPROVE}


def test_send_back_defaults_to_the_previous_step() -> None:
    p = Procedure(
        name="p",
        steps=[
            visit(),
            visit(name="compare", outcomes={"approve", "send_back"}),
            decide(outcomes={"approve", "send_back"}, send_back_to="visit"),
        ],
    )
    assert p.send_back_target(p.step("compare")) == "visit"
    assert p.send_back_target(p.step("decide")) == "visit"
    assert p.send_back_target(p.step("visit")) is None
    assert p.next_after(p.step("decide")) == "approved"
    with pytest.raises(InvalidProcedure, match="no such step"):
        p.step("nowhere")


def test_the_shipped_identification_follows_national_practice() -> None:
    p = IDENTIFICATION
    assert p.step_names == (
        "household_verification",
        "data_comparison",
        "village_deliberation",
        "public_notice",
        "township_review",
        "county_approval",
    )
    # domain.md: home visit within 3 days, department data 5 days, public notice at least 5 days
    assert [(s.deadline_days, s.working_days) for s in p.steps] == [
        (3, False),
        (5, False),
        (1, False),
        (5, False),
        (1, True),
        (1, True),
    ]
    assert [s.name for s in p.steps if s.notice] == ["public_notice"]
    assert [s.name for s in p.steps if Outcome.REJECT in s.outcomes] == ["township_review", "county_approval"]
    assert (p.appeal_to, p.max_appeals) == ("township_review", 1)
    assert [s.level for s in p.steps] == ["village", "department", "village", "village", "township", "county"]
    assert p.step("county_approval").escalate_to is None
    assert all(s.escalate_to for s in p.steps[:-1])


def test_discovery_to_decision_takes_about_15_days() -> None:
    # every step taking its full time, opened on a Monday: 3 + 5 + 1 + 5 days, then 1 + 1 working days
    on = D(2016, 7, 4)
    for step in IDENTIFICATION.steps:
        on = step.due(on, IDENTIFICATION.calendar)
    assert (on - D(2016, 7, 4)).days == 16
    assert on == D(2016, 7, 20)


def test_risk_elimination_runs_the_same_steps_with_a_start_condition_and_no_appeal() -> None:
    def shape(step: Step) -> tuple[object, ...]:
        return (step.name, step.level, step.deadline_days, step.working_days, step.outcomes, step.notice)

    assert [shape(s) for s in RISK_ELIMINATION.steps] == [shape(s) for s in IDENTIFICATION.steps]
    assert RISK_ELIMINATION.max_appeals == 0
    assert isinstance(RISK_ELIMINATION.start_condition, RiskEliminationCondition)
    assert IDENTIFICATION.start_condition is None
    assert [p.name for p in NATIONAL_PROCEDURES] == ["identification", "risk_elimination"]


def test_numbers_are_parameters_of_the_factories() -> None:
    longer = national_identification(notice_days=7, township_days=3)
    assert longer.step("public_notice").deadline_days == 7
    assert longer.step("township_review").deadline_days == 3
    changed = IDENTIFICATION.with_step("village_deliberation", deadline_days=2, working_days=True)
    assert changed.step("village_deliberation").deadline_days == 2
    assert IDENTIFICATION.step("village_deliberation").deadline_days == 1  # unchanged
    with pytest.raises(InvalidProcedure):
        IDENTIFICATION.with_step("nowhere", deadline_days=2)
    holidays = IDENTIFICATION.with_calendar(WorkingCalendar(holidays=[D(2016, 10, 3)]))
    assert holidays.calendar.holidays == {D(2016, 10, 3)}


def test_policies_declare_procedures_national_by_default() -> None:
    policy = load_policy("dazu_2016")
    assert policy.procedures == NATIONAL_PROCEDURES
    own = IDENTIFICATION.with_step("public_notice", deadline_days=7)
    derived = policy.derive(name="dazu_notice_7", procedures=[own, RISK_ELIMINATION])
    assert derived.procedures[0].step("public_notice").deadline_days == 7
    assert policy.derive(name="same").procedures == NATIONAL_PROCEDURES
    assert policy.derive(name="none", procedures=()).procedures == ()
    with pytest.raises(InvalidPolicy, match="two procedures share a name"):
        policy.derive(name="twice", procedures=[IDENTIFICATION, own])
    with pytest.raises(InvalidPolicy, match="not a Procedure"):
        policy.derive(name="bad", procedures=["identification"])  # type: ignore[list-item]
