from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Policy, State
from relapse_guard.decisions import DecisionKind
from relapse_guard.errors import ConflictingFact, InvalidFact, InvalidTransition
from relapse_guard.facts import BasicNeed, Fact
from relapse_guard.timeline import transition_period

from .conftest import basic_policy, make_household
from .factories import assist, exit_verified, house, income, needs

D = dt.date
HH = make_household()


def exited_2015() -> list:  # type: ignore[type-arg]
    return [
        income(D(2015, 1, 5), 2000, fid="i1"),
        assist(D(2015, 2, 1), fid="a1"),
        income(D(2015, 11, 1), 4000, fid="i2"),
        exit_verified(D(2015, 11, 15), fid="e1"),
    ]


def run(facts: list, as_of: dt.date | None = None, policy: Policy | None = None):  # type: ignore[no-untyped-def,type-arg]
    return Engine(policy or basic_policy()).run(HH, facts, as_of=as_of)


def test_no_facts_is_new() -> None:
    result = run([])
    assert result.state is State.NEW
    assert result.decisions == ()
    assert result.as_of is None


def test_identified_when_income_below_line_with_parameter_and_date() -> None:
    result = run([income(D(2016, 3, 1), 3500, fid="i1")])
    assert result.state is State.IDENTIFIED
    (decision,) = result.decisions
    assert decision.kind is DecisionKind.TRANSITION
    assert decision.rule == "identification.income_below_line"
    assert (decision.from_state, decision.to_state) == (State.NEW, State.IDENTIFIED)
    assert decision.facts == ("i1",)
    (line,) = decision.parameters
    assert (line.name, line.value, line.effective_from) == ("poverty_line", Decimal(3600), D(2016, 1, 1))
    assert "3500 < poverty line 3600" in decision.explanation


def test_income_at_line_is_not_identified() -> None:
    assert run([income(D(2016, 3, 1), 3600)]).state is State.NEW
    # the same income a year earlier was above the 2015 line (2760)
    assert run([income(D(2015, 3, 1), 2760)]).state is State.NEW
    assert run([income(D(2015, 3, 1), "2759.99")]).state is State.IDENTIFIED


def test_full_lifecycle_to_stable_with_seed_transition() -> None:
    result = run(exited_2015(), as_of=D(2019, 6, 1))
    assert result.states == (
        State.NEW,
        State.IDENTIFIED,
        State.ASSISTED,
        State.EXITED,
        State.MONITORED,
        State.STABLE,
    )
    start, stable = result.transitions[3], result.transitions[4]
    assert start.date == D(2016, 1, 1)
    assert stable.date == D(2019, 1, 1)
    assert {p.name for p in stable.parameters} >= {"transition.years", "transition.starts"}
    assert result.state_since == D(2019, 1, 1)


def test_monitored_carries_period_end_and_is_not_stable_before_it() -> None:
    result = run(exited_2015(), as_of=D(2018, 12, 31))
    assert result.state is State.MONITORED
    assert (result.monitoring_starts_on, result.monitoring_ends_on) == (D(2016, 1, 1), D(2019, 1, 1))
    assert run(exited_2015(), as_of=D(2015, 12, 31)).state is State.EXITED


def test_exit_refused_when_income_below_line_or_needs_unmet() -> None:
    facts = [income(D(2016, 1, 5), 2000), assist(D(2016, 2, 1)), exit_verified(D(2016, 3, 1))]
    result = run(facts)
    assert result.state is State.ASSISTED
    refused = result.decisions[-1]
    assert refused.kind is DecisionKind.TRANSITION_REFUSED
    assert "exit refused" in refused.explanation
    facts = [
        income(D(2016, 1, 5), 2000),
        assist(D(2016, 2, 1)),
        income(D(2016, 10, 1), 5000),
        needs(D(2016, 10, 2), BasicNeed.SAFE_WATER),
        exit_verified(D(2016, 11, 1)),
    ]
    result = run(facts)
    assert result.state is State.ASSISTED
    assert "safe_water" in result.decisions[-1].explanation
    facts[3] = house(D(2016, 10, 2), "D")
    assert "house graded D" in run(facts).decisions[-1].explanation


