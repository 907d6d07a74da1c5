"""A household falls ill during its transition period (Yubei 2016 policy).

The illness trigger finds a large self-paid cost; the policy routes it to medical aid, then
to the safety net because the income left after the cost is under the standard. The
household stays monitored: the illness alone does not meet the relapse rule.

Run: python examples/illness_during_monitoring.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import (
    AssistanceGranted,
    Engine,
    ExitVerified,
    Household,
    IllnessReported,
    IncomeAssessed,
    Member,
    Place,
    State,
    load_policy,
)
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import Source
from relapse_guard.household import LabourCapacity

hid = "YB-0002"
household = Household(
    id=hid,
    place=Place("Yubei", "Dashengzhen", "Qinglong"),
    members=[
        Member(id=f"{hid}-1", birth_date=dt.date(1968, 5, 12)),
        Member(id=f"{hid}-2", birth_date=dt.date(1970, 1, 30)),
        Member(id=f"{hid}-3", birth_date=dt.date(1940, 7, 7), labour_capacity=LabourCapacity.NONE),
    ],
)
facts = [
    IncomeAssessed(id="i1", household_id=hid, date=dt.date(2015, 1, 5), income_per_capita=Decimal(2500)),
    AssistanceGranted(id="a1", household_id=hid, date=dt.date(2015, 2, 1), measure="orchard project"),
    IncomeAssessed(id="i2", household_id=hid, date=dt.date(2015, 11, 1), income_per_capita=Decimal(3900)),
    ExitVerified(id="e1", household_id=hid, date=dt.date(2015, 11, 15)),
    IllnessReported(
        id="ill1",
        household_id=hid,
        date=dt.date(2017, 4, 3),
        source=Source.DEPARTMENT,
        member_id=f"{hid}-1",
        self_paid_cost=Decimal(9000),
        hospitalised=True,
    ),
]

result = Engine(load_policy("yubei_2016")).run(household, facts, as_of=dt.date(2017, 6, 30))
print(result.explain())
print()
for decision in result.decisions:
    if decision.kind is DecisionKind.INTERVENTION_GRANTED and decision.grant is not None:
        grant = decision.grant
        print(f"{grant.intervention}: {grant.amount} yuan {grant.period.value} -- {grant.basis}")

assert result.state is State.MONITORED
granted = {g.intervention for g in result.grants}
assert {"medical_aid", "safety_net"} <= granted
