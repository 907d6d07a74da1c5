from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Household, JobLost, MainEarnerLost, State
from relapse_guard.decisions import Severity
from relapse_guard.errors import InvalidFact
from relapse_guard.facts import Source
from relapse_guard.household import LabourCapacity
from relapse_guard.triggers import Trigger, UnemploymentTrigger

from .conftest import DAY, M1, M2, M3, NOT_ON_FILE, ON_FILE, evidence, household, incomes, make_ctx, states, used

TRIGGER = UnemploymentTrigger()
FULL, PARTIAL, NONE = LabourCapacity.FULL, LabourCapacity.PARTIAL, LabourCapacity.NONE


def job_lost(*, member: str = M1, date: dt.date = DAY, fid: str = "j1", **kw: object) -> JobLost:
    return JobLost(id=fid, household_id="h1", date=date, member_id=member, **kw)  # type: ignore[arg-type]


def test_is_a_trigger_of_job_lost_facts() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "unemployment"
    assert TRIGGER.prefix == "triggers.unemployment"
    assert TRIGGER.fact_kinds == (JobLost,)


def test_other_fact_kinds_are_ignored() -> None:
    fact = MainEarnerLost(id="x", household_id="h1", date=DAY, member_id=M1)
    assert TRIGGER.detect(fact, make_ctx()) is None


@pytest.mark.parametrize("state", list(State))
def test_member_who_cannot_work_raises_nothing(state: State) -> None:
    hh = household(NONE, FULL)
    assert TRIGGER.detect(job_lost(member=M1), make_ctx(state=state, hh=hh, income="1000")) is None


@pytest.mark.parametrize("state", list(State))
def test_sole_worker_is_severe_and_reads_no_parameter(state: State) -> None:
    hh = household(PARTIAL, NONE, NONE)
    risk = TRIGGER.detect(job_lost(member=M1), make_ctx(state=state, hh=hh, income="90000"))
    assert risk is not None
    assert risk.severity is Severity.SEVERE
    assert risk.parameters == ()
    assert evidence(risk)["labour_capacity"] == "partial"
    assert evidence(risk)["other_members_who_can_work"] == "0"
    assert evidence(risk)["reason"] == "member able to work lost their job; no other member can work"


def test_single_member_household_is_severe() -> None:
    risk = TRIGGER.detect(job_lost(), make_ctx(state=State.NEW, hh=household(FULL)))
    assert risk is not None
    assert risk.severity is Severity.SEVERE


@pytest.mark.parametrize("state", ON_FILE)
def test_on_file_with_another_worker_is_high(state: State) -> None:
    risk = TRIGGER.detect(job_lost(), make_ctx(state=state, income="90000"))
    assert risk is not None
    assert risk.severity is Severity.HIGH
    assert risk.parameters == ()
    assert evidence(risk)["reason"] == f"member able to work lost their job; household on file ({state.value})"


@pytest.mark.parametrize("state", NOT_ON_FILE)
@pytest.mark.parametrize(
    ("income", "severity"),
    [
        ("0", Severity.HIGH),
        ("5399.99", Severity.HIGH),
        ("5400", Severity.MEDIUM),  # exactly 1.5 x 3600
        ("5400.01", Severity.MEDIUM),
    ],
)
def test_not_on_file_is_high_under_the_monitoring_threshold(state: State, income: str, severity: Severity) -> None:
    risk = TRIGGER.detect(job_lost(), make_ctx(state=state, income=income))
    assert risk is not None
    assert risk.severity is severity


def test_not_on_file_with_unknown_income_is_medium() -> None:
    risk = TRIGGER.detect(job_lost(), make_ctx(state=State.NEW))
    assert risk is not None
    assert risk.severity is Severity.MEDIUM
    assert risk.parameters == ()
    assert evidence(risk)["income_per_capita"] == "unknown (income never assessed)"


