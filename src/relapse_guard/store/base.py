"""The store protocol every store implements, and the values stores return.

A store keeps, per household, an append-only stream of facts with a version (the number of
facts in it), the household's record, a quarantine of rejected input, and one
append-only log of the decisions made; the facts (in the order stored) and the decisions
are each hash-chained. For the monthly monitoring cycle it
also keeps, per household, a checkpoint (:class:`StoredCheckpoint`), indexes of the
households to rescreen (facts not in their checkpoint yet, a clock event due), and what
each cycle found; every checkpoint saved is logged in a third chain. :class:`~.memory.MemoryStore` and
:class:`~.sqlite.SQLiteStore` implement it; one test suite runs against both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

import attrs

from ..bounds import MAX_ID_LENGTH
from ..errors import WrongType
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..household import Household
from ..messages import render_stored
from ..result import HouseholdResult
from ._args import check_count, check_text, shown
from .chain import ChainHead, StoreHeads, VerificationReport
from .codec import digest

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "BatchReport",
    "IngestReport",
    "LoggedDecision",
    "QuarantinedRecord",
    "Store",
    "StoredCheckpoint",
]


#: Records per transaction in :meth:`Store.ingest` unless told: each transaction ends with a flush
#: to disk (``synchronous=FULL``), so batches of this size keep that cost per fact small.
DEFAULT_BATCH_SIZE = 10_000


@attrs.frozen
class BatchReport:
    """What one committed batch of :meth:`Store.ingest` did (``number`` counts from 1)."""

    number: int
    records: int
    stored: int
    duplicates: int
    quarantined: int
    #: The :attr:`QuarantinedRecord.key` of each record the batch quarantined, once each, those
    #: quarantined by an earlier ingest included (not compared).
    quarantined_keys: tuple[str, ...] = attrs.field(default=(), eq=False)


@attrs.frozen
class IngestReport:
    """What :meth:`Store.ingest` did: records read, facts stored, exact duplicates skipped, quarantined.

    ``quarantined_keys`` are the keys of the records this ingest quarantined, once each, in
    order: a record quarantined by an earlier ingest, given again, is counted and listed again
    (:meth:`Store.quarantined` holds it once). They are not compared.
    """

    records: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    quarantined_keys: tuple[str, ...] = attrs.field(default=(), eq=False)

    def add(self, batch: BatchReport) -> IngestReport:
        """This report with ``batch`` counted in."""
        return IngestReport(
            records=self.records + batch.records,
            stored=self.stored + batch.stored,
            duplicates=self.duplicates + batch.duplicates,
            quarantined=self.quarantined + batch.quarantined,
            batches=self.batches + 1,
            quarantined_keys=tuple(dict.fromkeys(self.quarantined_keys + batch.quarantined_keys))
            if batch.quarantined_keys
            else self.quarantined_keys,
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
    """One entry of the decisions log: a decision as recorded, with the policy that made it.

    :meth:`text` renders what it says in a language (an entry logged before decisions kept
    their message says its stored explanation, in every language).
    """

    sequence: int
    household_id: str
    policy: str
    as_of: str | None
    decision: Mapping[str, Any]
    hash: str

    def text(self, language: str = "en") -> str:
        """What the decision says, in ``language`` (``en``, ``zh-CN``): its message rendered,
        or, logged without one, its explanation as stored."""
        return render_stored(self.decision, language)


def _household_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value, limit=MAX_ID_LENGTH)


def _policy(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value)


def _facts_seen(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    check_count(attribute.name, value)


def _next_event(instance: object, attribute: attrs.Attribute[dt.date | None], value: object) -> None:
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise WrongType(f"next_event must be a datetime.date or None, not {type(value).__name__} {shown(value)}")


def _body(instance: object, attribute: attrs.Attribute[bytes], value: object) -> None:
    if not isinstance(value, bytes):
        raise WrongType(f"body must be bytes, not {type(value).__name__} {shown(value)}")


@attrs.frozen
class StoredCheckpoint:
    """A household's checkpoint for the monthly cycle, as the store keeps it.

    ``body`` is what the engine kept of the household's state (opaque bytes, stored as given);
    ``facts_seen`` is the household's stream version the checkpoint includes (its facts at
    positions 1 to ``facts_seen``); ``next_event`` is the day of its next clock event (a review,
    a deadline), None when it has none; ``policy`` is the label (``name@version``) of the policy
    that made it. Built with a value of the wrong type, it raises
    :class:`~relapse_guard.errors.WrongType`; with a wrong value (an empty id, a negative count),
    :class:`~relapse_guard.errors.InvalidArgument`.
    """

    household_id: str = attrs.field(validator=_household_id)
    policy: str = attrs.field(validator=_policy)
    facts_seen: int = attrs.field(validator=_facts_seen)
    next_event: dt.date | None = attrs.field(validator=_next_event)
    body: bytes = attrs.field(validator=_body, repr=lambda body: f"<{len(body)} bytes>")


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
        ``expected_version`` is given and is not the current version,
        :class:`~relapse_guard.errors.FactOfUnknownHousehold` when the household has no record
        (store it first with :meth:`put_household`; only a retraction of a fact stored for it is
        taken without one).
        """

    def facts(self, household_id: str, *, kinds: FactKinds = DEFAULT_FACT_KINDS) -> list[Fact]:
        """The household's facts in the order stored, read back through ``kinds``."""

    def ingest(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        kinds: FactKinds = DEFAULT_FACT_KINDS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[BatchReport], None] | None = None,
    ) -> IngestReport:
        """Parse plain dicts into facts and store them, ``batch_size`` records per transaction.

        Invalid and conflicting records, and facts of a household with no record, go to the
        quarantine with their reason; ``progress`` is called after each batch is committed.
        """

    def quarantined(self, household_id: str | None = None) -> list[QuarantinedRecord]:
        """The quarantined records (of one household when given), oldest first."""

    def record_decisions(self, result: HouseholdResult) -> int:
        """Append the result's decisions not yet logged to the chained log; returns how many."""

    def decisions(self, household_id: str, *, policy: str | None = None) -> list[LoggedDecision]:
        """The household's logged decisions (by one policy label when given), in log order."""

    def head(self) -> ChainHead:
        """The last entry of the decisions log, as recorded."""

    def heads(self) -> StoreHeads:
        """The heads of the facts' chain, the decisions log and the checkpoint log, as recorded."""

    def verify(self, *, anchor: ChainHead | StoreHeads | None = None) -> VerificationReport:
        """Check the facts, the decisions log and the checkpoints saved: any entry edited, deleted,
        reordered or inserted, and where (sequence number and household)."""

    # --- the monthly cycle ------------------------------------------------------------------

    def households(self, household_ids: Collection[str]) -> dict[str, Household]:
        """The records of the households among ``household_ids`` that have one, read in batches."""

    def pending_households(self, *, limit: int | None = None) -> list[str]:
        """The households whose stream has facts their checkpoint does not include (or that have
        facts and no checkpoint, unless :meth:`settle` took them out), sorted; the first ``limit``
        of them when given. Read by an index."""

    def due_households(self, as_of: dt.date, *, limit: int | None = None) -> list[str]:
        """The households whose checkpoint's next clock event is on or before ``as_of``, sorted by
        id; the first ``limit`` of them when given. Read by the index on ``next_event``."""

    def checkpoints(self, household_ids: Collection[str]) -> dict[str, StoredCheckpoint]:
        """The checkpoints of the households among ``household_ids`` that have one."""

    def facts_after(
        self, positions: Mapping[str, int], *, kinds: FactKinds = DEFAULT_FACT_KINDS
    ) -> dict[str, tuple[int, list[Fact]]]:
        """For each household of ``positions``: its current version and its facts stored after the
        position given (positions above it, in stream order), read through ``kinds``.

        Read in batches, from one snapshot per batch: the version agrees with the facts.
        """

    def settle(self, versions: Mapping[str, int]) -> list[str]:
        """Take households that need no screening out of the pending index, each given with its
        stream version as read: one that has had facts stored since stays pending. Returns those
        taken out, sorted (the cycle settles a household with no record whose facts are all retracted)."""

    def save_checkpoints(self, cycle: str, updates: Sequence[tuple[StoredCheckpoint, Sequence[str]]]) -> None:
        """Store checkpoints and what ``cycle`` found, in one transaction.

        Each update is a checkpoint (replacing the household's earlier one) and the alert bodies
        (JSON text) the cycle found for the household. The first time a cycle saves a household,
        its checkpoint before (or none) becomes its base for the cycle (:meth:`cycle_bases`,
        over its base of an earlier cycle); saved again by the cycle, the household's alerts
        for the cycle are replaced. A household leaves the pending index when its stream version
        equals the checkpoint's ``facts_seen``; facts stored meanwhile keep it pending. A
        checkpoint with ``facts_seen`` above the stream's version raises
        :class:`~relapse_guard.errors.CheckpointAhead` and nothing of the call is stored.
        """

    def cycle_bases(self, cycle: str, household_ids: Collection[str]) -> dict[str, StoredCheckpoint | None]:
        """For each household among ``household_ids`` that ``cycle`` saved: its checkpoint before the
        cycle first saved it (None: it had none), which a run of the cycle again resumes from.
        A household keeps one base: a later cycle saving it replaces it."""

    def alerts(self, cycle: str, household_id: str | None = None) -> list[tuple[str, str]]:
        """What ``cycle`` found: ``(household id, alert body)`` in household order, then the order stored
        (of one household when given)."""

    def put_cycle(self, cycle: str, body: str, *, run: int | None = None) -> int:
        """Record a run of ``cycle`` (JSON text made by the caller) and return its number (from 1):
        a new run after those recorded, or with ``run`` that run's record replaced (as it goes on).
        A cycle run again keeps every earlier run's record."""

    def cycle(self, cycle: str) -> str | None:
        """The record of the cycle's latest run, None when there is none."""

    def cycle_runs(self, cycle: str) -> list[str]:
        """The record of each run of the cycle, in the order run (empty when there is none)."""

    def lock_cycle(self, cycle: str) -> AbstractContextManager[None]:
        """Hold the store's cycle lock while a run of ``cycle`` goes on: one cycle at a time on a
        store. Raises :class:`~relapse_guard.errors.CycleRunning` at once, taking nothing, when
        another run holds it; the lock dies with the process that holds it."""

    def cycles(self) -> list[str]:
        """The names of the cycles with a record, sorted."""

    def checkpoint_count(self) -> int:
        """How many households have a checkpoint."""

    def checkpoint_bytes(self) -> int:
        """The total size of the checkpoints' bodies, in bytes."""

    def close(self) -> None:
        """Release the store's resources; it cannot be used afterwards."""

    def __enter__(self) -> Self:
        """The store itself."""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the store."""
