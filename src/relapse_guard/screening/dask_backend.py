"""Screening a population on a Dask cluster: one task per partition, merged in partition order.

The ``dask`` extra (``pip install 'relapse-guard[dask]'``) brings in ``dask.distributed``;
this module imports it only when called, so the library works without it.

What goes to a worker is what goes to a local process in :mod:`.parallel`: a
:class:`~relapse_guard.population.Partition` (two file paths and two counts), the policy's
*name* (or a :class:`~relapse_guard.policies.policy_map.PolicyMap`: policy names by place),
the date and ``keep_rows``; what comes back is the partition's
:class:`~relapse_guard.screening.summary.ScreenResult`. So on a real cluster:

- the population directory must be on storage every worker sees at the same path (a shared
  filesystem, or an object store mounted as one), and given as an absolute path — a relative
  one is taken relative to each worker's working directory;
- the policy (every policy of a map) must be registered on every worker: a shipped policy, or a custom one installed
  there as a package with its ``relapse_guard.policies`` entry point (a policy registered at
  run time in the client's process only is unknown to the workers), and the same
  relapse_guard version as the client's.

Results are merged in partition order whatever order the partitions finish in, so the
result is exactly the serial one.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from ..errors import BackendUnavailable
from ..policies import load_policy
from ..population import Partition, Population, as_population
from .choice import PolicySource, choose, name_policies
from .parallel import Mergeable, PolicyLoader, check_fact_ids, merge_in_order, partition_screen
from .screen import ProgressCallback, resolve_engine
from .summary import ScreenResult

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "INSTALL_HINT",
    "LOCAL",
    "dask_client",
    "default_client",
    "over_dask",
    "require_distributed",
    "screen_population_dask",
]

_M = TypeVar("_M", bound=Mergeable)

#: How to install the Dask back end.
INSTALL_HINT = "pip install 'relapse-guard[dask]'"

#: The scheduler "address" that asks :func:`dask_client` for a cluster of local processes.
LOCAL = "local"


def require_distributed(what: str = "screening") -> None:
    """Raise :class:`BackendUnavailable` naming the extra when ``dask.distributed`` is not installed
    (``what``: what needs it, to say so)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BackendUnavailable(
            f"{what} on Dask needs dask.distributed, which is not installed: {INSTALL_HINT}"
        ) from None


def default_client(what: str = "screen") -> Client:
    """The current ``distributed`` client; :class:`BackendUnavailable` when there is none (``what``:
    what it is for, to say so)."""
    from distributed import get_client

    try:
        return get_client()
    except ValueError:
        raise BackendUnavailable(
            f"no Dask client to {what} on: pass client=, or start one first "
            "(distributed.Client('tcp://scheduler:8786'), or distributed.Client() for a local cluster)"
        ) from None


def screen_population_dask(
    population: Population | str | os.PathLike[str],
    policy_name: PolicySource,
    as_of: dt.date,
    *,
    client: Client | None = None,
    keep_rows: bool = True,
    progress: ProgressCallback | None = None,
    fail_fast: bool = False,
    load: PolicyLoader = load_policy,
    engine: str = "scalar",
) -> ScreenResult:
    """Screen every partition of ``population`` (a :class:`~relapse_guard.population.Population`,
    or the path of a population directory) on a Dask cluster, as of ``as_of``, on
    ``engine`` (``scalar``, ``columnar`` or ``auto``: ``auto`` is settled here, so a worker
    without numpy fails rather than screen another way).

    One task per partition runs :func:`~relapse_guard.screening.parallel.screen_partition` on
    a worker, which reads the partition's files itself and loads the registered policy
    ``policy_name``, or the policies of a policy map, each household then screened under its
    place's policy on ``as_of`` (see the module's notes on shared storage and policies). ``client`` is a
    ``distributed.Client``; by default the current one (``distributed.get_client()``).

    ``progress`` is called each time a partition finishes, with the households screened so
    far and the rows read (the finished partitions' households and facts, from the manifest).
    The partitions' results are merged in partition order, so the result is the serial one:
    the same problem households (``fail_fast`` stops at the first, as in
    :func:`~relapse_guard.screening.parallel.screen_population`). ``load`` loads the policy
    from its name on each worker (it must pickle).

    Raises :class:`~relapse_guard.errors.BackendUnavailable` when dask.distributed is not
    installed or there is no client, :class:`~relapse_guard.errors.UnknownPlugin` for an unknown
    policy name (before anything is submitted), and whatever a task raised.
    """
    population = as_population(population)
    engine = resolve_engine(engine)
    require_distributed()
    choice = choose(policy_name, as_of, record_decisions=False, load=load)  # an unknown name fails here
    if client is None:
        client = default_client()
    task = partition_screen(policy_name, as_of, keep_rows=keep_rows, fail_fast=fail_fast, load=load, engine=engine)
    result = over_dask(client, population, ScreenResult(as_of=as_of, policy=choice.label), task, progress)
    name_policies(result.totals.by_district, choice, as_of)
    return check_fact_ids(population, result, choice.kinds, fail_fast=fail_fast)


