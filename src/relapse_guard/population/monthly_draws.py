"""What a month of new facts is drawn from: the shares (:class:`MonthlyShares`) and the draws of one household.

Each event happens in one month, its **event month**, and is delivered once: in that month's
file, or as a **late report** one to three months later (:attr:`MonthlyShares.late_share`).
A household's events of an event month are drawn from their own random stream,
``random.Random`` seeded with
``"relapse_guard.population.month/<stream version>/<seed>/<YYYY-MM>/<household id>"``:
so they are the same whichever month's file is being written (the file of month ``M`` holds
the events of ``M`` delivered on time and those of ``M-1``, ``M-2`` and ``M-3`` delivered
late by as many months, and a run of months delivers every event once), and they depend on
the household and its facts only, not on the other households, their order or the partitions.

No event is drawn for a month the population **covers**: its events are the population's
facts already. A household's covered months are those up to the population's last month (of a
generated population, from its manifest: the month of the day before ``start`` plus ``months``
months) and up to the month of the household's last fact, whichever is later; so a month's file
holds no late report of them, and its events never repeat one of the population (nor one of
another month's file).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from random import Random

import attrs

from ..bounds import MAX_AMOUNT, MAX_ID_LENGTH, MAX_INCOME_PER_CAPITA
from ..facts import (
    DisasterReported,
    Fact,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    SchoolEnrolled,
    Source,
)
from ..household import Health, Household
from ..policies import load_policy
from .rows import FactBuilder
from .synthetic_draws import (
    DISASTER_SHOCK,
    EARNER_LOSS_SHOCK,
    HOSPITAL_SHOCK,
    JOB_LOSS_SHOCK,
    Choice,
    Distributions,
    add_months,
    disaster_of,
    illness_of,
    level_on,
    lognormal,
    school_cost,
)

__all__ = ["MONTH_GENERATOR_VERSION", "MONTH_STREAM_VERSION", "History", "MonthDrawer", "MonthlyShares"]

#: Bumped whenever a change makes the same seed give other monthly facts.
#: 2: no event is drawn for a month the population covers (version 1 drew late reports of the
#: population's last three months, repeating its events; the random draws are the same).
#: 3: a disaster's hazard as the generator's version 3 draws it (``strong_wind``, not ``storm``).
MONTH_GENERATOR_VERSION = 3
#: What the random streams of a month's events are named by, with the seed, the event month and
#: the household id. It stays when a change (version 2) leaves the draws as they were, so only
#: the facts the change is about differ, not every one.
MONTH_STREAM_VERSION = 1

#: A shock to the household's income: from, until (None: for good), and the factor of its income meanwhile.
_Shock = tuple[dt.date, dt.date | None, float]


def _share(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be between 0 and 1, not {value!r}")


def _months(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(int(month) for month in value)


def _weights(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(weight) for weight in value)


@attrs.frozen(kw_only=True)
class MonthlyShares:
    """How a month of new facts is drawn: the share of households with each event in a month.

    The defaults are documented, with their reasons, in ``docs/population.md``. Incomes are
    drawn around the household's last known income (see :class:`History`), with the
    population's :class:`~.synthetic_draws.Distributions` (``income_noise``, and the bands of
    a household with no income known).
    """

    #: Households assessed in a month (one income assessment; the others none).
    assessment_share: float = attrs.field(default=0.6, validator=_share)
    #: Households with an illness and a self-paid cost in a month, x (1 + 0.3 per ill or disabled member).
    illness_share: float = attrs.field(default=0.02, validator=_share)
    #: Households with a member of working age who can work that lose a job in a month.
    job_loss_share: float = attrs.field(default=0.01, validator=_share)
    #: Households hit by a disaster with a loss in a month.
    disaster_share: float = attrs.field(default=0.005, validator=_share)
    #: The months of the school year's enrolment (with its yearly cost), on their first day.
    school_months: tuple[int, ...] = attrs.field(default=(9,), converter=_months)
    #: Events reported late: delivered one to three months after their month.
    late_share: float = attrs.field(default=0.02, validator=_share)
    #: The weights of a late report's delay: 1, 2, 3 months (at most three).
    late_delays: tuple[float, ...] = attrs.field(default=(0.6, 0.3, 0.1), converter=_weights)

    def __attrs_post_init__(self) -> None:
        if any(not 1 <= month <= 12 for month in self.school_months):
            raise ValueError(f"school_months must be months 1 to 12, not {self.school_months!r}")
        if not 1 <= len(self.late_delays) <= 3 or min(self.late_delays) < 0 or sum(self.late_delays) <= 0:
            raise ValueError(
                f"late_delays must be one to three non-negative weights (1, 2, 3 months), at least one "
                f"positive, not {self.late_delays!r}"
            )

    @property
    def longest_delay(self) -> int:
        """The most months a report may be late."""
        return len(self.late_delays)


def _shock_of(fact: Fact) -> tuple[int | None, float] | None:
    """How a fact of the population lowers the household's income, as the generator drew it; None: it does not."""
    if isinstance(fact, IllnessReported):
        return HOSPITAL_SHOCK if fact.hospitalised else None
    if isinstance(fact, DisasterReported):
        return DISASTER_SHOCK
    if isinstance(fact, JobLost):
        return JOB_LOSS_SHOCK
    if isinstance(fact, MainEarnerLost):
        return EARNER_LOSS_SHOCK
    return None


