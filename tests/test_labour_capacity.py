"""A labour capacity left blank is read from the member's age on the date it is read (no capacity
to work under 16, at 60 and over or severely disabled: the extreme-poverty rules' definition);
one given is kept as given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Household, load_policy
from relapse_guard.facts import IncomeAssessed, JobLost
from relapse_guard.household import Health, LabourCapacity, Member

D = dt.date
CHONGQING = load_policy("chongqing_2016")


def test_a_child_whose_capacity_is_blank_is_not_another_member_who_can_work() -> None:
    # Wanzhou, 3 members: the father (full) loses his job on 10 May 2016; the mother "none"; the
    # daughter, born 2012 (4 years old), capacity left blank: no other member can work, so
    # temporary relief: min(3 months x 300 x 3 members = 2700, cap 3000) = 2700.00.
    household = Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Wanzhou", "town": "T", "village": "V"},
            "members": [
                {"id": "H1-0", "birth_date": "1980-01-01", "labour_capacity": "full"},
                {"id": "H1-1", "birth_date": "1982-01-01", "labour_capacity": "none"},
                {"id": "H1-2", "birth_date": "2012-03-01"},
            ],
        }
    )
    assert household.members[2].labour_capacity is None
    facts = [
        IncomeAssessed(id="i1", household_id="H1", date=D(2016, 1, 10), income_per_capita=Decimal(3000)),
        JobLost(id="j1", household_id="H1", date=D(2016, 5, 10), member_id="H1-0"),
    ]
    result = Engine(CHONGQING).run(household, facts, as_of=D(2016, 12, 31))
    assert [g.amount for g in result.grants if g.intervention == "temporary_relief"] == [Decimal("2700.00")]
    assert "labour_capacity" not in household.to_dict()["members"][2]  # blank, read back blank
    assert Household.from_dict(household.to_dict()) == household


@given(
    born=st.dates(D(1900, 1, 1), D(2020, 12, 31)),
    on=st.dates(D(2000, 1, 1), D(2030, 12, 31)),
    health=st.sampled_from(list(Health)),
    capacity=st.none() | st.sampled_from(list(LabourCapacity)),
)
def test_a_blank_capacity_is_read_from_the_age_and_a_given_one_kept(
    born: dt.date, on: dt.date, health: Health, capacity: LabourCapacity | None
) -> None:
    member = Member(id="m", birth_date=born, labour_capacity=capacity, health=health)
    if capacity is not None:
        assert member.capacity_on(on) is capacity
        assert member.can_work_on(on) is (capacity is not LabourCapacity.NONE)
        return
    able = 16 <= member.age_on(on) < 60 and health is not Health.SEVERELY_DISABLED
    assert member.capacity_on(on) is (LabourCapacity.FULL if able else LabourCapacity.NONE)
    assert member.can_work_on(on) is able


def test_a_widow_and_small_children_are_re_checked_yearly() -> None:
    # Chongqing: the safety net is re-checked every 6 months when a member can work, else 12;
    # an obvious change is 20%. The mother "none", her children born 2010 and 2012, capacity left
    # blank (6 and 4 years old: none). 10 Jan 1200 identifies, 20 Jan the same is an income-drop
    # risk: (300 - 100) x 3 = 600.00 a month, set on 20 Jan. 10 Aug 1250 (4% from 1200: no obvious
    # change) is no re-check (due 20 Jan 2017): nothing decided on it. Read as "full", the
    # children would make it the 6-month re-check (due 20 Jul 2016).
    def home(child: str | None) -> Household:
        children = [{"id": f"H1-{n}", "birth_date": born} for n, born in ((1, "2010-05-01"), (2, "2012-03-01"))]
        if child is not None:
            for record in children:
                record["labour_capacity"] = child
        members = [{"id": "H1-0", "birth_date": "1985-01-01", "labour_capacity": "none"}, *children]
        return Household.from_dict({"id": "H1", "place": {"district": "Wanzhou"}, "members": members})

    facts = [
        IncomeAssessed(id=f"i{n}", household_id="H1", date=day, income_per_capita=Decimal(amount))
        for n, (day, amount) in enumerate(((D(2016, 1, 10), 1200), (D(2016, 1, 20), 1200), (D(2016, 8, 10), 1250)))
    ]
    engine = Engine(CHONGQING)
    blank = engine.run(home(None), facts, as_of=D(2016, 12, 31))
    assert not [d for d in blank.decisions if d.facts == ("i2",)]
    as_full = engine.run(home("full"), facts, as_of=D(2016, 12, 31))
    (kept,) = [d.explanation for d in as_full.decisions if d.facts == ("i2",)]
    assert kept.startswith("safety_net re-checked (due on 2016-07-20) and kept at 600.00 a month")
