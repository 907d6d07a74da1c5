"""What every store does, written once over a few storage primitives.

A concrete store supplies a *transaction* (:class:`~._writer.Writer`: read versions and stored facts,
insert rows, all-or-nothing) and a handful of reads; :class:`StoreBase` implements the
store protocol on top: validation, keyed hashing of personal ids, idempotent appends,
optimistic concurrency, batched ingest with quarantine, and the chained decisions log.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import types
import typing
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from operator import itemgetter
from types import TracebackType
from typing import Any, Self

import attrs

from ..bounds import MAX_ID_LENGTH
from ..errors import (
    CheckpointAhead,
    ConcurrencyConflict,
    ConflictingVersions,
    CorrectionOfChange,
    CorrectionOfOtherHousehold,
    InvalidArgument,
    InvalidFact,
    InvalidHousehold,
    UnknownHousehold,
    WrongType,
)
from ..fact_fields import field_specs
from ..fact_plans import NOT_FAST, fact_plan
from ..facts import DEFAULT_FACT_KINDS, Fact, FactCorrected, FactKinds, FactRetracted
from ..household import Household
from ..result import HouseholdResult
from ..versions import target_of
from ._args import (
    check_count,
    check_date,
    check_ids,
    check_iterable,
    check_limit,
    check_positions,
    check_text,
    shown,
)
from ._delivery import Delivery, conflicting_versions
from ._unrecorded import refused_unrecorded
from ._writer import AlertRow, Encoded, FactRow, LogEntry, Writer, fact_rows, plan_facts
from .base import DEFAULT_BATCH_SIZE, BatchReport, IngestReport, LoggedDecision, QuarantinedRecord, StoredCheckpoint
from .chain import (
    ChainHead,
    LogRow,
    StoreHeads,
    VerificationReport,
    chain_hash,
    entry_payload,
    ordered,
    verify_chain,
)
from .codec import (
    ReadRecord,
    canonical_json,
    date_text,
    date_texts,
    decision_identity,
    decode_fact,
    decode_household,
    digest,
    encode_fact,
    encode_household,
    fact_encoder_of,
    fact_encoders,
    record_reader_of,
)
from .linked import (
    FACT_HEAD,
    POSITION_TAILS,
    PREFIX,
    ChainedFactRow,
    CheckpointRow,
    StoredCheckpointRow,
    StoredFactRow,
    StoredLogRow,
    link_checkpoints,
    link_facts,
    position_tail,
    verify_checkpoints,
    verify_facts,
)
from .privacy import Pseudonymizer, personal_values, scrub

__all__ = ["CheckpointRow", "Snapshot", "StoreBase"]

logger = logging.getLogger("relapse_guard.store")


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


#: Types of values that hold no text: a record's value of one of these needs no UTF-8 check.
_TEXTLESS = frozenset({int, float, bool, type(None), Decimal, dt.date})


def _plain(record: object) -> bool:
    """True for a dict whose keys are ASCII text and whose values are ASCII text, values without
    text, or lists of those: a record that holds nothing UTF-8 cannot encode, checked at the cost
    of a few C calls (most records are such). False says nothing: look with :func:`_unencodable`."""
    if type(record) is not dict:
        return False
    try:
        if not "".join(record).isascii():
            return False
    except TypeError:  # a key that is not text
        return False
    for value in record.values():
        kind = type(value)
        if kind is str:
            if not value.isascii():
                return False
        elif kind is list:
            for item in value:
                if type(item) is str:
                    if not item.isascii():
                        return False
                elif type(item) not in _TEXTLESS:
                    return False
        elif kind not in _TEXTLESS:
            return False
    return True


#: A parsed fact as a batch keeps it: its id, kind, ISO date and stored form, and its record's index in the batch.
_Parsed = tuple[str, str, str, str, int]


_household_of = itemgetter(1)

#: The kinds of facts that change other facts (a correction, a retraction).
_CHANGE_KINDS = frozenset({FactCorrected.kind, FactRetracted.kind})


def _now() -> dt.datetime:
    """The moment facts are recorded at, when they come without one (UTC, to the second's millionth)."""
    return dt.datetime.now(dt.UTC)


def _with_recorded_at(fact: Fact, moment: dt.datetime) -> Fact:
    """``fact`` recorded at ``moment`` (a copy: facts are frozen)."""
    copy = object.__new__(type(fact))
    for field in attrs.fields(type(fact)):
        object.__setattr__(copy, field.name, getattr(fact, field.name))
    object.__setattr__(copy, "recorded_at", moment)
    return copy


def _refused_changes(
    household_id: str, facts: Sequence[Fact], stored: Callable[[Collection[str]], Mapping[str, tuple[str, str]]]
) -> list[tuple[int, InvalidFact]]:
    """The corrections and retractions among ``facts`` (by index) that the store refuses: of a fact
    stored for another household (:class:`~relapse_guard.errors.CorrectionOfOtherHousehold`), and the
    corrections of a correction or retraction, stored or among ``facts``
    (:class:`~relapse_guard.errors.CorrectionOfChange`: such a record is retracted, not corrected).

    A correction of a fact not stored (yet) is taken: facts may arrive in any order, and a run
    refuses a correction whose fact it does not have (:class:`~relapse_guard.errors.UnknownCorrectedFact`).
    """
    targets: dict[int, tuple[str, str]] = {}
    for index, fact in enumerate(facts):
        if isinstance(fact, FactCorrected):
            targets[index] = ("corrects", fact.corrects)
        elif isinstance(fact, FactRetracted):
            targets[index] = ("retracts", fact.retracts)
    if not targets:
        return []
    given = {fact.id: fact for fact in facts if isinstance(fact, FactCorrected | FactRetracted)}
    owners = stored({target for _, target in targets.values()})
    found: list[tuple[int, InvalidFact]] = []
    for index, (field, target) in targets.items():
        owner = owners.get(target)
        fact_id = facts[index].id
        if owner is not None and owner[0] != household_id:
            found.append((index, CorrectionOfOtherHousehold(household_id, field, target, owner[0], fact_id=fact_id)))
        elif field == "corrects" and (change := _change_record(target, given, owner)) is not None:
            kind, changed = change
            of = _fact_changed(changed, given, stored)
            found.append((index, CorrectionOfChange(household_id, target, kind, of, fact_id=fact_id)))
    return found


def _fact_changed(
    target: str, given: Mapping[str, Fact], stored: Callable[[Collection[str]], Mapping[str, tuple[str, str]]]
) -> str:
    """``target``, or, when it is a correction or retraction (given or stored), the fact at the end
    of the chain of records it changes (a withdrawal names a correction or retraction)."""
    for _ in range(100):  # a chain of withdrawals is short: a bound against a cycle of bad records
        change = _change_record(target, given, stored([target]).get(target))
        if change is None or not change[1]:
            break
        target = change[1]
    return target


def _change_record(target: str, given: Mapping[str, Fact], row: tuple[str, str] | None) -> tuple[str, str] | None:
    """The kind of ``target`` and the id it changes when it is a correction or retraction, given
    (``given``) or stored (``row``: its household and body); None when it is neither."""
    fact = given.get(target)
    if fact is not None:
        return fact.kind, target_of(fact) or ""
    if row is None:
        return None
    body = json.loads(row[1])
    kind = body.get("kind")
    if kind not in _CHANGE_KINDS:
        return None
    changed = body.get("corrects", body.get("retracts"))
    return kind, changed if isinstance(changed, str) else ""


def _appended(
    parsed: dict[str, list[_Parsed]], versions: Mapping[str, int], head: ChainHead
) -> tuple[list[ChainedFactRow], dict[str, int], ChainHead]:
    """The rows of a batch's facts all appended to their households' streams and chained after
    ``head`` (as :func:`~.linked.link_facts` chains rows), the new versions and the chain's new head.

    Rows go in household order: each household's index entries are then written together,
    page after page, not one page here and one there (a month's feed mixes the households).
    Each is chained as it is made, in one loop: ingest chains millions of facts."""
    seq = head.sequence
    previous = bytes.fromhex(head.hash)
    sha256, join, tails, fact_head = hashlib.sha256, b"".join, POSITION_TAILS, FACT_HEAD
    rows: list[ChainedFactRow] = []
    append = rows.append
    new_versions: dict[str, int] = {}
    for household_id, entries in sorted(parsed.items()):
        position = versions.get(household_id, 0)
        for fact_id, kind, date, body, _ in entries:
            position += 1
            seq += 1
            tail = tails[position] if position < 4096 else position_tail(position)
            after = sha256(join((previous, fact_head, body.encode(), tail))).digest()
            link = bytearray(previous)
            link += after[:PREFIX]
            append((seq, fact_id, household_id, position, kind, date, body, link))
            previous = after
        new_versions[household_id] = position
    return rows, new_versions, ChainHead(seq, previous.hex())


def _unencodable_error(record: object) -> InvalidFact | None:
    """The error refusing ``record`` for holding text UTF-8 cannot encode; None when it holds none."""
    if _plain(record):
        return None
    bad = _unencodable(record)
    if bad is None:
        return None
    field, text = bad
    shown = _storable(record)
    return InvalidFact(_field(shown, "household_id"), field, text, _UTF8, fact_id=_field(shown, "id"))


def _refuses_text(hint: object, *, text: bool) -> bool:
    """True when the parser of a field of type ``hint`` (:mod:`relapse_guard.fact_fields`) takes no value
    holding text UTF-8 cannot encode. ``text``: a plain ``str`` is parsed with the text bound check
    (:func:`~relapse_guard.bounds.valid_text`), as fields and optional fields are, not items of sets."""
    if hint is str:
        return text
    if hint in (dt.date, dt.datetime, Decimal, bool):  # ISO text, a decimal number, a bool: no lone surrogate parses
        return True
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        # a member by its value (each encodable), or nothing: an enum's own _missing_ could take any text
        default = getattr(hint._missing_, "__func__", None) is getattr(enum.Enum._missing_, "__func__", False)
        return default and all(_unencodable(member.value) is None for member in hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is frozenset and len(args) == 1:
        return _refuses_text(args[0], text=False)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _refuses_text(args[0] if args[1] is type(None) else args[1], text=text)
    return False


def _refuses_unencodable(cls: type[Fact]) -> bool:
    """True when :meth:`FactKinds.parse` makes a fact of ``cls`` only from a record holding no text
    UTF-8 cannot encode: the class is built from its fields' parsers alone (it has a fast plan: no
    validators or converters of its own), each of which refuses such text, and both ways of parsing
    refuse a field the class does not have. Its records need no look through once parsed."""
    if fact_plan(cls) is None:
        return False
    try:
        specs = field_specs(cls)
    except Exception:  # an annotation that does not resolve, or a type facts may not have
        return False
    return all(spec.name.isascii() and _refuses_text(spec.hint, text=True) for spec in specs)


def _readers(kinds: FactKinds, checked: frozenset[type]) -> dict[str, tuple[Callable[[Any], ReadRecord], str]]:
    """For each kind of ``kinds`` whose class is in ``checked`` and has a :func:`~.codec.record_reader`:
    the reader and the class's ``kind`` (what the fact's ``kind`` would be)."""
    found = {}
    for kind, cls in kinds.by_kind.items():
        reader = record_reader_of(cls) if cls in checked else None
        if reader is not None:
            found[kind] = (reader, cls.kind)
    return found


def _refusing_classes(kinds: FactKinds) -> frozenset[type]:
    """The classes of ``kinds`` of :func:`_refuses_unencodable`; none when a kind's name (matched
    against the records' ``kind``) is not text UTF-8 can encode."""
    if any(_unencodable(kind) is not None for kind in kinds.by_kind):
        return frozenset()
    return frozenset(cls for cls in kinds.by_kind.values() if _refuses_unencodable(cls))


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


def _alert_bodies(name: str, bodies: object) -> list[str]:
    if isinstance(bodies, str | bytes) or not isinstance(bodies, Sequence):
        raise WrongType(f"{name} must be a sequence of alert bodies (str), not {type(bodies).__name__} {shown(bodies)}")
    return [check_text(f"{name}[{n}]", body, limit=None) for n, body in enumerate(bodies)]


@attrs.frozen
class Snapshot:
    """What verifying a store reads, from one consistent snapshot: each chain's rows in the order
    stored (functions: a chain is read again only to say more about a problem found) and its
    head as recorded; the households' stream versions; the checkpoints in force."""

    decisions: Callable[[], Iterable[LogRow]]
    decisions_head: ChainHead
    facts: Callable[[], Iterable[StoredFactRow]]
    facts_head: ChainHead
    versions: Callable[[], Mapping[str, int]]
    checkpoint_log: Callable[[], Iterable[StoredLogRow]]
    checkpoints_head: ChainHead
    checkpoints: Callable[[], Iterable[StoredCheckpointRow]]


def _stored(row: CheckpointRow) -> StoredCheckpoint:
    hid, policy, seen, event, body = row
    return StoredCheckpoint(hid, policy, seen, None if event is None else dt.date.fromisoformat(event), body)


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

    def _snapshot(self) -> AbstractContextManager[Snapshot]:
        """The chains' rows and heads, the stream versions and the checkpoints, read consistently."""
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

    def _base_rows(self, cycle: str, household_ids: list[str]) -> dict[str, CheckpointRow | None]:
        raise NotImplementedError

    def _cycle_bodies(self, cycle: str) -> list[str]:
        """The record of each run of the cycle, in the order run."""
        raise NotImplementedError

    def _cycle_names(self) -> list[str]:
        raise NotImplementedError

    def _checkpoint_totals(self) -> tuple[int, int]:
        """How many checkpoints, and the total size of their bodies."""
        raise NotImplementedError

    def _cycle_lock(self, cycle: str) -> AbstractContextManager[None]:
        """The store's cycle lock, held for a run of ``cycle`` (see :mod:`._lock`)."""
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
        return self._decoded([decode_fact(body, kinds) for body in self._fact_bodies(household_id)])

    def _decoded(self, facts: list[Fact]) -> list[Fact]:
        """``facts`` as read back: with personal ids hashed, a correction's replacement stored
        by an earlier version with its member id as given is hashed too (its household, hashed,
        has no such member)."""
        if not self._privacy.enabled:
            return facts
        return [self._privacy.fact(fact) if type(fact) is FactCorrected else fact for fact in facts]

    def append(self, household_id: str, facts: Iterable[Fact], *, expected_version: int | None = None) -> int:
        """Append facts to one household in one transaction; returns the new version.

        See :meth:`~relapse_guard.store.base.Store.append`. Also raises
        :class:`~relapse_guard.errors.InvalidFact` for a fact of another household,
        :class:`~relapse_guard.errors.FactOfUnknownHousehold` for a fact of a household with no
        record (but a retraction of a fact stored for it), and the errors of a correction or
        retraction the store refuses (:func:`_refused_changes`).
        """
        if not isinstance(household_id, str) or not household_id.strip():
            raise InvalidFact(None, "household_id", household_id, "a non-empty string")
        if expected_version is not None and (
            isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0
        ):
            raise InvalidArgument(f"expected_version must be None or an int >= 0, not {expected_version!r}")
        check_iterable("Store.append", "facts", facts)
        now = _now()
        prepared = [self._prepare(household_id, fact, now) for fact in facts]
        with self._write() as tx:
            current = tx.versions([household_id]).get(household_id, 0)
            if expected_version is not None and expected_version != current:
                raise ConcurrencyConflict(household_id, expected_version, current)
            given = [fact for fact, _ in prepared]
            if given and not tx.recorded([household_id]):
                retracted = {fact.retracts for fact in given if isinstance(fact, FactRetracted)}
                stored = tx.stored_facts(retracted) if retracted else {}
                unrecorded = refused_unrecorded(household_id, given, stored, tx.recorded)
                if unrecorded:
                    raise unrecorded[0][1]
            refused = _refused_changes(household_id, given, tx.stored_facts)
            if refused:
                raise refused[0][1]
            plan = plan_facts(household_id, prepared, tx.stored_facts({f.id for f, _ in prepared}), {})
            if plan.conflicts:
                raise plan.conflicts[0][1]
            rows = fact_rows(household_id, current, plan.new)
            if rows:
                chained, head = link_facts(rows, tx.fact_head())
                tx.insert_facts(chained, {household_id: current + len(rows)}, head)
        return current + len(rows)

    def _prepare(self, household_id: str, fact: object, now: dt.datetime | None = None) -> Encoded:
        if not isinstance(fact, Fact):
            raise InvalidFact(household_id, "facts", type(fact).__name__, "Fact instances")
        if fact.recorded_at is None and now is not None:
            fact = _with_recorded_at(fact, now)
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
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Callable[[BatchReport], None] | None = None,
    ) -> IngestReport:
        """Parse plain dicts into facts and store them, ``batch_size`` records per transaction.

        Each batch is one transaction holding its facts *and* its quarantined records: after
        a crash a batch is all there or not at all. A record that does not parse
        (:class:`~relapse_guard.errors.InvalidFact`) or reuses a stored fact id with other
        content (:class:`~relapse_guard.errors.ConflictingFact`) is quarantined with the
        error's message, and so is a fact of a household with no record
        (:class:`~relapse_guard.errors.FactOfUnknownHousehold`, naming a stored household whose id
        is one edit away; only a retraction of a fact stored for it is taken without one: store the
        households first, :meth:`put_households`); exact duplicates are skipped. A record holding
        text UTF-8 cannot encode (a lone surrogate, ``"a\\ud800"``) is quarantined naming the field,
        shown escaped. The same record is quarantined once (:attr:`QuarantinedRecord.key`), however
        often it is ingested. ``progress`` is called with each batch's :class:`BatchReport` once it is committed.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidArgument(f"batch_size must be an int >= 1, not {batch_size!r}")
        check_iterable("Store.ingest", "records", records)
        report = IngestReport()
        checked = _refusing_classes(kinds)
        delivery = Delivery(records, batch_size)
        try:
            for _ in delivery.first():  # the fact ids given in records that differ
                pass
            refused = conflicting_versions(delivery, kinds.parse)
            for number, chunk in enumerate(delivery.again(), start=1):
                start = (number - 1) * batch_size
                given_twice = {n - start: error for n, error in refused.items() if start <= n < start + len(chunk)}
                batch = self._ingest_batch(number, chunk, kinds, checked, given_twice)
                report = report.add(batch)
                if progress is not None:
                    progress(batch)
        finally:
            delivery.close()
        return report

    def _ingest_batch(
        self,
        number: int,
        chunk: list[Any],
        kinds: FactKinds,
        checked: frozenset[type],
        given_twice: Mapping[int, ConflictingVersions],
    ) -> BatchReport:
        # a record without recorded_at is stamped with the batch's moment (the caller's dict is not changed)
        stamp = self._stamp = _now().isoformat()
        chunk = [
            {**record, "recorded_at": stamp} if type(record) is dict and "recorded_at" not in record else record
            for record in chunk
        ]
        parsed, rejected = self._parse_batch(chunk, kinds, checked)
        with self._write() as tx:
            self._refuse_unrecorded(chunk, kinds, parsed, tx, rejected)
            if given_twice:
                self._refuse_versions(chunk, parsed, given_twice, tx.stored_facts, rejected)
            if any(entry[1] in _CHANGE_KINDS for entries in parsed.values() for entry in entries):
                self._refuse_changes(chunk, kinds, parsed, tx.stored_facts, rejected)
            versions = tx.versions(sorted(parsed))
            ids = [entry[0] for entries in parsed.values() for entry in entries]
            # No id twice in the batch and none stored: every fact is new, appended as it comes. Tried
            # first, as an insert that a stored id refuses (a month's new facts need no look-up);
            # refused, nothing of it stays and the batch is sorted out against the stored facts.
            # Each fact is chained in the order inserted, after the head read here, under the write lock.
            head = tx.fact_head()
            duplicates = 0
            rows: Sequence[object] = ()
            inserted = len(set(ids)) == len(ids)
            if inserted:
                rows, new_versions, new_head = _appended(parsed, versions, head)
                if rows:
                    inserted = tx.insert_new_facts(rows, new_versions, new_head)
            if not inserted:
                stored = tx.stored_facts(ids)
                rows, new_versions, duplicates = self._plan_batch(chunk, kinds, parsed, versions, stored, rejected)
                if rows:
                    chained, new_head = link_facts(rows, head)
                    tx.insert_facts(chained, new_versions, new_head)
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
        if rejected:  # at INFO: the report says it (a command line's stderr had it twice, unprefixed)
            logger.info(
                "ingest batch %d: %d of %d records quarantined (first: %s)",
                number,
                len(rejected),
                len(chunk),
                rejected[0].reason,
            )
        keys = tuple(dict.fromkeys(entry.key for entry in rejected))
        return BatchReport(number, len(chunk), len(rows), duplicates, len(rejected), keys)

    def _parse_batch(
        self, chunk: list[Any], kinds: FactKinds, checked: frozenset[type]
    ) -> tuple[dict[str, list[_Parsed]], list[QuarantinedRecord]]:
        """The batch's facts per household, in input order, as :data:`_Parsed` entries; and the records
        refused. Done outside the transaction: the write lock is held only to write.

        A record holding text UTF-8 cannot encode is refused for that (naming the field), whatever
        else is wrong with it. Records are parsed first: a fact of a class in ``checked``
        (:func:`_refuses_unencodable`) proves its record held no such text; any other record is
        looked through.

        The facts themselves are not kept: objects living as long as a batch would make Python's
        cyclic garbage collector run over the whole heap (the caller's records too) every few
        batches. A batch that must compare facts parses its records again (:meth:`_plan_batch`).
        """
        parsed: dict[str, list[_Parsed]] = {}
        rejected: list[QuarantinedRecord] = []
        parse = kinds.parser()
        hide = self._privacy.fact if self._privacy.enabled else None
        encoders = fact_encoders()
        dates, iso = date_texts(), dt.date
        readers = {} if hide is not None else _readers(kinds, checked)
        for index, record in enumerate(chunk):
            if type(record) is dict:
                # a record of a checked kind its reader takes: what parsing and encoding give, no fact made
                kind = record.get("kind")
                reader = readers.get(kind) if type(kind) is str else None
                if reader is not None:
                    try:
                        fact_id, household_id, iso_day, body = reader[0](record)
                    except NOT_FAST:
                        pass
                    else:
                        entries = parsed.get(household_id)
                        if entries is None:
                            entries = parsed[household_id] = []
                        entries.append((fact_id, reader[1], iso_day, body, index))
                        continue
            try:
                fact = parse(record)
                if hide is not None:
                    fact = hide(fact)
            except Exception as error:
                refused = _unencodable_error(record)
                if refused is None and not isinstance(error, ValueError | TypeError):
                    raise  # not a refusal of the record (InvalidFact is a ValueError): the ingest fails
                rejected.append(self._quarantine_entry(record, refused or error))
                continue
            if type(fact) not in checked:
                refused = _unencodable_error(record)
                if refused is not None:
                    rejected.append(self._quarantine_entry(record, refused))
                    continue
            entries = parsed.get(fact.household_id)
            if entries is None:
                entries = parsed[fact.household_id] = []
            encode = encoders.get(type(fact)) or fact_encoder_of(type(fact))
            day = fact.date
            text = dates.get(day) if type(day) is iso else None  # the cache holds plain dates only
            entries.append((fact.id, fact.kind, text or date_text(day), encode(fact), index))
        return parsed, rejected

    def _plan_batch(
        self,
        chunk: list[Any],
        kinds: FactKinds,
        parsed: dict[str, list[_Parsed]],
        versions: Mapping[str, int],
        stored: Mapping[str, tuple[str, str]],
        rejected: list[QuarantinedRecord],
    ) -> tuple[list[FactRow], dict[str, int], int]:
        """The rows of the batch's new facts, the households' new versions and the duplicates skipped;
        conflicts are added to ``rejected``. The facts are parsed again from their records (the
        records parsed before: the same facts)."""
        hide = self._privacy.fact if self._privacy.enabled else None
        staged: dict[str, tuple[str, Fact]] = {}
        rows: list[FactRow] = []
        new_versions: dict[str, int] = {}
        duplicates = 0
        for household_id, entries in parsed.items():
            facts = [kinds.parse(chunk[entry[4]]) for entry in entries]
            if hide is not None:
                facts = [hide(fact) for fact in facts]
            plan = plan_facts(household_id, [(f, e[3]) for f, e in zip(facts, entries, strict=True)], stored, staged)
            duplicates += plan.duplicates
            rejected.extend(self._quarantine_entry(chunk[entries[i][4]], error) for i, error in plan.conflicts)
            if plan.new:
                current = versions.get(household_id, 0)
                rows += fact_rows(household_id, current, plan.new)
                new_versions[household_id] = current + len(plan.new)
        rows.sort(key=_household_of)  # stable: each household's positions stay in order
        return rows, new_versions, duplicates

    def _refuse_unrecorded(
        self,
        chunk: list[Any],
        kinds: FactKinds,
        parsed: dict[str, list[_Parsed]],
        tx: Writer,
        rejected: list[QuarantinedRecord],
    ) -> None:
        """Quarantine the batch's facts of households with no record, but the retractions of a fact
        stored for one (see :mod:`._unrecorded`)."""
        missing = sorted(set(parsed) - set(tx.recorded(list(parsed))))
        if not missing:
            return
        facts = {hid: [kinds.parse(chunk[entry[4]]) for entry in parsed[hid]] for hid in missing}
        retracted = {fact.retracts for hid in missing for fact in facts[hid] if isinstance(fact, FactRetracted)}
        stored = tx.stored_facts(retracted) if retracted else {}
        for hid in missing:
            refused = refused_unrecorded(hid, facts[hid], stored, tx.recorded)
            entries = parsed[hid]
            for index, error in refused:
                rejected.append(self._quarantine_entry(chunk[entries[index][4]], error))
            dropped = {index for index, _ in refused}
            kept = [entry for index, entry in enumerate(entries) if index not in dropped]
            if kept:
                parsed[hid] = kept
            else:
                del parsed[hid]

    def _refuse_versions(
        self,
        chunk: list[Any],
        parsed: dict[str, list[_Parsed]],
        versions: Mapping[int, ConflictingVersions],
        stored: Callable[[Collection[str]], Mapping[str, tuple[str, str]]],
        rejected: list[QuarantinedRecord],
    ) -> None:
        """Quarantine the batch's records (``versions``: by index in the batch) giving a fact the
        delivery gives in different versions, unless the fact was stored before the delivery: such
        a record is a duplicate of it or conflicts with it, as any other."""
        held = {entry[0] for entries in parsed.values() for entry in entries if entry[4] in versions}
        if not held:
            return
        taken = stored(held)
        for household_id, entries in list(parsed.items()):
            kept = []
            for entry in entries:
                if entry[4] in versions and entry[0] not in taken:
                    rejected.append(self._quarantine_entry(chunk[entry[4]], versions[entry[4]]))
                else:
                    kept.append(entry)
            if len(kept) < len(entries):
                if kept:
                    parsed[household_id] = kept
                else:
                    del parsed[household_id]

    def _refuse_changes(
        self,
        chunk: list[Any],
        kinds: FactKinds,
        parsed: dict[str, list[_Parsed]],
        stored: Callable[[Collection[str]], Mapping[str, tuple[str, str]]],
        rejected: list[QuarantinedRecord],
    ) -> None:
        """Quarantine the batch's corrections and retractions the store refuses (:func:`_refused_changes`)."""
        for household_id, entries in parsed.items():
            changes = [(entry, kinds.parse(chunk[entry[4]])) for entry in entries if entry[1] in _CHANGE_KINDS]
            if not changes:
                continue
            found = _refused_changes(household_id, [fact for _, fact in changes], stored)
            refused = {index for index, _ in found}
            for index, error in found:
                rejected.append(self._quarantine_entry(chunk[changes[index][0][4]], error))
            if refused:
                dropped = {id(changes[index][0]) for index in refused}
                parsed[household_id] = [entry for entry in entries if id(entry) not in dropped]

    def _quarantine_entry(self, record: object, error: Exception) -> QuarantinedRecord:
        if type(record) is dict and record.get("recorded_at") is getattr(self, "_stamp", None):
            record = {key: value for key, value in record.items() if key != "recorded_at"}  # as given
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
        digests = [digest(canonical_json(decision_identity(entry))) for entry in entries]
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
        """The last entry of the decisions log, as recorded (keep it elsewhere as an anchor; :meth:`heads`
        gives the heads of the facts' chain and the checkpoint log too)."""
        return self.heads().decisions

    def heads(self) -> StoreHeads:
        """The heads of the facts' chain, the decisions log and the checkpoint log, as recorded (read
        together): keep them elsewhere, and pass them back as ``verify(anchor=...)``."""
        with self._snapshot() as snapshot:
            return StoreHeads(
                facts=snapshot.facts_head, decisions=snapshot.decisions_head, checkpoints=snapshot.checkpoints_head
            )

    def verify(self, *, anchor: ChainHead | StoreHeads | None = None) -> VerificationReport:
        """Check the store's three chains — every stored fact, the decisions log and every checkpoint
        saved — and the checkpoints in force against their log; see
        :func:`~relapse_guard.store.linked.verify_links` and
        :func:`~relapse_guard.store.chain.verify_chain`.

        ``anchor`` holds heads kept outside the store (from :meth:`heads` or an earlier report's
        :attr:`~.chain.VerificationReport.heads`; a :class:`ChainHead` alone is the decisions log's,
        from :meth:`head`): the report then also proves nothing up to them was rewritten.
        """
        if anchor is None:
            anchors = StoreHeads()
        elif isinstance(anchor, StoreHeads):
            anchors = anchor
        elif isinstance(anchor, ChainHead):
            anchors = StoreHeads(decisions=anchor)
        else:
            raise WrongType(
                f"anchor must be StoreHeads, a ChainHead or None, not {type(anchor).__name__} {shown(anchor)}"
            )
        with self._snapshot() as snapshot:
            facts = verify_facts(
                snapshot.facts, recorded_head=snapshot.facts_head, versions=snapshot.versions, anchor=anchors.facts
            )
            decisions = verify_chain(
                snapshot.decisions, recorded_head=snapshot.decisions_head, anchor=anchors.decisions
            )
            checkpoints = verify_checkpoints(
                snapshot.checkpoint_log,
                snapshot.checkpoints,
                recorded_head=snapshot.checkpoints_head,
                anchor=anchors.checkpoints,
            )
        return VerificationReport(
            entries=decisions.entries,
            head=decisions.head,
            problems=ordered([*facts.problems, *decisions.problems, *checkpoints.problems]),
            facts=facts.entries,
            fact_head=facts.head,
            checkpoints=checkpoints.entries,
            checkpoint_head=checkpoints.head,
        )

    # --- the monthly cycle ----------------------------------------------------------------

    def households(self, household_ids: Collection[str]) -> dict[str, Household]:
        """The records of the households among ``household_ids`` that have one (member ids hashed
        if the store hashes them), read in batches; ids without a record are left out."""
        ids = check_ids("household_ids", household_ids)
        return {hid: decode_household(body) for hid, body in self._household_bodies(ids).items()}

    def pending_households(self, *, limit: int | None = None) -> list[str]:
        """The households whose stream has facts their checkpoint does not include (or that have facts
        and no checkpoint, unless :meth:`settle` took them out), sorted; the first ``limit`` when
        given. Read by the pending index."""
        return self._pending_ids(check_limit(limit))

    def due_households(self, as_of: dt.date, *, limit: int | None = None) -> list[str]:
        """The households whose checkpoint's next clock event is on or before ``as_of``, sorted by id;
        the first ``limit`` when given. Read by the index on the checkpoints' next event."""
        return self._due_ids(check_date("as_of", as_of).isoformat(), check_limit(limit))

    def checkpoints(self, household_ids: Collection[str]) -> dict[str, StoredCheckpoint]:
        """The checkpoints of the households among ``household_ids`` that have one."""
        ids = check_ids("household_ids", household_ids)
        return {row[0]: _stored(row) for row in self._checkpoint_rows(ids)}

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
            hid: (version, self._decoded([decode_fact(body, kinds) for body in bodies]))
            for hid, (version, bodies) in self._facts_after(wanted).items()
        }

    def settle(self, versions: Mapping[str, int]) -> list[str]:
        """Take households that need no screening out of the pending index, each given with its
        stream version as read (:meth:`facts_after`): one that has had facts stored since stays
        pending. The households taken out, sorted.

        The monthly cycle settles a household with no record whose every fact is retracted (facts
        stored for a mistyped household id by a version that took them): nothing is left to screen.
        """
        wanted = check_positions("versions", versions)
        if not wanted:
            return []
        with self._write() as tx:
            current = tx.versions(list(wanted))
            settled = sorted(hid for hid, version in wanted.items() if current.get(hid, 0) == version)
            tx.clear_pending(settled)
        return settled

    def save_checkpoints(self, cycle: str, updates: Sequence[tuple[StoredCheckpoint, Sequence[str]]]) -> None:
        """Store checkpoints and what ``cycle`` found, in one transaction (all or nothing).

        Each update is ``(checkpoint, alert bodies)``: the checkpoint replaces the household's
        earlier one; the alert bodies (JSON text made by the caller) are what the cycle found for
        the household. The first time a cycle saves a household's checkpoint, the one it replaces
        (or none) becomes the household's base for the cycle (:meth:`cycle_bases`), over its base
        of an earlier cycle; saved again by the cycle (a run of it again, which
        rescreens the household from its base), the household's alerts for the cycle are
        replaced by the new ones. (In a store migrated from schema version 3, a household whose
        checkpoint the cycle saved before the migration has no base: its new alerts are
        appended after those stored.) A household
        leaves the pending index when its stream version equals the checkpoint's ``facts_seen``,
        and stays in it (or goes back) when facts were stored after those the checkpoint
        includes. A household given twice keeps its last update.

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
            found: dict[str, list[str]] = {}
            latest: dict[str, StoredCheckpoint] = {}
            for checkpoint, bodies in prepared:
                latest[checkpoint.household_id] = checkpoint
                found[checkpoint.household_id] = bodies
            based = tx.based(name, latest)
            tx.keep_bases(name, [hid for hid in latest if hid not in based])
            # Rescreened from its base, a household's findings are the whole of the cycle's: they
            # replace what an earlier run stored. Without one (its checkpoint saved by the cycle in
            # a store of schema version 3) they are appended, as that version did.
            tx.delete_alerts(name, list(based))
            last = tx.alert_positions(name, [hid for hid, bodies in found.items() if bodies and hid not in based])
            alerts: list[AlertRow] = [
                (name, hid, last.get(hid, 0) + position, body)
                for hid, bodies in found.items()
                for position, body in enumerate(bodies, 1)
            ]
            kept = list(latest.values())
            entries, head = link_checkpoints(
                [
                    (
                        c.household_id,
                        c.policy,
                        c.facts_seen,
                        None if c.next_event is None else c.next_event.isoformat(),
                        c.body,
                    )
                    for c in kept
                ],
                name,
                tx.checkpoint_head(),
            )
            tx.put_checkpoints(kept, entries, head)
            tx.clear_pending([hid for hid, cp in latest.items() if cp.facts_seen == versions.get(hid, 0)])
            tx.mark_pending([hid for hid, cp in latest.items() if cp.facts_seen < versions.get(hid, 0)])
            if alerts:
                tx.insert_alerts(alerts)

    def cycle_bases(self, cycle: str, household_ids: Collection[str]) -> dict[str, StoredCheckpoint | None]:
        """For each household among ``household_ids`` whose checkpoint ``cycle`` saved: the checkpoint it
        had before the cycle first saved one (None: it had none). A cycle run again rescreens a
        household from its base, so that it ends, alerts included, as one run given every record
        would. A household keeps one base: a later cycle saving it replaces it."""
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        ids = check_ids("household_ids", household_ids)
        return {hid: None if row is None else _stored(row) for hid, row in self._base_rows(name, ids).items()}

    def alerts(self, cycle: str, household_id: str | None = None) -> list[tuple[str, str]]:
        """What ``cycle`` found: ``(household id, alert body)`` by household, then in the order stored;
        of one household when given."""
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        if household_id is not None:
            check_text("household_id", household_id, limit=MAX_ID_LENGTH)
        return self._alert_rows(name, household_id)

    def put_cycle(self, cycle: str, body: str, *, run: int | None = None) -> int:
        """Record a run of ``cycle`` (``body``: JSON text made by the caller, e.g. its date and
        counts) and return the run's number, from 1 in the order run. Without ``run`` the record is
        a new run's, after those recorded (a cycle run again keeps the earlier runs' records); with
        ``run``, it replaces that run's record, as the run goes on (an
        :class:`~relapse_guard.errors.InvalidArgument` when the cycle has no such run)."""
        name = check_text("cycle", cycle, limit=MAX_ID_LENGTH)
        text = check_text("body", body, limit=None)
        if run is not None:
            check_count("run", run)
        with self._write() as tx:
            recorded = tx.cycle_run_count(name)
            if run is None:
                run = recorded + 1
            elif not 1 <= run <= recorded:
                raise InvalidArgument(
                    f"cycle {name!r} has no run {run} to record again (runs recorded: {recorded}); "
                    "put_cycle without run= records a new run"
                )
            tx.put_cycle_run(name, run, text)
        return run

    def cycle(self, cycle: str) -> str | None:
        """The record of the cycle's latest run, None when it has none (:meth:`cycle_runs` gives every run's)."""
        runs = self.cycle_runs(cycle)
        return runs[-1] if runs else None

    def cycle_runs(self, cycle: str) -> list[str]:
        """The record of each run of the cycle, in the order run (empty when it has none)."""
        return self._cycle_bodies(check_text("cycle", cycle, limit=MAX_ID_LENGTH))

    def cycles(self) -> list[str]:
        """The names of the cycles with a record, sorted."""
        return self._cycle_names()

    def lock_cycle(self, cycle: str) -> AbstractContextManager[None]:
        """Hold the store's cycle lock while a run of ``cycle`` goes on (``with store.lock_cycle(name):``):
        a store runs one cycle at a time. Raises :class:`~relapse_guard.errors.CycleRunning` at
        once, holding nothing, when another run holds it (in any process, or this one). The lock
        dies with the process holding it; opening the store (a cycle's worker process) does not
        take it."""
        return self._cycle_lock(check_text("cycle", cycle, limit=MAX_ID_LENGTH))

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
