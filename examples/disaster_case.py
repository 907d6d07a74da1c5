"""A flood hits a monitored household; an identification case decides it has relapsed (Dazu 2016).

The disaster alone does not change the household's status: it is a risk. Dazu routes a
disaster to the safety net and to temporary relief; this policy makes both wait for a
decided identification case, but relief is an emergency grant ("help first, paperwork
after") and is paid at once. The case then runs the national identification procedure —
home visit, department data, village deliberation (late: escalated to the township), public
notice, township review, county approval — and its decision, given to the engine, relapses
the household and releases the safety net, which assists it again.

Run: python examples/disaster_case.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import (
    DisasterReported,
    Engine,
    ExitVerified,
    Fact,
    Household,
    IncomeAssessed,
    Member,
    Place,
    State,
    load_policy,
)
from relapse_guard.cases import CaseState, cases_due, open_case, procedure_named
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import BasicNeedsChecked, CaseDecided

D = dt.date
hid = "DZ-0417"
household = Household(
    id=hid,
    place=Place("Dazu", "Longshui", "Shuanghe"),
    members=[
        Member(id=f"{hid}-1", birth_date=D(1966, 4, 2)),
        Member(id=f"{hid}-2", birth_date=D(1969, 9, 15)),
        Member(id=f"{hid}-3", birth_date=D(2004, 1, 20)),
    ],
)
policy = load_policy("dazu_2016").derive(
    name="dazu_2016_cases",
    description="Dazu 2016; the safety net and relief wait for a decided identification case",
    decision_required={"safety_net", "temporary_relief"},
)
engine = Engine(policy)

# Identified in January 2015 (by a case decided on the 20th, its records not shown here: the
# decision releases the safety net that waited for it), exited in November: monitored from 2016.
facts: list[Fact] = [
    IncomeAssessed(id="i1", household_id=hid, date=D(2015, 1, 5), income_per_capita=Decimal(2300)),
    CaseDecided(
        id="DZ-0417-2015:decision",
        household_id=hid,
        date=D(2015, 1, 20),
        case_id="DZ-0417-2015",
        procedure="identification",
        outcome="approved",
    ),
    IncomeAssessed(id="i2", household_id=hid, date=D(2015, 11, 1), income_per_capita=Decimal(5200)),
    BasicNeedsChecked(id="n1", household_id=hid, date=D(2015, 11, 1)),
    ExitVerified(id="e1", household_id=hid, date=D(2015, 11, 15)),
    # Monday 4 July 2016: a flood destroys the crops and the stock.
    DisasterReported(id="flood", household_id=hid, date=D(2016, 7, 4), hazard="flood", loss=Decimal(24000)),
]
before = engine.run(household, facts, as_of=D(2016, 7, 4))
assert before.state is State.MONITORED  # a risk does not change the status by itself
risk = before.risks[-1]
assert risk.kind == "disaster"
assert [g.intervention for g in before.grants if g.risk_key == risk.key] == ["temporary_relief"]
assert [g.intervention for g in before.pending] == ["safety_net"]

# The identification case, opened the day of the report, about this risk.
identification = procedure_named(policy.procedures, "identification")
opened = open_case(
    identification,
    case_id="DZ-0417-ID1",
    household_id=hid,
    date=D(2016, 7, 4),
    reason="flood reported",
    risk_key=risk.key,
)
case = CaseState.opened(identification, opened)
case_facts: list[Fact] = [opened]


def record(outcome: str, on: dt.date, actor: str, *, level: str | None = None, reason: str = "") -> None:
    """Record the current step's outcome (checked against the procedure) and move the case."""
    global case
    fact = case.record(outcome, date=on, actor=actor, level=level, reason=reason)
    case_facts.append(fact)
    case = case.advance(fact)


record("approve", D(2016, 7, 6), "Chen Hua, village cadre", reason="crops and stock lost; income now below the line")
record("approve", D(2016, 7, 11), "county civil affairs bureau", reason="no car, no house in town, no business")

# The village deliberation was due on 12 July; on the 13th it is late and escalated.
roster = {"village": "Liu Ming", "township": "Wang Li", "county": "Zhao Jun"}
print("case deadlines as of 2016-07-13:")
for deadline in cases_due(policy.procedures, case_facts, D(2016, 7, 13), roster=lambda h, level: roster.get(level)):
    print("  " + deadline.explain())
print()

record("approve", D(2016, 7, 14), "Longshui working team", level="township", reason="deliberated: 31 for, 0 against")
record("approve", D(2016, 7, 19), "Liu Ming, village secretary", reason="notice 14-19 July: no objection")
record("approve", D(2016, 7, 20), "Wang Li, Longshui town")
record("approve", D(2016, 7, 21), "Zhao Jun, county rural revitalisation bureau")
print(case.explain())
print()

decision = case.decision_fact()
assert decision is not None
assert decision.outcome == "approved"
result = engine.run(household, [*facts, *case_facts, decision], as_of=D(2016, 12, 31))
print(result.explain())

assert result.states[-2:] == (State.RELAPSED, State.ASSISTED)
relapse = next(d for d in result.transitions if d.to_state is State.RELAPSED)
assert relapse.rule == "case.identification"
assert relapse.date == D(2016, 7, 21)
released = next(g for g in result.grants if g.intervention == "safety_net" and g.risk_key == risk.key)
assert released.date == D(2016, 7, 21)
relief = next(d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_GRANTED and d.rule.endswith("relief"))
assert "emergency: paid first" in relief.explanation
print()
print("money paid to date:", {name: str(line.paid_to_date) for name, line in sorted(result.money().items())})
