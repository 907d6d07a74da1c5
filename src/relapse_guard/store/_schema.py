"""The SQLite schema, version 5: tables, indexes, the triggers that keep the logs append-only, and how
a file of version 1, 2, 3 or 4 becomes version 5.

Version 1 held the facts, the quarantine and the decisions log; version 2 added the monthly
cycle's tables (checkpoints, pending, alerts, cycles); version 3 chains every stored fact and
every checkpoint saved (:mod:`~relapse_guard.store.linked`): the facts gain their sequence number
and links, the checkpoints the number of their entry in the new checkpoint log, and the
chains' heads are kept beside the decisions log's; version 4 keeps each household's checkpoint
from before the last cycle that saved it (its base), which that cycle run again resumes from;
version 5 keeps the record of every run of a cycle (version 4 kept one record per cycle, which a
run of it again replaced).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from .chain import ChainHead
from .linked import link_checkpoints, link_facts

__all__ = [
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_V1",
    "SCHEMA_V2",
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Step",
]

#: The schema version this library writes.
SCHEMA_VERSION = 5
#: The schema versions this library reads (an older one is migrated when the file is opened).
SUPPORTED_SCHEMA_VERSIONS = (1, 2, 3, 4, 5)

#: A step of a migration: an SQL statement, or a function doing its work on the open connection.
Step = str | Callable[[sqlite3.Connection], None]


def _append_only(table: str) -> tuple[str, ...]:
    return tuple(
        f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} are append-only: {event} refused'); END"
        for event in ("UPDATE", "DELETE")
    )


#: Version 1, as released: one statement each (``executescript`` would commit the transaction
#: they run in). Frozen: the migration to version 2 starts from exactly this.
SCHEMA_V1: tuple[str, ...] = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    # Household records: the latest one per id (canonical JSON of Household.to_dict()).
    "CREATE TABLE households (household_id TEXT PRIMARY KEY, body TEXT NOT NULL)",
    # Each household's version: the number of facts in its stream.
    "CREATE TABLE streams (household_id TEXT PRIMARY KEY, version INTEGER NOT NULL CHECK (version >= 0))",
    # Facts: canonical JSON of Fact.to_dict(); the id is unique in the store; the UNIQUE
    # constraint is also the index the per-household reads use.
    """CREATE TABLE facts (
        fact_id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL,
        position INTEGER NOT NULL CHECK (position >= 1),
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (household_id, position)
    )""",
    """CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        household_id TEXT,
        fact_id TEXT,
        error TEXT NOT NULL,
        reason TEXT NOT NULL,
        record TEXT NOT NULL
    )""",
    "CREATE INDEX quarantine_by_household ON quarantine (household_id)",
    # The decisions log: seq is the order written; each row chained to the one before.
    """CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY,
        household_id TEXT NOT NULL,
        policy TEXT NOT NULL,
        digest TEXT NOT NULL,
        payload TEXT NOT NULL,
        previous_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    "CREATE INDEX decisions_by_household ON decisions (household_id, policy, digest)",
    "CREATE TABLE chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL)",
    *_append_only("facts"),
    *_append_only("decisions"),
)

