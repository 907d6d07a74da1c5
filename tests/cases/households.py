"""A Dazu household monitored in 2016 and hit by a flood, and helpers to run its cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import (
    DisasterReported,
    Engine,
    ExitVerified,
    Fact,
    HouseAppraised,
    Household,
    IncomeAssessed,
    Policy,
    load_policy,
)
from relapse_guard.cases import CaseState, Procedure, StartContext, open_case, procedure_named
from relapse_guard.facts import BasicNeed, BasicNeedsChecked, CaseDecided, HousingGrade

from ..conftest import make_household

D = dt.date
HID = "h1"
HOUSEHOLD = make_household(HID, size=3)
IDLE_HOUSEHOLD = make_household(HID, size=2, can_work=False)
POLICY: Policy = load_policy("dazu_2016").derive(
    name="dazu_cases", decision_required={"safety_net", "temporary_relief"}
)
ENGINE = Engine(POLICY)
FLOOD = "disaster:flood"


def income(on: dt.date, amount: int, fid: str) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id=HID, date=on, income_per_capita=Decimal(amount))


def needs(on: dt.date, *unmet: BasicNeed, fid: str = "n") -> BasicNeedsChecked:
    return BasicNeedsChecked(id=f"{fid}{on.isoformat()}", household_id=HID, date=on, unmet=frozenset(unmet))


def house(on: dt.date, grade: str) -> HouseAppraised:
    return HouseAppraised(id=f"house{on.isoformat()}", household_id=HID, date=on, grade=HousingGrade(grade))


def monitored_then_flooded() -> list[Fact]:
    """Identified (by a decided case) and helped in 2015, exited, monitored from 2016; a flood on 4 July 2016."""
    return [
        income(D(2015, 1, 5), 2300, "i1"),
        CaseDecided(
            id="old:decision",
            household_id=HID,
            date=D(2015, 1, 20),
            case_id="old",
            procedure="identification",
            outcome="approved",
        ),
        income(D(2015, 11, 1), 5200, "i2"),
        needs(D(2015, 11, 1)),
        ExitVerified(id="e1", household_id=HID, date=D(2015, 11, 15)),
        DisasterReported(id="flood", household_id=HID, date=D(2016, 7, 4), hazard="flood", loss=Decimal(24000)),
    ]


def run_case(
    procedure: Procedure,
    opened_on: dt.date,
    steps: list[tuple[dt.date, str, str]],
    *,
    case_id: str = "c1",
    risk_key: str | None = FLOOD,
    evidence: StartContext | None = None,
) -> tuple[CaseState, list[Fact]]:
    """Open a case and record ``(date, outcome, reason)`` at its current step each time."""
    opening = open_case(
        procedure, case_id=case_id, household_id=HID, date=opened_on, risk_key=risk_key, evidence=evidence
    )
    case = CaseState.opened(procedure, opening)
    facts: list[Fact] = [opening]
    for on, outcome, reason in steps:
        fact = case.record(outcome, date=on, actor="cadre", reason=reason)
        facts.append(fact)
        case = case.advance(fact)
    return case, facts


def evidence(
    facts: list[Fact], on: dt.date, *, household: Household = HOUSEHOLD, risk_key: str | None = FLOOD
) -> StartContext:
    """What a start condition sees on ``on``: the facts, the engine's result, the policy's parameters."""
    return StartContext(
        household=household,
        on=on,
        facts=[f for f in facts if f.date <= on],
        result=ENGINE.run(household, facts, as_of=on),
        parameters=POLICY.parameters,
        risk_key=risk_key,
    )


IDENTIFICATION = procedure_named(POLICY.procedures, "identification")
RISK_ELIMINATION = procedure_named(POLICY.procedures, "risk_elimination")

#: The identification steps approved each on time, from Monday 4 July 2016 (decided 20 July).
ON_TIME = [
    (D(2016, 7, 7), "approve", ""),
    (D(2016, 7, 12), "approve", ""),
    (D(2016, 7, 13), "approve", ""),
    (D(2016, 7, 18), "approve", ""),
    (D(2016, 7, 19), "approve", ""),
    (D(2016, 7, 20), "approve", ""),
]
