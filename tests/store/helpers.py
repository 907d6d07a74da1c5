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
