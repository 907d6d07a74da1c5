"""The decisions log's hash chain, and its verification.

Each entry of the log is a canonical-JSON *payload* — its sequence number (from 1, in the
order written), household id, policy label, ``as_of`` and the decision's
:meth:`~relapse_guard.decisions.Decision.to_dict` — stored with the hash of the entry
before it and its own hash, ``sha256(previous hash + payload)``. The first entry is
chained to :data:`GENESIS`.

:func:`verify_chain` walks the log in order and says, for each problem, what happened
and where:

- ``edited``: an entry's payload no longer gives its hash, or an entry was rewritten with a
  recomputed hash (the next entry is chained to another hash);
- ``deleted``: sequence numbers that are missing (in the middle, or at the end when the
  recorded head says the log was longer);
- ``reordered``: entries out of their order — the fewest entries that, put back, restore it
  (two entries swapped are both named; one entry moved far is the only one named);
- ``inserted``: an entry whose sequence number appears twice or lies past the recorded head.

The stored facts and the checkpoints saved have chains of their own, made and verified by
:mod:`relapse_guard.store.linked`; :class:`VerificationReport` reports the three.

A chain proves the log is unchanged *relative to its head*: someone who can rewrite the
whole file can recompute every hash. Keep :attr:`VerificationReport.head` somewhere else
(a report, another system) and pass it back as ``anchor`` to prove nothing before it changed.
"""

from __future__ import annotations

import bisect
import json
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

import attrs

from ..errors import InvalidAnchor
from .codec import canonical_json, decision_identity, digest

__all__ = [
    "GENESIS",
    "ChainHead",
    "ChainProblem",
    "Log",
    "LogRow",
    "StoreHeads",
    "VerificationReport",
    "chain_hash",
    "entry_payload",
    "ordered",
    "row_fault",
    "verify_chain",
]

#: What the first entry of a log is chained to.
GENESIS = "0" * 64

Problem = Literal["edited", "deleted", "reordered", "inserted"]
#: The chains a store keeps: its facts, its decisions log, its checkpoint log.
Log = Literal["facts", "decisions", "checkpoints"]

_ORDER = {"facts": 0, "decisions": 1, "checkpoints": 2}
_NOUN = {"facts": "fact", "decisions": "entry", "checkpoints": "checkpoint entry"}


def chain_hash(previous_hash: str, payload: str) -> str:
    """The hash of an entry: SHA-256 of the previous entry's hash followed by its payload."""
    return digest(previous_hash + payload)


def entry_payload(sequence: int, household_id: str, policy: str, as_of: str | None, decision: object) -> str:
    """The canonical payload of a log entry."""
    return canonical_json(
        {"seq": sequence, "household_id": household_id, "policy": policy, "as_of": as_of, "decision": decision}
    )


@attrs.frozen
class LogRow:
    """One stored entry of the decisions log: its payload and the two hashes; ``fault`` says what of
    the row's other columns (its household, policy, digest) disagrees with its payload, if any."""

    payload: str
    previous_hash: str
    hash: str
    fault: str | None = None


_HASH = re.compile(r"[0-9a-f]{64}")
_LOGS = ("facts", "decisions", "checkpoints")


@attrs.frozen
class ChainHead:
    """The last entry of a log: its sequence number and hash (``0`` and :data:`GENESIS` when empty)."""

    sequence: int = 0
    hash: str = GENESIS

    def to_dict(self) -> dict[str, Any]:
        """``{"sequence": ..., "hash": ...}``, for JSON (:meth:`from_dict` reads it back)."""
        return {"sequence": self.sequence, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: object, *, field: str = "", source: str | None = None) -> ChainHead:
        """The head written by :meth:`to_dict`.

        Raises :class:`~relapse_guard.errors.InvalidAnchor` naming the field (under ``field``,
        e.g. ``"facts.hash"``) and its value when ``data`` is not an object of a sequence number
        (a whole number of at least 0) and a hash (64 lower-case hexadecimal digits), or has
        other fields; ``source`` (a file's path) is named too.
        """
        prefix = f"{field}." if field else ""
        if not isinstance(data, dict):
            raise InvalidAnchor(field, data, 'an object {"sequence": ..., "hash": ...}', source=source)
        for name in ("sequence", "hash"):
            if name not in data:
                expected = "a whole number of at least 0" if name == "sequence" else "a SHA-256 hash"
                raise InvalidAnchor(prefix + name, None, expected, source=source, missing=True)
        extra = sorted(str(name) for name in data if name not in ("sequence", "hash"))
        if extra:
            raise InvalidAnchor(prefix + extra[0], data[extra[0]], "only sequence and hash", source=source)
        sequence, hash_ = data["sequence"], data["hash"]
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise InvalidAnchor(prefix + "sequence", sequence, "a whole number of at least 0", source=source)
        if not isinstance(hash_, str) or not _HASH.fullmatch(hash_):
            raise InvalidAnchor(
                prefix + "hash", hash_, "a SHA-256 hash: 64 lower-case hexadecimal digits", source=source
            )
        if sequence == 0 and hash_ != GENESIS:
            raise InvalidAnchor(
                prefix + "hash", hash_, "the hash of an empty log (64 zeros) at sequence 0", source=source
            )
        return cls(sequence, hash_)


