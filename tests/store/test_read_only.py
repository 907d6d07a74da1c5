"""``SQLiteStore(path, read_only=True)``: reads and verifies a store without writing to it, never
creates a file, and refuses to migrate one."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest

from relapse_guard.errors import InvalidArgument, StoreError
from relapse_guard.store import SQLiteStore, StoredCheckpoint

from .helpers import household, story

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A store of one household with its facts, closed."""
    path = tmp_path / "a store.db"  # a space: the file is opened by URI
    h = household()
    with SQLiteStore(path) as store:
        store.put_household(h)
        store.append(h.id, story(h))
    return path


def test_it_reads_and_verifies_and_leaves_the_file_as_it_was(path: Path) -> None:
    before = path.read_bytes()
    with SQLiteStore(path, read_only=True) as store:
        assert store.read_only
        assert store.facts("H1") == story(household())
        report = store.verify()
        assert report.ok
        assert report.facts == len(story(household()))
    assert path.read_bytes() == before


def test_every_write_is_refused(path: Path) -> None:
    with SQLiteStore(path, read_only=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.append("H1", [])
        with pytest.raises(StoreError, match="read-only"):
            store.put_household(household("H2"))
        with pytest.raises(StoreError, match="read-only"):
            store.save_checkpoints("c1", [(StoredCheckpoint("H1", "p@1", 1, None, b"x"), [])])
        with pytest.raises(StoreError, match="read-only"):
            store.put_cycle("c1", "{}")
    with SQLiteStore(path) as store:
        assert store.household_ids() == ["H1"]
        assert store.cycles() == []


def test_a_missing_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        SQLiteStore(tmp_path / "missing.db", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_or_another_database_is_not_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="is empty, not a relapse_guard store"):
        SQLiteStore(empty, read_only=True)
    assert empty.stat().st_size == 0
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a relapse_guard store"):
        SQLiteStore(other, read_only=True)


def test_a_file_of_an_older_schema_is_refused_not_migrated(tmp_path: Path) -> None:
    old = tmp_path / "v2.sqlite"
    shutil.copyfile(FIXTURES / "store-v2.sqlite", old)
    before = old.read_bytes()
    with pytest.raises(StoreError, match="schema version 2 and is opened read-only"):
        SQLiteStore(old, read_only=True)
    assert old.read_bytes() == before


def test_a_writer_and_a_reader_share_the_file(path: Path) -> None:
    with SQLiteStore(path) as writer, SQLiteStore(path, read_only=True) as reader:
        writer.put_household(household("H2"))
        assert reader.household_ids() == ["H1", "H2"]
        assert reader.verify().ok


def test_the_opener_opens_it_read_only_again(path: Path) -> None:
    with SQLiteStore(path, read_only=True) as store:
        opener = pickle.loads(pickle.dumps(store.opener()))
    with opener() as again:
        assert again.read_only
    with pytest.raises(InvalidArgument, match="in-memory"):
        SQLiteStore(":memory:", read_only=True)
