"""From a disaster report through the identification case to relapsed, assisted, and the risk eliminated."""

from __future__ import annotations

from relapse_guard import State
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import CaseOpened

from .households import (
    ENGINE,
    FLOOD,
    HOUSEHOLD,
    IDENTIFICATION,
    ON_TIME,
    RISK_ELIMINATION,
    D,
    evidence,
    house,
    income,
    monitored_then_flooded,
    needs,
    run_case,
)


def test_the_flood_is_a_risk_that_changes_no_status_by_itself() -> None:
    result = ENGINE.run(HOUSEHOLD, monitored_then_flooded(), as_of=D(2016, 7, 31))
    assert result.state is State.MONITORED
    assert FLOOD in {risk.key for risk in result.risks}
    relief = [g for g in result.grants if g.risk_key == FLOOD]
    assert [(g.intervention, g.emergency) for g in relief] == [("temporary_relief", True)]  # help first
    assert [g.intervention for g in result.pending if g.risk_key == FLOOD] == ["safety_net"]


def test_the_decided_case_relapses_the_household_and_releases_the_waiting_grants() -> None:
    facts = monitored_then_flooded()
    objection = (D(2016, 7, 16), "object", "the neighbours say the stock was insured")
    steps = [*ON_TIME[:3], objection, *[(D(2016, 7, 17 + i), "approve", "") for i in range(3)]]
    steps += [(D(2016, 7, 25), "approve", ""), (D(2016, 7, 26), "approve", ""), (D(2016, 7, 27), "approve", "")]
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), steps)
    assert case.state == "approved"
    assert [e.reason for e in case.objections] == ["the neighbours say the stock was insured"]
    decision = case.decision_fact()
    assert decision is not None
    assert decision.risk_key == FLOOD

    result = ENGINE.run(HOUSEHOLD, [*facts, *case_facts, decision], as_of=D(2016, 12, 31))
    assert result.states[-3:] == (State.MONITORED, State.RELAPSED, State.ASSISTED)
    relapse, assist = result.transitions[-2:]
    assert (relapse.rule, relapse.date, relapse.facts) == ("case.identification", D(2016, 7, 27), (decision.id,))
    assert assist.date == D(2016, 7, 27)
    safety_net = next(g for g in result.grants if g.intervention == "safety_net" and g.risk_key == FLOOD)
    assert safety_net.date == D(2016, 7, 27)
    assert result.pending == ()
    # the case's facts and the decision replay the same in any order
    assert ENGINE.run(HOUSEHOLD, [decision, *reversed(case_facts), *facts], as_of=D(2016, 12, 31)) == result


def test_a_rejected_case_sets_the_waiting_grants_aside_and_the_household_stays_monitored() -> None:
    steps = [*ON_TIME[:5], (D(2016, 7, 20), "reject", "the stock was insured")]
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), steps)
    decision = case.decision_fact()
    assert decision is not None
    assert decision.outcome == "rejected"
    result = ENGINE.run(HOUSEHOLD, [*monitored_then_flooded(), *case_facts, decision], as_of=D(2016, 12, 31))
    assert result.state is State.MONITORED
    assert "safety_net" not in [g.intervention for g in result.grants if g.risk_key == FLOOD]
    assert any("set aside" in d.explanation for d in result.decisions)


def test_a_household_never_on_file_is_identified_by_its_case() -> None:
    facts = [income(D(2016, 3, 1), 9000, "i0"), *monitored_then_flooded()[-1:]]
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), ON_TIME)
    decision = case.decision_fact()
    assert decision is not None
    result = ENGINE.run(HOUSEHOLD, [*facts, *case_facts, decision])
    assert result.states == (State.NEW, State.IDENTIFIED, State.ASSISTED)


def test_after_the_relapse_the_risk_is_eliminated_by_its_own_case() -> None:
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), ON_TIME)
    decision = case.decision_fact()
    assert decision is not None
    recovered = [
        income(D(2016, 12, 20), 6000, "i3"),
        needs(D(2017, 1, 10)),
        house(D(2017, 1, 10), "A"),
        income(D(2017, 7, 1), 6400, "i4"),  # the flood's cost still weighs (a year from 4 July 2016)
    ]
    facts = [*monitored_then_flooded(), *case_facts, decision, *recovered]
    on = D(2017, 7, 20)
    elimination, elimination_facts = run_case(
        RISK_ELIMINATION,
        on,
        [(on, "approve", "")] * 3 + [(D(2017, 7, 25), "approve", "")] * 3,
        case_id="c2",
        evidence=evidence(facts, on),
    )
    opening = elimination_facts[0]
    assert isinstance(opening, CaseOpened)
    assert "income at or above the monitoring threshold" in opening.reason
    closing = elimination.decision_fact()
    assert closing is not None
    assert (closing.procedure, closing.risk_key, closing.id) == ("risk_elimination", FLOOD, "c2:decision")
    result = ENGINE.run(HOUSEHOLD, [*facts, *elimination_facts, closing])
    assert result.eliminated_risks == {FLOOD: D(2017, 7, 25)}
    assert FLOOD not in {risk.key for risk in result.open_risks}
    # the risk eliminated, then the safety net granted for it ends
    assert [d.kind for d in result.decisions[-2:]] == [DecisionKind.RISK_ELIMINATED, DecisionKind.ENTITLEMENT_ENDED]
    assert result.state is State.ASSISTED  # elimination closes the risk; an exit is its own verification


def test_an_appeal_reopens_a_rejected_case_and_its_approval_relapses_the_household() -> None:
    steps = [*ON_TIME[:5], (D(2016, 7, 20), "reject", "the stock was insured")]
    steps += [(D(2016, 8, 1), "appeal", "the insurer refused to pay"), (D(2016, 8, 2), "approve", "")]
    steps += [(D(2016, 8, 3), "approve", "")]
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), steps)
    assert [e.step for e in case.history][-3:] == ["county_approval", "township_review", "county_approval"]
    rejected, approved = case.decision_facts()
    assert (rejected.outcome, approved.outcome) == ("rejected", "approved")
    assert approved.id == "c1:decision:2"
    result = ENGINE.run(HOUSEHOLD, [*monitored_then_flooded(), *case_facts, rejected, approved], as_of=D(2016, 12, 31))
    relapse = next(d for d in result.transitions if d.to_state is State.RELAPSED)
    assert (relapse.date, relapse.facts) == (D(2016, 8, 3), ("c1:decision:2",))
