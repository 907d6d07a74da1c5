"""The risk-elimination start condition: income stable above the threshold, needs, months monitored, measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from relapse_guard import Engine, ExitVerified, Fact, IllnessReported, IncomeAssessed, load_policy
from relapse_guard.cases import RiskEliminationCondition, StartContext, check_start, open_case, procedure_named
from relapse_guard.errors import CaseCannotStart, PluginFailed, typed_repr
from relapse_guard.facts import BasicNeed, BasicNeedsChecked, CaseDecided
from relapse_guard.rules import Verdict

from ..conftest import make_household
from .households import (
    FLOOD,
    HID,
    IDENTIFICATION,
    IDLE_HOUSEHOLD,
    ON_TIME,
    POLICY,
    RISK_ELIMINATION,
    D,
    evidence,
    house,
    income,
    monitored_then_flooded,
    needs,
    run_case,
)


def relapsed_by_the_flood() -> list[Fact]:
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), ON_TIME)
    decision = case.decision_fact()
    assert decision is not None
    return [*monitored_then_flooded(), *case_facts, decision]


def recovered() -> list[Fact]:
    return [
        *relapsed_by_the_flood(),
        income(D(2017, 1, 10), 6000, "i3"),  # the threshold in 2017: 1.5 x 3600 = 5400
        needs(D(2017, 1, 10)),
        income(D(2017, 7, 15), 6400, "i4"),
    ]


def verdict(facts: list[Fact], on: dt.date, **changes: Any) -> Verdict:
    return check_start(RISK_ELIMINATION, evidence(facts, on, **changes))


def test_the_condition_holds_once_everything_is_stable() -> None:
    result = verdict(recovered(), D(2017, 7, 20))
    assert result.holds, result.reason
    assert "risk disaster:flood found on 2016-07-04" in result.reason
    assert "income at or above the monitoring threshold (5400.00 on 2017-07-15)" in result.reason
    assert "from 2017-01-10 to 2017-07-15 (2 assessments)" in result.reason
    assert "basic needs secured" in result.reason
    assert "monitored since 2016-07-04 (12 months)" in result.reason
    assert "measures for the risk delivered since (safety_net, temporary_relief)" in result.reason
    assert "no risk found since 2016-07-04 still open" in result.reason


def test_income_must_be_shown_stable_for_six_months() -> None:
    short = [*recovered()[:-1], income(D(2017, 5, 15), 6400, "i4")]
    result = verdict(short, D(2017, 5, 20))
    assert not result.holds
    assert "only from 2017-01-10 to 2017-05-15" in result.reason
    dipped = [*recovered(), income(D(2017, 7, 18), 5300, "i5")]
    result = verdict(dipped, D(2017, 7, 20))
    assert not result.holds
    assert "income per capita 5300 on 2017-07-18 < monitoring threshold 5400.00" in result.reason
    result = verdict([*relapsed_by_the_flood(), needs(D(2017, 1, 10))], D(2017, 7, 20))
    assert "no income assessed since the risk was found (2016-07-04)" in result.reason  # 2015's is before the flood


def test_basic_needs_must_be_secured_and_the_house_safe() -> None:
    unmet = [*recovered(), needs(D(2017, 7, 16), BasicNeed.SAFE_WATER)]
    assert "basic needs not secured on 2017-07-16: safe_water" in verdict(unmet, D(2017, 7, 20)).reason
    unsafe = [*recovered(), house(D(2017, 7, 16), "C")]
    assert "house graded C on 2017-07-16" in verdict(unsafe, D(2017, 7, 20)).reason
    never = [f for f in recovered() if not f.id.startswith("n")]
    assert "basic needs not checked since the risk was found (2016-07-04)" in verdict(never, D(2017, 7, 20)).reason


def test_six_months_monitored_with_a_measure_delivered() -> None:
    early = [*relapsed_by_the_flood(), needs(D(2016, 7, 1)), income(D(2015, 12, 1), 6000, "i9")]
    result = verdict(early, D(2016, 12, 1))
    assert not result.holds
    assert "monitored since 2016-07-04 (4 months): needs 6 months" in result.reason
    strict = RiskEliminationCondition(measures=3)
    result = strict(evidence(recovered(), D(2017, 7, 20)))
    assert "2 measures for the risk delivered since (safety_net, temporary_relief): needs 3" in result.reason


def test_no_risk_or_an_eliminated_risk_cannot_be_eliminated() -> None:
    assert "names the risk" in verdict(recovered(), D(2017, 7, 20), risk_key=None).reason
    assert "no risk illness:x was found" in verdict(recovered(), D(2017, 7, 20), risk_key="illness:x").reason
    done = CaseDecided(
        id="e:decision",
        household_id=HID,
        date=D(2017, 7, 16),  # the day after the conditions hold: the engine applies it
        case_id="e",
        procedure="risk_elimination",
        outcome="approved",
        risk_key=FLOOD,
    )
    assert "was eliminated on 2017-07-16 already" in verdict([*recovered(), done], D(2017, 7, 20)).reason


def test_not_while_no_member_can_work() -> None:
    result = verdict(recovered(), D(2017, 7, 20), household=IDLE_HOUSEHOLD)
    assert not result.holds
    assert "no member can work" in result.reason
    lenient = RiskEliminationCondition(needs_labour_capacity=False)
    assert lenient(evidence(recovered(), D(2017, 7, 20), household=IDLE_HOUSEHOLD)).holds


def test_open_case_checks_the_start_condition() -> None:
    on = D(2016, 12, 1)
    with pytest.raises(CaseCannotStart, match="needs the household's evidence") as info:
        open_case(RISK_ELIMINATION, case_id="c2", household_id=HID, date=on, risk_key=FLOOD)
    assert (info.value.procedure, info.value.household_id) == ("risk_elimination", HID)
    with pytest.raises(CaseCannotStart, match=r"risk_elimination_conditions: .*needs 6 months"):
        open_case(
            RISK_ELIMINATION,
            case_id="c2",
            household_id=HID,
            date=on,
            risk_key=FLOOD,
            evidence=evidence(relapsed_by_the_flood(), on),
        )
    with pytest.raises(CaseCannotStart, match="not of 'h1' on 2016-12-02"):
        open_case(
            RISK_ELIMINATION,
            case_id="c2",
            household_id=HID,
            date=D(2016, 12, 2),
            risk_key=FLOOD,
            evidence=evidence(relapsed_by_the_flood(), on),
        )
    opened = open_case(
        RISK_ELIMINATION,
        case_id="c2",
        household_id=HID,
        date=D(2017, 7, 20),
        risk_key=FLOOD,
        evidence=evidence(recovered(), D(2017, 7, 20)),
    )
    assert opened.reason.startswith("risk_elimination_conditions: risk disaster:flood found on 2016-07-04")
    assert check_start(IDENTIFICATION, evidence(recovered(), D(2017, 7, 20))).holds
    assert POLICY.procedures[1] is RISK_ELIMINATION


@attrs.frozen
class _Says:
    """A start condition that gives back ``answer`` whatever the evidence."""

    answer: object
    name: str = "stable_enough"

    def __call__(self, ctx: StartContext) -> Any:
        return self.answer


@pytest.mark.parametrize("answer", [True, False, None, (True, "stable"), "holds"], ids=repr)
def test_a_start_condition_that_gives_anything_but_a_verdict_fails_naming_itself(answer: object) -> None:
    # open_case read verdict.holds of it: "'bool' object has no attribute 'holds'"
    procedure = attrs.evolve(RISK_ELIMINATION, start_condition=_Says(answer))
    on = D(2017, 7, 20)
    with pytest.raises(PluginFailed) as failed:
        open_case(
            procedure, case_id="c2", household_id=HID, date=on, risk_key=FLOOD, evidence=evidence(recovered(), on)
        )
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == (
        HID,
        "procedure.risk_elimination.stable_enough",
        "c2:opened",
    )
    assert str(error) == (
        f"household {HID!r}: procedure.risk_elimination.stable_enough gave what the engine cannot use on fact "
        f"'c2:opened': its test returned {typed_repr(answer)}; expected a Verdict: return Verdict(holds, reason), "
        "e.g. Verdict(income < line, 'income under the line')"
    )
    with pytest.raises(PluginFailed) as failed:
        check_start(procedure, evidence(recovered(), on))
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == (HID, "procedure.risk_elimination.stable_enough", None)


# --- a measure for the risk, and no new risk ------------------------------------------------

YUBEI = load_policy("yubei_2016")
YUBEI_ELIMINATION = procedure_named(YUBEI.procedures, "risk_elimination")
TWO = make_household("y1", size=2)


def _yubei(facts: list[Fact], on: dt.date, risk_key: str) -> Verdict:
    return check_start(
        YUBEI_ELIMINATION,
        StartContext(
            household=TWO,
            on=on,
            facts=[f for f in facts if f.date <= on],
            result=Engine(YUBEI).run(TWO, facts, as_of=on),
            parameters=YUBEI.parameters,
            risk_key=risk_key,
        ),
    )


def _exited_then_ill(*illnesses: tuple[str, dt.date, int]) -> list[Fact]:
    """A Yubei household exited in 2015 (income well above every threshold since), then ill."""
    facts: list[Fact] = [
        IncomeAssessed(id="i0", household_id="y1", date=D(2015, 1, 10), income_per_capita=Decimal(2000)),
        IncomeAssessed(id="i1", household_id="y1", date=D(2015, 11, 1), income_per_capita=Decimal(40000)),
        BasicNeedsChecked(id="n1", household_id="y1", date=D(2015, 11, 1)),
        ExitVerified(id="e1", household_id="y1", date=D(2015, 11, 15)),
    ]
    for member, on, cost in illnesses:
        facts.append(
            IllnessReported(
                id=f"ill-{member}", household_id="y1", date=on, member_id=member, self_paid_cost=Decimal(cost)
            )
        )
    return facts


def test_only_a_measure_for_the_risk_counts_not_a_yearly_premium() -> None:
    # the first illness uses up medical aid's yearly cap: the second gets nothing; the only
    # grant after it is the micro-insurance premium every monitored household gets on 1 January
    facts = [
        *_exited_then_ill(("y1-m0", D(2016, 2, 10), 60000), ("y1-m1", D(2016, 3, 10), 8000)),
        IncomeAssessed(id="i2", household_id="y1", date=D(2016, 4, 10), income_per_capita=Decimal(40000)),
        IncomeAssessed(id="i3", household_id="y1", date=D(2016, 10, 10), income_per_capita=Decimal(40000)),
        BasicNeedsChecked(id="n2", household_id="y1", date=D(2016, 10, 10)),
    ]
    result = Engine(YUBEI).run(TWO, facts, as_of=D(2017, 1, 5))
    premium = next(g for g in result.grants if g.intervention == "micro_insurance" and g.date == D(2017, 1, 1))
    assert premium.risk_key == "each_year:monitored:2017-01-01"  # an occasion's key, not a risk's
    found = _yubei(facts, D(2017, 1, 5), "illness:y1-m1:2016-03-10")
    assert not found.holds
    assert found.reason == "0 measures for the risk delivered since: needs 1"
    # the first illness had its measure (medical aid), and only that counts for it (its
    # elimination waits for the second's, a risk found later)
    first = _yubei(facts, D(2016, 12, 20), "illness:y1-m0:2016-02-10")
    assert first.reason.startswith("a risk found since is still open: risk illness:y1-m1:2016-03-10")
    alone = RiskEliminationCondition(no_new_risks=False)
    evidence_then = StartContext(
        household=TWO,
        on=D(2016, 12, 20),
        facts=facts,
        result=Engine(YUBEI).run(TWO, facts, as_of=D(2016, 12, 20)),
        parameters=YUBEI.parameters,
        risk_key="illness:y1-m0:2016-02-10",
    )
    assert "1 measure for the risk delivered since (medical_aid)" in alone(evidence_then).reason


def test_not_while_a_risk_found_later_is_still_open() -> None:
    facts = [
        *_exited_then_ill(("y1-m0", D(2016, 3, 10), 7000), ("y1-m1", D(2016, 9, 20), 25000)),
        IncomeAssessed(id="i2", household_id="y1", date=D(2016, 4, 10), income_per_capita=Decimal(40000)),
        IncomeAssessed(id="i3", household_id="y1", date=D(2016, 10, 10), income_per_capita=Decimal(40000)),
        BasicNeedsChecked(id="n2", household_id="y1", date=D(2016, 10, 10)),
    ]
    found = _yubei(facts, D(2016, 10, 14), "illness:y1-m0:2016-03-10")
    assert not found.holds
    assert found.reason == "a risk found since is still open: risk illness:y1-m1:2016-09-20 found on 2016-09-20"
    # a risk found before it does not count: the one of the household's identification in 2015
    assert any(r.date < D(2016, 3, 10) for r in Engine(YUBEI).run(TWO, facts, as_of=D(2016, 10, 14)).open_risks)
    lenient = attrs.evolve(YUBEI_ELIMINATION, start_condition=RiskEliminationCondition(no_new_risks=False))
    evidence_then = StartContext(
        household=TWO,
        on=D(2016, 10, 14),
        facts=facts,
        result=Engine(YUBEI).run(TWO, facts, as_of=D(2016, 10, 14)),
        parameters=YUBEI.parameters,
        risk_key="illness:y1-m0:2016-03-10",
    )
    assert check_start(lenient, evidence_then).holds
    # the later risk eliminated first, the earlier one may be
    later = CaseDecided(
        id="k:decision",
        household_id="y1",
        date=D(2017, 4, 20),
        case_id="k",
        procedure="risk_elimination",
        outcome="approved",
        risk_key="illness:y1-m1:2016-09-20",
    )
    facts += [
        IncomeAssessed(id="i4", household_id="y1", date=D(2017, 4, 15), income_per_capita=Decimal(40000)),
        BasicNeedsChecked(id="n3", household_id="y1", date=D(2017, 4, 15)),
    ]
    assert "still open" in _yubei(facts, D(2017, 4, 25), "illness:y1-m0:2016-03-10").reason
    result = _yubei([*facts, later], D(2017, 4, 25), "illness:y1-m0:2016-03-10")
    assert result.holds, result.reason
    assert "no risk found since 2016-03-10 still open" in result.reason
