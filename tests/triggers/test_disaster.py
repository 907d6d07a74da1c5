from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import DisasterReported, IllnessReported, State
from relapse_guard.decisions import Severity
from relapse_guard.triggers import DisasterTrigger, Trigger
from relapse_guard.triggers.disaster import SEVERITY_BANDS

from .conftest import DAY, M1, amounts, evidence, incomes, make_ctx, states, used

TRIGGER = DisasterTrigger()


def disaster(loss: str | Decimal, *, date: dt.date = DAY, fid: str = "d1", hazard: str = "flood") -> DisasterReported:
    return DisasterReported(id=fid, household_id="h1", date=date, hazard=hazard, loss=Decimal(loss))


def test_is_a_trigger_of_disaster_facts() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "disaster"
    assert TRIGGER.prefix == "triggers.disaster"
    assert TRIGGER.fact_kinds == (DisasterReported,)


def test_other_fact_kinds_are_ignored() -> None:
    fact = IllnessReported(id="f1", household_id="h1", date=DAY, member_id=M1, self_paid_cost=Decimal(90000))
    assert TRIGGER.detect(fact, make_ctx()) is None


@pytest.mark.parametrize(
    ("loss", "fires"), [("0", False), ("999.99", False), ("1000", True), ("1000.00", True), ("1000.01", True)]
)
def test_fires_from_the_minimum_loss(loss: str, fires: bool) -> None:
    assert (TRIGGER.detect(disaster(loss), make_ctx(income="5000")) is not None) is fires


@pytest.mark.parametrize("state", list(State))
def test_fires_whatever_the_state(state: State) -> None:
    risk = TRIGGER.detect(disaster("1000"), make_ctx(state=state, income="5000"))
    assert risk is not None
    assert evidence(risk)["household_status"].endswith(f"({state.value})")


@pytest.mark.parametrize(
    ("loss", "severity"),
    [
        ("1000", Severity.LOW),  # 10% of 2 x 5000
        ("1999.99", Severity.LOW),
        ("2000", Severity.MEDIUM),  # exactly 20%
        ("4999.99", Severity.MEDIUM),
        ("5000", Severity.HIGH),  # exactly 50%
        ("9999.99", Severity.HIGH),
        ("10000", Severity.SEVERE),  # exactly the annual income
        ("80000", Severity.SEVERE),
    ],
)
def test_severity_by_loss_over_annual_income(loss: str, severity: Severity) -> None:
    risk = TRIGGER.detect(disaster(loss), make_ctx(income="5000"))
    assert risk is not None
    assert risk.severity is severity


def test_unknown_income_is_high() -> None:
    risk = TRIGGER.detect(disaster("1000"), make_ctx(state=State.NEW))
    assert risk is not None
    assert risk.severity is Severity.HIGH
    assert evidence(risk)["annual_income"] == "unknown (income never assessed)"


def test_no_income_is_severe() -> None:
    risk = TRIGGER.detect(disaster("1000"), make_ctx(income="0"))
    assert risk is not None
    assert risk.severity is Severity.SEVERE
    assert evidence(risk)["loss_to_income"] == "no income"


def test_risk_content() -> None:
    risk = TRIGGER.detect(disaster("2500.50", hazard="landslide"), make_ctx(state=State.EXITED, income="5000"))
    assert risk is not None
    assert risk.kind == "disaster"
    assert risk.trigger == "disaster"
    assert risk.cost == Decimal("2500.50")
    assert risk.member_id is None
    assert risk.key == "disaster:d1"
    assert risk.fact_id == "d1"
    assert risk.severity is Severity.MEDIUM
    assert risk.evidence == (
        ("hazard", "landslide"),
        ("hazard_kind", "landslide"),
        ("loss", "2500.50"),
        ("min_loss", "1000"),
        ("household_status", "on file (exited)"),
        ("income_per_capita", "5000"),
        ("members", "2"),
        ("annual_income", "10000"),
        ("loss_to_income", "25.01%"),
        ("reason", "landslide loss 2500.50 >= minimum loss 1000"),
    )
    assert used(risk) == [("triggers.disaster.min_loss", "1000", "2015-01-01")]


