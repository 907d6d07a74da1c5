"""The hash chains over the stored facts and the checkpoints saved, and their verification.

Every fact stored is an entry of one chain, in the order stored: its sequence number ``seq``
(from 1) is its place in the chain. Every checkpoint saved is an entry of a second chain, the
checkpoint log (a checkpoint replaced stays logged). An entry's *payload* is canonical JSON:

- a fact: ``{"fact": <the fact as stored>, "position": <its place in its household's stream>}``
  (the stored fact is already canonical JSON, so the payload is made without re-encoding it;
  keys added later, such as when a fact was recorded or its version, sort in after these and
  leave the payload of an entry without them as it is);
- a checkpoint: ``{"checkpoint": <SHA-256 of the checkpoint>, "cycle": <the cycle that saved
  it, null when logged by the migration to schema version 3>, "household_id": ...}``, where
  the checkpoint's SHA-256 covers its household, policy label, stream version, next event
  and body (:func:`checkpoint_digest`).

The chain's hash after an entry is ``sha256(hash before it + payload)`` (raw 32 bytes; the
first entry follows :data:`GENESIS_BYTES`, 32 zero bytes). A row keeps its *link*, 40 bytes:
the hash before it (32 bytes), then the first 8 bytes of its own hash. Its full hash is the
next row's hash before, or the recorded head for the last row. So a row can be checked alone
(the hash before it and its payload give its prefix) and against its neighbours (its hash is
what the next row follows): a single row changed — its content, its link, both with the
prefix recomputed, its place — is named exactly. The chain's strength is that of the full
32-byte hashes; the prefix only tells which row of a broken link changed. (One column of 40
bytes, not two: ingest writes it for every fact, and a column more costs more than its bytes.)

:func:`verify_links` walks a chain in the order stored and reports, by sequence number and
household, each entry ``edited`` (its content, a column or its link changed, or rewritten with
its prefix recomputed), ``deleted`` (sequence numbers missing, at the end too), ``reordered``
(its links put it elsewhere) or ``inserted`` (past the recorded head). Reading an intact chain
keeps nothing per row: the work is one SHA-256 a row.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

import attrs

from .chain import GENESIS, ChainHead, ChainProblem, Problem
from .codec import canonical_json

__all__ = [
    "FACT_HEAD",
    "GENESIS_BYTES",
    "POSITION_TAILS",
    "PREFIX",
    "ChainedFactRow",
    "CheckpointLogRow",
    "CheckpointRow",
    "FactRow",
    "LinkedRow",
    "LinkedVerification",
    "checkpoint_digest",
    "checkpoint_payload",
    "fact_payload",
    "link_checkpoints",
    "link_facts",
    "position_tail",
    "verify_checkpoints",
    "verify_facts",
    "verify_links",
]

#: The hash the first entry of a chain follows (:data:`~.chain.GENESIS` as bytes).
GENESIS_BYTES = bytes.fromhex(GENESIS)

#: Bytes of an entry's own hash kept in its row.
PREFIX = 8
#: Bytes of a row's link: the hash before it and its own hash's prefix.
_LINK = 32 + PREFIX

#: A fact placed in its household's stream, before it is chained: ``(fact id, household id,
#: position (from 1), kind, ISO date, JSON body)``; a plain tuple (ingest makes millions).
FactRow = tuple[str, str, int, str, str, str]

#: A fact as stored: ``(seq, fact id, household id, position, kind, ISO date, JSON body, link)``.
ChainedFactRow = tuple[int, str, str, int, str, str, str, bytearray]

#: A checkpoint log entry as stored: ``(seq, household id, cycle (None: the migration), the
#: checkpoint's SHA-256, link)``.
CheckpointLogRow = tuple[int, str, str | None, bytes, bytearray]

Log = Literal["facts", "checkpoints"]


def fact_payload(position: object, body: object) -> str:
    """The payload of a fact's entry: canonical JSON of its stored form and its stream position.

    >>> fact_payload(2, '{"id":"f1"}')
    '{"fact":{"id":"f1"},"position":2}'
    """
    return f'{{"fact":{body},"position":{position}}}'


#: A fact's payload around its stored form: its head, and its tail by position (see :func:`link_facts`).
FACT_HEAD = b'{"fact":'
POSITION_TAILS = tuple(f',"position":{position}}}'.encode() for position in range(4096))


def position_tail(position: int) -> bytes:
    """The end of a fact's payload: ``,"position":<position>}`` as bytes."""
    try:
        return POSITION_TAILS[position]
    except IndexError:
        return f',"position":{position}}}'.encode()