@attrs.frozen
class ChainProblem:
    """One thing wrong with a chain: the decisions log (``log="decisions"``), the facts or the
    checkpoint log.

    ``sequence`` is the entry's number as written (for ``deleted``, the first one missing; for a
    fact, its sequence number in the order stored); ``position`` is where it was found, counting
    entries from 1 in the order read (``None`` for ``deleted``); ``household_id`` is the entry's
    household when it can still be read (for a deleted fact, the household whose stream lacks it).
    """

    what: Problem
    sequence: int
    position: int | None
    household_id: str | None
    detail: str
    log: Log = "decisions"

    def __str__(self) -> str:
        where = f"{_NOUN[self.log]} #{self.sequence}"
        if self.log == "decisions" and self.position is not None:
            where += f" at position {self.position}"
        who = f" (household {self.household_id!r})" if self.household_id else ""
        return f"{self.what}: {where}{who}: {self.detail}"


@attrs.frozen
class StoreHeads:
    """The heads of a store's three chains: keep them outside the store, and pass them back as
    ``verify(anchor=...)`` to prove that nothing up to them was rewritten."""

    facts: ChainHead = ChainHead()
    decisions: ChainHead = ChainHead()
    checkpoints: ChainHead = ChainHead()

    def to_dict(self) -> dict[str, Any]:
        """``{"facts": {"sequence": ..., "hash": ...}, "decisions": ..., "checkpoints": ...}``, for
        JSON (:meth:`from_dict` reads it back).

        >>> StoreHeads().to_dict()["facts"]["sequence"]
        0
        """
        return {log: getattr(self, log).to_dict() for log in _LOGS}

    @classmethod
    def from_dict(cls, data: object, *, source: str | None = None) -> StoreHeads:
        """The heads written by :meth:`to_dict` (all three: ``facts``, ``decisions`` and ``checkpoints``).

        Raises :class:`~relapse_guard.errors.InvalidAnchor` naming the field (``"decisions"``,
        ``"facts.hash"``, ...) and its value when one is missing, unknown or not a head (see
        :meth:`ChainHead.from_dict`); ``source`` (a file's path) is named too.

        >>> StoreHeads.from_dict(StoreHeads().to_dict()) == StoreHeads()
        True
        """
        if not isinstance(data, dict):
            raise InvalidAnchor("", data, "a JSON object of the heads facts, decisions and checkpoints", source=source)
        for log in _LOGS:
            if log not in data:
                expected = 'a head {"sequence": ..., "hash": ...}'
                raise InvalidAnchor(log, None, expected, source=source, missing=True)
        extra = sorted(str(name) for name in data if name not in _LOGS)
        if extra:
            raise InvalidAnchor(extra[0], data[extra[0]], "only facts, decisions and checkpoints", source=source)
        return cls(**{log: ChainHead.from_dict(data[log], field=log, source=source) for log in _LOGS})


