"""Temporary relief through the engine: only for hardship, once per cause when the policy says so
(the reliefs waiting for a case counted), expenditure-type relief by the full procedure but for a
sudden serious illness, and the cap per household or per person.

Each case is a household of the shipped Chongqing policies as the rules' sources read it:
State Council order 649 art. 47 (who), MCA/MOF 2018 no. 23 s. 2 (the two types, the standard),
and local rules found elsewhere (how often, the cap per person), which Chongqing does not set.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard import Engine, Policy, load_policy
from relapse_guard.checks import check_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import CaseDecided, DisasterReported, IllnessReported, MainEarnerLost
from relapse_guard.result import HouseholdResult

from .conftest import make_household
from .factories import assist, exit_verified, income

D = dt.date


END_2016 = D(2016, 12, 31)


def run(policy: str | Policy, facts: list, size: int = 3, as_of: dt.date = END_2016) -> HouseholdResult:  # type: ignore[type-arg]
    chosen = load_policy(policy) if isinstance(policy, str) else policy
    return Engine(chosen).run(make_household(size=size), facts, as_of=as_of)


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


def bill(on: dt.date, cost: int, *, member: str = "h1-m1", hospitalised: bool = False) -> IllnessReported:
    """A self-paid medical bill of ``member`` (an ordinary one: not in hospital, unless said)."""
    return IllnessReported(
        id=f"ill-{member}-{on}",
        household_id="h1",
        date=on,
        member_id=member,
        self_paid_cost=Decimal(cost),
        hospitalised=hospitalised,
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


def test_once_per_cause_counts_the_calendar_year() -> None:
    # floods on 20 December and 5 January: two years, each its own once (not 12 months back)
    once = load_policy("dazu_2016").derive(
        name="dazu_once", new_parameters={"temporary_relief.times_per_cause_per_year": {D(2015, 1, 1): 1}}
    )
    floods = [
        income(D(2016, 1, 10), 2400, fid="i1"),
        flood(D(2016, 12, 20), 5000, "d1"),
        flood(D(2017, 1, 5), 5000, "d2"),
    ]
    assert relief(run(once, floods, as_of=D(2017, 12, 31))) == [Decimal("3000.00")] * 2


# Relief for a medical bill waits for an identification case; the limit is once per cause a year.
ONCE_AFTER_CASE = load_policy("dazu_2016").derive(
    name="dazu_once_cases",
    decision_required={"temporary_relief"},
    new_parameters={"temporary_relief.times_per_cause_per_year": {D(2015, 1, 1): 1}},
)


def case(on: dt.date, case_id: str, outcome: str = "approved") -> CaseDecided:
    return CaseDecided(
        id=f"{case_id}:{outcome}",
        household_id="h1",
        date=on,
        case_id=case_id,
        procedure="identification",
        outcome=outcome,
    )


def paid_relief(result: HouseholdResult) -> list[tuple[dt.date, str, Decimal | None]]:
    return [(g.date, g.risk_key, g.amount) for g in result.grants if g.intervention == "temporary_relief"]


ONCE_REFUSED = (
    "temporary_relief not granted for illness risk: temporary relief already granted 1 time for illness risk"
    " in {year} ({dates}): at most 1 time a year for one cause"
)


def test_a_relief_waiting_for_a_case_counts_toward_the_limit() -> None:
    # not on file (4000 a year per person), two members' bills of 20000: medical aid 0.6 x 20000 = 12000
    # paid, relief on the 8000 left, min(8000, 10 x 300) = 3000, waits for the case
    bills = [income(D(2016, 1, 10), 4000, fid="i1"), bill(D(2016, 3, 10), 20000, member="h1-m0")]
    bills.append(bill(D(2016, 5, 10), 20000, member="h1-m1"))
    one_case = run(ONCE_AFTER_CASE, [*bills, case(D(2016, 6, 1), "c1")])
    # was both released by the case, 2 x 3000: the waiting March relief was not counted
    assert paid_relief(one_case) == [(D(2016, 6, 1), "illness:h1-m0:2016-03-10", Decimal("3000.00"))]
    assert skipped(one_case) == [ONCE_REFUSED.format(year=2016, dates="2016-03-10")]
    refused = next(d for d in one_case.decisions if d.explanation == skipped(one_case)[0])
    assert (refused.date, refused.facts) == (D(2016, 5, 10), ("ill-h1-m1-2016-05-10",))
    # as when a case decides each in turn: the March relief paid before the May bill
    one_by_one = run(ONCE_AFTER_CASE, [*bills[:2], case(D(2016, 4, 1), "c1"), bills[2], case(D(2016, 6, 1), "c2")])
    assert paid_relief(one_by_one) == [(D(2016, 4, 1), "illness:h1-m0:2016-03-10", Decimal("3000.00"))]
    assert skipped(one_by_one) == skipped(one_case)


def test_a_relief_a_rejected_case_set_aside_is_not_counted() -> None:
    facts = [
        income(D(2016, 1, 10), 4000, fid="i1"),
        bill(D(2016, 3, 10), 20000, member="h1-m0"),
        case(D(2016, 4, 1), "c1", "rejected"),  # the March relief set aside
        bill(D(2016, 5, 10), 20000, member="h1-m1"),
        case(D(2016, 6, 1), "c2"),
    ]
    result = run(ONCE_AFTER_CASE, facts)
    assert paid_relief(result) == [(D(2016, 6, 1), "illness:h1-m1:2016-05-10", Decimal("3000.00"))]


def test_a_relief_paid_in_january_on_a_case_counts_in_the_year_it_was_asked() -> None:
    facts = [
        income(D(2016, 1, 10), 4000, fid="i1"),
        bill(D(2016, 12, 10), 20000, member="h1-m0"),
        bill(D(2016, 12, 20), 20000, member="h1-m1"),  # refused: the 10 December relief waits
        case(D(2017, 1, 15), "c1"),  # pays the December relief in January
        bill(D(2017, 2, 10), 20000, member="h1-m2"),  # 2017's first: granted, and waits
        case(D(2017, 3, 1), "c2"),
    ]
    result = run(ONCE_AFTER_CASE, facts, as_of=D(2017, 12, 31))
    assert paid_relief(result) == [
        (D(2017, 1, 15), "illness:h1-m0:2016-12-10", Decimal("3000.00")),
        (D(2017, 3, 1), "illness:h1-m2:2017-02-10", Decimal("3000.00")),
    ]
    assert skipped(result) == [ONCE_REFUSED.format(year=2016, dates="2016-12-10")]


def test_the_limit_holds_on_a_run_resumed_while_a_relief_waits() -> None:
    bills = [income(D(2016, 1, 10), 4000, fid="i1"), bill(D(2016, 3, 10), 20000, member="h1-m0")]
    later = [bill(D(2016, 5, 10), 20000, member="h1-m1"), case(D(2016, 6, 1), "c1")]
    engine = Engine(ONCE_AFTER_CASE)
    household = make_household(size=3)
    first = engine.run_checkpointed(household, bills, as_of=D(2016, 3, 31))
    assert [g.intervention for g in first.result.pending] == ["temporary_relief"]
    resumed = engine.resume(first.checkpoint, household, later, as_of=END_2016).result
    assert paid_relief(resumed) == [(D(2016, 6, 1), "illness:h1-m0:2016-03-10", Decimal("3000.00"))]
    assert skipped(resumed) == [ONCE_REFUSED.format(year=2016, dates="2016-03-10")]
    whole = engine.run(household, [*bills, *later], as_of=END_2016)
    assert (resumed.grants, resumed.pending) == (whole.grants, whole.pending)


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


# Relief waits for a case (the safety net too): a sudden serious illness's is paid first.
RELIEF_CASES = load_policy("dazu_2016").derive(
    name="dazu_relief_cases", decision_required={"safety_net", "temporary_relief"}
)


def test_relief_for_a_sudden_serious_illness_is_paid_first() -> None:
    # not on file, 4000 a year per person (12000 for 3 members); in hospital, 50000 self-paid:
    # 50000 >= 12000 a year, severe. Medical aid 0.6 x 50000 = 30000 paid; relief on the 20000
    # left, min(20000, 10 x 300) = 3000, paid on the day as for the fire a month later
    ill = bill(D(2016, 3, 10), 50000, member="h1-m0", hospitalised=True)
    fire = DisasterReported(id="fire", household_id="h1", date=D(2016, 4, 10), hazard="fire", loss=Decimal(8000))
    result = run(RELIEF_CASES, [income(D(2016, 1, 10), 4000, fid="i1"), ill, fire])
    assert [(g.date, g.amount, g.emergency) for g in result.grants if g.intervention == "temporary_relief"] == [
        (D(2016, 3, 10), Decimal("3000.00"), True),  # was waiting for the case
        (D(2016, 4, 10), Decimal("3000.00"), True),
    ]
    assert "temporary_relief" not in [g.intervention for g in result.pending]
    granted = next(d for d in result.decisions if d.rule == "intervention.temporary_relief")
    assert granted.explanation == (
        "3000.00 yuan one_off (emergency: paid first, the case decides after) for illness risk: on the cost left"
        " after medical_aid: 50000.00 - 30000.00 = 20000.00; min(cost 20000.00, cap 10 months x 300.00 = 3000.00)"
        " = 3000.00 one-off; priority relief; sudden serious illness (in hospital, severity severe >= severe):"
        " emergency-type relief, help first, paperwork after"
    )
    assert ("temporary_relief.sudden_illness_severity", "severe") in [(p.name, p.value) for p in granted.parameters]


def test_the_static_checks_refuse_a_least_severity_that_names_no_severity() -> None:
    grave = load_policy("dazu_2016").derive(
        name="dazu_grave", parameters={"temporary_relief.sudden_illness_severity": {D(2016, 1, 1): "grave"}}
    )
    found = [(f.check, f.subject, f.message) for f in check_policy(grave) if f.check == "parameter_invalid"]
    assert found == [
        (
            "parameter_invalid",
            "intervention temporary_relief",
            "refuses its parameters on 2016-01-01: parameter 'temporary_relief.sudden_illness_severity' must be"
            " one of 'low', 'medium', 'high', 'severe', found 'grave'",
        )
    ]
    assert [f for f in check_policy(load_policy("dazu_2016")) if f.check == "parameter_invalid"] == []


@pytest.mark.parametrize(
    ("cost", "hospitalised"),
    [
        (50000, False),  # severe, but not in hospital: the ordinary costs of an illness
        (8000, True),  # in hospital, 8000 < 12000 a year: high, not severe
    ],
)
def test_relief_for_any_other_illness_waits_for_the_case(cost: int, hospitalised: bool) -> None:
    ill = bill(D(2016, 3, 10), cost, member="h1-m0", hospitalised=hospitalised)
    result = run(RELIEF_CASES, [income(D(2016, 1, 10), 4000, fid="i1"), ill])
    assert relief(result) == []
    assert [g.emergency for g in result.pending if g.intervention == "temporary_relief"] == [False]


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
