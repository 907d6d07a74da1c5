"""CSV: households one row per member, facts one row per fact (see :mod:`.layout` for the columns).

Files are UTF-8 with a header row; columns are found by name, so their order is free and
optional ones may be left out. A blank cell is an absent value. Blank lines are skipped.
Rows are read by :func:`csv.reader` (the default dialect: quoted cells may hold commas,
quotes and newlines); a bad row is reported with the line it starts on. A line that is not
UTF-8, a cell too long for the ``csv`` module, and a quote left open (a row over several lines
that is not one: see :func:`row_batches`) are bad rows, and reading goes on at the next line.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

from ..fact_fields import cached_date
from ..fact_plans import NOT_FAST
from ..facts import Fact, FactKinds
from ..household import Household
from .grouping import (
    FactGroup,
    FactRuns,
    Failure,
    Held,
    HouseholdGroup,
    Rows,
    built,
    hold_odd_tail,
    member_groups,
    runs_of,
    settle_odd_keys,
    settle_odd_rows,
)
from .households import household_rows
from .jsonl import encoding_problem
from .layout import (
    HOUSEHOLD_COLUMNS,
    REQUIRED_FACT_COLUMNS,
    REQUIRED_HOUSEHOLD_COLUMNS,
    check_header,
    fact_columns,
)
from .records import BadRow, PopulationError, describe_failure, fact_field_names, fact_subject, readable_id
from .rows import FactBuilder, FactDumper

__all__ = [
    "MAX_ROW_LINES",
    "CsvFactWriter",
    "CsvWriter",
    "Row",
    "csv_rows",
    "fact_groups",
    "household_groups",
    "row_batches",
]

#: Rows built before their groups are made: few, so that facts do not outlive their household long.
_BATCH_ROWS = 64
#: The most lines a row may span (a quoted cell may hold line breaks): beyond, its first line is a
#: bad row (a quote not closed) and reading resumes at the next line.
MAX_ROW_LINES = 100

#: ``(line, cells, problem)``: the line a row starts on, its cells, and why it cannot be read (None: it can).
Row = tuple[int, list[str], Failure | None]


def _whole(lines: list[str], row: list[str]) -> bool:
    """True when ``lines`` are exactly ``row`` read strictly: every quote closed, nothing after one."""
    try:
        return list(csv.reader(lines, strict=True)) == [row]
    except csv.Error:
        return False


def _alone(line: str) -> list[str]:
    """The cells of ``line`` read on its own (for the household id of a bad row), or none."""
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


_UNCLOSED = Failure(
    "row",
    "a quoted cell is not closed (or the row it starts does not read as a row); reading resumed at the next line",
)


def csv_rows(stream: TextIO, accept: Callable[[list[str]], bool] = bool, *, first_line: int = 1) -> Iterator[Row]:
    """``(line, cells, problem)`` of each row of ``stream`` (opened with ``newline=""``), one by one.

    See :func:`row_batches`.
    """
    for batch in row_batches(stream, accept, first_line=first_line):
        yield from batch


def row_batches(
    stream: Iterable[str], accept: Callable[[list[str]], bool] = bool, *, first_line: int = 1
) -> Iterator[list[Row]]:
    """The rows of ``stream`` (its lines, opened with ``errors="surrogateescape"``), in lists of a few.

    Rows are split by :func:`csv.reader` (the default dialect), a chunk of lines at a time;
    each is ``(line, cells, problem)``, ``line`` the line it starts on (``first_line`` is the
    stream's first) and ``problem`` None or the :class:`~.grouping.Failure` of a row that
    cannot be read: a line that is not UTF-8 (field ``encoding``), a cell longer than the
    ``csv`` module takes, or a row spanning several lines (a quoted cell holding line breaks)
    that is not one: a quote not closed by the end of the file or within
    :data:`MAX_ROW_LINES` lines, a quote not followed by a delimiter, or a row ``accept``
    refuses. Then its first line is the bad row and reading resumes at the next line, so that
    an unclosed quote never swallows the rows after it. A blank line is an empty row.
    """
    lines = iter(stream)
    pending: list[str] = []  # lines read, not yet rows; pending[0] is line ``number``
    number = first_line
    exhausted = more = False
    undecoded: set[int] = set()  # lines that are not UTF-8
    while True:
        if not exhausted and (more or len(pending) < _BATCH_ROWS):
            read = list(itertools.islice(lines, _BATCH_ROWS))
            exhausted = len(read) < _BATCH_ROWS
            undecoded.update(
                number + len(pending) + index
                for index, line in enumerate(read)
                if not line.isascii() and encoding_problem(line) is not None
            )
            pending += read
        if not pending:
            return
        more = False
        batch: list[Row] = []
        reader = csv.reader(pending)
        done = 0  # lines of ``pending`` made rows
        try:
            for row in reader:
                end = reader.line_num
                start = number + done
                if end - done == 1:
                    batch.append((start, row, None if start not in undecoded else _undecoded(pending[done])))
                    done = end
                    continue
                if end == len(pending) and not exhausted and end - done < MAX_ROW_LINES:
                    more = True  # the row may go on in lines not read yet
                    break
                if end - done <= MAX_ROW_LINES and _whole(pending[done:end], row) and accept(row):
                    bad = next(
                        (pending[line - number] for line in range(start, number + end) if line in undecoded), None
                    )
                    batch.append((start, row, None if bad is None else _undecoded(bad)))
                    done = end
                    continue
                batch.append((start, _alone(pending[done]), _UNCLOSED))
                done += 1
                break  # read again from the next line
        except csv.Error as error:
            batch.append((number + done, _alone(pending[done]), Failure("row", f"not readable as CSV: {error}")))
            done += 1
        if done:
            del pending[:done]
            undecoded.difference_update(range(number, number + done))
            number += done
        if batch:
            yield batch


def _undecoded(line: str) -> Failure:
    return Failure("encoding", encoding_problem(line) or "not UTF-8")


def _header(name: str, stream: TextIO) -> list[str]:
    """The header of a CSV file (its first line); an empty file (not even a header: a file cut
    short, or never written) is a :class:`PopulationError`."""
    line = next(stream, None)
    if line is None:
        raise PopulationError(
            f"{name}: the file is empty; a CSV file starts with its header (a file with no rows is the header alone)"
        )
    problem = encoding_problem(line)
    if problem is not None:
        raise PopulationError(f"{name}: the header is {problem}")
    try:
        return next(csv.reader([line]), [])
    except csv.Error as error:
        raise PopulationError(f"{name}: the header is not readable as CSV: {error}") from None


def _wrong_width(row: list[str], width: int) -> str:
    return f"the row has {len(row)} cells; the header has {width}"


def household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a CSV file, one group of member rows each: ``(id, household, bad rows, line)``."""
    name = str(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:  # a BOM (Excel) skipped
        header = _header(name, stream)
        check_header(name, header, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS)
        column = {key: index for index, key in enumerate(header)}
        width, hid_column = len(header), column["household_id"]
        birth_column = column["birth_date"]

        def accept(row: list[str]) -> bool:  # a row over several lines: a member's, with a birth date
            try:
                return len(row) == width and bool(cached_date(row[birth_column]))
            except ValueError:
                return False

        batches = (_MemberRows(name, batch, width, hid_column) for batch in row_batches(stream, accept, first_line=2))
        yield from member_groups(name, column, batches)


class _MemberRows:
    """A batch of member rows (a :class:`~.grouping.MemberBatch`): a row of the wrong width, or that cannot
    be read, is a bad row."""

    __slots__ = ("cells", "clean", "keys", "name", "problems", "runs", "width")

    def __init__(self, name: str, batch: list[Row], width: int, hid_column: int) -> None:
        self.name, self.width = name, width
        self.keys: list[str] = []
        self.cells: Rows = []
        self.problems: list[Failure | None] = []
        clean = True
        odd: list[int] = []  # rows that cannot be read whole: their household cell may be anything
        for line, row, problem in batch:
            if row or problem is not None:
                if problem is not None or len(row) != width:
                    odd.append(len(self.keys))
                self.keys.append(row[hid_column] if len(row) > hid_column else "")
                self.cells.append((line, row))
                self.problems.append(problem)
                clean = clean and problem is None and len(row) == width
        settle_odd_keys(self.keys, odd)  # a junk line never splits a household's rows
        self.clean = clean
        self.runs: list[tuple[str, int, int]] = runs_of(self.keys)

    def household(self, index: int) -> Household | None:
        return None  # made from its rows

    def rows(self, start: int, end: int) -> Rows:
        if self.clean:
            return self.cells[start:end]
        return [
            item
            for item, problem in zip(self.cells[start:end], self.problems[start:end], strict=True)
            if problem is None and len(item[1]) == self.width
        ]

    def unreadable(self, start: int, end: int) -> list[BadRow]:
        if self.clean:
            return []
        found = []
        for index in range(start, end):
            line, row = self.cells[index]
            problem = self.problems[index]
            if problem is None and len(row) == self.width:
                continue
            field, message = problem if problem is not None else ("row", _wrong_width(row, self.width))
            found.append(BadRow(self.name, line, field, message, self.keys[start] or None))
        return found

    def line(self, start: int) -> int:
        return self.cells[start][0]


def fact_groups(path: Path, builder: FactBuilder, *, keep_lines: bool = False) -> Iterator[FactGroup]:
    """The fact rows of a CSV file grouped by household: ``(id, facts, bad rows, first, last line)``;
    with ``keep_lines`` each group's facts are a :class:`~.grouping.FactsAt`, with the line each row starts on."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:  # a BOM (Excel) skipped
        header = _header(name, stream)
        check_header(name, header, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS)
        cells = builder.for_rows(header, nulls=False)
        fast, parse = cells.fast_builders(), cells.parse
        width, hid_column, kind_column = len(header), header.index("household_id"), header.index("kind")
        id_column = header.index("id")

        def accept(row: list[str]) -> bool:  # a row over several lines: a fact's
            if len(row) != width:
                return False
            try:
                parse(row)
            except (ValueError, TypeError):
                return False
            return True

        groups = FactRuns(name, lines=keep_lines)
        # Rows of the wrong width at the end of a batch wait for the next (hold_odd_tail).
        carried: Held = ([], [], [], {})
        for batch in itertools.chain(row_batches(stream, accept, first_line=2), [[]]):
            lines, hids, results, odd = carried
            carried = ([], [], [], {})
            clean = not lines
            for line, row, problem in batch:
                if problem is not None:
                    lines.append(line)
                    fid = hid = None
                    if problem.field == "encoding" and len(row) == width:  # ASCII ids in GBK text: named
                        fid, hid = readable_id(row[id_column]), readable_id(row[hid_column])
                    hids.append(hid)  # without one, the row joins the group it sits in
                    results.append(
                        Failure(problem.field, f"{fact_subject(fid, hid)}: {problem.message}")
                        if fid or hid
                        else problem
                    )
                    clean = False
                    continue
                if not row:
                    continue
                lines.append(line)
                if len(row) != width:  # a junk line or a row cut short: its first cell may be anything
                    odd[len(hids)] = row[hid_column] if len(row) > hid_column else ""
                    hids.append(None)
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
            if batch:  # (the last, empty, batch keeps them)
                carried = hold_odd_tail(lines, hids, results, odd)
            settle_odd_rows(hids, {i: cell for i, cell in odd.items() if i < len(hids)}, groups.current)
            if hids:
                yield from groups.add(runs_of(hids), lines, built(results), clean=clean)
        yield from groups.close()


class CsvFactWriter:
    """Writes facts alone as CSV: a header of :func:`~.layout.fact_columns`, then one row per fact."""

    suffix = ".csv"

    def __init__(self, facts_path: Path, kinds: FactKinds) -> None:
        self._file: IO[str] = open(facts_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._facts = csv.writer(self._file, lineterminator="\n")
        columns = fact_columns(kinds)
        self._facts.writerow(columns)
        self._cells = FactDumper(columns).as_cells

    def write(self, facts: Iterable[Fact]) -> int:
        """Write facts; return the number written."""
        rows = [self._cells(fact) for fact in facts]
        self._facts.writerows(rows)
        return len(rows)

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


class CsvWriter:
    """Writes households (one row per member) and facts (one row per fact) as CSV with headers."""

    suffix = ".csv"

    def __init__(self, households_path: Path, facts_path: Path, kinds: FactKinds) -> None:
        self._households_file: IO[str] = open(households_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._households = csv.writer(self._households_file, lineterminator="\n")
        self._facts = CsvFactWriter(facts_path, kinds)
        self._households.writerow(HOUSEHOLD_COLUMNS)

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written."""
        self._households.writerows(household_rows(household))
        return self._facts.write(facts)

    def close(self) -> None:
        """Flush and close both files."""
        self._households_file.close()
        self._facts.close()
