"""The what-if runs the second policy only where the first one's run asked a changed parameter
something the second answers otherwise (relapse_guard.whatif.reads): the same comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relapse_guard import Fact, Household, load_policy
from relapse_guard.errors import InvalidParameter
from relapse_guard.facts import IncomeAssessed
from relapse_guard.policies import policy_names
from relapse_guard.policy import Policy
from relapse_guard.testing.strategies import histories, households
from relapse_guard.whatif import Comparison, compare
from relapse_guard.whatif import run as whatif_run
from relapse_guard.whatif.reads import ParameterWatch, changed_parameters

from .helpers import assert_same, household, unshared

D = dt.date
POLICIES = {name: load_policy(name) for name in policy_names()}
YUBEI = POLICIES["yubei_2016"]
RAISED = YUBEI.derive(name="yubei_330", parameters={"safety_net.standard": {D(2016, 7, 1): 330}})


def _numeric(policy: Policy) -> list[str]:
    return sorted(
        name
        for name, parameter in policy.parameters.parameters.items()
        if all(isinstance(value, Decimal) for _, value in parameter.values)
    )


@st.composite
def _changes(draw: st.DrawFn, policy: Policy) -> dict[str, dict[dt.date, Decimal]]:
    """One to three numeric parameters of ``policy`` given a new value from a date in 2015-2017
    (or none: the two policies are then the same but for their names)."""
    changes: dict[str, dict[dt.date, Decimal]] = {}
    for name in draw(st.lists(st.sampled_from(_numeric(policy)), max_size=3, unique=True)):
        on = draw(st.dates(D(2015, 1, 1), D(2017, 12, 31)))
        parameter = policy.parameters.get(name)
        found = parameter.in_force(on)
        now = found[1] if found is not None else parameter.values[0][1]
        assert isinstance(now, Decimal)
        value = draw(st.sampled_from([now + 1, now * 2, now - 1, now / 2, Decimal(0)]))
        if now == now.to_integral_value():
            value = value.to_integral_value()
        changes[name] = {on: value}
    return changes


def _changed(policy: Policy, changes: dict[str, dict[dt.date, Decimal]]) -> Policy:
    try:
        return policy.derive(name=f"{policy.name}_b", parameters=changes)
    except InvalidParameter:  # outside the parameter's bounds
        assume(False)
        raise


@st.composite
def _population(draw: st.DrawFn, policy: Policy) -> list[tuple[Household, list[Fact]]]:
    found = []
    for n in range(draw(st.integers(1, 6))):
        home = draw(households(household_id=f"H{n}", born_by=D(2010, 12, 31)))
        found.append((home, draw(histories(home, D(2015, 1, 1), D(2017, 12, 31), policy=policy, max_episodes=8))))
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_watched_what_if_is_the_whole_one(data: st.DataObject) -> None:
    first = POLICIES[data.draw(st.sampled_from(sorted(POLICIES)))]
    second = _changed(first, data.draw(_changes(first)))
    population = data.draw(_population(first))
    as_of = data.draw(st.sampled_from([D(2016, 6, 30), D(2016, 12, 31), D(2017, 12, 31)]))
    watched = compare(first, second, population, as_of=as_of)
    with unshared():
        whole = compare(first, second, population, as_of=as_of)
    assert_same(watched, whole)
    assert whole.paths == {"engine": 2 * len(population)}
    assert watched.paths["engine"] + watched.paths.get("unchanged", 0) == 2 * len(population)


def _assessed_in_march(incomes: list[Decimal]) -> list[tuple[Household, list[Fact]]]:
    """A household for each income, ``H0``, ``H1``, ..., assessed once, on 1 March 2016."""
    population: list[tuple[Household, list[Fact]]] = []
    for n, income in enumerate(incomes):
        home = household(f"H{n}")
        population.append(
            (home, [IncomeAssessed(id=f"H{n}-f1", household_id=home.id, date=D(2016, 3, 1), income_per_capita=income)])
        )
    return population


def _watched_as_whole(second: Policy, population: list[tuple[Household, list[Fact]]]) -> Comparison:
    """The what-if of Yubei and ``second`` as of 2016-12-31, checked against the whole one."""
    watched = compare(YUBEI, second, population, as_of=D(2016, 12, 31))
    with unshared():
        whole = compare(YUBEI, second, population, as_of=D(2016, 12, 31))
    assert_same(watched, whole)
    return watched


def test_a_change_few_households_ask_about_spares_most_second_runs() -> None:
    line = Decimal(YUBEI.parameters.value("poverty_line", D(2016, 1, 1)))
    # two households under the line, six far above it
    watched = _watched_as_whole(RAISED, _assessed_in_march([line - 100] * 2 + [line * 3] * 6))
    assert watched.paths["unchanged"] == 6  # the six far above the line never ask about the standard


def test_changed_parameters() -> None:
    assert changed_parameters(YUBEI, YUBEI) == frozenset()
    assert changed_parameters(YUBEI, RAISED) == frozenset({"safety_net.standard"})
    # the same value written otherwise is a change: Decimal("300.0") is not Decimal("300") in an explanation
    written = YUBEI.derive(name="written", parameters={"safety_net.standard": {D(2016, 1, 1): Decimal("300.0")}})
    assert changed_parameters(YUBEI, written) == frozenset({"safety_net.standard"})
    fewer = YUBEI.derive(name="fewer", remove_triggers=[YUBEI.triggers[0].name])
    assert changed_parameters(YUBEI, fewer) is None
    more = YUBEI.derive(name="more", new_parameters={"extra.amount": {D(2016, 1, 1): 1}})
    assert changed_parameters(YUBEI, more) is None
    assert ParameterWatch.of(YUBEI, fewer) is None


def test_a_second_policy_with_other_parts_runs_every_household() -> None:
    fewer = YUBEI.derive(name="fewer", remove_triggers=[YUBEI.triggers[0].name])
    home = household("H1")
    facts = [IncomeAssessed(id="f1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(9000))]
    assert compare(YUBEI, fewer, [(home, facts)], as_of=D(2016, 12, 31)).paths == {"engine": 2}


def test_a_watched_parameter_notes_each_question() -> None:
    watch = ParameterWatch.of(YUBEI, RAISED)
    assert watch is not None
    tree = watch.engine.policy.parameters
    watch.start()
    assert watch.same_answers()  # nothing asked
    assert tree.value("safety_net.standard", D(2016, 3, 1)) == 300
    assert watch.same_answers()  # 300 in both on that date
    assert tree.get("safety_net.standard").next_change(D(2016, 3, 1)) is None
    assert not watch.same_answers()  # the second policy's standard changes on 1 July
    watch.start()
    assert tree.value("safety_net.standard", D(2016, 8, 1)) == 300
    assert not watch.same_answers()  # 330 in the second policy
    watch.start()
    assert tree.get("safety_net.standard").first_date == D(2015, 1, 1)  # an attribute: the same in both
    assert watch.same_answers()
    assert tree.value("poverty_line", D(2016, 8, 1)) == 3600  # unchanged: not watched
    assert watch.same_answers()


def test_an_error_is_an_answer() -> None:
    later = YUBEI.derive(name="later", parameters={"safety_net.standard": {D(2014, 1, 1): 200}})
    watch = ParameterWatch.of(YUBEI, later)
    assert watch is not None
    watch.start()
    with pytest.raises(Exception, match="no value"):
        watch.engine.policy.parameters.value("safety_net.standard", D(2014, 6, 1))
    assert not watch.same_answers()  # the second policy has a value then


def test_a_watch_that_spares_little_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatif_run, "_TRIAL", 3)
    strict = YUBEI.derive(name="strict", parameters={"poverty_line": {D(2016, 1, 1): 5000}})
    watched = _watched_as_whole(strict, _assessed_in_march([Decimal(4000 + 1000 * n) for n in range(6)]))
    assert watched.paths == {"engine": 12}  # every household asks the line: the watch stopped after three


def test_odd_questions_are_noted_too() -> None:
    watch = ParameterWatch.of(YUBEI, RAISED)
    assert watch is not None
    watched = watch.engine.policy.parameters.get("safety_net.standard")
    real = YUBEI.parameters.get("safety_net.standard")
    watch.start()
    assert repr(watched) == repr(real)
    assert not watch.same_answers()  # the timelines differ: so do their reprs
    watch.start()
    with pytest.raises(AttributeError):  # the parameter's own error, after the question is noted
        watched.in_force([D(2016, 1, 1)])  # type: ignore[arg-type]  # an argument that cannot be a key
    assert not watch.same_answers()
    watch.start()
    assert watched == real
    assert not watch.same_answers()  # the second policy's parameter is not equal to the first's


def test_a_rule_of_the_same_name_with_other_code_is_a_change_of_parts() -> None:
    from relapse_guard.rules import Rule, Verdict

    rule = YUBEI.identification[0]
    never = Rule(rule.name, rule.description, lambda ctx: Verdict(False, "never"))
    assert never == rule  # equal as attrs compares them: the test is not compared
    other = YUBEI.derive(name="other", identification=[never])
    assert changed_parameters(YUBEI, other) is None
    home = household("H1")
    facts = [IncomeAssessed(id="f1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(100))]
    comparison = compare(YUBEI, other, [(home, facts)], as_of=D(2016, 12, 31))
    assert comparison.totals.differing == 1  # identified under a, never under b
