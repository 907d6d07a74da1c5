"""What the tests of the JSON form share: a fixed household with a case history, and a result
built by hand with every shape the form has."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from relapse_guard import (
    AssistanceGranted,
    Engine,
    ExitVerified,
    Fact,
    Household,
    HouseholdResult,
    IllnessReported,
    IncomeAssessed,
    Member,
    Place,
    Policy,
    State,
    load_policy,
)
from relapse_guard.cases import IDENTIFICATION, RISK_ELIMINATION
from relapse_guard.decisions import Decision, DecisionKind, Grant, Period, Risk, Severity
from relapse_guard.facts import CaseDecided, ReviewCompleted
from relapse_guard.household import LabourCapacity
from relapse_guard.parameters import ParameterValue

D = dt.date
HID = "GD-001"
AS_OF = D(2017, 12, 31)

#: Dazu's policy with medical aid waiting for a decided identification case, and a risk
#: elimination with no start condition (its decision closes the risk as given: the document
#: shows an eliminated risk beside one still pending).
GOLDEN_POLICY: Policy = load_policy("dazu_2016").derive(
    name="dazu_golden",
    decision_required={"medical_aid"},
    procedures=[IDENTIFICATION, attrs.evolve(RISK_ELIMINATION, start_condition=None)],
)

GOLDEN_HOUSEHOLD = Household(
    id=HID,
    place=Place("Dazu", "Longshuizhen", "Shiban"),
    members=tuple(
        Member(id=f"{HID}-{i}", birth_date=D(1969 + i, 1, 1), labour_capacity=LabourCapacity.FULL) for i in (1, 2, 3)
    ),
)


def golden_facts() -> list[Fact]:
    """Identified, helped and exited in 2015, monitored from 2016; ill in April 2017 (medical aid
    waits for the identification case, approved on the 20th), the risk eliminated in November,
    and another member ill in October (medical aid still waiting on the as-of date)."""
    return [
        IncomeAssessed(id=f"{HID}-i1", household_id=HID, date=D(2015, 1, 5), income_per_capita=Decimal(2000)),
        AssistanceGranted(id=f"{HID}-aid", household_id=HID, date=D(2015, 2, 1), measure="industry project"),
        IncomeAssessed(id=f"{HID}-i2", household_id=HID, date=D(2015, 11, 1), income_per_capita=Decimal("5000.5")),
        ExitVerified(id=f"{HID}-exit", household_id=HID, date=D(2015, 11, 15)),
        ReviewCompleted(
            id=f"{HID}-rev", household_id=HID, date=D(2016, 6, 30), review="joint_review", responsible="joint meeting"
        ),
        IllnessReported(
            id=f"{HID}-ill1",
            household_id=HID,
            date=D(2017, 4, 3),
            member_id=f"{HID}-1",
            self_paid_cost=Decimal("12000.125"),
            hospitalised=True,
        ),
        CaseDecided(
            id=f"{HID}-case1",
            household_id=HID,
            date=D(2017, 4, 20),
            case_id="c1",
            procedure="identification",
            outcome="approved",
        ),
        IllnessReported(
            id=f"{HID}-ill2", household_id=HID, date=D(2017, 10, 10), member_id=f"{HID}-2", self_paid_cost=Decimal(8000)
        ),
        CaseDecided(
            id=f"{HID}-case2",
            household_id=HID,
            date=D(2017, 11, 20),
            case_id="c2",
            procedure="risk_elimination",
            outcome="approved",
            risk_key=f"illness:{HID}-1:2017-04-03",
        ),
    ]


def golden_result() -> HouseholdResult:
    """The fixed household run under :data:`GOLDEN_POLICY` to :data:`AS_OF`."""
    return Engine(GOLDEN_POLICY).run(GOLDEN_HOUSEHOLD, golden_facts(), as_of=AS_OF)


def every_shape() -> HouseholdResult:
    """A result built by hand with a value of every kind the form writes: parameters that are
    decimals, texts and booleans, money with more than two decimals, a service with revisits,
    a pending grant, an eliminated risk and every kind of decision."""
    on = D(2016, 3, 1)
    parameters = (
        ParameterValue("rate", Decimal("0.70"), D(2015, 1, 1), "notice 3"),
        ParameterValue("starts", "next_year", D(2015, 1, 1)),
        ParameterValue("urgent", True, D(2016, 1, 1)),
        ParameterValue("big", Decimal("1E+3"), D(2016, 1, 1)),
    )
    risk = Risk(
        kind="illness",
        household_id="H",
        date=on,
        severity=Severity.SEVERE,
        trigger="illness",
        fact_id="f1",
        key="illness:m1:2016-03-01",
        cost=Decimal("1234.5678"),
        member_id="m1",
        evidence=(("level", "high"), ("level", "again")),
        parameters=parameters,
    )
    money = Grant(
        intervention="medical_aid",
        household_id="H",
        date=on,
        risk_key=risk.key,
        amount=Decimal(864),
        period=Period.YEARLY,
        persons=1,
        basis="0.7 x 1234.57",
        emergency=True,
        parameters=parameters[:1],
    )
    service = Grant(
        intervention="job_referral",
        household_id="H",
        date=on,
        risk_key=risk.key,
        service="job referral",
        responsible="labour bureau",
        revisits=(D(2016, 4, 1), D(2016, 5, 1)),
    )

    def decision(sequence: int, kind: DecisionKind, **fields: object) -> Decision:
        return Decision(
            sequence=sequence,
            household_id="H",
            date=on,
            kind=kind,
            rule=f"rule.{kind.value}",
            explanation=f"why {kind.value}",
            **fields,  # type: ignore[arg-type]
        )

    decisions = (
        decision(0, DecisionKind.TRANSITION, from_state=State.NEW, to_state=State.IDENTIFIED, facts=("f0",)),
        decision(1, DecisionKind.TRANSITION_REFUSED, from_state=State.IDENTIFIED, parameters=parameters),
        decision(2, DecisionKind.RISK_DETECTED, risk=risk, facts=("f1",)),
        decision(3, DecisionKind.INTERVENTION_GRANTED, risk=risk, grant=money),
        decision(4, DecisionKind.INTERVENTION_PENDING, risk=risk, grant=service),
        decision(5, DecisionKind.ROUTE_SKIPPED, risk=risk),
        decision(6, DecisionKind.RISK_ELIMINATED, facts=("case",)),
    )
    return HouseholdResult(
        household_id="H",
        policy="hand@1",
        as_of=D(2016, 12, 31),
        state=State.MONITORED,
        state_since=D(2016, 1, 1),
        income_per_capita=Decimal("4000.125"),
        monitoring_starts_on=D(2016, 1, 1),
        monitoring_ends_on=D(2019, 1, 1),
        decisions=decisions,
        risks=(risk,),
        grants=(money,),
        reviews_completed={"visit": D(2016, 6, 1), "audit": D(2016, 2, 1)},
        eliminated_risks={"b": D(2016, 5, 1), "a": D(2016, 5, 1), risk.key: D(2016, 4, 1)},
        pending=(service,),
    )