#: What version 2 adds: the monthly cycle's tables. Frozen: the migration to version 3 starts from these.
_CYCLE_TABLES: tuple[str, ...] = (
    # Per household, the engine's checkpoint (opaque bytes): the stream version it includes
    # and the date of its next clock event (ISO text, NULL when none), indexed for "who is due".
    """CREATE TABLE checkpoints (
        household_id TEXT PRIMARY KEY,
        policy TEXT NOT NULL,
        facts_seen INTEGER NOT NULL CHECK (facts_seen >= 0),
        next_event TEXT NULL,
        body BLOB NOT NULL
    )""",
    "CREATE INDEX checkpoints_by_next_event ON checkpoints (next_event)",
    # Households whose stream has facts their checkpoint does not include. The primary key is
    # the table (WITHOUT ROWID): reading it in order reads only the pending households.
    "CREATE TABLE pending (household_id TEXT PRIMARY KEY) WITHOUT ROWID",
    # What a cycle found, per household, in order (JSON text made by the caller).
    """CREATE TABLE alerts (
        cycle TEXT NOT NULL,
        household_id TEXT NOT NULL,
        position INTEGER NOT NULL CHECK (position >= 1),
        body TEXT NOT NULL,
        PRIMARY KEY (cycle, household_id, position)
    )""",
    # A cycle's record (JSON text made by the caller: its date and counts); version 5 keeps every run's.
    "CREATE TABLE cycles (cycle TEXT PRIMARY KEY, body TEXT NOT NULL)",
)

#: Version 2, as released (the migration to version 3 starts from exactly this).
SCHEMA_V2: tuple[str, ...] = (*SCHEMA_V1, *_CYCLE_TABLES)

# --- version 3: the facts and the checkpoints chained ---------------------------------------------

#: The facts, version 3: ``seq`` is a fact's place in the chain (the order stored, from 1);
#: ``link`` the chain's hash before it (32 bytes) then the first 8 bytes of the hash after it.
#: The UNIQUE constraints are the indexes the reads use (by id; by household, in stream order).
_FACTS_V3 = """CREATE TABLE facts (
        seq INTEGER PRIMARY KEY,
        fact_id TEXT NOT NULL UNIQUE,
        household_id TEXT NOT NULL,
        position INTEGER NOT NULL CHECK (position >= 1),
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        body TEXT NOT NULL,
        link BLOB NOT NULL,
        UNIQUE (household_id, position)
    )"""

#: Every checkpoint saved, in order, chained: the cycle that saved it (NULL: logged by the
#: migration to version 3) and the checkpoint's SHA-256; the checkpoint itself stays in
#: ``checkpoints`` until replaced.
_CHECKPOINT_LOG = (
    """CREATE TABLE checkpoint_log (
        seq INTEGER PRIMARY KEY,
        household_id TEXT NOT NULL,
        cycle TEXT NULL,
        digest BLOB NOT NULL,
        link BLOB NOT NULL
    )""",
    *_append_only("checkpoint_log"),
    # The heads of the facts' chain and of the checkpoint log (the decisions log's is chain_head).
    "CREATE TABLE chain_heads (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL)",
)

#: The checkpoints, version 3: ``seq`` is the checkpoint's entry in the checkpoint log.
_CHECKPOINTS_V3 = """CREATE TABLE checkpoints (
        household_id TEXT PRIMARY KEY,
        policy TEXT NOT NULL,
        facts_seen INTEGER NOT NULL CHECK (facts_seen >= 0),
        next_event TEXT NULL,
        body BLOB NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0
    )"""


# --- version 4: the cycles' bases ---------------------------------------------------------------------

#: Per household: the checkpoint it had before the cycle that saved it last first saved one
#: (``policy`` NULL: it had none), for a run of that cycle again to resume from. Read and
#: written by household only: a base of an earlier cycle is overwritten, never read.
_CYCLE_BASES: tuple[str, ...] = (
    """CREATE TABLE cycle_bases (
        household_id TEXT PRIMARY KEY,
        cycle TEXT NOT NULL,
        policy TEXT NULL,
        facts_seen INTEGER NULL CHECK (facts_seen >= 0),
        next_event TEXT NULL,
        body BLOB NULL
    )""",
)


# --- version 5: every run of a cycle recorded ---------------------------------------------------------

#: The record of each run of a cycle, numbered from 1 in the order run (JSON text made by the
#: caller). Replaces version 2's ``cycles`` (one record per cycle, replaced by a run again).
_CYCLE_RUNS = """CREATE TABLE cycle_runs (
        cycle TEXT NOT NULL,
        run INTEGER NOT NULL CHECK (run >= 1),
        body TEXT NOT NULL,
        PRIMARY KEY (cycle, run)
    )"""