@attrs.frozen
class VerificationReport:
    """What :meth:`Store.verify` found: ``ok`` when every chain is intact, else the problems, the
    facts' first (in sequence order), then the decisions', then the checkpoints'.

    ``entries`` and ``head`` are the decisions log's; ``facts`` and ``fact_head`` the facts'
    chain's; ``checkpoints`` and ``checkpoint_head`` the checkpoint log's (every checkpoint
    saved, including those since replaced).
    """

    entries: int
    head: ChainHead
    problems: tuple[ChainProblem, ...] = ()
    facts: int = 0
    fact_head: ChainHead = ChainHead()
    checkpoints: int = 0
    checkpoint_head: ChainHead = ChainHead()

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    @property
    def heads(self) -> StoreHeads:
        """The three heads as read (pass them back later as ``verify(anchor=...)``)."""
        return StoreHeads(facts=self.fact_head, decisions=self.head, checkpoints=self.checkpoint_head)

    def first(self, log: Log | None = None) -> ChainProblem | None:
        """The first problem (of ``log`` when given): the lowest sequence number; None when intact."""
        found = [problem for problem in self.problems if log is None or problem.log == log]
        return found[0] if found else None

    def __str__(self) -> str:
        counts = (
            f"{self.facts} facts (head #{self.fact_head.sequence} {self.fact_head.hash[:16]}), "
            f"{self.entries} decisions (head #{self.head.sequence} {self.head.hash[:16]}), "
            f"{self.checkpoints} checkpoint entries (head #{self.checkpoint_head.sequence} "
            f"{self.checkpoint_head.hash[:16]})"
        )
        if self.ok:
            return f"store intact: {counts}"
        lines = [f"store NOT intact: {len(self.problems)} problem(s) in {counts}"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


def ordered(problems: Iterable[ChainProblem]) -> tuple[ChainProblem, ...]:
    """Problems of several chains in report order: by chain (facts, decisions, checkpoints), then
    by sequence number."""
    return tuple(sorted(problems, key=lambda p: (_ORDER[p.log], p.sequence, p.what)))


class _Ranges:
    """Sorted disjoint ranges of integers: the sequence numbers seen (one range when all is well)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def __contains__(self, n: int) -> bool:
        i = bisect.bisect_right(self.starts, n) - 1
        return i >= 0 and n <= self.ends[i]

    def add(self, n: int) -> None:
        if self.ends and self.ends[-1] == n - 1:
            self.ends[-1] = n  # the common case: the next number
            return
        i = bisect.bisect_right(self.starts, n)
        if i > 0 and n <= self.ends[i - 1]:
            return
        joins_left = i > 0 and self.ends[i - 1] == n - 1
        joins_right = i < len(self.starts) and self.starts[i] == n + 1
        if joins_left and joins_right:
            self.ends[i - 1] = self.ends.pop(i)
            self.starts.pop(i)
        elif joins_left:
            self.ends[i - 1] = n
        elif joins_right:
            self.starts[i] = n
        else:
            self.starts.insert(i, n)
            self.ends.insert(i, n)

    def gaps(self, up_to: int) -> list[tuple[int, int]]:
        """The missing runs ``(first, last)`` among 1..``up_to``."""
        gaps, expected = [], 1
        for start, end in zip(self.starts, self.ends, strict=True):
            if start > expected:
                gaps.append((expected, min(start - 1, up_to)))
            expected = max(expected, end + 1)
        if expected <= up_to:
            gaps.append((expected, up_to))
        return [(a, b) for a, b in gaps if a <= b]


def row_fault(payload: str, household_id: object, policy: object, entry_digest: object) -> str | None:
    """What of a log row's ``household_id``, ``policy`` and ``digest`` columns disagrees with its payload
    (the columns the store reads by); None when they agree or the payload cannot be read (then the
    payload itself is at fault)."""
    try:
        data = json.loads(payload)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for column, value in (("household_id", household_id), ("policy", policy)):
        if data.get(column) != value:
            return f"its {column} column ({value!r}) is not its payload's ({data.get(column)!r})"
    decision = data.get("decision")
    if digest(canonical_json(decision_identity(decision) if isinstance(decision, dict) else decision)) != entry_digest:
        return "its digest column is not its decision's"
    return None


def _read(payload: str) -> tuple[int, str | None] | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
        return None
    household = data.get("household_id")
    return data["seq"], household if isinstance(household, str) else None


def _out_of_place(sequences: array[int], skip: set[int]) -> list[int]:
    """Positions (from 1) of the fewest entries that, put back, restore the order.

    They are the entries outside one longest increasing run of sequence numbers (patience
    sorting, O(n log n)); ``skip`` holds positions already reported (copies).
    """
    tails: list[int] = []  # for each run length, the index of the smallest last number
    tail_values: list[int] = []
    parent = array("q", [-1]) * len(sequences)
    for index, seq in enumerate(sequences):
        if index + 1 in skip:
            continue
        length = bisect.bisect_left(tail_values, seq)
        parent[index] = tails[length - 1] if length else -1
        if length == len(tails):
            tails.append(index)
            tail_values.append(seq)
        else:
            tails[length] = index
            tail_values[length] = seq
    kept: set[int] = set()
    index = tails[-1] if tails else -1
    while index >= 0:
        kept.add(index)
        index = parent[index]
    return [i + 1 for i in range(len(sequences)) if i not in kept and i + 1 not in skip]


def verify_chain(
    rows: Callable[[], Iterable[LogRow]],
    *,
    recorded_head: ChainHead | None = None,
    anchor: ChainHead | None = None,
) -> VerificationReport:
    """Check a log's entries, in log order, against their hashes and sequence numbers.

    ``rows()`` returns the rows in log order; it is called a second time only when entries
    are out of order, to name their households. ``recorded_head`` is the head the store
    wrote with the last entry (finds entries deleted at the end); ``anchor`` a head kept
    outside the store (finds a log rewritten up to it).
    """
    problems: list[ChainProblem] = []
    seen = _Ranges()
    sequences = array("q")  # 8 bytes an entry: the order, for finding entries out of place
    edited: set[int] = set()
    copies: set[int] = set()
    disordered = False
    last_hash, last_seq, max_seq, position = GENESIS, 0, 0, 0
    last_household: str | None = None
    anchor_hash: str | None = None
    for position, row in enumerate(rows(), start=1):
        meta = _read(row.payload)
        seq, household = meta if meta is not None else (last_seq + 1, None)
        sequences.append(seq)
        if meta is None or row.fault is not None or chain_hash(row.previous_hash, row.payload) != row.hash:
            edited.add(seq)
            what = row.fault or "its content does not match its hash"
            problems.append(ChainProblem("edited", seq, position, household, what))
        elif seq == last_seq + 1 and row.previous_hash != last_hash and last_seq not in edited:
            # Both entries check out alone but do not link: the earlier one was rewritten whole.
            what = "the first entry is not chained to the start of the log"
            if last_seq:
                what = f"entry #{last_seq} was rewritten: entry #{seq} is chained to another hash"
            edited.add(last_seq)
            problems.append(ChainProblem("edited", last_seq or seq, max(position - 1, 1), last_household, what))
        if seq in seen:
            copies.add(position)
            problems.append(ChainProblem("inserted", seq, position, household, f"entry #{seq} appears twice"))
        elif seq < max_seq:
            disordered = True
        seen.add(seq)
        if anchor is not None and seq == anchor.sequence:
            anchor_hash = row.hash
        last_hash, last_seq, last_household = row.hash, seq, household
        max_seq = max(max_seq, seq)
    entries = position
    if disordered:
        problems.extend(_reordered(rows, sequences, copies, seen))
    expected_last = max(max_seq, recorded_head.sequence if recorded_head else 0)
    for first, last in seen.gaps(expected_last):
        run = f"entry #{first} is" if first == last else f"entries #{first} to #{last} are"
        problems.append(ChainProblem("deleted", first, None, None, f"{run} missing"))
    if recorded_head is not None:
        if max_seq > recorded_head.sequence:
            first = recorded_head.sequence + 1
            problems.append(
                ChainProblem(
                    "inserted", first, None, None, f"entries #{first} to #{max_seq} lie past the recorded head"
                )
            )
        elif (
            max_seq == recorded_head.sequence
            and last_seq == max_seq
            and last_hash != recorded_head.hash
            and max_seq not in edited
        ):
            problems.append(
                ChainProblem(
                    "edited", max_seq, entries, last_household, "the last entry differs from the recorded head"
                )
            )
    if anchor is not None and anchor.sequence > 0:
        if anchor_hash is None:
            problems.append(ChainProblem("deleted", anchor.sequence, None, None, "the anchored entry is missing"))
        elif anchor_hash != anchor.hash:
            problems.append(
                ChainProblem(
                    "edited", anchor.sequence, None, None, "the log up to the anchor was rewritten (hash differs)"
                )
            )
    problems.sort(key=lambda p: (p.sequence, p.what))
    return VerificationReport(entries=entries, head=ChainHead(last_seq, last_hash), problems=tuple(problems))


def _off_their_rank(sequences: array[int], copies: set[int], seen: _Ranges) -> list[int]:
    """Positions (from 1) of the entries not where their sequence number puts them among those present."""
    before = [0]  # how many numbers the ranges before each one hold
    for start, end in zip(seen.starts, seen.ends, strict=True):
        before.append(before[-1] + end - start + 1)
    off, place = [], 0
    for index, seq in enumerate(sequences):
        if index + 1 in copies:
            continue
        place += 1
        i = bisect.bisect_right(seen.starts, seq) - 1
        if before[i] + seq - seen.starts[i] + 1 != place:
            off.append(index + 1)
    return off


def _reordered(
    rows: Callable[[], Iterable[LogRow]], sequences: array[int], copies: set[int], seen: _Ranges
) -> Iterator[ChainProblem]:
    # Two readings of the same disorder; report the one that names fewer entries: two entries
    # swapped are both off their rank, one entry moved far is the only one off the longest
    # increasing run (the entries it was moved past are merely shifted).
    off_rank = _off_their_rank(sequences, copies, seen)
    off_run = _out_of_place(sequences, copies)
    displaced = set(off_rank if len(off_rank) <= len(off_run) else off_run)
    for position, row in enumerate(rows(), start=1):
        if position in displaced:
            meta = _read(row.payload)
            household = meta[1] if meta is not None else None
            seq = sequences[position - 1]
            before = f"after entry #{sequences[position - 2]}" if position > 1 else "first"
            yield ChainProblem("reordered", seq, position, household, f"out of order: found {before}")
