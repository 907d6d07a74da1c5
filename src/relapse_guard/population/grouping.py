"""The reading pipeline every format shares: rows grouped by household, then households merged with their facts.

A file's reader (:mod:`.jsonl`, :mod:`.csv`, :mod:`.parquet`) decodes rows and builds their
facts or households; the grouping is done here, once for every format:

- fact rows, batch after batch, into one group per household (:class:`FactRuns`): a run of
  rows naming the same household is a group, a row that names no household (a blank or null
  ``household_id``, an unreadable line) joins the group it sits in, and groups go on across
  batches, so a batch may end in the middle of a household;
- member rows of a tabular households file into one household each (:func:`member_groups`);
- then the households and the fact groups into one record per household (:func:`merge`).

Both files list households in the same order (the households file's). The merge walks the
facts file's groups and, for each, the households file up to that household: households on
the way have no facts. To tell "a household with no facts" from "facts of a household that is
not there" without reading ahead without bound, it looks at most ``lookahead`` households
ahead; facts whose household is not among them are reported (with their lines) and the
households read meanwhile wait for their own facts. A small group of another household between
two groups of one household (a mistyped household id) is set apart (:func:`set_apart_strays`):
it costs its own rows, not the rest of the household's facts. A group of bad rows alone (a row cut
short that names a household ahead, away from its facts) claims no place: its rows wait for
that household's record, so the facts of the households between are not put out of place. Memory
stays bounded by ``lookahead`` households plus one id per household read (to report a
household that appears twice, or facts that come after their household's place), and the
bad rows waiting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from ..facts import Fact
from ..household import Household
from .households import fast_household_from_rows
from .records import BadRow, PopulationRecord

__all__ = [
    "DEFAULT_LOOKAHEAD",
    "FactGroup",
    "FactRuns",
    "FactsAt",
    "Failure",
    "Held",
    "HouseholdGroup",
    "MemberBatch",
    "Results",
    "Rows",
    "Run",
    "built",
    "hold_odd_tail",
    "member_groups",
    "merge",
    "runs_of",
    "set_apart_strays",
    "settle_odd_keys",
    "settle_odd_rows",
]

#: A household read from the households file: its id (if it has one), the household (None
#: when invalid), the bad rows met reading it, and its line.
HouseholdGroup = tuple[str | None, Household | None, list[BadRow], int]
#: A run of fact rows of one household: its id, the valid facts, the bad rows, first and last line.
FactGroup = tuple[str | None, list[Fact], list[BadRow], int, int]
#: Member rows of a tabular households file: ``(line, cells)`` each.
Rows = list[tuple[int, list[Any]]]

#: How many households the merge reads ahead to find the household of a group of facts.
DEFAULT_LOOKAHEAD = 10_000


class Failure(NamedTuple):
    """A row that could not be built: the field at fault and the message of its bad row."""

    field: str
    message: str


#: The results of rows ``start:end`` of a batch, which name household ``hid`` (or None): each row's
#: fact, or the failure of a row that has none.
Results = Callable[[int, int, Any], list[Any]]
#: ``(household id or None, start, end)``: rows ``start:end`` of a batch, of one household
#: (None: rows that name none, which join the group they sit in).
Run = tuple[str | None, int, int]


def built(results: list[Any]) -> Results:
    """The results of a batch of rows, already built, as :meth:`FactRuns.add` asks for them."""

    def made(start: int, end: int, hid: object) -> list[Any]:
        return results[start:end]

    return made


def runs_of(hids: Sequence[Any]) -> list[tuple[Any, int, int]]:
    """The runs of ``hids``: ``(id, start, end)`` for each run of consecutive rows with the same id.

    For fact rows, None is a row that names no household (a reader passes a blank cell as None).
    """
    runs: list[tuple[Any, int, int]] = []
    current: Any = None
    start = 0
    for index, hid in enumerate(hids):
        if hid != current:
            if index:
                runs.append((current, start, index))
            current, start = hid, index
    if hids:
        runs.append((current, start, len(hids)))
    return runs


def settle_odd_keys(keys: list[Any], odd: Sequence[int]) -> None:
    """Give each ``odd`` member row of ``keys`` (one that cannot be read whole: a junk line, a
    row cut short) a key that never splits a household's rows in two: among one household's rows
    (the rows before and after it are that household's) it takes that household's key, which
    makes the household incomplete (refused, with the row); elsewhere (between two households,
    first or last) it keeps its own household cell, a bad row on its own."""
    if not odd:
        return
    odd_set = set(odd)
    for index in odd:
        before = next((keys[i] for i in range(index - 1, -1, -1) if i not in odd_set), None)
        if before is None or keys[index] == before:
            continue
        after = next((keys[i] for i in range(index + 1, len(keys)) if i not in odd_set), None)
        if after == before:
            keys[index] = before


def settle_odd_rows(hids: list[str | None], odd: Mapping[int, str], current: str | None) -> None:
    """Give each odd fact row (``odd``: its index, and the household its own cell names, ``""``
    for none: a junk line, a row cut short) the household it goes with.
    Among one household's rows (the household of the rows before it is that of the row after it)
    it joins them (None): a junk line never splits a household's facts. Elsewhere (between two
    households, last) its own text names it, as a row of a household cut short does; ``current``
    is the household of the rows before the batch."""
    for index, cell in odd.items():
        before = next((hids[i] for i in range(index - 1, -1, -1) if hids[i] is not None), current)
        after = next((hids[i] for i in range(index + 1, len(hids)) if i not in odd), None)
        if cell and not (before is not None and before == after):
            hids[index] = cell


#: A batch's rows held back: their lines, households, results and odd rows (see :func:`hold_odd_tail`).
Held = tuple[list[int], list[str | None], list[Any], dict[int, str]]


def hold_odd_tail(lines: list[int], hids: list[str | None], results: list[Any], odd: dict[int, str]) -> Held:
    """The odd rows a batch ends with, taken off it to wait for the next batch: which household
    they go with depends on the row after them (:func:`settle_odd_rows`)."""
    if not odd or max(odd) != len(hids) - 1:
        return [], [], [], {}
    cut = len(hids)
    while cut - 1 in odd:
        cut -= 1
    held: Held = (lines[cut:], hids[cut:], results[cut:], {i - cut: odd[i] for i in odd if i >= cut})
    del lines[cut:], hids[cut:], results[cut:]
    return held


class FactRuns:
    """Collects the built rows of a facts file, batch after batch, into one group per household.

    :meth:`add` takes a batch and yields the groups it completes; :meth:`close` yields the last.
    A group is ``(household id, facts, bad rows, first line, last line)`` (see
    :data:`FactGroup`), its bad rows naming the group's household.
    """

    __slots__ = ("_bad", "_facts", "_first", "_last", "_lines", "current", "name")

    def __init__(self, name: str, *, lines: bool = False) -> None:
        self.name = name
        self.current: str | None = None
        self._facts: list[Fact] = []
        self._bad: list[BadRow] = []
        self._first = self._last = 0
        #: With ``lines``: the line of each fact of the group (a group's facts are then :class:`FactsAt`).
        self._lines: list[int] | None = [] if lines else None

    def add(self, runs: Sequence[Run], lines: Sequence[int], results: Results, *, clean: bool) -> Iterator[FactGroup]:
        """Add a batch: its ``runs``, each row's line, and ``results(start, end, hid)``: the fact of each
        row of the run ``start:end`` naming ``hid`` (or the :class:`Failure` of a row that has none;
        ``clean``: no row has one)."""
        for hid, start, end in runs:
            if hid is not None and hid != self.current:
                if self._facts or self._bad:
                    yield self._group()
                self.current, self._first = hid, lines[start]
            elif not (self._facts or self._bad):
                self._first = lines[start]
            self._last = lines[end - 1]
            made = results(start, end, hid)
            if clean:
                self._facts += made
                if self._lines is not None:
                    self._lines += lines[start:end]
                continue
            for index, result in enumerate(made, start):
                if type(result) is Failure:
                    self._bad.append(BadRow(self.name, lines[index], result.field, result.message, self.current))
                else:
                    self._facts.append(result)
                    if self._lines is not None:
                        self._lines.append(lines[index])

    def _group(self) -> FactGroup:
        """The group collected, and a new one begun."""
        facts: list[Fact] = self._facts
        if self._lines is not None:
            facts = FactsAt(facts, self._lines)
            self._lines = []
        group = (self.current, facts, self._bad, self._first, self._last)
        self._facts, self._bad = [], []
        return group

    def close(self) -> Iterator[FactGroup]:
        """The last group, if any."""
        if self._facts or self._bad:
            yield self._group()


class FactsAt(list[Fact]):
    """A group's facts, with the line of each in :attr:`lines` (a reader asked with ``lines=True``;
    for CSV the line a row starts on, for Parquet the row number, as :class:`BadRow` says them)."""

    def __init__(self, facts: Iterable[Fact], lines: Sequence[int]) -> None:
        super().__init__(facts)
        self.lines = list(lines)


class MemberBatch(Protocol):
    """A batch of member rows of a tabular households file, as a reader gives it to :func:`member_groups`.

    ``runs`` are ``(key, start, end)`` for each run of rows with the same ``household_id`` cell
    (``""`` when blank), in order.
    """

    runs: list[tuple[str, int, int]]

    def household(self, index: int) -> Household | None:
        """The household of run ``index`` made straight from the batch, or None: made from its rows."""

    def rows(self, start: int, end: int) -> Rows:
        """Rows ``start:end`` as ``(line, cells)``, but for those that could not be read."""

    def unreadable(self, start: int, end: int) -> list[BadRow]:
        """The bad rows of rows ``start:end`` that could not be read at all (the household is then incomplete)."""

    def line(self, start: int) -> int:
        """The line of row ``start``."""


def member_groups(name: str, column: dict[str, int], batches: Iterable[MemberBatch]) -> Iterator[HouseholdGroup]:
    """The households of file ``name`` (whose header has ``column``), from its batches of member rows in order.

    One ``(id, household, bad rows, line)`` each: a household made straight from its batch when
    it can be, else made from its rows by :func:`~.households.fast_household_from_rows` (which
    says why not). The last household of a batch may go on in the next one: its rows are read
    at once and carried over, so that no batch outlives the next one's reading.
    """
    carry: Rows = []  # the rows of the last household of a batch, which the next batch may go on with
    carry_bad: list[BadRow] = []
    carry_key = ""
    for batch in batches:
        runs = batch.runs
        last = len(runs) - 1
        for index, (key, start, end) in enumerate(runs):
            if index == 0 and (carry or carry_bad):
                if key == carry_key:
                    carry, carry_bad = carry + batch.rows(start, end), carry_bad + batch.unreadable(start, end)
                    if index < last:
                        yield _from_rows(name, column, key, carry, carry_bad)
                        carry, carry_bad = [], []
                    continue
                yield _from_rows(name, column, carry_key, carry, carry_bad)
                carry, carry_bad = [], []
            if index == last:
                carry, carry_bad, carry_key = batch.rows(start, end), batch.unreadable(start, end), key
                continue
            household = batch.household(index)
            if household is not None:
                yield key or None, household, [], batch.line(start)
            else:
                yield _from_rows(name, column, key, batch.rows(start, end), batch.unreadable(start, end))
    if carry or carry_bad:
        yield _from_rows(name, column, carry_key, carry, carry_bad)


def _from_rows(name: str, column: dict[str, int], key: str, rows: Rows, bad: list[BadRow]) -> HouseholdGroup:
    if bad:  # a member row is unreadable: the household is incomplete
        return key or None, None, bad, min([r[0] for r in rows] + [b.line for b in bad])
    household, problems = fast_household_from_rows(name, key, rows, column)
    return key or None, household, problems, rows[0][0]  # the rows are in line order


# --- the merge of households and facts -------------------------------------------------------

#: ``_record(PopulationRecord, (household, facts, bad rows))``: the record, without the named
#: tuple's ``__new__`` (Python code, with defaults) in the way.
_record = tuple.__new__


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


class _Merge:
    """What the merge holds: the households read ahead and those done, and what it reports."""

    __slots__ = (
        "done",
        "exhausted",
        "facts_file",
        "held",
        "households_file",
        "lookahead",
        "pending",
        "source",
        "waiting",
    )

    def __init__(
        self, households: Iterable[HouseholdGroup], households_file: str, facts_file: str, lookahead: int
    ) -> None:
        self.source = iter(households)
        self.pending: deque[HouseholdGroup] = deque()
        self.waiting: dict[str, HouseholdGroup] = {}  # households read, not yet yielded, by id (first occurrence)
        self.done: dict[str, int] = {}  # households yielded: the line of their row, negative when it was invalid
        self.held: dict[str, list[BadRow]] = {}  # bad rows alone, by the household they name, not yet yielded
        self.exhausted = False
        self.households_file, self.facts_file, self.lookahead = households_file, facts_file, lookahead

    def register(self, group: HouseholdGroup) -> HouseholdGroup:
        """A household read: waiting for its facts, or (a second one of its id) skipped."""
        hid, _, bad, line = group
        if hid is None:
            return group
        first = self.waiting.get(hid)
        seen = self.done.get(hid)
        if first is None and seen is None:
            self.waiting[hid] = group
            return group
        first_line = first[3] if first is not None else abs(seen)  # type: ignore[arg-type]
        twice = BadRow(
            self.households_file,
            line,
            "id",
            f"household {hid!r} appears twice (first at line {first_line}; a household's rows must be together): "
            "this one is skipped",
            hid,
        )
        return hid, None, [*bad, twice], line

    def emit(self, group: HouseholdGroup, facts: FactGroup | None) -> PopulationRecord:
        """The record of a household read, with its facts (if any)."""
        hid, household, bad, line = group
        early: list[BadRow] = []
        if hid is not None and self.waiting.get(hid) is group:
            del self.waiting[hid]
            self.done[hid] = line if household is not None else -line
            if self.held:
                early = self.held.pop(hid, [])
        if household is not None:
            if facts is None:
                return PopulationRecord(household, (), tuple(early))
            return PopulationRecord(household, tuple(facts[1]), (*early, *facts[2]))
        rows = [*bad, *early]
        if facts is not None:
            _, valid, bad_facts, first, last = facts
            if valid:
                rows.append(
                    BadRow(
                        self.facts_file,
                        first,
                        "household_id",
                        f"{len(valid)} fact(s) at {_lines(first, last)} skipped with their household {hid!r}, "
                        f"whose row ({self.households_file} line {line}) is invalid",
                        hid,
                    )
                )
            rows.extend(bad_facts)
        return PopulationRecord(None, (), tuple(rows))

    def find(self, hid: str) -> HouseholdGroup | None:
        """The household ``hid`` waiting for its facts, read ahead up to ``lookahead`` households if need be."""
        target = self.waiting.get(hid)
        while target is None and not self.exhausted and hid not in self.done and len(self.pending) <= self.lookahead:
            read = next(self.source, None)
            if read is None:
                self.exhausted = True
                break
            read = self.register(read)
            self.pending.append(read)
            if read[0] == hid and self.waiting.get(hid) is read:
                target = read
        return target

    def misplaced(self, group: FactGroup) -> PopulationRecord:
        """The record of facts whose household is not to be found: why, in a bad row naming their lines."""
        hid, valid, bad_facts, first, last = group
        households_file = self.households_file
        seen = self.done.get(hid)  # type: ignore[arg-type]
        if seen is not None and seen < 0:
            reason = f"skipped with their household {hid!r}, whose row ({households_file} line {-seen}) is invalid"
        elif seen is not None:
            reason = (
                f"of household {hid!r} are out of place: a household's facts must be together and in the "
                f"households file's order (its row is at {households_file} line {seen})"
            )
        else:
            reason = (
                f"of household {hid!r}, which {households_file} does not have "
                f"(or not within {self.lookahead:,} households of this place, in the same order)"
            )
        if valid:  # rows that were bad anyway are reported as such, once
            note = BadRow(
                self.facts_file, first, "household_id", f"{len(valid)} fact(s) at {_lines(first, last)} {reason}", hid
            )
            bad_facts = [note, *bad_facts]
        return PopulationRecord(None, (), tuple(bad_facts))


#: The most rows (facts and bad rows) a group of another household among one household's groups
#: may have to be set apart as a stray (a mistyped household id), not a household of its own.
STRAY_ROWS = 3


def set_apart_strays(groups: Iterable[FactGroup], facts_file: str) -> Iterator[FactGroup]:
    """``groups`` with each small group of another household that sits between two groups of one
    household (X, Y, X: a fact whose household id was mistyped) set apart: the X groups are one,
    and Y's rows come before it as bad rows of Y (:data:`STRAY_ROWS` rows at most). Without this, X's
    second group came after X's place: all of it was out of place, and X was screened without it.

    X, Y, X, Y with the second X small too is a fact of Y mistyped as X or one of X as Y: both
    small groups are set apart rather than one of them given to the wrong household (unless the
    first holds bad rows alone: no fact of it can go to the wrong household)."""
    source = iter(groups)
    current = next(source, None)
    window: deque[FactGroup] = deque()
    while current is not None:
        while len(window) < 3 and (more := next(source, None)) is not None:
            window.append(more)
        if (
            len(window) >= 2
            and _stray(current, window[0], window[1])
            # X, Y, X', Y with X' bad rows alone: X' is the stray, set apart at Y's turn
            and not (len(window) == 3 and window[2][0] == window[0][0] and not window[1][1])
        ):
            # set apart before the household they sat in, in the file's order
            stray, again = window.popleft(), window.popleft()
            yield _left_out(stray, current, facts_file)
            if stray[1] and window and window[0][0] == stray[0] and _small(again):
                yield _left_out(again, window[0], facts_file)  # which one is mistyped: both out
                continue
            hid, facts, bad, first, _ = current
            current = (hid, [*facts, *again[1]], [*bad, *again[2]], first, again[4])
            continue
        yield current
        current = window.popleft() if window else None


def _stray(current: FactGroup, middle: FactGroup, after: FactGroup) -> bool:
    hid = current[0]
    return hid is not None and after[0] == hid and middle[0] is not None and middle[0] != hid and _small(middle)


def _small(group: FactGroup) -> bool:
    """Whether ``group`` has few enough rows (facts and bad rows) to be a stray."""
    return len(group[1]) + len(group[2]) <= STRAY_ROWS


def _left_out(stray: FactGroup, among: FactGroup, facts_file: str) -> FactGroup:
    """The stray group as bad rows of its household: why its facts are left out, then its bad rows."""
    hid, facts, bad, first, last = stray
    if not facts:
        return stray
    note = BadRow(
        facts_file,
        first,
        "household_id",
        f"{len(facts)} fact(s) at {_lines(first, last)} of household {hid!r} sit among the facts of "
        f"household {among[0]!r} (from line {among[3]}): a household's facts must be together (a mistyped "
        "household id?); left out",
        hid,
    )
    return hid, [], [note, *bad], first, last


def merge(
    households: Iterable[HouseholdGroup],
    fact_groups: Iterable[FactGroup],
    *,
    households_file: str,
    facts_file: str,
    lookahead: int = DEFAULT_LOOKAHEAD,
) -> Iterator[PopulationRecord]:
    """One record per household of ``households``, in its order, with the facts of ``fact_groups``.

    Records with ``household=None`` carry the bad rows that belong to no household to screen.
    """
    state = _Merge(households, households_file, facts_file, lookahead)
    source, pending, done = state.source, state.pending, state.done
    for group in set_apart_strays(fact_groups, facts_file):
        hid, valid, bad_facts, _, _ = group
        if hid is None:  # rows that name no household, before any that does
            yield PopulationRecord(None, (), tuple(bad_facts))
            continue
        if not valid and hid not in done and state.find(hid) is not None:
            state.held.setdefault(hid, []).extend(bad_facts)  # bad rows alone wait for their household
            continue
        if not pending and not state.exhausted and hid not in done:
            # The common case, the next household's facts: read it, and yield it at once when it is
            # this one and valid (no other household waits, so none is in ``waiting`` either).
            read = next(source, None)
            if read is None:
                state.exhausted = True
            elif read[0] == hid and read[1] is not None:
                done[hid] = read[3]
                if state.held and hid in state.held:
                    bad_facts = [*state.held.pop(hid), *bad_facts]
                yield _record(PopulationRecord, (read[1], tuple(valid), tuple(bad_facts)))
                continue
            else:
                pending.append(state.register(read))
        target = state.find(hid)
        if target is None:
            yield state.misplaced(group)
            continue
        while (ahead := pending.popleft()) is not target:
            yield state.emit(ahead, None)
        yield state.emit(target, group)
    while pending:
        yield state.emit(pending.popleft(), None)
    for read in source:
        yield state.emit(state.register(read), None)
