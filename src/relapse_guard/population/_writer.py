"""Writing populations: a pair of files, or a directory of partitions with its manifest."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..household import Household
from ._csv import CsvWriter
from ._errors import PopulationError
from ._jsonl import JsonlWriter
from ._manifest import FILE_FORMATS, MANIFEST_NAME, write_manifest
from ._parquet import ParquetWriter
from ._reader import Population, file_format, read_population

__all__ = [
    "DEFAULT_HOUSEHOLDS_PER_PARTITION",
    "partition_file_names",
    "prepare_directory",
    "write_partition",
    "write_population",
]

#: Households per partition when the caller does not say: a county of 100,000 households is
#: two partitions, a province of a million twenty (enough to keep a few workers busy).
DEFAULT_HOUSEHOLDS_PER_PARTITION = 50_000


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


def partition_file_names(index: int, fmt: str) -> tuple[str, str]:
    """The households and facts file names of partition ``index``: ``households-00000.jsonl``, ..."""
    suffix = FILE_FORMATS[fmt]
    return f"households-{index:05d}{suffix}", f"facts-{index:05d}{suffix}"


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


def prepare_directory(directory: Path, *, overwrite: bool) -> None:
    """Create ``directory``; refuse one that holds files unless ``overwrite`` (then remove its population files)."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = [p for p in directory.iterdir() if not p.name.startswith(".")]
    if not existing:
        return
    if not overwrite:
        raise PopulationError(
            f"{directory} is not empty; choose an empty directory, or replace its population files "
            "(overwrite=True; --overwrite on the command line)"
        )
    for path in existing:
        if path.name == MANIFEST_NAME or (
            path.is_file() and path.name.startswith(("households-", "facts-")) and path.suffix in _SUFFIXES
        ):
            path.unlink()
        else:
            raise PopulationError(f"{directory} holds {path.name}, which is not a population file: not overwriting")


_SUFFIXES = {*FILE_FORMATS.values(), ".tmp"}


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
