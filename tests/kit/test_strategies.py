"""The strategies draw valid households, facts and histories, and histories reach every state."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar, assert_type

import attrs
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from relapse_guard import Engine, Fact, Household, IllnessReported, IncomeAssessed, State, load_policy
from relapse_guard.bounds import LAST_DATE, MAX_AMOUNT
from relapse_guard.errors import InvalidArgument, InvalidTransition, WrongType
from relapse_guard.facts import (
    DEFAULT_FACT_KINDS,
    VERSION_KINDS,
    AssistanceGranted,
    BasicNeedsChecked,
    ExitVerified,
    FactCorrected,
    FactRetracted,
    HouseAppraised,
    MemberJoined,
)
from relapse_guard.lifecycle import TABLE
from relapse_guard.testing import amounts, check_result, facts_of, histories, households, incomes, members

from .helpers import household, machine_for, quick_settings

D = dt.date
START, END = D(2015, 1, 1), D(2023, 12, 31)
YUBEI = load_policy("yubei_2016")
ENGINE = Engine(YUBEI)
# a correction or retraction names another fact of the household: drawn with it given (below)
KINDS = sorted((c for c in DEFAULT_FACT_KINDS.by_kind.values() if c not in VERSION_KINDS), key=lambda c: c.kind)


@given(households(min_members=2, max_members=4))
def test_households_are_valid(drawn: Household) -> None:
    assert 2 <= drawn.size <= 4
    assert [m.id for m in drawn.members] == [f"{drawn.id}-{n}" for n in range(1, drawn.size + 1)]
    assert all(m.birth_date <= D(2012, 12, 31) for m in drawn.members)


@given(amounts(max_value=500))
def test_amounts_are_decimal_to_the_fen(amount: Decimal) -> None:
    assert isinstance(amount, Decimal)
    assert 0 <= amount <= 500
    assert amount == amount.quantize(Decimal("0.01"))


@given(incomes(3600))
def test_incomes_are_around_the_line(income: Decimal) -> None:
    assert 0 <= income <= 3 * 3600


@pytest.mark.parametrize("kind", KINDS, ids=[kind.kind for kind in KINDS])
@settings(max_examples=15)
@given(data=st.data())
def test_facts_of_each_kind(kind: type[Fact], data: st.DataObject) -> None:
    home = household("H1")
    fact = data.draw(facts_of(kind, home, (D(2016, 1, 1), D(2016, 12, 31))))
    assert type(fact) is kind
    assert fact.household_id == "H1"
    assert D(2016, 1, 1) <= fact.date <= D(2016, 12, 31)
    member = getattr(fact, "member_id", None)
    # a member joining is a new one; every other fact names a member of the household
    assert member is None or home.has_member(member) is (kind is not MemberJoined)
    assert DEFAULT_FACT_KINDS.parse(fact.to_dict()) == fact
    try:  # the engine takes it: a case's outcome, step and level are the shipped procedures'
        ENGINE.run(home, [fact], as_of=D(2016, 12, 31))
    except InvalidTransition:
        assert kind is ExitVerified  # the lifecycle has no exit from new


@pytest.mark.parametrize("kind", KINDS, ids=[kind.kind for kind in KINDS])
@settings(max_examples=15)
@given(data=st.data())
def test_facts_of_each_kind_on_any_dates(kind: type[Fact], data: st.DataObject) -> None:
    """Drawn on dates before the usual birth dates of members joining (1935-2000), or at the last day."""
    dates = data.draw(st.sampled_from([(D(1900, 1, 1), D(1901, 12, 31)), (D(1990, 1, 1), D(1995, 12, 31))]))
    fact = data.draw(facts_of(kind, household("H1"), dates))  # built: each field valid
    assert dates[0] <= fact.date <= dates[1]
    if isinstance(fact, MemberJoined):
        assert fact.birth_date <= fact.date
    assert DEFAULT_FACT_KINDS.parse(fact.to_dict()) == fact


@attrs.frozen(kw_only=True)
class CropFailure(Fact):
    kind: ClassVar[str] = "crop_failure"
    crop: str
    loss: Decimal
    member_id: str


@given(facts_of(CropFailure, household("H1"), (D(2016, 1, 1), D(2016, 1, 1)), crop=st.just("citrus")))
def test_facts_of_a_custom_kind_are_drawn_from_its_types(fact: Fact) -> None:
    assert isinstance(fact, CropFailure)
    assert fact.crop == "citrus"
    assert fact.loss >= 0
    assert fact.member_id.startswith("H1-")


class Crop(enum.Enum):
    RICE = "rice"
    CITRUS = "citrus"


@attrs.frozen(kw_only=True)
class Harvest(Fact):
    """Every field type a fact may hold (docs/policy-authoring.md)."""

    kind: ClassVar[str] = "harvest"
    sown_on: dt.date
    weighed_at: dt.datetime | None = None
    subsidy: Decimal | None = None
    yield_value: Decimal = Decimal(0)
    crop: Crop = Crop.RICE
    crops: frozenset[Crop] = frozenset()
    harvest_days: frozenset[dt.date] = frozenset()
    irrigated: bool = False
    note: str | None = None


@settings(max_examples=200)
@given(data=st.data())
def test_facts_of_a_custom_kind_draws_valid_values_of_every_field_type(data: st.DataObject) -> None:
    span = data.draw(st.sampled_from([(D(2016, 1, 1), D(2016, 12, 31)), (D(8999, 1, 1), LAST_DATE)]))
    fact = data.draw(facts_of(Harvest, household("H1"), span))  # the fact's own checks passed
    assert span[0] <= fact.sown_on <= span[1]
    assert all(span[0] <= day <= span[1] for day in fact.harvest_days)
    if fact.weighed_at is not None:
        assert fact.weighed_at.tzinfo is not None
        assert span[0] <= fact.weighed_at.date() <= span[1]
    for amount in (fact.subsidy, fact.yield_value):
        assert amount is None or (amount.is_finite() and 0 <= amount <= MAX_AMOUNT)
    assert Harvest.kind in YUBEI.fact_kinds.with_kind(Harvest)
    assert YUBEI.fact_kinds.with_kind(Harvest).parse(fact.to_dict()) == fact


def test_a_policy_of_custom_kinds_passes_the_default_harness() -> None:
    """The harness's own_fact draws with facts_of: a policy taking Harvest facts keeps every invariant."""
    harvests = YUBEI.derive(name="harvests", fact_kinds=YUBEI.fact_kinds.with_kind(Harvest))
    run_state_machine_as_test(
        machine_for(harvests), settings=quick_settings(max_examples=20, derandomize=True, database=None)
    )


