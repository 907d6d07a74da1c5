"""The embedded default store: one SQLite file (stdlib :mod:`sqlite3`, no server).

- Write-ahead log (WAL) and ``synchronous=FULL``: a committed transaction survives a
  crash of the process or the machine; readers never block the writer. The log is copied
  into the file every 10,000 pages (40 MB), so it grows to about that size while open.
- Every write is one ``BEGIN IMMEDIATE`` transaction: writers queue on the file lock
  (``busy_timeout``) instead of failing, and a version read inside the transaction is
  the one the write is checked against, so processes sharing a file lose nothing.
- The schema version is stored; a file of an older version is migrated when opened (in one
  transaction), a file of an unknown version is refused
  (:class:`~relapse_guard.errors.UnknownSchemaVersion`).
- Triggers refuse any UPDATE or DELETE of facts, decisions and checkpoint log entries: all
  three are append-only, and each is a hash chain (:meth:`~SQLiteStore.verify`).

One :class:`SQLiteStore` per thread or process; many may open the same file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from itertools import chain
from os import PathLike
from pathlib import Path
from typing import Literal

from ..errors import InvalidArgument, StoreError, UnknownSchemaVersion, WrongType, typed_repr
from ._core import CheckpointRow, Snapshot, StoreBase
from ._lock import LOCK_SUFFIX, InProcessLock, file_lock
from ._schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS
from ._writer import AlertRow, ChainedFactRow, CheckpointLogRow, LogEntry
from .base import QuarantinedRecord, StoredCheckpoint
from .chain import ChainHead, LogRow, row_fault
from .codec import digest

__all__ = ["SQLiteStore"]

logger = logging.getLogger("relapse_guard.store")

# Copy the write-ahead log into the database file (and flush it) once the log holds this many
# pages (40 MB of 4 KB pages), not at SQLite's default of 1,000: a batch of ingest writes a few
# MB, and a checkpoint after each would double its flushes. Durability is the same: every commit
# is flushed to the log.
_CHECKPOINT_PAGES = 10_000

# Stay well below SQLite's limit on bound parameters per statement.
_CHUNK = 500


def _chunked(items: Collection[str]) -> Iterator[list[str]]:
    values = list(items)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _rollback(db: sqlite3.Connection) -> None:
    # SQLite has already rolled back after some errors: then there is nothing left to undo.
    with contextlib.suppress(sqlite3.Error):
        db.execute("ROLLBACK")


def _end_read(db: sqlite3.Connection) -> None:
    # After some errors SQLite has already ended the transaction: then there is nothing to end.
    with contextlib.suppress(sqlite3.Error):
        db.execute("COMMIT")


def _wal_files(path: str) -> tuple[Path, Path]:
    """The write-ahead log and shared-memory index SQLite keeps beside a WAL database ``path``."""
    return Path(path + "-wal"), Path(path + "-shm")


def _tidy_after_reading(path: str) -> None:
    """Take away the ``-wal`` and ``-shm`` files a read-only connection to ``path`` made.

    SQLite (3.22 and later) makes them to read a WAL database even with ``mode=ro``, and a
    read-only connection cannot remove them when it closes, as the last connection of a writer
    does. ``immutable=1`` would make none, but it tells SQLite the file never changes: reading a
    store another process is writing would then give wrong answers. So the connection stays
    ``mode=ro``, and after it closes a plain one (``mode=rw``: the file is not made again) reads
    and closes: SQLite removes the two files only if it is the last connection to the file, after
    a checkpoint of a log with nothing in it; while a writer has the file open, they stay, as
    theirs. Nothing of the store changes. A file that cannot be opened for writing keeps them."""
    if not any(file.exists() for file in _wal_files(path)):
        return
    uri = Path(path).absolute().as_uri() + "?mode=rw"
    with contextlib.suppress(sqlite3.Error):
        db = sqlite3.connect(uri, isolation_level=None, uri=True)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the log, to close it
        finally:
            db.close()


def _marks(n: int) -> str:
    return ",".join("?" * n)


# Rows per INSERT statement when inserting many: one statement stores this many rows, so the
# per-statement work (binding, stepping, opening the table and its indexes) is shared. Far
# below SQLite's oldest limit of 999 bound values for the widest row.
_ROWS_PER_INSERT = 100


def _insert_many(
    db: sqlite3.Connection, head: str, width: int, rows: Sequence[Sequence[object]], tail: str = ""
) -> None:
    """``head VALUES (?, ...) tail`` for each of ``rows`` (tuples of ``width`` values), in statements of
    :data:`_ROWS_PER_INSERT` rows, then one row a statement for the rest."""
    row = f"({_marks(width)})"
    whole = len(rows) - len(rows) % _ROWS_PER_INSERT
    if whole:
        sql = f"{head} VALUES {','.join([row] * _ROWS_PER_INSERT)} {tail}"
        flat = chain.from_iterable
        db.executemany(sql, [list(flat(rows[i : i + _ROWS_PER_INSERT])) for i in range(0, whole, _ROWS_PER_INSERT)])
    if whole < len(rows):
        db.executemany(f"{head} VALUES {row} {tail}", rows[whole:])


_CHAINED_FACT = "seq, fact_id, household_id, position, kind, date, body, link"
_INSERT_FACTS = f"INSERT INTO facts ({_CHAINED_FACT})"
_FACT_COLUMNS = 8
_SET_HEAD = (
    "INSERT INTO chain_heads (name, seq, hash) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"
)
# What a write reads of a batch, in one query each: the ids as a JSON array.
_VERSIONS = "SELECT s.household_id, s.version FROM json_each(?) AS w JOIN streams AS s ON s.household_id = w.value"
_STORED_FACTS = "SELECT f.fact_id, f.household_id, f.body FROM json_each(?) AS w JOIN facts AS f ON f.fact_id = w.value"
_RECORDED = "SELECT h.household_id FROM json_each(?) AS w JOIN households AS h ON h.household_id = w.value"

# The monthly cycle's reads: by the pending table's key and the index on next_event, never by
# reading every household. ``LIMIT -1`` is no limit.
_PENDING = "SELECT household_id FROM pending ORDER BY household_id LIMIT ?"
_DUE = (
    "SELECT household_id FROM checkpoints INDEXED BY checkpoints_by_next_event "
    "WHERE next_event <= ? ORDER BY household_id LIMIT ?"
)
# Facts after a position, for a batch of households given as a JSON object {household id: position}.
_VERSIONS_OF = "SELECT s.household_id, s.version FROM json_each(?) AS w JOIN streams AS s ON s.household_id = w.key"
_FACTS_AFTER = (
    "SELECT f.household_id, f.body FROM json_each(?) AS w "
    "JOIN facts AS f ON f.household_id = w.key AND f.position > w.value "
    "ORDER BY f.household_id, f.position"
)


class _Writer:
    """The storage primitives inside one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def versions(self, household_ids: Collection[str]) -> dict[str, int]:
        # one query for the whole batch: the ids as one JSON array, each looked up by the primary key
        return dict(self._db.execute(_VERSIONS, (json.dumps(list(household_ids)),)).fetchall())

    def stored_facts(self, fact_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        rows = self._db.execute(_STORED_FACTS, (json.dumps(list(fact_ids)),))
        return {fid: (hid, body) for fid, hid, body in rows}

    def recorded(self, household_ids: Collection[str]) -> set[str]:
        return {hid for (hid,) in self._db.execute(_RECORDED, (json.dumps(list(household_ids)),))}

    def _head(self, name: str) -> ChainHead:
        row = self._db.execute("SELECT seq, hash FROM chain_heads WHERE name = ?", (name,)).fetchone()
        return ChainHead() if row is None else ChainHead(row[0], row[1])

    def fact_head(self) -> ChainHead:
        return self._head("facts")

    def checkpoint_head(self) -> ChainHead:
        return self._head("checkpoints")

    def insert_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> None:
        _insert_many(self._db, _INSERT_FACTS, _FACT_COLUMNS, rows)
        self._db.execute(_SET_HEAD, ("facts", head.sequence, head.hash))
        self._versions_and_pending(versions)

    def _versions_and_pending(self, versions: Mapping[str, int]) -> None:
        ordered = sorted(versions.items())  # in key order: index pages written one after the other
        _insert_many(
            self._db,
            "INSERT INTO streams (household_id, version)",
            2,
            ordered,
            "ON CONFLICT (household_id) DO UPDATE SET version = excluded.version",
        )
        self.mark_pending([hid for hid, _ in ordered])

    def insert_new_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> bool:
        # The facts' unique id refuses a stored id: then the savepoint undoes what was inserted.
        self._db.execute("SAVEPOINT new_facts")
        try:
            _insert_many(self._db, _INSERT_FACTS, _FACT_COLUMNS, rows)
        except sqlite3.IntegrityError:
            self._db.execute("ROLLBACK TO new_facts")
            self._db.execute("RELEASE new_facts")
            return False
        self._db.execute("RELEASE new_facts")
        self._db.execute(_SET_HEAD, ("facts", head.sequence, head.hash))
        self._versions_and_pending(versions)
        return True

    def put_households(self, rows: Sequence[tuple[str, str]]) -> None:
        self._db.executemany(
            "INSERT INTO households (household_id, body) VALUES (?, ?) "
            "ON CONFLICT (household_id) DO UPDATE SET body = excluded.body",
            rows,
        )

    def quarantine(self, rows: Sequence[QuarantinedRecord]) -> None:
        self._db.executemany(
            "INSERT INTO quarantine (household_id, fact_id, error, reason, record) VALUES (?, ?, ?, ?, ?)",
            [(r.household_id, r.fact_id, r.error, r.reason, r.record) for r in rows],
        )

    def quarantined_keys(self, household_ids: Collection[str | None]) -> set[str]:
        # Few records per household are quarantined: read them by the household index and hash them.
        ids = [hid for hid in household_ids if hid is not None]
        records: list[str] = []
        for chunk in _chunked(ids):
            sql = f"SELECT record FROM quarantine WHERE household_id IN ({_marks(len(chunk))})"
            records.extend(record for (record,) in self._db.execute(sql, chunk))
        if None in household_ids:
            records.extend(
                record for (record,) in self._db.execute("SELECT record FROM quarantine WHERE household_id IS NULL")
            )
        return {digest(record) for record in records}

    def logged_digests(self, household_id: str, policy: str, digests: Collection[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunked(digests):
            sql = (
                "SELECT digest FROM decisions WHERE household_id = ? AND policy = ? "
                f"AND digest IN ({_marks(len(chunk))})"
            )
            found.update(d for (d,) in self._db.execute(sql, [household_id, policy, *chunk]))
        return found

    def chain_head(self) -> ChainHead:
        row = self._db.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
        return ChainHead() if row is None else ChainHead(row[0], row[1])

    def append_log(self, entries: Sequence[LogEntry], head: ChainHead) -> None:
        self._db.executemany(
            "INSERT INTO decisions (seq, household_id, policy, digest, payload, previous_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (e.sequence, e.household_id, e.policy, e.digest, e.row.payload, e.row.previous_hash, e.row.hash)
                for e in entries
            ],
        )
        self._db.execute(
            "INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            (head.sequence, head.hash),
        )

    def put_checkpoints(
        self, rows: Sequence[StoredCheckpoint], entries: Sequence[CheckpointLogRow], head: ChainHead
    ) -> None:
        self._db.executemany(
            "INSERT INTO checkpoints (household_id, policy, facts_seen, next_event, body, seq) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (household_id) DO UPDATE SET policy = excluded.policy, facts_seen = excluded.facts_seen, "
            "next_event = excluded.next_event, body = excluded.body, seq = excluded.seq",
            [
                (
                    c.household_id,
                    c.policy,
                    c.facts_seen,
                    None if c.next_event is None else c.next_event.isoformat(),
                    c.body,
                    entry[0],
                )
                for c, entry in zip(rows, entries, strict=True)
            ],
        )
        self._db.executemany(
            "INSERT INTO checkpoint_log (seq, household_id, cycle, digest, link) VALUES (?, ?, ?, ?, ?)",
            entries,
        )
        self._db.execute(_SET_HEAD, ("checkpoints", head.sequence, head.hash))

    def mark_pending(self, household_ids: Collection[str]) -> None:
        rows = [(hid,) for hid in household_ids]
        _insert_many(self._db, "INSERT INTO pending (household_id)", 1, rows, "ON CONFLICT DO NOTHING")

    def clear_pending(self, household_ids: Collection[str]) -> None:
        self._db.executemany("DELETE FROM pending WHERE household_id = ?", [(hid,) for hid in household_ids])

    def based(self, cycle: str, household_ids: Collection[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunked(household_ids):
            sql = f"SELECT household_id FROM cycle_bases WHERE cycle = ? AND household_id IN ({_marks(len(chunk))})"
            found.update(hid for (hid,) in self._db.execute(sql, [cycle, *chunk]))
        return found

    def keep_bases(self, cycle: str, household_ids: Collection[str]) -> None:
        # Copied inside SQLite, over the household's base of an earlier cycle (a base of another
        # cycle is never read: only the cycle saved last is run again). A household without a
        # checkpoint gets a row of none.
        for chunk in _chunked(sorted(household_ids)):
            self._db.execute(
                "INSERT INTO cycle_bases (household_id, cycle, policy, facts_seen, next_event, body) "
                "SELECT household_id, ?, policy, facts_seen, next_event, body FROM checkpoints "
                f"WHERE household_id IN ({_marks(len(chunk))}) ORDER BY household_id "
                "ON CONFLICT (household_id) DO UPDATE SET cycle = excluded.cycle, policy = excluded.policy, "
                "facts_seen = excluded.facts_seen, next_event = excluded.next_event, body = excluded.body",
                [cycle, *chunk],
            )
            self._db.executemany(
                "INSERT INTO cycle_bases (household_id, cycle) VALUES (?, ?) ON CONFLICT (household_id) DO UPDATE "
                "SET cycle = excluded.cycle, policy = NULL, facts_seen = NULL, next_event = NULL, body = NULL "
                "WHERE cycle <> excluded.cycle",
                [(hid, cycle) for hid in chunk],
            )

    def delete_alerts(self, cycle: str, household_ids: Collection[str]) -> None:
        self._db.executemany(
            "DELETE FROM alerts WHERE cycle = ? AND household_id = ?", [(cycle, hid) for hid in household_ids]
        )

    def alert_positions(self, cycle: str, household_ids: Collection[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunked(household_ids):
            sql = (
                "SELECT household_id, max(position) FROM alerts WHERE cycle = ? "
                f"AND household_id IN ({_marks(len(chunk))}) GROUP BY household_id"
            )
            found.update(self._db.execute(sql, [cycle, *chunk]).fetchall())
        return found

    def insert_alerts(self, rows: Sequence[AlertRow]) -> None:
        self._db.executemany("INSERT INTO alerts (cycle, household_id, position, body) VALUES (?, ?, ?, ?)", rows)

    def cycle_run_count(self, cycle: str) -> int:
        row = self._db.execute("SELECT max(run) FROM cycle_runs WHERE cycle = ?", (cycle,)).fetchone()
        return int(row[0] or 0)

    def put_cycle_run(self, cycle: str, run: int, body: str) -> None:
        self._db.execute(
            "INSERT INTO cycle_runs (cycle, run, body) VALUES (?, ?, ?) "
            "ON CONFLICT (cycle, run) DO UPDATE SET body = excluded.body",
            (cycle, run, body),
        )


class SQLiteStore(StoreBase):
    """A store in one SQLite file (or ``":memory:"``).

    >>> from relapse_guard.store import SQLiteStore
    >>> with SQLiteStore(":memory:") as store:
    ...     store.version("h1")
    0

    ``id_key`` (at least 16 random bytes, kept secret and the same for the life of the
    file) stores member ids as keyed hashes. ``busy_timeout`` is how long, in seconds, a
    write waits for another process's write to finish. ``synchronous="NORMAL"`` is faster
    and still safe against a process crash, but may lose the last transactions on power loss.
    ``read_only=True`` opens an existing store for reading only (an audit's
    :meth:`~StoreBase.verify`, say): a missing file is not created, a file of an older schema
    is refused rather than migrated, and every write raises
    :class:`~relapse_guard.errors.StoreError`.

    Raises :class:`~relapse_guard.errors.UnknownSchemaVersion` for a file written with a
    schema this library does not know, :class:`~relapse_guard.errors.StoreError` for a file
    that is not a store. A damaged file (a page overwritten, the file truncated) raises
    :class:`~relapse_guard.errors.StoreError` naming the file when it is opened or when a
    read or write meets the damage, never a raw :class:`sqlite3.DatabaseError`.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        id_key: bytes | None = None,
        busy_timeout: float = 30.0,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        read_only: bool = False,
    ) -> None:
        super().__init__(id_key=id_key)
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidArgument(f"synchronous must be 'FULL' or 'NORMAL', not {synchronous!r}")
        if not isinstance(path, str | PathLike):  # None made a file named "None"
            raise WrongType(f"SQLiteStore needs a file path (str or pathlib.Path), not {typed_repr(path)}")
        if not str(path).strip():  # "" is SQLite's private temporary database: nothing would be kept
            raise InvalidArgument(f"SQLiteStore needs a file path (or ':memory:'), not {str(path)!r}")
        self.path = str(path)
        if read_only and self.path == ":memory:":
            raise InvalidArgument("an in-memory SQLite store cannot be opened read-only (it would be empty)")
        self.read_only = read_only
        self._options = (id_key, busy_timeout, synchronous, read_only)
        self._db: sqlite3.Connection | None = None
        # a read-only open that finds no -wal and -shm takes away those SQLite makes (see close)
        self._tidy = read_only and not any(file.exists() for file in _wal_files(self.path))
        self._cycle_held = InProcessLock(self.path) if self.path == ":memory:" else None
        try:
            if read_only:  # mode=ro: SQLite neither creates the file nor writes to it
                uri = Path(self.path).absolute().as_uri() + "?mode=ro"
                db = sqlite3.connect(uri, timeout=busy_timeout, isolation_level=None, uri=True)
            else:
                db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open store {self.path!r}: {error}") from error
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if read_only:
                self._check_schema(db)
                self._db = db
                return
            if self.path != ":memory:":
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode != "wal":
                    logger.warning("store %r: journal mode is %s, not wal (a file system without WAL?)", path, mode)
            db.execute(f"PRAGMA synchronous = {synchronous}")
            db.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
            self._open_schema(db)
        except sqlite3.DatabaseError as error:
            self._close(db)
            raise StoreError(f"cannot open store {self.path!r}: {error}") from error
        except BaseException:
            self._close(db)
            raise
        self._db = db

    def _open_schema(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes opening a new file: one creates, the other reads
        migrated_from = None
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_version" in tables:
                rows = db.execute("SELECT version FROM schema_version").fetchall()
                found = rows[0][0] if len(rows) == 1 else None
                if found not in SUPPORTED_SCHEMA_VERSIONS:
                    raise UnknownSchemaVersion(self.path, found, SUPPORTED_SCHEMA_VERSIONS)
                if found != SCHEMA_VERSION:
                    migrated_from = found
                    self._migrate(db, found)
            elif tables:
                raise StoreError(
                    f"{self.path!r} is a SQLite database but not a relapse_guard store "
                    f"(it has tables {', '.join(sorted(tables))} and no schema_version)"
                )
            else:
                for statement in SCHEMA:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        except BaseException:
            _rollback(db)
            raise
        db.execute("COMMIT")
        if migrated_from is not None:
            logger.info("store %r: schema migrated from version %d to %d", self.path, migrated_from, SCHEMA_VERSION)

    def _check_schema(self, db: sqlite3.Connection) -> None:
        """For a store opened read-only: its schema must be this library's, as it cannot be made or migrated."""
        db.execute("BEGIN")
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                raise StoreError(f"{self.path!r} is empty, not a relapse_guard store (opened read-only)")
            if "schema_version" not in tables:
                raise StoreError(
                    f"{self.path!r} is a SQLite database but not a relapse_guard store "
                    f"(it has tables {', '.join(sorted(tables))} and no schema_version)"
                )
            rows = db.execute("SELECT version FROM schema_version").fetchall()
            found = rows[0][0] if len(rows) == 1 else None
            if found not in SUPPORTED_SCHEMA_VERSIONS:
                raise UnknownSchemaVersion(self.path, found, SUPPORTED_SCHEMA_VERSIONS)
            if found != SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path!r} has schema version {found} and is opened read-only: it cannot be "
                    f"migrated to version {SCHEMA_VERSION}; open it once for writing (a copy, to keep the file "
                    "as it is) and read that"
                )
        finally:
            _rollback(db)

    @staticmethod
    def _migrate(db: sqlite3.Connection, version: int) -> None:
        """Take the file from ``version`` to :data:`SCHEMA_VERSION`, inside the opening transaction."""
        while version != SCHEMA_VERSION:
            for step in MIGRATIONS[version]:
                if isinstance(step, str):
                    db.execute(step)
                else:
                    step(db)
            version += 1
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def opener(self) -> Callable[[], SQLiteStore]:
        """A function opening this file again, with the same key and settings: it pickles, so a
        worker process (a monitoring cycle's, say) opens its own store with it."""
        if self.path == ":memory:":
            raise InvalidArgument("an in-memory SQLite store cannot be opened again in another process")
        id_key, busy_timeout, synchronous, read_only = self._options
        return functools.partial(
            SQLiteStore,
            self.path,
            id_key=id_key,
            busy_timeout=busy_timeout,
            synchronous=synchronous,
            read_only=read_only,
        )

    @property
    def connection(self) -> sqlite3.Connection:
        """The open :class:`sqlite3.Connection` (for inspection; writing through it bypasses the store)."""
        if self._db is None:
            raise StoreError(f"store {self.path!r} is closed")
        return self._db

    @contextmanager
    def _reading(self, what: str) -> Iterator[sqlite3.Connection]:
        db = self.connection
        try:
            yield db
        except sqlite3.Error as error:
            raise StoreError(
                f"store {self.path!r}: reading {what} failed: {error} "
                "(if the file is damaged, restore it from a backup)"
            ) from error

    def close(self) -> None:
        """Close the file (idempotent). A store opened read-only that found no ``-wal`` and ``-shm``
        files beside it leaves none behind (unless a writer has the file open: they are its)."""
        if self._db is not None:
            db, self._db = self._db, None
            self._close(db)

    def _close(self, db: sqlite3.Connection) -> None:
        db.close()
        if self._tidy:
            _tidy_after_reading(self.path)

    @contextmanager
    def _write(self) -> Iterator[_Writer]:
        db = self.connection
        if self.read_only:
            raise StoreError(f"store {self.path!r} is open read-only: nothing can be written")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(f"store {self.path!r}: cannot start a write: {error}") from error
        try:
            yield _Writer(db)
        except BaseException as error:
            _rollback(db)
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"store {self.path!r}: write failed and was rolled back: {error}") from error
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error as error:
            _rollback(db)
            raise StoreError(f"store {self.path!r}: commit failed and was rolled back: {error}") from error

    def _household_body(self, household_id: str) -> str | None:
        with self._reading(f"household {household_id!r}") as db:
            row = db.execute("SELECT body FROM households WHERE household_id = ?", (household_id,)).fetchone()
        return None if row is None else str(row[0])

    def _fact_bodies(self, household_id: str) -> list[str]:
        sql = "SELECT body FROM facts WHERE household_id = ? ORDER BY position"
        with self._reading(f"the facts of household {household_id!r}") as db:
            return [body for (body,) in db.execute(sql, (household_id,))]

    def _version(self, household_id: str) -> int:
        with self._reading(f"the version of household {household_id!r}") as db:
            row = db.execute("SELECT version FROM streams WHERE household_id = ?", (household_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def _household_ids(self) -> list[str]:
        sql = "SELECT household_id FROM households UNION SELECT household_id FROM streams ORDER BY 1"
        with self._reading("the household ids") as db:
            return [hid for (hid,) in db.execute(sql)]

    def _quarantine_rows(self, household_id: str | None) -> list[QuarantinedRecord]:
        sql = "SELECT household_id, fact_id, error, reason, record FROM quarantine"
        with self._reading("the quarantine") as db:
            rows = (
                db.execute(sql + " ORDER BY id")
                if household_id is None
                else db.execute(sql + " WHERE household_id = ? ORDER BY id", (household_id,))
            )
            return [QuarantinedRecord(*row) for row in rows]

    def _log_entries(self, household_id: str, policy: str | None) -> list[tuple[str, str]]:
        sql = "SELECT payload, hash FROM decisions WHERE household_id = ?"
        args: tuple[str, ...] = (household_id,)
        if policy is not None:
            sql += " AND policy = ?"
            args += (policy,)
        with self._reading(f"the decisions of household {household_id!r}") as db:
            return [(payload, entry_hash) for payload, entry_hash in db.execute(sql + " ORDER BY seq", args)]

    def _household_bodies(self, household_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._reading("household records") as db:
            for chunk in _chunked(household_ids):
                sql = f"SELECT household_id, body FROM households WHERE household_id IN ({_marks(len(chunk))})"
                found.update(db.execute(sql, chunk).fetchall())
        return found

    def _pending_ids(self, limit: int | None) -> list[str]:
        with self._reading("the pending households") as db:
            return [hid for (hid,) in db.execute(_PENDING, (-1 if limit is None else limit,))]

    def _due_ids(self, as_of: str, limit: int | None) -> list[str]:
        with self._reading("the households due") as db:
            return [hid for (hid,) in db.execute(_DUE, (as_of, -1 if limit is None else limit))]

    def _checkpoint_rows(self, household_ids: list[str]) -> list[CheckpointRow]:
        rows: list[CheckpointRow] = []
        with self._reading("checkpoints") as db:
            for chunk in _chunked(household_ids):
                sql = (
                    "SELECT household_id, policy, facts_seen, next_event, body FROM checkpoints "
                    f"WHERE household_id IN ({_marks(len(chunk))})"
                )
                rows.extend(db.execute(sql, chunk))
        return rows

    def _facts_after(self, positions: dict[str, int]) -> dict[str, tuple[int, list[str]]]:
        found: dict[str, tuple[int, list[str]]] = {}
        ids = list(positions)
        with self._reading("facts") as db:
            for start in range(0, len(ids), _CHUNK):
                wanted = json.dumps({hid: positions[hid] for hid in ids[start : start + _CHUNK]})
                db.execute("BEGIN")  # one snapshot: each household's version agrees with its facts
                try:
                    versions = dict(db.execute(_VERSIONS_OF, (wanted,)).fetchall())
                    bodies: dict[str, list[str]] = {}
                    for hid, body in db.execute(_FACTS_AFTER, (wanted,)):
                        bodies.setdefault(hid, []).append(body)
                finally:
                    _end_read(db)
                for hid in ids[start : start + _CHUNK]:
                    found[hid] = (versions.get(hid, 0), bodies.get(hid, []))
        return found

    def _base_rows(self, cycle: str, household_ids: list[str]) -> dict[str, CheckpointRow | None]:
        found: dict[str, CheckpointRow | None] = {}
        with self._reading(f"the bases of cycle {cycle!r}") as db:
            for chunk in _chunked(household_ids):
                sql = (
                    "SELECT household_id, policy, facts_seen, next_event, body FROM cycle_bases "
                    f"WHERE cycle = ? AND household_id IN ({_marks(len(chunk))})"
                )
                for row in db.execute(sql, [cycle, *chunk]):
                    found[row[0]] = None if row[1] is None else row  # policy NULL: no checkpoint before
        return found

    def _alert_rows(self, cycle: str, household_id: str | None) -> list[tuple[str, str]]:
        sql = "SELECT household_id, body FROM alerts WHERE cycle = ?"
        args: tuple[str, ...] = (cycle,)
        if household_id is not None:
            sql += " AND household_id = ?"
            args += (household_id,)
        with self._reading(f"the alerts of cycle {cycle!r}") as db:
            return [(hid, body) for hid, body in db.execute(sql + " ORDER BY household_id, position", args)]

    def _cycle_bodies(self, cycle: str) -> list[str]:
        with self._reading(f"cycle {cycle!r}") as db:
            return [
                str(body)
                for (body,) in db.execute("SELECT body FROM cycle_runs WHERE cycle = ? ORDER BY run", (cycle,))
            ]

    def _cycle_names(self) -> list[str]:
        with self._reading("the cycles") as db:
            return [name for (name,) in db.execute("SELECT DISTINCT cycle FROM cycle_runs ORDER BY cycle")]

    def _checkpoint_totals(self) -> tuple[int, int]:
        with self._reading("the checkpoints") as db:
            count, size = db.execute("SELECT count(*), coalesce(sum(length(body)), 0) FROM checkpoints").fetchone()
        return int(count), int(size)

    def _cycle_lock(self, cycle: str) -> AbstractContextManager[None]:
        if self.read_only:
            raise StoreError(f"store {self.path!r} is open read-only: no cycle can run on it")
        if self._cycle_held is not None:
            return self._cycle_held.hold(cycle)
        return file_lock(self.path + LOCK_SUFFIX, self.path, cycle)

    @contextmanager
    def _snapshot(self) -> Iterator[Snapshot]:
        with self._reading("the store's chains") as db:
            db.execute("BEGIN")  # one read snapshot: the heads and the rows agree, on every pass
            try:
                row = db.execute("SELECT seq, hash FROM chain_head WHERE id = 1").fetchone()
                decisions_head = ChainHead() if row is None else ChainHead(row[0], row[1])
                heads = {
                    name: ChainHead(seq, text)
                    for name, seq, text in db.execute("SELECT name, seq, hash FROM chain_heads")
                }

                def decisions() -> Iterator[LogRow]:
                    for payload, previous, entry_hash, household_id, policy, entry_digest in db.execute(
                        "SELECT payload, previous_hash, hash, household_id, policy, digest FROM decisions ORDER BY seq"
                    ):
                        yield LogRow(
                            payload, previous, entry_hash, row_fault(payload, household_id, policy, entry_digest)
                        )

                yield Snapshot(
                    decisions=decisions,
                    decisions_head=decisions_head,
                    facts=lambda: db.execute(f"SELECT {_CHAINED_FACT} FROM facts ORDER BY seq"),
                    facts_head=heads.get("facts", ChainHead()),
                    versions=lambda: dict(db.execute("SELECT household_id, version FROM streams").fetchall()),
                    checkpoint_log=lambda: db.execute(
                        "SELECT seq, household_id, cycle, digest, link FROM checkpoint_log ORDER BY seq"
                    ),
                    checkpoints_head=heads.get("checkpoints", ChainHead()),
                    checkpoints=lambda: db.execute(
                        "SELECT household_id, policy, facts_seen, next_event, body, seq FROM checkpoints "
                        "ORDER BY household_id"
                    ),
                )
            finally:
                _end_read(db)
