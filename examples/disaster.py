"""A flood hits an exited household and its house is appraised D (Yubei 2016 policy).

The disaster is routed to temporary relief (help first, paperwork after); the appraisal is an
unsafe-housing risk routed to renovation (35,000 yuan for grade D). An unsafe house breaks a
basic need, so the household relapses; the renovation grant assists it again.

Run: python examples/disaster.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import (
    AssistanceGranted,
    DisasterReported,
    Engine,
    ExitVerified,
    HouseAppraised,
    Household,
    IncomeAssessed,
    Member,
    Place,
    State,
    load_policy,
)
from relapse_guard.facts import HousingGrade

hid = "YB-0003"
household = Household(
    id=hid,
    place=Place("Yubei", "Huixing", "Huilong"),
    members=[
        Member(id=f"{hid}-1", birth_date=dt.date(1958, 2, 1)),
        Member(id=f"{hid}-2", birth_date=dt.date(1960, 8, 8)),
    ],
)
facts = [
    IncomeAssessed(id="i1", household_id=hid, date=dt.date(2015, 3, 1), income_per_capita=Decimal(2600)),
    AssistanceGranted(id="a1", household_id=hid, date=dt.date(2015, 3, 20), measure="poultry project"),
    IncomeAssessed(id="i2", household_id=hid, date=dt.date(2015, 10, 1), income_per_capita=Decimal(4300)),
    ExitVerified(id="e1", household_id=hid, date=dt.date(2015, 10, 20)),
    DisasterReported(id="flood", household_id=hid, date=dt.date(2016, 7, 2), hazard="flood", loss=Decimal(20000)),
    HouseAppraised(id="appraisal", household_id=hid, date=dt.date(2016, 7, 10), grade=HousingGrade.D),
]

result = Engine(load_policy("yubei_2016")).run(household, facts, as_of=dt.date(2016, 12, 31))
print(result.explain())

assert State.RELAPSED in result.states
money = result.money()
print()
print("money (one-off yuan, monthly in force yuan a month, paid to date yuan):")
for name, line in sorted(money.items()):
    print(f"  {name}: {line.one_off}, {line.monthly_in_force}, {line.paid_to_date}")
assert money["housing_renovation"].one_off > 0
assert money["temporary_relief"].one_off > 0
