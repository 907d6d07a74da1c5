"""Appending facts: one transaction per batch, idempotent, versioned (every store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from relapse_guard import ExitVerified, IncomeAssessed, JobLost
from relapse_guard.errors import (
    ConcurrencyConflict,
    ConflictingFact,
    FactOfUnknownHousehold,
    InvalidFact,
    UnknownHousehold,
)
from relapse_guard.store import Store

from .helpers import StoreLike, household, income, recorded, story

D = dt.date(2016, 3, 1)


def test_both_stores_implement_the_protocol(store: StoreLike) -> None:
    assert isinstance(store, Store)


def test_append_returns_the_new_version_and_facts_read_back_exactly(store: StoreLike) -> None:
    h = household()
    facts = story(h)
    recorded(store)
    assert store.version("H1") == 0
    assert store.append("H1", facts[:2]) == 2
    assert store.append("H1", facts[2:]) == len(facts)
    assert store.version("H1") == len(facts)
    read = store.facts("H1")
    assert read == facts
    # "9000.50" stays "9000.50"; a fact given without recorded_at is stamped with the moment it was stored
    assert [{k: v for k, v in f.to_dict().items() if k != "recorded_at"} for f in read] == [f.to_dict() for f in facts]
    assert all(f.recorded_at is not None for f in read)
    assert store.version("other") == 0
    assert store.facts("other") == []


def test_the_same_facts_again_change_nothing(store: StoreLike) -> None:
    facts = story(household())
    recorded(store)
    store.append("H1", facts)
    assert store.append("H1", facts) == len(facts)
    assert store.append("H1", [*facts, *facts]) == len(facts)
    # Equal as the engine sees facts: 2500 and 2500.00 are the same amount.
    first = facts[0]
    assert isinstance(first, IncomeAssessed)
    same = attrs.evolve(first, income_per_capita=Decimal("2500.00"))
    assert store.append("H1", [same]) == len(facts)
    assert store.facts("H1") == facts


def test_a_fact_id_with_other_content_is_refused_and_nothing_of_the_batch_is_stored(store: StoreLike) -> None:
    recorded(store)
    store.append("H1", [income("f1", D, 3000)])
    batch = [income("f2", D, 3100), income("f1", D, 9999), income("f3", D, 3200)]
    with pytest.raises(ConflictingFact) as info:
        store.append("H1", batch)
    assert (info.value.household_id, info.value.field, info.value.fact_id) == ("H1", "id", "f1")
    assert store.version("H1") == 1
    assert [f.id for f in store.facts("H1")] == ["f1"]


def test_two_facts_with_one_id_in_a_batch_are_refused(store: StoreLike) -> None:
    # the message said "a stored fact with this id differs": nothing was stored
    recorded(store)
    with pytest.raises(ConflictingFact, match=r"one fact per id \(a fact given before it with this id differs\)"):
        store.append("H1", [income("f1", D, 3000), income("f2", D, 3000), income("f1", D, 1)])
    assert store.version("H1") == 0
    store.append("H1", [income("f1", D, 3000)])
    with pytest.raises(ConflictingFact, match=r"\(a fact stored with this id differs\)"):
        store.append("H1", [income("f1", D, 1)])


def test_a_fact_id_is_unique_across_households(store: StoreLike) -> None:
    recorded(store, "H1", "H2")
    store.append("H1", [income("f1", D, 3000)])
    with pytest.raises(ConflictingFact, match="stored for household 'H1'") as info:
        store.append("H2", [income("f1", D, 3000, hid="H2")])
    assert store.version("H2") == 0
    # what to do: a new id, and the stored one retracted where it was filed if that was a mistake
    assert "send this fact under a new id" in str(info.value)
    assert "a fact_retracted of household 'H1' with retracts='f1'" in str(info.value)


def test_a_fact_of_another_household_is_refused(store: StoreLike) -> None:
    recorded(store, "H1", "H2")
    with pytest.raises(InvalidFact) as info:
        store.append("H1", [income("f1", D, 3000), income("f2", D, 3000, hid="H2")])
    assert info.value.field == "household_id"
    assert (store.version("H1"), store.version("H2")) == (0, 0)


def test_something_that_is_not_a_fact_is_refused(store: StoreLike) -> None:
    recorded(store)
    with pytest.raises(InvalidFact, match="Fact instances"):
        store.append("H1", [income("f1", D, 3000).to_dict()])  # type: ignore[list-item]
    with pytest.raises(InvalidFact):
        store.append("", [])


def test_expected_version_is_checked_in_the_transaction(store: StoreLike) -> None:
    recorded(store)
    assert store.append("H1", [income("f1", D, 3000)], expected_version=0) == 1
    assert store.append("H1", [income("f2", D, 3000)], expected_version=1) == 2
    with pytest.raises(ConcurrencyConflict) as info:
        store.append("H1", [income("f3", D, 3000)], expected_version=1)
    assert (info.value.household_id, info.value.expected, info.value.actual) == ("H1", 1, 2)
    assert "'H1'" in str(info.value)
    assert "expected version 1" in str(info.value)
    assert "version 2" in str(info.value)
    assert store.version("H1") == 2
    # Even a batch of duplicates is refused at a stale version: the writer must re-read.
    with pytest.raises(ConcurrencyConflict):
        store.append("H1", [income("f1", D, 3000)], expected_version=0)


@pytest.mark.parametrize("bad", [-1, "1", True, 1.0])
def test_expected_version_must_be_a_count(store: StoreLike, bad: object) -> None:
    with pytest.raises(ValueError, match="expected_version"):
        store.append("H1", [], expected_version=bad)  # type: ignore[arg-type]


def test_households_are_stored_and_replaced(store: StoreLike) -> None:
    h = household()
    with pytest.raises(UnknownHousehold, match="'H1'"):
        store.household("H1")
    store.put_household(h)
    assert store.household("H1") == h
    smaller = household(size=1)
    store.put_household(smaller)
    assert store.household("H1") == smaller
    assert store.put_households([household("H2"), household("H3")]) == 2
    with pytest.raises(FactOfUnknownHousehold, match="'H4'"):  # no record: its facts are not kept
        store.append("H4", [JobLost(id="j", household_id="H4", date=D, member_id="m")])
    assert store.household_ids() == ["H1", "H2", "H3"]


def test_facts_are_kept_in_the_order_stored(store: StoreLike) -> None:
    recorded(store)
    late, early = income("late", dt.date(2017, 1, 1), 1), ExitVerified(id="early", household_id="H1", date=D)
    store.append("H1", [late])
    store.append("H1", [early])
    assert [f.id for f in store.facts("H1")] == ["late", "early"]