def test_relapse_from_exited_and_monitored() -> None:
    before_start = [*exited_2015(), income(D(2015, 12, 20), 2000)]
    result = run(before_start)
    assert result.state is State.RELAPSED
    assert result.monitoring_ends_on is None
    during = [*exited_2015(), income(D(2017, 6, 1), 3000)]
    result = run(during)
    assert result.states[-2:] == (State.MONITORED, State.RELAPSED)
    assert result.decisions[-1].rule == "relapse.relapse_rule"
    by_need = [*exited_2015(), house(D(2017, 6, 1), "D")]
    assert run(by_need).state is State.RELAPSED
    by_check = [*exited_2015(), needs(D(2017, 6, 1), BasicNeed.MEDICAL_COVER)]
    assert "medical_cover" in run(by_check).decisions[-1].explanation


def test_relapsed_is_assisted_again_and_can_exit_into_a_new_period() -> None:
    facts = [
        *exited_2015(),
        income(D(2017, 6, 1), 3000),
        assist(D(2017, 7, 1)),
        income(D(2017, 11, 1), 4000),
        exit_verified(D(2017, 12, 1)),
    ]
    result = run(facts, as_of=D(2019, 1, 1))
    assert result.state is State.MONITORED
    assert result.monitoring_ends_on == D(2021, 1, 1)
    assert run(facts, as_of=D(2021, 1, 1)).state is State.STABLE


def test_stable_falls_below_line_is_identified_again() -> None:
    facts = [*exited_2015(), income(D(2019, 3, 1), 3000)]
    result = run(facts)
    assert result.states[-2:] == (State.STABLE, State.IDENTIFIED)


def test_exit_of_never_assisted_household_raises() -> None:
    with pytest.raises(InvalidTransition) as info:
        run([exit_verified(D(2016, 1, 1))])
    assert (info.value.household_id, info.value.state, info.value.event) == ("h1", "new", "exit")
    with pytest.raises(InvalidTransition, match="identified"):
        run([income(D(2016, 1, 1), 100), exit_verified(D(2016, 2, 1))])


def test_exit_reverified_changes_nothing() -> None:
    once = run(exited_2015(), as_of=D(2017, 1, 1))
    twice = run([*exited_2015(), exit_verified(D(2016, 6, 1))], as_of=D(2017, 1, 1))
    assert once.decisions == twice.decisions


def test_transition_starting_on_exit_date() -> None:
    policy = basic_policy().derive(name="on_exit", parameters={"transition.starts": {D(2015, 1, 1): "exit_date"}})
    result = run(exited_2015(), policy=policy)
    assert result.state is State.MONITORED
    assert (result.monitoring_starts_on, result.monitoring_ends_on) == (D(2015, 11, 15), D(2018, 11, 15))


@pytest.mark.parametrize(("rule", "end"), [("feb28", D(2019, 2, 28)), ("mar1", D(2019, 3, 1))])
def test_leap_day_exit(rule: str, end: dt.date) -> None:
    assert transition_period(D(2016, 2, 29), starts="exit_date", years=3, leap_day=rule) == (D(2016, 2, 29), end)
    # a leap year four years on keeps 29 February either way
    assert transition_period(D(2016, 2, 29), starts="exit_date", years=4, leap_day=rule)[1] == D(2020, 2, 29)
    policy = basic_policy().derive(
        name="leap",
        parameters={
            "transition.starts": {D(2015, 1, 1): "exit_date"},
            "transition.leap_day": {D(2015, 1, 1): rule},
        },
    )
    facts = [income(D(2016, 1, 5), 2000), assist(D(2016, 2, 1)), income(D(2016, 2, 20), 4000)]
    facts.append(exit_verified(D(2016, 2, 29)))
    result = run(facts, as_of=end - dt.timedelta(days=1), policy=policy)
    assert result.state is State.MONITORED
    assert result.monitoring_ends_on == end
    assert run(facts, as_of=end, policy=policy).state is State.STABLE


