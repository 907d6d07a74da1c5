"""What-if: the same facts under two policies, and what differs — state, money, interventions.

>>> import datetime as dt
>>> from relapse_guard.policies import load_policy
>>> yubei = load_policy("yubei_2016")
>>> frozen = yubei.derive(name="yubei_230", parameters={"safety_net.standard": {dt.date(2016, 1, 1): 230}})
>>> compare(yubei, frozen, [], as_of=dt.date(2016, 12, 31)).totals.households
0

Each household's facts run under policy ``a`` and under policy ``b`` (the engine is pure, so
this is all a what-if needs). A household whose facts one policy refuses (an error of the
library, such as :class:`~relapse_guard.errors.InvalidTransition`) is reported with the
error rather than stopping the comparison. Money is compared per intervention as
:meth:`HouseholdResult.money` gives it, three figures apart (:class:`~relapse_guard.entitlements.Money`):
one-off and yearly grants (yuan), the monthly amount in force (yuan a month) and the money
paid to date (yuan).

A what-if keeps what it reports. Each household runs first on engines that record no
decisions; only a household whose outcomes differ runs again on engines that record them, to
find the first decision where its timelines part. The comparison keeps the differing
households (without their results) and counts the others into its totals and its districts,
so its memory follows the differences, not the population (``keep_all=True`` keeps every
household, as it did before). :func:`compare_population` compares a population directory,
partition by partition, in local worker processes if asked (or on a Dask cluster:
:func:`compare_population_dask`, the ``dask`` extra), and ``engine="columnar"`` decides the
quiet households in columns (docs/columnar.md). When the two policies differ only in parameter
values, the second runs only for the households whose run under the first asked a changed
parameter something the second answers otherwise (:mod:`relapse_guard.whatif.reads`), and the
households run under both share their runs before the date the policies part
(:mod:`relapse_guard.whatif.shared`).

Either side may be a :class:`~relapse_guard.policies.policy_map.PolicyMap` (or a
:class:`~relapse_guard.screening.choice.PolicyChoice`) instead of a policy: each household then
runs under that side's policy for its place, the households of each pair of policies sharing
their runs as above, and those both sides give one policy running once. A household whose
place a map does not cover is one of the comparison's ``problems``, as in a screen. Districts
are counted as side ``a``'s map names them (side ``b``'s when only ``b`` is a map), as a screen
under that map counts them; each household compared names the policy it ran under on each side
(:attr:`HouseholdComparison.policy_a`, :attr:`~HouseholdComparison.policy_b`) and its district
as its data writes it (:attr:`~HouseholdComparison.district_as_given`).
"""

from .comparison import FIGURES, Comparison, DistrictComparison, HouseholdComparison, Outcome, Totals
from .on_dask import compare_population_dask
from .run import PartialComparison, compare, compare_partition, compare_population

__all__ = [
    "FIGURES",
    "Comparison",
    "DistrictComparison",
    "HouseholdComparison",
    "Outcome",
    "PartialComparison",
    "Totals",
    "compare",
    "compare_partition",
    "compare_population",
    "compare_population_dask",
]
