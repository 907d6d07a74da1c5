"""Reading populations: a pair of files (one partition) or a directory of partitions."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..facts import DEFAULT_FACT_KINDS, FactKinds
from ._build import FactBuilder, fact_builder
from ._csv import csv_fact_groups, csv_household_groups
from ._errors import PopulationError
from ._jsonl import jsonl_fact_groups, jsonl_household_groups
from ._manifest import FILE_FORMATS, MANIFEST_NAME, parse_manifest
from ._merge import DEFAULT_LOOKAHEAD, FactGroup, HouseholdGroup, merge
from ._parquet import parquet_fact_groups, parquet_household_groups
from ._records import PopulationRecord, chunks

__all__ = ["Partition", "Population", "file_format", "read_partition", "read_population"]

_HOUSEHOLD_READERS: Mapping[str, Callable[[Path], Iterator[HouseholdGroup]]] = {
    "jsonl": jsonl_household_groups,
    "csv": csv_household_groups,
    "parquet": parquet_household_groups,
}
_FACT_READERS: Mapping[str, Callable[[Path, FactBuilder], Iterator[FactGroup]]] = {
    "jsonl": jsonl_fact_groups,
    "csv": csv_fact_groups,
    "parquet": parquet_fact_groups,
}
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def file_format(path: str | Path) -> str:
    """The format of a file from its suffix: ``jsonl`` (``.jsonl``, ``.ndjson``), ``csv`` or ``parquet``."""
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise PopulationError(
            f"{path}: cannot tell the file format from the suffix; use .jsonl, .csv or .parquet (or pass format=)"
        )
    return found


def _check_format(name: str) -> str:
    if name not in FILE_FORMATS:
        raise PopulationError(f"unknown file format {name!r}; expected one of {', '.join(FILE_FORMATS)}")
    return name


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
    household_format = _check_format(format) if format else file_format(households_path)
    fact_format = _check_format(format) if format else file_format(facts_path)
    for path in (households_path, facts_path):
        if not path.is_file():
            raise PopulationError(f"{path}: no such file")
    if lookahead < 0:
        raise ValueError(f"lookahead must not be negative, not {lookahead}")
    return merge(
        _HOUSEHOLD_READERS[household_format](households_path),
        _FACT_READERS[fact_format](facts_path, fact_builder(kinds)),
        households_file=str(households_path),
        facts_file=str(facts_path),
        lookahead=lookahead,
    )


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
        """The partition's records, streamed: see :func:`read_partition`."""
        return read_partition(
            self.households_path, self.facts_path, kinds=kinds, format=self.format, lookahead=lookahead
        )


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
        fmt = _check_format(format) if format else file_format(households_path)
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


def read_population(directory: str | Path) -> Population:
    """The population in ``directory``: from its ``manifest.json``, or else from its file names.

    Without a manifest, every ``households-<name>.<suffix>`` with a ``facts-<name>.<suffix>``
    beside it is a partition (in name order). Raises :class:`PopulationError` for a directory
    that holds no population, a manifest it cannot read or a file the manifest names that is
    missing.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise PopulationError(f"{directory}: no such directory")
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
                if not path.is_file():
                    raise PopulationError(f"{manifest}: partition {index} names {path.name}, which is missing")
            partitions.append(partition)
        return Population(tuple(partitions), directory, fmt, body.get("generator"))
    found: list[Partition] = []
    for households in sorted(directory.glob("households-*")):
        fmt = _SUFFIXES.get(households.suffix.lower())
        facts = households.with_name("facts-" + households.name.removeprefix("households-"))
        if fmt is not None and facts.is_file():
            found.append(Partition(households, facts, fmt, len(found)))
    if not found:
        raise PopulationError(
            f"{directory}: no {MANIFEST_NAME} and no households-*.jsonl|csv|parquet with its facts-* file"
        )
    formats = {p.format for p in found}
    return Population(tuple(found), directory, formats.pop() if len(formats) == 1 else None)
