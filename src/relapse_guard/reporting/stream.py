"""Gathering a report's figures from a stream of households: serially or in local processes.

Each household is run through the engine and its result added to a :class:`ReportData`,
then dropped. With several workers, each process reads and gathers its own partitions and
only the (small) ``ReportData`` comes back; they are merged in partition order, so any
number of workers gives exactly the serial figures.

A report is gathered under one policy or a :class:`~relapse_guard.policies.policy_map.PolicyMap`,
each household then under the policy its place has on the as-of date and counted under the
map's name for its district, as a screen counts it
(:meth:`~relapse_guard.screening.choice.PolicyChoice.district_name`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable

from ..policies import load_policy
from ..policies.policy_map import PolicyMap
from ..policy import Policy
from ..population import Partition, Population, as_population
from ..screening.choice import PolicyChoice, PolicyLoader, PolicySource, choose, name_policies
from ..screening.fact_ids import FactIds
from ..screening.parallel import check_fact_ids, over_partitions
from ..screening.screen import Progress, ProgressCallback, Record, Tally, resolve_engine, run_on
from ..screening.summary import Problem
from .collect import DEFAULT_LIMIT, ReportData

__all__ = ["Progress", "ProgressCallback", "collect_partition", "collect_population", "collect_records"]


def collect_records(
    records: Iterable[Record],
    policy: Policy | PolicyMap | PolicyChoice,
    as_of: dt.date,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: ProgressCallback | None = None,
    progress_every: int = 5_000,
    households_total: int | None = None,
    tally: Tally | None = None,
    fail_fast: bool = False,
    digests: bool = True,
    lang: str = "en",
    engine: str = "scalar",
) -> ReportData:
    """Run each household under ``policy`` as of ``as_of`` and gather its result, in one pass.

    ``policy`` is one policy, or a policy map: each household then runs under the policy its
    place has on ``as_of`` (a place the map does not cover is a problem household), and is
    counted under the map's name for its district (another name the map gives the district, or
    the same in another case, is one district); the lists of households keep its place as given.

    A household that cannot be screened (policy code raised, facts refused, a fact id of an
    earlier household) is recorded in ``problems`` and gathering goes on; with ``fail_fast``
    the first one raises :class:`~relapse_guard.screening.screen.StoppedAtProblem`. ``progress``
    is called every ``progress_every`` households and at the end; several partitions pass one
    ``tally`` instead, which counts and reports across them. ``digests`` keeps the fact ids'
    digests for the ids shared with other partitions (not needed for a single partition).
    ``lang`` is the language the report's decisions are kept in (:attr:`ReportData.lang`).
    ``engine`` is ``scalar``, ``columnar`` or ``auto``, as for
    :func:`~relapse_guard.screening.screen.screen_records`: the columnar screen decides the
    quiet households in columns (the report quotes decisions, so it replays none), and
    :attr:`ReportData.paths` counts the households each way; the figures are the same.
    """
    choice = choose(policy, as_of)
    data = ReportData(as_of=as_of, policy=choice.label, limit=limit, lang=lang)
    if tally is None:
        tally = Tally(households_total, progress, progress_every)
    fact_ids = FactIds()
    screened = run_on(engine, records, choice, as_of, tally, data.paths, fail_fast=fail_fast, fact_ids=fact_ids)
    for household, outcome, bad, used, first in screened:
        data.add_bad_rows(bad)
        if household is None or outcome is None:
            continue
        if isinstance(outcome, Problem):
            data.add_problem(outcome)
        else:
            assert used is not None
            place = household.place
            reviews = used.reviews_due(outcome, as_of)
            data.add(outcome, place, reviews, first_fact=first, district=choice.district_name(place.district))
    if digests:
        data.fact_id_digests.append(fact_ids.digests())
    name_policies(data.by_district, choice, as_of)
    return data


def collect_partition(
    partition: Partition,
    policy_name: PolicySource,
    as_of: dt.date,
    limit: int = DEFAULT_LIMIT,
    fail_fast: bool = False,
    load: PolicyLoader = load_policy,
    lang: str = "en",
    engine: str = "scalar",
) -> ReportData:
    """Gather one partition under the policy ``load(policy_name)``, or a policy map (what a worker runs)."""
    choice = choose(policy_name, as_of, load=load)
    records = partition.records(kinds=choice.kinds)
    return collect_records(records, choice, as_of, limit=limit, fail_fast=fail_fast, lang=lang, engine=engine)


def collect_population(
    population: Population | str | os.PathLike[str],
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
    """Gather every partition of ``population`` (a :class:`~relapse_guard.population.Population`,
    or the path of a population directory) under a registered policy, or a policy map, as of
    ``as_of``.

    ``workers=1`` gathers in this process; more use a pool of local processes, one partition
    at a time each, and ``progress`` is then called as each partition is merged. The policy
    is named, not passed, so that each worker loads it with ``load`` (by default from the
    registry). Problem households and ``fail_fast`` are as in
    :func:`~relapse_guard.screening.parallel.screen_population`. ``lang`` is the language the
    report's decisions are kept in (:attr:`ReportData.lang`); ``engine`` as for
    :func:`collect_records` (settled here: a worker without numpy fails rather than gather
    another way).
    """
    population = as_population(population)
    engine = resolve_engine(engine)
    choice = choose(policy_name, as_of, load=load)
    several = len(population.partitions) > 1

    def here(partition: Partition, tally: Tally) -> ReportData:
        records = partition.records(kinds=choice.kinds)
        return collect_records(
            records,
            choice,
            as_of,
            limit=limit,
            tally=tally,
            fail_fast=fail_fast,
            digests=several,
            lang=lang,
            engine=engine,
        )

    worker = functools.partial(
        collect_partition,
        policy_name=policy_name,
        as_of=as_of,
        limit=limit,
        fail_fast=fail_fast,
        load=load,
        lang=lang,
        engine=engine,
    )
    data = ReportData(as_of=as_of, policy=choice.label, limit=limit, lang=lang)
    over_partitions(population, data, here, worker, workers=workers, progress=progress, progress_every=5_000)
    name_policies(data.by_district, choice, as_of)
    return check_fact_ids(population, data, choice.kinds, fail_fast=fail_fast)
