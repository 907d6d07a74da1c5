"""The store's edges: damaged SQLite files, quarantining twice, and text SQLite cannot encode."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from relapse_guard.errors import FactOfUnknownHousehold, InvalidFact, InvalidHousehold, StoreError, UnknownHousehold
from relapse_guard.facts import IncomeAssessed
from relapse_guard.household import Household, Member, Place
from relapse_guard.store import SQLiteStore

from .helpers import StoreLike, household, story
from .test_ingest import record

PAGE = 4096


@pytest.fixture
def store(store: StoreLike) -> StoreLike:
    """The shared store, holding the record of H1: a store keeps no fact of a household without it."""
    store.put_household(household("H1"))
    return store


def _filled(path: Path) -> None:
    with SQLiteStore(path) as store:
        for n in range(200):
            h = household(f"H{n}")
            store.put_household(h)
            store.append(h.id, story(h))
        store.ingest([record("bad", amount=-1)])
    db = sqlite3.connect(path)  # fold the write-ahead log into the file, so the damage is what is read
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert path.stat().st_size > 20 * PAGE


def _overwrite_pages(path: Path) -> None:
    # every page but the first (the schema) gets garbage in its middle: each table's b-tree is damaged
    data = bytearray(path.read_bytes())
    for start in range(PAGE, len(data), PAGE):
        data[start + 200 : start + 1200] = b"\xa5" * 1000
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 3)


def _uses(store: SQLiteStore) -> list[Callable[[], object]]:
    return [
        store.household_ids,
        lambda: store.household("H150"),
        lambda: store.facts("H150"),
        lambda: store.version("H150"),
        store.quarantined,
        store.verify,
        store.head,
        lambda: store.decisions("H150"),
        lambda: store.append("H150", story(household("H150"))),
        lambda: store.ingest([record("later", hid="H199")]),
        lambda: store.put_household(household("H199")),
    ]


@pytest.mark.parametrize("damage", [_overwrite_pages, _truncate], ids=["pages_overwritten", "truncated"])
def test_a_damaged_file_gives_store_errors_naming_it_on_open_or_on_use(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "damaged.db"
    _filled(path)
    damage(path)
    errors: list[StoreError] = []
    try:
        store = SQLiteStore(path)
    except StoreError as error:  # found on open
        errors.append(error)
    else:
        with store:
            for use in _uses(store):
                try:
                    use()
                except StoreError as error:  # anything else (sqlite3.DatabaseError) fails the test
                    errors.append(error)
                except FactOfUnknownHousehold:  # damage may read as a missing household record
                    continue
    assert errors, "the damage went unnoticed"
    for found in errors:
        if isinstance(found, UnknownHousehold):  # damage may also read as a missing row
            continue
        assert str(path) in str(found)
        assert isinstance(found.__cause__, sqlite3.Error | type(None))


def test_overwritten_pages_are_found_on_use_after_a_clean_open(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    _filled(path)
    _overwrite_pages(path)
    found: list[StoreError] = []
    with SQLiteStore(path) as store:  # the schema page is intact: opening works
        for use in _uses(store):
            try:
                use()
            except StoreError as error:
                found.append(error)
            except FactOfUnknownHousehold:  # damage may read as a missing household record
                continue
    malformed = [each for each in found if "malformed" in str(each)]
    assert malformed, found
    for each in malformed:
        assert f"store {str(path)!r}" in str(each)
        assert isinstance(each.__cause__, sqlite3.DatabaseError)


@pytest.mark.parametrize("content", [b"this is not sqlite" * 300, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_file_that_is_not_sqlite_is_refused_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not_a_store.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path)
    assert str(path) in str(info.value)


def test_quarantining_the_same_record_twice_keeps_one_entry(store: StoreLike) -> None:
    bad = record("neg", amount=-5)
    first = store.ingest([bad, bad, record("ok1")])
    second = store.ingest([bad, record("ok2")])
    third = store.ingest([dict(reversed(list(bad.items())))])  # the same content, keys in another order
    assert (first.quarantined, second.quarantined, third.quarantined) == (2, 1, 1)  # refused each time...
    (entry,) = store.quarantined()  # ...kept once
    assert entry.fact_id == "neg"
    assert entry.key == store.quarantined("H1")[0].key
    assert [f.id for f in store.facts("H1")] == ["ok1", "ok2"]
    other = record("neg", amount=-6)  # another bad record: its own entry
    store.ingest([other])
    assert [json.loads(q.record)["income_per_capita"] for q in store.quarantined()] == [-5, -6]


def test_idempotent_quarantine_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    for _ in range(3):
        with SQLiteStore(path) as store:
            store.ingest([record("neg", amount=-5), {"kind": "nope"}])
    with SQLiteStore(path) as store:
        assert [q.fact_id for q in store.quarantined()] == ["neg", None]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (record("a\ud800"), "id"),
        (record("f1", hid="H\udfff"), "household_id"),
        (record("f2", note="x\ud800y"), "note"),
        (record("f3") | {"member_id": "\ud83d"}, "member_id"),
        (record("f4") | {"tags": ["ok", "\ud800"]}, "tags[1]"),
    ],
)
def test_text_utf8_cannot_encode_is_quarantined_naming_the_field(
    store: StoreLike, bad: dict[str, Any], field: str
) -> None:
    report = store.ingest([record("ok1"), bad, record("ok2")], batch_size=2)
    later = store.ingest([record("ok3")])
    assert (report.records, report.stored, report.quarantined) == (3, 2, 1)
    assert later.stored == 1
    assert [f.id for f in store.facts("H1")] == ["ok1", "ok2", "ok3"]
    (entry,) = store.quarantined()
    assert entry.error == "InvalidFact"
    assert f"field {field!r}" in entry.reason
    assert "UTF-8" in entry.reason
    entry.record.encode("utf-8")  # kept, escaped
    assert "\\ud8" in entry.record or "\\udf" in entry.record
    store.ingest([bad])  # the same record again: still one entry
    assert len(store.quarantined()) == 1


def test_append_and_put_household_refuse_text_utf8_cannot_encode(store: StoreLike) -> None:
    import datetime as dt
    from decimal import Decimal

    # Facts and households refuse such text when built; the store refuses it too, for values
    # that were not built through the validators (set after construction here).
    with pytest.raises(InvalidFact, match="field 'id'"):
        IncomeAssessed(id="f\ud800", household_id="H1", date=dt.date(2016, 1, 1), income_per_capita=Decimal(1))
    fact = IncomeAssessed(id="f1", household_id="H1", date=dt.date(2016, 1, 1), income_per_capita=Decimal(1))
    object.__setattr__(fact, "id", "f\ud800")
    with pytest.raises(InvalidFact, match="field 'id'"):
        store.append("H1", [fact])
    assert store.version("H1") == 0
    place, members = Place("Yubei", "Luqi", "Wuyi"), [Member(id="m1", birth_date=dt.date(1970, 1, 1))]
    with pytest.raises(InvalidHousehold, match="field 'id'"):
        Household(id="H\ud800", place=place, members=members)
    broken = Household(id="H1", place=place, members=members)
    object.__setattr__(broken, "id", "H\ud800")
    with pytest.raises(InvalidHousehold, match="field 'id'"):
        store.put_household(broken)
    assert store.household_ids() == ["H1"]  # the record stored before it alone
