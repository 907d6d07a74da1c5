"""CSV: households one row per member, facts one row per fact (see :mod:`._layout` for the columns).

Files are UTF-8 with a header row; columns are found by name, so their order is free and
optional ones may be left out. A blank cell is an absent value. Blank lines are skipped.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..fact_plans import NOT_FAST
from ..facts import Fact, FactKinds
from ..household import Household
from ._build import FactBuilder
from ._csv_rows import csv_rows
from ._groups import FactRuns, Failure, Results, runs_of
from ._layout import (
    HOUSEHOLD_COLUMNS,
    REQUIRED_FACT_COLUMNS,
    REQUIRED_HOUSEHOLD_COLUMNS,
    FactDumper,
    check_header,
    fact_columns,
    household_rows,
)
from ._member_rows import fast_household_from_rows
from ._merge import FactGroup, HouseholdGroup
from ._messages import describe_failure, fact_field_names
from ._records import BadRow

__all__ = ["CsvWriter", "csv_fact_groups", "csv_household_groups"]

#: Fact rows built before their groups are made: few, so that facts do not outlive their household long.
_BATCH_ROWS = 64


def csv_household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a CSV file, one group of member rows each: ``(id, household, bad rows, line)``."""
    name = str(path)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = csv_rows(stream)
        header = next(rows, (0, None))[1]
        if header is None:
            return
        check_header(name, header, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS)
        column = {key: index for index, key in enumerate(header)}
        width, hid_column = len(header), column["household_id"]
        current: str | None = None
        group: list[tuple[int, list[str]]] = []
        bad: list[BadRow] = []
        for line, row in rows:
            if not row:
                continue
            hid = row[hid_column] if len(row) > hid_column else ""
            if hid != current:
                if group or bad:
                    yield _household_group(name, current or "", group, bad, column)
                current, group, bad = hid, [], []
            if len(row) != width:
                message = f"the row has {len(row)} cells; the header has {width}"
                bad.append(BadRow(name, line, "row", message, hid or None))
            else:
                group.append((line, row))
        if group or bad:
            yield _household_group(name, current or "", group, bad, column)


def _household_group(
    name: str, hid: str, rows: list[tuple[int, list[Any]]], bad: list[BadRow], column: dict[str, int]
) -> HouseholdGroup:
    if bad:  # a member row is unreadable: the household is incomplete
        return hid or None, None, bad, min([r[0] for r in rows] + [b.line for b in bad])
    household, problems = fast_household_from_rows(name, hid, rows, column)
    return hid or None, household, problems, rows[0][0]  # the rows are in line order


def _made(results: list[Fact | Failure]) -> Results:
    """The results of a batch of rows, already built, as :class:`~._groups.FactRuns` asks for them."""

    def made(start: int, end: int, hid: object) -> list[Fact | Failure]:
        return results[start:end]

    return made


def csv_fact_groups(path: Path, builder: FactBuilder) -> Iterator[FactGroup]:
    """The fact rows of a CSV file grouped by household: ``(id, facts, bad rows, first, last line)``."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    with open(path, encoding="utf-8", newline="") as stream:
        rows = csv_rows(stream)
        header = next(rows, (0, None))[1]
        if header is None:
            return
        check_header(name, header, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS)
        cells = builder.for_rows(header, nulls=False)
        fast, parse = cells.fast_builders(), cells.parse
        width, hid_column, kind_column = len(header), header.index("household_id"), header.index("kind")
        groups = FactRuns(name)
        while batch := list(itertools.islice(rows, _BATCH_ROWS)):
            lines: list[int] = []
            hids: list[str] = []
            results: list[Fact | Failure] = []
            clean = True
            for line, row in batch:
                if not row:
                    continue
                lines.append(line)
                if len(row) != width:
                    hids.append(row[hid_column] if len(row) > hid_column else "")
                    results.append(Failure("row", f"the row has {len(row)} cells; the header has {width}"))
                    clean = False
                    continue
                hids.append(row[hid_column])
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
            yield from groups.add(runs_of(hids), lines, _made(results), clean=clean)
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
