"""Builders and tampering tools shared by the store tests."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from relapse_guard import (
    AssistanceGranted,
    ExitVerified,
    Fact,
    Household,
    IllnessReported,
    IncomeAssessed,
    Member,
    Place,
)
from relapse_guard.household import LabourCapacity
from relapse_guard.store import MemoryStore, SQLiteStore
from relapse_guard.store.chain import LogRow, chain_hash

StoreLike = MemoryStore | SQLiteStore
KINDS = ("memory", "sqlite")
KEY = b"0123456789abcdef-test-key"


def make_store(kind: str, path: Path | str = ":memory:", **options: Any) -> StoreLike:
    """A store of ``kind`` (``"memory"`` or ``"sqlite"``, in a file at ``path``)."""
    if kind == "memory":
        return MemoryStore(**options)
    return SQLiteStore(path, **options)


def national_id(n: int) -> str:
    """An 18-character personal id like a national id number."""
    return f"50011219800101{n:04d}"


def household(hid: str = "H1", size: int = 3) -> Household:
    return Household(
        id=hid,
        place=Place("Yubei", "Dashengzhen", "Qinglong"),
        members=tuple(
            Member(
                id=national_id(1000 * (sum(map(ord, hid)) % 9) + i),
                birth_date=dt.date(1968 + 2 * i, 5, 12),
                labour_capacity=LabourCapacity.FULL if i < 2 else LabourCapacity.NONE,
            )
            for i in range(size)
        ),
    )


def recorded(store: StoreLike, *household_ids: str) -> StoreLike:
    """``store`` holding the records of ``household_ids`` (``H1`` when none is given): a store
    keeps no fact of a household without its record."""
    store.put_households(household(hid) for hid in household_ids or ("H1",))
    return store


def income(fid: str, on: dt.date, amount: str | int, hid: str = "H1") -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id=hid, date=on, income_per_capita=Decimal(amount))


def story(h: Household) -> list[Fact]:
    """Identified, assisted, exited, falls ill while monitored (medical aid, safety net), relapses."""
    hid = h.id
    return [
        income(f"{hid}-inc1", dt.date(2015, 1, 5), 2500, hid),
        AssistanceGranted(id=f"{hid}-aid", household_id=hid, date=dt.date(2015, 2, 1), measure="industry project"),
        income(f"{hid}-inc2", dt.date(2015, 11, 1), 3900, hid),
        ExitVerified(id=f"{hid}-exit", household_id=hid, date=dt.date(2015, 11, 15)),
        IllnessReported(
            id=f"{hid}-ill",
            household_id=hid,
            date=dt.date(2017, 4, 3),
            member_id=h.members[0].id,
            self_paid_cost=Decimal("9000.50"),
            hospitalised=True,
        ),
        income(f"{hid}-inc3", dt.date(2017, 12, 1), 3100, hid),
    ]


# --- tampering with the decisions log, as someone with write access to the store would ----------


def _edited(payload: str) -> str:
    data = json.loads(payload)
    data["decision"]["explanation"] += " (edited)"
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Tamper:
    """Edits, deletes, reorders or inserts entries of a store's decisions log, bypassing the store."""

    def __init__(self, store: StoreLike) -> None:
        self.store = store
        if isinstance(store, SQLiteStore):
            db = store.connection
            db.execute("DROP TRIGGER decisions_append_only_update")
            db.execute("DROP TRIGGER decisions_append_only_delete")

    def _sql(self, sql: str, *args: object) -> None:
        assert isinstance(self.store, SQLiteStore)
        self.store.connection.execute(sql, args)

    def _row(self, seq: int) -> LogRow:
        if isinstance(self.store, MemoryStore):
            return self.store._log[seq - 1].row
        payload, previous, entry_hash = self.store.connection.execute(
            "SELECT payload, previous_hash, hash FROM decisions WHERE seq = ?", (seq,)
        ).fetchone()
        return LogRow(payload, previous, entry_hash)

    def _set_row(self, seq: int, row: LogRow) -> None:
        if isinstance(self.store, MemoryStore):
            log = self.store._log
            log[seq - 1] = attrs.evolve(log[seq - 1], row=row)
        else:
            self._sql(
                "UPDATE decisions SET payload = ?, previous_hash = ?, hash = ? WHERE seq = ?",
                row.payload,
                row.previous_hash,
                row.hash,
                seq,
            )

    def edit(self, seq: int) -> None:
        """Change an entry's explanation, leaving its hash."""
        row = self._row(seq)
        self._set_row(seq, attrs.evolve(row, payload=_edited(row.payload)))

    def rewrite(self, seq: int) -> None:
        """Change an entry's explanation and recompute its own hash."""
        row = self._row(seq)
        payload = _edited(row.payload)
        self._set_row(seq, LogRow(payload, row.previous_hash, chain_hash(row.previous_hash, payload)))

    def delete(self, seq: int) -> None:
        """Remove an entry."""
        if isinstance(self.store, MemoryStore):
            del self.store._log[seq - 1]
        else:
            self._sql("DELETE FROM decisions WHERE seq = ?", seq)

    def swap(self, a: int, b: int) -> None:
        """Exchange the places of two entries."""
        if isinstance(self.store, MemoryStore):
            log = self.store._log
            log[a - 1], log[b - 1] = log[b - 1], log[a - 1]
        else:
            self._sql("UPDATE decisions SET seq = -1 WHERE seq = ?", a)
            self._sql("UPDATE decisions SET seq = ? WHERE seq = ?", a, b)
            self._sql("UPDATE decisions SET seq = ? WHERE seq = -1", b)

    def duplicate(self, seq: int) -> None:
        """Copy an entry to the end of the log."""
        if isinstance(self.store, MemoryStore):
            self.store._log.append(self.store._log[seq - 1])
        else:
            self._sql(
                "INSERT INTO decisions (household_id, policy, digest, payload, previous_hash, hash) "
                "SELECT household_id, policy, digest, payload, previous_hash, hash FROM decisions WHERE seq = ?",
                seq,
            )


