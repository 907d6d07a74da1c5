"""Durable storage: append-only facts per household, a quarantine, a decisions log, and the monthly
cycle's checkpoints, indexes of the households to rescreen, alerts and cycle records. The facts,
the decisions and every checkpoint saved are hash-chained; ``verify()`` checks the three chains.

- :class:`SQLiteStore` — the embedded default (one SQLite file, WAL, no server);
- :class:`MemoryStore` — the same behaviour in memory, for tests;
- :class:`Store` — the protocol both implement;
- :func:`replay` — a household's result rebuilt from the store under a policy (or a what-if).

See ``docs/store.md`` for what the store guarantees.
"""

from ._schema import SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS
from .base import BatchReport, IngestReport, LoggedDecision, QuarantinedRecord, Store, StoredCheckpoint
from .chain import GENESIS, ChainHead, ChainProblem, StoreHeads, VerificationReport
from .memory import MemoryStore
from .privacy import HASH_PREFIX
from .replay import replay
from .sqlite import SQLiteStore

__all__ = [
    "GENESIS",
    "HASH_PREFIX",
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "BatchReport",
    "ChainHead",
    "ChainProblem",
    "IngestReport",
    "LoggedDecision",
    "MemoryStore",
    "QuarantinedRecord",
    "SQLiteStore",
    "Store",
    "StoreHeads",
    "StoredCheckpoint",
    "VerificationReport",
    "replay",
]
