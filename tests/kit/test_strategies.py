"""The strategies draw valid households, facts and histories, and histories reach every state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from relapse_guard import Engine, Fact, Household, State, load_policy
from relapse_guard.errors import InvalidTransition
from relapse_guard.facts import DEFAULT_FACT_KINDS, MemberJoined
from relapse_guard.testing import amounts, check_result, facts_of, histories, households, incomes

from .helpers import household

D = dt.date
START, END = D(2015, 1, 1), D(2023, 12, 31)
YUBEI = load_policy("yubei_2016")
ENGINE = Engine(YUBEI)
# a correction needs its replacement given (facts_of(FactCorrected, ..., replacement=...)): not drawn here
KINDS = sorted((c for c in DEFAULT_FACT_KINDS.by_kind.values() if c.kind != "fact_corrected"), key=lambda c: c.kind)


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


def test_bad_arguments_say_what_to_do() -> None:
    with pytest.raises(InvalidArgument, match="kind must be a Fact subclass"):
        facts_of(int, household(), (START, END))  # type: ignore[arg-type]
    young = household("Y")
    with pytest.raises(InvalidArgument, match="start the history on or after"):
        histories(young, D(1960, 1, 1), END)


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


def test_histories_reach_every_state() -> None:
    reached: set[State] = set()
    home = household("H1", size=2)

    @settings(max_examples=80, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(histories(home, START, END, policy=YUBEI))
    def run(facts: list[Fact]) -> None:
        reached.update(ENGINE.run(home, facts, as_of=END).states)

    run()
    assert reached == set(State)
