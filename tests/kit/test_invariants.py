"""Each invariant function on a real result (it holds) and on a tampered one (it says what broke).

The engine guarantees some invariants itself (the lifecycle, the transition period); a
tampered result shows that the check would catch an engine, or a store, that broke them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from relapse_guard import DisasterReported, Engine, HouseholdResult, IllnessReported, State, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.errors import InvalidArgument, WrongType
from relapse_guard.testing import INVARIANTS, check_result
from relapse_guard.testing import invariants as inv

from .helpers import exited_in_2015, household

D = dt.date
YUBEI = load_policy("yubei_2016")
HOME = household("YB-1")
FACTS = [
    *exited_in_2015("YB-1"),
    IllnessReported(
        id="ill", household_id="YB-1", date=D(2016, 4, 3), member_id="YB-1-0", self_paid_cost=Decimal(9000)
    ),
    DisasterReported(id="dis", household_id="YB-1", date=D(2016, 7, 1), hazard="flood", loss=Decimal(3000)),
]


@pytest.fixture(scope="module")
def result() -> HouseholdResult:
    return Engine(YUBEI).run(HOME, FACTS, as_of=D(2016, 12, 31))


def test_every_invariant_holds_on_a_real_history(result: HouseholdResult) -> None:
    assert result.state is State.MONITORED
    assert check_result(YUBEI, HOME, FACTS, result) == ()


def test_the_invariants_are_listed() -> None:
    assert list(INVARIANTS) == [
        "amounts_are_sound",
        "no_risk_is_paid_twice",
        "risks_are_routed_within_the_deadline",
        "monitoring_ends_by_the_period_end",
        "replay_gives_the_same_result",
        "prefilter_changes_nothing",
        "transitions_follow_the_lifecycle",
        "history_is_append_only",
    ]


def _grant_at(result: HouseholdResult, index: int, **changes: Any) -> HouseholdResult:
    grants = list(result.grants)
    grants[index] = attrs.evolve(grants[index], **changes)
    return attrs.evolve(result, grants=tuple(grants))


def test_amounts(result: HouseholdResult) -> None:
    negative = _grant_at(result, 0, amount=Decimal("-1.00"))
    assert [v.message.split(": ")[-1] for v in inv.amounts_are_sound(negative)] == ["a negative amount"]
    thirds = _grant_at(result, 0, amount=Decimal(100) / 3)
    assert "not rounded to the fen" in str(inv.amounts_are_sound(thirds)[0])
    nan = _grant_at(result, 0, amount=Decimal("NaN"))
    assert "not a finite Decimal" in str(inv.amounts_are_sound(nan)[0])


def test_a_risk_paid_twice(result: HouseholdResult) -> None:
    twice = attrs.evolve(result, grants=(*result.grants, result.grants[-1]))
    (violation,) = inv.no_risk_is_paid_twice(twice)
    assert violation.message.startswith(f"risk {result.grants[-1].risk_key} was granted")
    assert "2 times" in violation.message


def test_a_grant_naming_another_risk(result: HouseholdResult) -> None:
    index = next(i for i, d in enumerate(result.decisions) if d.grant is not None)
    decisions = list(result.decisions)
    grant = decisions[index].grant
    assert grant is not None
    decisions[index] = attrs.evolve(decisions[index], grant=attrs.evolve(grant, risk_key="another"))
    found = inv.no_risk_is_paid_twice(attrs.evolve(result, decisions=tuple(decisions)))
    assert any("but its grant names risk another" in v.message for v in found)


def test_a_risk_with_no_route(result: HouseholdResult) -> None:
    unrouted = YUBEI.derive(name="unrouted", routes={"disaster": None})
    found = inv.risks_are_routed_within_the_deadline(unrouted, result)
    assert [v.message for v in found] == ["risk disaster:dis (disaster, 2016-07-01) has no route"]


def test_a_step_decided_late(result: HouseholdResult) -> None:
    decisions = [
        attrs.evolve(d, date=d.date + dt.timedelta(days=3))
        if d.kind is DecisionKind.INTERVENTION_GRANTED and d.rule == "intervention.medical_aid"
        else d
        for d in result.decisions
    ]
    found = inv.risks_are_routed_within_the_deadline(YUBEI, attrs.evolve(result, decisions=tuple(decisions)))
    assert [v.message for v in found] == [
        "risk illness:YB-1-0:2016-04-03 detected on 2016-04-03: medical_aid first intervention_granted on "
        "2016-04-06, 3 days later; the deadline is 0 days (routing.deadline_days)"
    ]
    lenient = YUBEI.derive(name="lenient", new_parameters={inv.DEADLINE_PARAMETER: {D(2015, 1, 1): 5}})
    assert inv.risks_are_routed_within_the_deadline(lenient, attrs.evolve(result, decisions=tuple(decisions))) == []


def test_monitored_past_the_period_end(result: HouseholdResult) -> None:
    late = attrs.evolve(result, as_of=D(2019, 3, 1))
    (violation,) = inv.monitoring_ends_by_the_period_end(YUBEI, late)
    assert (
        violation.message
        == "still monitored as of 2019-03-01, though its transition period ran 2016-01-01 to 2019-01-01"
    )


def test_a_period_other_than_the_policy_gives(result: HouseholdResult) -> None:
    two_years = YUBEI.derive(name="two_years", parameters={"transition.years": {D(2015, 1, 1): 2}})
    (violation,) = inv.monitoring_ends_by_the_period_end(two_years, result)
    assert "records the period 2016-01-01 to 2019-01-01; the policy gives 2016-01-01 to 2018-01-01" in violation.message


def test_replay(result: HouseholdResult) -> None:
    assert inv.replay_gives_the_same_result(YUBEI, HOME, FACTS, result) == []
    other = attrs.evolve(result, state=State.STABLE)
    assert inv.replay_gives_the_same_result(YUBEI, HOME, FACTS, other)[0].invariant == "replay_gives_the_same_result"


def test_a_transition_outside_the_lifecycle(result: HouseholdResult) -> None:
    decisions = list(result.decisions)
    index = next(i for i, d in enumerate(decisions) if d.to_state is State.MONITORED)
    decisions[index] = attrs.evolve(decisions[index], to_state=State.STABLE)
    found = inv.transitions_follow_the_lifecycle(attrs.evolve(result, decisions=tuple(decisions)))
    assert "lifecycle.start_monitoring on 2016-01-01 moves State.EXITED -> stable while the household is exited" in (
        found[0].message
    )


def test_history_rewritten(result: HouseholdResult) -> None:
    earlier = Engine(YUBEI).run(HOME, FACTS[:4], as_of=D(2015, 12, 31))
    assert inv.history_is_append_only(earlier, result) == []
    rewritten = attrs.evolve(result, decisions=result.decisions[1:])
    assert inv.history_is_append_only(earlier, rewritten)[0].message.startswith("decision 0 changed after later facts")


def test_check_result_refuses_a_result_without_its_decisions() -> None:
    quiet = Engine(YUBEI, record_decisions=False).run(HOME, FACTS, as_of=D(2016, 12, 31))
    with pytest.raises(InvalidArgument, match="records no decisions") as refused:
        check_result(YUBEI, HOME, FACTS, quiet)
    assert "household 'YB-1'" in str(refused.value)
    assert "Engine(policy, record_decisions=False); run the engine with record_decisions=True" in str(refused.value)
    for invariant in (inv.replay_gives_the_same_result, inv.prefilter_changes_nothing):
        with pytest.raises(InvalidArgument, match=f"{invariant.__name__}: the result of household 'YB-1'"):
            invariant(YUBEI, HOME, FACTS, quiet)
    with pytest.raises(InvalidArgument, match="records no decisions"):
        inv.transitions_follow_the_lifecycle(quiet)
    with pytest.raises(InvalidArgument, match="records no decisions"):
        inv.risks_are_routed_within_the_deadline(YUBEI, quiet)


def test_a_result_of_nothing_holds_without_decisions() -> None:
    """Nothing happened: no decision to record either way, and no invariant to break."""
    nothing = Engine(YUBEI, record_decisions=False).run(HOME, [], as_of=D(2016, 12, 31))
    assert check_result(YUBEI, HOME, [], nothing) == ()


NAME: Any = "yubei_2016"


def test_check_result_refuses_arguments_of_the_wrong_type(result: HouseholdResult) -> None:
    with pytest.raises(WrongType, match=r"check_result needs a Policy, not 'yubei_2016' \(str\): call load_policy"):
        check_result(NAME, HOME, FACTS, result)
    with pytest.raises(WrongType, match=r"household must be a Household, not 'yubei_2016' \(str\)"):
        check_result(YUBEI, NAME, FACTS, result)
    with pytest.raises(WrongType, match=r"facts must be a sequence of facts, not 'yubei_2016' \(str\)"):
        check_result(YUBEI, HOME, NAME, result)
    with pytest.raises(WrongType, match=r"facts\[1\] must be a Fact, not 'yubei_2016' \(str\)"):
        check_result(YUBEI, HOME, [FACTS[0], NAME], result)
    with pytest.raises(WrongType, match=r"result must be a HouseholdResult"):
        check_result(YUBEI, HOME, FACTS, NAME)
    with pytest.raises(InvalidArgument, match="result is of household 'YB-1', not of household 'H1'"):
        check_result(YUBEI, household("H1"), FACTS, result)
