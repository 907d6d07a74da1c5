"""Parquet (the ``parquet`` extra, pyarrow): the same columns as CSV, read a row group at a time.

Dates (``date``, ``birth_date``) are ``date32`` columns and booleans ``bool`` columns when
written here; every other column is a string (amounts stay exact decimal strings). Reading
also takes strings for dates and booleans, and integer or decimal columns for amounts. A null
or empty cell is an absent value. A row's "line" in bad rows is its 1-based row number.

Reading is column by column (:mod:`.parquet_facts`, :mod:`.parquet_households`): string columns
are read dictionary-encoded, as Parquet stores them, and a column null throughout a row group
is not converted (its statistics are not trusted: see :func:`_batches`).

pyarrow is imported on first use, so the rest of the package works without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import typing
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..fact_fields import cached_date
from ..facts import Fact, FactKinds
from ..household import Household
from .grouping import FactGroup, FactRuns, HouseholdGroup
from .households import household_rows
from .layout import HOUSEHOLD_COLUMNS, REQUIRED_FACT_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS, check_header, fact_columns
from .parquet_columns import BatchColumns, midnight_dates, pyarrow_modules
from .records import PopulationError
from .rows import FactBuilder, FactDumper

__all__ = [
    "READ_BATCH_ROWS",
    "ROW_GROUP_ROWS",
    "ParquetFactWriter",
    "ParquetWriter",
    "fact_groups",
    "household_groups",
    "pyarrow_modules",
    "read_errors",
    "typed_columns",
]

#: The name pandas gives the column of an unnamed index level (``DataFrame.to_parquet()``).
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")

ROW_GROUP_ROWS = 65_536  # rows per row group written
#: Rows read at a time: more than a row group written here holds (65,536 facts, and the rest of
#: the last household's), so that a batch is a row group and its dictionaries are decoded once.
READ_BATCH_ROWS = 131_072


def _open(
    path: Path, allowed: tuple[str, ...], required: frozenset[str], *, unique: Iterable[str]
) -> tuple[Any, list[str]]:
    """The file, open, and its header; its string columns but the ``unique`` ones (whose values are all
    different) read dictionary-encoded, as Parquet stores them."""
    arrow, parquet = pyarrow_modules()
    schema = parquet.read_schema(path)
    # pandas writes a DataFrame's unnamed index (a filtered frame's row numbers) as a column of
    # its own: not data, and not read
    header = [name for name in schema.names if not _PANDAS_INDEX.fullmatch(name)]
    check_header(str(path), header, allowed, required, where="the file's columns")
    text = [
        field.name
        for field in schema
        if (arrow.types.is_string(field.type) or arrow.types.is_large_string(field.type)) and field.name not in unique
    ]
    return parquet.ParquetFile(path, read_dictionary=text), header


def _batches(source: Any, header: Sequence[str], dates: Iterable[str] = ()) -> Iterator[BatchColumns]:
    """The file's record batches, in order, a row group at a time (a column null throughout a batch is
    left out of it: see :class:`BatchColumns`); the ``dates`` columns, when stored as timestamps of
    midnights (as pandas writes dates), as dates (:func:`~.parquet_columns.midnight_dates`).

    The column chunks' statistics are not read to skip such columns: pyarrow aborts the process
    (a C++ exception it does not catch) making the metadata of a corrupt column chunk, where
    reading the batches raises an exception.
    """
    arrow = pyarrow_modules()[0]
    schema = source.schema_arrow
    stamped = [name for name in dates if name in schema.names and arrow.types.is_timestamp(schema.field(name).type)]
    for group in range(source.metadata.num_row_groups):
        for batch in source.iter_batches(
            batch_size=READ_BATCH_ROWS, row_groups=[group], columns=list(header), use_threads=False
        ):
            columns = dict(zip(batch.schema.names, batch.columns, strict=True))
            for name in stamped:
                columns[name] = midnight_dates(columns[name])
            yield BatchColumns(columns, batch.num_rows)


@contextlib.contextmanager
def read_errors(path: Path) -> Iterator[None]:
    """Any error reading ``path`` but the library's (a file pyarrow cannot read: truncated, corrupt, a
    value out of Python's range) as a :class:`PopulationError` naming the file."""
    try:
        yield
    except PopulationError:
        raise
    except Exception as error:
        raise PopulationError(f"{path}: cannot read the Parquet file: {type(error).__name__}: {error}") from error


def household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """The households of a Parquet file, one group of member rows each: ``(id, household, bad rows, line)``.

    Raises :class:`PopulationError` for a file pyarrow cannot read (when reading gets there).
    """
    from .parquet_households import arrow_household_groups

    with read_errors(path):
        source, header = _open(path, HOUSEHOLD_COLUMNS, REQUIRED_HOUSEHOLD_COLUMNS, unique={"member_id"})
        try:
            yield from arrow_household_groups(str(path), header, _batches(source, header, ("birth_date",)))
        finally:
            source.close()


def fact_groups(path: Path, builder: FactBuilder, *, keep_lines: bool = False) -> Iterator[FactGroup]:
    """The fact rows of a Parquet file grouped by household: ``(id, facts, bad rows, first, last row)``;
    with ``keep_lines`` each group's facts are a :class:`~.grouping.FactsAt`, with the row number of each.

    Raises :class:`PopulationError` for a file pyarrow cannot read (when reading gets there).
    """
    with read_errors(path):
        yield from _fact_groups(path, builder, keep_lines)


