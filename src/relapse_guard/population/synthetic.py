"""Synthetic populations: seeded, documented, reproducible to the byte.

Households are drawn in **blocks** of :data:`BLOCK_SIZE`; block ``b`` has its own
``random.Random`` seeded from ``(seed, b)`` (a string seed, hashed with SHA-512 by
``random``, so not affected by ``PYTHONHASHSEED``). A household therefore depends only on the
seed and its index: the same seed gives the same households whatever the number of
households asked for or of partitions, and partitions (whole blocks) can be generated in
parallel processes. The distributions are in :class:`Distributions` (documented, with
their reasons, in ``docs/population.md``); the draws in :mod:`.synthetic_draws` and
:mod:`.synthetic_drawer`.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InvalidArgument
from ..facts import Fact
from ..household import Household
from .directory import DEFAULT_HOUSEHOLDS_PER_PARTITION, Population, read_population, write_partition
from .layout import FILE_FORMATS, partition_file_names, prepare_directory, write_manifest
from .records import PopulationError
from .synthetic_drawer import BLOCK_SIZE, Drawer
from .synthetic_draws import GENERATOR_VERSION, Distributions

__all__ = [
    "BLOCK_SIZE",
    "DEFAULT_START",
    "GENERATOR_VERSION",
    "PROGRESS_EVERY",
    "Distributions",
    "generate_population",
    "process_context",
    "synthetic_households",
]

#: The first day of generated facts unless told: the seed's monitoring year.
DEFAULT_START = dt.date(2016, 1, 1)


def synthetic_households(
    households: int,
    *,
    seed: int = 0,
    start: dt.date = DEFAULT_START,
    months: int = 12,
    first: int = 0,
    distributions: Distributions | None = None,
) -> Iterator[tuple[Household, list[Fact]]]:
    """Households ``first`` to ``first + households - 1`` of the synthetic population of ``seed``,
    with their facts (sorted as the engine applies them), drawn lazily.

    The same arguments give the same households; a household depends only on ``seed``, its
    index, ``start``, ``months`` and the distributions.

    >>> household, facts = next(synthetic_households(1, seed=7))
    >>> household.place.district in ("Yubei", "Dazu", "Bishan"), len(facts) >= 12
    (True, True)
    """
    if households < 0 or first < 0:
        raise ValueError("households and first must not be negative")
    drawer = Drawer(seed, start, months, distributions or Distributions())
    return drawer.households(first, households)


def _partition_ranges(households: int, partitions: int) -> list[tuple[int, int]]:
    blocks = max(1, math.ceil(households / BLOCK_SIZE))
    out = []
    for index in range(partitions):
        low = index * blocks // partitions * BLOCK_SIZE
        high = min((index + 1) * blocks // partitions * BLOCK_SIZE, households)
        out.append((low, max(0, high - low)))
    return out


#: A partition to write: directory, index, first household, count, format, seed, start, months, distributions.
_Task = tuple[str, int, int, int, str, int, str, int, dict[str, Any]]


#: Households between two progress reports while a partition is written.
PROGRESS_EVERY = 1_000
#: Seconds between two looks at the worker processes' count of households written.
_POLL_SECONDS = 0.2

#: In a worker process: the count of households written, shared with the parent (see :func:`_init_worker`).
_written: Any = None

_T = TypeVar("_T")


def _counted(items: Iterator[_T], tick: Callable[[int], None]) -> Iterator[_T]:
    """``items``, with ``tick(n)`` called for every :data:`PROGRESS_EVERY` taken (and the rest at the end)."""
    taken = 0
    for item in items:
        yield item  # resumed when the writer asks for the next one: this one is written
        taken += 1
        if taken == PROGRESS_EVERY:
            tick(taken)
            taken = 0
    if taken:
        tick(taken)


def _init_worker(written: Any) -> None:
    """A worker process's start: keep the shared count of households written."""
    global _written
    _written = written


def _add_written(count: int) -> None:
    with _written.get_lock():
        _written.value += count


def _write_one(task: _Task, tick: Callable[[int], None] | None = None) -> tuple[int, int]:
    directory, index, first, count, fmt, seed, start, months, distributions = task
    households_name, facts_name = partition_file_names(index, fmt)
    folder = Path(directory)
    temporary = [folder / (households_name + ".tmp"), folder / (facts_name + ".tmp")]
    drawn = synthetic_households(
        count,
        seed=seed,
        start=dt.date.fromisoformat(start),
        months=months,
        first=first,
        distributions=Distributions.from_dict(distributions),
    )
    if tick is None and _written is not None:
        tick = _add_written
    written = write_partition(temporary[0], temporary[1], _counted(drawn, tick) if tick else drawn, format=fmt)
    temporary[0].replace(folder / households_name)
    temporary[1].replace(folder / facts_name)
    return written


