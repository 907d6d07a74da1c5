"""Screening a population directory: partition by partition, serially or in local processes.

Each worker process reads its own partition files and screens them; only the (small)
partition description goes to a worker and only its result comes back, never the households
themselves. Results are merged in partition order, so any number of workers gives exactly
the serial result.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Protocol, Self, TypeVar

from ..policies import load_policy
from ..population import BadRow, Partition, Population
from .screen import Progress, ProgressCallback, Tally, screen_records
from .summary import ScreenResult

__all__ = ["Mergeable", "merge_in_order", "over_partitions", "rows_of", "screen_partition", "screen_population"]


def screen_partition(partition: Partition, policy_name: str, as_of: dt.date, keep_rows: bool = True) -> ScreenResult:
    """Screen one partition under the registered policy ``policy_name`` (what a worker runs)."""
    policy = load_policy(policy_name)
    records = partition.records(kinds=policy.fact_kinds)
    return screen_records(records, policy, as_of, keep_rows=keep_rows, households_total=partition.households)


def screen_population(
    population: Population,
    policy_name: str,
    as_of: dt.date,
    *,
    workers: int = 1,
    keep_rows: bool = True,
    progress: ProgressCallback | None = None,
) -> ScreenResult:
    """Screen every partition of ``population`` under a registered policy, as of ``as_of``.

    ``workers=1`` screens in this process and reports ``progress`` as it goes; more workers
    use a pool of local processes, one partition at a time each, and report ``progress`` as
    partitions finish (results are still merged in partition order). The policy is named, not passed, so
    each worker loads it from the registry (a policy holds functions that need not pickle).
    """
    policy = load_policy(policy_name)

    def here(partition: Partition, tally: Tally) -> ScreenResult:
        records = partition.records(kinds=policy.fact_kinds)
        return screen_records(records, policy, as_of, keep_rows=keep_rows, tally=tally)

    worker = functools.partial(screen_partition, policy_name=policy_name, as_of=as_of, keep_rows=keep_rows)
    result = ScreenResult(as_of=as_of, policy=policy.label)
    return over_partitions(population, result, here, worker, workers=workers, progress=progress)


class Mergeable(Protocol):
    """A partition's result that merges into the whole: a screen's, or a report's figures."""

    @property
    def households_done(self) -> int:
        """Households screened or refused."""

    @property
    def bad_rows(self) -> list[BadRow]:
        """Input rows that could not be read."""

    def merge(self, other: Self) -> None:
        """Add ``other``, the next partition's result."""


_M = TypeVar("_M", bound=Mergeable)


def over_partitions(
    population: Population,
    into: _M,
    here: Callable[[Partition, Tally], _M],
    worker: Callable[[Partition], _M],
    *,
    workers: int,
    progress: ProgressCallback | None,
    progress_every: int = 10_000,
) -> _M:
    """Merge each partition's result into ``into``, in partition order, and return it.

    With one worker (or one partition), ``here(partition, tally)`` makes each result in this
    process, one ``tally`` counting and reporting ``progress`` across the partitions. Otherwise
    ``worker(partition)`` makes them in a pool of ``workers`` local processes (it must pickle: a
    module-level function or a ``functools.partial`` of one), ``progress`` as each finishes.
    """
    partitions: Sequence[Partition] = population.partitions
    if workers <= 1 or len(partitions) <= 1:
        tally = Tally(population.households, progress, progress_every)
        for partition in partitions:
            into.merge(here(partition, tally))
        return into
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(worker, partition): index for index, partition in enumerate(partitions)}
        finished = ((futures[future], future.result()) for future in as_completed(futures))
        merge_in_order(finished, population, into, progress)
    return into


def merge_in_order(
    finished: Iterable[tuple[int, _M]],
    population: Population,
    result: _M,
    progress: ProgressCallback | None,
) -> None:
    """Merge partition results, given as (index, result) in the order they finish, into
    ``result`` in partition order (the serial merge), calling ``progress`` as each finishes."""
    started = time.perf_counter()
    held: dict[int, _M] = {}
    next_index = rows_read = households_done = 0
    for index, part in finished:
        rows_read += rows_of(population.partitions[index], part.households_done + len(part.bad_rows))
        households_done += part.households_done
        if progress is not None:
            progress(Progress(rows_read, households_done, population.households, time.perf_counter() - started))
        held[index] = part
        while next_index in held:  # hold results until their turn
            result.merge(held.pop(next_index))
            next_index += 1


def rows_of(partition: Partition, counted: int) -> int:
    """The rows a finished partition read: its households and facts from the manifest when
    known, else ``counted`` (what the caller counted: households done, refused, bad rows)."""
    if partition.households is not None and partition.facts is not None:
        return partition.households + partition.facts
    return counted
