"""The SQLite schema, version 2: tables, indexes, the triggers that keep the logs append-only, and how
a version-1 file becomes version 2."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["MIGRATIONS", "SCHEMA", "SCHEMA_V1", "SCHEMA_VERSION", "SUPPORTED_SCHEMA_VERSIONS"]

#: The schema version this library writes.
SCHEMA_VERSION = 2
#: The schema versions this library reads (an older one is migrated when the file is opened).
SUPPORTED_SCHEMA_VERSIONS = (1, 2)


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

#: What version 2 adds: the monthly cycle's tables.
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
    # A cycle's record (JSON text made by the caller: as-of, counts, started and finished).
    "CREATE TABLE cycles (cycle TEXT PRIMARY KEY, body TEXT NOT NULL)",
)

#: Version 2: what a new file is created with.
SCHEMA: tuple[str, ...] = (*SCHEMA_V1, *_CYCLE_TABLES)

#: For each version read but not written: the statements that take a file from it to the next
#: version (run in one transaction with the version's update).
MIGRATIONS: Mapping[int, tuple[str, ...]] = {
    # No household has a checkpoint yet: every one with facts is pending.
    1: (*_CYCLE_TABLES, "INSERT INTO pending (household_id) SELECT household_id FROM streams"),
}