def process_context() -> BaseContext:
    """The multiprocessing context of worker processes: fork on Linux (cheap, and needing no
    ``if __name__ == "__main__"`` guard in the caller's script), spawn elsewhere (macOS, Windows)."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def _write_partitions(
    tasks: list[_Task], workers: int, households: int, progress: Callable[[int, int], None] | None
) -> list[tuple[int, int]]:
    """Write each task's partition (in ``workers`` processes when more than one); ``(households, facts)`` of each.

    ``progress`` is told the households written so far, and the total, every
    :data:`PROGRESS_EVERY` households of a partition and as each partition is done.
    """
    if workers <= 1:
        written = 0

        def tick(count: int) -> None:
            nonlocal written
            written += count
            if progress is not None:
                progress(written, households)

        return [_write_one(task, tick if progress is not None else None) for task in tasks]
    context = process_context()
    shared = context.Value("q", 0) if progress is not None else None
    done: dict[int, tuple[int, int]] = {}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(shared,)
    ) as pool:
        futures = {pool.submit(_write_one, task): index for index, task in enumerate(tasks)}
        pending: set[Future[tuple[int, int]]] = set(futures)
        reported = 0
        while pending:
            finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                done[futures[future]] = future.result()
            if shared is not None and progress is not None:
                now = int(shared.value)
                if now != reported:
                    progress(now, households)
                    reported = now
    return [done[index] for index in range(len(tasks))]


def generate_population(
    directory: str | Path,
    *,
    households: int = 100_000,
    start: dt.date = DEFAULT_START,
    months: int = 12,
    seed: int = 0,
    partitions: int | None = None,
    format: str = "jsonl",
    processes: int | None = None,
    distributions: Distributions | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Population:
    """Write a synthetic population to ``directory`` and return it (see :func:`read_population`).

    ``households`` households with ``months`` months of facts from ``start``, in ``partitions``
    partitions (default: one per 50,000 households) of the given ``format`` (``jsonl``, ``csv``
    or ``parquet``), generated by ``processes`` worker processes (default: as many as cores,
    at most one per partition; 1 generates in this process). The same arguments give
    byte-identical files; the manifest records them. ``progress``, if given, is called with
    the households written so far and the total while the partitions are written (every
    :data:`PROGRESS_EVERY` households of a partition, and as each is done). Raises
    :class:`PopulationError` for a directory that is not empty (unless ``overwrite``) and
    :class:`~relapse_guard.errors.InvalidArgument` (a ``ValueError``) for a bad count.
    """
    if format not in FILE_FORMATS:
        raise PopulationError(f"unknown file format {format!r}; expected one of {', '.join(FILE_FORMATS)}")
    if households < 0:
        raise InvalidArgument(f"households must not be negative, not {households}")
    blocks = max(1, math.ceil(households / BLOCK_SIZE))
    if partitions is None:
        partitions = max(1, math.ceil(households / DEFAULT_HOUSEHOLDS_PER_PARTITION))
    if not 1 <= partitions <= blocks:
        raise InvalidArgument(
            f"partitions must be between 1 and {blocks} (one per block of {BLOCK_SIZE} households), not {partitions}"
        )
    distributions = distributions or Distributions()
    Drawer(seed, start, months, distributions)  # check the arguments before any file is written
    directory = Path(directory)
    prepare_directory(directory, overwrite=overwrite)
    settings = distributions.to_dict()
    tasks: list[_Task] = [
        (str(directory), index, first, count, format, seed, start.isoformat(), months, settings)
        for index, (first, count) in enumerate(_partition_ranges(households, partitions))
    ]
    workers = min(processes or os.cpu_count() or 1, len(tasks))
    results = _write_partitions(tasks, workers, households, progress)
    entries = []
    for index, (count, facts) in enumerate(results):
        households_name, facts_name = partition_file_names(index, format)
        entries.append(
            {"households_file": households_name, "facts_file": facts_name, "households": count, "facts": facts}
        )
    generator = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "households": households,
        "start": start.isoformat(),
        "months": months,
        "partitions": partitions,
        "block_size": BLOCK_SIZE,
        "distributions": settings,
    }
    write_manifest(directory, file_format=format, partitions=entries, generator=generator)
    return read_population(directory)
