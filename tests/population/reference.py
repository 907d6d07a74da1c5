"""The Parquet reader as it was, row by row: what the column-wise reader must give, group for group.

Each row becomes a list of cells (``column.to_pylist()``), a fact through the library's row
builder and a household through ``household_from_rows``, grouped by household as the
readers group them. And the merge of households and facts into records as it was, before
its shortcut for the next household's facts.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from relapse_guard.population import BadRow, FactBuilder, PopulationRecord
from relapse_guard.population.csv import _UNCLOSED as UNCLOSED
from relapse_guard.population.csv import MAX_ROW_LINES
from relapse_guard.population.grouping import FactGroup, HouseholdGroup
from relapse_guard.population.households import household_from_rows
from relapse_guard.population.parquet import typed_columns
from relapse_guard.population.records import describe_failure, fact_field_names


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    parquet = pytest.importorskip("pyarrow.parquet")
    source = parquet.ParquetFile(path)
    header = list(source.schema_arrow.names)

    def rows() -> Iterator[tuple[Any, ...]]:
        for batch in source.iter_batches(batch_size=5):
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)

    return header, rows()


def _as_date(value: Any) -> Any:
    """A timestamp cell as a date column of one's own reads it: its date at its own midnight, else
    its date and time as ISO text (which a date field refuses)."""
    if not isinstance(value, dt.datetime):
        return value
    local = value.replace(tzinfo=None)
    return local.date() if local.time() == dt.time() else local.strftime("%Y-%m-%dT%H:%M:%S")


def fact_groups(path: Path, builder: FactBuilder) -> list[FactGroup]:
    """The fact groups of a Parquet file, read row by row."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    header, rows = _rows(path)
    build = builder.for_rows(header).build
    hid_column = header.index("household_id")
    dates = [index for index, column in enumerate(header) if typed_columns(builder.kinds).get(column) == "date"]
    groups: list[FactGroup] = []
    current: str | None = None
    facts: list[Any] = []
    bad: list[BadRow] = []
    first = last = 0
    for number, row in enumerate(rows, 1):
        hid = row[hid_column]
        if hid and hid != current:
            if facts or bad:
                groups.append((current, facts, bad, first, last))
                facts, bad = [], []
            current, first = hid, number
        elif not (facts or bad):
            first = number
        last = number
        cells = list(row)
        for index in dates:  # a timestamp (pandas' dates): a midnight is its date, another time text
            cells[index] = _as_date(cells[index])
        try:
            facts.append(build(cells))
        except (ValueError, TypeError) as error:
            field, message = describe_failure(error, fields)
            bad.append(BadRow(name, number, field, message, current))
    if facts or bad:
        groups.append((current, facts, bad, first, last))
    return groups


def household_groups(path: Path) -> list[HouseholdGroup]:
    """The household groups of a Parquet file, read row by row."""
    name = str(path)
    header, rows = _rows(path)
    column = {key: index for index, key in enumerate(header)}
    hid_column = column["household_id"]
    groups: list[HouseholdGroup] = []
    current: str | None = None
    group: list[tuple[int, Any]] = []

    def close() -> None:
        household, problems = household_from_rows(name, current or "", group, column)
        groups.append((current or None, household, problems, group[0][0]))

    for number, row in enumerate(rows, 1):
        hid = row[hid_column] or ""
        if hid != current and group:
            close()
            group = []
        current = hid
        group.append((number, list(row)))
    if group:
        close()
    return groups


def _strictly(lines: list[str]) -> list[list[str]] | None:
    try:
        return list(csv.reader(lines, strict=True))
    except csv.Error:
        return None