def over_dask(
    client: Client,
    population: Population,
    into: _M,
    task: Callable[[Partition], _M],
    progress: ProgressCallback | None = None,
) -> _M:
    """Run ``task`` on each partition of ``population`` on the cluster of ``client``, one task a
    partition, and merge the results into ``into`` in partition order, whatever order they
    finish in (so the result is the serial one), calling ``progress`` as each finishes.
    ``task`` must pickle (a module-level function, or a ``functools.partial`` of one). When a
    task fails, the tasks of later partitions are cancelled and its error is raised once the
    earlier partitions are merged (the serial screen's error: see :func:`.merge_in_order`); when
    the caller gives up, the tasks not yet finished are cancelled."""
    from distributed import as_completed

    # pure=False: a fresh task each call, never a result kept from an earlier run on the same files
    submitted = (client.submit(task, partition, pure=False) for partition in population.partitions)
    # Only this dict holds the futures: each result is released on the cluster once fetched.
    running = {future.key: (index, future) for index, future in enumerate(submitted)}

    def finished() -> Iterator[tuple[int, Callable[[], _M]]]:
        # loop=: the client need not be the default one
        for future in as_completed([f for _, f in running.values()], loop=client.loop):
            index, _ = running.pop(future.key, (None, None))
            if index is not None:  # (not one cancelled after a failure)
                yield index, future.result

    def cancel_after(failed: int) -> None:
        later = [key for key, (index, _) in running.items() if index > failed]
        client.cancel([running.pop(key)[1] for key in later])

    try:
        merge_in_order(finished(), population, into, progress, cancel_after=cancel_after)
    except BaseException:  # a task failed, or the caller gave up: run nothing more
        client.cancel([f for _, f in running.values()])
        raise
    return into


@contextmanager
def dask_client(scheduler: str, *, workers: int = 1, timeout: float = 30, what: str = "screening") -> Iterator[Client]:
    """A ``distributed.Client`` for a screen (or a what-if), closed on exit.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``), or ``"local"``
    to start a cluster of ``workers`` local processes (one thread each: screening is pure
    Python) for the duration, stopped on exit. ``timeout`` is the seconds allowed to connect.

    Raises :class:`~relapse_guard.errors.BackendUnavailable` when dask.distributed is not
    installed (the message says ``what`` needs it) or the scheduler cannot be reached.
    """
    require_distributed(what)
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        with (
            LocalCluster(
                n_workers=max(workers, 1),
                threads_per_worker=1,
                processes=True,
                # the scheduler's HTTP server (it serves /metrics even without a dashboard) on a
                # free port: 8787 may be held by another cluster on the machine
                dashboard_address=":0",
                # a task that raises is the caller's error, said once: not also the worker's "Compute Failed" log
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as local_client,
        ):
            yield local_client
        return
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, ValueError) as error:
        problem = f"cannot connect to the Dask scheduler at {scheduler!r}: {error}"
    else:
        with client:
            yield client
        return
    # The client that failed to connect is left in a reference cycle, and closing it needs its event
    # loop's thread: collect it now, not in a process forked later (where it would wait for its timeout).
    gc.collect()
    raise BackendUnavailable(problem)
