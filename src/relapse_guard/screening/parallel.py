"""Screening a population directory: partition by partition, serially or in local processes.

Each worker process reads its own partition files and screens them; only the (small)
partition description goes to a worker and only its result comes back, never the households
themselves. Results are merged in partition order, so any number of workers gives exactly
the serial result.

A screen is run under a registered policy's name or a
:class:`~relapse_guard.policies.policy_map.PolicyMap`; either goes to the workers as it is
(names, not policies), and each worker loads the policies and makes its own engines.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Protocol, Self, TypeVar

import attrs

from ..errors import InvalidArgument, WrongType
from ..facts import FactKinds
from ..policies import load_policy
from ..population import BadRow, Partition, Population, as_population
from .choice import PolicyLoader, PolicySource, choose, name_policies
from .fact_ids import Digests, RepeatedHousehold, SharedFactId, shared_fact_ids
from .screen import Progress, ProgressCallback, StoppedAtProblem, Tally, resolve_engine, screen_records
from .summary import Problem, ScreenResult

__all__ = [
    "Mergeable",
    "PolicyLoader",
    "PolicySource",
    "check_fact_ids",
    "merge_in_order",
    "over_partitions",
    "partition_screen",
    "rows_of",
    "screen_partition",
    "screen_population",
]


def partition_screen(
    policy_name: PolicySource,
    as_of: dt.date,
    *,
    keep_rows: bool,
    fail_fast: bool,
    load: PolicyLoader,
    engine: str,
) -> Callable[[Partition], ScreenResult]:
    """What a worker runs on each partition (a local process or a Dask task):
    :func:`screen_partition` with these settings, as a ``functools.partial`` (it pickles)."""
    return functools.partial(
        screen_partition,
        policy_name=policy_name,
        as_of=as_of,
        keep_rows=keep_rows,
        fail_fast=fail_fast,
        load=load,
        engine=engine,
    )


def screen_partition(
    partition: Partition,
    policy_name: PolicySource,
    as_of: dt.date,
    keep_rows: bool = True,
    fail_fast: bool = False,
    load: PolicyLoader = load_policy,
    engine: str = "scalar",
) -> ScreenResult:
    """Screen one partition under the policy ``load(policy_name)``, or under a policy map
    (what a worker runs), on ``engine`` (see :func:`~relapse_guard.screening.screen.screen_records`)."""
    choice = choose(policy_name, as_of, record_decisions=False, load=load)
    records = partition.records(kinds=choice.kinds)
    return screen_records(
        records,
        choice,
        as_of,
        keep_rows=keep_rows,
        households_total=partition.households,
        fail_fast=fail_fast,
        engine=engine,
    )


def screen_population(
    population: Population | str | os.PathLike[str],
    policy_name: PolicySource,
    as_of: dt.date,
    *,
    workers: int = 1,
    keep_rows: bool = True,
    progress: ProgressCallback | None = None,
    fail_fast: bool = False,
    load: PolicyLoader = load_policy,
    engine: str = "scalar",
) -> ScreenResult:
    """Screen every partition of ``population`` (a :class:`~relapse_guard.population.Population`,
    or the path of a population directory) under a registered policy, or a policy map (each
    household under the policy its place has on ``as_of``), as of ``as_of``.

    ``workers=1`` screens in this process and reports ``progress`` as it goes; more workers
    use a pool of local processes, one partition at a time each, and report ``progress`` as
    partitions finish (results are still merged in partition order). The policy is named, not passed, so
    each worker loads it with ``load`` (by default from the registry: a policy holds functions
    that need not pickle); a map goes to them as it is, and its policies come from the registry.

    A household that cannot be screened (a place the map does not cover, ...) is a problem
    (``problems``), and the others go on;
    with ``fail_fast`` the first one raises :class:`~relapse_guard.screening.screen.StoppedAtProblem`
    and nothing more is screened. ``engine`` is ``scalar``, ``columnar`` or ``auto`` (see
    :func:`~relapse_guard.screening.screen.screen_records`). Fact ids shared by households of two partitions are looked
    for once every partition is merged (see :func:`check_fact_ids`).
    """
    population = as_population(population)
    engine = resolve_engine(engine)  # columnar without numpy fails here, not in each worker
    choice = choose(policy_name, as_of, record_decisions=False, load=load)
    several = len(population.partitions) > 1

    def here(partition: Partition, tally: Tally) -> ScreenResult:
        records = partition.records(kinds=choice.kinds)
        return screen_records(
            records,
            choice,
            as_of,
            keep_rows=keep_rows,
            tally=tally,
            fail_fast=fail_fast,
            digests=several,
            engine=engine,
        )

    worker = partition_screen(policy_name, as_of, keep_rows=keep_rows, fail_fast=fail_fast, load=load, engine=engine)
    result = ScreenResult(as_of=as_of, policy=choice.label)
    over_partitions(population, result, here, worker, workers=workers, progress=progress)
    name_policies(result.totals.by_district, choice, as_of)
    return check_fact_ids(population, result, choice.kinds, fail_fast=fail_fast)


class Mergeable(Protocol):
    """A partition's result that merges into the whole: a screen's, or a report's figures."""

    @property
    def households_done(self) -> int:
        """Households screened or refused."""

    @property
    def bad_rows(self) -> list[BadRow]:
        """Input rows that could not be read."""

    @property
    def problems(self) -> list[Problem]:
        """Households that could not be screened."""

    @property
    def fact_id_digests(self) -> list[Digests]:
        """Each partition's fact ids, as 64-bit digests (see :mod:`.fact_ids`)."""

    def merge(self, other: Self) -> None:
        """Add ``other``, the next partition's result."""


