"""What synthetic populations are drawn from: the distributions, and the random draws with their tables.

:class:`Distributions` is one documented value (its defaults, with their reasons, are in
``docs/population.md``); the weighted tables below give the reasons for their numbers in
comments; the helpers draw counts, dates and school levels.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from random import Random
from typing import Any

import attrs

from ..facts import BasicNeed, HousingGrade, Source
from ..hazards import HazardKind
from ..household import Health, Household, LabourCapacity, Member, Schooling

__all__ = ["DEFAULT_DISTRICTS", "GENERATOR_VERSION", "STREAM_VERSION", "VILLAGE_NAMES", "Choice", "Distributions"]

_D = dt.date
ONE_DAY = dt.timedelta(days=1)


#: Bumped whenever a change makes the same seed give other households: recorded in manifests.
#: 2: a needs check no longer finds compulsory schooling unmet in a household with no child of
#: that age (the households it touches differ; the random draws are the same).
#: 3: the disaster once drawn as a ``storm`` (a hazard of no kind) is a ``strong_wind``, so that
#: every hazard drawn names a kind of :class:`~relapse_guard.hazards.HazardKind` (the draws are
#: the same).
GENERATOR_VERSION = 3
#: What the random streams are named by, with the seed and the household's index. It stays
#: when a change (version 2) leaves the draws as they were, so only the households the change
#: is about differ, not every one.
STREAM_VERSION = 1

#: The three districts of the seed bulletin: (name, id prefix, share of households, towns).
DEFAULT_DISTRICTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        "Yubei",
        "YB",
        0.35,
        (
            "Dashengzhen",
            "Luoqizhen",
            "Tongjingzhen",
            "Xinglongzhen",
            "Cizhuzhen",
            "Muerzhen",
            "Guluzhen",
            "Shichuanzhen",
        ),
    ),
    (
        "Dazu",
        "DZ",
        0.40,
        (
            "Longshuizhen",
            "Baodingzhen",
            "Zhongaozhen",
            "Sanquzhen",
            "Shimazhen",
            "Youtingzhen",
            "Yulongzhen",
            "Gaopingzhen",
        ),
    ),
    (
        "Bishan",
        "BS",
        0.25,
        (
            "Daluzhen",
            "Batangzhen",
            "Qitangzhen",
            "Hebianzhen",
            "Fuluzhen",
            "Daxingzhen",
            "Zhengxingzhen",
            "Guangpuzhen",
            "Sanhezhen",
            "Jianlongzhen",
            "Qifengzhen",
            "Ludizhen",
            "Bishanzhen",
            "Dingjiazhen",
            "Laifengzhen",
        ),
    ),
)

#: Village names; a town's villages are the first ``villages_per_town`` of a rotation of these.
VILLAGE_NAMES: tuple[str, ...] = (
    "Qinglong",
    "Huilong",
    "Shuanghe",
    "Xinhua",
    "Longtan",
    "Baiyang",
    "Taiping",
    "Jinshan",
    "Shiban",
    "Heping",
    "Fengshou",
    "Dawan",
    "Liujia",
    "Zhuyuan",
    "Sanxing",
    "Tianba",
)


def _district_tuple(value: Any) -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
    return tuple((str(d[0]), str(d[1]), float(d[2]), tuple(str(t) for t in d[3])) for d in value)


@attrs.frozen(kw_only=True)
class Distributions:
    """How a synthetic population is drawn. Rates are per household and year; incomes are
    multiples of the poverty line in force on the assessment date.

    The defaults are documented, with their reasons, in ``docs/population.md``.
    """

    #: Weights of household sizes 1, 2, 3, ... (mean 3.2: rural Chongqing households of about three people).
    household_sizes: tuple[float, ...] = (0.12, 0.25, 0.23, 0.20, 0.12, 0.08)
    districts: tuple[tuple[str, str, float, tuple[str, ...]], ...] = attrs.field(
        default=DEFAULT_DISTRICTS, converter=_district_tuple
    )
    villages_per_town: int = 12
    #: Median per-capita income as a multiple of the poverty line, and the spread (sigma of its log).
    income_median: float = 1.9
    income_sigma: float = 0.45
    #: Month-to-month variation of an assessed income (sigma of its log).
    income_noise: float = 0.08
    #: Income factor of households where no member can work.
    no_labour_factor: float = 0.6
    #: "monthly" (12 assessments a year) or "quarterly" (4).
    assessments: str = "monthly"
    #: Share of households identified at their first assessment, assisted, and exited later.
    lifecycle_share: float = 0.15
    illness_rate: float = 0.12
    disaster_rate: float = 0.04
    job_loss_rate: float = 0.06
    main_earner_loss_rate: float = 0.004
    house_appraisal_rate: float = 0.05
    needs_check_rate: float = 0.10
    #: The policy whose ``poverty_line`` incomes are drawn around.
    line_policy: str = "chongqing_2016"

    def __attrs_post_init__(self) -> None:
        if self.assessments not in ("monthly", "quarterly"):
            raise ValueError(f"assessments must be 'monthly' or 'quarterly', not {self.assessments!r}")
        if not self.household_sizes or min(self.household_sizes) < 0 or sum(self.household_sizes) <= 0:
            raise ValueError("household_sizes must be non-negative weights, at least one positive")
        if not self.districts or any(not d[3] for d in self.districts):
            raise ValueError("districts must be (name, prefix, weight, towns) with at least one town each")
        if self.villages_per_town < 1:
            raise ValueError("villages_per_town must be at least 1")
        for name in ("lifecycle_share",):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (as recorded in a generated population's manifest)."""
        out = attrs.asdict(self)
        out["districts"] = [[d[0], d[1], d[2], list(d[3])] for d in self.districts]
        out["household_sizes"] = list(self.household_sizes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Distributions:
        """Read back :meth:`to_dict` (missing keys take their defaults)."""
        values = dict(data)
        if "household_sizes" in values:
            values["household_sizes"] = tuple(values["household_sizes"])
        return cls(**values)


class Choice:
    """A weighted choice among values, drawn with one ``random()``."""

    __slots__ = ("bounds", "values")

    def __init__(self, *table: tuple[float, Any]) -> None:
        total = sum(weight for weight, _ in table)
        self.bounds = list(itertools.accumulate(weight / total for weight, _ in table))
        self.values = tuple(value for _, value in table)

    def __call__(self, rnd: Random) -> Any:
        return self.values[min(bisect.bisect_right(self.bounds, rnd.random()), len(self.values) - 1)]

    def schooling(self, rnd: Random) -> Schooling:
        """A draw from a table of school levels."""
        found: Schooling = self(rnd)
        return found


# (weight, value) tables; comments give the reason for the numbers.
# Labour capacity by age band: children none; working age mostly full; older people partial or none.
LABOUR_WORKING_AGE = Choice((0.85, LabourCapacity.FULL), (0.10, LabourCapacity.PARTIAL), (0.05, LabourCapacity.NONE))
LABOUR_60S = Choice((0.25, LabourCapacity.FULL), (0.45, LabourCapacity.PARTIAL), (0.30, LabourCapacity.NONE))
LABOUR_70_PLUS = Choice((0.20, LabourCapacity.PARTIAL), (0.80, LabourCapacity.NONE))
# Health: illness and disability are more common after 60 (illness is the first cause of poverty).
HEALTH_UNDER_60 = Choice(
    (0.88, Health.HEALTHY),
    (0.07, Health.CHRONIC_ILLNESS),
    (0.02, Health.SERIOUS_ILLNESS),
    (0.025, Health.DISABLED),
    (0.005, Health.SEVERELY_DISABLED),
)
HEALTH_60_PLUS = Choice(
    (0.60, Health.HEALTHY),
    (0.28, Health.CHRONIC_ILLNESS),
    (0.05, Health.SERIOUS_ILLNESS),
    (0.05, Health.DISABLED),
    (0.02, Health.SEVERELY_DISABLED),
)
# Hazards by the codes of their kinds (relapse_guard.hazards), as a caseworker's record would code them.
HAZARDS = Choice(
    (0.40, HazardKind.FLOOD.value),
    (0.20, HazardKind.LANDSLIDE.value),
    (0.15, HazardKind.DROUGHT.value),
    (0.10, HazardKind.HAIL.value),
    (0.10, HazardKind.FIRE.value),
    (0.05, HazardKind.STRONG_WIND.value),
)
GRADES_AFTER_DISASTER = Choice((0.5, HousingGrade.B), (0.3, HousingGrade.C), (0.2, HousingGrade.D))
GRADES_ROUTINE = Choice((0.55, HousingGrade.A), (0.30, HousingGrade.B), (0.10, HousingGrade.C), (0.05, HousingGrade.D))
NEEDS = tuple(BasicNeed)
# After compulsory school (15-17) most go on to senior secondary or vocational school; at 18-21 some to tertiary.
AFTER_COMPULSORY = Choice((0.55, Schooling.SENIOR_SECONDARY), (0.30, Schooling.VOCATIONAL), (0.15, Schooling.NONE))
AFTER_SECONDARY = Choice((0.30, Schooling.TERTIARY), (0.10, Schooling.VOCATIONAL), (0.60, Schooling.NONE))
EARNER_CAUSES = Choice((0.5, "death"), (0.3, "disability"), (0.2, "serious_illness"))
ILLNESS_SOURCES = Choice((0.6, Source.DEPARTMENT), (0.25, Source.SELF_DECLARED), (0.15, Source.VISIT))
MEASURES = (
    "industry project",
    "poultry project",
    "vegetable greenhouse",
    "fruit orchard",
    "skills training",
    "microcredit",
    "public-welfare job",
)
# Yearly school cost the household pays, by level (yuan, uniform between the bounds, to 100).
SCHOOL_COSTS = {
    Schooling.PRESCHOOL: (1500, 3000),
    Schooling.PRIMARY: (300, 1000),
    Schooling.JUNIOR_SECONDARY: (500, 1500),
    Schooling.SENIOR_SECONDARY: (2000, 4500),
    Schooling.VOCATIONAL: (2500, 5000),
    Schooling.TERTIARY: (6000, 12000),
}


# What a shock does to the household's income: for how many days (None: from then on) and by which factor.
# A hospital stay costs work for about three months; a disaster's repairs as long; a lost job half a year
# to replace; a main earner lost is lost for good.
HOSPITAL_SHOCK: tuple[int | None, float] = (90, 0.9)
DISASTER_SHOCK: tuple[int | None, float] = (90, 0.85)
JOB_LOSS_SHOCK: tuple[int | None, float] = (182, 0.75)
EARNER_LOSS_SHOCK: tuple[int | None, float] = (None, 0.6)


#: Illness: the share of episodes with a hospital stay, and the self-paid cost (log-normal median and
#: sigma, yuan; x the factor for a hospital stay).
HOSPITAL_SHARE = 0.35
ILLNESS_COST: tuple[float, float] = (2500, 1.0)
HOSPITAL_COST_FACTOR = 2.5
#: A disaster's loss: log-normal median and sigma, yuan (rounded to ten).
DISASTER_LOSS: tuple[float, float] = (6000, 0.9)


def illness_of(rnd: Random, members: Sequence[Member], on: dt.date) -> tuple[Member, bool, Decimal, Source]:
    """An illness on ``on``: the member (mostly 45 or older, or already ill), whether hospitalised, the
    self-paid cost and the source, drawn in this order."""
    older = [m for m in members if m.age_on(on) >= 45 or m.health is not Health.HEALTHY]
    member = rnd.choice(older or list(members))
    hospitalised = rnd.random() < HOSPITAL_SHARE
    cost = lognormal(rnd, *ILLNESS_COST) * (HOSPITAL_COST_FACTOR if hospitalised else 1.0)
    return member, hospitalised, Decimal(round(cost)), ILLNESS_SOURCES(rnd)


def disaster_of(rnd: Random) -> tuple[Decimal, str]:
    """A disaster's loss and hazard, drawn in this order."""
    loss = Decimal(round(lognormal(rnd, *DISASTER_LOSS), -1))
    return loss, HAZARDS(rnd)


def school_cost(rnd: Random, level: Schooling) -> Decimal:
    """The yearly cost of a school level the household pays (:data:`SCHOOL_COSTS`, to 100 yuan)."""
    low, high = SCHOOL_COSTS[level]
    return Decimal(rnd.randint(low // 100, high // 100) * 100)


def poisson(rnd: Random, mean: float) -> int:
    """A Poisson draw (Knuth's method: the means here are small)."""
    limit = math.exp(-mean)
    count, product = 0, rnd.random()
    while product > limit:
        count += 1
        product *= rnd.random()
    return count


def lognormal(rnd: Random, median: float, sigma: float) -> float:
    return median * math.exp(rnd.gauss(0.0, sigma))


def add_months(day: dt.date, months: int, on_day: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return _D(index // 12, index % 12 + 1, on_day)


def period_end(start: dt.date, months: int) -> dt.date:
    """The day after the last of a population of ``months`` months from ``start``: its facts are dated before it.

    >>> period_end(dt.date(2016, 1, 1), 12), period_end(dt.date(2016, 1, 15), 1)
    (datetime.date(2017, 1, 1), datetime.date(2016, 2, 15))
    """
    return add_months(start, months, 1) + dt.timedelta(days=start.day - 1)


def schooling_at(age: int, rnd: Random) -> Schooling:
    """Enrolment at the start, by age: preschool 3-5 (75%), compulsory 6-14, then some go on."""
    if 3 <= age <= 5:
        return Schooling.PRESCHOOL if rnd.random() < 0.75 else Schooling.NONE
    if 6 <= age <= 11:
        return Schooling.PRIMARY
    if 12 <= age <= 14:
        return Schooling.JUNIOR_SECONDARY
    if 15 <= age <= 17:
        return AFTER_COMPULSORY.schooling(rnd)
    if 18 <= age <= 21:
        return AFTER_SECONDARY.schooling(rnd)
    return Schooling.NONE


#: The ages of compulsory schooling (nine years, from 6), as :func:`schooling_at` enrols them.
COMPULSORY_AGES = range(6, 15)


def has_compulsory_age_child(household: Household, on: dt.date) -> bool:
    """Whether a member of ``household`` is of compulsory-school age on ``on``: only then can a
    needs check find compulsory schooling unmet."""
    return any(member.age_on(on) in COMPULSORY_AGES for member in household.members)


def level_on(member: Member, on: dt.date) -> Schooling | None:
    """The level a schooled member enrols in on ``on`` (None once past school age)."""
    if member.schooling is Schooling.NONE:
        return None
    age = member.age_on(on)
    if age < 3 or age > 22:
        return None
    if age <= 5:
        return Schooling.PRESCHOOL
    if age <= 11:
        return Schooling.PRIMARY
    if age <= 14:
        return Schooling.JUNIOR_SECONDARY
    if member.schooling in (Schooling.VOCATIONAL, Schooling.TERTIARY):
        return member.schooling
    return Schooling.SENIOR_SECONDARY if age <= 17 else Schooling.TERTIARY
