"""A cycle run again keeps every run's record, and a store runs one cycle at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from relapse_guard.errors import CycleRunning
from relapse_guard.monitoring import CycleProgress, Monitor
from relapse_guard.store import MemoryStore, SQLiteStore, Store

from .county import county, month_end, monthly_batches, records, stored

POLICY = "yubei_2016"


def _county(store: Store) -> list[list[object]]:
    people = county(60)
    stored(store, people)
    return monthly_batches(people)  # type: ignore[return-value]


def test_a_cycle_run_again_keeps_what_each_run_did() -> None:
    store = MemoryStore()
    batches = _county(store)
    monitor = Monitor(store, POLICY, chunk_size=20)
    first = monitor.cycle(records(batches[0]), as_of=month_end(0))  # type: ignore[arg-type]
    again = monitor.cycle(records(batches[0]), as_of=month_end(0))  # type: ignore[arg-type]
    assert (first.run, again.run) == (1, 2)
    assert (again.ingest.stored, again.picked) == (0, 0)
    one, two = monitor.runs(month_end(0))
    assert (one["run"], one["finished"], one["ingest"]["stored"], one["rescreened"]) == (
        1,
        True,
        first.ingest.stored,
        first.rescreened,
    )
    assert one["ingest"]["stored"] > 0
    assert one["rescreened"] == 60
    assert (two["run"], two["finished"], two["ingest"]["stored"], two["ingest"]["duplicates"]) == (
        2,
        True,
        0,
        first.ingest.stored,
    )
    for run in (one, two):
        assert run["started_at"] <= run["finished_at"]
        assert run["started_at"].endswith("+00:00")
    assert {key: value for key, value in one.items() if key not in ("started_at", "finished_at", "finished")} == {
        **first.to_dict(),
        "seconds": one["seconds"],
    }
    assert monitor.runs(month_end(1)) == []


def test_a_run_stopped_part_way_leaves_the_record_of_what_it_had_done(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "county.db")
    batches = _county(store)

    def stop(progress: CycleProgress) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the first chunk

    monitor = Monitor(store, POLICY, chunk_size=20)
    with pytest.raises(KeyboardInterrupt):
        monitor.cycle(records(batches[0]), as_of=month_end(0), progress=stop)  # type: ignore[arg-type]
    (stopped,) = monitor.runs(month_end(0))
    assert (stopped["finished"], stopped["picked"], stopped["rescreened"]) == (False, 60, 20)
    assert "finished_at" not in stopped
    assert stopped["ingest"]["stored"] == len(batches[0])
    rest = monitor.cycle(records(batches[0]), as_of=month_end(0))  # type: ignore[arg-type]
    assert (rest.run, rest.ingest.stored, rest.rescreened) == (2, 0, 40)
    runs = monitor.runs(month_end(0))
    assert sum(run["ingest"]["stored"] for run in runs) == len(batches[0])
    assert sum(run["rescreened"] for run in runs) == 60
    store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_cycle_asked_for_while_one_runs_is_refused_at_once_and_stores_nothing(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    store: Store = MemoryStore() if kind == "memory" else SQLiteStore(path)
    batches = _county(store)
    other = store if kind == "memory" else SQLiteStore(path)  # another process's, for a file
    refused: list[CycleRunning] = []

    def meanwhile(progress: CycleProgress) -> None:
        if refused:
            return
        facts = sum(other.version(hid) for hid in other.household_ids())
        with pytest.raises(CycleRunning) as error:
            Monitor(other, POLICY).cycle(records(batches[1]), as_of=month_end(1))  # type: ignore[arg-type]
        refused.append(error.value)
        assert sum(other.version(hid) for hid in other.household_ids()) == facts  # February's: none stored
        assert other.cycles() == [month_end(0).isoformat()]  # and no run of it recorded

    Monitor(store, POLICY, chunk_size=20).cycle(records(batches[0]), as_of=month_end(0), progress=meanwhile)  # type: ignore[arg-type]
    (error,) = refused
    assert (error.refused, error.cycle) == (month_end(1).isoformat(), month_end(0).isoformat())
    assert "a cycle is running on it" in str(error)
    after = Monitor(other, POLICY).cycle(records(batches[1]), as_of=month_end(1))  # type: ignore[arg-type]
    assert after.ingest.stored == len(batches[1])  # once the first has finished
    store.close()
    other.close()


def test_worker_processes_open_the_store_under_the_cycle_s_lock(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "county.db") as store:
        batches = _county(store)
        monitor = Monitor(store, POLICY, chunk_size=10, workers=2, open_store=store.opener())
        report = monitor.cycle(records(batches[0]), as_of=month_end(0))  # type: ignore[arg-type]
        assert (report.rescreened, report.problems) == (60, ())
        assert [run["finished"] for run in monitor.runs(month_end(0))] == [True]
