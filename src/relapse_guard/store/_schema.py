"""The SQLite schema, version 1: tables, indexes and the triggers that keep the logs append-only."""

from __future__ import annotations

__all__ = ["SCHEMA", "SCHEMA_VERSION", "SUPPORTED_SCHEMA_VERSIONS"]

#: The schema version this library writes.
SCHEMA_VERSION = 1
#: The schema versions this library reads.
SUPPORTED_SCHEMA_VERSIONS = (1,)


def _append_only(table: str) -> tuple[str, ...]:
    return tuple(
        f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} are append-only: {event} refused'); END"
        for event in ("UPDATE", "DELETE")
    )


#: One statement each (``executescript`` would commit the transaction they run in).
SCHEMA: tuple[str, ...] = (
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
