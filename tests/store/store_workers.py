"""Code run in other processes by the store tests (imported by name in spawned processes, or run as a script).

``python store_workers.py ingest DB BATCHES BATCH_SIZE [STALL]`` stores the records of
households H0 to H49, then ingests BATCHES batches into DB; each batch holds BATCH_SIZE - 1
valid facts with ids ``b<batch>-<n>`` and one bad record. It prints (flushed) ``writing N``
inside batch N's transaction, once its facts are inserted and before it commits, and
``committed N`` once batch N is committed. With STALL, it stops for a minute inside the
transaction of batch STALL, so a parent that kills it then kills it mid-batch. Its page cache
is tiny, so a batch's pages reach the write-ahead log before the batch commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from relapse_guard import Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.errors import ConcurrencyConflict
from relapse_guard.store import BatchReport, SQLiteStore, replay
from relapse_guard.store import sqlite as sqlite_store

HOUSEHOLDS = 50


def append_worker(
    path: str, household_id: str, prefix: str, count: int, start: Any, results: multiprocessing.Queue[Any]
) -> None:
    """Append ``count`` facts one by one with optimistic concurrency, retrying on conflicts; log decisions.

    ``start`` is a barrier: the writers begin together.
    """
    policy = load_policy("yubei_2016")
    conflicts = 0
    with SQLiteStore(path) as store:
        start.wait()
        for n in range(count):
            fact = IncomeAssessed(
                id=f"{prefix}-{n}",
                household_id=household_id,
                date=dt.date(2016, 1, 1) + dt.timedelta(days=n),
                income_per_capita=Decimal(2000 + n),
            )
            while True:
                version = store.version(household_id)
                try:
                    store.append(household_id, [fact], expected_version=version)
                    break
                except ConcurrencyConflict:
                    conflicts += 1
            if n % 10 == 9:
                store.record_decisions(replay(store, household_id, policy))
    results.put((prefix, conflicts))


def records(batches: int, batch_size: int) -> Iterator[dict[str, Any]]:
    """The records of the kill test: batch ``b`` is records ``b-1`` ... with one bad record last."""
    for batch in range(1, batches + 1):
        for n in range(batch_size - 1):
            yield {
                "kind": "income_assessed",
                "id": f"b{batch}-{n}",
                "household_id": f"H{n % HOUSEHOLDS}",
                "date": "2016-03-01",
                "income_per_capita": str(1000 + n),
            }
        yield {"kind": "income_assessed", "id": f"b{batch}-bad", "household_id": "H0", "date": "2016-03-01"}


def _household(household_id: str) -> Household:
    return Household(
        id=household_id, place=Place("Yubei", "T", "V"), members=(Member(id="m1", birth_date=dt.date(1970, 1, 1)),)
    )


def _print_batch(batch: BatchReport) -> None:
    print("committed", batch.number, flush=True)


def _announce_writes(stall: int | None) -> None:
    """Make each batch say, from inside its transaction, that its facts are written but not committed."""
    batches = itertools.count(1)

    def announce() -> None:
        number = next(batches)
        print("writing", number, flush=True)
        if number == stall:
            time.sleep(60)  # inside the transaction: a kill now leaves half a batch to undo

    original = sqlite_store._Writer.insert_facts
    original_new = sqlite_store._Writer.insert_new_facts

    def insert_facts(self: Any, rows: Any, versions: Any, head: Any) -> None:
        original(self, rows, versions, head)
        announce()

    def insert_new_facts(self: Any, rows: Any, versions: Any, head: Any) -> bool:
        inserted = original_new(self, rows, versions, head)
        if inserted:
            announce()
        return inserted

    sqlite_store._Writer.insert_facts = insert_facts  # type: ignore[method-assign]
    sqlite_store._Writer.insert_new_facts = insert_new_facts  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    command, path, batches, batch_size, *stall = argv
    assert command == "ingest"
    _announce_writes(int(stall[0]) if stall else None)
    with SQLiteStore(path) as store:
        store.put_households(_household(f"H{n}") for n in range(HOUSEHOLDS))  # a store keeps facts of these alone
        store.connection.execute("PRAGMA cache_size = 8")  # pages: spill to the WAL before commit
        store.ingest(records(int(batches), int(batch_size)), batch_size=int(batch_size), progress=_print_batch)


if __name__ == "__main__":
    main(sys.argv[1:])
