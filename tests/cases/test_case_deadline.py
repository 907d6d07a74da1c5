"""The whole case's deadline: identification done within 15 days of the risk clue.

Rule (a county's reading of the national guidance, qinan.gov.cn):
「从农户申报、干部排查、部门预警等发现风险线索之日起，到完成监测对象识别认定，一般不超过15天，其中村内公示不少于5天」.
The steps' own deadlines add up to 16 days or more, so a case that takes every step's full
time is late by the whole case's deadline, which the listing says.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Fact, load_policy
from relapse_guard.cases import (
    IDENTIFICATION,
    RISK_ELIMINATION,
    CaseState,
    DeadlineState,
    cases_due,
    national_identification,
    open_case,
)
from relapse_guard.errors import InvalidProcedure

D = dt.date


def on_every_deadline(opened_on: dt.date, case_id: str = "c1") -> tuple[CaseState, list[Fact]]:
    """An identification case whose every step is done on its own deadline, never before."""
    fact = open_case(IDENTIFICATION, case_id=case_id, household_id="h1", date=opened_on, risk_key="illness:h1-m0:x")
    case, facts = CaseState.opened(IDENTIFICATION, fact), list[Fact]([fact])
    while case.is_open:
        due = case.due_on
        assert due is not None
        step = case.record("approve", date=due, actor="cadre")
        facts.append(step)
        case = case.advance(step)
    return case, facts


def test_identification_is_bounded_to_15_days_from_the_risk() -> None:
    assert IDENTIFICATION.case_deadline_days == 15
    assert RISK_ELIMINATION.case_deadline_days is None  # the sources bound identification only
    assert national_identification(case_days=20).case_deadline_days == 20
    assert national_identification(case_days=None).case_deadline_days is None
    case, facts = on_every_deadline(D(2016, 7, 4))
    assert case.decided_on == D(2016, 7, 20)  # 16 days: every step on time, the case a day late
    (listed,) = cases_due([IDENTIFICATION], facts[:-1], D(2016, 7, 20))
    assert (listed.step, listed.state, listed.days_left) == ("county_approval", DeadlineState.DUE, 0)
    assert (listed.case_due_on, listed.case_days_late, listed.late) == (D(2016, 7, 19), 1, True)
    assert listed.explain().endswith("; the case due 2016-07-19, overdue by 1 day")
    assert cases_due([IDENTIFICATION], facts[:-1], D(2016, 7, 20), overdue_only=True) == (listed,)
    (early,) = cases_due([IDENTIFICATION], facts[:2], D(2016, 7, 8))
    assert (early.case_due_on, early.case_days_late, early.late) == (D(2016, 7, 19), 0, False)
    assert early.explain().endswith("; the case due 2016-07-19")
    assert cases_due([IDENTIFICATION], facts[:2], D(2016, 7, 8), overdue_only=True) == ()


def test_the_case_counts_from_the_day_the_risk_was_found() -> None:
    _, facts = on_every_deadline(D(2016, 7, 7))
    found = {("h1", "illness:h1-m0:x"): D(2016, 7, 1)}
    (listed,) = cases_due([IDENTIFICATION], facts[:1], D(2016, 7, 8), found=found)
    assert listed.case_due_on == D(2016, 7, 16)
    (unknown,) = cases_due([IDENTIFICATION], facts[:1], D(2016, 7, 8))
    assert unknown.case_due_on == D(2016, 7, 22)  # no day given: from the case's opening
    later = {("h1", "illness:h1-m0:x"): D(2016, 7, 9)}  # a day after the opening: the opening counts
    assert cases_due([IDENTIFICATION], facts[:1], D(2016, 7, 8), found=later)[0].case_due_on == D(2016, 7, 22)


def test_an_appeal_keeps_only_the_steps_deadlines() -> None:
    fact = open_case(IDENTIFICATION, case_id="c1", household_id="h1", date=D(2016, 7, 4))
    case = CaseState.opened(IDENTIFICATION, fact)
    for day in (D(2016, 7, 5), D(2016, 7, 6), D(2016, 7, 7), D(2016, 7, 12)):
        case = case.advance(case.record("approve", date=day, actor="cadre"))
    case = case.advance(case.record("reject", date=D(2016, 7, 13), actor="town", reason="insured"))
    assert case.case_due() is None  # decided
    case = case.advance(case.record("appeal", date=D(2016, 8, 1), actor="household", reason="not insured"))
    assert case.is_open
    assert case.case_due() is None


@pytest.mark.parametrize("days", [0, -3, True, 1.5, "15"], ids=repr)
def test_a_case_deadline_must_be_a_whole_number_of_days(days: object) -> None:
    with pytest.raises(InvalidProcedure, match="case_deadline_days must be a whole number of days >= 1") as info:
        attrs.evolve(IDENTIFICATION, case_deadline_days=days)  # type: ignore[arg-type]
    assert info.value.procedure == "identification"


def test_the_shipped_policies_bound_their_identification() -> None:
    for name in ("yubei_2016", "dazu_2016", "bishan_2016", "chongqing_2016"):
        identification = next(p for p in load_policy(name).procedures if p.name == "identification")
        assert identification.case_deadline_days == 15


@settings(max_examples=100, deadline=None)
@given(st.dates(D(2016, 1, 1), D(2019, 12, 31)), st.integers(0, 10), st.integers(0, 40))
def test_a_case_is_late_exactly_when_its_step_or_the_whole_case_is(
    opened_on: dt.date, found_before: int, after: int
) -> None:
    _, facts = on_every_deadline(opened_on)
    found_on = opened_on - dt.timedelta(days=found_before)
    whole = found_on + dt.timedelta(days=15)
    as_of = opened_on + dt.timedelta(days=after)
    listed = cases_due([IDENTIFICATION], facts, as_of, found={("h1", "illness:h1-m0:x"): found_on})
    for deadline in listed:
        assert deadline.case_due_on == whole
        assert deadline.case_days_late == max((as_of - whole).days, 0)
        assert deadline.late is (deadline.due_on < as_of or whole < as_of)
    # a case taking every step's full time is decided after its whole deadline
    assert facts[-1].date > opened_on + dt.timedelta(days=15)