@attrs.frozen(kw_only=True)
class Amended(Fact):
    kind: ClassVar[str] = "amended"
    original: Fact


def test_a_field_facts_of_cannot_draw_asks_for_a_strategy() -> None:
    with pytest.raises(InvalidArgument, match=r"field 'original' of Amended .*pass a strategy for it: .*original="):
        facts_of(Amended, household(), (START, END))
    replaced = facts_of(IncomeAssessed, household("H1"), (START, START), fact_id="i1")
    assert isinstance(
        find(facts_of(Amended, household("H1"), (START, END), original=replaced), lambda f: True), Amended
    )


def test_corrections_and_retractions_need_the_fact_they_name() -> None:
    home = household("H1")
    with pytest.raises(InvalidArgument, match=r"facts_of\(FactRetracted, ...\): retracts is not given; .*retracts="):
        facts_of(FactRetracted, home, (START, END))
    with pytest.raises(InvalidArgument, match=r"facts_of\(FactCorrected, ...\): replacement is not given; .*"):
        facts_of(FactCorrected, home, (START, END))


@settings(max_examples=30)
@given(data=st.data())
def test_corrections_and_retractions_of_a_fact_given_are_valid(data: st.DataObject) -> None:
    home = household("H1")
    (income,) = data.draw(
        st.lists(facts_of(IncomeAssessed, home, (D(2016, 1, 1), D(2016, 6, 30))), min_size=1, max_size=1)
    )
    again = facts_of(IncomeAssessed, home, (income.date, income.date), fact_id=income.id)
    correction = data.draw(facts_of(FactCorrected, home, (D(2016, 7, 1), D(2016, 12, 31)), replacement=again))
    assert (correction.corrects, correction.replacement.id) == (income.id, income.id)
    assert correction.id != income.id
    retraction = data.draw(facts_of(FactRetracted, home, (D(2016, 7, 1), D(2016, 12, 31)), retracts=st.just(income.id)))
    assert retraction.retracts == income.id != retraction.id
    for version in (correction, retraction):
        ENGINE.run(home, [income, version], as_of=D(2016, 12, 31))  # the engine takes it


@settings(max_examples=10)
@given(data=st.data())
def test_facts_of_is_typed_by_its_kind(data: st.DataObject) -> None:
    """``mypy`` checks this (it covers the tests): the strategy draws the kind's own class."""
    illness = data.draw(facts_of(IllnessReported, household("H1"), (START, END)))
    assert_type(illness, IllnessReported)
    assert illness.self_paid_cost >= 0


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(WrongType, match="kind must be a Fact subclass"):
        facts_of(int, household(), (START, END))  # type: ignore[type-var]
    young = household("Y")
    with pytest.raises(InvalidArgument, match="start the history on or after"):
        histories(young, D(1960, 1, 1), END)


HOME = household("H1")
NOW = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
#: Values of the wrong type, as a caller without a type checker passes them.
NAME: Any = "yubei_2016"
THREE: Any = "3"
FLOAT: Any = 3600.0
ONE: Any = 1