def _alone(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def csv_rows(lines: list[str], accept: Callable[[list[str]], bool]) -> Iterator[tuple[int, list[str], str | None]]:
    """``(line, cells, problem)`` of each row of a CSV file's ``lines`` after the header, the simple way.

    At each line, the row :func:`csv.reader` reads from there: taken when it is one line, or when
    its lines (at most ``MAX_ROW_LINES``) read strictly as that row and ``accept`` takes it;
    otherwise (and when ``csv`` refuses it) the line alone is a bad row and reading goes on at the
    next line.
    """
    index = 0
    while index < len(lines):
        reader = csv.reader(lines[index:])
        try:
            row = next(reader)
        except csv.Error as error:
            yield index + 2, _alone(lines[index]), f"not readable as CSV: {error}"
            index += 1
            continue
        span = reader.line_num
        if span == 1 or (span <= MAX_ROW_LINES and _strictly(lines[index : index + span]) == [row] and accept(row)):
            yield index + 2, row, None
            index += span
            continue
        yield index + 2, _alone(lines[index]), UNCLOSED.message
        index += 1


def csv_fact_groups(path: Path, builder: FactBuilder) -> list[FactGroup]:
    """The fact groups of a CSV file, read row by row."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    groups: list[FactGroup] = []
    with open(path, encoding="utf-8", newline="") as stream:
        lines = list(stream)
    if not lines:
        return groups
    header = next(csv.reader(lines[:1]), [])
    rows = builder.for_rows(header, nulls=False)
    width, hid_column = len(header), header.index("household_id")

    def accept(row: list[str]) -> bool:
        try:
            return len(row) == width and bool(rows.parse(row))
        except (ValueError, TypeError):
            return False

    current: str | None = None
    facts: list[Any] = []
    bad: list[BadRow] = []
    first = last = 1
    read = [(start, row, problem) for start, row, problem in csv_rows(lines[1:], accept) if row or problem is not None]
    for index, (start, row, problem) in enumerate(read):
        hid = row[hid_column] if len(row) > hid_column and problem is None else ""
        if problem is None and len(row) != width:  # a junk line or a row cut short
            after = next(
                (r[hid_column] if p is None else "" for _, r, p in read[index + 1 :] if p or len(r) == width), ""
            )
            hid = "" if current is not None and current == after else hid  # among one household's rows: joins
        if hid and hid != current:
            if facts or bad:
                groups.append((current, facts, bad, first, last))
                facts, bad = [], []
            current, first = hid, start
        elif not (facts or bad):
            first = start
        last = start
        if problem is not None:
            bad.append(BadRow(name, start, "row", problem, current))
            continue
        if len(row) != width:
            bad.append(BadRow(name, start, "row", f"the row has {len(row)} cells; the header has {width}", current))
            continue
        try:
            facts.append(rows.build(row))
        except (ValueError, TypeError) as error:
            field, message = describe_failure(error, fields)
            bad.append(BadRow(name, start, field, message, current))
    if facts or bad:
        groups.append((current, facts, bad, first, last))
    return groups


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def merge(
    households: Iterable[HouseholdGroup],
    fact_groups: Iterable[FactGroup],
    *,
    households_file: str,
    facts_file: str,
    lookahead: int = 10_000,
) -> Iterator[PopulationRecord]:
    """One record per household of ``households``, in its order, with the facts of ``fact_groups``.

    Records with ``household=None`` carry the bad rows that belong to no household to screen.
    """
    source = iter(households)
    pending: deque[HouseholdGroup] = deque()
    waiting: dict[str, HouseholdGroup] = {}  # households read, not yet yielded, by id (first occurrence)
    done: dict[str, int] = {}  # households yielded: the line of their row, negative when it was invalid
    held: dict[str, list[BadRow]] = {}  # groups of bad rows alone, by household, waiting for its record
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
        early: list[BadRow] = []
        if hid is not None and waiting.get(hid) is group:
            del waiting[hid]
            done[hid] = line if household is not None else -line
            early = held.pop(hid, [])
        if household is not None:
            if facts is None:
                return PopulationRecord(household, (), tuple(early))
            return PopulationRecord(household, tuple(facts[1]), tuple(early) + tuple(facts[2]))
        rows = list(bad) + early
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

    for group in _set_apart_strays(list(fact_groups), facts_file):
        hid, valid, bad_facts, first, last = group
        if hid is None:  # rows that name no household, before any that does
            yield PopulationRecord(None, (), tuple(bad_facts))
            continue
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
        if target is not None and not valid:  # bad rows alone claim no place: they go with their household
            held.setdefault(hid, []).extend(bad_facts)
            continue
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


def _set_apart_strays(groups: list[FactGroup], facts_file: str) -> list[FactGroup]:
    """A group of at most 3 rows of household Y between two groups of household X: its rows are
    bad rows of Y, before X's groups made one (X, Y, X, Y, the second X small: both small ones)."""
    out: list[FactGroup] = []
    index = 0
    while index < len(groups):
        current = groups[index]
        index += 1
        strays: list[FactGroup] = []
        while index + 1 < len(groups):
            middle, after = groups[index], groups[index + 1]
            hid = current[0]
            if not (
                hid is not None
                and after[0] == hid
                and middle[0] is not None
                and middle[0] != hid
                and len(middle[1]) + len(middle[2]) <= 3
            ):
                break
            if index + 2 < len(groups) and groups[index + 2][0] == middle[0] and not after[1]:
                break  # X, Y, X', Y with X' bad rows alone: X' is the stray, set apart at Y's turn
            strays.append(_left_out(middle, current, facts_file))
            index += 2
            ahead = groups[index] if index < len(groups) else None
            if middle[1] and ahead is not None and ahead[0] == middle[0] and len(after[1]) + len(after[2]) <= 3:
                strays.append(_left_out(after, ahead, facts_file))  # X, Y, X, Y: which is mistyped? both out
                continue
            current = (hid, [*current[1], *after[1]], [*current[2], *after[2]], current[3], after[4])
        out.extend(strays)
        out.append(current)
    return out


def _left_out(stray: FactGroup, among: FactGroup, facts_file: str) -> FactGroup:
    hid, facts, bad, first, last = stray
    if not facts:
        return stray
    note = BadRow(
        facts_file,
        first,
        "household_id",
        f"{len(facts)} fact(s) at {_lines(first, last)} of household {hid!r} sit among the facts of household "
        f"{among[0]!r} (from line {among[3]}): a household's facts must be together (a mistyped household id?); "
        "left out",
        hid,
    )
    return hid, [], [note, *bad], first, last
