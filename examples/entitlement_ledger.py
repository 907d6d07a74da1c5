"""A household's safety-net top-up month by month: it starts, is recomputed and ends.

Three members in Yubei. In 2016 the income checks find 2,400, then 3,000, then 4,000 yuan a
year a person; an illness in 2017 costs 12,000 yuan. The ledger shows, for each month, what is
owed by each intervention (the top-up from the month after approval; one-off grants in their
month), and the decisions that started, recomputed and ended the top-up. See docs/entitlements.md.

Run: python examples/entitlement_ledger.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import Engine, Household, IllnessReported, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.entitlements import month_index, month_label, total

AS_OF = dt.date(2017, 6, 30)

household = Household.from_dict(
    {
        "id": "YB-201",
        "place": {"district": "Yubei", "town": "Longxi", "village": "Songshi"},
        "members": [{"id": f"YB-201-{i}", "birth_date": "1975-01-01"} for i in range(3)],
    }
)
facts = [
    IncomeAssessed(id="inc1", household_id="YB-201", date=dt.date(2016, 1, 10), income_per_capita=Decimal(2400)),
    IncomeAssessed(id="inc2", household_id="YB-201", date=dt.date(2016, 6, 15), income_per_capita=Decimal(3000)),
    IncomeAssessed(id="inc3", household_id="YB-201", date=dt.date(2016, 10, 20), income_per_capita=Decimal(4000)),
    IllnessReported(
        id="ill1",
        household_id="YB-201",
        date=dt.date(2017, 3, 8),
        member_id="YB-201-1",
        self_paid_cost=Decimal(12000),
        hospitalised=True,
    ),
]
result = Engine(load_policy("yubei_2016")).run(household, facts, as_of=AS_OF)

print(f"household {household.id} under {result.policy}, as of {AS_OF.isoformat()}: {result.state.value}")
print()
print("decisions on the safety-net top-up:")
for decision in result.decisions:
    grant = decision.grant
    if grant is not None and grant.intervention == "safety_net" and decision.kind is not DecisionKind.ROUTE_SKIPPED:
        print(f"  {decision.date} {decision.kind.value}: {decision.explanation[:150]}")
print()
print("monthly ledger (yuan owed for the month, by intervention):")
first = month_index(dt.date(2016, 1, 1))
paid = Decimal(0)
for index in range(first, month_index(AS_OF) + 1):
    owed = result.owed(index)
    paid += sum(owed.values(), Decimal(0))
    items = ", ".join(f"{name} {amount}" for name, amount in sorted(owed.items())) or "-"
    print(f"  {month_label(index)}  {items}")
money = total(result.money())
print()
print(f"paid to date: {money.paid_to_date} yuan; one-off: {money.one_off} yuan;")
print(f"monthly in force on {AS_OF.isoformat()}: {money.monthly_in_force} yuan a month")
assert paid == money.paid_to_date  # the ledger adds up to the total paid to date
