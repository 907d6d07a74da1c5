"""Gathering a report's figures from a stream of households: serially or in local processes.

Each household is run through the engine and its result added to a :class:`ReportData`,
then dropped. With several workers, each process reads and gathers its own partitions and
only the (small) ``ReportData`` comes back; they are merged in partition order, so any
number of workers gives exactly the serial figures.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from ..engine import Engine
from ..errors import RelapseGuardError
from ..policies import load_policy
from ..policy import Policy
from ..population import Partition, Population
from ..screening.parallel import over_partitions
from ..screening.screen import Progress, ProgressCallback, Record, Tally, run_records
from .collect import DEFAULT_LIMIT, ReportData

__all__ = ["Progress", "ProgressCallback", "collect_partition", "collect_population", "collect_records"]


def collect_records(
    records: Iterable[Record],
    policy: Policy,
    as_of: dt.date,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: ProgressCallback | None = None,
    progress_every: int = 5_000,
    households_total: int | None = None,
    tally: Tally | None = None,
) -> ReportData:
    """Run each household under ``policy`` as of ``as_of`` and gather its result, in one pass.

    A household whose facts the engine refuses is recorded in ``refused`` and gathering goes
    on. ``progress`` is called every ``progress_every`` households and at the end; several
    partitions pass one ``tally`` instead, which counts and reports across them.
    """
    engine = Engine(policy)
    data = ReportData(as_of=as_of, policy=policy.label, limit=limit)
    if tally is None:
        tally = Tally(households_total, progress, progress_every)
    for household, outcome, bad in run_records(records, engine, as_of, tally):
        data.add_bad_rows(bad)
        if household is None or outcome is None:
            continue
        if isinstance(outcome, RelapseGuardError):
            data.refuse(household.id, str(outcome))
        else:
            data.add(outcome, household.place, policy.reviews_due(outcome, as_of))
    return data


def collect_partition(partition: Partition, policy_name: str, as_of: dt.date, limit: int = DEFAULT_LIMIT) -> ReportData:
    """Gather one partition under the registered policy ``policy_name`` (what a worker runs)."""
    policy = load_policy(policy_name)
    return collect_records(partition.records(kinds=policy.fact_kinds), policy, as_of, limit=limit)


def collect_population(
    population: Population,
    policy_name: str,
    as_of: dt.date,
    *,
    workers: int = 1,
    limit: int = DEFAULT_LIMIT,
    progress: ProgressCallback | None = None,
) -> ReportData:
    """Gather every partition of ``population`` under a registered policy, as of ``as_of``.

    ``workers=1`` gathers in this process; more use a pool of local processes, one partition
    at a time each, and ``progress`` is then called as each partition is merged. The policy
    is named, not passed, so that each worker loads it from the registry.
    """
    policy = load_policy(policy_name)

    def here(partition: Partition, tally: Tally) -> ReportData:
        records = partition.records(kinds=policy.fact_kinds)
        return collect_records(records, policy, as_of, limit=limit, tally=tally)

    worker = functools.partial(collect_partition, policy_name=policy_name, as_of=as_of, limit=limit)
    data = ReportData(as_of=as_of, policy=policy.label, limit=limit)
    return over_partitions(population, data, here, worker, workers=workers, progress=progress, progress_every=5_000)
