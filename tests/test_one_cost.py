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
from collections.abc import Sequence
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.entitlements import add_months
from relapse_guard.facts import CaseDecided, DisasterReported, Fact, IllnessReported, MainEarnerLost, SchoolEnrolled
from relapse_guard.household import Schooling
from relapse_guard.interventions.safety_net import monthly_top_up
from relapse_guard.policy import Policy

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
    said_cost = "a new cost weighs on the income left: the 6400.00 the household bears of the schooling risk's 10400.00"
    assert any(said_cost in text for text in said)
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


# --- the income on file: a second audit ---------------------------------------------------

CHONGQING = load_policy("chongqing_2016")


def _owed(policy: Policy, home: Household, facts: Sequence[Fact], as_of: dt.date) -> list[tuple[str, Decimal]]:
    """The safety net owed, month by month, where it changes."""
    result = Engine(policy).run(home, facts, as_of=as_of)
    changes: list[tuple[str, Decimal]] = []
    month = D(2016, 1, 1)
    while month <= as_of:
        owed = result.owed(month).get("safety_net", Decimal(0))
        if not changes or changes[-1][1] != owed:
            changes.append((month.isoformat()[:7], owed))
        month = add_months(month, 1)
    return changes


def _home(size: int = 3, can_work: bool = False) -> Household:
    members = [
        {"id": f"H1-{n}", "birth_date": "1950-01-01", "labour_capacity": "full" if can_work and n == 0 else "none"}
        for n in range(size)
    ]
    return Household.from_dict(
        {"id": "H1", "place": {"district": "X", "town": "T", "village": "V"}, "members": members}
    )


def test_an_assessment_with_no_obvious_change_keeps_the_top_up_whatever_its_risk_key() -> None:
    # 2400 then 2600 (+8%): the second found a risk of a new key (the household assisted now, or
    # a new year), routed again: the top-up was granted anew on 2600, 249.99
    cq = _owed(
        CHONGQING, _home(), [_income("i1", D(2016, 1, 10), 2400), _income("i2", D(2016, 4, 10), 2600)], D(2016, 12, 31)
    )
    assert cq == [("2016-01", Decimal(0)), ("2016-02", Decimal("300.00"))]
    for second in (D(2016, 12, 20), D(2017, 1, 5)):  # the same year, or the next
        facts = [_income("i1", D(2016, 6, 10), 2400), _income("i2", second, 2600)]
        assert _owed(YUBEI, _home(), facts, D(2017, 6, 30)) == [("2016-01", Decimal(0)), ("2016-07", Decimal("300.00"))]


def test_a_new_risk_on_a_running_top_up_is_worked_out_on_the_income_on_file() -> None:
    on_file = [_income("i1", D(2016, 1, 10), 2400), _income("i2", D(2016, 4, 10), 2600)]
    # an illness of 6000, 4200 of medical aid: 1800 borne; (300 - (2400 - 600) / 12) x 3 = 450.00
    ill = IllnessReported(
        id="b1", household_id="H1", date=D(2016, 5, 5), member_id="H1-0", self_paid_cost=Decimal(6000)
    )
    result = Engine(YUBEI).run(_home(), [*on_file, ill], as_of=D(2016, 12, 31))
    first, second = [g for g in result.grants if g.intervention == "safety_net"]
    assert (second.amount, second.basis_income, second.basis_fact) == (Decimal("450.00"), Decimal(2400), "i1")
    assert second.rechecked_on == first.date  # the re-check keeps its day
    assert "on the income the amount in force was set on, 2400 a year per person" in second.basis
    # the loss of the main earner, and a flood paid whole by relief, lower nothing
    lost = MainEarnerLost(id="k1", household_id="H1", date=D(2016, 5, 5), member_id="H1-0")
    assert _owed(YUBEI, _home(can_work=True), [*on_file, lost], D(2016, 12, 31))[-1] == ("2016-02", Decimal("300.00"))
    flood = DisasterReported(id="f1", household_id="H1", date=D(2016, 5, 5), hazard="flood", loss=Decimal(2500))
    dazu = [_income("i1", D(2016, 1, 10), 2400), _income("i2", D(2016, 4, 10), 2800), flood]
    assert _owed(DAZU, _home(), dazu, D(2016, 12, 31))[-1] == ("2016-02", Decimal("300.00"))


def test_aid_released_after_the_top_up_lowers_what_the_household_bears() -> None:
    waits = CHONGQING.derive(name="cases", decision_required={"medical_aid"})
    facts: list[Fact] = [
        _income("i1", D(2016, 1, 10), 4200),
        IllnessReported(id="b1", household_id="H1", date=D(2016, 3, 1), member_id="H1-0", self_paid_cost=Decimal(9000)),
        CaseDecided(
            id="c1:decision",
            household_id="H1",
            date=D(2016, 3, 28),
            case_id="c1",
            procedure="identification",
            outcome="approved",
            risk_key="illness:H1-0:2016-03-01",
        ),
    ]
    # 600.00 on the whole bill, then medical aid of 5400 on 28 March: 3600 borne, 150.00 from April
    assert _owed(waits, _home(), facts, D(2016, 12, 31)) == [("2016-01", Decimal(0)), ("2016-04", Decimal("150.00"))]


def test_a_new_cost_and_a_lapsed_one_say_what_they_are() -> None:
    school = SchoolEnrolled(
        id="s1",
        household_id="H1",
        date=D(2016, 5, 5),
        member_id="H1-1",
        level=Schooling.SENIOR_SECONDARY,
        annual_cost=Decimal(3000),
    )
    result = Engine(YUBEI).run(_home(), [_income("i1", D(2016, 1, 10), 2400), school], as_of=D(2016, 12, 31))
    (raised,) = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_RECOMPUTED]
    assert (
        "the 1000.00 the household bears of the schooling risk's 3000.00 (2000.00 of aid for it) (s1)"
        in raised.explanation
    )
    ill = IllnessReported(
        id="b1", household_id="H1", date=D(2016, 3, 1), member_id="H1-0", self_paid_cost=Decimal(9000)
    )
    later = [
        _income("i1", D(2016, 1, 10), 3000),
        ill,
        *(_income(f"i{n}", on, 3000) for n, on in enumerate([D(2016, 9, 10), D(2017, 2, 20), D(2017, 3, 5)], 2)),
    ]
    result = Engine(YUBEI).run(_home(can_work=True), later, as_of=D(2017, 12, 31))
    (lapsed,) = [d for d in result.decisions if "no longer weighs" in d.explanation]
    assert "obvious change" not in lapsed.explanation  # the income did not move
