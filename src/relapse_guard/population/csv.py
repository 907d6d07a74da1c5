"""CSV: households one row per member, facts one row per fact (see :mod:`.layout` for the columns).

Files are UTF-8 with a header row; columns are found by name, so their order is free and
optional ones may be left out. A blank cell is an absent value. Blank lines are skipped.
Rows are read by :func:`csv.reader` (the default dialect: quoted cells may hold commas,
quotes and newlines); a bad row is reported with the line it starts on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from ..fact_plans import NOT_FAST
from ..facts import Fact, FactKinds
from ..household import Household
from .grouping import (
    FactGroup,
    FactRuns,
    Failure,
    HouseholdGroup,
    Rows,
    built,
    member_groups,
    runs_of,
)
from .households import household_rows
from .layout import (
    HOUSEHOLD_COLUMNS,
    REQUIRED_FACT_COLUMNS,
    REQUIRED_HOUSEHOLD_COLUMNS,
    check_header,
    fact_columns,
)
from .records import BadRow, describe_failure, fact_field_names
from .rows import FactBuilder, FactDumper

__all__ = ["CsvWriter", "csv_rows", "fact_groups", "household_groups", "row_batches"]

#: Rows built before their groups are made: few, so that facts do not outlive their household long.
_BATCH_ROWS = 64


def csv_rows(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each row of ``stream`` (opened with ``newline=""``): the 1-based line the row starts on.

    :func:`csv.reader` with the default dialect; a blank line is an empty row, and a cell longer
    than the field size limit raises :class:`csv.Error`. The rows the readers read, one by one.
    """
    for batch in row_batches(csv.reader(stream)):
        yield from batch


def row_batches(reader: Any) -> Iterator[list[tuple[int, list[str]]]]:
    """The rows a :func:`csv.reader` has yet to read, in lists of a few: ``(line, cells)`` each, the line
    the row starts on (a row may span lines: a quoted cell may hold line breaks)."""
    end = reader.line_num
    batch: list[tuple[int, list[str]]] = []
    for row in reader:
        start, end = end + 1, reader.line_num
        batch.append((start, row))
        if len(batch) >= _BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _wrong_width(row: list[str], width: int) -> str:
    return f"the row has {len(row)} cells; the header has {width}"


def household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a CSV file, one group of member rows each: ``(id, household, bad rows, line)``."""
    name = str(path)
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        check_header(name, header, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS)
        column = {key: index for index, key in enumerate(header)}
        yield from member_groups(name, column, _member_batches(name, reader, len(header), column["household_id"]))


def _member_batches(name: str, reader: Any, width: int, hid_column: int) -> Iterator[_MemberRows]:
    """The member rows of the file, batch after batch."""
    for batch in row_batches(reader):
        yield _MemberRows(name, batch, width, hid_column)


class _MemberRows:
    """A batch of member rows (a :class:`~.grouping.MemberBatch`): a row of the wrong width is a bad row."""

    __slots__ = ("cells", "clean", "keys", "name", "runs", "width")

    def __init__(self, name: str, batch: Rows, width: int, hid_column: int) -> None:
        self.name, self.width = name, width
        self.keys: list[str] = []
        self.cells: Rows = []
        clean = True
        for item in batch:
            row = item[1]
            if row:
                self.keys.append(row[hid_column] if len(row) > hid_column else "")
                self.cells.append(item)
                clean = clean and len(row) == width
        self.clean = clean
        self.runs: list[tuple[str, int, int]] = runs_of(self.keys)

    def household(self, index: int) -> Household | None:
        return None  # made from its rows

    def rows(self, start: int, end: int) -> Rows:
        if self.clean:
            return self.cells[start:end]
        return [item for item in self.cells[start:end] if len(item[1]) == self.width]

    def unreadable(self, start: int, end: int) -> list[BadRow]:
        if self.clean:
            return []
        message = "the row has {} cells; the header has " + str(self.width)
        return [
            BadRow(self.name, line, "row", message.format(len(row)), self.keys[start] or None)
            for line, row in self.cells[start:end]
            if len(row) != self.width
        ]

    def line(self, start: int) -> int:
        return self.cells[start][0]


def fact_groups(path: Path, builder: FactBuilder) -> Iterator[FactGroup]:
    """The fact rows of a CSV file grouped by household: ``(id, facts, bad rows, first, last line)``."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        check_header(name, header, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS)
        cells = builder.for_rows(header, nulls=False)
        fast, parse = cells.fast_builders(), cells.parse
        width, hid_column, kind_column = len(header), header.index("household_id"), header.index("kind")
        groups = FactRuns(name)
        for batch in row_batches(reader):
            lines: list[int] = []
            hids: list[str | None] = []
            results: list[Fact | Failure] = []
            clean = True
            for line, row in batch:
                if not row:
                    continue
                lines.append(line)
                if len(row) != width:
                    hids.append((row[hid_column] if len(row) > hid_column else "") or None)
                    results.append(Failure("row", _wrong_width(row, width)))
                    clean = False
                    continue
                hids.append(row[hid_column] or None)  # a blank cell names no household
                build = fast.get(row[kind_column])  # the builder's dispatch, inline: this runs once per fact
                if build is not None:
                    try:
                        results.append(build(row, width - row.count("")))
                        continue
                    except NOT_FAST:
                        pass
                try:
                    results.append(parse(row))
                except (ValueError, TypeError) as error:
                    results.append(Failure(*describe_failure(error, fields)))
                    clean = False
            yield from groups.add(runs_of(hids), lines, built(results), clean=clean)
        yield from groups.close()


class CsvWriter:
    """Writes households (one row per member) and facts (one row per fact) as CSV with headers."""

    suffix = ".csv"

    def __init__(self, households_path: Path, facts_path: Path, kinds: FactKinds) -> None:
        self._households_file: IO[str] = open(households_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._facts_file: IO[str] = open(facts_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._households = csv.writer(self._households_file, lineterminator="\n")
        self._facts = csv.writer(self._facts_file, lineterminator="\n")
        columns = fact_columns(kinds)
        self._households.writerow(HOUSEHOLD_COLUMNS)
        self._facts.writerow(columns)
        self._cells = FactDumper(columns).as_cells

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written."""
        self._households.writerows(household_rows(household))
        rows = [self._cells(fact) for fact in facts]
        self._facts.writerows(rows)
        return len(rows)

    def close(self) -> None:
        """Flush and close both files."""
        self._households_file.close()
        self._facts_file.close()
