"""The representative inputs the probe runs a policy's components on: situations and facts.

:data:`SITUATIONS` are a few households in each lifecycle state, with an income, a housing
grade, unmet needs and a safety-net grant or not. :func:`sample_facts` gives representative
facts of a kind: the built-in kinds by hand, other kinds by trial, guided by the fact's own
validation.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import attrs

from ..decisions import Grant, Period
from ..errors import InvalidInput
from ..facts import (
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    ReviewCompleted,
    SchoolEnrolled,
)
from ..household import Health, Household, LabourCapacity, Member, Place, Schooling
from ..lifecycle import State

__all__ = ["SITUATIONS", "Situation", "safety_net_grants", "sample_facts"]


class Situation(NamedTuple):
    """A household in a lifecycle state, as a probed component sees it."""

    household: Household
    state: State
    #: The latest per-capita income, or None when never assessed.
    income: int | None
    housing_grade: HousingGrade | None
    unmet_needs: frozenset[BasicNeed]
    #: Whether the household has a safety-net grant (:func:`safety_net_grants`).
    on_safety_net: bool


_WORKER = Household(
    id="probe-a",
    place=Place("District", "Town", "Village"),
    members=(
        Member(id="probe-a-1", birth_date=dt.date(1970, 1, 1)),
        Member(
            id="probe-a-2",
            birth_date=dt.date(1975, 1, 1),
            labour_capacity=LabourCapacity.PARTIAL,
            health=Health.CHRONIC_ILLNESS,
        ),
        Member(
            id="probe-a-3",
            birth_date=dt.date(2008, 1, 1),
            labour_capacity=LabourCapacity.NONE,
            schooling=Schooling.PRIMARY,
        ),
    ),
)
_ALONE = Household(
    id="probe-b",
    place=Place("District"),
    members=(
        Member(
            id="probe-b-1",
            birth_date=dt.date(1940, 1, 1),
            labour_capacity=LabourCapacity.NONE,
            health=Health.DISABLED,
        ),
    ),
)
_A, _B = _WORKER, _ALONE
_NEED = frozenset({BasicNeed.FOOD_AND_CLOTHING})

#: The situations every component is probed in: a working family and an old person living alone.
SITUATIONS: tuple[Situation, ...] = (
    Situation(_A, State.NEW, None, None, frozenset(), False),
    Situation(_A, State.NEW, 1000, None, frozenset(), False),
    Situation(_A, State.STABLE, 20000, HousingGrade.A, frozenset(), False),
    Situation(_A, State.IDENTIFIED, 1000, HousingGrade.D, _NEED, False),
    Situation(_A, State.ASSISTED, 0, HousingGrade.C, frozenset(), True),
    Situation(_A, State.EXITED, 5000, None, frozenset(), False),
    Situation(_A, State.MONITORED, 5000, HousingGrade.B, frozenset(), True),
    Situation(_B, State.RELAPSED, 500, None, _NEED, False),
    Situation(_B, State.MONITORED, 3000, None, frozenset(), False),
    Situation(_B, State.NEW, 2000, None, frozenset(), False),
)


def safety_net_grants(household: Household, on: dt.date) -> tuple[Grant, ...]:
    """The grants of a household on the safety net: 100 yuan a month."""
    return (
        Grant(
            intervention="safety_net",
            household_id=household.id,
            date=on,
            risk_key="probe",
            amount=Decimal(100),
            period=Period.MONTHLY,
        ),
    )


def _builtin_samples(cls: type[Fact], household: Household, on: dt.date) -> list[Fact] | None:
    h, first, last = household.id, household.members[0].id, household.members[-1].id
    costs = [Decimal(c) for c in (0, 3000, 50000)]
    samples: dict[type[Fact], Callable[[], list[Fact]]] = {
        IncomeAssessed: lambda: [
            IncomeAssessed(id="p", household_id=h, date=on, income_per_capita=Decimal(v)) for v in (0, 3000, 20000)
        ],
        IllnessReported: lambda: [
            IllnessReported(id="p", household_id=h, date=on, member_id=m, self_paid_cost=c, hospitalised=True)
            for m in (first, last)
            for c in costs
        ],
        DisasterReported: lambda: [
            DisasterReported(id="p", household_id=h, date=on, hazard="flood", loss=c) for c in costs
        ],
        JobLost: lambda: [JobLost(id="p", household_id=h, date=on, member_id=m) for m in (first, last)],
        MainEarnerLost: lambda: [MainEarnerLost(id="p", household_id=h, date=on, member_id=first)],
        SchoolEnrolled: lambda: [
            SchoolEnrolled(id="p", household_id=h, date=on, member_id=last, level=level, annual_cost=c)
            for level in Schooling
            for c in (Decimal(0), Decimal(20000))
        ],
        HouseAppraised: lambda: [HouseAppraised(id="p", household_id=h, date=on, grade=g) for g in HousingGrade],
        BasicNeedsChecked: lambda: [
            BasicNeedsChecked(id="p", household_id=h, date=on),
            BasicNeedsChecked(id="p", household_id=h, date=on, unmet=_NEED),
        ],
        AssistanceGranted: lambda: [AssistanceGranted(id="p", household_id=h, date=on, measure="probe")],
        ExitVerified: lambda: [ExitVerified(id="p", household_id=h, date=on)],
        ReviewCompleted: lambda: [ReviewCompleted(id="p", household_id=h, date=on, review="probe")],
    }
    make = samples.get(cls)
    return None if make is None else make()


def _options(name: str, hint: object, household: Household, on: dt.date, amount: str) -> list[object]:
    """Values to try for a field of a fact kind we know nothing else about, likeliest first."""
    first: list[object] = [household.members[0].id] if name == "member_id" else []
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        first.append(next(iter(hint)))
    return [*first, amount, "probe", on, False, frozenset(), None]


def sample_facts(cls: type[Fact], household: Household, on: dt.date) -> list[Fact]:
    """Representative facts of ``cls`` about ``household`` on ``on``: built-in kinds by hand; for
    other kinds, values are tried field by field, guided by the fact's own validation (which
    names the field at fault). A kind no sample can be built of gives ``[]``.

    >>> [fact.grade.value for fact in sample_facts(HouseAppraised, SITUATIONS[0].household, dt.date(2016, 1, 1))]
    ['A', 'B', 'C', 'D']
    """
    builtin = _builtin_samples(cls, household, on)
    if builtin is not None:
        return builtin
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # annotations of a module that is gone (a script): go by trial alone
        hints = {}
    names = [f.name for f in attrs.fields(cls) if f.name not in ("id", "household_id", "date", "source")]
    found = []
    for amount in ("0", "3000", "50000"):
        options = {name: _options(name, hints.get(name), household, on, amount) for name in names}
        fact = _first_valid(cls, household, on, options)
        if fact is not None:
            found.append(fact)
    return found


def _first_valid(cls: type[Fact], household: Household, on: dt.date, options: dict[str, list[object]]) -> Fact | None:
    """A fact of ``cls`` from the first options its validation accepts, moving on the field it
    names at fault; None when a field runs out of options or the kind cannot be built."""
    make: Callable[..., Fact] = cls
    pick = dict.fromkeys(options, 0)
    for _ in range(sum(len(values) for values in options.values()) + 1):
        try:
            return make(id="p", household_id=household.id, date=on, **{n: options[n][pick[n]] for n in options})
        except InvalidInput as error:
            field = getattr(error, "field", None)
            if field not in pick or pick[field] + 1 >= len(options[field]):
                return None
            pick[field] += 1
        except (TypeError, ValueError):
            return None  # a kind we cannot build a sample of is not probed
    return None
