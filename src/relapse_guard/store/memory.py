"""An in-memory store: the same behaviour as :class:`~.sqlite.SQLiteStore`, kept in dicts, for tests.

Writes are buffered during a transaction and applied at its end under a lock, so a write
that fails stores nothing, as in SQLite. Nothing survives the process.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from itertools import islice

import attrs

from ._core import CheckpointRow, Snapshot, StoreBase
from ._lock import InProcessLock
from ._writer import AlertRow, ChainedFactRow, CheckpointLogRow, LogEntry
from .base import QuarantinedRecord, StoredCheckpoint
from .chain import ChainHead, row_fault

__all__ = ["MemoryStore"]


class _Tables:
    def __init__(self) -> None:
        self.households: dict[str, str] = {}
        self.streams: dict[str, list[str]] = {}
        self.facts: dict[str, tuple[str, str]] = {}
        self.fact_log: list[ChainedFactRow] = []  # the facts' chain, in the order stored
        self.fact_head = ChainHead()
        self.quarantine: list[QuarantinedRecord] = []
        self.log: list[LogEntry] = []
        self.digests: dict[tuple[str, str], set[str]] = {}
        self.head = ChainHead()
        self.checkpoints: dict[str, CheckpointRow] = {}
        self.checkpoint_seq: dict[str, int] = {}  # household -> its checkpoint's entry in the checkpoint log
        self.checkpoint_log: list[CheckpointLogRow] = []
        self.checkpoint_head = ChainHead()
        # The index of next events: (ISO date, household id), sorted; a household without one is not in it.
        self.due: list[tuple[str, str]] = []
        self.pending: set[str] = set()
        self.alerts: dict[str, dict[str, list[str]]] = {}  # cycle -> household -> bodies in order
        self.bases: dict[str, tuple[str, CheckpointRow | None]] = {}  # household -> (cycle, its base)
        self.cycles: dict[str, list[str]] = {}  # cycle -> the record of each run, in order

    def put_checkpoint(self, row: CheckpointRow) -> None:
        hid, event = row[0], row[3]
        old = self.checkpoints.get(hid)
        if old is not None and old[3] is not None:
            del self.due[bisect.bisect_left(self.due, (old[3], hid))]
        if event is not None:
            bisect.insort(self.due, (event, hid))
        self.checkpoints[hid] = row


class _Writer:
    """Reads the committed tables; buffers writes until :meth:`commit`."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables
        self._facts: list[ChainedFactRow] = []
        self._fact_head: ChainHead | None = None
        self._households: list[tuple[str, str]] = []
        self._quarantine: list[QuarantinedRecord] = []
        self._log: list[LogEntry] = []
        self._head: ChainHead | None = None
        self._checkpoints: list[tuple[CheckpointRow, int]] = []
        self._checkpoint_log: list[CheckpointLogRow] = []
        self._checkpoint_head: ChainHead | None = None
        self._pending: dict[str, bool] = {}  # household -> pending or not, the last said
        self._alerts: list[AlertRow] = []
        self._cleared: list[tuple[str, Collection[str]]] = []  # alerts deleted: (cycle, households)
        self._bases: list[tuple[str, Mapping[str, CheckpointRow | None]]] = []
        self._cycles: list[tuple[str, int, str]] = []  # (cycle, run, record)

    def versions(self, household_ids: Collection[str]) -> dict[str, int]:
        streams = self._tables.streams
        return {hid: len(streams[hid]) for hid in household_ids if hid in streams}

    def stored_facts(self, fact_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        facts = self._tables.facts
        return {fid: facts[fid] for fid in fact_ids if fid in facts}

    def recorded(self, household_ids: Collection[str]) -> set[str]:
        records = self._tables.households
        return {hid for hid in household_ids if hid in records}

    def fact_head(self) -> ChainHead:
        return self._tables.fact_head

    def checkpoint_head(self) -> ChainHead:
        return self._tables.checkpoint_head

    def insert_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> None:
        # A household's version is the length of its stream: ``versions`` follows from ``rows``.
        self._facts.extend(rows)
        self._fact_head = head
        self.mark_pending(versions.keys())

    def insert_new_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> bool:
        facts = self._tables.facts
        if any(row[1] in facts for row in rows):
            return False
        self.insert_facts(rows, versions, head)
        return True

    def put_households(self, rows: Sequence[tuple[str, str]]) -> None:
        self._households.extend(rows)

    def quarantine(self, rows: Sequence[QuarantinedRecord]) -> None:
        self._quarantine.extend(rows)

    def quarantined_keys(self, household_ids: Collection[str | None]) -> set[str]:
        wanted = set(household_ids)
        return {r.key for r in self._tables.quarantine if r.household_id in wanted}

    def logged_digests(self, household_id: str, policy: str, digests: Collection[str]) -> set[str]:
        return self._tables.digests.get((household_id, policy), set()) & set(digests)

    def chain_head(self) -> ChainHead:
        return self._tables.head

    def append_log(self, entries: Sequence[LogEntry], head: ChainHead) -> None:
        self._log.extend(entries)
        self._head = head

    def put_checkpoints(
        self, rows: Sequence[StoredCheckpoint], entries: Sequence[CheckpointLogRow], head: ChainHead
    ) -> None:
        self._checkpoints.extend(
            (
                (
                    c.household_id,
                    c.policy,
                    c.facts_seen,
                    None if c.next_event is None else c.next_event.isoformat(),
                    c.body,
                ),
                entry[0],
            )
            for c, entry in zip(rows, entries, strict=True)
        )
        self._checkpoint_log.extend(entries)
        self._checkpoint_head = head

    def mark_pending(self, household_ids: Collection[str]) -> None:
        self._pending.update(dict.fromkeys(household_ids, True))

    def clear_pending(self, household_ids: Collection[str]) -> None:
        self._pending.update(dict.fromkeys(household_ids, False))

    def based(self, cycle: str, household_ids: Collection[str]) -> set[str]:
        bases = self._tables.bases
        return {hid for hid in household_ids if hid in bases and bases[hid][0] == cycle}

    def keep_bases(self, cycle: str, household_ids: Collection[str]) -> None:
        rows = self._tables.checkpoints  # as committed: this transaction's checkpoints come after
        self._bases.append((cycle, {hid: rows.get(hid) for hid in household_ids}))

    def delete_alerts(self, cycle: str, household_ids: Collection[str]) -> None:
        self._cleared.append((cycle, list(household_ids)))

    def alert_positions(self, cycle: str, household_ids: Collection[str]) -> dict[str, int]:
        stored = self._tables.alerts.get(cycle, {})
        return {hid: len(stored[hid]) for hid in household_ids if stored.get(hid)}

    def insert_alerts(self, rows: Sequence[AlertRow]) -> None:
        self._alerts.extend(rows)

    def cycle_run_count(self, cycle: str) -> int:
        return max([len(self._tables.cycles.get(cycle, ())), *(run for c, run, _ in self._cycles if c == cycle)])

    def put_cycle_run(self, cycle: str, run: int, body: str) -> None:
        self._cycles.append((cycle, run, body))

    def commit(self) -> None:
        tables = self._tables
        tables.households.update(self._households)
        for row in self._facts:
            _, fact_id, household_id, _, _, _, body, _ = row
            tables.streams.setdefault(household_id, []).append(body)
            tables.facts[fact_id] = (household_id, body)
            tables.fact_log.append(row)
        if self._fact_head is not None:
            tables.fact_head = self._fact_head
        tables.quarantine.extend(self._quarantine)
        for entry in self._log:
            tables.log.append(entry)
            tables.digests.setdefault((entry.household_id, entry.policy), set()).add(entry.digest)
        if self._head is not None:
            tables.head = self._head
        for checkpoint, seq in self._checkpoints:
            tables.put_checkpoint(checkpoint)
            tables.checkpoint_seq[checkpoint[0]] = seq
        tables.checkpoint_log.extend(self._checkpoint_log)
        if self._checkpoint_head is not None:
            tables.checkpoint_head = self._checkpoint_head
        for hid, pending in self._pending.items():
            if pending:
                tables.pending.add(hid)
            else:
                tables.pending.discard(hid)
        for cycle, bases in self._bases:
            tables.bases.update((hid, (cycle, base)) for hid, base in bases.items())
        for cycle, cleared in self._cleared:
            stored = tables.alerts.get(cycle, {})
            for hid in cleared:
                stored.pop(hid, None)
        for cycle, hid, _, body in self._alerts:  # positions follow from the order appended
            tables.alerts.setdefault(cycle, {}).setdefault(hid, []).append(body)
        for cycle, run, body in self._cycles:
            runs = tables.cycles.setdefault(cycle, [])
            if run > len(runs):
                runs.append(body)
            else:
                runs[run - 1] = body


class MemoryStore(StoreBase):
    """A store held in memory, for tests and short-lived tools.

    >>> from relapse_guard.store import MemoryStore
    >>> with MemoryStore() as store:
    ...     store.version("h1")
    0

    ``id_key`` (bytes) makes it store member ids as keyed hashes, as
    :class:`~relapse_guard.store.sqlite.SQLiteStore` does.
    """

    def __init__(self, *, id_key: bytes | None = None) -> None:
        super().__init__(id_key=id_key)
        self._lock = threading.RLock()
        self._tables = _Tables()
        self._cycle_held = InProcessLock("a MemoryStore")

    @property
    def _log(self) -> list[LogEntry]:
        """The log's entries in order (tests reach in here to tamper with them)."""
        return self._tables.log

    @property
    def _fact_log(self) -> list[ChainedFactRow]:
        """The facts' chain in order (tests reach in here to tamper with it; reads use the streams)."""
        return self._tables.fact_log

    @property
    def _checkpoint_log(self) -> list[CheckpointLogRow]:
        """The checkpoint log in order (tests reach in here to tamper with it)."""
        return self._tables.checkpoint_log

    @contextmanager
    def _write(self) -> Iterator[_Writer]:
        with self._lock:
            writer = _Writer(self._tables)
            yield writer
            writer.commit()

    def _household_body(self, household_id: str) -> str | None:
        with self._lock:
            return self._tables.households.get(household_id)

    def _fact_bodies(self, household_id: str) -> list[str]:
        with self._lock:
            return list(self._tables.streams.get(household_id, ()))

    def _version(self, household_id: str) -> int:
        with self._lock:
            return len(self._tables.streams.get(household_id, ()))

    def _household_ids(self) -> list[str]:
        with self._lock:
            return sorted(set(self._tables.households) | set(self._tables.streams))

    def _quarantine_rows(self, household_id: str | None) -> list[QuarantinedRecord]:
        with self._lock:
            rows = self._tables.quarantine
            return [r for r in rows if household_id is None or r.household_id == household_id]

    def _log_entries(self, household_id: str, policy: str | None) -> list[tuple[str, str]]:
        with self._lock:
            return [
                (e.row.payload, e.row.hash)
                for e in self._tables.log
                if e.household_id == household_id and (policy is None or e.policy == policy)
            ]

    def _household_bodies(self, household_ids: list[str]) -> dict[str, str]:
        with self._lock:
            records = self._tables.households
            return {hid: records[hid] for hid in household_ids if hid in records}

    def _pending_ids(self, limit: int | None) -> list[str]:
        with self._lock:
            return sorted(self._tables.pending)[:limit]

    def _due_ids(self, as_of: str, limit: int | None) -> list[str]:
        with self._lock:
            due = self._tables.due
            end = bisect.bisect_right(due, as_of, key=lambda entry: entry[0])
            return sorted(hid for _, hid in islice(due, end))[:limit]

    def _checkpoint_rows(self, household_ids: list[str]) -> list[CheckpointRow]:
        with self._lock:
            rows = self._tables.checkpoints
            return [rows[hid] for hid in dict.fromkeys(household_ids) if hid in rows]

    def _facts_after(self, positions: dict[str, int]) -> dict[str, tuple[int, list[str]]]:
        with self._lock:
            streams = self._tables.streams
            found: dict[str, tuple[int, list[str]]] = {}
            for hid, position in positions.items():
                stream = streams.get(hid, [])
                found[hid] = (len(stream), stream[position:])
            return found

    def _alert_rows(self, cycle: str, household_id: str | None) -> list[tuple[str, str]]:
        with self._lock:
            stored = self._tables.alerts.get(cycle, {})
            ids = sorted(stored) if household_id is None else [household_id]
            return [(hid, body) for hid in ids for body in stored.get(hid, ())]

    def _base_rows(self, cycle: str, household_ids: list[str]) -> dict[str, CheckpointRow | None]:
        with self._lock:
            bases = self._tables.bases
            return {hid: bases[hid][1] for hid in household_ids if hid in bases and bases[hid][0] == cycle}

    def _cycle_bodies(self, cycle: str) -> list[str]:
        with self._lock:
            return list(self._tables.cycles.get(cycle, ()))

    def _cycle_names(self) -> list[str]:
        with self._lock:
            return sorted(self._tables.cycles)

    def _checkpoint_totals(self) -> tuple[int, int]:
        with self._lock:
            rows = self._tables.checkpoints.values()
            return len(rows), sum(len(row[4]) for row in rows)

    def _cycle_lock(self, cycle: str) -> AbstractContextManager[None]:
        return self._cycle_held.hold(cycle)

    @contextmanager
    def _snapshot(self) -> Iterator[Snapshot]:
        with self._lock:
            tables = self._tables
            decisions = [
                attrs.evolve(
                    entry.row, fault=row_fault(entry.row.payload, entry.household_id, entry.policy, entry.digest)
                )
                for entry in tables.log
            ]
            facts = list(tables.fact_log)
            versions = {hid: len(stream) for hid, stream in tables.streams.items()}
            log = list(tables.checkpoint_log)
            current = [(*row, tables.checkpoint_seq.get(hid, 0)) for hid, row in sorted(tables.checkpoints.items())]
            yield Snapshot(
                decisions=lambda: decisions,
                decisions_head=tables.head,
                facts=lambda: facts,
                facts_head=tables.fact_head,
                versions=lambda: versions,
                checkpoint_log=lambda: log,
                checkpoints_head=tables.checkpoint_head,
                checkpoints=lambda: current,
            )
