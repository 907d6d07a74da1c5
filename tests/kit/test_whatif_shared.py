"""The what-if's first pass shares each household's run before the policies part, and compares
as if every household ran from the start under both.

For random populations under every shipped policy, against the same policy with random
parameters changed from a random date inside the facts' span: the comparison with the shared
runs equals the one without (households, first differences, totals, districts, errors,
text). Then examples: identical policies run ``a`` only, policies that differ in rules, a
correction, errors and a refused resume run from the start; and where two policies part.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from relapse_guard import Engine, Fact, Household, IncomeAssessed, Policy, load_policy
from relapse_guard.engine.agreement import parting, same_part
from relapse_guard.engine.fork import Fork
from relapse_guard.errors import InvalidArgument, RelapseGuardError
from relapse_guard.facts import ExitVerified, FactCorrected, IllnessReported
from relapse_guard.policies import policy_names
from relapse_guard.rules import Rule
from relapse_guard.testing import histories, households
from relapse_guard.whatif import Comparison, compare

from ..test_resume import case_facts, household_changes
from .helpers import assert_same, exited_in_2015, household, unshared, unwatched

HAS_NUMPY = importlib.util.find_spec("numpy") is not None
D = dt.date
START, END, AS_OF = D(2015, 1, 1), D(2018, 12, 31), D(2019, 1, 1)
YUBEI = load_policy("yubei_2016")
RAISED = YUBEI.derive(name="yubei_330", parameters={"safety_net.standard": {D(2016, 7, 1): 330}})


def monthly(hid: str, income: int) -> list[Fact]:
    """An income assessment of household ``hid`` each month of 2016."""
    return [
        IncomeAssessed(id=f"{hid}-{m}", household_id=hid, date=D(2016, m, 5), income_per_capita=Decimal(income))
        for m in range(1, 13)
    ]


def both(
    a: Policy, b: Policy, population: Sequence[tuple[Household, Sequence[Fact]]], as_of: dt.date | None
) -> tuple[Comparison, Comparison]:
    """The comparison with the runs shared (on the scalar engine, unwatched), and without."""
    with unwatched():
        shared = compare(a, b, population, as_of=as_of)
    with unshared():
        full = compare(a, b, population, as_of=as_of)
    return shared, full


@st.composite
def populations(draw: st.DrawFn, policy: Policy) -> list[tuple[Household, list[Fact]]]:
    """One to three households with random histories, some with a case or a household change."""
    out = []
    for n in range(draw(st.integers(1, 3))):
        home = draw(households(household_id=f"HH-{n}", born_by=D(2014, 12, 31)))
        facts = draw(histories(home, START, END, policy=policy))
        if draw(st.integers(0, 3)) == 0:
            facts += draw(case_facts(home))
        if draw(st.integers(0, 3)) == 0:
            facts += draw(household_changes(home))
        out.append((home, facts))
    return out


#: Parameters the shipped policies read, changed from the drawn date (those a policy has).
CHANGED = ("safety_net.standard", "poverty_line", "transition.years", "medical_aid.ratio", "temporary_relief.amount")


@st.composite
def changed(draw: st.DrawFn, policy: Policy, on: dt.date) -> Policy:
    """``policy`` with one to three of its numeric parameters given new values from ``on``
    (and sometimes a later date): a share of 0 to 200% of the value in force, in its bounds."""
    names = [name for name in CHANGED if name in policy.parameters]
    names += sorted(policy.parameters.parameters)  # any other the policy has
    timelines: dict[str, dict[dt.date, Decimal]] = {}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names[:8]) | st.sampled_from(names), label="parameter")
        parameter = policy.parameters.get(name)
        entry = parameter.in_force(on)
        if entry is None or not isinstance(entry[1], Decimal) or isinstance(entry[1], bool):
            continue
        dates = [on, *([on + dt.timedelta(days=draw(st.integers(1, 700)))] if draw(st.booleans()) else [])]
        for day in dates:
            value = (entry[1] * draw(st.integers(0, 200)) / 100).quantize(
                entry[1] if entry[1] % 1 == 0 else Decimal("0.01")
            )
            if entry[1] % 1 == 0:
                value = value.quantize(Decimal(1))
            if parameter.minimum is not None:
                value = max(value, parameter.minimum)
            if parameter.maximum is not None:
                value = min(value, parameter.maximum)
            timelines.setdefault(name, {})[day] = value
    if not timelines:
        line = policy.parameters.value("poverty_line", on)
        assert isinstance(line, Decimal)
        timelines["poverty_line"] = {on: line + 1}
    return policy.derive(name=f"{policy.name}_changed", parameters=timelines)


@pytest.mark.parametrize("name", policy_names())
@given(data=st.data())
def test_sharing_the_runs_before_the_policies_part_compares_as_running_every_household_from_the_start(
    name: str, data: st.DataObject
) -> None:
    a = load_policy(name)
    population = data.draw(populations(a), label="population")
    dates = [fact.date for _, facts in population for fact in facts]
    low, high = (min(dates), max(dates)) if dates else (START, END)
    on = data.draw(st.dates(max(low, D(2015, 1, 2)), max(high, D(2015, 1, 2))), label="parts on")
    b = data.draw(changed(a, on), label="policy b")
    as_of = data.draw(st.sampled_from([AS_OF, None]) | st.dates(START, AS_OF), label="as of")
    parts = parting(a, b)
    event(f"parts {'never' if parts is None else 'on the date drawn' if parts == on else 'later'}")
    with forks_counted() as counted:
        shared, full = both(a, b, population, as_of)
        if HAS_NUMPY and as_of is not None:  # the households the columnar screen hands to the engine
            assert_same(compare(a, b, population, as_of=as_of, engine="columnar"), full)
    assert_same(shared, full)
    assert_same(compare(a, b, population, as_of=as_of), full)  # watched, as the scalar first pass starts
    some = {True: "some", False: "none"}
    event(f"households shared: {some[bool(counted['shared'])]}, differing: {some[bool(shared.totals.differing)]}")


@pytest.mark.parametrize("name", policy_names())
@given(data=st.data())
def test_a_forked_run_gives_the_results_of_runs_from_the_start(name: str, data: st.DataObject) -> None:
    """Stronger than the outcomes: every field of both results (state, risks, grants, pending
    grants, reviews, eliminated risks, the transition period)."""
    a = load_policy(name)
    population = data.draw(populations(a), label="population")
    on = data.draw(st.dates(D(2015, 1, 2), END), label="parts on")
    b = data.draw(changed(a, on), label="policy b")
    as_of = data.draw(st.sampled_from([AS_OF, None]) | st.dates(on, AS_OF), label="as of")
    recording = data.draw(st.booleans(), label="recording")
    event(f"decisions recorded: {recording}")
    first, second = Engine(a, record_decisions=recording), Engine(b, record_decisions=recording)
    fork = Fork(first, second, on)
    for home, facts in population:
        try:
            forked = fork.results(home, facts, as_of=as_of)
        except RelapseGuardError:
            event("raised")
            continue
        event("shared" if forked is not None else "not shared")
        if forked is None:
            continue
        whole = first.run(home, facts, as_of=as_of), second.run(home, facts, as_of=as_of)
        if recording:  # the second's decisions are those from the date on, numbered on from before it
            before = sum(1 for decision in whole[1].decisions if decision.date < on)
            assert all(decision.date >= on for decision in whole[1].decisions[before:])
            assert forked[1].decisions == whole[1].decisions[before:]
            whole = whole[0], attrs.evolve(whole[1], decisions=forked[1].decisions)
        assert forked == whole


def test_the_safety_net_raised_from_july_compares_as_before() -> None:
    ill = IllnessReported(
        id="YB-1-ill", household_id="YB-1", date=D(2016, 4, 3), member_id="YB-1-0", self_paid_cost=Decimal(9000)
    )
    income = IncomeAssessed(id="YB-1-i3", household_id="YB-1", date=D(2016, 9, 1), income_per_capita=Decimal(4000))
    population: list[tuple[Household, list[Fact]]] = [
        (household("YB-1"), [*exited_in_2015("YB-1"), ill, income]),  # on the safety net from May
        (
            household("YB-2"),
            monthly("YB-2", 900),
        ),
    ]
    with forks_counted() as counted:
        shared, full = both(YUBEI, RAISED, population, D(2016, 12, 31))
    assert_same(shared, full)
    assert counted["shared"] == 2  # both households shared their first half-year
    assert counted["recorded shared"] == 2  # and both differ: their recorded runs share it too
    assert [h.household_id for h in shared.households] == ["YB-1", "YB-2"]


@pytest.mark.skipif(not HAS_NUMPY, reason="the columnar engine needs numpy")
def test_the_columnar_first_pass_shares_what_it_hands_to_the_engine() -> None:
    population = [(household("YB-2"), monthly("YB-2", 900)), (household("YB-3"), monthly("YB-3", 9000))]
    with forks_counted() as counted:
        columnar = compare(YUBEI, RAISED, population, as_of=D(2016, 12, 31), engine="columnar")
    with unshared():
        full = compare(YUBEI, RAISED, population, as_of=D(2016, 12, 31))
    assert_same(columnar, full)
    assert counted == {"shared": 1, "recorded shared": 1}
    assert columnar.paths == {"columnar": 2, "engine": 2}


@contextmanager
def forks_counted() -> Iterator[Counter[str]]:
    """Counts of the households the first pass's fork shared (``shared``), handed back (``not``)
    or raised for; a fork recording decisions (the second runs of a household that differs)
    counts the same, as ``recorded shared`` and so on."""
    counted: Counter[str] = Counter()
    original = Fork.results

    def results(self: Fork, household: Household, facts: Sequence[Fact], *, as_of: dt.date | None) -> object:
        prefix = "recorded " if self.first.records_decisions else ""
        try:
            found = original(self, household, facts, as_of=as_of)
        except Exception:
            counted[f"{prefix}raised"] += 1
            raise
        counted[prefix + ("shared" if found is not None else "not")] += 1
        return found

    with mock.patch.object(Fork, "results", results):
        yield counted


@contextmanager
def runs_counted() -> Iterator[Counter[str]]:
    """Counts of the engine's runs from the start, by policy label."""
    counted: Counter[str] = Counter()
    original = Engine.run

    def run(self: Engine, household: Household, facts: Sequence[Fact], **kwargs: object) -> object:
        counted[self.policy.label] += 1
        return original(self, household, facts, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(Engine, "run", run):
        yield counted


def test_identical_policies_run_a_only_and_b_refusing_runs_b_too() -> None:
    same = YUBEI.derive(name="yubei_copy")
    refused: tuple[Household, list[Fact]] = (
        household("RF-1"),
        [ExitVerified(id="RF-1-e", household_id="RF-1", date=D(2016, 3, 1))],
    )
    population: list[tuple[Household, list[Fact]]] = [(household("YB-1"), exited_in_2015("YB-1")), refused]
    assert parting(YUBEI, same) is None
    with runs_counted() as counted, unwatched():
        shared = compare(YUBEI, same, population, as_of=D(2016, 12, 31))
    assert counted == {YUBEI.label: 2, same.label: 1}  # b runs only for the household a refuses
    with unshared():
        assert_same(shared, compare(YUBEI, same, population, as_of=D(2016, 12, 31)))
    assert shared.totals.errors_a == shared.totals.errors_b == 1


def test_a_change_after_the_as_of_date_runs_a_only() -> None:
    later = YUBEI.derive(name="later", parameters={"safety_net.standard": {D(2017, 7, 1): 330}})
    population = [(household("YB-1"), exited_in_2015("YB-1"))]
    with runs_counted() as counted:
        shared, full = both(YUBEI, later, population, D(2016, 12, 31))
    assert counted[later.label] == 1  # the unshared comparison's run only
    assert_same(shared, full)


def test_policies_that_differ_in_rules_run_every_household_from_the_start() -> None:
    fewer = RAISED.derive(name="no_illness", remove_triggers=["illness"])
    assert parting(YUBEI, fewer) == dt.date.min
    population = [(household("YB-1"), exited_in_2015("YB-1"))]
    with forks_counted() as counted:
        shared, full = both(YUBEI, fewer, population, D(2016, 12, 31))
    assert counted == {}
    assert_same(shared, full)


def test_a_household_with_a_correction_runs_from_the_start() -> None:
    facts = monthly("YB-2", 900)
    # the correction moves an assessment of May across 1 July
    may = facts[4]
    assert isinstance(may, IncomeAssessed)
    moved = attrs.evolve(may, date=D(2016, 8, 1), income_per_capita=Decimal(5000))
    correction = FactCorrected(
        id="c1", household_id="YB-2", date=D(2016, 9, 1), corrects=facts[4].id, replacement=moved
    )
    population = [(household("YB-2"), [*facts, correction])]
    with forks_counted() as counted:
        shared, full = both(YUBEI, RAISED, population, D(2016, 12, 31))
    assert counted == {"not": 1, "recorded not": 1}
    assert_same(shared, full)


def test_errors_read_as_they_did() -> None:
    refused: tuple[Household, list[Fact]] = (
        household("RF-1"),
        [ExitVerified(id="RF-1-e", household_id="RF-1", date=D(2016, 8, 1))],
    )
    before = IncomeAssessed(id="RF-2-i", household_id="RF-2", date=D(2016, 3, 1), income_per_capita=Decimal(9000))
    late_exit = ExitVerified(id="RF-2-e", household_id="RF-2", date=D(2016, 9, 1))  # never identified
    other = IncomeAssessed(id="RF-3-i", household_id="RF-9", date=D(2016, 8, 1), income_per_capita=Decimal(900))
    population: list[tuple[Household, list[Fact]]] = [
        refused,
        (household("RF-2"), [before, late_exit]),
        (household("RF-3"), [attrs.evolve(before, id="RF-3-a", household_id="RF-3"), other]),  # another household's
        (household("RF-4"), [attrs.evolve(before, id="RF-4-a", household_id="RF-4"), "not a fact"]),  # type: ignore[list-item]
    ]
    with forks_counted() as counted:
        shared, full = both(YUBEI, RAISED, population, D(2016, 12, 31))
    assert_same(shared, full)
    assert counted == {"not": 1, "raised": 3}  # RF-1 has no fact before July; the others raise
    assert shared.totals.errors_a == shared.totals.errors_b == 4
    assert shared.totals.states_a == shared.totals.states_b == {"refused": 4}


def test_where_policies_part() -> None:
    assert parting(YUBEI, RAISED) == D(2016, 7, 1)
    assert parting(YUBEI, load_policy("yubei_2016")) is None  # loaded twice: equal parts, not the same objects
    assert parting(YUBEI, load_policy("dazu_2016")) == dt.date.min
    # the same value from a new date: its effective date differs from then
    line = YUBEI.parameters.value("poverty_line", D(2016, 5, 1))
    again = YUBEI.derive(name="again", parameters={"poverty_line": {D(2016, 5, 1): line}})
    assert parting(YUBEI, again) == D(2016, 5, 1)
    # 330 and 330.0 are equal and print apart
    text = YUBEI.derive(name="text", parameters={"safety_net.standard": {D(2016, 7, 1): Decimal("330")}})
    assert parting(
        text, RAISED.derive(name="t2", parameters={"safety_net.standard": {D(2016, 7, 1): Decimal("330.0")}})
    ) == D(2016, 7, 1)
    # the same values, each citing the policy that set it: apart from the value's date
    assert parting(text, RAISED) == D(2016, 7, 1)
    # an expiry moved: from the day after the earlier one
    standard = YUBEI.parameters.get("safety_net.standard")
    last = standard.values[-1][0]
    expiring = attrs.evolve(
        YUBEI,
        parameters=YUBEI.parameters.with_value(
            "safety_net.standard",
            last,
            standard.values[-1][1],
            expires=D(2017, 6, 30),
            reference=standard.reference_of(last),
        ),
    )
    assert parting(YUBEI, expiring) == D(2017, 7, 1)
    # another reference for the whole parameter, or a new parameter: from the start
    referenced = attrs.evolve(
        YUBEI,
        parameters=attrs.evolve(
            YUBEI.parameters,
            parameters={**YUBEI.parameters.parameters, "safety_net.standard": attrs.evolve(standard, reference="x")},
        ),
    )
    assert parting(YUBEI, referenced) == dt.date.min
    added = YUBEI.derive(name="added", new_parameters={"extra.amount": {D(2020, 1, 1): 1}})
    assert parting(YUBEI, added) == dt.date.min


def test_policies_part_where_a_value_s_own_reference_differs() -> None:
    # Each value carries its own reference now: a run cites the value's, so another reference
    # for one value parts the runs from that value's date.
    standard = YUBEI.parameters.get("safety_net.standard")
    last, value = standard.values[-1]
    referenced = attrs.evolve(
        YUBEI, parameters=YUBEI.parameters.with_value("safety_net.standard", last, value, reference="elsewhere")
    )
    assert parting(YUBEI, referenced) == last


def test_parts_are_the_same_only_when_built_alike() -> None:
    rule = YUBEI.identification[0]
    assert same_part(rule, attrs.evolve(rule))
    other_code = Rule(name=rule.name, description=rule.description, test=lambda ctx: rule(ctx))
    assert rule == other_code  # equal as attrs compares them (the test is not compared) ...
    assert not same_part(rule, other_code)  # ... and not the same part: its code may differ
    assert not same_part(object(), object())
    assert same_part((1, "a", Decimal(2)), (1, "a", Decimal(2)))
    assert not same_part(Decimal(2), Decimal("2.0"))
    assert not same_part(frozenset({object()}), frozenset({object()}))


def test_a_fork_needs_engines_recording_alike_and_policies_agreeing_until_its_date() -> None:
    quiet = Engine(YUBEI, record_decisions=False)
    with pytest.raises(InvalidArgument, match="two engines that record decisions, or two that do not"):
        Fork(Engine(YUBEI), Engine(RAISED, record_decisions=False), D(2016, 7, 1))
    with pytest.raises(InvalidArgument, match="part on 2016-07-01"):
        Fork(quiet, Engine(RAISED, record_decisions=False), D(2016, 8, 1))
    fork = Fork(quiet, Engine(RAISED, record_decisions=False), D(2016, 7, 1))
    facts = monthly("YB-2", 900)
    assert fork.results(household("YB-2"), facts[:6], as_of=D(2016, 12, 31)) is None  # none from its date on
    assert fork.results(household("YB-2"), facts[6:], as_of=D(2016, 12, 31)) is None  # none before it
    a, b = fork.results(household("YB-2"), facts, as_of=D(2016, 12, 31)) or (None, None)
    assert a == quiet.run(household("YB-2"), facts, as_of=D(2016, 12, 31))
    assert b is not None
    assert b.policy == RAISED.label