def _shock(on: dt.date, shock: tuple[int | None, float]) -> _Shock:
    days, factor = shock
    return (on, None if days is None else on + dt.timedelta(days=days), factor)


def _factor(shocks: Iterable[_Shock], on: dt.date) -> float:
    """The factor of the household's income on ``on`` from the shocks in force then."""
    factor = 1.0
    for since, until, effect in shocks:
        if since <= on and (until is None or on < until):
            factor *= effect
    return factor


class History:
    """What a household's facts in the population tell the month's draws: its incomes, its shocks and
    the date of its last fact."""

    __slots__ = ("day", "incomes", "last", "shocks")

    def __init__(self, facts: Iterable[Fact]) -> None:
        incomes: list[tuple[dt.date, Decimal]] = []
        shocks: list[_Shock] = []
        last: dt.date | None = None
        for fact in facts:
            if last is None or fact.date > last:
                last = fact.date
            if isinstance(fact, IncomeAssessed):
                incomes.append((fact.date, fact.income_per_capita))
                continue
            shock = _shock_of(fact)
            if shock is not None:
                shocks.append(_shock(fact.date, shock))
        incomes.sort(key=lambda item: item[0])
        #: The assessments, by date.
        self.incomes = incomes
        #: The shocks to the household's income.
        self.shocks = shocks
        #: The day of the month of the last assessment (the household's assessment day), or None.
        self.day = incomes[-1][0].day if incomes else None
        #: The date of the household's last fact (of any kind), or None when it has none.
        self.last = last

    def income_before(self, on: dt.date) -> tuple[dt.date, Decimal] | None:
        """The last assessment before ``on``: its date and income; None when there is none."""
        found = None
        for assessed, income in self.incomes:
            if assessed >= on:
                break
            found = (assessed, income)
        return found

    def factor(self, on: dt.date) -> float:
        """The factor of the household's income on ``on`` from the population's shocks."""
        return _factor(self.shocks, on) if self.shocks else 1.0


def _amount(value: float, bound: Decimal) -> Decimal:
    """``value`` in whole yuan, within ``bound``."""
    return min(Decimal(max(0, round(value))), bound)


