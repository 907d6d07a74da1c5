"""The Parquet reader as it was, row by row: what the column-wise reader must give, group for group.

Each row becomes a list of cells (``column.to_pylist()``), a fact through the library's row
builder and a household through ``household_from_rows``, grouped by household as the
readers group them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relapse_guard.population import FactBuilder
from relapse_guard.population._member_rows import household_from_rows
from relapse_guard.population._merge import FactGroup, HouseholdGroup
from relapse_guard.population._messages import describe_failure, fact_field_names
from relapse_guard.population._records import BadRow


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    parquet = pytest.importorskip("pyarrow.parquet")
    source = parquet.ParquetFile(path)
    header = list(source.schema_arrow.names)

    def rows() -> Iterator[tuple[Any, ...]]:
        for batch in source.iter_batches(batch_size=5):
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)

    return header, rows()


def fact_groups(path: Path, builder: FactBuilder) -> list[FactGroup]:
    """The fact groups of a Parquet file, read row by row."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    header, rows = _rows(path)
    build = builder.for_rows(header).build
    hid_column = header.index("household_id")
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
        try:
            facts.append(build(list(row)))
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


def csv_fact_groups(path: Path, builder: FactBuilder) -> list[FactGroup]:
    """The fact groups of a CSV file, read with :func:`csv.reader` row by row."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    groups: list[FactGroup] = []
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            return groups
        build = builder.for_rows(header, nulls=False).build
        width, hid_column = len(header), header.index("household_id")
        current: str | None = None
        facts: list[Any] = []
        bad: list[BadRow] = []
        first = last = end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue
            hid = row[hid_column] if len(row) > hid_column else ""
            if hid and hid != current:
                if facts or bad:
                    groups.append((current, facts, bad, first, last))
                    facts, bad = [], []
                current, first = hid, start
            elif not (facts or bad):
                first = start
            last = start
            if len(row) != width:
                bad.append(BadRow(name, start, "row", f"the row has {len(row)} cells; the header has {width}", current))
                continue
            try:
                facts.append(build(row))
            except (ValueError, TypeError) as error:
                field, message = describe_failure(error, fields)
                bad.append(BadRow(name, start, field, message, current))
        if facts or bad:
            groups.append((current, facts, bad, first, last))
    return groups