#: Version 4 to 5: each cycle's one record becomes its run 1.
_RECORD_RUNS: tuple[str, ...] = (
    _CYCLE_RUNS,
    "INSERT INTO cycle_runs (cycle, run, body) SELECT cycle, 1, body FROM cycles",
    "DROP TABLE cycles",
)


def _of_facts(statement: str) -> bool:
    return statement.startswith("CREATE TABLE facts") or " ON facts " in statement


def _replaced_since_v2(statement: str) -> bool:
    return statement.startswith(("CREATE TABLE checkpoints", "CREATE TABLE cycles"))


#: Version 5: what a new file is created with. The same tables, columns, indexes and triggers as
#: a file migrated from version 1, 2, 3 or 4 (a test compares them).
SCHEMA: tuple[str, ...] = (
    *(statement for statement in SCHEMA_V1 if not _of_facts(statement)),
    _FACTS_V3,
    *_append_only("facts"),
    _CHECKPOINTS_V3,
    *(statement for statement in _CYCLE_TABLES if not _replaced_since_v2(statement)),
    *_CHECKPOINT_LOG,
    *_CYCLE_BASES,
    _CYCLE_RUNS,
)

# Rows copied a statement at a time when the migration chains the stored facts.
_MIGRATION_CHUNK = 10_000


def _chain_stored(db: sqlite3.Connection) -> None:
    """Version 2 to 3: chain every stored fact, in the order stored, and log every checkpoint.

    The facts table is rebuilt (its rows gain their sequence number and links; SQLite cannot add
    a primary key to a table): renamed, the new table filled from it a chunk at a time, dropped.
    Each checkpoint is logged as saved by no cycle (NULL), in household order.
    """
    db.execute("ALTER TABLE facts RENAME TO facts_v2")
    db.execute(_FACTS_V3)
    head, last = ChainHead(), 0
    columns = "fact_id, household_id, position, kind, date, body"
    while True:
        rows = db.execute(
            f"SELECT rowid, {columns} FROM facts_v2 WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, _MIGRATION_CHUNK)
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        linked, head = link_facts((row[1:] for row in rows), head)
        db.executemany(
            f"INSERT INTO facts (seq, {columns}, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            linked,
        )
    db.execute("DROP TABLE facts_v2")  # and its triggers
    for statement in _append_only("facts"):
        db.execute(statement)
    for statement in _CHECKPOINT_LOG:
        db.execute(statement)
    db.execute("ALTER TABLE checkpoints ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")
    stored = db.execute(
        "SELECT household_id, policy, facts_seen, next_event, body FROM checkpoints ORDER BY household_id"
    ).fetchall()
    entries, checkpoint_head = link_checkpoints(stored, None, ChainHead())
    db.executemany(
        "INSERT INTO checkpoint_log (seq, household_id, cycle, digest, link) VALUES (?, ?, ?, ?, ?)",
        entries,
    )
    db.executemany("UPDATE checkpoints SET seq = ? WHERE household_id = ?", [(e[0], e[1]) for e in entries])
    db.executemany(
        "INSERT INTO chain_heads (name, seq, hash) VALUES (?, ?, ?)",
        [("facts", head.sequence, head.hash), ("checkpoints", checkpoint_head.sequence, checkpoint_head.hash)],
    )


#: For each version read but not written: the steps that take a file from it to the next version
#: (all run in one transaction with the version's update).
MIGRATIONS: Mapping[int, tuple[Step, ...]] = {
    # No household has a checkpoint yet: every one with facts is pending.
    1: (*_CYCLE_TABLES, "INSERT INTO pending (household_id) SELECT household_id FROM streams"),
    2: (_chain_stored,),
    3: _CYCLE_BASES,
    4: _RECORD_RUNS,
}
