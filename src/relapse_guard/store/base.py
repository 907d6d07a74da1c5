"""The store protocol every store implements, and the values stores return.

A store keeps, per household, an append-only stream of facts with a version (the number of
facts in it), the household's record, a quarantine of rejected input, and one
append-only, hash-chained log of the decisions made. :class:`~.memory.MemoryStore` and
:class:`~.sqlite.SQLiteStore` implement it; one test suite runs against both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

import attrs

from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..household import Household
from ..result import HouseholdResult
from .chain import ChainHead, VerificationReport
from .codec import digest

__all__ = ["BatchReport", "IngestReport", "LoggedDecision", "QuarantinedRecord", "Store"]


@attrs.frozen
class BatchReport:
    """What one committed batch of :meth:`Store.ingest` did (``number`` counts from 1)."""

    number: int
    records: int
    stored: int
    duplicates: int
    quarantined: int


@attrs.frozen
class IngestReport:
    """What :meth:`Store.ingest` did: records read, facts stored, exact duplicates skipped, quarantined."""

    records: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0

    def add(self, batch: BatchReport) -> IngestReport:
        """This report with ``batch`` counted in."""
        return IngestReport(
            records=self.records + batch.records,
            stored=self.stored + batch.stored,
            duplicates=self.duplicates + batch.duplicates,
            quarantined=self.quarantined + batch.quarantined,
            batches=self.batches + 1,
        )


@attrs.frozen
class QuarantinedRecord:
    """An input record the store refused, with the reason (the message of the typed error).

    ``record`` is the input as JSON text (personal ids hashed when the store hashes them;
    text that cannot be encoded as UTF-8, such as a lone surrogate, shown escaped);
    ``error`` is the error's class name, e.g. ``"InvalidFact"`` or ``"ConflictingFact"``.
    A record is quarantined once: quarantining the same record again (same :attr:`key`) adds nothing.
    """

    household_id: str | None
    fact_id: str | None
    error: str
    reason: str
    record: str

    @property
    def key(self) -> str:
        """The record's content hash (SHA-256 of ``record``): what makes quarantining idempotent."""
        return digest(self.record)


@attrs.frozen
class LoggedDecision:
    """One entry of the decisions log: a decision as recorded, with the policy that made it."""

    sequence: int
    household_id: str
    policy: str
    as_of: str | None
    decision: Mapping[str, Any]
    hash: str


@runtime_checkable
class Store(Protocol):
    """Append-only facts per household, a quarantine, and a hash-chained decisions log.

    Every write is one transaction: all of it is stored or none of it.
    """

    def put_household(self, household: Household) -> None:
        """Store a household's record (replacing an earlier one with the same id)."""

    def put_households(self, households: Iterable[Household]) -> int:
        """Store many households in one transaction; returns how many."""

    def household(self, household_id: str) -> Household:
        """The household's record; :class:`~relapse_guard.errors.UnknownHousehold` if none."""

    def household_ids(self) -> list[str]:
        """The ids of every household with a record or facts, sorted."""

    def version(self, household_id: str) -> int:
        """The household's version: how many facts it has stored (0 when none)."""

    def append(self, household_id: str, facts: Iterable[Fact], *, expected_version: int | None = None) -> int:
        """Append facts to one household in one transaction; returns the new version.

        Facts already stored with the same content are skipped. Raises
        :class:`~relapse_guard.errors.ConflictingFact` (storing nothing) for a fact id stored
        with other content, :class:`~relapse_guard.errors.ConcurrencyConflict` when
        ``expected_version`` is given and is not the current version.
        """

    def facts(self, household_id: str, *, kinds: FactKinds = DEFAULT_FACT_KINDS) -> list[Fact]:
        """The household's facts in the order stored, read back through ``kinds``."""

    def ingest(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        kinds: FactKinds = DEFAULT_FACT_KINDS,
        batch_size: int = 1000,
        progress: Callable[[BatchReport], None] | None = None,
    ) -> IngestReport:
        """Parse plain dicts into facts and store them, ``batch_size`` records per transaction.

        Invalid and conflicting records go to the quarantine with their reason; ``progress``
        is called after each batch is committed.
        """

    def quarantined(self, household_id: str | None = None) -> list[QuarantinedRecord]:
        """The quarantined records (of one household when given), oldest first."""

    def record_decisions(self, result: HouseholdResult) -> int:
        """Append the result's decisions not yet logged to the chained log; returns how many."""

    def decisions(self, household_id: str, *, policy: str | None = None) -> list[LoggedDecision]:
        """The household's logged decisions (by one policy label when given), in log order."""

    def head(self) -> ChainHead:
        """The last entry of the decisions log, as recorded."""

    def verify(self, *, anchor: ChainHead | None = None) -> VerificationReport:
        """Check the decisions log: any entry edited, deleted, reordered or inserted, and where."""

    def close(self) -> None:
        """Release the store's resources; it cannot be used afterwards."""

    def __enter__(self) -> Self:
        """The store itself."""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store."""