def check_fact_ids(population: Population, result: _M, kinds: FactKinds, *, fail_fast: bool = False) -> _M:
    """Add to ``result`` a problem for each household that uses a fact id a household of an
    earlier partition uses (the later one; ``counted``: it is in the figures already), and
    drop the digests. With ``fail_fast`` the first such household raises
    :class:`~relapse_guard.screening.screen.StoppedAtProblem` instead.
    """
    shared = shared_fact_ids(population, result.fact_id_digests, kinds)
    result.fact_id_digests.clear()
    for fact_id, first, later in shared:
        error = RepeatedHousehold(later, fact_id) if first == later else SharedFactId(later, fact_id, first)
        problem = attrs.evolve(Problem.from_exception(later, error), counted=True)
        if fail_fast:
            raise StoppedAtProblem(problem) from error
        result.problems.append(problem)
    return result


_M = TypeVar("_M", bound=Mergeable)


def checked_workers(workers: object) -> int:
    """``workers`` if it is an int >= 1 (:class:`~relapse_guard.errors.WrongType` or
    :class:`~relapse_guard.errors.InvalidArgument` otherwise, as ``--workers`` refuses it)."""
    if not isinstance(workers, int) or isinstance(workers, bool):
        raise WrongType(f"workers must be an int >= 1, not {type(workers).__name__} {workers!r}")
    if workers < 1:
        raise InvalidArgument(f"workers must be an int >= 1 (the local processes to use), not {workers}")
    return workers


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
    workers = checked_workers(workers)
    partitions: Sequence[Partition] = population.partitions
    if workers == 1 or len(partitions) <= 1:
        tally = Tally(population.households, progress, progress_every)
        for partition in partitions:
            into.merge(here(partition, tally))
        return into
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(worker, partition): index for index, partition in enumerate(partitions)}

        def cancel_after(failed: int) -> None:
            for future, index in futures.items():
                if index > failed:
                    future.cancel()  # one already running finishes, and is not looked at

        finished = ((futures[future], future.result) for future in as_completed(futures))
        try:
            merge_in_order(finished, population, into, progress, cancel_after=cancel_after)
        except BaseException:  # a partition failed (fail-fast), or the caller gave up: start nothing more
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return into


def merge_in_order(
    finished: Iterable[tuple[int, Callable[[], _M]]],
    population: Population,
    result: _M,
    progress: ProgressCallback | None,
    *,
    cancel_after: Callable[[int], None] | None = None,
) -> None:
    """Merge partition results into ``result`` in partition order (the serial merge), calling
    ``progress`` as each finishes. ``finished`` gives each partition's index and a function
    returning its result (or raising its error), in the order they finish.

    A partition that failed fails the merge with its error once every partition before it is
    merged, and ``cancel_after(index)`` is called to stop the partitions after it (their results
    and errors are not looked at). So the error raised is the one the serial merge meets first,
    whatever order the partitions finish in: with ``fail_fast``, the first problem in the files.
    """
    started = time.perf_counter()
    held: dict[int, _M] = {}
    next_index = rows_read = households_done = 0
    failed: tuple[int, Exception] | None = None
    for index, get in finished:
        if failed is not None and index > failed[0]:
            continue  # after the partition that failed: the serial merge never gets there
        try:
            part = get()
        except Exception as error:
            failed = (index, error)
            if cancel_after is not None:
                cancel_after(index)
        else:
            rows_read += rows_of(population.partitions[index], part.households_done + len(part.bad_rows))
            households_done += part.households_done
            if progress is not None:
                progress(Progress(rows_read, households_done, population.households, time.perf_counter() - started))
            held[index] = part
            while next_index in held:  # hold results until their turn
                result.merge(held.pop(next_index))
                next_index += 1
        if failed is not None and next_index >= failed[0]:
            raise failed[1]


def rows_of(partition: Partition, counted: int) -> int:
    """The rows a finished partition read: its households and facts from the manifest when
    known, else ``counted`` (what the caller counted: households done, refused, bad rows)."""
    if partition.households is not None and partition.facts is not None:
        return partition.households + partition.facts
    return counted
