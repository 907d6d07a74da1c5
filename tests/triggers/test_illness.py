from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import DisasterReported, IllnessReported, State
from relapse_guard.decisions import Severity
from relapse_guard.errors import InvalidFact
from relapse_guard.facts import Source
from relapse_guard.parameters import ParameterTree
from relapse_guard.triggers import IllnessTrigger, Trigger

from .conftest import DAY, M1, M2, NOT_ON_FILE, ON_FILE, PARAMETERS, amounts, evidence, incomes, make_ctx, states, used

TRIGGER = IllnessTrigger()


def ill(
    cost: str | Decimal, *, member: str = M1, date: dt.date = DAY, fid: str = "f1", **kw: object
) -> IllnessReported:
    return IllnessReported(id=fid, household_id="h1", date=date, member_id=member, self_paid_cost=Decimal(cost), **kw)  # type: ignore[arg-type]


def test_is_a_trigger_of_illness_facts() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "illness"
    assert TRIGGER.prefix == "triggers.illness"
    assert TRIGGER.fact_kinds == (IllnessReported,)


def test_other_fact_kinds_are_ignored() -> None:
    fact = DisasterReported(id="f1", household_id="h1", date=DAY, hazard="flood", loss=Decimal(50000))
    assert TRIGGER.detect(fact, make_ctx()) is None


# --- the alert amounts ------------------------------------------------------------------


@pytest.mark.parametrize("state", ON_FILE)
@pytest.mark.parametrize(
    ("cost", "fires"), [("5999.99", False), ("6000", False), ("6000.00", False), ("6000.01", True), ("9000", True)]
)
def test_on_file_alert_at_6000(state: State, cost: str, fires: bool) -> None:
    risk = TRIGGER.detect(ill(cost), make_ctx(state=state))
    assert (risk is not None) is fires


@pytest.mark.parametrize("state", NOT_ON_FILE)
@pytest.mark.parametrize(
    ("cost", "fires"), [("6000.01", False), ("9999.99", False), ("10000", False), ("10000.01", True)]
)
def test_not_on_file_alert_at_10000(state: State, cost: str, fires: bool) -> None:
    risk = TRIGGER.detect(ill(cost), make_ctx(state=state))
    assert (risk is not None) is fires


def test_alert_risk_with_unknown_income_is_high_and_explained() -> None:
    risk = TRIGGER.detect(ill("6000.01", hospitalised=True), make_ctx(state=State.MONITORED))
    assert risk is not None
    assert risk.kind == "illness"
    assert risk.trigger == "illness"
    assert risk.severity is Severity.HIGH
    assert risk.cost == Decimal("6000.01")
    assert risk.member_id == M1
    assert risk.household_id == "h1"
    assert risk.fact_id == "f1"
    assert risk.date == DAY
    assert risk.key == f"illness:{M1}:2016-06-01"
    assert risk.evidence == (
        ("self_paid_cost", "6000.01"),
        ("hospitalised", "yes"),
        ("household_status", "on file (monitored)"),
        ("alert_amount", "6000"),
        ("annual_income", "unknown (income never assessed)"),
        ("reason", "self-paid cost 6000.01 > alert amount 6000 for households on file"),
    )
    # Only the alert amount was compared: the income share is not read without an income.
    assert used(risk) == [("triggers.illness.self_paid_alert_on_file", "6000", "2015-01-01")]


def test_not_on_file_reads_the_general_alert_amount() -> None:
    risk = TRIGGER.detect(ill("10000.01"), make_ctx(state=State.STABLE))
    assert risk is not None
    assert evidence(risk)["household_status"] == "not on file (stable)"
    assert evidence(risk)["alert_amount"] == "10000"
    assert evidence(risk)["hospitalised"] == "no"
    assert used(risk) == [("triggers.illness.self_paid_alert", "10000", "2015-01-01")]


# --- the income share -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "fires"), [("3999.99", False), ("4000", False), ("4000.00", False), ("4000.01", True)]
)
def test_share_of_income_alert_at_40_percent(cost: str, fires: bool) -> None:
    # 2 members x 5000 = 10000 a year; 40% is 4000, far under the 10000 alert.
    risk = TRIGGER.detect(ill(cost), make_ctx(state=State.NEW, income="5000"))
    assert (risk is not None) is fires


def test_share_risk_evidence_and_parameters() -> None:
    risk = TRIGGER.detect(ill("4000.01"), make_ctx(state=State.NEW, income="5000"))
    assert risk is not None
    assert risk.severity is Severity.HIGH
    assert evidence(risk) == {
        "self_paid_cost": "4000.01",
        "hospitalised": "no",
        "household_status": "not on file (new)",
        "alert_amount": "10000",
        "income_per_capita": "5000",
        "members": "2",
        "annual_income": "10000",
        "income_share": "0.4",
        "income_share_amount": "4000.00",
        "cost_to_income": "40.00%",
        "reason": "self-paid cost 4000.01 > 0.4 x annual income 10000 = 4000.00",
    }
    assert used(risk) == [
        ("triggers.illness.self_paid_alert", "10000", "2015-01-01"),
        ("triggers.illness.income_share", "0.4", "2015-01-01"),
    ]


def test_both_reasons_are_given_when_both_thresholds_are_passed() -> None:
    risk = TRIGGER.detect(ill("7000"), make_ctx(state=State.MONITORED, income="5000"))
    assert risk is not None
    assert evidence(risk)["reason"] == (
        "self-paid cost 7000 > alert amount 6000 for households on file; "
        "self-paid cost 7000 > 0.4 x annual income 10000 = 4000.00"
    )


def test_under_both_thresholds_does_not_fire() -> None:
    # annual income 2 x 20000 = 40000: 40% is 16000; the on-file alert is 6000.
    assert TRIGGER.detect(ill("6000"), make_ctx(state=State.MONITORED, income="20000")) is None