def test_transition_period_rejects_unknown_choices() -> None:
    from relapse_guard.errors import InvalidPolicy

    with pytest.raises(InvalidPolicy, match=r"transition\.starts"):
        transition_period(D(2016, 1, 1), starts="whenever", years=3)
    with pytest.raises(InvalidPolicy, match="leap_day"):
        transition_period(D(2016, 1, 1), starts="exit_date", years=3, leap_day="never")


def test_duplicates_ignored_conflicts_and_strangers_refused() -> None:
    facts = exited_2015()
    assert run(facts + facts).decisions == run(facts).decisions
    with pytest.raises(ConflictingFact) as info:
        run([*facts, income(D(2016, 1, 1), 9999, fid="i1")])
    assert info.value.fact_id == "i1"
    with pytest.raises(InvalidFact, match="household_id"):
        run([income(D(2016, 1, 1), 10, hid="other")])


def test_member_born_after_assessment_raises() -> None:
    # It was an InvalidHousehold blaming the member's birth date, naming no fact: the fact's
    # date (a year mistyped, 1900) is what is wrong.
    with pytest.raises(
        InvalidFact, match=r"field 'date' has value '1969-01-01'; expected a date on or after the birth"
    ):
        run([income(D(1969, 1, 1), 10)])


def test_as_of_ignores_later_facts() -> None:
    facts = [*exited_2015(), income(D(2017, 6, 1), 3000)]
    result = run(facts, as_of=D(2017, 5, 31))
    assert result.state is State.MONITORED
    assert result.as_of == D(2017, 5, 31)


def test_explain_names_rules_facts_and_parameters() -> None:
    text = run(exited_2015(), as_of=D(2019, 6, 1)).explain()
    assert "identification.income_below_line" in text
    assert "poverty_line = 2760 (from 2015-01-01)" in text
    assert "transition.years = 3" in text
    assert text.rstrip().endswith("=> stable since 2019-01-01")


def test_decisions_are_json_ready() -> None:
    import json

    for decision in run(exited_2015(), as_of=D(2019, 6, 1)).decisions:
        assert json.loads(json.dumps(decision.to_dict()))["rule"] == decision.rule


_day = st.integers(min_value=0, max_value=6 * 365)
_income = st.integers(min_value=0, max_value=8000)


@st.composite
def histories(draw: st.DrawFn) -> list[Fact]:
    """Random valid histories: incomes, assistance and exits that the lifecycle allows."""
    start = D(2015, 1, 1)
    facts: list[Fact] = []
    days = sorted(draw(st.lists(_day, min_size=1, max_size=25)))
    for n, day in enumerate(days):
        on = start + dt.timedelta(days=day)
        kind = draw(st.sampled_from(["income", "income", "assist", "needs", "house"]))
        if kind == "income":
            facts.append(income(on, draw(_income), fid=f"f{n}"))
        elif kind == "assist":
            facts.append(assist(on, fid=f"f{n}"))
        elif kind == "needs":
            facts.append(needs(on, *draw(st.frozensets(st.sampled_from(BasicNeed), max_size=1))))
        else:
            facts.append(house(on, draw(st.sampled_from("ABCD"))))
    return facts


@given(histories(), st.randoms(use_true_random=False))
def test_same_facts_in_any_order_give_the_same_result(facts: list, rnd: random.Random) -> None:  # type: ignore[type-arg]
    expected = run(facts, as_of=D(2022, 1, 1))
    shuffled = facts[:]
    rnd.shuffle(shuffled)
    assert run(shuffled, as_of=D(2022, 1, 1)) == expected
