"""``SQLiteStore(path, read_only=True)``: reads and verifies a store without writing to it, never
creates a file, and refuses to migrate one."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import subprocess
import sys
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


def _beside(path: Path) -> list[str]:
    """The files SQLite keeps beside ``path`` (its -wal and -shm) that exist."""
    return sorted(name for name in (path.name + "-wal", path.name + "-shm") if (path.parent / name).exists())


def test_reading_leaves_no_wal_or_shm_file_behind(path: Path) -> None:
    """SQLite makes ``-wal`` and ``-shm`` to read a WAL database, ``mode=ro`` too, and a read-only
    connection cannot take them away: ``quarantined``, ``verify`` and ``explain --store`` left them."""
    assert _beside(path) == []  # the writer took them away when it closed
    before = path.read_bytes()
    with SQLiteStore(path, read_only=True) as store:
        assert store.verify().ok
        assert _beside(path) == [path.name + "-shm", path.name + "-wal"]  # SQLite's, while it reads
    assert _beside(path) == []
    assert path.read_bytes() == before
    old = path.parent / "v2.sqlite"
    shutil.copyfile(FIXTURES / "store-v2.sqlite", old)
    with pytest.raises(StoreError):
        SQLiteStore(old, read_only=True)
    assert _beside(old) == []


def test_a_reader_leaves_a_writers_files_and_writes_alone(path: Path) -> None:
    with SQLiteStore(path) as writer:
        writer.put_household(household("H2"))
        files = _beside(path)
        assert files == [path.name + "-shm", path.name + "-wal"]
        with SQLiteStore(path, read_only=True) as reader:
            assert reader.household_ids() == ["H1", "H2"]
        assert _beside(path) == files  # the writer's: not taken away under it
        writer.put_household(household("H3"))
        with SQLiteStore(path, read_only=True) as reader:  # it found them there: it leaves them
            writer.append("H3", story(household("H3")))
            assert reader.household_ids() == ["H1", "H2", "H3"]
            assert reader.facts("H3") == story(household("H3"))
            assert reader.verify().ok
        assert writer.verify().ok
    assert _beside(path) == []
    with SQLiteStore(path, read_only=True) as reader:
        assert reader.version("H3") == len(story(household("H3")))


_WRITER = """
import sys
from relapse_guard.store import SQLiteStore
sys.path.insert(0, sys.argv[2])
from helpers import household, story

with SQLiteStore(sys.argv[1]) as writer:
    writer.put_household(household("H4"))
    print("open", flush=True)
    sys.stdin.readline()
    writer.append("H4", story(household("H4")))
    print("wrote", flush=True)
    sys.stdin.readline()
"""


def test_a_reader_leaves_the_files_of_a_writer_in_another_process_alone(path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(Path(__file__).parent)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdin is not None
        assert writer.stdout is not None
        try:
            assert writer.stdout.readline() == "open\n"
            files = _beside(path)
            assert files == [path.name + "-shm", path.name + "-wal"]
            with SQLiteStore(path, read_only=True) as reader:
                assert reader.household_ids() == ["H1", "H4"]
            assert _beside(path) == files  # the writer's, open: left alone
            writer.stdin.write("\n")
            writer.stdin.flush()
            assert writer.stdout.readline() == "wrote\n"
            with SQLiteStore(path, read_only=True) as reader:
                assert reader.facts("H4") == story(household("H4"))
                assert reader.verify().ok
            writer.stdin.write("\n")
            writer.stdin.flush()
            assert writer.wait(timeout=60) == 0
        finally:
            writer.kill()
    assert _beside(path) == []
    with SQLiteStore(path, read_only=True) as reader:
        assert reader.verify().ok
    assert _beside(path) == []
