"""Examples of the shipped identification procedure: replay, objections, appeals, send-backs, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from relapse_guard import Fact, IncomeAssessed
from relapse_guard.cases import (
    IDENTIFICATION,
    NATIONAL_PROCEDURES,
    CaseState,
    Outcome,
    open_case,
    replay_case,
    replay_cases,
)
from relapse_guard.errors import ConflictingFact, InvalidCaseStep, UnknownPlugin
from relapse_guard.facts import CaseOpened, CaseStepRecorded

from .strategies import opened, step_fact

D = dt.date
MON = D(2016, 7, 4)

#: The happy path: every step approved on its deadline (Mon 4 July 2016 -> Wed 20 July).
HAPPY = [
    (D(2016, 7, 7), "household_verification"),
    (D(2016, 7, 12), "data_comparison"),
    (D(2016, 7, 13), "village_deliberation"),
    (D(2016, 7, 18), "public_notice"),
    (D(2016, 7, 19), "township_review"),
    (D(2016, 7, 20), "county_approval"),
]


def happy(until: str | None = None) -> list[Fact]:
    facts: list[Fact] = [opened(IDENTIFICATION, MON)]
    for number, (on, step) in enumerate(HAPPY, start=1):
        if step == until:
            break
        facts.append(step_fact(number, on, step, "approve", reason=""))
    return facts


def refused(facts: list[Fact]) -> InvalidCaseStep:
    with pytest.raises(InvalidCaseStep) as info:
        replay_case(IDENTIFICATION, facts)
    return info.value


def test_a_case_passes_every_step_and_is_decided() -> None:
    case = replay_case(IDENTIFICATION, happy())
    assert case.state == "approved"
    assert case.outcome == "approved"
    assert case.decided_on == D(2016, 7, 20)
    assert [e.step for e in case.history] == list(IDENTIFICATION.step_names)
    assert [e.to for e in case.history][-1] == "approved"
    assert case.history[0].actor == "someone"
    decision = case.decision_fact()
    assert decision is not None
    assert (decision.id, decision.case_id, decision.procedure, decision.outcome) == (
        "c1:decision",
        "c1",
        "identification",
        "approved",
    )
    assert decision.date == D(2016, 7, 20)
    assert "approved on 2016-07-20" in case.explain()


def test_any_input_order_and_duplicates_give_the_same_case() -> None:
    facts = happy()
    noise = [IncomeAssessed(id="i", household_id="h1", date=MON, income_per_capita=Decimal(100))]
    assert replay_case(IDENTIFICATION, [*reversed(facts), *facts[:3], *noise]) == replay_case(IDENTIFICATION, facts)


def test_the_open_case_has_a_current_step_and_deadline() -> None:
    case = replay_case(IDENTIFICATION, happy(until="village_deliberation"))
    assert case.is_open
    assert case.state == "village_deliberation"
    assert case.arrived_on == D(2016, 7, 12)
    assert case.due_on == D(2016, 7, 13)
    assert case.decision_fact() is None
    assert case.allowed() == (Outcome.APPROVE, Outcome.SEND_BACK, Outcome.ASSIGN)


def test_a_skipped_step_is_refused_naming_case_step_state_and_outcome() -> None:
    facts = [*happy(until="data_comparison"), step_fact(9, D(2016, 7, 9), "village_deliberation", "approve")]
    error = refused(facts)
    assert (error.case_id, error.household_id, error.fact_id) == ("c1", "h1", "c1:0009")
    assert (error.step, error.state, error.outcome) == ("village_deliberation", "data_comparison", "approve")
    assert "none is skipped" in str(error)
    assert error.allowed == ("approve", "assign", "send_back")


def test_an_outcome_the_step_does_not_have_is_refused() -> None:
    error = refused([opened(IDENTIFICATION, MON), step_fact(1, MON, "household_verification", "reject")])
    assert "cannot reject" in str(error)
    error = refused([opened(IDENTIFICATION, MON), step_fact(1, MON, "household_verification", "perhaps")])
    assert "no such outcome" in error.reason
    error = refused([opened(IDENTIFICATION, MON), step_fact(1, MON, "home_visit", "approve")])
    assert "has no step 'home_visit'" in error.reason


def test_the_notice_cannot_close_before_its_window_has_run() -> None:
    facts = [*happy(until="public_notice"), step_fact(4, D(2016, 7, 17), "public_notice", "approve")]
    error = refused(facts)
    assert "runs until 2016-07-18" in error.reason
    assert error.allowed == ("assign", "object")


def test_an_objection_in_the_window_returns_the_case_to_verification() -> None:
    objection = step_fact(4, D(2016, 7, 15), "public_notice", "object", actor="a neighbour", reason="they own a truck")
    case = replay_case(IDENTIFICATION, [*happy(until="public_notice"), objection])
    assert case.state == "household_verification"
    assert case.arrived_on == D(2016, 7, 15)
    assert case.due_on == D(2016, 7, 18)
    (entry,) = case.objections
    assert (entry.actor, entry.reason, entry.step) == ("a neighbour", "they own a truck", "public_notice")
    # and the case runs every step again, with a new notice, before it can be decided
    again = [
        step_fact(10 + i, D(2016, 7, 16 + i), step, "approve", reason="")
        for i, step in enumerate(["household_verification", "data_comparison", "village_deliberation"])
    ]
    case = replay_case(IDENTIFICATION, [*happy(until="public_notice"), objection, *again])
    assert case.state == "public_notice"
    assert case.due_on == D(2016, 7, 18 + 5)


def test_an_objection_after_the_window_or_without_reason_is_refused() -> None:
    late = step_fact(4, D(2016, 7, 19), "public_notice", "object", reason="they own a truck")
    error = refused([*happy(until="public_notice"), late])
    assert "ended on 2016-07-18" in error.reason
    assert "too late" in error.reason
    silent = step_fact(4, D(2016, 7, 14), "public_notice", "object", reason="")
    assert "must give its reason" in refused([*happy(until="public_notice"), silent]).reason
    not_a_notice = step_fact(1, MON, "household_verification", "object", reason="why")
    assert "cannot object" in refused([opened(IDENTIFICATION, MON), not_a_notice]).reason


def test_send_back_returns_to_the_step_the_procedure_names() -> None:
    back = step_fact(5, D(2016, 7, 19), "township_review", "send_back", level="township", reason="recount the votes")
    case = replay_case(IDENTIFICATION, [*happy(until="township_review"), back])
    assert case.state == "village_deliberation"
    back = step_fact(3, D(2016, 7, 12), "village_deliberation", "send_back", reason="visit again")
    assert replay_case(IDENTIFICATION, [*happy(until="village_deliberation"), back]).state == "household_verification"
    back = step_fact(2, D(2016, 7, 8), "data_comparison", "send_back", reason="wrong id number")
    assert replay_case(IDENTIFICATION, [*happy(until="data_comparison"), back]).state == "household_verification"


def rejected_at_county() -> list[Fact]:
    return [*happy(until="county_approval"), step_fact(6, D(2016, 7, 20), "county_approval", "reject", reason="assets")]


def test_a_rejected_household_can_appeal_once() -> None:
    case = replay_case(IDENTIFICATION, rejected_at_county())
    assert (case.state, case.rejected_at) == ("rejected", "county_approval")
    (first,) = case.decision_facts()
    assert (first.id, first.outcome) == ("c1:decision", "rejected")
    appeal = step_fact(7, D(2016, 8, 1), "county_approval", "appeal", actor="the household", reason="the car is sold")
    case = replay_case(IDENTIFICATION, [*rejected_at_county(), appeal])
    assert case.state == "township_review"
    assert case.is_open
    assert case.appeals_used == 1
    assert case.decision_fact() is None
    assert [e.reason for e in case.appeals] == ["the car is sold"]
    decided = [
        step_fact(8, D(2016, 8, 2), "township_review", "approve"),
        step_fact(9, D(2016, 8, 3), "county_approval", "reject", reason="still the house in town"),
    ]
    case = replay_case(IDENTIFICATION, [*rejected_at_county(), appeal, *decided])
    assert [(f.id, f.outcome) for f in case.decision_facts()] == [
        ("c1:decision", "rejected"),
        ("c1:decision:2", "rejected"),
    ]
    again = step_fact(10, D(2016, 8, 5), "county_approval", "appeal", reason="please")
    error = refused([*rejected_at_county(), appeal, *decided, again])
    assert "appealed 1 time(s) already" in error.reason
    assert error.state == "rejected"
    assert error.allowed == ()


def test_an_appeal_names_the_rejecting_step_and_only_a_rejected_case_is_appealed() -> None:
    wrong = step_fact(7, D(2016, 8, 1), "township_review", "appeal", reason="r")
    assert "rejected the case, 'county_approval'" in refused([*rejected_at_county(), wrong]).reason
    early = step_fact(1, MON, "household_verification", "appeal", reason="r")
    assert "only a rejected case" in refused([opened(IDENTIFICATION, MON), early]).reason
    after = step_fact(7, D(2016, 8, 1), "county_approval", "approve")
    assert "only an appeal reopens it" in refused([*rejected_at_county(), after]).reason


def test_nothing_follows_an_approval() -> None:
    error = refused([*happy(), step_fact(7, D(2016, 7, 21), "county_approval", "approve")])
    assert error.state == "approved"
    assert "nothing follows" in error.reason


def test_levels_are_the_steps_own_or_after_the_deadline_its_escalation() -> None:
    base = happy(until="village_deliberation")  # deliberation due 13 July, escalates to the township
    on_time = step_fact(3, D(2016, 7, 13), "village_deliberation", "approve", level="township")
    assert "only once it is overdue (due 2016-07-13)" in refused([*base, on_time]).reason
    late = step_fact(3, D(2016, 7, 14), "village_deliberation", "approve", level="township")
    assert replay_case(IDENTIFICATION, [*base, late]).state == "public_notice"
    wrong = step_fact(3, D(2016, 7, 13), "village_deliberation", "approve", level="county")
    assert "done by level 'village', or 'township' once overdue, not 'county'" in refused([*base, wrong]).reason


def test_an_assignment_names_the_person_and_moves_nothing() -> None:
    assign = step_fact(3, D(2016, 7, 12), "village_deliberation", "assign", actor="Liu Ming", reason="")
    case = replay_case(IDENTIFICATION, [*happy(until="village_deliberation"), assign])
    assert case.state == "village_deliberation"
    assert case.arrived_on == D(2016, 7, 12)
    assert case.person("village_deliberation") == "Liu Ming"
    nobody = step_fact(3, D(2016, 7, 12), "village_deliberation", "assign", actor="", reason="")
    assert "names the person" in refused([*happy(until="village_deliberation"), nobody]).reason


def test_a_case_must_be_opened_once_and_first() -> None:
    assert "no CaseOpened" in refused([step_fact(1, MON, "household_verification", "approve")]).reason
    twice = CaseOpened(id="again", household_id="h1", date=MON, case_id="c1", procedure="identification")
    error = refused([opened(IDENTIFICATION, MON), twice])
    assert "opened twice" in error.reason
    early = step_fact(1, MON - dt.timedelta(days=1), "household_verification", "approve")
    assert "before the case was opened" in refused([opened(IDENTIFICATION, MON), early]).reason
    other = CaseOpened(id="o", household_id="h1", date=MON, case_id="c1", procedure="risk_elimination")
    assert "replayed with 'identification'" in refused([other]).reason
    with pytest.raises(InvalidCaseStep, match="no facts of the case"):
        replay_case(IDENTIFICATION, [])


def test_facts_of_several_cases_need_a_case_id() -> None:
    facts = [*happy(), opened(IDENTIFICATION, MON, case_id="c2")]
    assert "several cases" in refused(facts).reason
    assert replay_case(IDENTIFICATION, facts, case_id="c2").state == "household_verification"
    cases = replay_cases(NATIONAL_PROCEDURES, facts)
    assert [(c.case_id, c.state) for c in cases] == [("c1", "approved"), ("c2", "household_verification")]
    odd = CaseOpened(id="o", household_id="h1", date=MON, case_id="c3", procedure="dibao")
    with pytest.raises(UnknownPlugin, match="unknown procedure 'dibao'; known: identification, risk_elimination"):
        replay_cases(NATIONAL_PROCEDURES, [odd])


def test_one_id_names_one_fact() -> None:
    facts = happy(until="data_comparison")
    clash = step_fact(1, D(2016, 7, 8), "household_verification", "approve")  # same id as the first step
    with pytest.raises(ConflictingFact):
        replay_case(IDENTIFICATION, [*facts, clash])


def test_record_builds_checked_facts_that_sort_in_order() -> None:
    case = CaseState.opened(IDENTIFICATION, opened(IDENTIFICATION, MON))
    facts: list[Fact] = [opened(IDENTIFICATION, MON)]
    for _ in range(3):  # three steps on one day: ids sort in the order they were made
        fact = case.record("approve", date=MON, actor="a")
        facts.append(fact)
        case = case.advance(fact)
    assert [f.id for f in facts[1:]] == ["c1:001", "c1:002", "c1:003"]
    first_step = facts[1]
    assert isinstance(first_step, CaseStepRecorded)
    assert first_step.level == "village"
    assert replay_case(IDENTIFICATION, reversed(facts)) == case
    with pytest.raises(InvalidCaseStep, match="runs until"):
        case.record("approve", date=MON)
    objection = case.record("object", date=MON, actor="neighbour", reason="r")
    assert objection.level == ""
    with pytest.raises(InvalidCaseStep, match="before the case's last record"):
        case.advance(attrs.evolve(objection, date=MON - dt.timedelta(days=1), id="z"))


def test_open_case_without_start_condition() -> None:
    fact = open_case(IDENTIFICATION, case_id="c9", household_id="h1", date=MON, reason="flood", risk_key="disaster:f")
    assert (fact.id, fact.procedure, fact.reason, fact.risk_key) == (
        "c9:opened",
        "identification",
        "flood",
        "disaster:f",
    )
