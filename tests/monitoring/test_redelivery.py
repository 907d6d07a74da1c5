"""A month's file delivered incomplete, the cycle run, then the corrected file delivered and the
cycle run again: the store ends as if the cycle had run once with the corrected file."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import ExitVerified, Fact
from relapse_guard.household import Household
from relapse_guard.lifecycle import State
from relapse_guard.monitoring import Monitor
from relapse_guard.store import MemoryStore, SQLiteStore, Store

from .county import county, month_end, monthly_batches, records, stored

POLICY = "dazu_2016"  # reviews and case steps fall due: alerts that come from the date alone
PEOPLE = county(40, seed=3)
BATCHES = monthly_batches(PEOPLE, seed=2)
MONTH = 3


def _state(store: Store) -> tuple[dict[str, bytes], list[tuple[str, str]], list[str]]:
    checkpoints = {hid: row.body for hid, row in store.checkpoints(store.household_ids()).items()}
    return checkpoints, sorted(store.alerts(month_end(MONTH).isoformat())), store.pending_households()


def _months_before(store: Store, people: list[tuple[Household, list[Fact]]]) -> Monitor:
    stored(store, people)
    monitor = Monitor(store, POLICY, chunk_size=7)
    for month in range(MONTH):
        monitor.cycle(records(BATCHES[month]), as_of=month_end(month))
    return monitor


def _once() -> tuple[tuple[dict[str, bytes], list[tuple[str, str]], list[str]], int]:
    store = MemoryStore()
    monitor = _months_before(store, PEOPLE)
    report = monitor.cycle(records(BATCHES[MONTH]), as_of=month_end(MONTH))
    return _state(store), report.replayed


ONCE, REPLAYED_ONCE = _once()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0.0, 1.0))
def test_a_month_delivered_again_corrected_ends_as_one_delivery(seed: int, share: float) -> None:
    batch = BATCHES[MONTH]
    rng = random.Random(seed)
    first = [fact for fact in batch if rng.random() < share]
    store = MemoryStore()
    monitor = _months_before(store, PEOPLE)
    monitor.cycle(records(first), as_of=month_end(MONTH))
    report = monitor.cycle(records(batch), as_of=month_end(MONTH))  # the whole file, delivered again
    assert _state(store) == ONCE
    assert report.ingest.stored == len(batch) - len(first)
    assert sum(report.alert_counts.values()) == len(ONCE[1])
    # Resumed from their bases: a fact of the month is not late because the month ran before.
    assert report.replayed <= REPLAYED_ONCE


def test_the_corrected_file_in_a_sqlite_store_and_the_cycle_run_a_third_time(tmp_path: Path) -> None:
    batch = BATCHES[MONTH]
    store = SQLiteStore(tmp_path / "county.db")
    monitor = _months_before(store, PEOPLE)
    monitor.cycle(records(batch[: len(batch) // 2]), as_of=month_end(MONTH))
    monitor.cycle(records(batch), as_of=month_end(MONTH))
    assert _state(store) == ONCE
    again = monitor.cycle(records(batch), as_of=month_end(MONTH))
    assert again.rescreened == 0
    assert _state(store) == ONCE


def test_a_household_the_corrected_file_makes_a_problem_goes_back_to_its_base() -> None:
    # The first delivery lacks a fact the engine refuses (an exit of a household never assisted):
    # the first run rescreens the household, the second finds it a problem. It must not keep
    # the first run's checkpoint and alerts, which one run with the whole file never made.
    batch = BATCHES[MONTH]
    policy = load_policy(POLICY)
    once = MemoryStore()
    _months_before(once, PEOPLE).cycle(records(batch), as_of=month_end(MONTH))
    states = {
        hid: Checkpoint.from_bytes(row.body, policy).state
        for hid, row in once.checkpoints(once.household_ids()).items()
    }
    hid = next(fact.household_id for fact in batch if states[fact.household_id] is State.NEW)
    refused = ExitVerified(id=f"{hid}-exit", household_id=hid, date=month_end(MONTH) - dt.timedelta(days=3))
    whole = [*batch, refused]

    def state(store: Store) -> tuple[object, ...]:
        return (*_state(store), store.pending_households())

    one = MemoryStore()
    single = _months_before(one, PEOPLE).cycle(records(whole), as_of=month_end(MONTH))
    two = MemoryStore()
    monitor = _months_before(two, PEOPLE)
    monitor.cycle(records(batch), as_of=month_end(MONTH))
    again = monitor.cycle(records(whole), as_of=month_end(MONTH))
    assert [p.household_id for p in single.problems] == [p.household_id for p in again.problems] == [hid]
    assert state(two) == state(one)
    assert hid not in {h for h, _ in two.alerts(month_end(MONTH).isoformat())}
    assert again.rescreened == 0  # the refused household is not counted as rescreened
