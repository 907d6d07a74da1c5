"""CSV: households one row per member, facts one row per fact (see :mod:`._layout` for the columns).

Files are UTF-8 with a header row; columns are found by name, so their order is free and
optional ones may be left out. A blank cell is an absent value. Blank lines are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidInput
from ..facts import Fact, FactKinds
from ..household import Household
from ._build import FactBuilder
from ._households import build_household
from ._layout import (
    HOUSEHOLD_COLUMNS,
    REQUIRED_FACT_COLUMNS,
    REQUIRED_HOUSEHOLD_COLUMNS,
    FactDumper,
    check_header,
    fact_columns,
    household_rows,
)
from ._merge import FactGroup, HouseholdGroup
from ._messages import describe_error, describe_failure, fact_field_names
from ._records import BadRow

__all__ = ["CsvWriter", "csv_fact_groups", "csv_household_groups", "household_from_rows"]

_NO_FIELDS = frozenset[str]()
_PLACE_COLUMNS = ("district", "town", "village")
_MEMBER_COLUMNS = ("labour_capacity", "health", "schooling")


def _cell_field(field: str) -> tuple[int | None, str]:
    """The member index and the column of a field of :meth:`Household.from_dict`'s errors."""
    if field.startswith("members[") and "]" in field:
        index_text, _, rest = field[len("members[") :].partition("]")
        column = rest.removeprefix(".") or "member_id"
        return int(index_text), "member_id" if column == "id" else column
    if field.startswith("place."):
        return None, field.removeprefix("place.")
    return None, "household_id" if field == "id" else field


def household_from_rows(
    name: str, hid: str, rows: list[tuple[int, list[Any]]], column: dict[str, int]
) -> tuple[Household | None, list[BadRow]]:
    """The household in its member rows ``(line, cells)``, or None and the bad row saying why.

    Shared by the CSV and Parquet readers; cells hold text (or dates, from Parquet).
    """
    first_line, first = rows[0]
    place_cells = [(key, column.get(key)) for key in _PLACE_COLUMNS]
    for line, row in rows[1:]:
        for key, index in place_cells:
            if index is not None and (row[index] or "") != (first[index] or ""):
                message = f"household {hid!r}: {key} differs from the household's first row (line {first_line})"
                return None, [BadRow(name, line, key, message, hid or None)]
    place = {key: (first[index] or "") if index is not None else "" for key, index in place_cells}
    members = []
    optional = [(key, column[key]) for key in _MEMBER_COLUMNS if key in column]
    member_column, birth_column = column["member_id"], column["birth_date"]
    for _, row in rows:
        member: dict[str, Any] = {"id": row[member_column] or ""}
        birth = row[birth_column]
        if birth:
            member["birth_date"] = birth if isinstance(birth, str) else birth.isoformat()
        for key, index in optional:
            if row[index]:
                member[key] = row[index]
        members.append(member)
    try:
        return build_household({"id": hid, "place": place, "members": members}), []
    except InvalidInput as error:
        index, field = _cell_field(error.field)
        line = rows[index][0] if index is not None and index < len(rows) else first_line
        return None, [BadRow(name, line, field, describe_error(error, _NO_FIELDS), hid or None)]


def csv_household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a CSV file, one group of member rows each: ``(id, household, bad rows, line)``."""
    name = str(path)
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        check_header(name, header, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS)
        column = {key: index for index, key in enumerate(header)}
        width, hid_column = len(header), column["household_id"]
        current: str | None = None
        rows: list[tuple[int, list[str]]] = []
        bad: list[BadRow] = []
        start = end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue
            hid = row[hid_column] if len(row) > hid_column else ""
            if hid != current:
                if rows or bad:
                    yield _household_group(name, current or "", rows, bad, column)
                current, rows, bad = hid, [], []
            if len(row) != width:
                message = f"the row has {len(row)} cells; the header has {width}"
                bad.append(BadRow(name, start, "row", message, hid or None))
            else:
                rows.append((start, row))
        if rows or bad:
            yield _household_group(name, current or "", rows, bad, column)


def _household_group(
    name: str, hid: str, rows: list[tuple[int, list[Any]]], bad: list[BadRow], column: dict[str, int]
) -> HouseholdGroup:
    line = min([r[0] for r in rows] + [b.line for b in bad])
    if bad:  # a member row is unreadable: the household is incomplete
        return hid or None, None, bad, line
    household, problems = household_from_rows(name, hid, rows, column)
    return hid or None, household, problems, line


def csv_fact_groups(path: Path, builder: FactBuilder) -> Iterator[FactGroup]:
    """The fact rows of a CSV file grouped by household: ``(id, facts, bad rows, first, last line)``."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return
        check_header(name, header, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS)
        build = builder.for_rows(header, nulls=False).build
        width, hid_column = len(header), header.index("household_id")
        current: str | None = None
        facts: list[Fact] = []
        bad: list[BadRow] = []
        first = last = end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue
            hid = row[hid_column] if len(row) > hid_column else ""
            if hid and hid != current:
                if facts or bad:
                    yield current, facts, bad, first, last
                    facts, bad = [], []
                current, first = hid, start
            elif not (facts or bad):
                first = start
            last = start
            if len(row) != width:
                message = f"the row has {len(row)} cells; the header has {width}"
                bad.append(BadRow(name, start, "row", message, current))
                continue
            try:
                facts.append(build(row))
            except (ValueError, TypeError) as error:
                field, message = describe_failure(error, fields)
                bad.append(BadRow(name, start, field, message, current))
        if facts or bad:
            yield current, facts, bad, first, last


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
