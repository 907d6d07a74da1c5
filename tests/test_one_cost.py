"""One cost, paid once; a new cost and a new standard worked out on the income the amount was set on.

An analyst's audit found three ways the safety-net top-up followed the order of events or
counted money twice:

- the top-up of an illness was worked out on the whole self-paid bill, after medical aid (and in
  Dazu priority relief) had paid most of it: a household got more than its bill in all;
- a school year's fees found while a top-up ran changed nothing, so the household already on the
  safety net got 66.68 a month where the same facts gave 933.32 to one whose top-up began later;
- a new standard reworked the amount on the latest assessment, an income change the re-check
  rule had not acted on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.facts import Fact, IllnessReported, SchoolEnrolled
from relapse_guard.household import Schooling
from relapse_guard.interventions.safety_net import monthly_top_up

D = dt.date
YUBEI, DAZU = load_policy("yubei_2016"), load_policy("dazu_2016")


def _household(size: int, district: str = "Yubei", student: bool = False) -> Household:
    members = [{"id": f"H1-{n}", "birth_date": "1970-01-01"} for n in range(size)]
    if student:
        members.append({"id": "H1-s", "birth_date": "1998-01-01", "schooling": "tertiary"})
    return Household.from_dict(
        {"id": "H1", "place": {"district": district, "town": "T", "village": "V"}, "members": members}
    )


def _income(fid: str, on: dt.date, value: int) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(value))


def _illness(on: dt.date, cost: int) -> IllnessReported:
    return IllnessReported(
        id="ill", household_id="H1", date=on, member_id="H1-0", self_paid_cost=Decimal(cost), hospitalised=True
    )


def test_what_aid_paid_of_a_bill_does_not_weigh_on_the_income_a_second_time() -> None:
    facts: list[Fact] = [_income("i1", D(2016, 1, 10), 4800), _illness(D(2016, 3, 10), 12000)]
    yubei = Engine(YUBEI).run(_household(3), facts, as_of=D(2016, 12, 31))
    money = yubei.money()
    assert money["medical_aid"].one_off == Decimal("7200.00")
    # the household bears 12000 - 7200 = 4800: 4800 - 1600 = 3200 a year, 266.67 a month
    assert money["safety_net"].monthly_in_force == Decimal("99.99")  # (300 - 266.67) x 3, not 699.99
    (granted,) = [g for g in yubei.grants if g.intervention == "safety_net"]
    assert "the risk's cost the household bears of 4800.00 (12000.00 less 7200.00 of aid for it)" in granted.basis
    # Dazu: priority relief of 3000 on the 4800 medical aid left; 1800 borne: 4200 a year, no gap
    dazu = Engine(DAZU).run(_household(3, "Dazu"), facts, as_of=D(2016, 12, 31)).money()
    assert (dazu["medical_aid"].one_off, dazu["temporary_relief"].one_off) == (Decimal("7200.00"), Decimal("3000.00"))
    assert "safety_net" not in dazu


@settings(max_examples=80, deadline=None)
@given(
    size=st.integers(1, 6),
    income=st.integers(0, 12000),
    cost=st.integers(0, 80000),
    on=st.dates(D(2016, 2, 1), D(2016, 11, 30)),
)
def test_an_illness_top_up_is_worked_out_on_what_the_household_bears(
    size: int, income: int, cost: int, on: dt.date
) -> None:
    facts: list[Fact] = [_income("i1", D(2016, 1, 10), income), _illness(on, cost)]
    result = Engine(YUBEI).run(_household(size), facts, as_of=D(2016, 12, 31))
    aid = sum((g.amount or Decimal(0) for g in result.grants if g.intervention == "medical_aid"), Decimal(0))
    for grant in result.grants:
        if grant.intervention == "safety_net" and grant.risk_key.startswith("illness:"):
            borne = max(Decimal(cost) - aid, Decimal(0))
            assert grant.amount == monthly_top_up(Decimal(income), borne, size, Decimal(300)), grant.basis


def test_a_school_year_found_while_a_top_up_runs_raises_it_as_it_would_a_later_one() -> None:
    def run(first: int) -> tuple[Decimal, list[str]]:
        facts: list[Fact] = [
            _income("i1", D(2016, 1, 10), first),
            SchoolEnrolled(
                id="s1",
                household_id="H1",
                date=D(2016, 9, 1),
                member_id="H1-s",
                level=Schooling.TERTIARY,
                annual_cost=Decimal(10400),
            ),
            _income("i2", D(2016, 10, 10), 3400),
        ]
        result = Engine(YUBEI).run(_household(3, student=True), facts, as_of=D(2016, 12, 31))
        return result.money()["safety_net"].monthly_in_force, [d.explanation for d in result.decisions]

    on_it, said = run(3400)  # on the safety net from February
    assert any("a new cost weighs on the income left: the schooling risk's 10400.00 (s1)" in text for text in said)
    assert {run(3700)[0], run(4000)[0]} == {on_it}  # the same October, whatever January was
    assert on_it == Decimal("600.00")  # (300 - 150) x 4: 3400 - (10400 - 4000 of education aid) / 4


def test_a_new_standard_is_worked_out_on_the_income_the_amount_was_set_on() -> None:
    raised = YUBEI.derive(
        name="mid",
        parameters={"safety_net.standard": {D(2016, 7, 15): 330}, "poverty_line": {D(2016, 7, 15): 3960}},
    )
    facts: list[Fact] = [_income("i1", D(2016, 1, 10), 2400), _income("i2", D(2016, 6, 10), 2600)]
    result = Engine(raised).run(_household(3), facts, as_of=D(2016, 12, 31))
    owed = [result.owed(D(2016, month, 1)).get("safety_net") for month in (7, 8)]
    assert owed == [Decimal("300.00"), Decimal("390.00")]  # (330 - 200) x 3 from August, on 2400
    (raise_,) = [d for d in result.decisions if "changed on 2016-07-15" in d.explanation]
    assert "worked out on the income the amount was set on, 2400 a year per person" in raise_.explanation
    assert raise_.facts == ("i1",)