def test_risk_content_and_parameters() -> None:
    risk = TRIGGER.detect(job_lost(), make_ctx(state=State.STABLE, income="5399.99"))
    assert risk is not None
    assert risk.kind == "unemployment"
    assert risk.trigger == "unemployment"
    assert risk.cost == Decimal(0)
    assert risk.member_id == M1
    assert risk.key == f"unemployment:{M1}:2016-06-01"
    assert risk.evidence == (
        ("labour_capacity", "full"),
        ("other_members_who_can_work", "1"),
        ("household_status", "not on file (stable)"),
        ("income_per_capita", "5399.99"),
        ("poverty_line", "3600"),
        ("monitoring_threshold", "5400.00"),
        (
            "reason",
            "member able to work lost their job; income per capita 5399.99 < monitoring threshold 1.5 x 3600 = 5400.00",
        ),
    )
    assert used(risk) == [
        ("poverty_line", "3600", "2016-01-01"),
        ("monitoring.threshold_ratio", "1.5", "2015-01-01"),
    ]


def test_threshold_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # The ratio is 1.5 (threshold 5400) until 2016-12-31 and 2 (threshold 7200) from 2017-01-01.
    before, after = dt.date(2016, 12, 31), dt.date(2017, 1, 1)
    old = TRIGGER.detect(job_lost(date=before), make_ctx(state=State.NEW, income="6000", date=before))
    new = TRIGGER.detect(job_lost(date=after), make_ctx(state=State.NEW, income="6000", date=after))
    assert old is not None
    assert new is not None
    assert old.severity is Severity.MEDIUM
    assert new.severity is Severity.HIGH
    assert used(new) == [("poverty_line", "3600", "2016-01-01"), ("monitoring.threshold_ratio", "2", "2017-01-01")]
    assert evidence(new)["monitoring_threshold"] == "7200.00"


def test_custom_threshold_parameter() -> None:
    trigger = UnemploymentTrigger(name="unemployment_strict", threshold_ratio="triggers.illness.income_share")
    risk = trigger.detect(job_lost(), make_ctx(state=State.NEW, income="1439.99"))
    assert risk is not None
    assert risk.kind == "unemployment"
    assert risk.trigger == "unemployment_strict"
    assert risk.severity is Severity.HIGH  # 1439.99 < 0.4 x 3600
    assert used(risk)[1] == ("triggers.illness.income_share", "0.4", "2015-01-01")


def test_one_job_loss_from_two_sources_is_one_risk() -> None:
    first = TRIGGER.detect(job_lost(fid="j1", source=Source.SELF_DECLARED), make_ctx())
    second = TRIGGER.detect(job_lost(fid="j2", source=Source.DEPARTMENT), make_ctx())
    other = TRIGGER.detect(job_lost(fid="j3", member=M2), make_ctx())
    assert first is not None
    assert second is not None
    assert other is not None
    assert first.key == second.key
    assert other.key == f"unemployment:{M2}:2016-06-01"


def test_unknown_member_is_an_invalid_fact_with_the_id_redacted() -> None:
    with pytest.raises(InvalidFact) as caught:
        TRIGGER.detect(job_lost(member="500112199912319999"), make_ctx())
    error = caught.value
    assert error.household_id == "h1"
    assert error.field == "member_id"
    assert error.value == "500***99"
    assert error.fact_id == "j1"
    assert "500112199912319999" not in str(error)


capacities = st.lists(st.sampled_from(list(LabourCapacity)), min_size=1, max_size=3)


@given(caps=capacities, index=st.integers(0, 2), income=incomes, state=states)
def test_fires_iff_the_member_can_work_with_the_documented_severity(
    caps: list[LabourCapacity], index: int, income: Decimal | None, state: State
) -> None:
    hh: Household = household(*caps)
    member = hh.members[index % len(caps)]
    risk = TRIGGER.detect(job_lost(member=member.id), make_ctx(state=state, hh=hh, income=income))
    assert (risk is not None) is member.can_work_on(DAY)
    if risk is None:
        return
    others = [m for m in hh.members if m.id != member.id and m.can_work_on(DAY)]
    if not others:
        expected = Severity.SEVERE
    elif state in ON_FILE or (income is not None and income < Decimal(5400)):
        expected = Severity.HIGH
    else:
        expected = Severity.MEDIUM
    assert risk.severity is expected
    assert risk.member_id == member.id
    assert risk.member_id in (M1, M2, M3)
