"""The engine checks a risk-elimination case's start condition on the case's own facts.

Rules: 「对整户无劳动力的监测对象，暂不标注“风险消除”」 and the national conditions
(income stable, needs secured, six months monitored with a measure for the risk, no new risk):
however a case arrives — made by ``open_case``, sent as facts by another system, or a bare
decision — no approval marks a risk eliminated while they do not hold on its day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Fact, Household
from relapse_guard.cases import CaseState, check_start
from relapse_guard.decisions import DecisionKind
from relapse_guard.engine import Checkpoint
from relapse_guard.errors import CaseCannotStart
from relapse_guard.facts import CaseDecided, CaseOpened, IllnessReported
from relapse_guard.monitoring import AlertKind, Monitor
from relapse_guard.result import HouseholdResult
from relapse_guard.store import MemoryStore

from .households import (
    ENGINE,
    FLOOD,
    HID,
    HOUSEHOLD,
    IDENTIFICATION,
    IDLE_HOUSEHOLD,
    ON_TIME,
    POLICY,
    RISK_ELIMINATION,
    D,
    evidence,
    income,
    monitored_then_flooded,
    needs,
    run_case,
)

#: The day the conditions hold for the flood (income above the threshold from January to July 2017).
STABLE = D(2017, 7, 20)


def relapsed() -> list[Fact]:
    case, case_facts = run_case(IDENTIFICATION, D(2016, 7, 4), ON_TIME)
    decision = case.decision_fact()
    assert decision is not None
    return [*monitored_then_flooded(), *case_facts, decision]


def recovered() -> list[Fact]:
    return [*relapsed(), income(D(2017, 1, 10), 6000, "i3"), needs(D(2017, 1, 10)), income(D(2017, 7, 15), 6400, "i4")]


def case_from_facts(opened_on: dt.date, *, decided_on: dt.date, case_id: str = "c2") -> list[Fact]:
    """A risk-elimination case as another system sends it: its CaseOpened made without
    ``open_case``, every step approved, the last on ``decided_on``, and its decision."""
    opening = CaseOpened(
        id=f"{case_id}:opened",
        household_id=HID,
        date=opened_on,
        case_id=case_id,
        procedure="risk_elimination",
        risk_key=FLOOD,
    )
    case, facts = CaseState.opened(RISK_ELIMINATION, opening), list[Fact]([opening])
    days = [opened_on + dt.timedelta(days=n) for n in (1, 2, 3)]
    days += [max(days[-1], opened_on) + dt.timedelta(days=n) for n in (9, 10)] + [decided_on]
    for day in days:
        fact = case.record("approve", date=day, actor="cadre")
        facts.append(fact)
        case = case.advance(fact)
    decision = case.decision_fact()
    assert decision is not None
    assert decision.outcome == "approved"
    return [*facts, decision]


def refusals(result: HouseholdResult) -> list[str]:
    return [d.explanation for d in result.decisions if d.kind is DecisionKind.TRANSITION_REFUSED]


def test_a_household_with_no_labour_capacity_is_never_marked_risk_eliminated() -> None:
    # open_case refuses it...
    try:
        run_case(
            RISK_ELIMINATION, STABLE, [], case_id="c2", evidence=evidence(recovered(), STABLE, household=IDLE_HOUSEHOLD)
        )
    except CaseCannotStart as error:
        refused = error.reason
    assert refused == (
        "risk_elimination_conditions: "
        + check_start(RISK_ELIMINATION, evidence(recovered(), STABLE, household=IDLE_HOUSEHOLD)).reason
    )
    assert refused.endswith("no member can work")
    # ... and so does the engine, with the case sent as facts
    facts = [*recovered(), *case_from_facts(STABLE, decided_on=D(2017, 8, 10))]
    result = ENGINE.run(IDLE_HOUSEHOLD, facts, as_of=D(2017, 12, 31))
    assert result.eliminated_risks == {}
    assert FLOOD in {risk.key for risk in result.open_risks}
    assert refusals(result) == [
        f"risk_elimination case c2 cannot start: {refused}",
        "risk_elimination case c2 approved, not applied: the case could not start on 2017-07-20",
    ]
    opened, decided = [d for d in result.decisions if d.kind is DecisionKind.TRANSITION_REFUSED]
    assert (opened.rule, opened.facts, opened.from_state, opened.to_state) == (
        "case.risk_elimination",
        ("c2:opened",),
        result.state,
        None,
    )
    assert decided.facts == ("c2:decision",)
    # the same household with members who can work: the case closes the risk
    able = ENGINE.run(HOUSEHOLD, facts, as_of=D(2017, 12, 31))
    assert able.eliminated_risks == {FLOOD: D(2017, 8, 10)}
    assert refusals(able) == []


def test_a_bare_approval_is_checked_on_its_day() -> None:
    decision = CaseDecided(
        id="c2:decision",
        household_id=HID,
        date=STABLE,
        case_id="c2",
        procedure="risk_elimination",
        outcome="approved",
        risk_key=FLOOD,
    )
    idle = ENGINE.run(IDLE_HOUSEHOLD, [*recovered(), decision], as_of=D(2017, 12, 31))
    assert idle.eliminated_risks == {}
    (said,) = refusals(idle)
    assert said.startswith("risk_elimination case c2 approved, not applied: risk_elimination_conditions: ")
    assert said.endswith("no member can work")
    early = ENGINE.run(HOUSEHOLD, [*relapsed(), attrs_date(decision, D(2016, 12, 1))], as_of=D(2016, 12, 31))
    assert early.eliminated_risks == {}
    (said,) = refusals(early)
    assert "monitored since 2016-07-04 (4 months): needs 6 months" in said
    (refusal,) = [d for d in early.decisions if d.kind is DecisionKind.TRANSITION_REFUSED]
    assert [str(m) for m in refusal.margins] == ["2 months left of 6 (monitoring before risk elimination)"]


def attrs_date(decision: CaseDecided, on: dt.date) -> CaseDecided:
    return CaseDecided(
        id=decision.id,
        household_id=decision.household_id,
        date=on,
        case_id=decision.case_id,
        procedure=decision.procedure,
        outcome=decision.outcome,
        risk_key=decision.risk_key,
    )


def test_conditions_that_change_before_the_approval_refuse_it() -> None:
    case = case_from_facts(STABLE, decided_on=D(2017, 8, 10))
    dipped = ENGINE.run(HOUSEHOLD, [*recovered(), income(D(2017, 8, 1), 5000, "i5"), *case], as_of=D(2017, 12, 31))
    assert dipped.eliminated_risks == {}
    (said,) = refusals(dipped)
    assert said.startswith("risk_elimination case c2 approved, not applied: risk_elimination_conditions: ")
    assert "income per capita 5000 on 2017-08-01 < monitoring threshold 5400.00" in said
    ill = IllnessReported(
        id="ill", household_id=HID, date=D(2017, 8, 2), member_id=f"{HID}-m0", self_paid_cost=Decimal(20000)
    )
    sick = ENGINE.run(HOUSEHOLD, [*recovered(), ill, *case], as_of=D(2017, 12, 31))
    assert sick.eliminated_risks == {}
    (said,) = refusals(sick)
    assert said.endswith(f"a risk found since is still open: risk illness:{HID}-m0:2017-08-02 found on 2017-08-02")


def test_a_case_opened_too_early_decides_nothing_even_once_the_conditions_hold() -> None:
    facts = [*recovered(), *case_from_facts(D(2017, 7, 1), decided_on=D(2017, 8, 10))]
    result = ENGINE.run(HOUSEHOLD, facts, as_of=D(2017, 12, 31))
    assert check_start(RISK_ELIMINATION, evidence(recovered(), D(2017, 8, 10))).holds
    assert result.eliminated_risks == {}
    opened, decided = refusals(result)
    assert opened.startswith("risk_elimination case c2 cannot start: risk_elimination_conditions: income at or above")
    assert decided == "risk_elimination case c2 approved, not applied: the case could not start on 2017-07-01"


def test_the_monthly_cycle_replays_the_household_and_refuses_the_elimination() -> None:
    store = MemoryStore()
    store.put_households([IDLE_HOUSEHOLD])
    monitor = Monitor(store, POLICY)
    history = recovered()
    monitor.cycle([fact.to_dict() for fact in history], as_of=D(2017, 7, 31))
    case = case_from_facts(D(2017, 8, 1), decided_on=D(2017, 8, 20))
    report = monitor.cycle([fact.to_dict() for fact in case], as_of=D(2017, 8, 31))
    assert report.problems == ()
    (replayed,) = [a for a in monitor.alerts(D(2017, 8, 31)) if a.kind is AlertKind.REPLAYED]
    assert "fact 'c2:opened' (case_opened) is of case 'c2', whose start condition is checked" in replayed.detail
    stored = ENGINE.run(IDLE_HOUSEHOLD, list(store.facts(HID)), as_of=D(2017, 8, 31))
    assert stored.eliminated_risks == {}
    (kept,) = store.checkpoints([HID]).values()
    assert Checkpoint.from_bytes(kept.body, POLICY).eliminated == ()


# --- the property: the engine marks a risk eliminated exactly when the condition holds ----------


@st.composite
def _histories(draw: st.DrawFn) -> tuple[Household, list[Fact], dt.date]:
    """The flooded household, relapsed and helped; then assessments (mostly above the 2017
    threshold of 5400), basic-needs checks, perhaps a new illness; and the day of an approval."""
    household = draw(st.sampled_from([HOUSEHOLD, HOUSEHOLD, IDLE_HOUSEHOLD]))
    facts = relapsed()
    day = D(2016, 7, 4) + dt.timedelta(days=draw(st.integers(1, 200)))
    for n in range(draw(st.integers(0, 5))):
        facts.append(income(day, draw(st.sampled_from([6000, 6000, 7000, 5000])), f"i-{n}"))
        if draw(st.integers(0, 3)):
            facts.append(needs(day, fid=f"n{n}-"))
        day += dt.timedelta(days=draw(st.integers(30, 150)))
    if not draw(st.integers(0, 3)):
        ill_on = D(2016, 7, 10) + dt.timedelta(days=draw(st.integers(0, 500)))
        member = f"{household.id}-m1"
        facts.append(
            IllnessReported(id="ill", household_id=HID, date=ill_on, member_id=member, self_paid_cost=Decimal(20000))
        )
    return household, facts, day - dt.timedelta(days=draw(st.integers(0, 200)))


@settings(max_examples=100, deadline=None)
@given(_histories())
def test_an_approval_closes_the_risk_exactly_when_open_case_would_let_the_case_start(
    drawn: tuple[Household, list[Fact], dt.date],
) -> None:
    household, facts, on = drawn
    decision = CaseDecided(
        id="c2:decision",
        household_id=HID,
        date=on,
        case_id="c2",
        procedure="risk_elimination",
        outcome="approved",
        risk_key=FLOOD,
    )
    result = Engine(POLICY).run(household, [*facts, decision], as_of=on)
    before = [fact for fact in facts if fact.date <= on]
    holds = check_start(RISK_ELIMINATION, evidence(before, on, household=household)).holds
    assert (FLOOD in result.eliminated_risks) is holds
    if household is IDLE_HOUSEHOLD:
        assert result.eliminated_risks == {}
