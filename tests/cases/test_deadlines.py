"""Deadlines as of a date: due and overdue cases, days late, the responsible level and person, escalation."""

from __future__ import annotations

import datetime as dt

from relapse_guard import Fact, load_policy
from relapse_guard.cases import (
    IDENTIFICATION,
    NATIONAL_PROCEDURES,
    DeadlineState,
    WorkingCalendar,
    case_deadline,
    cases_due,
    replay_case,
)

from .strategies import opened, step_fact

D = dt.date


def township_case(hid: str = "h1", case_id: str = "c1") -> list[Fact]:
    """A case that reaches the township review on Friday 15 July 2016 (1 working day: due Monday)."""
    steps = [
        (D(2016, 7, 5), "household_verification"),
        (D(2016, 7, 7), "data_comparison"),
        (D(2016, 7, 8), "village_deliberation"),
        (D(2016, 7, 15), "public_notice"),
    ]
    return [
        opened(IDENTIFICATION, D(2016, 7, 4), case_id=case_id, hid=hid),
        *(step_fact(n, on, step, "approve", case_id=case_id, hid=hid) for n, (on, step) in enumerate(steps, 1)),
    ]


def test_working_days_across_a_weekend_then_overdue_and_escalated() -> None:
    facts = township_case()
    (on_friday,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 15))
    assert (on_friday.step, on_friday.level, on_friday.due_on) == ("township_review", "township", D(2016, 7, 18))
    assert (on_friday.state, on_friday.days_left, on_friday.days_late) == (DeadlineState.DUE, 3, 0)
    assert on_friday.escalated_to is None
    assert on_friday.responsible_level == "township"
    (on_monday,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 18))
    assert (on_monday.state, on_monday.days_left) == (DeadlineState.DUE, 0)
    (late,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 21))
    assert (late.state, late.days_late, late.days_left) == (DeadlineState.OVERDUE, 3, 0)
    assert (late.escalated_to, late.escalated_on) == ("county", D(2016, 7, 19))
    assert late.responsible_level == "county"
    assert "overdue by 3 days, escalated from township on 2016-07-19; responsible county" in late.explain()


def test_a_holiday_moves_a_working_day_deadline() -> None:
    holiday = IDENTIFICATION.with_calendar(WorkingCalendar(holidays=[D(2016, 7, 18)]))
    (deadline,) = cases_due([holiday], township_case(), D(2016, 7, 15))
    assert deadline.due_on == D(2016, 7, 19)


def test_the_county_approval_is_listed_overdue_but_not_escalated() -> None:
    facts = [*township_case(), step_fact(5, D(2016, 7, 18), "township_review", "approve")]
    (late,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 25))
    assert (late.step, late.due_on, late.days_late) == ("county_approval", D(2016, 7, 19), 6)
    assert late.escalated_to is None
    assert late.responsible_level == "county"


def test_the_person_is_the_one_assigned_else_the_rosters() -> None:
    roster = {("h1", "township"): "Wang Li", ("h1", "county"): "Zhao Jun"}

    def who(hid: str, level: str) -> str | None:
        return roster.get((hid, level))

    facts = township_case()
    (deadline,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 15), roster=who)
    assert deadline.person == "Wang Li"
    assign = step_fact(5, D(2016, 7, 15), "township_review", "assign", actor="Sun Yu", level="township", reason="")
    (deadline,) = cases_due(NATIONAL_PROCEDURES, [*facts, assign], D(2016, 7, 15), roster=who)
    assert deadline.person == "Sun Yu"
    assert "responsible township, Sun Yu" in deadline.explain()
    (late,) = cases_due(NATIONAL_PROCEDURES, [*facts, assign], D(2016, 7, 20), roster=who)
    assert (late.responsible_level, late.person) == ("county", "Zhao Jun")  # escalated: the county answers
    (unknown,) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 15))
    assert unknown.person == ""


def test_a_listing_of_several_households_sorted_by_due_date_whatever_the_input_order() -> None:
    early = [opened(IDENTIFICATION, D(2016, 7, 1), case_id="c9", hid="h9")]  # verification due 4 July
    days = [2, 3, 4, 9, 11, 12]  # decided on 12 July
    decided = [
        opened(IDENTIFICATION, D(2016, 7, 1), case_id="c5", hid="h5"),
        *(
            step_fact(n, D(2016, 7, day), step, "approve", case_id="c5", hid="h5")
            for n, (day, step) in enumerate(zip(days, IDENTIFICATION.step_names, strict=True), 1)
        ),
    ]
    facts = [*township_case(), *township_case("h2", "c2"), *early, *decided]
    listing = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 20))
    assert [(d.household_id, d.case_id) for d in listing] == [("h9", "c9"), ("h1", "c1"), ("h2", "c2")]
    assert listing == cases_due(NATIONAL_PROCEDURES, list(reversed(facts)), D(2016, 7, 20))
    assert [d.case_id for d in cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 18), overdue_only=True)] == ["c9"]
    # facts after the date are ignored: on 10 July case c1 is at its public notice
    (c9, c5, c1, _) = cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 10))
    assert (c1.case_id, c1.step, c1.notice) == ("c1", "public_notice", True)
    assert "public notice ends 2016-07-13" in c1.explain()
    assert (c5.case_id, c5.step, c5.due_on) == ("c5", "township_review", D(2016, 7, 11))
    assert c9.state is DeadlineState.OVERDUE


def test_a_policys_procedures_serve_the_listing() -> None:
    policy = load_policy("yubei_2016").derive(
        name="yubei_notice_7", procedures=[IDENTIFICATION.with_step("public_notice", deadline_days=7)]
    )
    facts = township_case()[:-1]  # at the public notice since 8 July
    (deadline,) = cases_due(policy.procedures, facts, D(2016, 7, 10))
    assert deadline.due_on == D(2016, 7, 15)


def test_a_decided_case_has_no_deadline() -> None:
    facts = [*township_case(), step_fact(5, D(2016, 7, 18), "township_review", "reject", reason="assets")]
    case = replay_case(IDENTIFICATION, facts)
    assert case_deadline(case, D(2016, 7, 30)) is None
    assert cases_due(NATIONAL_PROCEDURES, facts, D(2016, 7, 30)) == ()
