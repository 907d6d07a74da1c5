"""Real processes: two writers sharing one SQLite file lose nothing; a writer killed mid-ingest leaves whole batches."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from relapse_guard.store import SQLiteStore

from .helpers import household

HERE = Path(__file__).resolve().parent


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The workers module, importable by name in spawned processes (they inherit ``sys.path``)."""
    monkeypatch.syspath_prepend(str(HERE))
    return importlib.import_module("store_workers")


def test_two_processes_appending_to_one_household_lose_nothing(tmp_path: Path, workers: Any) -> None:
    path = str(tmp_path / "shared.db")
    h = household()
    with SQLiteStore(path) as store:
        store.put_household(h)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = context.Barrier(2)
    count = 30
    processes = [
        context.Process(target=workers.append_worker, args=(path, h.id, prefix, count, start, results))
        for prefix in ("a", "b")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    conflicts = dict(results.get(timeout=5) for _ in processes)
    assert set(conflicts) == {"a", "b"}
    print("conflicts retried:", conflicts)
    with SQLiteStore(path) as store:
        assert store.version(h.id) == 2 * count
        ids = [f.id for f in store.facts(h.id)]
        assert sorted(ids) == sorted(f"{p}-{n}" for p in "ab" for n in range(count))
        positions = [row[0] for row in store.connection.execute("SELECT position FROM facts ORDER BY position")]
        assert positions == list(range(1, 2 * count + 1))
        report = store.verify()
        assert report.ok, str(report)
        assert report.entries > 0


@pytest.mark.parametrize("when", ["inside a transaction", "at any moment"])
def test_a_writer_killed_mid_ingest_leaves_only_whole_batches(tmp_path: Path, workers: Any, when: str) -> None:
    path = tmp_path / "killed.db"
    batches, batch_size, stall = 400, 1000, 4
    command = [sys.executable, str(HERE / "store_workers.py"), "ingest", str(path), str(batches), str(batch_size)]
    if when == "inside a transaction":
        command.append(str(stall))
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    committed_printed: list[int] = []
    for line in child.stdout:
        what, number = line.split()
        if what == "committed":
            committed_printed.append(int(number))
        if when == "inside a transaction" and what == "writing" and int(number) == stall:
            break  # batch 4's facts are written, and it will not commit before it is killed
        if when == "at any moment" and len(committed_printed) == 3:
            time.sleep(random.uniform(0, 0.05))
            break
    os.kill(child.pid, signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    committed_printed += [int(n) for what, n in (line.split() for line in rest.splitlines()) if what == "committed"]
    assert committed_printed == list(range(1, len(committed_printed) + 1))
    assert len(committed_printed) < batches
    if when == "inside a transaction":
        assert committed_printed == [1, 2, 3]
        assert (tmp_path / "killed.db-wal").stat().st_size > 0

    with SQLiteStore(path) as store:  # the database opens
        db = store.connection
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        facts_per_batch = dict(
            db.execute(
                "SELECT CAST(substr(fact_id, 2, instr(fact_id, '-') - 2) AS INTEGER), count(*) FROM facts GROUP BY 1"
            ).fetchall()
        )
        quarantined_per_batch = dict(
            db.execute(
                "SELECT CAST(substr(fact_id, 2, instr(fact_id, '-') - 2) AS INTEGER), count(*) "
                "FROM quarantine GROUP BY 1"
            ).fetchall()
        )
        committed = sorted(facts_per_batch)
        # Every batch printed as committed is there, whole; a batch killed mid-way is not there at all.
        assert set(committed_printed) <= set(committed)
        assert committed == list(range(1, len(committed) + 1))
        if when == "inside a transaction":
            assert committed == [1, 2, 3]
        assert all(n == batch_size - 1 for n in facts_per_batch.values())
        assert quarantined_per_batch == dict.fromkeys(committed, 1)
        # Versions agree with the facts: each household's positions run 1..version.
        for hid in store.household_ids():
            positions = [r[0] for r in db.execute("SELECT position FROM facts WHERE household_id = ?", (hid,))]
            assert sorted(positions) == list(range(1, store.version(hid) + 1))
        # And the store goes on: the interrupted ingest can simply be run again.
        ids_before = db.execute("SELECT count(*) FROM facts").fetchone()[0]
        report = store.ingest(workers.records(len(committed) + 1, batch_size), batch_size=batch_size)
        assert report.duplicates == len(committed) * (batch_size - 1)
        assert report.stored == batch_size - 1
        assert db.execute("SELECT count(*) FROM facts").fetchone()[0] == ids_before + batch_size - 1
