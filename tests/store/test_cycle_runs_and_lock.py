"""A store keeps the record of every run of a cycle, and runs one cycle at a time (its cycle lock)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.errors import CycleRunning, InvalidArgument, StoreError, WrongType
from relapse_guard.store import MemoryStore, SQLiteStore

from .helpers import StoreLike

# Holds the cycle lock of the store at argv[1] and says so, then waits to be killed.
_HOLDER = """
import sys, time
from relapse_guard.store import SQLiteStore
store = SQLiteStore(sys.argv[1])
with store.lock_cycle("2017-05-31"):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_each_run_of_a_cycle_keeps_its_record(store: StoreLike) -> None:
    assert (store.cycle("2017-05-31"), store.cycle_runs("2017-05-31")) == (None, [])
    assert store.put_cycle("2017-05-31", json.dumps({"stored": 977, "rescreened": 919})) == 1
    assert store.put_cycle("2017-04-30", "{}") == 1
    assert store.put_cycle("2017-05-31", json.dumps({"stored": 0, "duplicates": 977})) == 2
    runs = [json.loads(body) for body in store.cycle_runs("2017-05-31")]
    assert runs == [{"stored": 977, "rescreened": 919}, {"stored": 0, "duplicates": 977}]
    assert json.loads(store.cycle("2017-05-31") or "") == runs[-1]  # the latest run's
    assert store.cycles() == ["2017-04-30", "2017-05-31"]


def test_a_run_s_record_is_replaced_as_it_goes_and_no_other(store: StoreLike) -> None:
    store.put_cycle("c", "first, started")
    store.put_cycle("c", "second, started")
    assert store.put_cycle("c", "first, killed part way", run=1) == 1
    assert store.cycle_runs("c") == ["first, killed part way", "second, started"]
    with pytest.raises(InvalidArgument, match=r"cycle 'c' has no run 3 to record again \(runs recorded: 2\)"):
        store.put_cycle("c", "x", run=3)
    with pytest.raises(InvalidArgument, match="cycle 'd' has no run 1"):
        store.put_cycle("d", "x", run=1)
    with pytest.raises(WrongType, match="run"):
        store.put_cycle("c", "x", run=True)
    with pytest.raises(InvalidArgument, match="run"):
        store.put_cycle("c", "x", run=0)
    assert store.cycle_runs("c") == ["first, killed part way", "second, started"]
    assert store.cycles() == ["c"]


def test_a_second_cycle_on_a_sqlite_file_is_refused_at_once_naming_the_store_and_the_running_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "county.db"
    with SQLiteStore(path) as first, SQLiteStore(path) as second:
        with first.lock_cycle("2017-05-31"):
            with pytest.raises(CycleRunning) as refused, second.lock_cycle("2017-06-30"):
                pytest.fail("two cycles held the lock")
            with pytest.raises(CycleRunning), first.lock_cycle("2017-05-31"):  # the same store object too
                pytest.fail("the lock was taken twice")
        error = refused.value
        assert (error.store, error.refused, error.cycle) == (str(path), "2017-06-30", "2017-05-31")
        assert error.pid == os.getpid()
        assert str(error.since).endswith("+00:00")
        assert str(error).startswith(
            f"store {str(path)!r}: a cycle is running on it (cycle 2017-05-31, since {error.since}, process "
        )
        assert "cycle 2017-06-30 was refused and stored nothing" in str(error)
        with second.lock_cycle("2017-06-30"):  # released: the next one runs
            pass
    assert (tmp_path / "county.db.cycle-lock").exists()  # left beside the file: its presence means nothing


def test_a_cycle_killed_with_kill_9_leaves_the_store_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    SQLiteStore(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        with SQLiteStore(path) as store:
            with pytest.raises(CycleRunning, match=f"process {child.pid}"), store.lock_cycle("2017-06-30"):
                pass
            os.kill(child.pid, signal.SIGKILL)
            child.communicate(timeout=30)
            with store.lock_cycle("2017-06-30"):  # the lock died with the process
                pass
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate(timeout=30)


def test_a_store_in_memory_refuses_a_cycle_within_a_cycle() -> None:
    for store in (MemoryStore(), SQLiteStore(":memory:")):
        with (
            store.lock_cycle("2017-05-31"),
            pytest.raises(CycleRunning, match=r"a cycle is running on it \(cycle 2017-05-31"),
            store.lock_cycle("2017-05-31"),
        ):
            pass
        with store.lock_cycle("2017-06-30"):
            pass
        store.close()


def test_a_read_only_store_runs_no_cycle(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "s.db").close()
    with (
        SQLiteStore(tmp_path / "s.db", read_only=True) as store,
        pytest.raises(StoreError, match="open read-only: no cycle can run on it"),
        store.lock_cycle("2017-05-31"),
    ):
        pass
    assert not (tmp_path / "s.db.cycle-lock").exists()


def test_a_lock_file_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    (tmp_path / "s.db.cycle-lock").mkdir()  # a directory where the lock file goes
    with (
        SQLiteStore(path) as store,
        pytest.raises(StoreError, match="cannot open its cycle lock file"),
        store.lock_cycle("2017-05-31"),
    ):
        pass
