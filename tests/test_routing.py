"""Routing through the engine: conditions, order, no double payment, lifecycle entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Fact, HouseholdResult, IllnessReported, Policy, State, load_policy
from relapse_guard.context import Context
from relapse_guard.decisions import DecisionKind, Declined, Grant, Risk
from relapse_guard.errors import PluginFailed
from relapse_guard.routing import entered, step

from .conftest import make_household
from .factories import assist, exit_verified, income

D = dt.date
HH = make_household(size=3)


def illness(on: dt.date, cost: int | str, fid: str, member: str = "h1-m0") -> IllnessReported:
    return IllnessReported(id=fid, household_id="h1", date=on, member_id=member, self_paid_cost=Decimal(cost))


def monitored_facts() -> list[Fact]:
    return [
        income(D(2015, 1, 5), 2000, fid="i1"),
        assist(D(2015, 2, 1), fid="a1"),
        income(D(2015, 11, 1), 4000, fid="i2"),
        exit_verified(D(2015, 11, 15), fid="e1"),
    ]


def illness_grants(result: HouseholdResult) -> list[Grant]:
    return [g for g in result.grants if g.risk_key.startswith("illness:")]


def run(facts: Iterable[Fact], policy: Policy | None = None, as_of: dt.date | None = None) -> HouseholdResult:
    return Engine(policy or load_policy("chongqing_2016")).run(HH, facts, as_of=as_of)


def test_illness_in_monitoring_routes_to_medical_aid_then_safety_net_without_relapse() -> None:
    result = run([*monitored_facts(), illness(D(2017, 4, 3), 9000, "ill")])
    assert result.state is State.MONITORED
    grants = [g.intervention for g in illness_grants(result)]
    assert grants == ["medical_aid", "safety_net"]
    medical, safety_net = illness_grants(result)
    # 0.6 x 9000: the 2015 top-up ended when the income check of November 2015 found 4000 a year
    assert medical.amount == Decimal("5400.00")
    # the household bears 9000 - 5400 = 3600 of the bill: income left 4000 - 3600 / 3 = 2800 a
    # year = 233.33 a month; (300 - 233.33) x 3 = 200.01 (not 650.01 on the whole bill)
    assert safety_net.amount == Decimal("200.01")
    risk_decision = [d for d in result.decisions if d.kind is DecisionKind.RISK_DETECTED][-1]
    assert risk_decision.rule == "trigger.illness"
    assert risk_decision.facts == ("ill",)
    granted = [d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_GRANTED and d.facts == ("ill",)]
    assert len(granted) == 2
    assert any(p.name == "safety_net.standard" and p.value == 300 for p in granted[1].parameters)


def test_condition_not_met_is_recorded_with_reason() -> None:
    result = run([*monitored_facts(), illness(D(2017, 4, 3), 6500, "ill")])
    # income left 4000 - 6500/3 = 1833.33 a year = 152.78 a month < 300: still granted
    assert [g.intervention for g in illness_grants(result)] == ["medical_aid", "safety_net"]
    rich = [*monitored_facts()[:-1], income(D(2015, 11, 2), 20000, fid="i3"), exit_verified(D(2015, 11, 15))]
    result = run([*rich, illness(D(2017, 4, 3), 12000, "ill")])
    skipped = [d for d in result.decisions if d.kind is DecisionKind.ROUTE_SKIPPED and d.facts == ("ill",)]
    assert [d.rule for d in skipped] == ["intervention.safety_net"]
    assert "condition income_left_under_standard not met" in skipped[0].explanation


def test_same_illness_from_two_sources_is_paid_once() -> None:
    facts = [*monitored_facts(), illness(D(2017, 4, 3), 9000, "ill-self"), illness(D(2017, 4, 3), 9000, "ill-dept")]
    result = run(facts)
    assert [r.kind for r in result.risks] == ["income_drop", "illness"]
    assert [g.intervention for g in illness_grants(result)] == ["medical_aid", "safety_net"]


def test_risk_routed_whatever_the_state_and_new_household_stays_new() -> None:
    facts = [income(D(2016, 1, 5), 20000, fid="i1"), illness(D(2016, 3, 1), 15000, "ill")]
    result = run(facts)
    assert result.state is State.NEW
    assert [g.intervention for g in result.grants] == ["medical_aid"]


def test_grant_assists_identified_household() -> None:
    result = run([income(D(2016, 1, 5), 3000, fid="i1")])
    assert result.states == (State.NEW, State.IDENTIFIED, State.ASSISTED)
    assert result.grants[0].intervention == "safety_net"
    no_assist = attrs.evolve(load_policy("chongqing_2016"), assist_on_grant=False)
    assert run([income(D(2016, 1, 5), 3000, fid="i1")], policy=no_assist).state is State.IDENTIFIED


def test_lifecycle_entries_are_routed() -> None:
    policy = load_policy("yubei_2016")
    result = run(monitored_facts(), policy=policy, as_of=D(2016, 12, 31))
    on_monitoring = [g for g in result.grants if g.risk_key == f"{entered(State.MONITORED)}:2016-01-01"]
    assert {g.intervention: g.amount for g in on_monitoring} == {
        "industry_funds_exited": Decimal("2000.00"),
        "micro_insurance": Decimal("150.00"),
    }


def test_monthly_grant_replaces_the_one_in_force() -> None:
    facts = [income(D(2016, 1, 5), 3000, fid="i1"), illness(D(2016, 4, 3), 9000, "ill")]
    result = run(facts)
    first, second = (g for g in result.grants if g.intervention == "safety_net")
    assert (first.ends, second.starts) == (D(2016, 5, 1), D(2016, 5, 1))  # from the month after the illness
    assert result.monthly_in_force(D(2016, 4, 30))["safety_net"] == first
    assert result.monthly_in_force(D(2016, 5, 1))["safety_net"] == second
    assert result.money(D(2016, 5, 31))["safety_net"].monthly_in_force == second.amount
    text = next(d.explanation for d in result.decisions if d.grant is second)
    assert f"replaces {first.amount} a month granted on 2016-01-05" in text


@attrs.frozen
class _Broken:
    name: str = "broken"

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        return ctx.grant(intervention=self.name, risk=risk, amount=Decimal(-1))


@attrs.frozen
class _Later:
    name: str = "later"

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        ctx.amount("later.amount")
        return None


def test_negative_amount_from_a_plugin_is_refused() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="broken", interventions=[_Broken()], routes={"illness": [step("broken")]}
    )
    with pytest.raises(PluginFailed, match="negative"):
        run([*monitored_facts(), illness(D(2017, 4, 3), 9000, "ill")], policy=policy)


def test_plugin_parameter_not_yet_in_force_is_a_recorded_skip() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="later",
        interventions=[_Later()],
        routes={"illness": [step("later")]},
        new_parameters={"later.amount": {D(2020, 1, 1): 5}},
    )
    result = run([*monitored_facts(), illness(D(2017, 4, 3), 9000, "ill")], policy=policy)
    (skip,) = [d for d in result.decisions if d.kind is DecisionKind.ROUTE_SKIPPED and d.rule == "intervention.later"]
    assert "not in force yet" in skip.explanation
    assert "later.amount" in skip.explanation


_costs = st.integers(min_value=0, max_value=60000)


@given(
    costs=st.lists(st.tuples(st.integers(0, 900), _costs, st.integers(0, 2)), min_size=1, max_size=12),
    policy_name=st.sampled_from(["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]),
)
def test_no_double_payment_and_no_negative_amount(costs: list[tuple[int, int, int]], policy_name: str) -> None:
    facts = monitored_facts()
    for n, (day, cost, member) in enumerate(costs):
        on = D(2016, 1, 1) + dt.timedelta(days=day)
        facts.append(illness(on, cost, f"ill{n}", member=f"h1-m{member}"))
        facts.append(illness(on, cost, f"dup{n}", member=f"h1-m{member}"))  # the same illness reported again
    result = run(facts, policy=load_policy(policy_name))
    paid = [(g.risk_key, g.intervention) for g in result.grants]
    assert len(paid) == len(set(paid))
    assert all(g.amount is None or g.amount >= 0 for g in result.grants)
    yearly: dict[int, Decimal] = {}
    for g in result.grants:
        if g.intervention == "medical_aid" and g.amount is not None:
            yearly[g.date.year] = yearly.get(g.date.year, Decimal(0)) + g.amount
    assert all(total <= Decimal(30000) for total in yearly.values())
