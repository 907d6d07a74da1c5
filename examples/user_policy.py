"""A developer's own policy, statically checked and tested with the policy harness.

The district derives from Dazu 2016 and adds a care allowance for members with a chronic
illness, a serious illness or a disability: each such member's illness with a self-paid cost
of at least ``triggers.chronic_illness.min_cost`` is a ``chronic_illness`` risk (once per
member and year), routed to a yearly allowance per member and, when the income left is under
the standard, to the safety net; risks must be routed within ``routing.deadline_days`` (15).

The test suite runs ``MyDistrictMachine`` (tests/kit/test_user_policy.py); run this script for
a household's timeline, the static checks and a short harness run:

    python examples/user_policy.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from relapse_guard import Engine, Fact, Household, IllnessReported, IncomeAssessed, Member, Place, load_policy
from relapse_guard.checks import check_policy
from relapse_guard.context import Context
from relapse_guard.decisions import Grant, Period, Risk, Severity
from relapse_guard.household import Health
from relapse_guard.money import to_money
from relapse_guard.routing import INCOME_LEFT_UNDER_STANDARD, step
from relapse_guard.testing import PolicyStateMachine

CARE_NEEDS = (Health.CHRONIC_ILLNESS, Health.SERIOUS_ILLNESS, Health.DISABLED, Health.SEVERELY_DISABLED)


@attrs.frozen(kw_only=True)
class ChronicIllnessTrigger:
    """An illness of a member in long-term care need, with a self-paid cost of at least the minimum."""

    name: str = "chronic_illness"
    prefix: str = "triggers.chronic_illness"
    #: Every kind of risk detect() returns: the static checks read it to match routes to triggers.
    risk_kinds: tuple[str, ...] = ("chronic_illness",)

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return (IllnessReported,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        if not isinstance(fact, IllnessReported):
            return None
        member = ctx.household.member(fact.member_id)
        minimum = ctx.amount(f"{self.prefix}.min_cost")
        if member.health not in CARE_NEEDS or fact.self_paid_cost < minimum:
            return None
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind="chronic_illness",
            severity=Severity.MEDIUM,
            cost=fact.self_paid_cost,
            member_id=member.id,
            key=f"chronic_illness:{member.id}:{fact.date.year}",
            evidence=[("health", member.health), ("self_paid_cost", fact.self_paid_cost), ("min_cost", minimum)],
        )


@attrs.frozen(kw_only=True)
class CareAllowance:
    """A yearly allowance for one member in long-term care need (``care_allowance.per_person``)."""

    name: str = "care_allowance"
    prefix: str = "care_allowance"

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        amount = to_money(ctx.amount(f"{self.prefix}.per_person"))
        if amount <= 0:
            return None
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.YEARLY,
            responsible="town health centre",
            persons=1,
            basis=f"{amount} per member in care need x 1 = {amount} per year",
        )


dazu = load_policy("dazu_2016")
policy = dazu.derive(
    name="my_district_2016",
    version="2016.1",
    description="Dazu 2016 with a care allowance for members in long-term care need",
    new_parameters={
        "triggers.chronic_illness.min_cost": {dt.date(2015, 1, 1): 1000},
        "care_allowance.per_person": {dt.date(2015, 1, 1): 600, dt.date(2017, 1, 1): 720},
        "routing.deadline_days": {dt.date(2015, 1, 1): 15},
    },
    triggers=[ChronicIllnessTrigger()],
    interventions=[CareAllowance()],
    routes={"chronic_illness": [step("care_allowance"), step("safety_net", when=INCOME_LEFT_UNDER_STANDARD)]},
    sources=["district notice on care allowances (example)"],
)


class MyDistrictMachine(PolicyStateMachine):
    """The harness on this policy, with two invariants of the district's own."""

    policy = policy

    @invariant()
    def care_allowance_goes_to_members_in_care_need(self) -> None:
        assert self.household is not None
        for grant in self.result.grants:
            if grant.intervention == "care_allowance":
                member_id = grant.risk_key.split(":")[1]
                assert self.household.member(member_id).health in CARE_NEEDS, grant

    @invariant()
    def care_allowance_at_most_once_a_year_per_member(self) -> None:
        paid = [(g.risk_key, g.date.year) for g in self.result.grants if g.intervention == "care_allowance"]
        assert len(paid) == len(set(paid)), paid


TestMyDistrict = MyDistrictMachine.TestCase

if __name__ == "__main__":
    hid = "MD-001"
    household = Household(
        id=hid,
        place=Place("Dazu", "Longshui", "Shuangqiao"),
        members=[
            Member(id=f"{hid}-1", birth_date=dt.date(1958, 4, 2), health=Health.CHRONIC_ILLNESS),
            Member(id=f"{hid}-2", birth_date=dt.date(1961, 9, 9)),
        ],
    )
    facts = [
        IncomeAssessed(id="i1", household_id=hid, date=dt.date(2016, 3, 1), income_per_capita=Decimal(2900)),
        IllnessReported(id="ill1", household_id=hid, date=dt.date(2016, 5, 6), member_id=f"{hid}-1",
                        self_paid_cost=Decimal(2500), hospitalised=True),
    ]  # fmt: skip
    result = Engine(policy).run(household, facts, as_of=dt.date(2016, 12, 31))
    print(result.explain())
    assert result.money()["care_allowance"].one_off == Decimal("600.00")  # a yearly grant, once

    findings = check_policy(policy)
    print(f"\nstatic checks of {policy.label}: {len(findings)} finding(s)")
    for finding in findings:
        print("  ", finding)
    assert not findings

    quick = settings(max_examples=10, stateful_step_count=15, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))  # fmt: skip
    run_state_machine_as_test(MyDistrictMachine, settings=quick)
    print(f"harness: {quick.max_examples} random household histories, every invariant held")