def link_facts(rows: Iterable[FactRow], head: ChainHead) -> tuple[list[ChainedFactRow], ChainHead]:
    """``rows`` chained after ``head``, in their order: each row with its sequence number and its link
    (the hash before it, then its own hash's prefix); and the chain's new head.

    Each payload (:func:`fact_payload`) is hashed as its parts' bytes joined, and the link is a
    :class:`bytearray`, which :mod:`sqlite3` binds as a BLOB directly (a :class:`bytes` it first
    offers to its adapters, which costs more than the hash). Ingest makes its rows with the same
    parts (``_appended`` in :mod:`._core`); the tests check both give the same chain.
    """
    seq = head.sequence
    previous = bytes.fromhex(head.hash)
    sha256, join, tails = hashlib.sha256, b"".join, POSITION_TAILS
    linked: list[ChainedFactRow] = []
    append = linked.append
    for fact_id, household_id, position, kind, date, body in rows:
        seq += 1
        tail = tails[position] if position < 4096 else position_tail(position)
        after = sha256(join((previous, FACT_HEAD, body.encode(), tail))).digest()
        link = bytearray(previous)
        link += after[:PREFIX]
        append((seq, fact_id, household_id, position, kind, date, body, link))
        previous = after
    return linked, ChainHead(seq, previous.hex())


def checkpoint_digest(
    household_id: object, policy: object, facts_seen: object, next_event: object, body: object
) -> bytes:
    """The SHA-256 of a checkpoint as stored: canonical JSON of its household, policy label, stream
    version and next event (ISO text or None), a NUL byte, then its body. Values of the wrong type
    (a row tampered with) give a digest all the same, which then matches nothing logged."""
    head = canonical_json(
        {
            "facts_seen": _readable(facts_seen),
            "household_id": _readable(household_id),
            "next_event": _readable(next_event),
            "policy": _readable(policy),
        }
    )
    data = body if isinstance(body, bytes) else repr(body).encode("utf-8", "backslashreplace")
    return hashlib.sha256(head.encode("utf-8", "backslashreplace") + b"\x00" + data).digest()


def checkpoint_payload(cycle: object, household_id: object, digest: object) -> str:
    """The payload of a checkpoint log entry."""
    shown = digest.hex() if isinstance(digest, bytes) else repr(digest)
    return canonical_json({"checkpoint": shown, "cycle": _readable(cycle), "household_id": _readable(household_id)})


def _readable(value: object) -> object:
    """A column's value as JSON takes it: what SQLite stores but JSON has not (a BLOB) as its repr."""
    return value if value is None or isinstance(value, str | int | float) else repr(value)


#: A checkpoint as stored: ``(household id, policy label, facts seen, next event (ISO date or None), body)``.
CheckpointRow = tuple[str, str, int, str | None, bytes]


def link_checkpoints(
    checkpoints: Iterable[CheckpointRow], cycle: str | None, head: ChainHead
) -> tuple[list[CheckpointLogRow], ChainHead]:
    """The log entries of ``checkpoints`` saved by ``cycle``, chained after ``head``, and the new head."""
    seq = head.sequence
    previous = bytes.fromhex(head.hash)
    entries: list[CheckpointLogRow] = []
    for household_id, policy, facts_seen, next_event, body in checkpoints:
        seq += 1
        digest = checkpoint_digest(household_id, policy, facts_seen, next_event, body)
        payload = checkpoint_payload(cycle, household_id, digest)
        after = hashlib.sha256(previous + payload.encode()).digest()
        entries.append((seq, household_id, cycle, digest, bytearray(previous + after[:PREFIX])))
        previous = after
    return entries, ChainHead(seq, previous.hex())


