"""A what-if on a Dask cluster: one task a partition, merged in partition order.

What goes to a worker is what goes to a local process in
:func:`~relapse_guard.whatif.compare_population`: a partition, the two policies' *names*, the
date and the engine (or a policy map, which pickles as its names); what comes back is the partition's
:class:`~relapse_guard.whatif.PartialComparison`. As for a screen on Dask
(:mod:`relapse_guard.screening.dask_backend`), the population directory must be on storage
every worker sees at the same path, and each policy must load on every worker (a registered
name, or ``path.py:NAME`` with ``load=load_policy_spec`` where the file is at that path there too;
a map's policy files at the paths the map reads them from).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from typing import TYPE_CHECKING

from ..policies import load_policy
from ..policies.policy_map import PolicyMap
from ..population import Population, as_population
from ..screening.choice import PolicyLoader
from ..screening.dask_backend import default_client, over_dask, require_distributed
from ..screening.screen import ProgressCallback
from .comparison import Comparison
from .run import PartialComparison, _Pairs, _resolve, compare_partition

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["compare_population_dask"]


def compare_population_dask(
    policy_a: str | PolicyMap,
    policy_b: str | PolicyMap,
    population: Population | str | os.PathLike[str],
    as_of: dt.date,
    *,
    client: Client | None = None,
    engine: str = "scalar",
    progress: ProgressCallback | None = None,
    load: PolicyLoader = load_policy,
) -> Comparison:
    """Compare two policies, given by name or as policy maps, over every partition of ``population`` (a
    :class:`~relapse_guard.population.Population`, or the path of a population directory) on a
    Dask cluster, as :func:`~relapse_guard.whatif.compare_population` does in local processes: the
    same comparison, merged in partition order whatever order the partitions finish in.

    ``client`` is a ``distributed.Client`` (by default the current one); ``progress`` is called
    as each partition finishes; ``load`` loads each policy from its name, here and on each
    worker (it must pickle). ``engine`` as for :func:`~relapse_guard.whatif.compare` (``auto``
    is settled here, so a worker without numpy fails rather than compare another way).

    Raises :class:`~relapse_guard.errors.BackendUnavailable` when dask.distributed is not
    installed or there is no client, the loader's error for an unknown policy (before anything
    is submitted), and whatever a task raised.
    """
    population = as_population(population)
    path = _resolve(engine, as_of)
    require_distributed("a what-if")
    pairs = _Pairs.of(policy_a, policy_b, as_of, path, load)  # an unknown policy fails here, not on a worker
    if client is None:
        client = default_client("compare")
    task = functools.partial(
        compare_partition, policy_a=policy_a, policy_b=policy_b, as_of=as_of, engine=path, load=load
    )
    gathered = over_dask(client, population, PartialComparison(), task, progress)
    return gathered.comparison(pairs.a.label, pairs.b.label, as_of)