# --- severity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "severity"),
    [
        ("6000.01", Severity.MEDIUM),  # 30% of 20000: fires on the alert amount only
        ("7999.99", Severity.MEDIUM),
        ("8000", Severity.HIGH),  # exactly 40%
        ("8000.01", Severity.HIGH),
        ("19999.99", Severity.HIGH),
        ("20000", Severity.SEVERE),  # exactly the annual income
        ("50000", Severity.SEVERE),
    ],
)
def test_severity_by_cost_over_annual_income(cost: str, severity: Severity) -> None:
    risk = TRIGGER.detect(ill(cost), make_ctx(state=State.MONITORED, income="10000"))
    assert risk is not None
    assert risk.severity is severity


def test_no_income_at_all_is_severe() -> None:
    risk = TRIGGER.detect(ill("0.01"), make_ctx(state=State.NEW, income="0"))
    assert risk is not None
    assert risk.severity is Severity.SEVERE
    assert evidence(risk)["cost_to_income"] == "no income"
    assert evidence(risk)["annual_income"] == "0"


# --- dated parameters -------------------------------------------------------------------


def test_alert_amount_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # The on-file alert is 6000 until 2016-12-31 and 5000 from 2017-01-01.
    assert TRIGGER.detect(ill("5500", date=dt.date(2016, 12, 31)), make_ctx(date=dt.date(2016, 12, 31))) is None
    risk = TRIGGER.detect(ill("5500", date=dt.date(2017, 1, 1)), make_ctx(date=dt.date(2017, 1, 1)))
    assert risk is not None
    assert evidence(risk)["alert_amount"] == "5000"
    assert used(risk) == [("triggers.illness.self_paid_alert_on_file", "5000", "2017-01-01")]
    assert risk.to_dict()["parameters"] == [
        {"name": "triggers.illness.self_paid_alert_on_file", "value": "5000", "effective_from": "2017-01-01"}
    ]


def test_prefix_selects_another_set_of_parameters() -> None:
    tree = PARAMETERS.merged(
        ParameterTree.from_toml(
            """
            [strict.illness]
            self_paid_alert = { values = { 2015-01-01 = 500 } }
            self_paid_alert_on_file = { values = { 2015-01-01 = 300 } }
            income_share = { values = { 2015-01-01 = 0.1 } }
            """
        )
    )
    trigger = IllnessTrigger(name="strict_illness", prefix="strict.illness")
    risk = trigger.detect(ill("300.01"), make_ctx(parameters=tree))
    assert risk is not None
    assert risk.kind == "illness"  # the kind is fixed: routes dispatch on it
    assert risk.trigger == "strict_illness"
    assert used(risk) == [("strict.illness.self_paid_alert_on_file", "300", "2015-01-01")]


# --- identity and errors ----------------------------------------------------------------


def test_one_illness_from_two_sources_is_one_risk() -> None:
    ctx = make_ctx()
    first = TRIGGER.detect(ill("7000", fid="declared", source=Source.SELF_DECLARED), ctx)
    second = TRIGGER.detect(ill("7200", fid="insurance", source=Source.DEPARTMENT), make_ctx())
    other_member = TRIGGER.detect(ill("7000", fid="f3", member=M2), make_ctx())
    later = TRIGGER.detect(ill("7000", fid="f4", date=dt.date(2016, 6, 2)), make_ctx())
    assert first is not None
    assert second is not None
    assert other_member is not None
    assert later is not None
    assert first.key == second.key == f"illness:{M1}:2016-06-01"
    assert other_member.key == f"illness:{M2}:2016-06-01"
    assert later.key == f"illness:{M1}:2016-06-02"


def test_unknown_member_is_an_invalid_fact_with_the_id_redacted() -> None:
    with pytest.raises(InvalidFact) as caught:
        TRIGGER.detect(ill("7000", member="500112199912319999"), make_ctx())
    error = caught.value
    assert error.household_id == "h1"
    assert error.field == "member_id"
    assert error.value == "500***99"
    assert error.fact_id == "f1"
    assert "500112199912319999" not in str(error)
    assert "'h1'" in str(error)


def test_unknown_member_is_refused_even_for_a_small_cost() -> None:
    with pytest.raises(InvalidFact):
        TRIGGER.detect(ill("1", member="nobody"), make_ctx())


# --- properties -------------------------------------------------------------------------


@given(cost=amounts, income=incomes, state=states)
def test_fires_iff_cost_over_alert_or_over_share_of_income(cost: Decimal, income: Decimal | None, state: State) -> None:
    alert = Decimal(6000) if state in ON_FILE else Decimal(10000)
    over_share = income is not None and cost > Decimal("0.4") * income * 2
    risk = TRIGGER.detect(ill(cost), make_ctx(state=state, income=income))
    assert (risk is not None) is (cost > alert or over_share)
    if risk is not None:
        assert risk.cost == cost
        assert risk.kind == "illness"


@given(costs=st.lists(amounts, min_size=2, max_size=2), income=incomes, state=states)
def test_severity_is_monotone_in_cost(costs: list[Decimal], income: Decimal | None, state: State) -> None:
    low, high = sorted(costs)
    low_risk = TRIGGER.detect(ill(low), make_ctx(state=state, income=income))
    high_risk = TRIGGER.detect(ill(high), make_ctx(state=state, income=income))
    if low_risk is not None:
        assert high_risk is not None
        assert low_risk.severity <= high_risk.severity


@given(income=incomes, state=states)
def test_never_fires_for_zero_cost(income: Decimal | None, state: State) -> None:
    assert TRIGGER.detect(ill("0"), make_ctx(state=state, income=income)) is None
