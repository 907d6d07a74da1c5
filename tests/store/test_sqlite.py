"""What only the SQLite store has: the file, its schema version, WAL, indexes, append-only triggers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.errors import StoreError, UnknownSchemaVersion
from relapse_guard.store import SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS, SQLiteStore, StoredCheckpoint
from relapse_guard.store import sqlite as sqlite_store

from .helpers import household, income, story


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def test_everything_survives_closing_and_reopening(path: Path) -> None:
    h = household()
    with SQLiteStore(path) as store:
        store.put_household(h)
        store.append(h.id, story(h))
        store.ingest([{"kind": "job_lost", "id": "bad", "household_id": "H1", "date": "2016-01-01"}])
    with SQLiteStore(path) as store:
        assert store.household(h.id) == h
        assert store.facts(h.id) == story(h)
        assert store.version(h.id) == len(story(h))
        assert [q.fact_id for q in store.quarantined()] == ["bad"]


def test_the_schema_version_is_recorded_and_wal_is_on(path: Path) -> None:
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()
    with SQLiteStore(path) as store:  # the log is copied into the file every 10,000 pages, not 1,000
        assert store.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (10_000,)
    assert SCHEMA_VERSION in SUPPORTED_SCHEMA_VERSIONS


def test_a_file_of_an_unknown_schema_version_is_refused_clearly(path: Path) -> None:
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(UnknownSchemaVersion) as info:
        SQLiteStore(path)
    assert (info.value.path, info.value.found, info.value.supported) == (str(path), 99, SUPPORTED_SCHEMA_VERSIONS)
    message = str(info.value)
    assert str(path) in message
    assert "schema version 99" in message
    assert "reads schema version(s) 1" in message


def test_a_database_that_is_not_a_store_is_refused(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (id TEXT)")
    db.close()
    with pytest.raises(StoreError, match="not a relapse_guard store"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_database_is_refused(path: Path) -> None:
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        SQLiteStore(path)


def test_per_household_reads_use_an_index(path: Path) -> None:
    with SQLiteStore(path) as store:
        db = store.connection
        for sql in (
            "SELECT body FROM facts WHERE household_id = ? ORDER BY position",
            "SELECT version FROM streams WHERE household_id = ?",
            "SELECT payload, hash FROM decisions WHERE household_id = ? ORDER BY seq",
            "SELECT household_id, fact_id FROM quarantine WHERE household_id = ? ORDER BY id",
        ):
            plan = " ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql, ("H1",)))
            assert "USING" in plan
            assert "INDEX" in plan
            assert "SCAN" not in plan.replace("SCAN CONSTANT", "")


def test_facts_decisions_and_checkpoint_log_cannot_be_updated_or_deleted_through_sql(path: Path) -> None:
    h = household()
    with SQLiteStore(path) as store:
        store.put_household(h)
        store.append("H1", [income("f1", dt.date(2016, 1, 1), 3000)])
        store.record_decisions(Engine(load_policy("yubei_2016")).run(h, story(h)))
        store.save_checkpoints("c1", [(StoredCheckpoint("H1", "p@1", 1, None, b"state"), [])])
        db = store.connection
        for sql in (
            "UPDATE facts SET body = '{}'",
            "DELETE FROM facts",
            "UPDATE decisions SET payload = '{}'",
            "DELETE FROM decisions",
            "UPDATE checkpoint_log SET digest = x'00'",
            "DELETE FROM checkpoint_log",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql)
        assert store.version("H1") == 1
        assert store.verify().ok


def test_a_closed_store_says_so(path: Path) -> None:
    store = SQLiteStore(path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.version("H1")


def test_options_are_checked(path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteStore(path, synchronous="OFF")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="id_key"):
        SQLiteStore(path, id_key=b"short")
    with SQLiteStore(path, synchronous="NORMAL") as store:
        assert store.connection.execute("PRAGMA synchronous").fetchone() == (1,)


# --- schema version 4 (migrations: test_migration.py) ------------------------------------------


def test_a_new_file_is_version_5_with_the_cycle_tables_the_chains_the_bases_and_the_runs(path: Path) -> None:
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    columns = [row[1] for row in db.execute("PRAGMA table_info(facts)")]
    db.close()
    assert {"checkpoints", "pending", "alerts", "cycle_runs", "checkpoint_log", "chain_heads", "cycle_bases"} <= tables
    assert "cycles" not in tables  # its records became runs
    assert columns[0] == "seq"
    assert columns[-1] == "link"
    assert (SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS) == (5, (1, 2, 3, 4, 5))


def _plan(store: SQLiteStore, sql: str, *args: object) -> list[str]:
    return [str(row[-1]) for row in store.connection.execute("EXPLAIN QUERY PLAN " + sql, args)]


def test_the_cycle_finds_households_by_index_never_by_reading_every_household(path: Path) -> None:
    with SQLiteStore(path) as store:
        assert _plan(store, sqlite_store._DUE, "2016-03-01", -1) == [
            "SEARCH checkpoints USING INDEX checkpoints_by_next_event (next_event<?)",
            "USE TEMP B-TREE FOR ORDER BY",  # only the households due are sorted
        ]
        # pending is a WITHOUT ROWID table: stored as its primary key's index, read in key order
        assert _plan(store, sqlite_store._PENDING, -1) == ["SCAN pending"]
        (ddl,) = store.connection.execute("SELECT sql FROM sqlite_master WHERE name = 'pending'").fetchone()
        assert ddl.endswith("WITHOUT ROWID")
        versions = _plan(store, sqlite_store._VERSIONS_OF, "{}")
        assert versions[1] == "SEARCH s USING INDEX sqlite_autoindex_streams_1 (household_id=?)"
        after = _plan(store, sqlite_store._FACTS_AFTER, "{}")
        assert after[1] == "SEARCH f USING INDEX sqlite_autoindex_facts_2 (household_id=? AND position>?)"
