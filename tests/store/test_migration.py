"""Files written by earlier versions of the store, opened by this one: migrated to schema version 5.

``fixtures/store-v1.sqlite``, ``store-v2.sqlite``, ``store-v3.sqlite`` and ``store-v4.sqlite`` were
written by the store's code of those versions (``fixtures/make_store_files.py`` says how): three
households with records and facts, one with facts and no record, a quarantined record, logged
decisions, and in the files of version 2 and later a correction and a retraction, and the
checkpoints, alerts and record of a monitoring cycle (in the version-4 file, the record of the
cycle run again, which replaced the first run's).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from relapse_guard import load_policy
from relapse_guard.errors import StoreError
from relapse_guard.monitoring import Monitor
from relapse_guard.store import SQLiteStore, StoredCheckpoint, _schema
from relapse_guard.store import sqlite as sqlite_store

from .fixtures.make_store_files import household, story
from .helpers import income
from .test_ingest import record

FIXTURES = Path(__file__).parent / "fixtures"
HOUSEHOLDS_WITH_FACTS = ["H1", "H2", "H3", "H9"]
FACTS = {1: 19, 2: 21, 3: 21, 4: 21}  # stored in each file
FACT_COLUMNS = "fact_id, household_id, position, kind, date, body"


def copied(version: int, tmp_path: Path) -> Path:
    path = tmp_path / f"store-v{version}.sqlite"
    shutil.copyfile(FIXTURES / f"store-v{version}.sqlite", path)
    return path


def read(path: Path, sql: str) -> list[Any]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def content(path: Path, tables: tuple[str, ...]) -> dict[str, list[Any]]:
    """Each table's rows in a stable order; the facts in the order stored, by their own columns."""
    found = {table: read(path, f"SELECT * FROM {table} ORDER BY 1") for table in tables if table != "facts"}
    if "facts" in tables:
        order = "seq" if "seq" in {row[1] for row in read(path, "PRAGMA table_info(facts)")} else "rowid"
        found["facts"] = read(path, f"SELECT {FACT_COLUMNS} FROM facts ORDER BY {order}")
    return found


V1_TABLES = ("households", "streams", "facts", "quarantine", "decisions", "chain_head")
V2_TABLES = (*V1_TABLES, "pending", "alerts")  # and "cycles", whose rows became runs in version 5
V2_CHECKPOINT = "SELECT household_id, policy, facts_seen, next_event, body FROM checkpoints ORDER BY household_id"


def test_the_fixtures_are_what_each_version_wrote() -> None:
    assert read(FIXTURES / "store-v1.sqlite", "SELECT version FROM schema_version") == [(1,)]
    assert read(FIXTURES / "store-v2.sqlite", "SELECT version FROM schema_version") == [(2,)]
    assert "checkpoints" not in {
        name for (name,) in read(FIXTURES / "store-v1.sqlite", "SELECT name FROM sqlite_master")
    }
    assert len(read(FIXTURES / "store-v2.sqlite", V2_CHECKPOINT)) == 3


def test_a_version_2_file_is_migrated_when_opened_and_nothing_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copied(2, tmp_path)
    before = content(path, V2_TABLES)
    checkpoints = read(path, V2_CHECKPOINT)
    assert len(before["facts"]) == FACTS[2]
    with caplog.at_level(logging.INFO, logger="relapse_guard.store"), SQLiteStore(path) as store:
        db = store.connection
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(5,)]
        # every row kept; the facts chained in the order they were stored
        assert content(path, V2_TABLES) == before
        assert db.execute("SELECT seq FROM facts ORDER BY seq").fetchall() == [(n,) for n in range(1, FACTS[2] + 1)]
        assert db.execute(V2_CHECKPOINT).fetchall() == checkpoints
        # each checkpoint logged (by no cycle), in household order
        assert db.execute("SELECT seq, household_id, cycle FROM checkpoint_log").fetchall() == [
            (1, "H1", None),
            (2, "H2", None),
            (3, "H3", None),
        ]
        assert db.execute("SELECT household_id, seq FROM checkpoints ORDER BY 1").fetchall() == [
            ("H1", 1),
            ("H2", 2),
            ("H3", 3),
        ]
        report = store.verify()
        assert report.ok, str(report)
        assert (report.facts, report.entries, report.checkpoints) == (FACTS[2], 54, 3)
        assert store.heads().facts == report.fact_head
        h = household(2)
        assert store.household("H2") == h
        assert [f.id for f in store.facts("H2")] == [f.id for f in story(h)] + ["H2-unill"]
        assert store.facts("H1")[-1].kind == "fact_corrected"
        assert store.pending_households() == ["H9"]  # as the cycle left it
        assert db.execute("SELECT cycle, run FROM cycle_runs").fetchall() == [("2017-12-31", 1)]
    migrated = [r for r in caplog.records if "migrated" in r.getMessage()]
    assert [(r.levelno, r.getMessage()) for r in migrated] == [
        (logging.INFO, f"store {str(path)!r}: schema migrated from version 2 to 5")
    ]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="relapse_guard.store"), SQLiteStore(path) as store:
        assert store.verify().ok
    assert not [r for r in caplog.records if "migrated" in r.getMessage()]


