"""order_facts: the documented order (date, kind order, id) on its bulk path and its checked path."""

from __future__ import annotations

import datetime as dt
import random

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Fact
from relapse_guard.errors import ConflictingFact, InvalidFact
from relapse_guard.facts import Source
from relapse_guard.testing.strategies import histories, households
from relapse_guard.timeline import order_facts

START, END = dt.date(2016, 1, 1), dt.date(2018, 12, 31)


@st.composite
def households_and_facts(draw: st.DrawFn) -> tuple[str, list[Fact]]:
    household = draw(households(born_by=START))
    facts = draw(histories(household, START, END).filter(bool))
    draw(st.randoms(use_true_random=False)).shuffle(facts)
    return household.id, facts


@given(households_and_facts(), st.booleans(), st.sampled_from([list, tuple, iter]))
def test_order_is_sort_key_whatever_the_input_order(
    drawn: tuple[str, list[Fact]], with_duplicates: bool, container: type
) -> None:
    household_id, facts = drawn
    given_facts = facts + facts[: len(facts) // 2] if with_duplicates else facts
    ordered = order_facts(household_id, container(given_facts))
    assert ordered == sorted(facts, key=Fact.sort_key)


@given(households_and_facts(), st.booleans())
def test_a_fact_of_another_household_is_refused_on_either_path(
    drawn: tuple[str, list[Fact]], with_duplicate: bool
) -> None:
    household_id, facts = drawn
    stranger = attrs.evolve(facts[-1], id="stranger", household_id="someone-else")
    given_facts = [*facts, stranger] + (facts[:1] if with_duplicate else [])  # bulk path, then checked path
    with pytest.raises(InvalidFact, match="someone-else"):
        order_facts(household_id, random.Random(1).sample(given_facts, len(given_facts)))


@given(households_and_facts())
def test_two_different_facts_with_one_id_are_refused(drawn: tuple[str, list[Fact]]) -> None:
    household_id, facts = drawn
    other_source = Source.VISIT if facts[0].source is Source.DEPARTMENT else Source.DEPARTMENT
    twin = attrs.evolve(facts[0], source=other_source)
    with pytest.raises(ConflictingFact, match=facts[0].id):
        order_facts(household_id, [*facts, twin])
