"""Parquet (the ``parquet`` extra, pyarrow): the same columns as CSV, read in batches.

Dates (``date``, ``birth_date``) are ``date32`` columns and booleans ``bool`` columns when
written here; every other column is a string (amounts stay exact decimal strings). Reading
also takes strings for dates and booleans, and integer or decimal columns for amounts. A null
or empty cell is an absent value. A row's "line" in bad rows is its 1-based row number.

pyarrow is imported on first use, so the rest of the package works without it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from ..facts import Fact, FactKinds
from ..household import Household
from ._build import FactBuilder
from ._convert import parse_date
from ._csv import household_from_rows
from ._errors import MissingDependency
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
from ._messages import describe_failure, fact_field_names
from ._records import BadRow

__all__ = ["ParquetWriter", "parquet_fact_groups", "parquet_household_groups", "pyarrow_modules"]

_ROW_GROUP_ROWS = 65_536  # rows per row group written
_READ_BATCH_ROWS = 8_192  # rows converted to Python objects at a time when reading


def pyarrow_modules() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``; :class:`MissingDependency` naming the extra when not installed."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise MissingDependency("pyarrow", "parquet", "reading and writing Parquet files") from None


def _rows(
    path: Path, allowed: tuple[str, ...], required: frozenset[str]
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    _, parquet = pyarrow_modules()
    source = parquet.ParquetFile(path)
    header = list(source.schema_arrow.names)
    check_header(str(path), header, allowed, required)

    def rows() -> Iterator[tuple[Any, ...]]:
        try:
            for batch in source.iter_batches(batch_size=_READ_BATCH_ROWS):
                yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)
        finally:
            source.close()

    return header, rows()


def parquet_household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a Parquet file, one group of member rows each: ``(id, household, bad rows, line)``."""
    name = str(path)
    header, rows = _rows(path, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS)
    column = {key: index for index, key in enumerate(header)}
    hid_column = column["household_id"]
    current: str | None = None
    group: list[tuple[int, Any]] = []
    for number, row in enumerate(rows, 1):
        hid = row[hid_column] or ""
        if hid != current and group:
            yield _group(name, current or "", group, column)
            group = []
        current = hid
        group.append((number, row))
    if group:
        yield _group(name, current or "", group, column)


def _group(name: str, hid: str, rows: list[tuple[int, Any]], column: dict[str, int]) -> HouseholdGroup:
    household, problems = household_from_rows(name, hid, rows, column)
    return hid or None, household, problems, rows[0][0]


def parquet_fact_groups(path: Path, builder: FactBuilder) -> Iterator[FactGroup]:
    """The fact rows of a Parquet file grouped by household: ``(id, facts, bad rows, first, last row)``."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    header, rows = _rows(path, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS)
    build = builder.for_rows(header).build
    hid_column = header.index("household_id")
    current: str | None = None
    facts: list[Fact] = []
    bad: list[BadRow] = []
    first = last = 0
    for number, row in enumerate(rows, 1):
        hid = row[hid_column]
        if hid and hid != current:
            if facts or bad:
                yield current, facts, bad, first, last
                facts, bad = [], []
            current, first = hid, number
        elif not (facts or bad):
            first = number
        last = number
        try:
            facts.append(build(row))
        except (ValueError, TypeError) as error:
            field, message = describe_failure(error, fields)
            bad.append(BadRow(name, number, field, message, current))
    if facts or bad:
        yield current, facts, bad, first, last


def _typed_columns(kinds: FactKinds) -> dict[str, str]:
    """Columns every kind having them types as a date or a boolean: ``{column: "date" | "bool"}``."""
    found: dict[str, set[str]] = {"date": {"date"}}
    for cls in kinds.by_kind.values():
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            hint = hints[field.name]
            kind = "bool" if hint is bool else "date" if hint is dt.date else "string"
            found.setdefault(field.name, set()).add(kind)
    return {name: kinds_.pop() for name, kinds_ in found.items() if len(kinds_) == 1 and kinds_ != {"string"}}


class ParquetWriter:
    """Writes households (one row per member) and facts (one row per fact) as Parquet, in row groups."""

    suffix = ".parquet"

    def __init__(self, households_path: Path, facts_path: Path, kinds: FactKinds) -> None:
        arrow, parquet = pyarrow_modules()
        self._arrow = arrow
        typed = _typed_columns(kinds)
        columns = fact_columns(kinds)
        types = {"date": arrow.date32(), "bool": arrow.bool_(), "string": arrow.string()}
        self._fact_schema = arrow.schema([(c, types[typed.get(c, "string")]) for c in columns])
        self._household_schema = arrow.schema(
            [(c, arrow.date32() if c == "birth_date" else arrow.string()) for c in HOUSEHOLD_COLUMNS]
        )
        options = {"compression": "snappy"}
        self._facts = parquet.ParquetWriter(facts_path, self._fact_schema, **options)
        self._households = parquet.ParquetWriter(households_path, self._household_schema, **options)
        self._cells = FactDumper(columns, typed=typed).as_cells
        self._fact_rows: list[list[Any]] = []
        self._household_rows: list[tuple[Any, ...]] = []

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written."""
        for row in household_rows(household):
            self._household_rows.append(row)
        count = 0
        for fact in facts:
            self._fact_rows.append(self._cells(fact))
            count += 1
        if len(self._fact_rows) >= _ROW_GROUP_ROWS:
            self._flush()
        return count

    def _flush(self) -> None:
        for rows, schema, writer in (
            (self._household_rows, self._household_schema, self._households),
            (self._fact_rows, self._fact_schema, self._facts),
        ):
            if not rows:
                continue
            columns = [list(column) for column in zip(*rows, strict=True)]
            if schema is self._household_schema:
                birth = schema.get_field_index("birth_date")
                columns[birth] = [parse_date(text) for text in columns[birth]]
            arrays = [self._arrow.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)]
            writer.write_table(self._arrow.Table.from_arrays(arrays, schema=schema))
            rows.clear()

    def close(self) -> None:
        """Write what is buffered and close both files."""
        self._flush()
        self._households.close()
        self._facts.close()
