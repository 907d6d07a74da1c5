"""One delivery giving two different versions of a fact stores neither: what is stored does not
depend on the order of the records, nor on how the delivery falls into batches."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.store import MemoryStore

from .helpers import StoreLike, household
from .test_ingest import RECORDED, record


@pytest.fixture
def store(store: StoreLike) -> StoreLike:
    store.put_households(RECORDED)
    return store


def _streamed(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The records as a file's reader gives them: once, one at a time."""
    yield from records


@pytest.mark.parametrize("batch_size", [10_000, 2, 1])
def test_two_versions_of_a_fact_in_one_delivery_are_both_quarantined_naming_both_records(
    store: StoreLike, batch_size: int
) -> None:
    delivery = [record("f1", amount="3000"), record("other"), record("f1", amount="4500")]
    report = store.ingest(_streamed(delivery), batch_size=batch_size)
    assert (report.stored, report.duplicates, report.quarantined) == (1, 0, 2)
    assert [fact.id for fact in store.facts("H1")] == ["other"]
    first, second = store.quarantined()
    assert [json.loads(q.record)["income_per_capita"] for q in (first, second)] == ["3000", "4500"]
    for refused, number in ((first, 1), (second, 3)):
        assert (refused.error, refused.household_id, refused.fact_id) == ("ConflictingVersions", "H1", "f1")
        assert (
            f"this delivery gives 2 different versions of fact 'f1' (its records 1 and 3; this is record {number}), "
            "so none of them is stored" in refused.reason
        )
        assert "send the right version alone, once" in refused.reason
    # the right version alone, sent afterwards, is stored: the id was not taken
    assert store.ingest([record("f1", amount="4500")]).stored == 1


def test_a_fact_given_for_two_households_in_one_delivery_is_stored_for_neither(store: StoreLike) -> None:
    report = store.ingest([record("f1", hid="H1"), record("f1", hid="H2")])
    assert (report.stored, report.quarantined) == (0, 2)
    assert store.version("H1") == store.version("H2") == 0
    refused = store.quarantined()
    assert [(q.error, q.household_id) for q in refused] == [
        ("ConflictingVersions", "H1"),
        ("ConflictingVersions", "H2"),
    ]
    assert "they name households 'H1' and 'H2'" in refused[0].reason


def test_the_same_fact_given_twice_in_a_delivery_is_stored_once(store: StoreLike) -> None:
    # the same fact, said otherwise (an amount with its cents, its own recorded_at, another key order)
    same = {**record("f1", amount="3000.00"), "recorded_at": "2016-03-02T00:00:00+00:00"}
    shuffled = dict(reversed(list(record("f1").items())))
    report = store.ingest(_streamed([record("f1"), record("x"), same, shuffled]), batch_size=2)
    assert (report.stored, report.duplicates, report.quarantined) == (2, 2, 0)
    assert store.quarantined() == []


def test_a_fact_stored_before_the_delivery_is_compared_with_each_version_as_before(store: StoreLike) -> None:
    store.ingest([record("f1", amount="3000")])
    report = store.ingest([record("f1", amount="3000"), record("f1", amount="9999")])
    assert (report.stored, report.duplicates, report.quarantined) == (0, 1, 1)
    (conflict,) = store.quarantined()
    assert (conflict.error, json.loads(conflict.record)["income_per_capita"]) == ("ConflictingFact", "9999")
    assert "stored with this id" in conflict.reason


def test_a_record_that_does_not_parse_is_no_version_of_the_fact(store: StoreLike) -> None:
    report = store.ingest(_streamed([record("f1"), record("f1", amount=3000.5)]), batch_size=1)
    assert (report.stored, report.quarantined) == (1, 1)
    (refused,) = store.quarantined()
    assert refused.error == "InvalidFact"


def test_a_delivery_given_again_quarantines_its_versions_again_and_keeps_them_once(store: StoreLike) -> None:
    delivery = [record("f1", amount="1"), record("f1", amount="2")]
    store.ingest(delivery)
    again = store.ingest(delivery)
    assert (again.stored, again.quarantined) == (0, 2)
    assert len(store.quarantined()) == 2
    assert store.version("H1") == 0


class _Unpicklable:
    """A value a caller may put in a record that pickle refuses (it then stays in memory)."""

    def __reduce__(self) -> Any:
        raise TypeError("not picklable")


def test_records_that_do_not_pickle_are_read_again_all_the_same(store: StoreLike) -> None:
    odd = {**record("odd"), "income_per_capita": _Unpicklable()}
    report = store.ingest(_streamed([record("f1"), odd, record("f2")]), batch_size=2)
    assert (report.stored, report.quarantined) == (2, 1)
    assert store.quarantined()[0].fact_id == "odd"


_IDS = [f"f{n}" for n in range(6)]


@st.composite
def _deliveries(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Records of a few fact ids, each id given one or more times, in one or more versions
    (another amount or household), some said otherwise (an amount with its cents)."""
    records = []
    for fact_id in draw(st.lists(st.sampled_from(_IDS), min_size=1, max_size=6, unique=True)):
        for _ in range(draw(st.integers(1, 3))):
            amount = draw(st.sampled_from(["3000", "3000.00", "4500"]))
            records.append(record(fact_id, hid=draw(st.sampled_from(["H1", "H2"])), amount=amount))
    return records


_Outcome = tuple[dict[str, list[tuple[str, Decimal]]], list[tuple[str | None, str, str]], int, int]


def _outcome(records: list[dict[str, Any]], batch_size: int) -> _Outcome:
    """The facts stored (id and amount, by household), the records quarantined and the counts."""
    store = MemoryStore()
    store.put_households([household("H1"), household("H2")])
    report = store.ingest(_streamed(records), batch_size=batch_size)
    stored = {
        hid: sorted((f.id, Decimal(f.to_dict()["income_per_capita"])) for f in store.facts(hid)) for hid in ("H1", "H2")
    }
    refused = sorted((q.fact_id, q.error, q.record) for q in store.quarantined())
    return stored, refused, report.stored, report.quarantined


@settings(max_examples=150, deadline=None)
@given(_deliveries(), st.randoms(use_true_random=False), st.integers(1, 4), st.integers(1, 4))
def test_what_a_delivery_stores_does_not_depend_on_the_order_of_its_records(
    records: list[dict[str, Any]], shuffle: random.Random, size: int, other_size: int
) -> None:
    shuffled = list(records)
    shuffle.shuffle(shuffled)
    assert _outcome(records, size) == _outcome(shuffled, other_size)
    # and an id given in different facts is stored under no household
    stored, _, _, _ = _outcome(records, size)
    versions: dict[str, set[tuple[str, str]]] = {}
    for given_record in records:
        amount = str(int(float(given_record["income_per_capita"])))
        versions.setdefault(given_record["id"], set()).add((given_record["household_id"], amount))
    held = {fact_id for facts in stored.values() for fact_id, _ in facts}
    assert held == {fact_id for fact_id, found in versions.items() if len(found) == 1}
