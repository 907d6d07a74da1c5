"""Quickstart: one household of Yubei, from identification to a stable exit, explained.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import (
    AssistanceGranted,
    Engine,
    ExitVerified,
    Household,
    IncomeAssessed,
    Member,
    Place,
    State,
    load_policy,
)

household = Household(
    id="YB-0001",
    place=Place(district="Yubei", town="Dashengzhen", village="Qinglong"),
    members=[
        Member(id="YB-0001-1", birth_date=dt.date(1975, 3, 2)),
        Member(id="YB-0001-2", birth_date=dt.date(1977, 8, 19)),
    ],
)

facts = [
    IncomeAssessed(id="f1", household_id="YB-0001", date=dt.date(2015, 1, 10), income_per_capita=Decimal(2300)),
    AssistanceGranted(id="f2", household_id="YB-0001", date=dt.date(2015, 2, 1), measure="pig farming project"),
    IncomeAssessed(id="f3", household_id="YB-0001", date=dt.date(2015, 11, 20), income_per_capita=Decimal(4100)),
    ExitVerified(id="f4", household_id="YB-0001", date=dt.date(2015, 12, 1)),
]

engine = Engine(load_policy("yubei_2016"))

# The same facts, as of three dates: exited, monitored, stable.
for as_of in (dt.date(2015, 12, 31), dt.date(2017, 6, 30), dt.date(2019, 1, 1)):
    result = engine.run(household, facts, as_of=as_of)
    print(f"as of {as_of}: {result.state.value}")

result = engine.run(household, facts, as_of=dt.date(2019, 1, 1))
assert result.state is State.STABLE
print()
print(result.explain())