class MonthDrawer:
    """Draws the new facts of the households of a population for the file of one month, household by household.

    ``month`` is the first day of the month; ``covered`` the first day of the population's last
    month (a generated population's, from its manifest), or None when it is not known. No event
    is drawn for that month or an earlier one, nor for a month up to that of a household's last
    fact: the population holds their events.
    """

    def __init__(
        self,
        seed: int,
        month: dt.date,
        distributions: Distributions,
        shares: MonthlyShares,
        covered: dt.date | None = None,
    ) -> None:
        self.seed = seed
        self.month = month
        self.d = distributions
        self.shares = shares
        self.covered = covered
        #: ``(delay, event month)``: the event months whose events delivered that late are in this file
        #: (for a household, those after its covered months).
        months = [(delay, add_months(month, -delay, 1)) for delay in range(shares.longest_delay + 1)]
        self.event_months = [(delay, event) for delay, event in months if covered is None or event > covered]
        self._late = Choice(*((weight, delay) for delay, weight in enumerate(shares.late_delays, 1)))
        self._poverty_line = load_policy(distributions.line_policy).parameters
        self._lines: dict[int, float] = {}
        self.make = FactBuilder().make
        self._days: dict[dt.date, int] = {}

    def line(self, on: dt.date) -> float:
        """The poverty line in force on ``on`` (yuan per person per year)."""
        key = on.toordinal()
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = float(self._poverty_line.value("poverty_line", on))
        return found

    def stream(self, event: dt.date, household_id: str) -> Random:
        """The random stream of a household's events of month ``event``."""
        key = f"{self.seed}/{event.year:04d}-{event.month:02d}/{household_id}"
        return Random(f"relapse_guard.population.month/{MONTH_STREAM_VERSION}/{key}")

    def facts(self, household: Household, facts: Iterable[Fact]) -> list[Fact]:
        """The household's new facts in this month's file, given its ``facts`` in the population; sorted as
        the engine applies them."""
        history = History(facts)
        ill = sum(member.health is not Health.HEALTHY for member in household.members)
        out: list[Fact] = []
        # The household's facts cover the months up to that of its last one: no event of them is drawn.
        held = history.last
        for delay, event in self.event_months:
            if held is not None and (event.year, event.month) <= (held.year, held.month):
                continue
            out += self.events(self.stream(event, household.id), household, history, event, delay, ill)
        out.sort(key=Fact.sort_key)
        return out

    def _delivered(self, rnd: Random, delay: int) -> bool:
        """Whether an event is reported ``delay`` months after its month (0: in its own month's file)."""
        if rnd.random() >= self.shares.late_share:
            return delay == 0
        late: int = self._late(rnd)
        return late == delay

    def events(
        self, rnd: Random, household: Household, history: History, event: dt.date, delay: int, ill: int
    ) -> list[Fact]:
        """The household's events of month ``event`` reported ``delay`` months later, of those drawn from
        ``rnd`` (the same draws, in a fixed order, whatever the delay: only the facts kept are made).

        ``ill`` is the number of the household's members who are ill or disabled.
        """
        s, members, hid = self.shares, household.members, household.id
        days = self._days.get(event) or self._days.setdefault(event, calendar.monthrange(event.year, event.month)[1])
        make = self.make
        found: list[Fact] = []
        shocks: list[_Shock] = []
        if rnd.random() < s.illness_share * (1 + 0.3 * ill):
            kept = self._delivered(rnd, delay)
            on = event + dt.timedelta(days=rnd.randrange(days))
            member, hospitalised, cost, source = illness_of(rnd, members, on)
            if kept:
                found.append(
                    make(
                        IllnessReported,
                        id=_id(event, hid, "ill"),
                        household_id=hid,
                        date=on,
                        source=source,
                        member_id=member.id,
                        self_paid_cost=min(cost, MAX_AMOUNT),
                        hospitalised=hospitalised,
                    )
                )
            if hospitalised:
                shocks.append(_shock(on, HOSPITAL_SHOCK))
        if rnd.random() < s.disaster_share:
            kept = self._delivered(rnd, delay)
            on = event + dt.timedelta(days=rnd.randrange(days))
            loss, hazard = disaster_of(rnd)
            if kept:
                found.append(
                    make(
                        DisasterReported,
                        id=_id(event, hid, "dis"),
                        household_id=hid,
                        date=on,
                        hazard=hazard,
                        loss=min(loss, MAX_AMOUNT),
                    )
                )
            shocks.append(_shock(on, DISASTER_SHOCK))
        if rnd.random() < s.job_loss_share:
            workers = [m for m in members if m.can_work_on(event) and 16 <= m.age_on(event) < 60]
            if workers:
                kept = self._delivered(rnd, delay)
                on = event + dt.timedelta(days=rnd.randrange(days))
                member = rnd.choice(workers)
                if kept:
                    found.append(
                        make(
                            JobLost,
                            id=_id(event, hid, "job"),
                            household_id=hid,
                            date=on,
                            source=Source.SELF_DECLARED,
                            member_id=member.id,
                        )
                    )
                shocks.append(_shock(on, JOB_LOSS_SHOCK))
        if event.month in s.school_months:
            for number, member in enumerate(members, 1):
                level = level_on(member, event)
                if level is None:
                    continue
                kept = self._delivered(rnd, delay)
                cost = school_cost(rnd, level)
                if kept:
                    found.append(
                        make(
                            SchoolEnrolled,
                            id=_id(event, hid, f"sch{number}"),
                            household_id=hid,
                            date=event,
                            source=Source.DEPARTMENT,
                            member_id=member.id,
                            level=level,
                            annual_cost=cost,
                        )
                    )
        if rnd.random() < s.assessment_share:
            kept = self._delivered(rnd, delay)
            day, ratio, noise = (
                rnd.randint(1, 28),
                lognormal(rnd, self.d.income_median, self.d.income_sigma),
                rnd.gauss(0.0, self.d.income_noise),
            )
            if kept:
                on = event.replace(day=min(history.day if history.day is not None else day, days))
                found.append(self._income(household, history, on, ratio, noise, shocks))
        return found

    def _income(
        self, household: Household, history: History, on: dt.date, ratio: float, noise: float, shocks: Sequence[_Shock]
    ) -> Fact:
        """An income assessment on ``on``: around the household's last known income (moved with the poverty
        line, the shocks since and this month's), times ``exp(noise)``; or, when none is known, at ``ratio``
        times the line (x the population's factor for a household where no one can work), as the generator
        draws one."""
        d = self.d
        known = history.income_before(on.replace(day=1))
        if known is None:
            if not household.has_labour_capacity_on(on):
                ratio *= d.no_labour_factor
            value = self.line(on) * ratio
        else:
            assessed, income = known
            moved = self.line(on) / self.line(assessed) * history.factor(on) / history.factor(assessed)
            value = float(income) * moved
        value *= _factor(shocks, on) * math.exp(noise)
        return self.make(
            IncomeAssessed,
            id=_id(on, household.id, "inc"),
            household_id=household.id,
            date=on,
            income_per_capita=_amount(value, MAX_INCOME_PER_CAPITA),
        )


def _id(event: dt.date, hid: str, suffix: str) -> str:
    """``m<YYYY-MM>-<household id>-<suffix>``: the id of a household's event of month ``event``.

    A household id too long for the fact id to stay within the bounds is replaced by a digest of it.
    """
    month = f"m{event.year:04d}-{event.month:02d}-"
    if len(month) + len(hid) + 1 + len(suffix) > MAX_ID_LENGTH:
        hid = "h" + hashlib.sha256(hid.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{month}{hid}-{suffix}"
