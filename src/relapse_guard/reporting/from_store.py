"""Gathering a report from a monitoring store: the households and facts its cycles stored.

A county that runs the monthly cycle (:mod:`relapse_guard.monitoring`) keeps its households
and every fact delivered since, corrections included, in a store; a report of the population
directory it started from would ignore every month since. :func:`collect_store` replays each
stored household's facts under the policy (or a policy map) as of a date, as
:func:`~relapse_guard.store.replay` does for one household, and gathers the results as
:func:`~relapse_guard.reporting.collect_population` does for a directory: the same report for
the same households and facts.

The store is opened read-only. Its households are read in slices of :data:`SLICE`, each slice's
facts in batches; with several workers each process opens the store itself and gathers whole
slices, which are merged in household order, so any number of workers gives the serial figures.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from ..errors import StoreError
from ..facts import FactKinds
from ..policies import load_policy
from ..screening.choice import PolicyLoader, PolicySource, choose, name_policies
from ..screening.parallel import checked_workers
from ..screening.screen import Progress, ProgressCallback, Record, Tally, resolve_engine
from ..store import SQLiteStore
from .collect import DEFAULT_LIMIT, ReportData
from .stream import collect_records

__all__ = ["SLICE", "collect_store", "store_records"]

#: Households a worker reads and gathers at a time (their facts are read in batches of the store's own).
SLICE = 5_000


def store_records(store: SQLiteStore, household_ids: Sequence[str], kinds: FactKinds) -> Iterator[Record]:
    """The records of ``household_ids`` as ``store`` holds them: each household's record and its
    facts in the order stored, read through ``kinds``, in the order of ``household_ids``.

    A household with facts and no record (only retractions of facts stored under a mistyped id
    are taken without one: the monthly cycle settles it, with nothing to screen) is left out.
    """
    for start in range(0, len(household_ids), SLICE):
        chunk = household_ids[start : start + SLICE]
        households = store.households(chunk)
        facts = store.facts_after(dict.fromkeys(chunk, 0), kinds=kinds)
        for household_id in chunk:
            household = households.get(household_id)
            if household is not None:
                yield household, facts[household_id][1], ()


def collect_store(
    store: str | os.PathLike[str],
    policy_name: PolicySource,
    as_of: dt.date,
    *,
    workers: int = 1,
    limit: int = DEFAULT_LIMIT,
    progress: ProgressCallback | None = None,
    fail_fast: bool = False,
    load: PolicyLoader = load_policy,
    lang: str = "en",
    engine: str = "scalar",
) -> ReportData:
    """Gather every household of the SQLite store at ``store`` under a policy (by name, as a
    worker loads it with ``load``) or a policy map, as of ``as_of``: what the cycles stored,
    corrections and retractions included.

    ``workers``, ``limit``, ``progress``, ``fail_fast``, ``lang`` and ``engine`` are as for
    :func:`~relapse_guard.reporting.collect_population`. Raises
    :class:`~relapse_guard.errors.StoreError` when there is no store file at ``store`` (or it is
    not a store); the store is opened read-only, so a report writes nothing to it.
    """
    path = Path(store)
    if not path.is_file():
        raise StoreError(f"no store file at {path}")
    workers = checked_workers(workers)
    engine = resolve_engine(engine)
    choice = choose(policy_name, as_of, load=load)
    with SQLiteStore(path, read_only=True) as opened:
        household_ids = opened.household_ids()
        data = ReportData(as_of=as_of, policy=choice.label, limit=limit, lang=lang)
        if workers == 1 or len(household_ids) <= SLICE:
            tally = Tally(len(household_ids), progress, 5_000)
            records = store_records(opened, household_ids, choice.kinds)
            data.merge(
                collect_records(
                    records,
                    choice,
                    as_of,
                    limit=limit,
                    tally=tally,
                    fail_fast=fail_fast,
                    digests=False,
                    lang=lang,
                    engine=engine,
                )
            )
            name_policies(data.by_district, choice, as_of)
            return data
    slices = [household_ids[start : start + SLICE] for start in range(0, len(household_ids), SLICE)]
    started = time.perf_counter()
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures: list[Future[ReportData]] = [
            pool.submit(_gather_slice, str(path), ids, policy_name, as_of, limit, fail_fast, load, lang, engine)
            for ids in slices
        ]
        try:
            for future in futures:  # merged in household order: the serial figures
                part = future.result()
                data.merge(part)
                done += part.households_done
                if progress is not None:
                    progress(Progress(done, done, len(household_ids), time.perf_counter() - started))
        except BaseException:  # a slice failed (fail-fast), or the caller gave up: start nothing more
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    name_policies(data.by_district, choice, as_of)
    return data


def _gather_slice(
    path: str,
    household_ids: Sequence[str],
    policy_name: PolicySource,
    as_of: dt.date,
    limit: int,
    fail_fast: bool,
    load: PolicyLoader,
    lang: str,
    engine: str,
) -> ReportData:
    """One slice of a store's households gathered (what a worker process runs)."""
    choice = choose(policy_name, as_of, load=load)
    with SQLiteStore(path, read_only=True) as store:
        records = store_records(store, household_ids, choice.kinds)
        return collect_records(
            records, choice, as_of, limit=limit, fail_fast=fail_fast, digests=False, lang=lang, engine=engine
        )
