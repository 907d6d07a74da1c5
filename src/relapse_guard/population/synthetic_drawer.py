"""Drawing one synthetic household and its facts (see :class:`~relapse_guard.population.Distributions`)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Iterator
from decimal import Decimal
from random import Random

from ..facts import (
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    ReviewCompleted,
    SchoolEnrolled,
    Source,
)
from ..household import Health, Household, LabourCapacity, Member, Place
from ..policies import load_policy
from .rows import FactBuilder
from .synthetic_draws import (
    DISASTER_SHOCK,
    EARNER_CAUSES,
    EARNER_LOSS_SHOCK,
    GRADES_AFTER_DISASTER,
    GRADES_ROUTINE,
    HEALTH_60_PLUS,
    HEALTH_UNDER_60,
    HOSPITAL_SHOCK,
    JOB_LOSS_SHOCK,
    LABOUR_60S,
    LABOUR_70_PLUS,
    LABOUR_WORKING_AGE,
    MEASURES,
    NEEDS,
    ONE_DAY,
    STREAM_VERSION,
    VILLAGE_NAMES,
    Distributions,
    add_months,
    disaster_of,
    has_compulsory_age_child,
    illness_of,
    level_on,
    lognormal,
    period_end,
    poisson,
    school_cost,
    schooling_at,
)

__all__ = ["BLOCK_SIZE", "Drawer"]

#: Households drawn from one random stream; partitions are made of whole blocks.
BLOCK_SIZE = 100

_D = dt.date
#: A shock to the household's income: from, until, and the factor of its income meanwhile.
_Shock = tuple[dt.date, dt.date, float]


class Drawer:
    """Draws households and their facts for one population (per process; holds small caches)."""

    def __init__(self, seed: int, start: dt.date, months: int, distributions: Distributions) -> None:
        if months < 1:
            raise ValueError(f"months must be at least 1, not {months}")
        self.seed = seed
        self.start = start
        self.months = months
        self.end = period_end(start, months)
        self.days = (self.end - start).days
        self.years = self.days / 365.25
        self.d = distributions
        total = sum(distributions.household_sizes)
        self._size_bounds = list(itertools.accumulate(w / total for w in distributions.household_sizes))
        district_total = sum(d[2] for d in distributions.districts)
        self._district_bounds = list(itertools.accumulate(d[2] / district_total for d in distributions.districts))
        self._places: dict[tuple[int, int, int], Place] = {}
        self._lines: dict[int, float] = {}
        self._poverty_line = load_policy(distributions.line_policy).parameters
        self.make = FactBuilder().make
        self._assessment_months = list(range(0, months, 1 if distributions.assessments == "monthly" else 3))

    def line(self, on: dt.date) -> float:
        """The poverty line in force on ``on`` (yuan per person per year)."""
        key = on.toordinal()
        found = self._lines.get(key)
        if found is None:
            value = self._poverty_line.value("poverty_line", on)
            found = self._lines[key] = float(value)
        return found

    def block(self, index: int) -> Random:
        """The random stream of block ``index``."""
        return Random(f"relapse_guard.population/{STREAM_VERSION}/{self.seed}/{index}")

    def households(self, first: int, count: int) -> Iterator[tuple[Household, list[Fact]]]:
        """Households ``first`` to ``first + count - 1`` with their facts."""
        index = first
        stop = first + count
        while index < stop:
            block = index // BLOCK_SIZE
            rnd = self.block(block)
            for position in range(block * BLOCK_SIZE, min((block + 1) * BLOCK_SIZE, stop)):
                drawn = self.household(rnd, position)
                if position >= index:
                    yield drawn
            index = (block + 1) * BLOCK_SIZE

    def _shock(self, on: dt.date, shock: tuple[int | None, float]) -> _Shock:
        """A shock from ``on``, of ``(days or None: until the end, factor)`` as :mod:`.synthetic_draws` gives it."""
        days, factor = shock
        return (on, self.end if days is None else on + dt.timedelta(days=days), factor)

    def _date_in(self, rnd: Random, after: dt.date | None = None) -> dt.date:
        low = self.start if after is None else after
        span = (self.end - low).days
        return low + dt.timedelta(days=rnd.randrange(span)) if span > 0 else low

    def _place(self, rnd: Random) -> tuple[str, Place]:
        district = bisect.bisect_left(self._district_bounds, rnd.random())
        district = min(district, len(self.d.districts) - 1)
        name, prefix, _, towns = self.d.districts[district]
        town = rnd.randrange(len(towns))
        village = rnd.randrange(self.d.villages_per_town)
        key = (district, town, village)
        place = self._places.get(key)
        if place is None:
            village_name = VILLAGE_NAMES[(village + town) % len(VILLAGE_NAMES)]
            if village >= len(VILLAGE_NAMES):
                village_name += f" {village // len(VILLAGE_NAMES) + 1}"
            place = self._places[key] = Place(name, towns[town], village_name)
        return prefix, place

    def _member(self, rnd: Random, member_id: str, age: int) -> Member:
        days = age * 365 + age // 4 + rnd.randint(1, 364)
        birth = self.start - dt.timedelta(days=days)
        if age < 16:
            labour = LabourCapacity.NONE
        elif age < 60:
            labour = LABOUR_WORKING_AGE(rnd)
        elif age < 70:
            labour = LABOUR_60S(rnd)
        else:
            labour = LABOUR_70_PLUS(rnd)
        health = (HEALTH_60_PLUS if age >= 60 else HEALTH_UNDER_60)(rnd)
        if health is Health.SEVERELY_DISABLED:
            labour = LabourCapacity.NONE
        elif health in (Health.SERIOUS_ILLNESS, Health.DISABLED) and labour is LabourCapacity.FULL:
            labour = LabourCapacity.PARTIAL
        return Member(
            id=member_id,
            birth_date=birth,
            labour_capacity=labour,
            health=health,
            schooling=schooling_at(age, rnd),
        )

    def _members(self, rnd: Random, hid: str) -> list[Member]:
        size = min(bisect.bisect_left(self._size_bounds, rnd.random()), len(self._size_bounds) - 1) + 1
        head = max(22, min(85, round(rnd.gauss(50, 13))))
        ages = [head]
        if size >= 2 and rnd.random() < 0.85:
            ages.append(max(20, min(90, head + round(rnd.gauss(0, 3)))))
        if len(ages) < size and head <= 62 and rnd.random() < 0.35:
            ages.append(min(95, head + rnd.randint(22, 32)))
        while len(ages) < size:
            ages.append(max(0, head - rnd.randint(20, 36)))
        return [self._member(rnd, f"{hid}-{k}", age) for k, age in enumerate(ages, 1)]

    def household(self, rnd: Random, index: int) -> tuple[Household, list[Fact]]:
        """Household ``index`` drawn from ``rnd`` (the stream of its block), with its facts sorted."""
        d = self.d
        prefix, place = self._place(rnd)
        hid = f"{prefix}{index:07d}"
        members = self._members(rnd, hid)
        household = Household(id=hid, place=place, members=members)
        ratio = lognormal(rnd, d.income_median, d.income_sigma)
        if not household.has_labour_capacity_on(self.start):
            ratio *= d.no_labour_factor
        lifecycle = rnd.random() < d.lifecycle_share
        facts: list[Fact] = []
        shocks: list[tuple[dt.date, dt.date, float]] = []  # (from, until, income factor)
        self._shocks(rnd, household, facts, shocks)
        self._incomes(rnd, household, ratio, lifecycle, facts, shocks)
        facts.sort(key=Fact.sort_key)
        return household, facts

    def _shocks(self, rnd: Random, household: Household, facts: list[Fact], shocks: list[_Shock]) -> None:
        """The household's shocks and events, drawn in this order (the order of the draws is the output)."""
        self._illnesses(rnd, household, facts, shocks)
        appraisal = self._disasters(rnd, household.id, facts, shocks)
        self._appraisals(rnd, household.id, appraisal, facts)
        self._work_losses(rnd, household, facts, shocks)
        self._needs_checks(rnd, household, facts)
        self._schooling(rnd, household, facts)

    def _illnesses(self, rnd: Random, household: Household, facts: list[Fact], shocks: list[_Shock]) -> None:
        d, hid, years = self.d, household.id, self.years
        members = household.members
        ill_members = sum(m.health is not Health.HEALTHY for m in members)
        for n in range(1, poisson(rnd, d.illness_rate * years * (1 + 0.3 * ill_members)) + 1):
            on = self._date_in(rnd)
            member, hospitalised, cost, source = illness_of(rnd, members, on)
            facts.append(
                self.make(
                    IllnessReported,
                    id=f"{hid}-ill{n}",
                    household_id=hid,
                    date=on,
                    source=source,
                    member_id=member.id,
                    self_paid_cost=cost,
                    hospitalised=hospitalised,
                )
            )
            if hospitalised:
                shocks.append(self._shock(on, HOSPITAL_SHOCK))

    def _disasters(self, rnd: Random, hid: str, facts: list[Fact], shocks: list[_Shock]) -> int:
        """Disasters, some followed by an appraisal of the house; the number of appraisals drawn."""
        d, years = self.d, self.years
        appraisal = 0
        for n in range(1, poisson(rnd, d.disaster_rate * years) + 1):
            on = self._date_in(rnd)
            loss, hazard = disaster_of(rnd)
            facts.append(
                self.make(
                    DisasterReported,
                    id=f"{hid}-dis{n}",
                    household_id=hid,
                    date=on,
                    hazard=hazard,
                    loss=loss,
                )
            )
            shocks.append(self._shock(on, DISASTER_SHOCK))
            appraised = on + dt.timedelta(days=rnd.randint(7, 30))
            if rnd.random() < 0.5 and appraised < self.end:
                appraisal += 1
                grade = GRADES_AFTER_DISASTER(rnd)
                facts.append(
                    self.make(HouseAppraised, id=f"{hid}-hs{appraisal}", household_id=hid, date=appraised, grade=grade)
                )
        return appraisal

    def _appraisals(self, rnd: Random, hid: str, appraisal: int, facts: list[Fact]) -> None:
        """Routine appraisals of the house, numbered after ``appraisal`` ones."""
        for _ in range(poisson(rnd, self.d.house_appraisal_rate * self.years)):
            appraisal += 1
            grade = GRADES_ROUTINE(rnd)
            facts.append(
                self.make(
                    HouseAppraised, id=f"{hid}-hs{appraisal}", household_id=hid, date=self._date_in(rnd), grade=grade
                )
            )

    def _work_losses(self, rnd: Random, household: Household, facts: list[Fact], shocks: list[_Shock]) -> None:
        """Job losses and the loss of the main earner, for a household with a member of working age who can work."""
        d, hid, years = self.d, household.id, self.years
        workers = [m for m in household.members if m.can_work_on(self.start) and 16 <= m.age_on(self.start) < 60]
        if workers:
            for n in range(1, poisson(rnd, d.job_loss_rate * years) + 1):
                on = self._date_in(rnd)
                member = rnd.choice(workers)
                facts.append(
                    self.make(
                        JobLost,
                        id=f"{hid}-job{n}",
                        household_id=hid,
                        date=on,
                        source=Source.SELF_DECLARED,
                        member_id=member.id,
                    )
                )
                shocks.append(self._shock(on, JOB_LOSS_SHOCK))
            if poisson(rnd, d.main_earner_loss_rate * years):
                on = self._date_in(rnd)
                earner = max(
                    workers, key=lambda m: (m.labour_capacity is LabourCapacity.FULL, -m.birth_date.toordinal())
                )
                facts.append(
                    self.make(
                        MainEarnerLost,
                        id=f"{hid}-mel1",
                        household_id=hid,
                        date=on,
                        member_id=earner.id,
                        cause=EARNER_CAUSES(rnd),
                    )
                )
                shocks.append(self._shock(on, EARNER_LOSS_SHOCK))

    def _needs_checks(self, rnd: Random, household: Household, facts: list[Fact]) -> None:
        hid = household.id
        for n in range(1, poisson(rnd, self.d.needs_check_rate * self.years) + 1):
            unmet = () if rnd.random() < 0.9 else (rnd.choice(NEEDS),)
            on = self._date_in(rnd)
            if unmet == (BasicNeed.COMPULSORY_SCHOOLING,) and not has_compulsory_age_child(household, on):
                unmet = ()  # no child of compulsory-school age: that need cannot go unmet
            facts.append(self.make(BasicNeedsChecked, id=f"{hid}-bn{n}", household_id=hid, date=on, unmet=unmet))

    def _schooling(self, rnd: Random, household: Household, facts: list[Fact]) -> None:
        hid = household.id
        september = _D(self.start.year, 9, 1)
        n = 0
        while september < self.end:
            if september >= self.start:
                for member in household.members:
                    level = level_on(member, september)
                    if level is None:
                        continue
                    n += 1
                    facts.append(
                        self.make(
                            SchoolEnrolled,
                            id=f"{hid}-sch{n}",
                            household_id=hid,
                            date=september,
                            source=Source.DEPARTMENT,
                            member_id=member.id,
                            level=level,
                            annual_cost=school_cost(rnd, level),
                        )
                    )
            september = _D(september.year + 1, 9, 1)

    def _incomes(
        self,
        rnd: Random,
        household: Household,
        ratio: float,
        lifecycle: bool,
        facts: list[Fact],
        shocks: list[_Shock],
    ) -> None:
        """The income assessments and, for a lifecycle household, its assistance, exit and reviews."""
        d, hid = self.d, household.id
        day = rnd.randint(1, 28)
        dates = [add_months(self.start, m, day) for m in self._assessment_months]
        dates = [on for on in dates if self.start <= on < self.end]
        exit_after = -1
        after_ratio = ratio
        if lifecycle and dates:
            after_ratio = max(ratio, rnd.uniform(1.02, 1.6))
            if len(dates) >= 2:
                exit_after = rnd.randint(max(1, len(dates) // 4), max(1, 2 * len(dates) // 3))
        for n, on in enumerate(dates, 1):
            line = self.line(on)
            if lifecycle and n == 1:
                value = line * rnd.uniform(0.5, 0.95)
            else:
                value = line * (after_ratio if lifecycle else ratio) * math.exp(rnd.gauss(0.0, d.income_noise))
                for since, until, factor in shocks:
                    if since <= on < until:
                        value *= factor
            if n - 1 == exit_after:
                value = max(value, math.ceil(line * 1.02))
            facts.append(
                self.make(
                    IncomeAssessed,
                    id=f"{hid}-i{n:02d}",
                    household_id=hid,
                    date=on,
                    income_per_capita=Decimal(round(value)),
                )
            )
        if lifecycle and dates:
            self._lifecycle(rnd, hid, dates, exit_after, facts)

    def _lifecycle(self, rnd: Random, hid: str, dates: list[dt.date], exit_after: int, facts: list[Fact]) -> None:
        """Assistance after the first assessment; an exit after assessment ``exit_after`` (if any), then reviews."""
        identified = dates[0]
        limit = (dates[1] if len(dates) > 1 else self.end) - identified
        aid_on = identified + dt.timedelta(days=rnd.randint(0, max(0, min(20, limit.days - 1))))
        amount = Decimal(rnd.randint(10, 80) * 100) if rnd.random() < 0.6 else None
        facts.append(
            self.make(
                AssistanceGranted,
                id=f"{hid}-aid",
                household_id=hid,
                date=aid_on,
                measure=rnd.choice(MEASURES),
                amount=amount,
            )
        )
        if exit_after >= 1:
            self._exit(rnd, hid, dates, exit_after, facts)

    def _exit(self, rnd: Random, hid: str, dates: list[dt.date], exit_after: int, facts: list[Fact]) -> None:
        """The exit verified after assessment ``exit_after``, and a yearly review every December after it."""
        assessed = dates[exit_after]
        month_end = add_months(assessed, 1, 1) - ONE_DAY
        next_assessment = dates[exit_after + 1] if exit_after + 1 < len(dates) else self.end
        last_day = min(month_end, next_assessment - ONE_DAY, self.end - ONE_DAY)
        exit_on = assessed + dt.timedelta(days=rnd.randint(0, max(0, min(10, (last_day - assessed).days))))
        facts.append(self.make(BasicNeedsChecked, id=f"{hid}-bn0", household_id=hid, date=assessed))
        facts.append(self.make(ExitVerified, id=f"{hid}-exit", household_id=hid, date=exit_on))
        december = _D(exit_on.year, 12, rnd.randint(15, 28))
        n = 0
        while december < self.end:
            if december > exit_on:
                n += 1
                facts.append(
                    self.make(
                        ReviewCompleted,
                        id=f"{hid}-rev{n}",
                        household_id=hid,
                        date=december,
                        review="income_account",
                        responsible="village cadre",
                    )
                )
            december = _D(december.year + 1, 12, december.day)