# --- tampering with the facts' chain and the checkpoints, as someone with write access would ------

#: The columns of a stored fact, in the order of a chained fact row (the memory store's tuples).
FACT_COLUMNS = ("seq", "fact_id", "household_id", "position", "kind", "date", "body", "link")
#: The columns of a checkpoint log entry, in the order of its row.
LOG_COLUMNS = ("seq", "household_id", "cycle", "digest", "link")
#: The columns of a checkpoint in force.
CHECKPOINT_COLUMNS = ("household_id", "policy", "facts_seen", "next_event", "body", "seq")


def changed(column: str, value: Any) -> Any:
    """Another value for a column, one that the table's constraints still take."""
    if isinstance(value, bytes | bytearray):
        return bytes([value[0] ^ 1]) + value[1:]
    if column == "body" and isinstance(value, str):
        return value[:-1] + ',"edited":true}'
    if column in ("position", "facts_seen"):
        return value + 100
    if column == "kind":
        return "job_lost" if value != "job_lost" else "exit_verified"
    if column in ("date", "next_event"):
        return "1999-01-01"
    if isinstance(value, str):
        return value + "-x"
    if value is None:
        return "edited"
    raise AssertionError(f"no other value for {column} = {value!r}")


class ChainTamper:
    """Edits, deletes and reorders stored facts, checkpoint log entries and checkpoints, bypassing the store."""

    def __init__(self, store: StoreLike) -> None:
        self.store = store
        if isinstance(store, SQLiteStore):
            for table in ("facts", "checkpoint_log", "decisions"):
                for event in ("update", "delete"):
                    store.connection.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event}")

    def _sql(self, sql: str, *args: object) -> None:
        assert isinstance(self.store, SQLiteStore)
        self.store.connection.execute(sql, args)

    # the facts' chain and the checkpoint log: rows by sequence number

    def _rows(self, table: str) -> list[Any]:
        assert isinstance(self.store, MemoryStore)
        return self.store._fact_log if table == "facts" else self.store._checkpoint_log

    def row(self, table: str, seq: int) -> tuple[Any, ...]:
        """The stored row of sequence number ``seq``, its columns in :data:`FACT_COLUMNS` (or
        :data:`LOG_COLUMNS`) order."""
        if isinstance(self.store, MemoryStore):
            (found,) = [row for row in self._rows(table) if row[0] == seq]
            return tuple(found)
        columns = ", ".join(FACT_COLUMNS if table == "facts" else LOG_COLUMNS)
        return tuple(self.store.connection.execute(f"SELECT {columns} FROM {table} WHERE seq = ?", (seq,)).fetchone())

    def set(self, table: str, seq: int, column: str, value: object) -> None:
        """Set one column of the row of sequence number ``seq``."""
        names = FACT_COLUMNS if table == "facts" else LOG_COLUMNS
        if isinstance(self.store, MemoryStore):
            rows = self._rows(table)
            index = next(i for i, row in enumerate(rows) if row[0] == seq)
            values = list(rows[index])
            values[names.index(column)] = value
            rows[index] = tuple(values)
        else:
            self._sql(f"UPDATE {table} SET {column} = ? WHERE seq = ?", value, seq)

    def edit(self, table: str, seq: int, column: str) -> None:
        """Change one column of a row to another value; ``link_prefix`` changes the last byte of its link
        (its hash's prefix), ``link`` the first (the hash before it)."""
        names = FACT_COLUMNS if table == "facts" else LOG_COLUMNS
        if column == "link_prefix":
            link = self.row(table, seq)[names.index("link")]
            self.set(table, seq, "link", link[:-1] + bytes([link[-1] ^ 1]))
            return
        self.set(table, seq, column, changed(column, self.row(table, seq)[names.index(column)]))

    def delete(self, table: str, seq: int) -> None:
        if isinstance(self.store, MemoryStore):
            rows = self._rows(table)
            rows[:] = [row for row in rows if row[0] != seq]
        else:
            self._sql(f"DELETE FROM {table} WHERE seq = ?", seq)

    def swap(self, table: str, a: int, b: int) -> None:
        """Exchange the places (sequence numbers) of two rows."""
        if isinstance(self.store, MemoryStore):
            rows = self._rows(table)
            i, j = (next(n for n, row in enumerate(rows) if row[0] == seq) for seq in (a, b))
            first, second = rows[i], rows[j]
            rows[i], rows[j] = (a, *second[1:]), (b, *first[1:])
        else:
            self._sql(f"UPDATE {table} SET seq = -1 WHERE seq = ?", a)
            self._sql(f"UPDATE {table} SET seq = ? WHERE seq = ?", a, b)
            self._sql(f"UPDATE {table} SET seq = ? WHERE seq = -1", b)

    def move(self, table: str, seq: int, to: int) -> None:
        """Give a row another sequence number (one no row has)."""
        if isinstance(self.store, MemoryStore):
            rows = self._rows(table)
            index = next(n for n, row in enumerate(rows) if row[0] == seq)
            row = rows.pop(index)
            rows.append((to, *row[1:]))
            rows.sort(key=lambda r: r[0])
        else:
            self._sql(f"UPDATE {table} SET seq = ? WHERE seq = ?", to, seq)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Store a row as given."""
        if isinstance(self.store, MemoryStore):
            self._rows(table).append(row)
        else:
            names = FACT_COLUMNS if table == "facts" else LOG_COLUMNS
            marks = ", ".join("?" * len(names))
            self._sql(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", *row)

    # the checkpoints in force, by household

    def checkpoint(self, household_id: str) -> tuple[Any, ...]:
        """A household's checkpoint (its columns in :data:`CHECKPOINT_COLUMNS` order)."""
        if isinstance(self.store, MemoryStore):
            tables = self.store._tables
            return (*tables.checkpoints[household_id], tables.checkpoint_seq[household_id])
        columns = ", ".join(CHECKPOINT_COLUMNS)
        return tuple(
            self.store.connection.execute(
                f"SELECT {columns} FROM checkpoints WHERE household_id = ?", (household_id,)
            ).fetchone()
        )

    def set_checkpoint(self, household_id: str, values: tuple[Any, ...]) -> None:
        """Replace a household's checkpoint with ``values`` (:data:`CHECKPOINT_COLUMNS` order)."""
        if isinstance(self.store, MemoryStore):
            tables = self.store._tables
            tables.checkpoints[household_id] = values[:5]
            tables.checkpoint_seq[household_id] = values[5]
        else:
            assignments = ", ".join(f"{name} = ?" for name in CHECKPOINT_COLUMNS[1:])
            self._sql(f"UPDATE checkpoints SET {assignments} WHERE household_id = ?", *values[1:], household_id)

    def edit_checkpoint(self, household_id: str, column: str) -> None:
        values = list(self.checkpoint(household_id))
        index = CHECKPOINT_COLUMNS.index(column)
        values[index] = changed(column, values[index])
        self.set_checkpoint(household_id, tuple(values))

    def delete_checkpoint(self, household_id: str) -> None:
        if isinstance(self.store, MemoryStore):
            tables = self.store._tables
            del tables.checkpoints[household_id]
            del tables.checkpoint_seq[household_id]
        else:
            self._sql("DELETE FROM checkpoints WHERE household_id = ?", household_id)

    # the decisions log, by sequence number: every column

    def decision(self, seq: int) -> dict[str, Any]:
        if isinstance(self.store, MemoryStore):
            entry = self.store._log[seq - 1]
            return {
                "household_id": entry.household_id,
                "policy": entry.policy,
                "digest": entry.digest,
                "payload": entry.row.payload,
                "previous_hash": entry.row.previous_hash,
                "hash": entry.row.hash,
            }
        names = ("household_id", "policy", "digest", "payload", "previous_hash", "hash")
        found = self.store.connection.execute(f"SELECT {', '.join(names)} FROM decisions WHERE seq = ?", (seq,))
        return dict(zip(names, found.fetchone(), strict=True))

    def edit_decision(self, seq: int, column: str) -> None:
        value = self.decision(seq)[column]
        new = _edited(value) if column == "payload" else ("0" if value[0] != "0" else "1") + value[1:]
        if isinstance(self.store, MemoryStore):
            log = self.store._log
            entry = log[seq - 1]
            changes: dict[str, Any] = {column: new}
            if column in ("payload", "previous_hash", "hash"):
                log[seq - 1] = attrs.evolve(entry, row=attrs.evolve(entry.row, **changes))
            else:
                log[seq - 1] = attrs.evolve(entry, **changes)
        else:
            self._sql(f"UPDATE decisions SET {column} = ? WHERE seq = ?", new, seq)
