"""The shipped Chongqing 2016 policies on households built from the seed's cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import pytest

from relapse_guard import (
    DisasterReported,
    Engine,
    Fact,
    HouseAppraised,
    HouseholdResult,
    IllnessReported,
    JobLost,
    State,
    load_policy,
)
from relapse_guard.facts import HousingGrade, ReviewCompleted
from relapse_guard.reviews import ReviewState

from .conftest import make_household
from .factories import assist, exit_verified, income

D = dt.date


def exited_in_2015(hid: str = "h1") -> list[Fact]:
    return [
        income(D(2015, 1, 5), 2000, hid=hid, fid=f"{hid}-i1"),
        assist(D(2015, 2, 1), hid=hid, fid=f"{hid}-a1"),
        income(D(2015, 11, 1), 5000, hid=hid, fid=f"{hid}-i2"),
        exit_verified(D(2015, 11, 15), hid=hid, fid=f"{hid}-e1"),
    ]


def run(
    policy: str, facts: Iterable[Fact], *, size: int = 3, can_work: bool = True, as_of: dt.date | None = None
) -> HouseholdResult:
    household = make_household("h1", size, can_work=can_work)
    return Engine(load_policy(policy)).run(household, facts, as_of=as_of)


def amounts(result: HouseholdResult, intervention: str) -> list[Decimal | None]:
    return [g.amount for g in result.grants if g.intervention == intervention]


# --- Yubei: the six to-household supports ---------------------------------------------


def test_yubei_2015_exit_gets_2000_per_household_and_insurance_in_the_transition_period() -> None:
    result = run("yubei_2016", exited_in_2015(), as_of=D(2016, 12, 31))
    assert amounts(result, "industry_funds_exited") == [Decimal("2000.00")]
    insurance = [g for g in result.grants if g.intervention == "micro_insurance"]
    assert [(g.date, g.amount) for g in insurance] == [
        (D(2015, 1, 5), Decimal("150.00")),
        (D(2016, 1, 1), Decimal("150.00")),
    ]


def test_yubei_low_income_household_of_2016_gets_2000_per_person() -> None:
    result = run("yubei_2016", [income(D(2016, 3, 1), 3000)], size=3)
    assert amounts(result, "industry_funds_low_income") == [Decimal("6000.00")]
    # identified in 2015, before the 2016 programme: declined with the reason
    result = run("yubei_2016", [income(D(2015, 3, 1), 2000)], size=3)
    assert amounts(result, "industry_funds_low_income") == []
    skipped = [d for d in result.decisions if d.rule == "intervention.industry_funds_low_income"]
    assert "2016-01-01" in skipped[0].explanation


def test_yubei_safety_net_standard_230_then_300() -> None:
    in_2015 = run("yubei_2016", [income(D(2015, 6, 1), 2000)], size=2)
    in_2016 = run("yubei_2016", [income(D(2016, 6, 1), 2000)], size=2)
    # 2000 a year = 166.67 a month per person
    # owed from the month after approval
    assert in_2015.monthly_in_force(D(2015, 7, 1))["safety_net"].amount == Decimal("126.66")  # (230 - 166.67) x 2
    assert in_2016.monthly_in_force(D(2016, 7, 1))["safety_net"].amount == Decimal("266.66")  # (300 - 166.67) x 2
    # the 2015 top-up is recomputed when the standard rises, on 1 January 2016
    later = run("yubei_2016", [income(D(2015, 6, 1), 2000)], size=2, as_of=D(2016, 1, 31))
    assert later.monthly_in_force()["safety_net"].amount == Decimal("266.66")


@pytest.mark.parametrize(
    ("grade", "low_income", "expected"),
    [("C", False, "12000.00"), ("D", False, "35000.00"), ("C", True, "18000.00"), ("D", True, "52500.00")],
)
def test_yubei_housing_renovation_by_grade_with_low_income_uplift(grade: str, low_income: bool, expected: str) -> None:
    appraisal = HouseAppraised(id="hs", household_id="h1", date=D(2016, 5, 1), grade=HousingGrade(grade))
    # 3000: identified and assisted, so low income; 9000: never identified, not low income
    facts = [income(D(2016, 3, 1), 3000 if low_income else 9000), appraisal]
    result = run("yubei_2016", facts)
    assert amounts(result, "housing_renovation") == [Decimal(expected)]


def test_yubei_no_house_is_subsidised_twice() -> None:
    facts = [
        income(D(2016, 3, 1), 9000),
        HouseAppraised(id="hs1", household_id="h1", date=D(2016, 5, 1), grade=HousingGrade.C),
        HouseAppraised(id="hs2", household_id="h1", date=D(2017, 5, 1), grade=HousingGrade.D),
    ]
    result = run("yubei_2016", facts)
    assert amounts(result, "housing_renovation") == [Decimal("12000.00")]


# --- Dazu: the rear line ---------------------------------------------------------------


def test_dazu_illness_gets_priority_relief_then_the_safety_net_without_relapse() -> None:
    ill = IllnessReported(
        id="ill", household_id="h1", date=D(2017, 4, 3), member_id="h1-m0", self_paid_cost=Decimal(30000)
    )
    result = run("dazu_2016", [*exited_in_2015(), ill], as_of=D(2017, 5, 1))
    assert result.state is State.MONITORED
    by_illness = [g for g in result.grants if g.risk_key.startswith("illness:")]
    assert [g.intervention for g in by_illness] == ["medical_aid", "temporary_relief", "safety_net"]
    medical, relief, top_up = by_illness
    assert medical.amount == Decimal("18000.00")  # 0.6 x 30000
    assert relief.amount == Decimal("3000.00")  # on the 12000 medical aid left, capped at 10 months x 300
    assert not relief.emergency  # a medical bill: expenditure-type (Dazu pays it at once: no case to wait for)
    assert "priority" in relief.basis
    # the bottom line, asked last: the household bears 30000 - 18000 - 3000 = 9000, 3000 a person;
    # 5000 - 3000 = 2000 a year left, 166.67 a month: (300 - 166.67) x 3 = 399.99
    assert top_up.amount == Decimal("399.99")
    assert "bears of 9000.00 (30000.00 less 21000.00 of aid for it)" in top_up.basis


def test_dazu_disaster_gets_relief_then_the_safety_net_on_the_loss_left() -> None:
    flood = DisasterReported(id="fl", household_id="h1", date=D(2016, 7, 2), hazard="flood", loss=Decimal(9000))
    result = run("dazu_2016", [*exited_in_2015(), flood], as_of=D(2016, 8, 1))
    relief, top_up = [g for g in result.grants if g.risk_key.startswith("disaster:")]
    assert (relief.intervention, relief.amount) == ("temporary_relief", Decimal("3000.00"))
    # the loss left, 9000 - 3000 = 6000, 2000 a person: 5000 - 2000 = 3000 a year, 250.00 a month
    assert (top_up.intervention, top_up.amount) == ("safety_net", Decimal("150.00"))


def test_dazu_unemployment_free_training_then_referral() -> None:
    job = JobLost(id="job", household_id="h1", date=D(2016, 9, 1), member_id="h1-m1")
    result = run("dazu_2016", [*exited_in_2015(), job], as_of=D(2016, 10, 1))
    services = [g for g in result.grants if g.risk_key.startswith("unemployment:")]
    assert [(g.intervention, g.amount) for g in services] == [("job_training", None), ("job_referral", None)]
    assert services[0].responsible == "Dazu district human resources and social security bureau"
    assert services[1].responsible == "Dazu district public employment service"


def test_dazu_monthly_joint_review_and_quarterly_inspection() -> None:
    policy = load_policy("dazu_2016")
    facts = exited_in_2015()
    result = run("dazu_2016", facts, as_of=D(2016, 4, 20))
    due = {s.review: s for s in policy.reviews_due(result, D(2016, 4, 20))}
    assert due["joint_review"].due_on == D(2016, 4, 1)
    assert (due["joint_review"].state, due["joint_review"].days_overdue) == (ReviewState.OVERDUE, 19)
    assert due["joint_review"].responsible == "Dazu joint meeting of departments"
    assert (due["inspection"].due_on, due["inspection"].state) == (D(2016, 4, 1), ReviewState.OVERDUE)
    assert due["inspection"].days_overdue == 4  # 19 days less 15 days of grace
    done = ReviewCompleted(id="rv", household_id="h1", date=D(2016, 4, 8), review="joint_review", responsible="x")
    result = run("dazu_2016", [*facts, done], as_of=D(2016, 4, 20))
    due = {s.review: s for s in policy.reviews_due(result, D(2016, 4, 20))}
    assert due["joint_review"].state is ReviewState.DONE
    assert due["inspection"].state is ReviewState.OVERDUE


# --- Bishan: long-term mechanisms -------------------------------------------------------


def test_bishan_relative_poverty_needs_labour_capacity() -> None:
    # 4000 is above the line (3600) but below 12750 / 3 = 4250
    result = run("bishan_2016", [income(D(2016, 3, 1), 4000)], can_work=True)
    identify = result.transitions[0]
    assert identify.rule == "identification.relative_poverty"
    assert "4250.00" in identify.explanation
    assert {p.name for p in identify.parameters} >= {
        "relative_poverty.rural_income_per_capita",
        "relative_poverty.divisor",
    }
    assert run("bishan_2016", [income(D(2016, 3, 1), 4000)], can_work=False).state is State.NEW
    assert run("bishan_2016", [income(D(2016, 3, 1), 4250)], can_work=True).state is State.NEW


def test_bishan_identification_supports() -> None:
    result = run("bishan_2016", [income(D(2016, 3, 1), 4000)], size=3)
    assert amounts(result, "industry_funds") == [Decimal("2000.00")]
    assert amounts(result, "micro_insurance") == [Decimal("720.00")]  # (50 + 50 + 140) x 3
    (helper,) = [g for g in result.grants if g.intervention == "paired_helper"]
    assert helper.amount is None
    assert helper.responsible
    assert len(helper.revisits) == 12
    assert helper.revisits[0] == D(2016, 4, 1)
    assert result.state is State.ASSISTED


def test_bishan_yearly_income_account_review() -> None:
    policy = load_policy("bishan_2016")
    result = run("bishan_2016", exited_in_2015(), as_of=D(2017, 1, 15))
    (account,) = policy.reviews_due(result, D(2017, 1, 15))
    assert (account.review, account.due_on, account.state) == ("income_account", D(2016, 12, 1), ReviewState.OVERDUE)
    assert account.days_overdue == 45 - 31
    assert account.responsible == "paired helper"
