"""Screening a population as of a date: every household's state, risks, grants and money, and totals.

- :func:`screen_records` screens a stream of households in this process, in one pass;
- :func:`screen_population` screens a population directory partition by partition, serially
  or in local worker processes, with the same result;
- :func:`screen_population_dask` (``dask`` extra) does the same on a Dask cluster.

Each takes one policy or a :class:`~relapse_guard.policies.policy_map.PolicyMap`, which
screens each household under the policy of its place (:mod:`.choice`).
"""

from __future__ import annotations

from .dask_backend import screen_population_dask
from .parallel import screen_partition, screen_population
from .screen import Progress, ProgressCallback, screen_records
from .summary import BadRow, DistrictTotals, HouseholdRow, ScreenResult, ScreenTotals

__all__ = [
    "BadRow",
    "DistrictTotals",
    "HouseholdRow",
    "Progress",
    "ProgressCallback",
    "ScreenResult",
    "ScreenTotals",
    "screen_partition",
    "screen_population",
    "screen_population_dask",
    "screen_records",
]
