"""The safety net's entitlement under the national rules: its amount set at the decision that
grants it (N1 art. 21), the means test at each re-check (N2 art. 9, N1 art. 31), the elimination
of a risk worked out by the means test rather than ending it (N1 art. 32), and the re-check's
due day known to the checkpoint.

The worked cases write their arithmetic out; the properties check the rules on generated histories.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard import message_keys as keys
from relapse_guard.cases import IDENTIFICATION, RISK_ELIMINATION
from relapse_guard.decisions import DecisionKind, Grant
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import CaseDecided, Fact, IllnessReported
from relapse_guard.money import to_money
from relapse_guard.policy import Policy

D = dt.date
YUBEI = load_policy("yubei_2016")
CHONGQING = load_policy("chongqing_2016")
#: Yubei with the safety net waiting for a decided identification case.
CASES = YUBEI.derive(name="yubei_cases", decision_required={"safety_net"})


def household(size: int = 3, *, workers: int = 1, born: str = "1970-01-01") -> Household:
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Yubei", "town": "T", "village": "V"},
            "members": [
                {"id": f"m{i}", "birth_date": born, "labour_capacity": "full" if i < workers else "none"}
                for i in range(size)
            ],
        }
    )


def income(fid: str, on: dt.date, amount: int | str) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(amount))


def approved(on: dt.date, *, procedure: str = "identification", risk_key: str | None = None) -> CaseDecided:
    return CaseDecided(
        id=f"case-{procedure}",
        household_id="H1",
        date=on,
        case_id=f"k-{procedure}",
        procedure=procedure,
        outcome="approved",
        risk_key=risk_key,
    )


def safety_net(grants: tuple[Grant, ...]) -> list[Grant]:
    return [grant for grant in grants if grant.intervention == "safety_net"]


def owed(result: object, year: int, month: int) -> Decimal:
    return result.owed(D(year, month, 1)).get("safety_net", Decimal(0))  # type: ignore[attr-defined,no-any-return]


# --- released by a case: the amount of the decision's day ---------------------------------------


def test_a_top_up_released_by_a_case_is_worked_out_on_the_standard_of_the_decision() -> None:
    # Assessed on 10 Dec 2015 at 2000 a year a person (166.67 a month), under the 2015 standard
    # of 230: (230 - 166.67) x 3 = 189.99 waits for the case. Approved on 20 Jan 2016, when the
    # standard is 300 (from 1 Jan 2016): (300 - 166.67) x 3 = 399.99, owed from 1 Feb, and kept
    # at the re-checks that find the same income.
    facts: list[Fact] = [
        income("i1", D(2015, 12, 10), 2000),
        approved(D(2016, 1, 20)),
        income("i2", D(2016, 8, 10), 2000),
        income("i3", D(2017, 2, 10), 2000),
    ]
    result = Engine(CASES).run(household(), facts, as_of=D(2017, 12, 31))
    (top_up,) = safety_net(result.grants)
    assert (top_up.date, top_up.amount, top_up.starts, top_up.ends) == (
        D(2016, 1, 20),
        Decimal("399.99"),
        D(2016, 2, 1),
        None,
    )
    assert (top_up.basis_income, top_up.basis_fact) == (Decimal(2000), "i1")
    (standard,) = [value for value in top_up.parameters if value.name == "safety_net.standard"]
    assert (standard.value, standard.effective_from) == (Decimal(300), D(2016, 1, 1))
    assert owed(result, 2016, 1) == 0
    assert owed(result, 2016, 2) == owed(result, 2017, 12) == Decimal("399.99")
    (granted,) = [d for d in result.decisions if d.rule == "intervention.safety_net" and d.date == D(2016, 1, 20)]
    assert granted.kind is DecisionKind.INTERVENTION_GRANTED
    assert "(300.00 - 166.67) x 3 members = 399.99 per month" in granted.explanation
    assert granted.facts == ("case-identification", "i1")
    # the case's day, under the shipped policy (no case), pays the same from the new standard on
    direct = Engine(YUBEI).run(household(), facts[:1], as_of=D(2016, 12, 31))
    assert owed(direct, 2016, 2) == owed(result, 2016, 2)


def test_a_top_up_released_by_a_case_is_worked_out_on_the_income_of_the_decision() -> None:
    # Assessed at 2000 on 10 Mar 2016, at 3000 on 10 Apr (an obvious change) while the case runs,
    # approved on 20 Apr: (300 - 250.00) x 3 = 150.00 from May, set on 3000 (i2), and the re-check
    # of 10 Nov at 3000 keeps it.
    facts: list[Fact] = [
        income("i1", D(2016, 3, 10), 2000),
        income("i2", D(2016, 4, 10), 3000),
        approved(D(2016, 4, 20)),
        income("i3", D(2016, 11, 10), 3000),
    ]
    result = Engine(CASES).run(household(), facts, as_of=D(2016, 12, 31))
    (top_up,) = safety_net(result.grants)
    assert (top_up.amount, top_up.starts, top_up.basis_income, top_up.basis_fact) == (
        Decimal("150.00"),
        D(2016, 5, 1),
        Decimal(3000),
        "i2",
    )
    assert top_up.rechecked_on == D(2016, 11, 10)
    assert [owed(result, 2016, month) for month in (4, 5, 12)] == [0, Decimal("150.00"), Decimal("150.00")]
    (granted,) = [d for d in result.decisions if d.rule == "intervention.safety_net" and d.date == D(2016, 4, 20)]
    assert granted.kind is DecisionKind.INTERVENTION_GRANTED
    assert granted.facts == ("case-identification", "i1", "i2")


def test_a_top_up_owed_nothing_on_the_day_of_the_decision_is_not_granted() -> None:
    # 2000 a year when it waits; 4000 (333.33 a month, above the standard) when decided: no gap.
    facts: list[Fact] = [
        income("i1", D(2016, 3, 10), 2000),
        income("i2", D(2016, 4, 10), 4000),
        approved(D(2016, 4, 20)),
    ]
    result = Engine(CASES).run(household(), facts, as_of=D(2016, 12, 31))
    assert safety_net(result.grants) == []
    assert result.pending == ()
    (skipped,) = [
        d
        for d in result.decisions
        if d.kind is DecisionKind.ROUTE_SKIPPED and d.rule == "intervention.safety_net" and d.date == D(2016, 4, 20)
    ]
    assert "identification case k-identification approved, worked out on the day of the decision" in (
        skipped.explanation
    )
    assert "no safety-net gap: monthly income left per person 333.33 >= standard 300.00" in skipped.explanation
    assert skipped.facts == ("case-identification", "i1", "i2")
    assert [(value.name, value.value) for value in skipped.parameters] == [("safety_net.standard", Decimal(300))]


# --- the re-check: the means test ------------------------------------------------------------------


def _above_standard(policy: Policy, home: Household) -> tuple[object, list[Fact]]:
    facts: list[Fact] = [
        income("i1", D(2016, 1, 10), 3400),
        *[income(f"r{year}", D(year, 2, 15), 3700) for year in (2016, 2017, 2018)],
    ]
    return Engine(policy).run(home, facts, as_of=D(2018, 12, 31)), facts


def test_an_income_at_or_above_the_standard_ends_the_top_up_at_the_recheck_without_an_obvious_change() -> None:
    # Set on 3400 a year (283.33 a month): (300 - 283.33) x 3 = 50.01 from February 2016. 3700
    # (308.33 a month, above the standard) is 8.8% above 3400, no obvious change (0.2): within the
    # re-check period (15 Feb 2016) it changes nothing; at the first assessment on or after the
    # re-check's day (15 Feb 2017) the means test finds no gap: owed through February 2017.
    for home, due in ((household(workers=0, born="1940-01-01"), "2017-01-10"), (household(), "2016-07-10")):
        result, _ = _above_standard(YUBEI, home)
        (top_up,) = safety_net(result.grants)  # type: ignore[attr-defined]
        assert (top_up.amount, top_up.starts, top_up.ends) == (Decimal("50.01"), D(2016, 2, 1), D(2017, 3, 1))
        assert owed(result, 2017, 2) == Decimal("50.01")
        assert owed(result, 2017, 3) == 0
        # 13 months, February 2016 to February 2017
        assert result.money()["safety_net"].paid_to_date == 13 * Decimal("50.01")  # type: ignore[attr-defined]
        (ended,) = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_ENDED]  # type: ignore[attr-defined]
        assert ended.date == D(2017, 2, 15)
        assert ended.explanation == (
            "safety_net of 50.01 a month ends on 2017-03-01 (owed through 2017-02): income assessed 3700 a year per "
            f"person (r2017) (the re-check due on {due}): no safety-net gap: monthly income left per person 308.33 "
            ">= standard 300.00"
        )


def test_the_recheck_s_end_gives_the_policy_s_gradual_exit() -> None:
    gradual = YUBEI.derive(name="gradual", parameters={"safety_net.gradual_exit_months": {D(2015, 1, 1): 2}})
    result, _ = _above_standard(gradual, household(workers=0, born="1940-01-01"))
    (top_up,) = safety_net(result.grants)  # type: ignore[attr-defined]
    assert top_up.ends == D(2017, 5, 1)  # March and April: the gradual-exit months


def test_a_recheck_of_a_household_still_under_the_standard_keeps_the_amount() -> None:
    # 3400, then at the re-check (due 10 Jul: a member can work) 3500 a year (291.67 a month: still
    # under the standard, no obvious change): kept.
    facts: list[Fact] = [income("i1", D(2016, 1, 10), 3400), income("r1", D(2016, 8, 15), 3500)]
    result = Engine(YUBEI).run(household(), facts, as_of=D(2016, 12, 31))
    (top_up,) = safety_net(result.grants)
    assert (top_up.amount, top_up.ends, top_up.rechecked_on) == (Decimal("50.01"), None, D(2016, 8, 15))
    (kept,) = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_RECOMPUTED]
    assert kept.message.key == keys.KEPT_NO_CHANGE


_STANDARD = Decimal(300)  # Yubei's from 2016


def _hundreds(n: int) -> int:
    return n * 100  # incomes around the standard (3600 a year), where a re-check decides


@settings(max_examples=60, deadline=None)
@given(
    incomes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=30, max_value=43).map(_hundreds)),
        min_size=1,
        max_size=10,
    ),
    elderly=st.booleans(),
)
def test_no_recheck_keeps_a_top_up_the_means_test_refuses(incomes: list[tuple[int, int]], elderly: bool) -> None:
    # Income assessments alone, on days of 2016-2019 (none with a cost): a re-check that keeps the
    # amount found the income under the standard; a top-up in force after a re-check was set, or
    # last re-checked, on an income under it; and a re-check finding it at or above it ends the top-up.
    facts: list[Fact] = [
        income(f"i{n}", D(2016, 1, 5) + dt.timedelta(days=36 * offset + n), amount)
        for n, (offset, amount) in enumerate(sorted(incomes))
    ]
    facts.sort(key=lambda fact: fact.date)
    home = household(workers=0, born="1940-01-01") if elderly else household()
    result = Engine(YUBEI).run(home, facts, as_of=D(2020, 12, 31))
    by_id = {fact.id: fact for fact in facts if isinstance(fact, IncomeAssessed)}
    for decision in result.decisions:
        if decision.message.key == keys.KEPT_NO_CHANGE:
            (fid,) = decision.facts
            assert to_money(by_id[fid].income_per_capita / 12) < _STANDARD, decision.explanation
        if decision.kind is DecisionKind.ENTITLEMENT_ENDED:
            assert "no safety-net gap" in decision.explanation, decision.explanation
    for top_up in safety_net(result.grants):
        if top_up.rechecked_on is not None:
            rechecked = next(f for f in by_id.values() if f.date == top_up.rechecked_on)
            assert to_money(rechecked.income_per_capita / 12) < _STANDARD


# --- the elimination of a risk: the means test, not an end -----------------------------------------


def _ill(fid: str, on: dt.date, cost: int) -> IllnessReported:
    return IllnessReported(id=fid, household_id="H1", date=on, member_id="m1", self_paid_cost=Decimal(cost))


#: A risk elimination with no start condition: the decision closes the risk as given (its
#: conditions are checked in tests/cases/test_engine_conditions.py).
UNCHECKED = CHONGQING.derive(
    name="chongqing_unchecked", procedures=[IDENTIFICATION, attrs.evolve(RISK_ELIMINATION, start_condition=None)]
)


def test_the_elimination_of_its_risk_works_the_top_up_out_again_by_the_means_test() -> None:
    # 3000 a year a person (250 a month) is under the standard of 300: the top-up granted for the
    # illness carries on once the illness is eliminated, its cost no longer weighing:
    # (300 - 250.00) x 3 = 150.00 a month from September.
    facts: list[Fact] = [
        income("i1", D(2016, 1, 5), 3000),
        _ill("ill", D(2016, 3, 1), 18000),
        approved(D(2016, 8, 10), procedure="risk_elimination", risk_key="illness:m1:2016-03-01"),
    ]
    before = Engine(UNCHECKED).run(household(), facts[:2], as_of=D(2016, 12, 31))
    result = Engine(UNCHECKED).run(household(), facts, as_of=D(2016, 12, 31))
    assert owed(before, 2016, 9) > Decimal("150.00")  # the illness's cost weighed on it
    last = safety_net(result.grants)[-1]
    assert (last.risk_key, last.amount, last.starts, last.ends) == (
        "illness:m1:2016-03-01",
        Decimal("150.00"),
        D(2016, 9, 1),
        None,
    )
    assert owed(result, 2016, 8) == owed(before, 2016, 8)
    assert owed(result, 2016, 12) == Decimal("150.00")
    (lowered,) = [
        d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_RECOMPUTED and d.date == D(2016, 8, 10)
    ]
    assert lowered.explanation.startswith(
        f"safety_net lowered from {owed(before, 2016, 9)} to 150.00 a month, owed from 2016-09-01: risk "
        "illness:m1:2016-03-01 eliminated (risk_elimination case k-risk_elimination approved)"
    )
    assert "(300.00 - 250.00) x 3 members = 150.00 per month" in lowered.explanation
    assert not [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_ENDED]


def test_the_elimination_of_its_risk_ends_the_top_up_only_when_nothing_is_owed() -> None:
    # 4200 a year (350 a month) is above the standard: only the illness's cost made a gap.
    facts: list[Fact] = [
        income("i1", D(2016, 1, 5), 4200),
        _ill("ill", D(2016, 3, 1), 18000),
        approved(D(2016, 8, 10), procedure="risk_elimination", risk_key="illness:m1:2016-03-01"),
    ]
    result = Engine(UNCHECKED).run(household(), facts, as_of=D(2016, 12, 31))
    assert safety_net(result.grants)[-1].ends == D(2016, 9, 1)
    (ended,) = [d for d in result.decisions if d.kind is DecisionKind.ENTITLEMENT_ENDED]
    assert ended.explanation.endswith(
        "risk illness:m1:2016-03-01 eliminated (risk_elimination case k-risk_elimination approved): no safety-net "
        "gap: monthly income left per person 350.00 >= standard 300.00"
    )


# --- the re-check's due day, known to the checkpoint ------------------------------------------------


def test_the_checkpoint_knows_when_the_recheck_falls_due_and_picks_the_household_until_it_is_done() -> None:
    # One member able to work: re-checked every 6 months. Granted on 10 Jan 2016: due 10 Jul.
    engine = Engine(YUBEI, record_decisions=False)
    facts: list[Fact] = [income("i1", D(2016, 1, 10), 2400)]
    early = engine.run_checkpointed(household(workers=1), facts, as_of=D(2016, 3, 31)).checkpoint
    assert early.rechecks == (("safety_net", D(2016, 7, 10)),)
    assert early.next_event == D(2016, 7, 10)
    assert Checkpoint.from_bytes(early.to_bytes(YUBEI), YUBEI) == early
    assert Checkpoint.from_dict(early.to_dict()) == early
    # past it, with no assessment: the day after the clock, each time (the top-up still paid)
    late = engine.run_checkpointed(household(workers=1), facts, as_of=D(2016, 9, 30))
    assert late.checkpoint.rechecks == (("safety_net", D(2016, 7, 10)),)
    assert late.checkpoint.next_event == D(2016, 10, 1)
    assert late.result.money()["safety_net"].monthly_in_force == Decimal("300.00")
    # an assessment on or after its day is the re-check: the next one is counted from it
    done = engine.run_checkpointed(
        household(workers=1), [*facts, income("i2", D(2016, 9, 5), 2400)], as_of=D(2016, 9, 30)
    )
    assert done.checkpoint.rechecks == (("safety_net", D(2017, 3, 5)),)
    assert done.checkpoint.next_event == D(2017, 3, 5)
    # no member able to work: every 12 months
    elderly = engine.run_checkpointed(household(workers=0, born="1940-01-01"), facts, as_of=D(2016, 3, 31)).checkpoint
    assert elderly.rechecks == (("safety_net", D(2017, 1, 10)),)
    # ended: nothing to re-check
    ended = engine.run_checkpointed(household(), [*facts, income("i2", D(2016, 5, 1), 9000)], as_of=D(2016, 9, 30))
    assert ended.checkpoint.rechecks == ()


def test_a_checkpoint_written_before_rechecks_were_kept_reads_as_having_none() -> None:
    engine = Engine(YUBEI, record_decisions=False)
    kept = engine.run_checkpointed(household(), [income("i1", D(2016, 1, 10), 2400)], as_of=D(2016, 3, 31)).checkpoint
    data = kept.to_dict()
    assert data["rechecks"] == {"safety_net": "2016-07-10"}
    del data["rechecks"]
    assert Checkpoint.from_dict(data).rechecks == ()
