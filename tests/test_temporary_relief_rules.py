"""Temporary relief through the engine: only for hardship, once per cause when the policy says so,
expenditure-type relief by the full procedure, and the cap per household or per person.

Each case is a household of the shipped Chongqing policies as the rules' sources read it:
State Council order 649 art. 47 (who), MCA/MOF 2018 no. 23 s. 2 (the two types, the standard),
and local rules found elsewhere (how often, the cap per person), which Chongqing does not set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard import Engine, Policy, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import CaseDecided, DisasterReported, IllnessReported, MainEarnerLost
from relapse_guard.result import HouseholdResult

from .conftest import make_household
from .factories import assist, exit_verified, income

D = dt.date


def run(policy: str | Policy, facts: list, size: int = 3) -> HouseholdResult:  # type: ignore[type-arg]
    chosen = load_policy(policy) if isinstance(policy, str) else policy
    return Engine(chosen).run(make_household(size=size), facts, as_of=D(2016, 12, 31))


def relief(result: HouseholdResult) -> list[Decimal | None]:
    return [grant.amount for grant in result.grants if grant.intervention == "temporary_relief"]


def skipped(result: HouseholdResult) -> list[str]:
    return [
        decision.explanation
        for decision in result.decisions
        if decision.kind is DecisionKind.ROUTE_SKIPPED and decision.rule == "intervention.temporary_relief"
    ]


def storm(on: dt.date, loss: int, fid: str = "d1") -> DisasterReported:
    return DisasterReported(id=fid, household_id="h1", date=on, hazard="storm", loss=Decimal(loss))


def flood(on: dt.date, loss: int, fid: str) -> DisasterReported:
    return DisasterReported(id=fid, household_id="h1", date=on, hazard="flood", loss=Decimal(loss))


def bill(on: dt.date, cost: int) -> IllnessReported:
    return IllnessReported(
        id="ill", household_id="h1", date=on, member_id="h1-m1", self_paid_cost=Decimal(cost), hospitalised=True
    )


def monitored() -> list:  # type: ignore[type-arg]
    """Exited in 2015 (identified at 2000, exit verified at 5000 a year per person): on file."""
    return [
        income(D(2015, 1, 5), 2000, fid="i1"),
        assist(D(2015, 2, 1), fid="a1"),
        income(D(2015, 11, 1), 5000, fid="i2"),
        exit_verified(D(2015, 11, 15), fid="e1"),
    ]


# --- who ------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["dazu_2016", "chongqing_2016"])
def test_no_relief_for_a_household_not_on_file_far_above_every_line(policy: str) -> None:
    # not on file, 60000 a year per person, a storm costing 8000 (3 members):
    # 60000 - 8000 / 3 = 57333.33 a year left = 4777.78 a month >= 1.5 x 300 = 450.00
    result = run(policy, [income(D(2016, 3, 1), 60000, fid="i1"), storm(D(2016, 5, 10), 8000)])
    assert relief(result) == []  # was 3000.00: min(8000, 10 x 300)
    assert skipped(result) == [
        "temporary_relief not granted for disaster risk: condition in_hardship not met: household not on file"
        " (new): income left per capita 4777.78/month >= hardship line 450.00 (1.5 x safety-net standard 300)"
    ]
    decision = next(d for d in result.decisions if d.rule == "intervention.temporary_relief")
    assert [(m.value, m.threshold) for m in decision.margins] == [(Decimal("4777.78"), Decimal("450.00"))]


def test_relief_for_a_household_not_on_file_under_the_hardship_line() -> None:
    # not on file (4000 a year per person >= the 3600 line), a storm costing 3000 (3 members):
    # 4000 - 3000 / 3 = 3000 a year left = 250.00 a month < 450.00: min(3000, 10 x 300) = 3000
    result = run("dazu_2016", [income(D(2016, 3, 1), 4000, fid="i1"), storm(D(2016, 5, 10), 3000)])
    assert relief(result) == [Decimal("3000.00")]


# --- how often ------------------------------------------------------------------------------

FOUR_FLOODS = [
    income(D(2016, 1, 10), 2400, fid="i1"),  # under the 3600 line: identified, on file
    *(flood(D(2016, month, 10), 5000, f"d{month}") for month in (3, 5, 7, 9)),
]


def test_four_floods_in_a_year_without_a_limit_in_the_shipped_policy() -> None:
    # Chongqing sets no limit (none found for it): min(5000, 10 x 300) = 3000 for each flood
    assert relief(run("dazu_2016", FOUR_FLOODS)) == [Decimal("3000.00")] * 4


def test_four_floods_in_a_year_once_per_cause() -> None:
    once = load_policy("dazu_2016").derive(
        name="dazu_once", new_parameters={"temporary_relief.times_per_cause_per_year": {D(2015, 1, 1): 1}}
    )
    result = run(once, FOUR_FLOODS)
    assert relief(result) == [Decimal("3000.00")]  # March only; was 4 x 3000 = 12000
    assert result.money()["temporary_relief"].one_off == Decimal("3000.00")
    assert (
        skipped(result)
        == [
            "temporary_relief not granted for disaster risk: temporary relief already granted 1 time for disaster"
            " risk in 2016 (2016-03-10): at most 1 time a year for one cause"
        ]
        * 3
    )
    # another cause the same year is its own: the main earner lost in October
    lost = MainEarnerLost(id="m1", household_id="h1", date=D(2016, 10, 1), member_id="h1-m0", cause="disability")
    assert relief(run(once, [*FOUR_FLOODS, lost])) == [Decimal("3000.00"), Decimal("2700.00")]  # 3 x 300 x 3


# --- the type -------------------------------------------------------------------------------

CASES = load_policy("dazu_2016").derive(
    name="dazu_cases", decision_required={"safety_net", "temporary_relief", "medical_aid"}
)


def decided(on: dt.date, outcome: str) -> CaseDecided:
    return CaseDecided(
        id=f"dec-{outcome}", household_id="h1", date=on, case_id="c1", procedure="identification", outcome=outcome
    )


def test_expenditure_relief_for_a_bill_waits_for_the_case() -> None:
    # monitored household (5000 a year per person), a 20000 self-paid bill: medical aid
    # 0.6 x 20000 = 12000; relief on the 8000 left: min(8000, 10 x 300) = 3000; both wait
    result = run(CASES, [*monitored(), bill(D(2016, 5, 10), 20000)])
    assert relief(result) == []  # was paid at once as an emergency
    waits = {g.intervention: g.amount for g in result.pending if g.date == D(2016, 5, 10)}
    # (and the safety net, on the whole bill while the aid waits: 5000 - 20000 / 3 < 0 left,
    # (300 - 0) x 3 = 900)
    assert waits == {
        "medical_aid": Decimal("12000.00"),
        "temporary_relief": Decimal("3000.00"),
        "safety_net": Decimal("900.00"),
    }
    waiting = next(d for d in result.decisions if d.rule == "intervention.temporary_relief")
    assert waiting.kind is DecisionKind.INTERVENTION_PENDING
    assert waiting.explanation.endswith("priority relief; expenditure-type relief: full procedure")

    rejected = run(CASES, [*monitored(), bill(D(2016, 5, 10), 20000), decided(D(2016, 6, 1), "rejected")])
    assert relief(rejected) == []  # was kept: paid before the case and not taken back
    approved = run(CASES, [*monitored(), bill(D(2016, 5, 10), 20000), decided(D(2016, 6, 1), "approved")])
    paid = [g for g in approved.grants if g.intervention == "temporary_relief"]
    assert [(g.date, g.amount) for g in paid] == [(D(2016, 6, 1), Decimal("3000.00"))]


def test_emergency_relief_for_a_disaster_is_still_paid_first() -> None:
    result = run(CASES, [*monitored(), storm(D(2016, 5, 10), 8000)])
    assert relief(result) == [Decimal("3000.00")]  # min(8000, 10 x 300), paid on the day
    granted = next(d for d in result.decisions if d.rule == "intervention.temporary_relief")
    assert "emergency: paid first, the case decides after" in granted.explanation


def test_the_audited_bill_of_a_household_not_on_file_is_refused_for_want_of_hardship() -> None:
    # not on file, 9000 a year per person; medical aid 0.6 x 20000 = 12000 waits; relief asked
    # on the 8000 left: 9000 - 8000 / 3 = 6333.33 a year = 527.78 a month >= 450.00
    result = run(CASES, [income(D(2016, 3, 1), 9000, fid="i1"), bill(D(2016, 5, 10), 20000)])
    assert relief(result) == []
    assert "temporary_relief" not in [g.intervention for g in result.pending]
    assert skipped(result) == [
        "temporary_relief not granted for illness risk: condition in_hardship not met: household not on file"
        " (new): income left per capita 527.78/month >= hardship line 450.00 (1.5 x safety-net standard 300)"
    ]


# --- the cap --------------------------------------------------------------------------------


def earner_lost(size: int) -> list:  # type: ignore[type-arg]
    return [
        income(D(2016, 3, 1), 2400, fid="i1"),  # under the line: on file
        MainEarnerLost(id="m1", household_id="h1", date=D(2016, 5, 10), member_id="h1-m0", cause="disability"),
    ]


@pytest.mark.parametrize(
    ("size", "per_household", "per_person"),
    [
        # 3 months x 300 x members, capped at 10 x 300 = 3000, or at 10 x 300 x members
        (2, "1800.00", "1800.00"),
        (3, "2700.00", "2700.00"),
        (4, "3000.00", "3600.00"),  # 3600 - 600 per household
        (7, "3000.00", "6300.00"),  # 6300 - 3300 per household
    ],
)
def test_cap_per_household_in_the_shipped_policy_per_person_when_set(
    size: int, per_household: str, per_person: str
) -> None:
    assert relief(run("chongqing_2016", earner_lost(size), size=size)) == [Decimal(per_household)]
    per_person_policy = load_policy("chongqing_2016").derive(
        name="chongqing_per_person", parameters={"temporary_relief.cap_basis": {D(2016, 1, 1): "person"}}
    )
    assert relief(run(per_person_policy, earner_lost(size), size=size)) == [Decimal(per_person)]
