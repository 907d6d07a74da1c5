"""What every store does, written once over a few storage primitives.

A concrete store supplies a *transaction* (:class:`~._writer.Writer`: read versions and stored facts,
insert rows, all-or-nothing) and a handful of reads; :class:`StoreBase` implements the
store protocol on top: validation, keyed hashing of personal ids, idempotent appends,
optimistic concurrency, batched ingest with quarantine, and the chained decisions log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from itertools import islice
from types import TracebackType
from typing import Any, Self

from ..bounds import MAX_ID_LENGTH
from ..errors import (
    CheckpointAhead,
    ConcurrencyConflict,
    InvalidArgument,
    InvalidFact,
    InvalidHousehold,
    UnknownHousehold,
    WrongType,
)
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..household import Household
from ..result import HouseholdResult
from ._args import check_date, check_ids, check_limit, check_positions, check_text, shown
from ._writer import AlertRow, Encoded, FactRow, LogEntry, Writer, fact_rows, plan_facts
from .base import BatchReport, IngestReport, LoggedDecision, QuarantinedRecord, StoredCheckpoint
from .chain import ChainHead, LogRow, VerificationReport, chain_hash, entry_payload, verify_chain
from .codec import canonical_json, decode_fact, decode_household, digest, encode_fact, encode_household
from .privacy import Pseudonymizer, personal_values, scrub

__all__ = ["StoreBase"]

logger = logging.getLogger("relapse_guard.store")


def _chunks(records: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _unencodable(value: object, path: str = "") -> tuple[str, str] | None:
    """The first text in ``value`` (a record, nested) that UTF-8 cannot encode (a lone surrogate,
    e.g. ``"a\\ud800"``), as ``(field, text)``; None when there is none. SQLite and the readers refuse it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "value", value
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{_escaped(key)}" if path else _escaped(key)
            if isinstance(key, str) and _unencodable(key) is not None:
                return name, key
            found = _unencodable(item, name)
            if found is not None:
                return found
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = _unencodable(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _escaped(value: object) -> str:
    """``value`` as text UTF-8 can encode: a lone surrogate shown as ``\\ud800``."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _storable(value: object) -> object:
    """``value`` with every text UTF-8 cannot encode escaped (for the quarantine, which must keep it)."""
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, Mapping):
        return {_storable(key) if isinstance(key, str) else key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


_UTF8 = "text that can be encoded as UTF-8 (no lone surrogates such as '\\ud800')"


def _record_text(record: object) -> str:
    try:
        return canonical_json(record)
    except (TypeError, ValueError):
        return repr(record)


def _field(record: object, name: str) -> str | None:
    value = record.get(name) if isinstance(record, Mapping) else None
    return value if isinstance(value, str) else None


#: A checkpoint as stored: household id, policy, facts seen, next event (ISO date or None), body.
CheckpointRow = tuple[str, str, int, str | None, bytes]


def _alert_bodies(name: str, bodies: object) -> list[str]:
    if isinstance(bodies, str | bytes) or not isinstance(bodies, Sequence):
        raise WrongType(f"{name} must be a sequence of alert bodies (str), not {type(bodies).__name__} {shown(bodies)}")
    return [check_text(f"{name}[{n}]", body, limit=None) for n, body in enumerate(bodies)]


class StoreBase:
    """The store protocol implemented over :class:`Writer` and a few reads (see the module doc)."""

    def __init__(self, *, id_key: bytes | None = None) -> None:
        self._privacy = Pseudonymizer(id_key)

    # --- what a concrete store supplies ---------------------------------------------------

    def _write(self) -> AbstractContextManager[Writer]:
        raise NotImplementedError

    def _household_body(self, household_id: str) -> str | None:
        raise NotImplementedError

    def _fact_bodies(self, household_id: str) -> list[str]:
        raise NotImplementedError

    def _version(self, household_id: str) -> int:
        raise NotImplementedError

    def _household_ids(self) -> list[str]:
        raise NotImplementedError

    def _quarantine_rows(self, household_id: str | None) -> list[QuarantinedRecord]:
        raise NotImplementedError

    def _log_entries(self, household_id: str, policy: str | None) -> list[tuple[str, str]]:
        """``(payload, hash)`` of the household's entries, in log order."""
        raise NotImplementedError

    def _log_snapshot(self) -> AbstractContextManager[tuple[Callable[[], Iterable[LogRow]], ChainHead]]:
        """A function giving every log row in order, and the recorded head, read consistently."""
        raise NotImplementedError

    def _household_bodies(self, household_ids: list[str]) -> dict[str, str]:
        """The JSON body of each of these households that has a record."""
        raise NotImplementedError

    def _pending_ids(self, limit: int | None) -> list[str]:
        raise NotImplementedError

    def _due_ids(self, as_of: str, limit: int | None) -> list[str]:
        """The households whose checkpoint's next event (ISO date) is on or before ``as_of``, sorted."""
        raise NotImplementedError

    def _checkpoint_rows(self, household_ids: list[str]) -> list[CheckpointRow]:
        raise NotImplementedError

    def _facts_after(self, positions: dict[str, int]) -> dict[str, tuple[int, list[str]]]:
        """Per household: its version and the bodies of its facts after the position, in stream order."""
        raise NotImplementedError

    def _alert_rows(self, cycle: str, household_id: str | None) -> list[tuple[str, str]]:
        raise NotImplementedError

    def _cycle_body(self, cycle: str) -> str | None:
        raise NotImplementedError

    def _cycle_names(self) -> list[str]:
        raise NotImplementedError

    def _checkpoint_totals(self) -> tuple[int, int]:
        """How many checkpoints, and the total size of their bodies."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the store's resources."""

    # --- households -----------------------------------------------------------------------

    def put_household(self, household: Household) -> None:
        """Store a household's record (replacing an earlier one with the same id)."""
        self.put_households([household])

    def put_households(self, households: Iterable[Household]) -> int:
        """Store many households in one transaction; returns how many.

        A household holding text UTF-8 cannot encode (a lone surrogate) raises
        :class:`~relapse_guard.errors.InvalidHousehold` naming the field, and nothing is stored.
        """
        rows = []
        for household in households:
            if not isinstance(household, Household):
                raise InvalidHousehold(None, "household", type(household).__name__, "a Household")
            bad = _unencodable(household.to_dict())
            if bad is not None:
                raise InvalidHousehold(_escaped(household.id), bad[0], bad[1], _UTF8)
            rows.append((household.id, encode_household(self._privacy.household(household))))
        with self._write() as tx:
            tx.put_households(rows)
        return len(rows)

    def household(self, household_id: str) -> Household:
        """The household's record (member ids hashed if the store hashes them)."""
        body = self._household_body(household_id)
        if body is None:
            raise UnknownHousehold(household_id)
        return decode_household(body)

    def household_ids(self) -> list[str]:
        """The ids of every household with a record or facts, sorted."""
        return self._household_ids()

    # --- facts ----------------------------------------------------------------------------

    def version(self, household_id: str) -> int:
        """How many facts the household has stored (0 when none)."""
        return self._version(household_id)

    def facts(self, household_id: str, *, kinds: FactKinds = DEFAULT_FACT_KINDS) -> list[Fact]:
        """The household's facts in the order stored, read back through ``kinds``."""
        return [decode_fact(body, kinds) for body in self._fact_bodies(household_id)]

    def append(self, household_id: str, facts: Iterable[Fact], *, expected_version: int | None = None) -> int:
        """Append facts to one household in one transaction; returns the new version.

        See :meth:`~relapse_guard.store.base.Store.append`. Also raises
        :class:`~relapse_guard.errors.InvalidFact` for a fact of another household.
        """
        if not isinstance(household_id, str) or not household_id.strip():
            raise InvalidFact(None, "household_id", household_id, "a non-empty string")
        if expected_version is not None and (
            isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0
        ):
            raise InvalidArgument(f"expected_version must be None or an int >= 0, not {expected_version!r}")
        prepared = [self._prepare(household_id, fact) for fact in facts]
        with self._write() as tx:
            current = tx.versions([household_id]).get(household_id, 0)
            if expected_version is not None and expected_version != current:
                raise ConcurrencyConflict(household_id, expected_version, current)
            plan = plan_facts(household_id, prepared, tx.stored_facts({f.id for f, _ in prepared}), {})
            if plan.conflicts:
                raise plan.conflicts[0][1]
            rows = fact_rows(household_id, current, plan.new)
            if rows:
                tx.insert_facts(rows, {household_id: current + len(rows)})
        return current + len(rows)

    def _prepare(self, household_id: str, fact: object) -> Encoded:
        if not isinstance(fact, Fact):
            raise InvalidFact(household_id, "facts", type(fact).__name__, "Fact instances")
        if fact.household_id != household_id:
            raise InvalidFact(
                household_id,
                "household_id",
                fact.household_id,
                f"facts of household {household_id!r}",
                fact_id=fact.id,
            )
        bad = _unencodable(fact.to_dict())
        if bad is not None:
            raise InvalidFact(_escaped(household_id), bad[0], bad[1], _UTF8, fact_id=_escaped(fact.id))
        stored = self._privacy.fact(fact)
        return stored, encode_fact(stored)

    # --- ingest ---------------------------------------------------------------------------

    def ingest(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        kinds: FactKinds = DEFAULT_FACT_KINDS,
        batch_size: int = 1000,
        progress: Callable[[BatchReport], None] | None = None,
    ) -> IngestReport:
        """Parse plain dicts into facts and store them, ``batch_size`` records per transaction.

        Each batch is one transaction holding its facts *and* its quarantined records: after
        a crash a batch is all there or not at all. A record that does not parse
        (:class:`~relapse_guard.errors.InvalidFact`) or reuses a stored fact id with other
        content (:class:`~relapse_guard.errors.ConflictingFact`) is quarantined with the
        error's message; exact duplicates are skipped. A record holding text UTF-8 cannot encode
        (a lone surrogate, ``"a\\ud800"``) is quarantined naming the field, shown escaped. The same
        record is quarantined once (:attr:`QuarantinedRecord.key`), however often it is ingested.
        ``progress`` is called with each batch's :class:`BatchReport` once it is committed.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgument(f"batch_size must be an int >= 1, not {batch_size!r}")
        report = IngestReport()
        for number, chunk in enumerate(_chunks(records, batch_size), start=1):
            batch = self._ingest_batch(number, chunk, kinds)
            report = report.add(batch)
            if progress is not None:
                progress(batch)
        return report

    def _ingest_batch(self, number: int, chunk: list[Any], kinds: FactKinds) -> BatchReport:
        # Parse outside the transaction: the write lock is held only to write.
        by_household: dict[str, list[tuple[Encoded, object]]] = {}
        rejected: list[QuarantinedRecord] = []
        for record in chunk:
            try:
                bad = _unencodable(record)
                if bad is not None:
                    field, text = bad
                    household_id = _field(_storable(record), "household_id")
                    raise InvalidFact(household_id, field, text, _UTF8, fact_id=_field(_storable(record), "id"))
                fact = self._privacy.fact(kinds.parse(record))
            except (ValueError, TypeError) as error:  # InvalidFact, or a record too odd to inspect
                rejected.append(self._quarantine_entry(record, error))
                continue
            by_household.setdefault(fact.household_id, []).append(((fact, encode_fact(fact)), record))
        stored_count = duplicates = 0
        with self._write() as tx:
            versions = tx.versions(by_household.keys())
            stored = tx.stored_facts({fact.id for pairs in by_household.values() for (fact, _), _ in pairs})
            staged: dict[str, tuple[str, Fact]] = {}
            rows: list[FactRow] = []
            new_versions: dict[str, int] = {}
            for household_id, pairs in by_household.items():
                plan = plan_facts(household_id, [encoded for encoded, _ in pairs], stored, staged)
                duplicates += plan.duplicates
                rejected.extend(self._quarantine_entry(pairs[i][1], error) for i, error in plan.conflicts)
                if plan.new:
                    current = versions.get(household_id, 0)
                    rows.extend(fact_rows(household_id, current, plan.new))
                    new_versions[household_id] = current + len(plan.new)
            if rows:
                tx.insert_facts(rows, new_versions)
            if rejected:
                # one entry per record: not twice in a batch, not again if quarantined before
                known = tx.quarantined_keys({r.household_id for r in rejected})
                fresh = []
                for entry in rejected:
                    if entry.key not in known:
                        known.add(entry.key)
                        fresh.append(entry)
                if fresh:
                    tx.quarantine(fresh)
            stored_count = len(rows)
        if rejected:
            logger.warning(
                "ingest batch %d: %d of %d records quarantined (first: %s)",
                number,
                len(rejected),
                len(chunk),
                rejected[0].reason,
            )
        return BatchReport(number, len(chunk), stored_count, duplicates, len(rejected))

    def _quarantine_entry(self, record: object, error: Exception) -> QuarantinedRecord:
        record = _storable(record)
        reason = scrub(_escaped(error), personal_values(record))
        return QuarantinedRecord(
            household_id=_field(record, "household_id"),
            fact_id=_field(record, "id"),
            error=type(error).__name__,
            reason=reason,
            record=_record_text(self._privacy.record(record)),
        )

    def quarantined(self, household_id: str | None = None) -> list[QuarantinedRecord]:
        """The quarantined records (of one household when given), oldest first."""
        return self._quarantine_rows(household_id)

    # --- the decisions log ----------------------------------------------------------------

    def record_decisions(self, result: HouseholdResult) -> int:
        """Append the result's decisions not yet logged for its household and policy; returns how many.

        Each entry keeps the policy label (``name@version``) and the result's ``as_of``, and
        is chained to the entry before it. Recording the same result twice logs nothing the
        second time; a later result logs only the decisions that are new or changed. Member
        ids in the decisions are hashed when the store hashes personal ids.
        """
        household_id = result.household_id
        personal = {d.risk.member_id for d in result.decisions if d.risk is not None and d.risk.member_id}
        entries = [self._privacy.decision(d.to_dict(), personal) for d in result.decisions]
        digests = [digest(canonical_json(entry)) for entry in entries]
        as_of = result.as_of.isoformat() if result.as_of is not None else None
        with self._write() as tx:
            known = tx.logged_digests(household_id, result.policy, set(digests))
            head = tx.chain_head()
            sequence, previous = head.sequence, head.hash
            new: list[LogEntry] = []
            for entry, entry_digest in zip(entries, digests, strict=True):
                if entry_digest in known:
                    continue
                known.add(entry_digest)
                sequence += 1
                payload = entry_payload(sequence, household_id, result.policy, as_of, entry)
                row = LogRow(payload, previous, chain_hash(previous, payload))
                new.append(LogEntry(sequence, household_id, result.policy, entry_digest, row))
                previous = row.hash
            if new:
                tx.append_log(new, ChainHead(sequence, previous))
        return len(new)

    def decisions(self, household_id: str, *, policy: str | None = None) -> list[LoggedDecision]:
        """The household's logged decisions (made by ``policy``, a label, when given), in log order."""
        logged = []
        for payload, entry_hash in self._log_entries(household_id, policy):
            data = json.loads(payload)
            logged.append(
                LoggedDecision(
                    sequence=data["seq"],
                    household_id=data["household_id"],
                    policy=data["policy"],
                    as_of=data["as_of"],
                    decision=data["decision"],
                    hash=entry_hash,
                )
            )
        return logged

    def head(self) -> ChainHead:
        """The last entry of the decisions log, as recorded (keep it elsewhere as an anchor)."""
        with self._log_snapshot() as (_, head):
            return head

    def verify(self, *, anchor: ChainHead | None = None) -> VerificationReport:
        """Check the decisions log; see :func:`~relapse_guard.store.chain.verify_chain`.

        ``anchor`` is a head kept outside the store (from :meth:`head` or an earlier
        report): the report then also proves nothing up to it was rewritten.
        """
        with self._log_snapshot() as (rows, head):
            return verify_chain(rows, recorded_head=head, anchor=anchor)

    # --- the monthly cycle ----------------------------------------------------------------

    def households(self, household_ids: Collection[str]) -> dict[str, Household]:
        """The records of the households among ``household_ids`` that have one (member ids hashed
        if the store hashes them), read in batches; ids without a record are left out."""
        ids = check_ids("household_ids", household_ids)
        return {hid: decode_household(body) for hid, body in self._household_bodies(ids).items()}

    def pending_households(self, *, limit: int | None = None) -> list[str]:
        """The households whose stream has facts their checkpoint does not include (or that have facts
        and no checkpoint), sorted; the first ``limit`` when given. Read by the pending index."""
        return self._pending_ids(check_limit(limit))

    def due_households(self, as_of: dt.date, *, limit: int | None = None) -> list[str]:
        """The households whose checkpoint's next clock event is on or before ``as_of``, sorted by id;
        the first ``limit`` when given. Read by the index on the checkpoints' next event."""
        return self._due_ids(check_date("as_of", as_of).isoformat(), check_limit(limit))

    def checkpoints(self, household_ids: Collection[str]) -> dict[str, StoredCheckpoint]:
        """The checkpoints of the households among ``household_ids`` that have one."""
        ids = check_ids("household_ids", household_ids)
        return {
            hid: StoredCheckpoint(hid, policy, seen, None if event is None else dt.date.fromisoformat(event), body)
            for hid, policy, seen, event, body in self._checkpoint_rows(ids)
        }

    def facts_after(
        self, positions: Mapping[str, int], *, kinds: FactKinds = DEFAULT_FACT_KINDS
    ) -> dict[str, tuple[int, list[Fact]]]:
        """For each household of ``positions``: its current version and its facts stored at positions
        above the one given, in stream order, read through ``kinds``.

        A household without facts gives ``(0, [])``. Households are read in batches, each from one
        snapshot, so a household's version and facts agree even while others write.
        """
        wanted = check_positions("positions", positions)
        return {
            hid: (version, [decode_fact(body, kinds) for body in bodies])
            for hid, (version, bodies) in self._facts_after(wanted).items()
        }

    def save_checkpoints(self, cycle: str, updates: Sequence[tuple[StoredCheckpoint, Sequence[str]]]) -> None:
        """Store checkpoints and what ``cycle`` found, in one transaction (all or nothing).

        Each update is ``(checkpoint, alert bodies)``: the checkpoint replaces the household's
        earlier one; the alert bodies (JSON text made by the caller) are appended after those
        already stored for the cycle and household. A household leaves the pending index when its
        stream version equals the checkpoint's ``facts_seen``, and stays in it (or goes back) when
        facts were stored after those the checkpoint includes. A household given twice keeps its
        last checkpoint and all its alerts, in order.

        Raises :class:`~relapse_guard.errors.CheckpointAhead`, storing nothing, for a checkpoint
        with ``facts_seen`` above its household's version.
        """
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        if isinstance(updates, str | bytes) or not isinstance(updates, Sequence):
            raise WrongType(
                f"updates must be a sequence of (StoredCheckpoint, alert bodies) pairs, not "
                f"{type(updates).__name__} {shown(updates)}"
            )
        prepared: list[tuple[StoredCheckpoint, list[str]]] = []
        for index, update in enumerate(updates):
            if not isinstance(update, tuple) or len(update) != 2 or not isinstance(update[0], StoredCheckpoint):
                raise WrongType(
                    f"updates[{index}] must be a (StoredCheckpoint, alert bodies) pair, not "
                    f"{type(update).__name__} {shown(update)}"
                )
            prepared.append((update[0], _alert_bodies(f"updates[{index}] alerts", update[1])))
        if not prepared:
            return
        with self._write() as tx:
            versions = tx.versions({checkpoint.household_id for checkpoint, _ in prepared})
            for checkpoint, _ in prepared:
                version = versions.get(checkpoint.household_id, 0)
                if checkpoint.facts_seen > version:
                    raise CheckpointAhead(checkpoint.household_id, checkpoint.facts_seen, version)
            last = tx.alert_positions(name, {checkpoint.household_id for checkpoint, bodies in prepared if bodies})
            alerts: list[AlertRow] = []
            latest: dict[str, StoredCheckpoint] = {}
            for checkpoint, bodies in prepared:
                hid = checkpoint.household_id
                latest[hid] = checkpoint
                position = last.get(hid, 0)
                for body in bodies:
                    position += 1
                    alerts.append((name, hid, position, body))
                last[hid] = position
            tx.put_checkpoints(list(latest.values()))
            tx.clear_pending([hid for hid, cp in latest.items() if cp.facts_seen == versions.get(hid, 0)])
            tx.mark_pending([hid for hid, cp in latest.items() if cp.facts_seen < versions.get(hid, 0)])
            if alerts:
                tx.insert_alerts(alerts)

    def alerts(self, cycle: str, household_id: str | None = None) -> list[tuple[str, str]]:
        """What ``cycle`` found: ``(household id, alert body)`` by household, then in the order stored;
        of one household when given."""
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        if household_id is not None:
            check_text("household_id", household_id, limit=MAX_ID_LENGTH)
        return self._alert_rows(name, household_id)

    def put_cycle(self, cycle: str, body: str) -> None:
        """Store a cycle's record (JSON text made by the caller: as-of, counts, started and finished),
        replacing an earlier one."""
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        text = check_text("body", body, limit=None)
        with self._write() as tx:
            tx.put_cycle(name, text)

    def cycle(self, cycle: str) -> str | None:
        """The cycle's record, None when it has none."""
        return self._cycle_body(check_text("cycle", cycle, limit=MAX_ID_LENGTH))

    def cycles(self) -> list[str]:
        """The names of the cycles with a record, sorted."""
        return self._cycle_names()

    def checkpoint_count(self) -> int:
        """How many households have a checkpoint."""
        return self._checkpoint_totals()[0]

    def checkpoint_bytes(self) -> int:
        """The total size of the checkpoints' bodies, in bytes."""
        return self._checkpoint_totals()[1]

    # --- context manager ------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
