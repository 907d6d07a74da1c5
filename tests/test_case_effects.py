"""What a decided case does to a household: lifecycle moves, pending grants, eliminated risks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from relapse_guard import DisasterReported, Engine, IllnessReported, Policy, State, load_policy
from relapse_guard.cases import IDENTIFICATION, RISK_ELIMINATION
from relapse_guard.decisions import DecisionKind
from relapse_guard.errors import InvalidFact, InvalidPolicy
from relapse_guard.facts import CaseDecided

from .conftest import make_household
from .factories import assist, exit_verified, income

D = dt.date
HH = make_household(size=3)


def decided(
    on: dt.date,
    outcome: str = "approved",
    *,
    procedure: str = "identification",
    risk_key: str | None = None,
    fid: str = "dec",
) -> CaseDecided:
    return CaseDecided(
        id=fid, household_id="h1", date=on, case_id="c1", procedure=procedure, outcome=outcome, risk_key=risk_key
    )


def ill(on: dt.date, cost: int = 12000) -> IllnessReported:
    return IllnessReported(id="ill", household_id="h1", date=on, member_id="h1-m0", self_paid_cost=Decimal(cost))


def monitored() -> list:  # type: ignore[type-arg]
    return [
        income(D(2015, 1, 5), 2000, fid="i1"),
        assist(D(2015, 2, 1), fid="a1"),
        income(D(2015, 11, 1), 5000, fid="i2"),
        exit_verified(D(2015, 11, 15), fid="e1"),
    ]


def run(facts: list, policy: Policy | None = None):  # type: ignore[no-untyped-def,type-arg]
    return Engine(policy or load_policy("dazu_2016")).run(HH, facts)


def test_approved_identification_identifies_a_new_household_and_relapses_a_monitored_one() -> None:
    result = run([income(D(2016, 1, 5), 9000, fid="i1"), decided(D(2016, 3, 1))])
    assert result.transitions[-1].rule == "case.identification"
    assert result.transitions[-1].to_state is State.IDENTIFIED
    result = run([*monitored(), decided(D(2016, 3, 1))])
    assert result.state is State.RELAPSED
    assert "identification case c1 approved" in result.transitions[-1].explanation


def test_rejected_identification_changes_no_state() -> None:
    assert run([income(D(2016, 1, 5), 9000, fid="i1"), decided(D(2016, 3, 1), "rejected")]).state is State.NEW


def test_interventions_wait_for_the_case_and_emergency_relief_is_paid_first() -> None:
    policy = load_policy("dazu_2016").derive(name="dazu_cases", decision_required={"medical_aid", "temporary_relief"})
    result = run([*monitored(), ill(D(2017, 4, 3))], policy)
    by_illness = [(g.intervention, g.amount) for g in result.grants if g.risk_key.startswith("illness:")]
    # the safety net alone is paid, on the whole bill while the aid waits: 5000 - 12000 / 3 = 1000
    # a year left, 83.33 a month: (300 - 83.33) x 3 = 650.01
    assert by_illness == [("safety_net", Decimal("650.01"))]
    # relief for a medical bill is expenditure-type: it waits with medical aid (0.6 x 12000 = 7200),
    # on the 12000 - 7200 = 4800 left: min(4800, 10 x 300) = 3000
    assert [(g.intervention, g.amount) for g in result.pending] == [
        ("medical_aid", Decimal("7200.00")),
        ("temporary_relief", Decimal("3000.00")),
    ]
    pending = [d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_PENDING]
    assert [d.rule for d in pending] == ["intervention.medical_aid", "intervention.temporary_relief"]
    # relief for a disaster is emergency-type: help first
    flood = DisasterReported(id="flood", household_id="h1", date=D(2017, 4, 3), hazard="flood", loss=Decimal(5000))
    result = run([*monitored(), flood], policy)
    assert [(g.intervention, g.amount) for g in result.grants if g.intervention == "temporary_relief"] == [
        ("temporary_relief", Decimal("3000.00"))  # min(5000, 10 x 300)
    ]
    relief = next(d for d in result.decisions if d.rule == "intervention.temporary_relief" and d.grant)
    assert "emergency: paid first" in relief.explanation

    approved = run([*monitored(), ill(D(2017, 4, 3)), decided(D(2017, 4, 20))], policy)
    medical = next(g for g in approved.grants if g.intervention == "medical_aid")
    assert medical.date == D(2017, 4, 20)
    assert approved.pending == ()
    assert approved.state is State.ASSISTED  # relapsed by the case, assisted by the grant

    rejected = run([*monitored(), ill(D(2017, 4, 3)), decided(D(2017, 4, 20), "rejected")], policy)
    assert rejected.pending == ()
    assert "medical_aid" not in [g.intervention for g in rejected.grants]
    assert "temporary_relief" not in [g.intervention for g in rejected.grants]
    assert any("set aside" in d.explanation for d in rejected.decisions)
    appeal_won = [
        *monitored(),
        ill(D(2017, 4, 3)),
        decided(D(2017, 4, 20), "rejected"),
        decided(D(2017, 5, 20), fid="dec2"),
    ]
    won = run(appeal_won, policy)
    medical = next(g for g in won.grants if g.intervention == "medical_aid")
    assert medical.date == D(2017, 5, 20)


def test_risk_elimination_closes_the_risk() -> None:
    # a bill the household still bears 9000 of once medical aid (18000) and relief (3000) have
    # paid: the safety net is granted for it
    facts = [*monitored(), ill(D(2017, 4, 3), 30000)]
    result = run(facts)
    (illness,) = [r for r in result.open_risks if r.kind == "illness"]
    # a risk elimination with no start condition: the decision closes the risk as given
    unchecked = attrs.evolve(RISK_ELIMINATION, start_condition=None)
    policy = load_policy("dazu_2016").derive(name="dazu_unchecked", procedures=[IDENTIFICATION, unchecked])
    closed = run([*facts, decided(D(2018, 1, 10), procedure="risk_elimination", risk_key=illness.key)], policy)
    assert illness.key in closed.eliminated_risks
    assert [r.kind for r in closed.open_risks if r.kind == "illness"] == []
    eliminated = next(d for d in closed.decisions if d.kind is DecisionKind.RISK_ELIMINATED)
    assert eliminated.date == D(2018, 1, 10)
    # the safety net granted for the illness ends with it (owed through January)
    assert closed.decisions[-1].kind is DecisionKind.ENTITLEMENT_ENDED
    assert "2018-02-01" in closed.decisions[-1].explanation


def test_unknown_outcome_and_unknown_pending_intervention_are_refused() -> None:
    with pytest.raises(InvalidFact, match="outcome"):
        run([decided(D(2016, 3, 1), "maybe")])
    with pytest.raises(InvalidPolicy, match="decision_required"):
        load_policy("dazu_2016").derive(name="x", decision_required={"nothing"})