BAD_ARGUMENTS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: histories(HOME, START, END, policy=NAME),
        WrongType,
        r"policy must be a Policy or None, not 'yubei_2016' \(str\): call load_policy\('yubei_2016'\)",
    ),
    (lambda: histories(HOME, NOW, NOW), WrongType, r"start must be a datetime.date, not datetime.datetime\(2016"),
    (
        lambda: histories(HOME, START, END, max_episodes=0),
        InvalidArgument,
        r"histories\(max_episodes=0\): max_episodes must be at least 1",
    ),
    (
        lambda: histories(HOME, START, END, max_episodes=THREE),
        WrongType,
        r"max_episodes must be an int, not '3' \(str\)",
    ),
    (lambda: histories(HOME, START, END, shocks=[FactRetracted]), InvalidArgument, r"shocks\[0\] is FactRetracted"),
    (lambda: histories(NAME, START, END), WrongType, "household must be a Household"),
    (lambda: households(max_members=THREE), WrongType, r"max_members must be an int, not '3' \(str\)"),
    (
        lambda: households(min_members=101, max_members=101),
        InvalidArgument,
        r"households\(min_members=101, max_members=101\): need 1 <= min_members <= max_members <= 100",
    ),
    (lambda: households(min_members=0), InvalidArgument, r"min_members=0"),
    (lambda: households(born_by=NOW), WrongType, "born_by must be a datetime.date"),
    (lambda: incomes(-100), InvalidArgument, r"incomes\(line=-100\): the poverty line must be a finite amount from 0"),
    (lambda: incomes(FLOAT), WrongType, r"line must be a Decimal or an int .*3600.0 \(float\)"),
    (
        lambda: amounts(min_value=2 * 10**9, max_value=3 * 10**9),
        InvalidArgument,
        r"amounts\(max_value=3000000000\): max_value must be at most 1,000,000,000",
    ),
    (lambda: amounts(max_value=-1), InvalidArgument, r"need 0 <= min_value <= max_value"),
    (lambda: amounts(max_value=FLOAT), WrongType, r"max_value must be an int, not 3600.0 \(float\)"),
    (lambda: members(""), WrongType, "member_id must be a non-empty str"),
    (lambda: facts_of(IncomeAssessed, HOME, (END, START)), InvalidArgument, "the first date is after the last"),
    (lambda: facts_of(IncomeAssessed, HOME, (NOW, NOW)), WrongType, r"dates\[0\] must be a datetime.date"),
    (lambda: facts_of(IncomeAssessed, HOME, NAME), WrongType, "dates must be a .first, last. pair"),
    (
        lambda: facts_of(IncomeAssessed, HOME, (START, END), income=st.just(1)),
        InvalidArgument,
        "IncomeAssessed has no field 'income'",
    ),
    (
        lambda: facts_of(IncomeAssessed, HOME, (START, END), income_per_capita=ONE),
        WrongType,
        "income_per_capita must be a strategy",
    ),
    (lambda: facts_of(IncomeAssessed, HOME, (START, END), date=st.just(START)), InvalidArgument, "pass dates= instead"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_ARGUMENTS, ids=[m[:40] for _, _, m in BAD_ARGUMENTS])
def test_bad_arguments_are_refused_where_given(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_histories_are_dated_in_range_and_never_ask_for_a_move_the_lifecycle_lacks(data: st.DataObject) -> None:
    home = data.draw(households(max_members=4, born_by=START), label="household")
    facts = data.draw(histories(home, START, END, policy=YUBEI), label="facts")
    assert [f.date for f in facts] == sorted(f.date for f in facts)
    assert all(START <= f.date <= END for f in facts)
    assert len({f.id for f in facts}) == len(facts)
    try:
        result = ENGINE.run(home, facts, as_of=END)
    except InvalidTransition as error:  # pragma: no cover - the property under test
        pytest.fail(f"a history asked for a move the lifecycle lacks: {error}")
    assert check_result(YUBEI, home, facts, result) == ()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], max_examples=200)
@given(data=st.data())
def test_history_ids_sort_in_drawing_order_and_a_recovery_has_its_day(data: st.DataObject) -> None:
    home = household("H1", size=2)
    facts = data.draw(histories(home, START, END, policy=YUBEI, max_episodes=data.draw(st.integers(1, 30))))
    ids = [f.id for f in facts]
    assert ids == sorted(ids)
    assert sorted(facts, key=Fact.sort_key) == facts  # as the engine applies them, too
    recovery = [HouseAppraised, BasicNeedsChecked, IncomeAssessed, AssistanceGranted, ExitVerified]
    for fact in facts:
        if isinstance(fact, ExitVerified):  # the recovery's day holds its facts only, the exit last
            assert [type(f) for f in facts if f.date == fact.date] == recovery


def test_histories_reach_every_state_and_every_edge_of_the_lifecycle() -> None:
    reached: set[State] = set()
    moves: set[tuple[State, State | None]] = set()
    home = household("H1", size=2)

    @settings(max_examples=80, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(histories(home, START, END, policy=YUBEI))
    def run(facts: list[Fact]) -> None:
        result = ENGINE.run(home, facts, as_of=END)
        reached.update(result.states)
        moves.update((t.from_state, t.to_state) for t in result.transitions if t.from_state is not None)

    run()
    assert reached == set(State)
    assert moves == {(source, dest) for (source, _event), (dest, _guard) in TABLE.items()}