def _fact_groups(path: Path, builder: FactBuilder, keep_lines: bool = False) -> Iterator[FactGroup]:
    from .parquet_facts import ArrowFactBuilder, household_runs

    source, header = _open(path, fact_columns(builder.kinds), REQUIRED_FACT_COLUMNS, unique={"id"})
    try:
        columns = builder.memo((ArrowFactBuilder, tuple(header)), lambda: ArrowFactBuilder(builder, header))
        groups = FactRuns(str(path), lines=keep_lines)
        offset = 0
        dates = [name for name, kind in typed_columns(builder.kinds).items() if kind == "date"]
        for batch in _batches(source, header, dates):
            make, clean = columns.prepare(batch)
            lines = range(offset + 1, offset + batch.length + 1)
            yield from groups.add(household_runs(batch), lines, make, clean=clean)
            offset += batch.length
            del batch, make  # before the next batch is read: one batch at a time in memory
        yield from groups.close()
    finally:
        source.close()


def typed_columns(kinds: FactKinds) -> dict[str, str]:
    """Columns every kind having them types as a date or a boolean: ``{column: "date" | "bool"}``."""
    found: dict[str, set[str]] = {"date": {"date"}}
    for cls in kinds.by_kind.values():
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            hint = hints[field.name]
            kind = "bool" if hint is bool else "date" if hint is dt.date else "string"
            found.setdefault(field.name, set()).add(kind)
    return {name: kinds_.pop() for name, kinds_ in found.items() if len(kinds_) == 1 and kinds_ != {"string"}}


class _TableWriter:
    """Rows of one Parquet file: buffered, and written as a row group of ``schema`` at each :meth:`flush`."""

    def __init__(self, path: Path, schema: Any, dates: Sequence[str] = ()) -> None:
        arrow, parquet = pyarrow_modules()
        self._arrow = arrow
        self._schema = schema
        self._dates = [schema.get_field_index(name) for name in dates]  # columns of ISO text made dates
        self._writer = parquet.ParquetWriter(path, schema, compression="snappy")
        self.rows: list[Sequence[Any]] = []

    def flush(self) -> None:
        """Write the buffered rows as a row group (nothing when there are none)."""
        if not self.rows:
            return
        columns = [list(column) for column in zip(*self.rows, strict=True)]
        for index in self._dates:
            columns[index] = [cached_date(text) for text in columns[index]]
        arrays = [
            self._arrow.array(column, type=field.type) for column, field in zip(columns, self._schema, strict=True)
        ]
        self._writer.write_table(self._arrow.Table.from_arrays(arrays, schema=self._schema))
        self.rows.clear()

    def close(self) -> None:
        """Write what is buffered and close the file."""
        self.flush()
        self._writer.close()


class ParquetFactWriter:
    """Writes facts alone as Parquet (the columns of :func:`~.layout.fact_columns`), in row groups."""

    suffix = ".parquet"

    def __init__(self, facts_path: Path, kinds: FactKinds) -> None:
        arrow, _ = pyarrow_modules()
        typed = typed_columns(kinds)
        columns = fact_columns(kinds)
        types = {"date": arrow.date32(), "bool": arrow.bool_(), "string": arrow.string()}
        schema = arrow.schema([(c, types[typed.get(c, "string")]) for c in columns])
        self._table = _TableWriter(facts_path, schema)
        self._cells = FactDumper(columns, typed=typed).as_cells

    @property
    def pending(self) -> int:
        """Facts buffered, not yet written."""
        return len(self._table.rows)

    def add(self, facts: Iterable[Fact]) -> int:
        """Buffer facts (written at the next :meth:`flush`); return the number added."""
        rows = self._table.rows
        count = len(rows)
        rows.extend(self._cells(fact) for fact in facts)
        return len(rows) - count

    def write(self, facts: Iterable[Fact]) -> int:
        """Write facts (a row group once :data:`ROW_GROUP_ROWS` are buffered); return the number written."""
        count = self.add(facts)
        if self.pending >= ROW_GROUP_ROWS:
            self.flush()
        return count

    def flush(self) -> None:
        """Write the buffered facts as a row group."""
        self._table.flush()

    def close(self) -> None:
        """Write what is buffered and close the file."""
        self._table.close()


class ParquetWriter:
    """Writes households (one row per member) and facts (one row per fact) as Parquet, in row groups."""

    suffix = ".parquet"

    def __init__(self, households_path: Path, facts_path: Path, kinds: FactKinds) -> None:
        arrow, _ = pyarrow_modules()
        self._facts = ParquetFactWriter(facts_path, kinds)
        schema = arrow.schema([(c, arrow.date32() if c == "birth_date" else arrow.string()) for c in HOUSEHOLD_COLUMNS])
        self._households = _TableWriter(households_path, schema, dates=("birth_date",))

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written.

        A row group of facts is written with the member rows of its households.
        """
        self._households.rows.extend(household_rows(household))
        count = self._facts.add(facts)
        if self._facts.pending >= ROW_GROUP_ROWS:
            self._households.flush()
            self._facts.flush()
        return count

    def close(self) -> None:
        """Write what is buffered and close both files."""
        self._households.close()
        self._facts.close()
