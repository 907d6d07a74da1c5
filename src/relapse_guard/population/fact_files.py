"""Files of facts alone, without a households file: a month's data from the departments, for instance.

Written with each format's facts writer (:class:`~.jsonl.JsonlFactWriter`,
:class:`~.csv.CsvFactWriter`, :class:`~.parquet.ParquetFactWriter`: the lines, columns and
cells of a population's facts file) and read back with its facts reader, as plain records
(dicts in :meth:`Fact.to_dict` form) ready for a store's ``ingest``: :func:`fact_records`.
A row that cannot be read is a :class:`BadRow`, as in a population, and reading goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from .csv import CsvFactWriter
from .directory import FACT_READERS
from .grouping import FactsAt
from .jsonl import JsonlFactWriter
from .layout import check_format, file_format
from .parquet import ParquetFactWriter
from .records import BadRow, PopulationError
from .rows import FactDumper, fact_builder

__all__ = ["FactRecords", "FactWriter", "fact_records", "open_fact_writer", "write_facts"]


class FactWriter(Protocol):
    """A facts file being written: :meth:`write` facts, then :meth:`close` it."""

    def write(self, facts: Iterable[Fact]) -> int:
        """Write facts; return the number written."""

    def close(self) -> None:
        """Write what is buffered and close the file."""


def open_fact_writer(
    path: str | Path, *, format: str | None = None, kinds: FactKinds = DEFAULT_FACT_KINDS
) -> FactWriter:
    """A writer of facts to ``path`` in ``format`` (by default from the suffix), as a population's facts file.

    For CSV and Parquet, ``kinds`` gives the columns. Raises :class:`PopulationError` for an
    unknown format (and :class:`~.records.MissingDependency` for Parquet without pyarrow).
    """
    path = Path(path)
    fmt = check_format(format) if format else file_format(path)
    if fmt == "jsonl":
        return JsonlFactWriter(path)
    if fmt == "csv":
        return CsvFactWriter(path, kinds)
    return ParquetFactWriter(path, kinds)


def write_facts(
    path: str | Path, facts: Iterable[Fact], *, format: str | None = None, kinds: FactKinds = DEFAULT_FACT_KINDS
) -> int:
    """Write ``facts`` to ``path`` (see :func:`open_fact_writer`); return the number written.

    >>> import datetime as dt, tempfile
    >>> from decimal import Decimal
    >>> from relapse_guard.facts import IncomeAssessed
    >>> fact = IncomeAssessed(id="f1", household_id="H1", date=dt.date(2017, 2, 3), income_per_capita=Decimal(4100))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_facts(f"{folder}/february.csv", [fact])
    ...     records = list(fact_records(f"{folder}/february.csv"))
    >>> written, records == [fact.to_dict()]
    (1, True)
    """
    writer = open_fact_writer(path, format=format, kinds=kinds)
    try:
        return writer.write(facts)
    finally:
        writer.close()


class FactRecords(Iterator[dict[str, Any]]):
    """The records of a facts file, read as they are asked for; the rows that could not be read in :attr:`bad_rows`.

    Each record is a valid fact's :meth:`Fact.to_dict` (it went the library's one way,
    :meth:`FactKinds.parse`, and parses again the same); a row that does not make one (not
    JSON, a CSV row of the wrong width, an invalid fact...) is a :class:`BadRow` instead,
    added to :attr:`bad_rows` as reading reaches it. Read with ``lines``, :attr:`line` is the
    line of the record given last, as a bad row names it (for CSV the line its row starts on,
    for Parquet its row number).
    """

    def __init__(self, path: Path, fmt: str, kinds: FactKinds, *, lines: bool = False) -> None:
        self.path = path
        #: The rows that could not be read so far, in file order.
        self.bad_rows: list[BadRow] = []
        #: The line of the record given last (None until one is given, or without ``lines``).
        self.line: int | None = None
        self._records = self._read_lines(fmt, kinds) if lines else self._read(fmt, kinds)

    def _read(self, fmt: str, kinds: FactKinds) -> Iterator[dict[str, Any]]:
        as_dict = FactDumper().as_dict
        for _, facts, bad, _, _ in FACT_READERS[fmt](self.path, fact_builder(kinds)):
            self.bad_rows.extend(bad)
            for fact in facts:
                yield as_dict(fact)

    def _read_lines(self, fmt: str, kinds: FactKinds) -> Iterator[dict[str, Any]]:
        as_dict = FactDumper().as_dict
        for _, facts, bad, _, _ in FACT_READERS[fmt](self.path, fact_builder(kinds), keep_lines=True):
            self.bad_rows.extend(bad)
            assert isinstance(facts, FactsAt)  # asked with keep_lines=True
            for fact, line in zip(facts, facts.lines, strict=True):
                self.line = line
                yield as_dict(fact)

    def __next__(self) -> dict[str, Any]:
        return next(self._records)

    def __iter__(self) -> FactRecords:
        return self


def fact_records(
    path: str | Path, *, kinds: FactKinds = DEFAULT_FACT_KINDS, format: str | None = None, lines: bool = False
) -> FactRecords:
    """The facts of a facts file (``.jsonl``, ``.csv`` or ``.parquet``) as plain records, streamed.

    The file is a population's facts file, or one written by :func:`write_facts` or
    :func:`~.monthly.next_month`; its format comes from the suffix unless ``format`` is given.
    Its rows are read by the population readers, so with their bad-row handling: a row that
    cannot be read is reported in the result's ``bad_rows`` and reading goes on::

        records = fact_records("2017-02.jsonl")
        report = store.ingest(records)
        for row in records.bad_rows:
            print(row)

    With ``lines``, the result's :attr:`~FactRecords.line` is the line of the record given last
    (to say where a record came from).

    Raises :class:`PopulationError` at once for a missing file or an unknown format, and when
    reading starts for a CSV or Parquet header it cannot use.
    """
    path = Path(path)
    fmt = check_format(format) if format else file_format(path)
    if not path.is_file():
        raise PopulationError(f"{path}: no such file")
    return FactRecords(path, fmt, kinds, lines=lines)