# --- verification ---------------------------------------------------------------------------------


@attrs.frozen
class LinkedRow:
    """One stored entry of a chain, as the verifier reads it.

    ``payload`` is None when the row's columns cannot make one; ``link`` is as stored (the hash
    before the row, then its own hash's prefix); ``fault`` says what is wrong with a row whose
    columns disagree with its content (found by the reader).
    """

    seq: int
    household_id: str | None
    payload: str | None
    link: object
    fault: str | None = None


@attrs.frozen
class LinkedVerification:
    """What :func:`verify_links` found: how many entries, the head as read, the problems."""

    entries: int
    head: ChainHead
    problems: tuple[ChainProblem, ...] = ()
    #: The runs ``(first, last)`` of sequence numbers found missing.
    missing: tuple[tuple[int, int], ...] = ()


@attrs.define
class _Segment:
    """A run of rows, in the order stored, each linked to the one before it."""

    entry: object  # the previous hash of its first row (GENESIS for the start)
    first_index: int
    first_seq: int
    first_household: str | None
    last_index: int = 0
    last_seq: int = 0
    last_household: str | None = None
    exit: bytes | None = None  # the hash after its last row (None when it cannot be computed)
    length: int = 0


def verify_links(
    rows: Callable[[], Iterable[LinkedRow]],
    *,
    log: Log,
    recorded_head: ChainHead,
    anchor: ChainHead | None = None,
    missing: Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]] | None = None,
) -> LinkedVerification:
    """Check a chain's rows, in the order stored, against their links and sequence numbers.

    ``rows()`` gives the rows in the order stored; it is called once for an intact chain.
    ``recorded_head`` is the head the store wrote with the last entry (finds entries deleted at
    the end or rewritten last); ``anchor`` a head kept outside the store (finds a chain rewritten
    up to it). ``missing`` names the households of deleted runs ``(first, last)`` of sequence
    numbers, when it can tell (see :func:`verify_facts`).
    """
    noun = "fact" if log == "facts" else "checkpoint entry"
    problems: list[ChainProblem] = []
    edited: set[int] = set()  # indexes (from 1, in the order read) of rows found edited alone
    segments: list[_Segment] = []
    current = _Segment(GENESIS_BYTES, 1, 1, None)
    previous_out: bytes | None = GENESIS_BYTES
    previous_seq, previous_household, index = 0, None, 0
    anchor_out: bytes | None = None
    anchored = False
    sha256 = hashlib.sha256
    for index, row in enumerate(rows(), start=1):
        seq, household = row.seq, row.household_id
        link, payload = row.link, row.payload
        out: bytes | None = None
        previous: object = link
        sealed = False
        if isinstance(link, bytes | bytearray) and len(link) == _LINK and payload is not None:
            previous = bytes(link[:32])
            try:
                out = sha256(previous + payload.encode()).digest()
            except UnicodeEncodeError:
                out = None
            else:
                sealed = out[:PREFIX] == link[32:]
        if row.fault is not None or not sealed:
            edited.add(index)
            what = row.fault or f"its content or its link does not match its hash (link {_hex(link)})"
            problems.append(ChainProblem("edited", seq, index, household, what, log=log))
        if previous != previous_out or seq != previous_seq + 1 or previous_out is None:
            current.last_index, current.last_seq, current.last_household = index - 1, previous_seq, previous_household
            current.exit = previous_out
            segments.append(current)
            current = _Segment(previous, index, seq, household)
        elif not current.length:
            current.first_index, current.first_seq, current.first_household = index, seq, household
        current.length += 1
        if anchor is not None and seq == anchor.sequence:
            anchor_out, anchored = out, True
        previous_out, previous_seq, previous_household = out, seq, household
    current.last_index, current.last_seq, current.last_household = index, previous_seq, previous_household
    current.exit = previous_out
    segments.append(current)
    head = ChainHead(previous_seq, previous_out.hex() if previous_out is not None else "")
    head_hash = _bytes(recorded_head.hash)
    reaches_head = previous_out == head_hash and previous_seq == recorded_head.sequence
    runs: list[tuple[int, int]] = []
    if len(segments) > 1 or not reaches_head:
        problems.extend(_breaks(segments, edited, recorded_head, head_hash, noun, log, reaches_head, missing, runs))
    if anchor is not None and anchor.sequence > 0:
        if not anchored:
            problems.append(
                ChainProblem("deleted", anchor.sequence, None, None, f"the anchored {noun} is missing", log=log)
            )
        elif anchor_out is None or anchor_out.hex() != anchor.hash:
            problems.append(
                ChainProblem(
                    "edited",
                    anchor.sequence,
                    None,
                    None,
                    f"the chain up to the anchored {noun} was rewritten (its hash differs from the anchor)",
                    log=log,
                )
            )
    return LinkedVerification(index, head, tuple(_sorted(problems)), tuple(runs))