def test_a_version_1_file_is_migrated_through_version_2(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = copied(1, tmp_path)
    before = content(path, V1_TABLES)
    with caplog.at_level(logging.INFO, logger="relapse_guard.store"), SQLiteStore(path) as store:
        assert store.connection.execute("SELECT version FROM schema_version").fetchall() == [(5,)]
        assert content(path, V1_TABLES) == before
        report = store.verify()
        assert report.ok, str(report)
        assert (report.facts, report.entries, report.checkpoints) == (FACTS[1], 51, 0)
        assert store.pending_households() == HOUSEHOLDS_WITH_FACTS  # none has a checkpoint yet
        assert [q.fact_id for q in store.quarantined()] == ["bad"]
    assert [r.getMessage() for r in caplog.records if "migrated" in r.getMessage()] == [
        f"store {str(path)!r}: schema migrated from version 1 to 5"
    ]


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_a_migrated_store_works_and_stays_verified(version: int, tmp_path: Path) -> None:
    path = copied(version, tmp_path)
    with SQLiteStore(path) as store:
        # H1's seventh fact; in the files of version 2 and 3, its eighth: after a correction
        assert store.append("H1", [income("new", dt.date(2018, 1, 5), 3000)]) == (7 if version == 1 else 8)
        assert store.ingest([record("f10", hid="H2", date="2018-01-09"), record("bad2", amount=-1)]).stored == 1
        Monitor(store, load_policy("yubei_2016")).cycle([], as_of=dt.date(2018, 1, 31))
        report = store.verify()
        assert report.ok, str(report)
        assert report.facts == FACTS[version] + 2
        # the cycle checkpoints the households with new facts (H9 has no record): 2, or all 3 at first
        assert report.checkpoints == (3 if version == 1 else 3 + 2)
        assert store.facts("H1")[-1].id == "new"
        # and a fact edited in the file is named
        Tamper(store).edit_fact(2)
        first = store.verify().first("facts")
        assert first is not None
        assert (first.what, first.sequence, first.household_id) == ("edited", 2, "H1")


class Tamper:
    def __init__(self, store: SQLiteStore) -> None:
        self.db = store.connection
        self.db.execute("DROP TRIGGER facts_append_only_update")

    def edit_fact(self, seq: int) -> None:
        self.db.execute("UPDATE facts SET body = replace(body, '\"2015-', '\"2014-') WHERE seq = ?", (seq,))
        self.db.execute("UPDATE facts SET date = replace(date, '2015-', '2014-') WHERE seq = ?", (seq,))


def _schema_of(path: Path) -> dict[str, Any]:
    """Each table's columns (name, type, not null, default, primary key), indexes (unique, columns) and
    triggers: what a store's statements rely on."""
    db = sqlite3.connect(path)
    try:
        tables = sorted(name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        shape: dict[str, Any] = {}
        for table in tables:
            columns = [row[1:] for row in db.execute(f"PRAGMA table_info({table})")]
            indexes = sorted(
                (unique, tuple(column for *_, column in db.execute(f"PRAGMA index_info({name})")))
                for _, name, unique, *_ in db.execute(f"PRAGMA index_list({table})")
            )
            shape[table] = (columns, indexes)
        shape["triggers"] = sorted(
            (name, table)
            for name, table in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        )
        return shape
    finally:
        db.close()


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_a_migrated_file_has_the_schema_of_a_new_file(version: int, tmp_path: Path) -> None:
    path = copied(version, tmp_path)
    SQLiteStore(path).close()
    SQLiteStore(tmp_path / "new.sqlite").close()
    assert _schema_of(path) == _schema_of(tmp_path / "new.sqlite")
    index_names = {name for (name,) in read(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"sqlite_autoindex_facts_1", "sqlite_autoindex_facts_2"} <= index_names


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_a_migration_that_fails_leaves_the_file_as_it_was(
    version: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copied(version, tmp_path)
    before = _schema_of(path), content(path, V1_TABLES)
    # the last step of every migration fails, after the others did their work
    broken = (*_schema.MIGRATIONS[4], "INSERT INTO no_such_table VALUES (1)")
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", {**_schema.MIGRATIONS, 4: broken})
    with pytest.raises(StoreError, match="no_such_table"):
        SQLiteStore(path)
    monkeypatch.undo()
    assert (_schema_of(path), content(path, V1_TABLES)) == before
    assert read(path, "SELECT version FROM schema_version") == [(version,)]
    with SQLiteStore(path) as store:  # and a later open migrates it
        assert store.verify().facts == FACTS[version]


def test_the_migration_chains_facts_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_schema, "_MIGRATION_CHUNK", 4)
    path = copied(2, tmp_path)
    with SQLiteStore(path) as store:
        report = store.verify()
        assert report.ok, str(report)
        assert report.facts == FACTS[2]
    fresh = tmp_path / "again.sqlite"
    shutil.copyfile(FIXTURES / "store-v2.sqlite", fresh)
    monkeypatch.undo()
    with SQLiteStore(fresh) as again:  # the same chain, whatever the chunks
        assert again.heads().facts == report.fact_head


def test_a_checkpoint_saved_after_the_migration_is_logged_after_the_migrated_ones(tmp_path: Path) -> None:
    path = copied(2, tmp_path)
    with SQLiteStore(path) as store:
        store.save_checkpoints("2018-01", [(StoredCheckpoint("H1", "yubei_2016@2016.1", 6, None, b"s"), [])])
        assert store.connection.execute(
            "SELECT seq, household_id, cycle FROM checkpoint_log WHERE seq > 3"
        ).fetchall() == [(4, "H1", "2018-01")]
        assert store.verify().ok


def test_a_version_3_file_gains_the_cycle_bases_and_a_cycle_run_again_appends_as_version_3_did(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copied(3, tmp_path)
    tables = (*V2_TABLES, "checkpoints", "checkpoint_log", "chain_heads")
    before = content(path, tables)
    with caplog.at_level(logging.INFO, logger="relapse_guard.store"), SQLiteStore(path) as store:
        assert content(path, tables) == before
        assert store.connection.execute("SELECT count(*) FROM cycle_bases").fetchall() == [(0,)]
        assert store.verify().ok
        # The file's cycle saved H1 before the migration: no base, so a run of it again appends.
        stored = store.alerts("2017-12-31", "H1")
        assert stored
        store.append("H1", [income("late", dt.date(2017, 12, 20), 3000)])
        Monitor(store, load_policy("yubei_2016")).cycle([], as_of=dt.date(2017, 12, 31))
        assert store.alerts("2017-12-31", "H1")[: len(stored)] == stored
        assert store.cycle_bases("2017-12-31", ["H1"])["H1"] is not None  # kept from now on
    assert [r.getMessage() for r in caplog.records if "migrated" in r.getMessage()] == [
        f"store {str(path)!r}: schema migrated from version 3 to 5"
    ]


def test_a_version_4_file_keeps_its_cycle_record_as_the_cycle_s_first_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copied(4, tmp_path)
    tables = (*V2_TABLES, "checkpoints", "checkpoint_log", "chain_heads", "cycle_bases")
    before = content(path, tables)
    (record,) = read(path, "SELECT cycle, body FROM cycles")
    with caplog.at_level(logging.INFO, logger="relapse_guard.store"), SQLiteStore(path) as store:
        assert content(path, tables) == before
        assert store.cycles() == ["2017-12-31"]
        assert store.cycle_runs("2017-12-31") == [record[1]]  # version 4's one record, as run 1
        assert store.verify().ok
        monitor = Monitor(store, load_policy("yubei_2016"))
        monitor.cycle([], as_of=dt.date(2017, 12, 31))  # run again: a second run, the first kept
        first, second = monitor.runs(dt.date(2017, 12, 31))
        assert first == json.loads(record[1])
        assert (second["run"], second["finished"]) == (2, True)
    assert [r.getMessage() for r in caplog.records if "migrated" in r.getMessage()] == [
        f"store {str(path)!r}: schema migrated from version 4 to 5"
    ]


def test_the_alerts_a_version_3_file_holds_read_without_their_message_and_a_cycle_runs_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alerts stored before they kept their message read with their detail as what they say, in
    every language; the cycle run again over them, and the next one, announce nothing anew."""
    from relapse_guard.cli import main
    from relapse_guard.messages import UNTRANSLATED
    from relapse_guard.monitoring import Alert

    path = copied(3, tmp_path)
    with SQLiteStore(path) as store:
        bodies = [body for _, body in store.alerts("2017-12-31")]
        assert bodies
        assert all('"message"' not in body for body in bodies)
        monitor = Monitor(store, load_policy("yubei_2016"))
        stored = monitor.alerts(dt.date(2017, 12, 31))
        assert [alert.to_json() for alert in stored] != bodies  # read with a message: the detail, untranslated
        for alert in stored:
            assert alert.message.key == UNTRANSLATED
            assert alert.render("zh-CN") == alert.detail
            assert Alert.from_json(alert.to_json()) == alert
        again = monitor.cycle([], as_of=dt.date(2017, 12, 31))
        assert again.rescreened == 0
        assert sum(again.alert_counts.values()) == len(stored)
        assert [body for _, body in store.alerts("2017-12-31")] == bodies
        later = monitor.cycle([], as_of=dt.date(2018, 1, 31))
        kinds = set(later.alert_counts)
        assert not kinds & {"new_risk", "state_changed", "grant_started"}  # the checkpoints said it all before
        assert store.verify().ok
    # and the command lists them, the kind by its label, what they say as stored (the file is
    # migrated now: it opens read-only)
    assert main(["alerts", str(path), "--cycle", "2017-12-31", "--lang", "zh-CN", "--kind", "state_changed"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        # stored before alerts named a town and village, or said what was still open: no place, new
        *(f"2017-12-01 {hid} - [状态变化] 本期新增：new -> assisted since 2017-12-01" for hid in ("H1", "H2", "H3")),
        "监测周期 2017-12-31 共 3 条预警",
    ]
