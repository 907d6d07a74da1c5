"""Ingesting plain records in batches: valid facts stored, bad ones quarantined with the reason."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from relapse_guard.store import BatchReport, IngestReport

from .helpers import StoreLike, make_store


def record(fid: str, hid: str = "H1", amount: object = "3000", **extra: object) -> dict[str, Any]:
    return {
        "kind": "income_assessed",
        "id": fid,
        "household_id": hid,
        "date": "2016-03-01",
        "income_per_capita": amount,
        **extra,
    }


def test_ingest_stores_batches_grouped_per_household(store: StoreLike) -> None:
    records = [record(f"f{i}", hid=f"H{i % 3}") for i in range(10)]
    batches: list[BatchReport] = []
    report = store.ingest(records, batch_size=4, progress=batches.append)
    assert report == IngestReport(records=10, stored=10, duplicates=0, quarantined=0, batches=3)
    assert [b.number for b in batches] == [1, 2, 3]
    assert [b.records for b in batches] == [4, 4, 2]
    assert [store.version(f"H{i}") for i in range(3)] == [4, 3, 3]
    assert [f.id for f in store.facts("H1")] == ["f1", "f4", "f7"]


def test_bad_records_are_quarantined_with_their_reason_never_dropped(store: StoreLike) -> None:
    records: list[Any] = [
        record("ok1"),
        record("neg", amount=-5),
        record("float", amount=3000.5),
        {"kind": "no_such_kind", "id": "k", "household_id": "H1", "date": "2016-01-01"},
        record("nodate") | {"date": "yesterday"},
        ["not", "a", "mapping"],
        record("ok2"),
    ]
    report = store.ingest(records, batch_size=100)
    assert (report.records, report.stored, report.quarantined) == (7, 2, 5)
    assert report.records == report.stored + report.duplicates + report.quarantined
    assert [f.id for f in store.facts("H1")] == ["ok1", "ok2"]
    quarantined = store.quarantined()
    assert [q.fact_id for q in quarantined] == ["neg", "float", "k", "nodate", None]
    assert {q.error for q in quarantined} == {"InvalidFact"}
    assert "'income_per_capita' has value -5" in quarantined[0].reason
    assert "never float" in quarantined[1].reason
    assert "'kind'" in quarantined[2].reason
    assert json.loads(quarantined[0].record)["income_per_capita"] == -5
    assert quarantined[4].household_id is None
    assert "mapping" in quarantined[4].reason
    assert store.quarantined("H1") == quarantined[:4]


def test_duplicates_are_skipped_and_conflicts_quarantined_while_the_rest_is_stored(store: StoreLike) -> None:
    store.ingest([record("f1"), record("f2")])
    report = store.ingest([record("f1"), record("f2", amount="9999"), record("f3"), record("f3")])
    assert (report.stored, report.duplicates, report.quarantined) == (1, 2, 1)
    assert [f.id for f in store.facts("H1")] == ["f1", "f2", "f3"]
    (conflict,) = store.quarantined()
    assert (conflict.error, conflict.fact_id, conflict.household_id) == ("ConflictingFact", "f2", "H1")
    assert "'f2'" in conflict.reason
    assert json.loads(conflict.record)["income_per_capita"] == "9999"


def test_a_fact_id_used_by_two_households_in_one_batch_is_quarantined(store: StoreLike) -> None:
    report = store.ingest([record("f1", hid="H1"), record("f1", hid="H2")])
    assert (report.stored, report.quarantined) == (1, 1)
    assert store.quarantined()[0].household_id == "H2"


def test_a_batch_that_fails_stores_nothing_not_even_its_quarantine(
    store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(store_kind)
    store.ingest([record("first")])
    module = importlib.import_module(f"relapse_guard.store.{store_kind}")

    def explode(self: object, rows: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module._Writer, "quarantine", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.ingest([record("a"), record("b", hid="H2"), record("bad", amount=-1)])
    assert store.household_ids() == ["H1"]
    assert store.version("H1") == 1
    monkeypatch.undo()
    assert store.quarantined() == []
    store.close()


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_batch_size_must_be_positive(store: StoreLike, size: object) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        store.ingest([record("f1")], batch_size=size)  # type: ignore[arg-type]
