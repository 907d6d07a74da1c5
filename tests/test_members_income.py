"""A household's members change, its income per person changes; the main earner's death.

Each worked case says its arithmetic. Yubei and Chongqing 2016: safety-net standard 300 a
person a month; the top-up is (300 - monthly income per person, to the fen) x members.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, load_policy
from relapse_guard.decisions import DecisionKind, Grant
from relapse_guard.engine import ResumePath
from relapse_guard.facts import Fact, IncomeAssessed, MainEarnerLost, MemberDied, MemberJoined
from relapse_guard.interventions.safety_net import monthly_top_up
from relapse_guard.money import to_money

D = dt.date
YUBEI = load_policy("yubei_2016")
CHONGQING = load_policy("chongqing_2016")
STANDARD = Decimal(300)


def home(size: int, *, district: str = "Yubei", capacities: list[str | None] | None = None) -> Household:
    members = []
    for n in range(size):
        member: dict[str, str] = {"id": f"H1-{n}", "birth_date": "1975-01-01"}
        capacity = capacities[n] if capacities is not None else "full"
        if capacity is not None:
            member["labour_capacity"] = capacity
        members.append(member)
    place = {"district": district, "town": "T", "village": "V"}
    return Household.from_dict({"id": "H1", "place": place, "members": members})


def assessed(on: dt.date, amount: int, fid: str = "i1") -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(amount))


def top_ups(grants: tuple[Grant, ...]) -> list[tuple[Decimal | None, int, dt.date | None, dt.date | None]]:
    return [(g.amount, g.persons, g.starts, g.ends) for g in grants if g.intervention == "safety_net"]


# --- 1. the income per person after a change of members -------------------------------------


def test_a_birth_shares_the_household_income_over_three() -> None:
    # 2 members at 2400 a year = 200.00 a month: (300 - 200) x 2 = 200.00 a month from February.
    # 15 April a baby: 4800 a year over 3 = 1600 = 133.33 a month each: (300 - 133.33) x 3 =
    # 166.67 x 3 = 500.01 a month from May (not (300 - 200) x 3 = 300.00).
    born = MemberJoined(id="b1", household_id="H1", date=D(2016, 4, 15), member_id="H1-9", birth_date=D(2016, 4, 15))
    result = Engine(YUBEI).run(home(2), [assessed(D(2016, 1, 10), 2400), born], as_of=D(2016, 12, 31))
    assert top_ups(result.grants)[-1] == (Decimal("500.01"), 3, D(2016, 5, 1), None)
    owed = sum(result.owed(D(2016, month, 1)).get("safety_net", Decimal(0)) for month in range(5, 13))
    assert owed == Decimal("4000.08")  # 8 x 500.01


def test_the_death_of_a_member_without_income_stops_the_top_up() -> None:
    # 3 members at 2400: (300 - 200) x 3 = 300.00 a month. 15 April the grandparent dies: 7200
    # over 2 = 3600 = 300.00 a month each: no gap, nothing owed from May (not (300 - 200) x 2).
    died = MemberDied(id="x1", household_id="H1", date=D(2016, 4, 15), member_id="H1-2")
    household = home(3, capacities=["full", "full", "none"])
    result = Engine(YUBEI).run(household, [assessed(D(2016, 1, 10), 2400), died], as_of=D(2016, 12, 31))
    assert top_ups(result.grants) == [(Decimal("300.00"), 3, D(2016, 2, 1), D(2016, 5, 1))]
    assert all(not result.owed(D(2016, month, 1)).get("safety_net") for month in range(5, 13))
    assert result.income_per_capita == Decimal("3600.00")


def test_a_later_assessment_sets_the_income_again_and_cites_no_change() -> None:
    # After the birth (1600 shared), the assessment of 1 Sep (1000 a person, counting the 3
    # members; an obvious change from 1600) sets the income again: nothing shared, no change
    # cited: 83.33 a month, (300 - 83.33) x 3 = 216.67 x 3 = 650.01 a month from October.
    born = MemberJoined(id="b1", household_id="H1", date=D(2016, 4, 15), member_id="H1-9", birth_date=D(2016, 4, 15))
    facts = [assessed(D(2016, 1, 10), 2400), born, assessed(D(2016, 9, 1), 1000, "i2")]
    result = Engine(YUBEI).run(home(2), facts, as_of=D(2016, 12, 31))
    assert result.income_per_capita == Decimal(1000)
    assert top_ups(result.grants)[-1] == (Decimal("650.01"), 3, D(2016, 10, 1), None)
    last = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_RECOMPUTED][-1]
    assert "b1" not in last.facts
    assert "household income" not in last.explanation


changes_strategy = st.lists(st.sampled_from(["birth", "death"]), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(1, 5),
    income=st.integers(0, 6000),
    changes=changes_strategy,
)
def test_a_change_of_members_shares_the_assessed_income_as_an_assessment_would(
    size: int, income: int, changes: list[str]
) -> None:
    """The income per person after changes of members is the household's income as assessed over
    the members in force, to the fen; and the top-up running is what that income gives."""
    facts: list[Fact] = [assessed(D(2016, 1, 10), income)]
    members = size
    on = D(2016, 2, 1)
    for n, change in enumerate(changes):
        on += dt.timedelta(days=20)
        if change == "death" and members > 1:
            facts.append(MemberDied(id=f"c{n}", household_id="H1", date=on, member_id=f"H1-{members - 1}"))
            members -= 1
        else:
            facts.append(MemberJoined(id=f"c{n}", household_id="H1", date=on, member_id=f"H1-{members}", birth_date=on))
            members += 1
    result = Engine(YUBEI).run(home(size, capacities=["none"] * size), facts, as_of=D(2016, 12, 31))
    shared = to_money(Decimal(income) * size / members)
    assert result.income_per_capita == (Decimal(income) if members == size else shared)
    running = [g for g in result.grants if g.intervention == "safety_net" and g.ends is None]
    if running:
        (piece,) = running
        assert piece.persons == members
        assert piece.amount == monthly_top_up(shared, Decimal(0), members, STANDARD)


# --- 2. the main earner's death -------------------------------------------------------------


def _earner_facts() -> list[Fact]:
    return [
        assessed(D(2016, 1, 10), 3000),
        MemberDied(id="x1", household_id="H1", date=D(2016, 5, 10), member_id="H1-0"),
        MainEarnerLost(id="m1", household_id="H1", date=D(2016, 5, 10), member_id="H1-0", cause="death"),
    ]


def test_the_main_earners_death_is_recorded_and_counts_the_survivors() -> None:
    # Wanzhou (Chongqing base), 4 members at 3000 a year = 250.00 a month: (300 - 250) x 4 =
    # 200.00 a month from February. 10 May the main earner H1-0 dies (member_died and
    # main_earner_lost, cause death): the earner's share leaves with them, the 3 survivors keep
    # 3000 each: (300 - 250) x 3 = 150.00 a month from June. Relief: min(3 months x 300 x 3
    # members = 2700, cap 10 x 300 = 3000) = 2700.00 (not 3000.00 on 4).
    result = Engine(CHONGQING).run(home(4, district="Wanzhou"), _earner_facts(), as_of=D(2016, 12, 31))
    (relief,) = [g for g in result.grants if g.intervention == "temporary_relief"]
    assert (relief.amount, relief.persons) == (Decimal("2700.00"), 3)
    assert top_ups(result.grants)[-1] == (Decimal("150.00"), 3, D(2016, 6, 1), None)
    (risk,) = [r for r in result.risks if r.kind == "main_earner_lost"]
    assert risk.member_id == "H1-0"
    assert ("other_members_who_can_work", "3") in risk.evidence
    assert result.income_per_capita == Decimal("3000.00")


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_main_earners_death_reads_the_same_in_any_order(order: tuple[int, ...]) -> None:
    facts = _earner_facts()
    engine = Engine(CHONGQING)
    expected = engine.run(home(4, district="Wanzhou"), facts, as_of=D(2016, 12, 31))
    given_order = [facts[index] for index in order]
    assert engine.run(home(4, district="Wanzhou"), given_order, as_of=D(2016, 12, 31)).grants == expected.grants


def test_a_checkpoint_with_the_death_resumed_with_the_earners_loss_is_replayed() -> None:
    # The death in one cycle (its run did not know it was the main earner's: 12000 over 3 =
    # 4000 each, no gap, the top-up stops), the loss of the same day in the next: replayed, as
    # a run of every fact gives (3000 each for the survivors, 150.00 a month).
    engine = Engine(CHONGQING)
    household = home(4, district="Wanzhou")
    first, died, lost = _earner_facts()
    before = engine.run_checkpointed(household, [first, died], as_of=D(2016, 5, 10))
    assert before.result.income_per_capita == Decimal("4000.00")
    resumed = engine.resume(before.checkpoint, household, [lost], as_of=D(2016, 12, 31), history=[first, died, lost])
    assert resumed.path is ResumePath.REPLAYED
    assert "was the main earner" in resumed.reason
    whole = engine.run(household, [first, died, lost], as_of=D(2016, 12, 31))
    assert resumed.result.grants == whole.grants


def test_a_resumed_run_keeps_the_income_shared_as_a_whole_run_does() -> None:
    # 2 members at 2400, a birth on 15 April (4800 over 3 = 1600), a checkpoint on 30 June; then
    # the grandmother H1-1 dies on 10 August: 4800 over 2 = 2400 = 200.00 a month,
    # (300 - 200) x 2 = 200.00 from September, the decision citing the death, the birth and the
    # assessment whose income both share. The checkpoint keeps the share, and reads it back.
    born = MemberJoined(id="b1", household_id="H1", date=D(2016, 4, 15), member_id="H1-9", birth_date=D(2016, 4, 15))
    died = MemberDied(id="x1", household_id="H1", date=D(2016, 8, 10), member_id="H1-1")
    engine = Engine(YUBEI)
    household = home(2)
    first = engine.run_checkpointed(household, [assessed(D(2016, 1, 10), 2400), born], as_of=D(2016, 6, 30))
    kept = first.checkpoint
    assert kept.income_shared == (Decimal(4800), ("b1",), "i1")
    assert type(kept).from_dict(kept.to_dict()) == kept
    assert type(kept).from_bytes(kept.to_bytes(YUBEI), YUBEI) == kept
    resumed = engine.resume(kept, household, [died], as_of=D(2016, 12, 31))
    assert resumed.path is ResumePath.RESUMED
    whole = engine.run(household, [assessed(D(2016, 1, 10), 2400), born, died], as_of=D(2016, 12, 31))
    assert resumed.result.grants == whole.grants
    assert top_ups(whole.grants)[-1] == (Decimal("200.00"), 2, D(2016, 9, 1), None)
    (lowered,) = [d for d in resumed.result.decisions if d.kind is DecisionKind.ENTITLEMENT_RECOMPUTED]
    assert lowered.facts == ("x1", "b1", "i1")
    assert "household income 4800.00 over 2 members" in lowered.explanation
