"""Hypothesis strategies: households and random histories of every fact kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from relapse_guard import (
    AssistanceGranted,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    Household,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    Member,
    Place,
    SchoolEnrolled,
)
from relapse_guard.facts import BasicNeed, BasicNeedsChecked, HousingGrade, ReviewCompleted, Source
from relapse_guard.household import Health, LabourCapacity, Schooling

from .helpers import national_id

START = dt.date(2015, 1, 1)
days = st.integers(0, 5 * 365).map(lambda n: START + dt.timedelta(days=n))
money = st.decimals(min_value=0, max_value=40000, places=2, allow_nan=False, allow_infinity=False)
incomes = st.one_of(st.integers(0, 9000).map(Decimal), st.decimals(min_value=0, max_value=9000, places=2))


@st.composite
def households(draw: st.DrawFn, hid: str = "H1") -> Household:
    size = draw(st.integers(1, 4))
    return Household(
        id=hid,
        place=Place("Yubei", "Dashengzhen", "Qinglong"),
        members=tuple(
            Member(
                id=national_id(draw(st.integers(0, 999)) * 10 + i),
                birth_date=draw(st.dates(dt.date(1940, 1, 1), dt.date(2012, 12, 31))),
                labour_capacity=draw(st.sampled_from(LabourCapacity)),
                health=draw(st.sampled_from(Health)),
                schooling=draw(st.sampled_from(Schooling)),
            )
            for i in range(size)
        ),
    )


def _fact(draw: st.DrawFn, household: Household, fid: str) -> Fact:
    common = {"id": fid, "household_id": household.id, "date": draw(days), "source": draw(st.sampled_from(Source))}
    member = draw(st.sampled_from(household.members)).id
    kind = draw(st.sampled_from(range(11)))
    if kind == 0:
        return AssistanceGranted(**common, measure="industry project", amount=draw(st.none() | money))
    if kind == 1:
        return ExitVerified(**common)
    if kind == 2:
        return IllnessReported(**common, member_id=member, self_paid_cost=draw(money), hospitalised=draw(st.booleans()))
    if kind == 3:
        return DisasterReported(**common, hazard="flood", loss=draw(money))
    if kind == 4:
        return JobLost(**common, member_id=member)
    if kind == 5:
        return MainEarnerLost(**common, member_id=member, cause=draw(st.sampled_from(["death", "disability"])))
    if kind == 6:
        level = draw(st.sampled_from([s for s in Schooling if s is not Schooling.NONE]))
        return SchoolEnrolled(**common, member_id=member, level=level, annual_cost=draw(money))
    if kind == 7:
        return HouseAppraised(**common, grade=draw(st.sampled_from(HousingGrade)))
    if kind == 8:
        return BasicNeedsChecked(**common, unmet=draw(st.frozensets(st.sampled_from(BasicNeed), max_size=2)))
    if kind == 9:
        return ReviewCompleted(**common, review="annual_review", responsible="village cadre")
    return IncomeAssessed(**common, income_per_capita=draw(incomes))


@st.composite
def histories(draw: st.DrawFn, household: Household) -> list[Fact]:
    """Facts of ``household``: often a start (identified, or exited in 2015), then facts of any kind."""
    hid = household.id
    start = draw(st.sampled_from(["none", "identified", "exited"]))
    facts: list[Fact] = []
    if start != "none":
        low = draw(st.integers(0, 2700).map(Decimal))
        facts.append(IncomeAssessed(id=f"{hid}-f0", household_id=hid, date=START, income_per_capita=low))
    if start == "exited":
        high = draw(st.integers(4000, 9000).map(Decimal))
        on = START + dt.timedelta(days=draw(st.integers(30, 300)))
        facts += [
            AssistanceGranted(id=f"{hid}-aid", household_id=hid, date=START, measure="industry project"),
            IncomeAssessed(id=f"{hid}-high", household_id=hid, date=on, income_per_capita=high),
            ExitVerified(id=f"{hid}-exit", household_id=hid, date=on + dt.timedelta(days=10)),
        ]
    count = draw(st.integers(0, 10))
    facts.extend(_fact(draw, household, f"{hid}-f{i}") for i in range(1, count + 1))
    return facts