def _bytes(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def _hex(value: object) -> str:
    return value.hex() if isinstance(value, bytes | bytearray) else repr(value)


def _sorted(problems: Iterable[ChainProblem]) -> list[ChainProblem]:
    unique: dict[tuple[str, int], ChainProblem] = {}
    for problem in problems:
        unique.setdefault((problem.what, problem.sequence), problem)
    return sorted(unique.values(), key=lambda p: (p.sequence, p.what))


def _ranks(segments: list[_Segment]) -> list[int]:
    """Each segment's place in the chain its links make: followed from the start (the first
    segment, from :data:`GENESIS_BYTES`), then from each segment not reached yet, in stored order."""
    by_entry: dict[object, int] = {}
    for number, segment in enumerate(segments):
        if number and segment.length:
            by_entry.setdefault(segment.entry, number)
    ranks = [-1] * len(segments)
    rank = 0
    for start in range(len(segments)):
        at: int | None = start
        while at is not None and ranks[at] < 0:
            ranks[at] = rank
            rank += 1
            exit_hash = segments[at].exit
            at = by_entry.get(exit_hash) if exit_hash is not None else None
    return ranks


def _kept(ranks: list[int], weights: list[int]) -> set[int]:
    """The segments of a heaviest run of increasing ranks (weights: their rows), preferring to keep
    later segments when two runs weigh the same: the segments left out are the fewest rows that,
    put back, restore the order (two neighbours swapped: the first is named)."""
    count = len(ranks)
    best = [0] * count
    before = [-1] * count
    for i in range(count):
        best[i] = weights[i]
        for j in range(i):
            if ranks[j] < ranks[i] and best[j] + weights[i] >= best[i]:
                best[i], before[i] = best[j] + weights[i], j
    end = max(range(count), key=lambda i: (best[i], i)) if count else -1
    kept: set[int] = set()
    while end >= 0:
        kept.add(end)
        end = before[end]
    return kept


#: Above this many breaks in a chain, the order its links make is not worked out (it is quadratic
#: in the breaks): every break is then reported as it is found.
_MOST_SEGMENTS = 2_000


def _breaks(
    segments: list[_Segment],
    edited: set[int],
    head: ChainHead,
    head_hash: bytes | None,
    noun: str,
    log: Log,
    reaches_head: bool,
    missing: Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]] | None,
    runs: list[tuple[int, int]],
) -> list[ChainProblem]:
    """The problems that the breaks between segments (and between the last one and the head) show;
    the runs of sequence numbers found missing are added to ``runs``."""
    found: list[ChainProblem] = []
    if len(segments) <= _MOST_SEGMENTS:
        ranks = _ranks(segments)
        # Rows count by their number; of two readings naming as many rows, the one leaving out rows
        # numbered past the recorded head (renumbered: they cannot be where their number says) wins.
        scale = len(segments) + 1
        weights = [s.length * scale + (s.length > 0 and s.last_seq <= head.sequence) for s in segments]
        kept = _kept(ranks, weights)
    else:
        ranks, kept = list(range(len(segments))), set(range(len(segments)))
    displaced = {n for n in range(len(segments)) if n not in kept and segments[n].length}
    by_exit: dict[object, int] = {segments[n].exit: n for n in range(len(segments)) if segments[n].exit is not None}
    by_entry: dict[object, int] = {segments[n].entry: n for n in range(1, len(segments)) if segments[n].length}
    for n in sorted(displaced):
        segment = segments[n]
        after = segments[n - 1]
        where = f"after {noun} #{after.last_seq}" if after.last_index else "first"
        source = by_exit.get(segment.entry)
        belongs = ""
        if source is not None and segments[source].length:
            belongs = f"; its link puts it after {noun} #{segments[source].last_seq}"
        elif segment.entry == GENESIS_BYTES:
            belongs = "; its link puts it first"
        run = f"{noun}s #{segment.first_seq} to #{segment.last_seq} are" if segment.length > 1 else "it is"
        found.append(
            ChainProblem(
                "reordered",
                segment.first_seq,
                segment.first_index,
                segment.first_household,
                f"{run} out of order: found {where}{belongs}",
                log=log,
            )
        )
    deleted: list[tuple[int, int, int]] = []  # (first, last, index found after)
    # Each break: between segments n and n + 1, then (when the last segment does not reach it) the head.
    for n in range(len(segments)):
        left = segments[n]
        at_end = n + 1 == len(segments)
        if at_end and reaches_head:
            break
        right = None if at_end else segments[n + 1]
        if n in displaced or (right is not None and n + 1 in displaced):
            continue
        if left.last_index in edited or (right is not None and right.first_index in edited):
            continue
        if (left.exit is not None and by_entry.get(left.exit) in displaced) or (
            right is not None and by_exit.get(right.entry) in displaced
        ):
            continue  # rows moved away from here, or moved here: reported as reordered
        if right is None and left.exit is not None and left.exit == head_hash:
            continue  # the links reach the head: only numbers changed, reported where they did
        if right is not None and left.exit is not None and left.exit == right.entry:
            # linked as stored, numbered otherwise: the number was changed, nothing is missing
            found.append(
                ChainProblem(
                    "edited",
                    right.first_seq,
                    right.first_index,
                    right.first_household,
                    f"renumbered: its link puts it right after {noun} #{left.last_seq}"
                    if left.last_index
                    else f"renumbered: its link puts it first, as {noun} #1",
                    log=log,
                )
            )
            continue
        next_seq = head.sequence + 1 if right is None else right.first_seq
        gap_first, gap_last = left.last_seq + 1, next_seq - 1
        if gap_first <= gap_last:
            deleted.append((gap_first, gap_last, left.last_index))
            continue
        if right is None:
            if left.last_seq > head.sequence:
                first = max(head.sequence + 1, 1)
                found.append(
                    ChainProblem(
                        "inserted",
                        first,
                        None,
                        None,
                        f"{noun}s #{first} to #{left.last_seq} lie past the recorded head (#{head.sequence})",
                        log=log,
                    )
                )
            elif left.last_index and left.last_seq == head.sequence:
                found.append(
                    ChainProblem(
                        "edited",
                        left.last_seq,
                        left.last_index,
                        left.last_household,
                        f"the last {noun} differs from the recorded head (rewritten)",
                        log=log,
                    )
                )
            continue
        if gap_first > gap_last + 1:  # a sequence number repeated or going back
            found.append(
                ChainProblem(
                    "inserted",
                    right.first_seq,
                    right.first_index,
                    right.first_household,
                    f"{noun} #{right.first_seq} appears out of sequence (after #{left.last_seq})",
                    log=log,
                )
            )
            continue
        single = right.length == 1 and (n + 2 < len(segments) or not reaches_head)
        if single or not left.last_index:
            what = (
                f"the first {noun} is not chained to the start of the chain"
                if not left.last_index
                else f"{noun} #{right.first_seq} is chained to another hash than {noun} #{left.last_seq}'s "
                "(its link was rewritten)"
            )
            found.append(
                ChainProblem("edited", right.first_seq, right.first_index, right.first_household, what, log=log)
            )
        else:
            found.append(
                ChainProblem(
                    "edited",
                    left.last_seq,
                    left.last_index,
                    left.last_household,
                    f"{noun} #{left.last_seq} was rewritten: {noun} #{right.first_seq} is chained to another hash",
                    log=log,
                )
            )
    if deleted:
        runs.extend((a, b) for a, b, _ in deleted)
        households = missing([(a, b) for a, b, _ in deleted]) if missing is not None else {}
        for first, last, _ in deleted:
            run = f"{noun} #{first} is" if first == last else f"{noun}s #{first} to #{last} are"
            household = households.get((first, last))
            found.append(
                ChainProblem(
                    "deleted",
                    first,
                    None,
                    household,
                    f"{run} missing" + (f" (household {household!r} lacks it)" if household else ""),
                    log=log,
                )
            )
    return found


