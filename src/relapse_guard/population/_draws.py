"""The generator's random draws: weighted tables (with the reasons for their numbers), counts, dates."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from random import Random
from typing import Any

from ..facts import BasicNeed, HousingGrade, Source
from ..household import Health, LabourCapacity, Member, Schooling

_D = dt.date
ONE_DAY = dt.timedelta(days=1)


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
HAZARDS = Choice(
    (0.40, "flood"),
    (0.20, "landslide"),
    (0.15, "drought"),
    (0.10, "hail"),
    (0.10, "fire"),
    (0.05, "storm"),
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
