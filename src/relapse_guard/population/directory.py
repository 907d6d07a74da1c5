"""Populations on disk: a pair of files (one partition) or a directory of partitions, read and written.

Reading streams one record per household (:func:`read_partition`): each format's reader
(:mod:`.jsonl`, :mod:`.csv`, :mod:`.parquet`) gives the households and the fact groups of its
files, and the merge of :mod:`.grouping` makes the records. Writing (:func:`write_partition`,
:func:`write_population`) uses each format's writer; a directory gets its manifest last.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import attrs

from ..errors import WrongType
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..household import Household
from .csv import CsvWriter
from .csv import fact_groups as csv_fact_groups
from .csv import household_groups as csv_household_groups
from .grouping import DEFAULT_LOOKAHEAD, FactGroup, HouseholdGroup, merge
from .jsonl import JsonlWriter
from .jsonl import fact_groups as jsonl_fact_groups
from .jsonl import household_groups as jsonl_household_groups
from .layout import (
    FILE_FORMATS,
    MANIFEST_NAME,
    check_format,
    file_format,
    parse_manifest,
    partition_file_names,
    prepare_directory,
    suffix_format,
    write_manifest,
)
from .parquet import ParquetWriter
from .parquet import fact_groups as parquet_fact_groups
from .parquet import household_groups as parquet_household_groups
from .records import BadRow, PopulationError, PopulationRecord, chunks
from .rows import FactBuilder, fact_builder

__all__ = [
    "DEFAULT_HOUSEHOLDS_PER_PARTITION",
    "FACT_READERS",
    "HOUSEHOLD_READERS",
    "Partition",
    "Population",
    "as_population",
    "read_partition",
    "read_population",
    "write_partition",
    "write_population",
]

#: The reader of each format's households file: its households, one group each.
HOUSEHOLD_READERS: Mapping[str, Callable[[Path], Iterator[HouseholdGroup]]] = {
    "jsonl": jsonl_household_groups,
    "csv": csv_household_groups,
    "parquet": parquet_household_groups,
}


#: The reader of each format's facts file: its facts grouped by household.
class FactReader(Protocol):
    """A format's reader of fact rows, grouped by household (with ``keep_lines``, each group's facts
    are a :class:`~.grouping.FactsAt`, with the line of each)."""

    def __call__(self, path: Path, builder: FactBuilder, *, keep_lines: bool = False) -> Iterator[FactGroup]:
        """The groups of the file at ``path``, built with ``builder``."""


FACT_READERS: Mapping[str, FactReader] = {
    "jsonl": jsonl_fact_groups,
    "csv": csv_fact_groups,
    "parquet": parquet_fact_groups,
}

#: Households per partition when the caller does not say: a county of 100,000 households is
#: two partitions, a province of a million twenty (enough to keep a few workers busy).
DEFAULT_HOUSEHOLDS_PER_PARTITION = 50_000


def read_partition(
    households_path: str | Path,
    facts_path: str | Path,
    *,
    kinds: FactKinds = DEFAULT_FACT_KINDS,
    format: str | None = None,
    lookahead: int = DEFAULT_LOOKAHEAD,
) -> Iterator[PopulationRecord]:
    """Stream the households of a pair of files with their facts, one :class:`PopulationRecord` each.

    Both files are grouped by household, in the same household order (a household's member
    rows, and its facts, next to each other). The format of each file comes from its suffix
    unless ``format`` is given. Nothing is read before the first record is asked for, and only
    one household (plus at most ``lookahead`` households while looking for the household of
    misplaced facts) is held at a time.

    A row that cannot be read becomes a :class:`BadRow` in its record and reading goes on; a
    household whose row is bad is skipped (a record with ``household=None``) and its facts are
    reported with it. Raises :class:`PopulationError` at once for a missing file or an unknown
    format, and when reading starts for a CSV or Parquet header it cannot use.
    """
    households_path, facts_path = Path(households_path), Path(facts_path)
    household_format = check_format(format) if format else file_format(households_path)
    fact_format = check_format(format) if format else file_format(facts_path)
    for path in (households_path, facts_path):
        if not path.is_file():
            raise PopulationError(f"{path}: no such file")
    if lookahead < 0:
        raise ValueError(f"lookahead must not be negative, not {lookahead}")
    return merge(
        HOUSEHOLD_READERS[household_format](households_path),
        FACT_READERS[fact_format](facts_path, fact_builder(kinds)),
        households_file=str(households_path),
        facts_file=str(facts_path),
        lookahead=lookahead,
    )


_CUT = "a file cut short, or rows removed since it was written: its households are not all screened"


@attrs.frozen
class Partition:
    """One partition of a population: a households file and its facts file.

    Small and picklable: hand a worker process its partition and let it read the files itself
    (pickling households and facts between processes costs more than screening them).
    """

    households_path: Path = attrs.field(converter=Path)
    facts_path: Path = attrs.field(converter=Path)
    format: str | None = None
    index: int = 0
    #: Counts from the manifest, when there is one.
    households: int | None = None
    facts: int | None = None

    def records(
        self, *, kinds: FactKinds = DEFAULT_FACT_KINDS, lookahead: int = DEFAULT_LOOKAHEAD
    ) -> Iterator[PopulationRecord]:
        """The partition's records, streamed: see :func:`read_partition`. When the manifest says
        how many households and facts the files hold and fewer were read, with no bad row, a last
        record carries a bad row saying so: a file cut short at a row's end (a copy or a transfer
        interrupted, an export that stopped) is never screened as if whole."""
        records = read_partition(
            self.households_path, self.facts_path, kinds=kinds, format=self.format, lookahead=lookahead
        )
        if self.households is None and self.facts is None:
            return records
        return self._counted(records)

    def _counted(self, records: Iterator[PopulationRecord]) -> Iterator[PopulationRecord]:
        """``records``, then a record of the counts the manifest gives that were not all read
        (when every row read was readable: bad rows already say what is wrong, and one of them
        may stand for many rows)."""
        households = facts = 0
        clean = True
        for record in records:
            households += record.household is not None
            facts += len(record.facts)
            clean = clean and not record.bad_rows
            yield record
        short = [
            BadRow(str(path), 0, "rows", f"the manifest says {expected:,} {noun}; {read:,} were read ({_CUT})")
            for path, noun, expected, read in (
                (self.households_path, "households", self.households, households),
                (self.facts_path, "facts", self.facts, facts),
            )
            if expected is not None and read < expected
        ]
        if short and clean:
            yield PopulationRecord(None, (), tuple(short))


@attrs.frozen
class Population:
    """A population on disk: its partitions and, when it was generated, how.

    >>> population = Population.from_files("households.csv", "facts.csv")
    >>> population.partitions[0].format
    'csv'
    """

    partitions: tuple[Partition, ...]
    directory: Path | None = None
    format: str | None = None
    #: The generator's seed and parameters, from the manifest of a generated population.
    generator: Mapping[str, Any] | None = None

    @classmethod
    def from_files(
        cls, households_path: str | Path, facts_path: str | Path, *, format: str | None = None
    ) -> Population:
        """A population of one partition: a pair of files of your own."""
        fmt = check_format(format) if format else file_format(households_path)
        return cls(partitions=(Partition(Path(households_path), Path(facts_path), fmt),), format=fmt)

    @property
    def households(self) -> int | None:
        """The number of households, when the manifest says (None otherwise)."""
        counts = [p.households for p in self.partitions]
        return None if None in counts else sum(c for c in counts if c is not None)

    @property
    def facts(self) -> int | None:
        """The number of facts, when the manifest says (None otherwise)."""
        counts = [p.facts for p in self.partitions]
        return None if None in counts else sum(c for c in counts if c is not None)

    def iter_records(
        self, *, kinds: FactKinds = DEFAULT_FACT_KINDS, lookahead: int = DEFAULT_LOOKAHEAD
    ) -> Iterator[PopulationRecord]:
        """Every record of every partition, in order, streamed."""
        return itertools.chain.from_iterable(
            partition.records(kinds=kinds, lookahead=lookahead) for partition in self.partitions
        )

    def iter_chunks(self, size: int, *, kinds: FactKinds = DEFAULT_FACT_KINDS) -> Iterator[list[PopulationRecord]]:
        """The records in lists of ``size`` (see :func:`chunks`)."""
        return chunks(self.iter_records(kinds=kinds), size)


def as_population(population: Population | str | os.PathLike[str]) -> Population:
    """``population`` itself, or the population in the directory it names (:func:`read_population`):
    what a function given a population takes. Anything else raises
    :class:`~relapse_guard.errors.WrongType`."""
    if isinstance(population, Population):
        return population
    if isinstance(population, str | os.PathLike):
        return read_population(Path(population))
    raise WrongType(
        "population must be a Population or the path of a population directory (read_population(path) reads "
        f"one), not {type(population).__name__} {population!r}"
    )


def read_population(directory: str | Path) -> Population:
    """The population in ``directory``: from its ``manifest.json``, or else from its file names.

    Without a manifest, every ``households-<name>.<suffix>`` with a ``facts-<name>.<suffix>``
    beside it is a partition (in name order), and a file of either kind without its pair is
    refused. Raises :class:`PopulationError` for a path that is not a directory (saying so when
    it is a file), a directory that holds no population, a file without its pair, a manifest it
    cannot read or a file the manifest names that is missing.
    """
    directory = Path(directory)
    if not directory.is_dir():
        if not directory.is_file():
            raise PopulationError(f"{directory}: no such directory")
        hint = f"; a policy file goes after --policy, as --policy {directory}:NAME" if directory.suffix == ".py" else ""
        raise PopulationError(f"{directory} is a file, not a population directory{hint}")
    manifest = directory / MANIFEST_NAME
    if manifest.exists():
        body = parse_manifest(manifest)
        fmt = body["file_format"]
        partitions = []
        for index, entry in enumerate(body["partitions"]):
            partition = Partition(
                directory / entry["households_file"],
                directory / entry["facts_file"],
                fmt,
                index,
                entry["households"],
                entry["facts"],
            )
            for path in (partition.households_path, partition.facts_path):
                try:
                    is_file = path.is_file()
                except (OSError, ValueError) as error:
                    raise PopulationError(f"{manifest}: partition {index} names {path.name!r}: {error}") from None
                if not is_file:
                    raise PopulationError(f"{manifest}: partition {index} names {path.name}, which is missing")
            partitions.append(partition)
        return Population(tuple(partitions), directory, fmt, body.get("generator"))
    found: list[Partition] = []
    for households in sorted(directory.glob("households-*")):
        fmt = suffix_format(households)
        facts = households.with_name("facts-" + households.name.removeprefix("households-"))
        if fmt is not None and facts.is_file():
            found.append(Partition(households, facts, fmt, len(found)))
    # a file of one side without the other was skipped, a district's households or facts with it
    paired = {path.name for partition in found for path in (partition.households_path, partition.facts_path)}
    for stray in sorted(directory.glob("households-*")) + sorted(directory.glob("facts-*")):
        if found and suffix_format(stray) is not None and stray.name not in paired:
            other = "facts-" if stray.name.startswith("households-") else "households-"
            beside = other + stray.name.split("-", 1)[1]
            raise PopulationError(
                f"{stray}: no {beside} beside it, and no {MANIFEST_NAME}: a partition is a pair of files "
                "(write an empty facts file, its header alone, for households without facts)"
            )
    if not found:
        raise PopulationError(
            f"{directory}: no {MANIFEST_NAME} and no households-*.jsonl|csv|parquet with its facts-* file"
        )
    formats = {p.format for p in found}
    return Population(tuple(found), directory, formats.pop() if len(formats) == 1 else None)


# --- writing ----------------------------------------------------------------------------------


class _Writer(Protocol):
    def write(self, household: Household, facts: Iterable[Fact]) -> int: ...

    def close(self) -> None: ...


def _open_writer(households_path: Path, facts_path: Path, fmt: str, kinds: FactKinds) -> _Writer:
    if fmt == "jsonl":
        return JsonlWriter(households_path, facts_path)
    if fmt == "csv":
        return CsvWriter(households_path, facts_path, kinds)
    if fmt == "parquet":
        return ParquetWriter(households_path, facts_path, kinds)
    raise PopulationError(f"unknown file format {fmt!r}; expected one of {', '.join(FILE_FORMATS)}")


def write_partition(
    households_path: str | Path,
    facts_path: str | Path,
    items: Iterable[tuple[Household, Iterable[Fact]]],
    *,
    format: str | None = None,
    kinds: FactKinds = DEFAULT_FACT_KINDS,
) -> tuple[int, int]:
    """Write households with their facts to a pair of files; return ``(households, facts)`` written.

    The format comes from the suffix unless ``format`` is given. The files are written grouped by
    household, as :func:`read_partition` reads them; for CSV and Parquet, ``kinds`` gives the fact
    columns.
    """
    households_path, facts_path = Path(households_path), Path(facts_path)
    fmt = format or file_format(households_path)
    writer = _open_writer(households_path, facts_path, fmt, kinds)
    households = facts = 0
    try:
        for household, its_facts in items:
            facts += writer.write(household, its_facts)
            households += 1
    finally:
        writer.close()
    return households, facts


def write_population(
    directory: str | Path,
    items: Iterable[tuple[Household, Iterable[Fact]]],
    *,
    format: str = "jsonl",
    households_per_partition: int = DEFAULT_HOUSEHOLDS_PER_PARTITION,
    kinds: FactKinds = DEFAULT_FACT_KINDS,
    overwrite: bool = False,
    generator: Mapping[str, Any] | None = None,
) -> Population:
    """Write households with their facts as a population directory, and return it (read back).

    Households go to partitions of ``households_per_partition`` in the order given; the manifest
    is written last. Use it to turn data of your own (a single pair of files, a database
    query) into partitions that workers can screen in parallel.
    """
    if format not in FILE_FORMATS:
        raise PopulationError(f"unknown file format {format!r}; expected one of {', '.join(FILE_FORMATS)}")
    if households_per_partition < 1:
        raise ValueError(f"households_per_partition must be at least 1, not {households_per_partition}")
    directory = Path(directory)
    prepare_directory(directory, overwrite=overwrite)
    entries: list[dict[str, Any]] = []
    iterator = iter(items)
    while True:
        first = next(iterator, None)
        if first is None and entries:
            break
        households_name, facts_name = partition_file_names(len(entries), format)
        batch = itertools.chain(
            [first] if first is not None else [], itertools.islice(iterator, households_per_partition - 1)
        )
        count, facts = write_partition(
            directory / households_name, directory / facts_name, batch, format=format, kinds=kinds
        )
        entries.append(
            {"households_file": households_name, "facts_file": facts_name, "households": count, "facts": facts}
        )
        if first is None:
            break
    write_manifest(directory, file_format=format, partitions=entries, generator=generator)
    return read_population(directory)