# --- facts ------------------------------------------------------------------------------------------


#: A fact row as read for verification: the columns of :data:`ChainedFactRow`.
StoredFactRow = tuple[object, object, object, object, object, object, object, object]


def _fact_fault(
    fact_id: object, household_id: object, kind: object, date: object, body: object
) -> tuple[str | None, str | None]:
    """What in a fact row's columns disagrees with its stored content (None when they agree), and the
    household its content names (None when it cannot be read)."""
    if not isinstance(body, str):
        return "its content is not text", None
    try:
        data = json.loads(body)
    except ValueError:
        return "its content is not JSON", None
    if not isinstance(data, dict):
        return "its content is not a fact", None
    owner = data.get("household_id")
    for column, key, value in (
        ("fact_id", "id", fact_id),
        ("household_id", "household_id", household_id),
        ("kind", "kind", kind),
        ("date", "date", date),
    ):
        if data.get(key) != value:
            return f"its {column} column ({value!r}) is not its content's {key} ({data.get(key)!r})", (
                owner if isinstance(owner, str) else None
            )
    return None, owner if isinstance(owner, str) else None


def _fact_rows(rows: Iterable[StoredFactRow]) -> Iterable[LinkedRow]:
    for seq, fact_id, household_id, position, kind, date, body, link in rows:
        fault, owner = _fact_fault(fact_id, household_id, kind, date, body)
        yield LinkedRow(
            seq=seq if isinstance(seq, int) else -1,
            # a column changed alone: the household its content names
            household_id=owner if owner is not None else household_id if isinstance(household_id, str) else None,
            payload=fact_payload(position, body),
            link=link,
            fault=fault,
        )


