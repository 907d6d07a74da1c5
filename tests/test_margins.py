"""Margins: how far a failed or near condition is from its threshold ("210 yuan below the line",
"3 months left of 6"), on the verdicts of the built-in rules and conditions, the declines of the
interventions, and the decisions that record them — in English and Chinese."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import (
    AssistanceGranted,
    Engine,
    ExitVerified,
    IllnessReported,
    IncomeAssessed,
    load_policy,
)
from relapse_guard import message_keys as keys
from relapse_guard.cases import StartContext
from relapse_guard.cases.elimination import RiskEliminationCondition
from relapse_guard.decisions import Decision, DecisionKind
from relapse_guard.facts import Fact
from relapse_guard.messages import NEAR_SHARE, Direction, Join, Margin, Message, margins_of
from relapse_guard.result import HouseholdResult
from relapse_guard.rules import Verdict
from relapse_guard.testing.strategies import histories

from .factories import yubei_household as household

D = dt.date
ZH = "zh-CN"
CHONGQING = load_policy("chongqing_2016")


def income(n: int, on: dt.date, amount: int | str) -> IncomeAssessed:
    return IncomeAssessed(id=f"i{n}", household_id="H1", date=on, income_per_capita=Decimal(amount))


AS_OF = D(2019, 6, 30)


def run(facts: list[Fact], policy_name: str = "chongqing_2016", as_of: dt.date = AS_OF) -> HouseholdResult:
    return Engine(load_policy(policy_name)).run(household(), facts, as_of=as_of)


def only(result: HouseholdResult, kind: DecisionKind, rule: str) -> Decision:
    (found,) = [d for d in result.decisions if d.kind is kind and d.rule == rule]
    return found


# --- the value ----------------------------------------------------------------------------


def test_a_margin_below_above_and_left() -> None:
    below = Margin.of(Decimal("3790.50"), Decimal(4000), unit="yuan/person/year", against="poverty line")
    assert (below.amount, below.direction, below.near) == (Decimal("209.50"), Direction.BELOW, True)
    assert str(below) == "209.50 yuan/person/year below the poverty line of 4000"
    assert below.render(ZH) == "差 209.50 元/人/年达到贫困线（4000）"
    above = Margin.of(Decimal(5000), Decimal(4000), unit="yuan/person/year", against="poverty line")
    assert (above.amount, above.direction, above.near) == (Decimal(1000), Direction.ABOVE, False)
    assert above.render(ZH) == "超出贫困线（4000）1000 元/人/年"
    on = Margin.of(Decimal(4000), Decimal(4000), unit="yuan/person/year", against="poverty line")
    assert (str(on), on.render(ZH)) == ("at the poverty line of 4000", "恰好等于贫困线（4000）")
    left = Margin.left(3, 6, against="monitoring before risk elimination")
    assert (left.amount, left.direction, left.value) == (Decimal(3), Direction.LEFT, Decimal(3))
    assert str(left) == "3 months left of 6 (monitoring before risk elimination)"
    assert left.render(ZH) == "风险消除前的监测期还剩 3 个月（共 6 个月）"
    assert str(Margin.left(5, 6, against="transition period")) == "1 month left of 6 (transition period)"


def test_near_is_within_a_tenth_of_the_threshold() -> None:
    assert Decimal("0.1") == NEAR_SHARE
    line = Decimal(4000)
    assert Margin.of(Decimal(3600), line, unit="yuan", against="poverty line").near
    assert not Margin.of(Decimal(3599), line, unit="yuan", against="poverty line").near
    assert Margin.of(Decimal(4400), line, unit="yuan", against="poverty line").near
    assert not Margin.left(30, 36, against="transition period").near
    assert Margin.left(33, 36, against="transition period").near


def test_a_margin_and_its_json_form_go_both_ways() -> None:
    margin = Margin.of(Decimal("1E+3"), Decimal("1200.00"), unit="yuan", against="alert amount")
    data = margin.to_dict()
    assert data == {
        "amount": "200.00",
        "unit": "yuan",
        "direction": "below",
        "threshold": "1200.00",
        "value": "1000",
        "against": "alert amount",
        "near": False,
    }
    assert Margin.from_dict(data) == margin


def test_a_key_s_values_state_its_margin() -> None:
    reason = Message(keys.INCOME_NOT_BELOW_LINE, Decimal(4300), Decimal(4000))
    (margin,) = margins_of(reason)
    assert (margin.value, margin.threshold, margin.amount, margin.direction) == (
        Decimal(4300),
        Decimal(4000),
        Decimal(300),
        Direction.ABOVE,
    )
    nested = Message(keys.EXIT_REFUSED, Join([reason, Message(keys.NO_INCOME_YET)], "; "))
    assert margins_of(nested) == (margin,)
    assert margins_of(Message(keys.INCOME_NOT_BELOW_LINE, "no income", Decimal(4000))) == ()
    assert margins_of("plain text") == ()


def test_a_verdict_s_margin_given_or_stated() -> None:
    stated = Verdict(False, lambda: Message(keys.INCOME_BELOW_LINE, Decimal(3790), Decimal(4000)))
    assert [str(m) for m in stated.margins] == ["210 yuan/person/year below the poverty line of 4000"]
    assert stated.margin == stated.margins[0]
    given_margin = Margin.left(2, 6, against="transition period")
    told = Verdict(True, "my own rule", margin=given_margin)
    assert told.margins == (given_margin,)
    assert told.margin is given_margin
    assert Verdict(True, "my own rule").margins == ()
    assert Verdict(True, "x").margin is None
    assert stated.near_margins() == (stated.margins[0],)  # 210 is within 400


def test_a_verdict_is_an_immutable_value() -> None:
    margin = Margin.left(2, 6, against="transition period")
    verdict = Verdict(True, "held", margin=margin)
    with pytest.raises(AttributeError):
        verdict.holds = False  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(verdict)) == verdict
    assert verdict == Verdict(holds=True, reason="held", margin=margin) != Verdict(False, "held", margin)
    assert repr(verdict) == "Verdict(holds=True)"
    assert (verdict.holds, verdict.reason, verdict.margin) == (True, "held", margin)


# --- the rules, conditions and interventions ------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "near"),
    [(3400, ["200 yuan/person/year below the poverty line of 3600"]), (2000, [])],
)
def test_an_identification_records_its_margin_when_near(amount: int, near: list[str]) -> None:
    result = run([income(1, D(2016, 1, 4), amount)])
    decision = only(result, DecisionKind.TRANSITION, "identification.income_below_line")
    assert [str(m) for m in decision.margins] == near


def test_an_exit_refused_says_how_far_below_the_line() -> None:
    result = run(
        [
            income(1, D(2016, 1, 4), 2000),
            AssistanceGranted(id="a", household_id="H1", date=D(2016, 2, 1), measure="industry project"),
            income(2, D(2016, 6, 1), 3390),
            ExitVerified(id="x", household_id="H1", date=D(2016, 6, 15)),
        ]
    )
    refused = only(result, DecisionKind.TRANSITION_REFUSED, "exit.exit_rule")
    (margin,) = refused.margins
    assert (margin.amount, margin.direction, margin.threshold, margin.value) == (
        Decimal(210),
        Direction.BELOW,
        Decimal(3600),
        Decimal(3390),
    )
    assert refused.explain().endswith("| margins: 210 yuan/person/year below the poverty line of 3600")
    assert refused.explain(ZH).endswith("| 差距：差 210 元/人/年达到贫困线（3600）")


def test_a_route_skipped_says_how_far_above_the_standard() -> None:
    result = run(
        [
            income(1, D(2016, 1, 4), 2000),
            income(2, D(2016, 9, 1), 12000),
            ExitVerified(id="x", household_id="H1", date=D(2016, 9, 15)),
            IllnessReported(
                id="ill", household_id="H1", date=D(2017, 4, 3), member_id="H1-0", self_paid_cost=Decimal(9000)
            ),
        ]
    )
    skipped = only(result, DecisionKind.ROUTE_SKIPPED, "intervention.safety_net")
    assert skipped.explanation.startswith(
        "safety_net not granted for illness risk: condition income_left_under_standard"
    )
    # medical aid pays 0.6 x 9000 = 5400: the household bears 3600, 1200 a person: 12000 - 1200
    # = 10800 a year left, 900.00 a month, 600.00 above the standard
    (margin,) = skipped.margins
    assert str(margin) == "600.00 yuan/person/month above the safety-net standard of 300"
    assert margin.render(ZH) == "超出低保标准（300）600.00 元/人/月"
    found = only(result, DecisionKind.RISK_DETECTED, "trigger.illness")
    assert [str(m) for m in found.margins] == ["3000 yuan above the alert amount of 6000"]  # not 0.4 x income


def test_an_entitlement_ended_says_how_far_above_the_standard() -> None:
    result = run([income(1, D(2016, 1, 4), 3400), income(2, D(2016, 9, 1), 5000)])
    ended = only(result, DecisionKind.ENTITLEMENT_ENDED, "intervention.safety_net")
    assert [str(m) for m in ended.margins] == ["116.67 yuan/person/month above the safety-net standard of 300.00"]
    granted = only(result, DecisionKind.INTERVENTION_GRANTED, "intervention.safety_net")
    assert [str(m) for m in granted.margins] == ["16.67 yuan/person/month below the safety-net standard of 300"]


def test_a_relapse_in_the_transition_period_says_the_months_left() -> None:
    result = run(
        [
            income(1, D(2016, 1, 4), 2000),
            income(2, D(2016, 9, 1), 5000),
            ExitVerified(id="x", household_id="H1", date=D(2016, 9, 15)),
            income(3, D(2018, 3, 1), 3000),
        ]
    )
    relapse = only(result, DecisionKind.TRANSITION, "relapse.relapse_rule")
    assert [str(m) for m in relapse.margins] == ["22 months left of 36 (transition period)"]
    assert relapse.margins[0].render(ZH) == "过渡期还剩 22 个月（共 36 个月）"


def test_an_entitlement_recomputed_in_its_gradual_exit_says_the_months_left() -> None:
    policy = CHONGQING.derive(name="gradual", parameters={"safety_net.gradual_exit_months": {D(2015, 1, 1): 3}})
    illness = IllnessReported(
        id="ill", household_id="H1", date=D(2016, 2, 1), member_id="H1-0", self_paid_cost=Decimal(9000)
    )
    facts = [income(1, D(2016, 1, 4), 3000), illness, income(2, D(2016, 5, 10), 12000), income(3, D(2016, 7, 10), 4000)]
    result = Engine(policy).run(household(), facts, as_of=D(2016, 12, 31))
    ended = only(result, DecisionKind.ENTITLEMENT_ENDED, "intervention.safety_net")
    assert "(owed through 2016-08, after 3 gradual-exit months)" in ended.explanation
    assert "（发放至 2016-08，含 3 个月渐退期）" in ended.render(ZH)
    recomputed = only(result, DecisionKind.ENTITLEMENT_RECOMPUTED, "intervention.safety_net")
    # the household bears 9000 - 0.7 x 9000 = 2700 of the bill, 900 a person: (300 - 175.00) x 3
    # = 375.00 on 3000 a year, then (300 - 258.33) x 3 = 125.01 on 4000
    assert recomputed.explanation.startswith("safety_net lowered from 375.00 to 125.01 a month, owed from 2016-08-01")
    assert [str(m) for m in recomputed.margins] == ["1 month left of 3 (gradual-exit period)"]
    assert recomputed.explain(ZH).endswith("| 差距：渐退期还剩 1 个月（共 3 个月）")


def test_a_risk_elimination_that_cannot_start_yet_says_the_months_left() -> None:
    facts: list[Fact] = [
        income(1, D(2016, 1, 4), 2000),
        income(2, D(2016, 3, 1), 9000),
    ]
    result = Engine(CHONGQING).run(household(), facts, as_of=D(2016, 4, 1))
    key = result.risks[0].key
    condition = RiskEliminationCondition()
    verdict = condition(
        StartContext(
            household=household(),
            on=D(2016, 4, 4),
            facts=tuple(facts),
            result=result,
            parameters=CHONGQING.parameters,
            risk_key=key,
        )
    )
    assert not verdict.holds
    left = [m for m in verdict.margins if m.direction is Direction.LEFT]
    assert [str(m) for m in left] == ["3 months left of 6 (monitoring before risk elimination)"]
    assert "monitored since 2016-01-04 (3 months): needs 6 months" in verdict.reason
    assert "自 2016-01-04 起监测（3 个月）：需满 6 个月" in verdict.message.render(ZH)


# --- the property -------------------------------------------------------------------------

_HELD = (DecisionKind.TRANSITION, DecisionKind.INTERVENTION_GRANTED, DecisionKind.INTERVENTION_PENDING)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(["yubei_2016", "dazu_2016", "bishan_2016", "chongqing_2016"]))
def test_every_margin_is_the_distance_its_decision_states(data: st.DataObject, name: str) -> None:
    """Over generated histories: each margin's amount is |value - threshold| (a period: the
    months left), never negative; a margin the decision's message states has the values that
    message states; a decision on a rule that held records only near margins (and a period's);
    a refused exit and a risk found record every margin their message states."""
    policy = load_policy(name)
    home = household(data.draw(st.integers(1, 5)), data.draw(st.integers(0, 2)))
    facts = data.draw(histories(home, D(2015, 1, 1), D(2018, 12, 31), policy=policy))
    result = Engine(policy).run(home, facts, as_of=D(2018, 12, 31))
    for decision in result.decisions:
        stated = margins_of(decision.message)
        for margin in decision.margins:
            assert margin.amount >= 0
            if margin.direction is Direction.LEFT:
                assert margin.amount == max(margin.threshold - margin.value, Decimal(0))
                continue
            assert margin.amount == abs(margin.value - margin.threshold)
            assert (margin.direction is Direction.BELOW) == (margin.value < margin.threshold)
            # a rule's verdict or a route condition's, when not the decision's message
            assert margin in stated or decision.kind in _HELD
            if decision.kind in _HELD:
                assert margin.near, decision.explain()
        if decision.kind in (DecisionKind.TRANSITION_REFUSED, DecisionKind.RISK_DETECTED):
            assert decision.margins == stated
