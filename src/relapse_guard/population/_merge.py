"""Merging a households file and a facts file, both grouped by household, into records.

Both files list households in the same order (the households file's). The merge walks the
facts file's groups and, for each, the households file up to that household: households on
the way have no facts. To tell "a household with no facts" from "facts of a household that is
not there" without reading ahead without bound, it looks at most ``lookahead`` households
ahead; facts whose household is not among them are reported (with their lines) and the
households read meanwhile wait for their own facts. Memory stays bounded by ``lookahead``
households plus one id per household read (to report a household that appears twice, or
facts that come after their household's place).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ..facts import Fact
from ..household import Household
from ._records import BadRow, PopulationRecord

__all__ = ["DEFAULT_LOOKAHEAD", "FactGroup", "HouseholdGroup", "merge"]

#: A household read from the households file: its id (if it has one), the household (None
#: when invalid), the bad rows met reading it, and its line.
HouseholdGroup = tuple[str | None, Household | None, list[BadRow], int]
#: A run of fact rows of one household: its id, the valid facts, the bad rows, first and last line.
FactGroup = tuple[str | None, list[Fact], list[BadRow], int, int]

#: How many households the merge reads ahead to find the household of a group of facts.
DEFAULT_LOOKAHEAD = 10_000

#: ``_record(PopulationRecord, (household, facts, bad rows))``: the record, without the named
#: tuple's ``__new__`` (Python code, with defaults) in the way.
_record = tuple.__new__


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


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
    source = iter(households)
    pending: deque[HouseholdGroup] = deque()
    waiting: dict[str, HouseholdGroup] = {}  # households read, not yet yielded, by id (first occurrence)
    done: dict[str, int] = {}  # households yielded: the line of their row, negative when it was invalid
    exhausted = False

    def register(group: HouseholdGroup) -> HouseholdGroup:
        hid, _, bad, line = group
        if hid is None:
            return group
        first = waiting.get(hid)
        seen = done.get(hid)
        if first is None and seen is None:
            waiting[hid] = group
            return group
        first_line = first[3] if first is not None else abs(seen)  # type: ignore[arg-type]
        twice = BadRow(
            households_file,
            line,
            "id",
            f"household {hid!r} appears twice (first at line {first_line}; a household's rows must be together): "
            "this one is skipped",
            hid,
        )
        return hid, None, [*bad, twice], line

    def emit(group: HouseholdGroup, facts: FactGroup | None) -> PopulationRecord:
        hid, household, bad, line = group
        if hid is not None and waiting.get(hid) is group:
            del waiting[hid]
            done[hid] = line if household is not None else -line
        if household is not None:
            if facts is None:
                return PopulationRecord(household, (), ())
            return PopulationRecord(household, tuple(facts[1]), tuple(facts[2]))
        rows = list(bad)
        if facts is not None:
            _, valid, bad_facts, first, last = facts
            if valid:
                rows.append(
                    BadRow(
                        facts_file,
                        first,
                        "household_id",
                        f"{len(valid)} fact(s) at {_lines(first, last)} skipped with their household {hid!r}, "
                        f"whose row ({households_file} line {line}) is invalid",
                        hid,
                    )
                )
            rows.extend(bad_facts)
        return PopulationRecord(None, (), tuple(rows))

    for group in fact_groups:
        hid, valid, bad_facts, first, last = group
        if hid is None:  # rows that name no household, before any that does
            yield PopulationRecord(None, (), tuple(bad_facts))
            continue
        if not pending and not exhausted and hid not in done:
            # The common case, the next household's facts: read it, and yield it at once when it is
            # this one and valid (no other household waits, so none is in ``waiting`` either).
            read = next(source, None)
            if read is None:
                exhausted = True
            elif read[0] == hid and read[1] is not None:
                done[hid] = read[3]
                yield _record(PopulationRecord, (read[1], tuple(valid), tuple(bad_facts)))
                continue
            else:
                pending.append(register(read))
        target = waiting.get(hid)
        while target is None and not exhausted and hid not in done and len(pending) <= lookahead:
            read = next(source, None)
            if read is None:
                exhausted = True
                break
            read = register(read)
            pending.append(read)
            if read[0] == hid and waiting.get(hid) is read:
                target = read
        if target is not None:
            while (ahead := pending.popleft()) is not target:
                yield emit(ahead, None)
            yield emit(target, group)
            continue
        seen = done.get(hid)
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
                f"(or not within {lookahead:,} households of this place, in the same order)"
            )
        if valid:  # rows that were bad anyway are reported as such, once
            note = BadRow(
                facts_file, first, "household_id", f"{len(valid)} fact(s) at {_lines(first, last)} {reason}", hid
            )
            bad_facts = [note, *bad_facts]
        yield PopulationRecord(None, (), tuple(bad_facts))

    while pending:
        yield emit(pending.popleft(), None)
    for read in source:
        yield emit(register(read), None)