def test_the_evidence_keeps_the_text_reported_and_names_its_kind() -> None:
    risk = TRIGGER.detect(disaster("2500", hazard=" 山体滑坡 "), make_ctx(income="5000"))
    assert risk is not None
    assert (risk.get("hazard"), risk.get("hazard_kind")) == (" 山体滑坡 ", "landslide")
    assert risk.get("reason") == "landslide loss 2500 >= minimum loss 1000"  # said by its kind
    said = risk.message().render("zh-CN")
    assert "所报灾害： 山体滑坡 ；灾种：滑坡；" in said
    assert said.endswith("理由：滑坡损失 2500 达到最低损失金额 1000")


def test_a_text_of_no_kind_is_kept_and_said_as_reported() -> None:
    risk = TRIGGER.detect(disaster("2500", hazard="风雹"), make_ctx(income="5000"))
    assert risk is not None
    assert risk.get("hazard") == "风雹"
    assert risk.get("hazard_kind") is None
    assert risk.get("reason") == "风雹 loss 2500 >= minimum loss 1000"


def test_minimum_loss_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # min_loss is 1000 until 2017-06-30 and 2000 from 2017-07-01.
    before = dt.date(2017, 6, 30)
    after = dt.date(2017, 7, 1)
    risk = TRIGGER.detect(disaster("1500", date=before), make_ctx(date=before, income="5000"))
    assert risk is not None
    assert used(risk) == [("triggers.disaster.min_loss", "1000", "2015-01-01")]
    assert TRIGGER.detect(disaster("1500", date=after), make_ctx(date=after, income="5000")) is None
    risk = TRIGGER.detect(disaster("2000", date=after), make_ctx(date=after, income="5000"))
    assert risk is not None
    assert evidence(risk)["min_loss"] == "2000"
    assert used(risk) == [("triggers.disaster.min_loss", "2000", "2017-07-01")]


def test_each_report_is_its_own_risk() -> None:
    first = TRIGGER.detect(disaster("1500", fid="d1"), make_ctx())
    second = TRIGGER.detect(disaster("1500", fid="d2"), make_ctx())
    assert first is not None
    assert second is not None
    assert first.key != second.key


def _band(loss: Decimal, annual: Decimal) -> Severity:
    if annual == 0:
        return Severity.SEVERE
    share = loss / annual
    if share >= 1:
        return Severity.SEVERE
    if share >= Decimal("0.5"):
        return Severity.HIGH
    if share >= Decimal("0.2"):
        return Severity.MEDIUM
    return Severity.LOW


def test_bands_are_as_documented() -> None:
    bands = SEVERITY_BANDS
    assert bands == (
        (Decimal(1), Severity.SEVERE),
        (Decimal("0.5"), Severity.HIGH),
        (Decimal("0.2"), Severity.MEDIUM),
    )


@given(loss=amounts, income=incomes, state=states)
def test_fires_iff_loss_reaches_the_minimum_with_the_band_severity(
    loss: Decimal, income: Decimal | None, state: State
) -> None:
    risk = TRIGGER.detect(disaster(loss), make_ctx(state=state, income=income))
    assert (risk is not None) is (loss >= 1000)
    if risk is not None:
        assert risk.cost == loss
        expected = Severity.HIGH if income is None else _band(loss, income * 2)
        assert risk.severity is expected


@given(losses=st.lists(amounts, min_size=2, max_size=2), income=incomes)
def test_severity_is_monotone_in_loss(losses: list[Decimal], income: Decimal | None) -> None:
    low, high = sorted(losses)
    low_risk = TRIGGER.detect(disaster(low), make_ctx(income=income))
    high_risk = TRIGGER.detect(disaster(high), make_ctx(income=income))
    if low_risk is not None:
        assert high_risk is not None
        assert low_risk.severity <= high_risk.severity
