"""A case's alerts name the whole case's deadline (identification: 15 days from the risk), and a
case past it is overdue whatever its step's deadline says."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.cases.households import HOUSEHOLD, IDENTIFICATION, POLICY, monitored_then_flooded, run_case

from relapse_guard import load_policy
from relapse_guard.engine import Checkpoint, Engine, OpenCase
from relapse_guard.engine.resume import next_event
from relapse_guard.lifecycle import State
from relapse_guard.monitoring import AlertKind
from relapse_guard.monitoring.alerts import alerts_for, wake_on

D = dt.date
YUBEI = load_policy("yubei_2016")


def _checkpoint(*cases: OpenCase, clock: dt.date) -> Checkpoint:
    return Checkpoint(
        household_id="YB-7",
        policy=YUBEI.label,
        fingerprint=Engine(YUBEI).fingerprint,
        household="h",
        clock=clock,
        last_fact=None,
        decisions=None,
        state=State.MONITORED,
        state_since=D(2016, 1, 1),
        open_cases=cases,
    )


def _case(step_due: dt.date, whole: dt.date | None) -> OpenCase:
    return OpenCase(
        case_id="C1", procedure="identification", step="village_deliberation", due_on=step_due, case_due_on=whole
    )


def _said(case: OpenCase, as_of: dt.date) -> list[tuple[AlertKind, dt.date, str, str]]:
    new = _checkpoint(case, clock=as_of)
    found = alerts_for(new, new, policy=YUBEI, as_of=as_of, district="Yubei")
    return [(a.kind, a.date, a.detail, a.render("zh-CN")) for a in found if a.subject == "C1"]


@pytest.mark.parametrize(
    ("step_due", "whole", "as_of", "expected"),
    [
        (  # the step's deadline near, the whole case's further
            D(2017, 3, 9),
            D(2017, 3, 15),
            D(2017, 3, 4),
            (
                AlertKind.CASE_STEP_DUE,
                D(2017, 3, 9),
                "identification case C1: step village_deliberation, deadline 2017-03-09; the whole case due 2017-03-15",
                "识别认定案件 C1：办理环节“村级民主评议”，办结时限 2017-03-09；全案办结时限 2017-03-15",
            ),
        ),
        (  # the step not near, the whole case's deadline is
            D(2017, 3, 30),
            D(2017, 3, 8),
            D(2017, 3, 4),
            (
                AlertKind.CASE_STEP_DUE,
                D(2017, 3, 8),
                "identification case C1: step village_deliberation, deadline 2017-03-30; the whole case due 2017-03-08",
                "识别认定案件 C1：办理环节“村级民主评议”，办结时限 2017-03-30；全案办结时限 2017-03-08",
            ),
        ),
        (  # the step on time, the whole case late
            D(2017, 3, 6),
            D(2017, 3, 3),
            D(2017, 3, 4),
            (
                AlertKind.CASE_STEP_OVERDUE,
                D(2017, 3, 3),
                "identification case C1: step village_deliberation, deadline 2017-03-06; "
                "the whole case past its deadline 2017-03-03",
                "识别认定案件 C1：办理环节“村级民主评议”，办结时限 2017-03-06；全案已超过办结时限 2017-03-03",
            ),
        ),
        (  # both late: dated by the first that passed
            D(2017, 3, 1),
            D(2017, 3, 2),
            D(2017, 3, 4),
            (
                AlertKind.CASE_STEP_OVERDUE,
                D(2017, 3, 1),
                "identification case C1: step village_deliberation past its deadline 2017-03-01; "
                "the whole case past its deadline 2017-03-02",
                "识别认定案件 C1：办理环节“村级民主评议”已超过办结时限 2017-03-01；全案已超过办结时限 2017-03-02",
            ),
        ),
        (  # the step late, the whole case not yet
            D(2017, 3, 1),
            D(2017, 3, 10),
            D(2017, 3, 4),
            (
                AlertKind.CASE_STEP_OVERDUE,
                D(2017, 3, 1),
                "identification case C1: step village_deliberation past its deadline 2017-03-01; "
                "the whole case due 2017-03-10",
                "识别认定案件 C1：办理环节“村级民主评议”已超过办结时限 2017-03-01；全案办结时限 2017-03-10",
            ),
        ),
    ],
)
def test_a_case_alert_names_both_deadlines(
    step_due: dt.date, whole: dt.date, as_of: dt.date, expected: tuple[AlertKind, dt.date, str, str]
) -> None:
    assert _said(_case(step_due, whole), as_of) == [expected]


def test_nothing_is_said_while_both_deadlines_are_far() -> None:
    assert _said(_case(D(2017, 3, 20), D(2017, 3, 25)), D(2017, 3, 4)) == []
    # a case of a procedure with no whole deadline says what it always said
    ((kind, _, detail, _),) = _said(_case(D(2017, 3, 9), None), D(2017, 3, 4))
    assert (kind, detail) == (
        AlertKind.CASE_STEP_DUE,
        "identification case C1: step village_deliberation, deadline 2017-03-09",
    )


def test_the_household_wakes_for_the_whole_case_too() -> None:
    checkpoint = _checkpoint(_case(D(2017, 3, 30), D(2017, 3, 15)), clock=D(2017, 3, 4))
    assert wake_on(checkpoint) == D(2017, 3, 8)  # a week before the whole case's deadline


def test_a_checkpoint_keeps_the_whole_case_deadline() -> None:
    checkpoint = _checkpoint(_case(D(2017, 3, 9), D(2017, 3, 15)), _case(D(2017, 3, 9), None), clock=D(2017, 3, 4))
    assert Checkpoint.from_dict(checkpoint.to_dict()) == checkpoint
    assert Checkpoint.from_bytes(checkpoint.to_bytes(YUBEI), YUBEI) == checkpoint
    rows = checkpoint.to_dict()["open_cases"]
    assert rows == [
        ["C1", "identification", "village_deliberation", "2017-03-09", "2017-03-15"],
        ["C1", "identification", "village_deliberation", "2017-03-09"],  # as checkpoints were written before
    ]


def test_the_engine_counts_the_case_from_the_day_its_risk_was_found() -> None:
    # the flood is reported on Monday 4 July 2016; the case opens on the 6th
    case, facts = run_case(IDENTIFICATION, D(2016, 7, 6), [(D(2016, 7, 8), "approve", "")])
    done = Engine(POLICY).run_checkpointed(HOUSEHOLD, [*monitored_then_flooded(), *facts], as_of=D(2016, 7, 10))
    (open_case,) = done.checkpoint.open_cases
    assert (open_case.step, open_case.due_on, open_case.case_due_on) == (
        "data_comparison",
        D(2016, 7, 13),
        D(2016, 7, 19),
    )
    assert case.case_due() == D(2016, 7, 21)  # the case alone knows only its opening
    # the household's next event: the whole case's deadline when it comes first
    whole_first = next_event(
        YUBEI,
        household_id="h1",
        clock=D(2016, 7, 10),
        state=State.NEW,
        state_since=None,
        monitoring=(None, None),
        reviews_done={},
        open_cases=[_case(D(2016, 7, 30), D(2016, 7, 19))],
    )
    assert whole_first == D(2016, 7, 19)