def _lacking(
    rows: Callable[[], Iterable[StoredFactRow]], versions: Callable[[], Mapping[str, int]]
) -> Callable[[list[tuple[int, int]]], dict[tuple[int, int], str]]:
    """A function naming the household of each deleted run of facts: the one household whose stream
    lacks a position where the run lies (between the facts around the hole), when only one does."""

    def named(runs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        holes: list[tuple[int, float, str]] = []  # (seq before, seq after, household) around each hole
        last: dict[str, tuple[int, int]] = {}  # household -> (position, seq) of its last fact read
        for seq, _, household, position, *_ in rows():
            if not isinstance(household, str) or not isinstance(position, int) or not isinstance(seq, int):
                continue
            before_position, before_seq = last.get(household, (0, 0))
            if position > before_position + 1:
                holes.append((before_seq, seq, household))
            last[household] = (position, seq)
        for household, version in versions().items():
            position, seq = last.get(household, (0, 0))
            if version > position:
                holes.append((seq, float("inf"), household))
        found: dict[tuple[int, int], str] = {}
        for first, last_seq in runs:
            candidates = {h for lo, hi, h in holes if lo < first and last_seq < hi}
            if len(candidates) == 1:
                found[(first, last_seq)] = candidates.pop()
        return found

    return named


def verify_facts(
    rows: Callable[[], Iterable[StoredFactRow]],
    *,
    recorded_head: ChainHead,
    versions: Callable[[], Mapping[str, int]],
    anchor: ChainHead | None = None,
) -> LinkedVerification:
    """Check the facts' chain: ``rows()`` gives the stored rows (the columns of
    :data:`ChainedFactRow`) in sequence order; ``versions()`` each household's stream version
    (read only to name the household of a deleted fact). Besides its link, each row's
    ``fact_id``, ``household_id``, ``kind`` and ``date`` must be those of its content."""
    return verify_links(
        lambda: _fact_rows(rows()),
        log="facts",
        recorded_head=recorded_head,
        anchor=anchor,
        missing=_lacking(rows, versions),
    )


# --- checkpoints ------------------------------------------------------------------------------------

#: A checkpoint log entry as read for verification: the columns of :data:`CheckpointLogRow`.
StoredLogRow = tuple[object, object, object, object, object]
#: A checkpoint as read for verification: ``(household id, policy, facts seen, next event, body, seq)``.
StoredCheckpointRow = tuple[object, object, object, object, object, object]


def verify_checkpoints(
    log_rows: Callable[[], Iterable[StoredLogRow]],
    current: Callable[[], Iterable[StoredCheckpointRow]],
    *,
    recorded_head: ChainHead,
    anchor: ChainHead | None = None,
) -> LinkedVerification:
    """Check the checkpoint log's chain (``log_rows()``: the columns of :data:`CheckpointLogRow`, in
    sequence order), then each household's checkpoint (``current()``) against its latest entry:
    a checkpoint that differs from what was logged, one that is not its household's latest
    (an older one put back), one missing or one never logged is reported."""
    latest: dict[str, tuple[int, object, object]] = {}  # household -> (seq, digest, household as logged)

    def linked() -> Iterable[LinkedRow]:
        latest.clear()
        for seq, household, cycle, digest, link in log_rows():
            number = seq if isinstance(seq, int) else -1
            if isinstance(household, str):
                latest[household] = (number, digest, household)
            yield LinkedRow(
                seq=number,
                household_id=household if isinstance(household, str) else None,
                payload=checkpoint_payload(cycle, household, digest),
                link=link,
            )

    chain = verify_links(linked, log="checkpoints", recorded_head=recorded_head, anchor=anchor)
    # Entries the chain already reports (edited, moved, missing): a checkpoint claiming one of them,
    # or whose household's latest entry is one of them, is explained; it names the entry's household.
    named = {problem.sequence for problem in chain.problems}
    starts = sorted(chain.missing)

    def reported(seq: int) -> int | None:
        """The sequence number of the problem reporting entry ``seq``, if one does."""
        if seq in named:
            return seq
        at = bisect.bisect_right(starts, (seq, float("inf"))) - 1
        return starts[at][0] if at >= 0 and starts[at][0] <= seq <= starts[at][1] else None

    owners: dict[int, str] = {}
    problems: list[ChainProblem] = []
    seen: set[str] = set()
    what: Problem
    for household, policy, facts_seen, next_event, body, seq in current():
        hid = household if isinstance(household, str) else repr(household)
        seen.add(hid)
        number = seq if isinstance(seq, int) else -1
        problem = reported(number)
        if problem is not None:
            owners[problem] = hid
            continue
        logged = latest.get(hid)
        if logged is not None and reported(logged[0]) is not None:
            continue
        if logged is None:
            what, detail = "inserted", f"the checkpoint of household {hid!r} was never logged"
        elif logged[0] != number:
            what, detail = (
                "edited",
                f"the checkpoint of household {hid!r} claims checkpoint entry #{number}, "
                f"but its latest is #{logged[0]} (an older or another checkpoint put back)",
            )
        elif checkpoint_digest(household, policy, facts_seen, next_event, body) != logged[1]:
            what, detail = "edited", f"the checkpoint of household {hid!r} differs from what entry #{number} logged"
        else:
            continue
        problems.append(ChainProblem(what, number, None, hid, detail, log="checkpoints"))
    for hid, (number, _, _) in latest.items():
        if hid not in seen and reported(number) is None:
            problems.append(
                ChainProblem(
                    "deleted",
                    number,
                    None,
                    hid,
                    f"the checkpoint of household {hid!r} (checkpoint entry #{number}) is missing",
                    log="checkpoints",
                )
            )
    problems.extend(
        attrs.evolve(problem, household_id=owners[problem.sequence]) if problem.sequence in owners else problem
        for problem in chain.problems
    )
    return LinkedVerification(chain.entries, chain.head, tuple(_sorted(problems)), chain.missing)
