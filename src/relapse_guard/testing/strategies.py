"""Hypothesis strategies for households, members, facts and fact histories.

Money is :class:`~decimal.Decimal` yuan to the fen, dates are :class:`datetime.date`. The
strategies draw *valid* values (facts the library accepts, member ids of the household,
dates in the range asked for) and bias towards the values that move a household through its
lifecycle: incomes on both sides of the poverty line, exits after a recovery, long quiet
spells that end a transition period.

>>> import datetime as dt
>>> from hypothesis import find
>>> household = find(households(max_members=2), lambda h: h.size == 2)
>>> household.size
2
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ..facts import (
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    HouseholdMoved,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    JoinReason,
    LeaveReason,
    MainEarnerLost,
    MemberDied,
    MemberJoined,
    MemberLeft,
    ReviewCompleted,
    SchoolEnrolled,
)
from ..household import Health, Household, LabourCapacity, Member, Place, Schooling
from ..policy import Policy

__all__ = [
    "amounts",
    "facts_of",
    "histories",
    "households",
    "incomes",
    "members",
]

#: The Chongqing 2016 poverty line, used to place incomes when no policy is given.
DEFAULT_LINE = Decimal(3600)

Dates = SearchStrategy[dt.date] | tuple[dt.date, dt.date]


def amounts(*, min_value: int = 0, max_value: int = 100_000) -> SearchStrategy[Decimal]:
    """Non-negative Decimal yuan to the fen, in ``[min_value, max_value]`` yuan; whole yuan most often.

    >>> from hypothesis import find
    >>> find(amounts(min_value=5), lambda a: True)
    Decimal('5')
    """
    if not 0 <= min_value <= max_value:
        raise InvalidArgument(
            f"amounts(min_value={min_value}, max_value={max_value}): need 0 <= min_value <= max_value"
        )
    whole = st.integers(min_value, max_value).map(Decimal)
    fen = st.integers(min_value * 100, max_value * 100).map(lambda f: Decimal(f) / 100)
    return st.one_of(whole, fen)


def incomes(line: Decimal | int = DEFAULT_LINE) -> SearchStrategy[Decimal]:
    """Annual per-capita incomes around the poverty ``line``: under half of it, just under, just
    over, well over, and exactly on it — the values where identification, exit and relapse turn."""
    line = Decimal(line)
    return st.one_of(
        st.just(line),
        st.integers(0, 300).map(lambda percent: (line * percent / 100).quantize(Decimal(1))),
        st.integers(-50, 50).map(lambda delta: max(line + delta, Decimal(0))),
    )


def members(
    member_id: str,
    *,
    born: tuple[dt.date, dt.date] = (dt.date(1935, 1, 1), dt.date(2012, 12, 31)),
) -> SearchStrategy[Member]:
    """A member with id ``member_id``, born in ``born``, of any labour capacity, health and schooling
    (able-bodied and healthy most often)."""
    return st.builds(
        Member,
        id=st.just(member_id),
        birth_date=st.dates(*born),
        labour_capacity=st.sampled_from(
            [LabourCapacity.FULL, LabourCapacity.FULL, LabourCapacity.PARTIAL, LabourCapacity.NONE]
        ),
        health=st.sampled_from([Health.HEALTHY, Health.HEALTHY, *Health]),
        schooling=st.sampled_from([Schooling.NONE, Schooling.NONE, *Schooling]),
    )


@st.composite
def households(
    draw: st.DrawFn,
    *,
    household_id: str | None = None,
    district: str = "Yubei",
    min_members: int = 1,
    max_members: int = 6,
    born_by: dt.date = dt.date(2012, 12, 31),
) -> Household:
    """A household of ``min_members`` to ``max_members`` members (ids ``<household>-1``, ...), all
    born by ``born_by`` (facts dated earlier would be refused), in ``district``."""
    if not 1 <= min_members <= max_members:
        raise InvalidArgument(f"households(min_members={min_members}, max_members={max_members}): need 1 <= min <= max")
    hid = household_id or draw(st.integers(1, 9999).map(lambda n: f"H{n:04d}"))
    size = draw(st.integers(min_members, max_members))
    people = [draw(members(f"{hid}-{n}", born=(dt.date(1935, 1, 1), born_by))) for n in range(1, size + 1)]
    town = draw(st.sampled_from(["Town", "Luqi", "Dashengzhen"]))
    return Household(id=hid, place=Place(district, town, "Village"), members=people)


def _dates(dates: Dates) -> SearchStrategy[dt.date]:
    if isinstance(dates, tuple):
        start, end = dates
        return st.dates(start, end)
    return dates


def _member_ids(household: Household) -> SearchStrategy[str]:
    return st.sampled_from([m.id for m in household.members])


def _builtin_fields(household: Household) -> dict[type[Fact], dict[str, SearchStrategy[Any]]]:
    member = _member_ids(household)
    return {
        IncomeAssessed: {"income_per_capita": incomes()},
        ExitVerified: {},
        AssistanceGranted: {"measure": st.sampled_from(["industry project", "public job", "relocation"])},
        IllnessReported: {
            "member_id": member,
            "self_paid_cost": amounts(max_value=80_000),
            "hospitalised": st.booleans(),
        },
        DisasterReported: {"hazard": st.sampled_from(["flood", "landslide", "hail", "fire"]), "loss": amounts()},
        JobLost: {"member_id": member},
        MainEarnerLost: {"member_id": member, "cause": st.sampled_from(["death", "disability"])},
        SchoolEnrolled: {
            "member_id": member,
            "level": st.sampled_from(Schooling),
            "annual_cost": amounts(max_value=30_000),
        },
        HouseAppraised: {"grade": st.sampled_from([HousingGrade.A, HousingGrade.B, *HousingGrade])},
        BasicNeedsChecked: {"unmet": st.frozensets(st.sampled_from(BasicNeed), max_size=2)},
        ReviewCompleted: {
            "review": st.sampled_from(["income_account", "joint_review"]),
            "responsible": st.just("cadre"),
        },
        # a member joining is a new one; one leaving or dying is of the household
        MemberJoined: {
            "member_id": st.integers(0, 9999).map(lambda n: f"{household.id}-j{n}"),
            "birth_date": st.dates(dt.date(1935, 1, 1), dt.date(2000, 12, 31)),
            "reason": st.sampled_from(JoinReason),
        },
        MemberLeft: {"member_id": member, "reason": st.sampled_from(LeaveReason)},
        MemberDied: {"member_id": member},
        HouseholdMoved: {"district": st.sampled_from(["Yubei", "Dazu", "Bishan"]), "town": st.just("Town")},
    }


def _inferred(name: str, hint: object, household: Household) -> SearchStrategy[Any]:
    if name == "member_id":
        return _member_ids(household)
    if hint is Decimal:
        return amounts()
    if hint is str:
        return st.sampled_from(["a", "b", "c"])
    return st.from_type(typing.cast(type, hint))


def facts_of(
    kind: type[Fact],
    household: Household,
    dates: Dates,
    *,
    fact_id: str | SearchStrategy[str] | None = None,
    **fields: SearchStrategy[Any],
) -> SearchStrategy[Fact]:
    """One fact of class ``kind`` about ``household``, dated in ``dates`` (a strategy or a
    ``(first, last)`` pair). Member ids are the household's; amounts are :func:`amounts`.

    Give ``fields`` (strategies by field name) to override a field. A custom fact kind works
    too: its fields are drawn from their types (Decimal as :func:`amounts`, ``member_id`` from
    the household); name any field whose type hypothesis cannot draw::

        facts_of(CropFailure, household, (start, end), crop=st.sampled_from(["rice", "citrus"]))
    """
    if not (isinstance(kind, type) and issubclass(kind, Fact)):
        raise InvalidArgument(f"facts_of({kind!r}, ...): kind must be a Fact subclass such as IllnessReported")
    base = _builtin_fields(household).get(kind)
    strategies: dict[str, SearchStrategy[Any]] = dict(base or {})
    if base is None:
        try:
            hints = typing.get_type_hints(kind)
        except NameError as error:
            raise InvalidArgument(
                f"cannot read the field types of {kind.__name__} ({error}); pass a strategy for each field, "
                f"e.g. facts_of({kind.__name__}, household, dates, field=st.just(...))"
            ) from None
        for field in attrs.fields(kind):
            if field.name not in ("id", "household_id", "date", "source", "recorded_at") and field.name not in fields:
                strategies[field.name] = _inferred(field.name, hints.get(field.name), household)
    strategies.update(fields)
    ids = st.just(fact_id) if isinstance(fact_id, str) else fact_id or st.integers(0, 10**6).map(lambda n: f"f{n}")
    return st.builds(kind, id=ids, household_id=st.just(household.id), date=_dates(dates), **strategies)


def _line(policy: Policy | None, on: dt.date) -> Decimal:
    if policy is None or "poverty_line" not in policy.parameters:
        return DEFAULT_LINE
    parameter = policy.parameters.get("poverty_line")
    value = parameter.at(max(on, parameter.first_date)).value
    return value if isinstance(value, Decimal) else DEFAULT_LINE


#: Episode names of :func:`histories`, repeated to weight them.
_EPISODES = (
    "low_income",
    "low_income",
    "income",
    "recovery",
    "recovery",
    "shock",
    "shock",
    "shock",
    "house",
    "needs",
    "assistance",
    "quiet",
)
_SHOCKS: tuple[type[Fact], ...] = (IllnessReported, DisasterReported, JobLost, MainEarnerLost, SchoolEnrolled)


def histories(
    household: Household,
    start: dt.date,
    end: dt.date,
    *,
    policy: Policy | None = None,
    max_episodes: int = 12,
    shocks: Sequence[type[Fact]] = _SHOCKS,
    extra: Mapping[type[Fact], Callable[[dt.date], SearchStrategy[Fact]]] | None = None,
) -> SearchStrategy[list[Fact]]:
    """A plausible history of ``household`` between ``start`` and ``end``, in date order, with ids
    ``<household>-f<n>``.

    It is a sequence of episodes a few days to a few years apart: an income under the poverty
    line (``policy``'s on that date; 3600 yuan without a policy), any income, a shock (illness,
    disaster, job loss, loss of the main earner, school enrolment), a house appraisal, a
    needs check, assistance, a quiet spell, or a *recovery*: an income under the line, then a
    safe house, needs met, an income over the line, assistance and a verified exit.

    Exits come only in recoveries, after an income under the line and assistance, so under a
    policy that identifies households with an income under the line they never ask for a move
    the lifecycle lacks; other policies may raise
    :class:`~relapse_guard.errors.InvalidTransition` on them. ``extra`` maps more fact kinds
    (a policy's own) to a function of the date giving a strategy, e.g. ``lambda on:
    facts_of(CropFailure, household, (on, on))``.
    """
    if start > end:
        raise InvalidArgument(f"histories(start={start}, end={end}): start is after end")
    born = max(m.birth_date for m in household.members)
    if born > start:
        raise InvalidArgument(
            f"histories: member born on {born} after start {start}; an income assessed before a birth is refused "
            f"(start the history on or after {born})"
        )
    return _histories(household, start, end, policy, max_episodes, tuple(shocks), dict(extra or {}))


@st.composite
def _histories(
    draw: st.DrawFn,
    household: Household,
    start: dt.date,
    end: dt.date,
    policy: Policy | None,
    max_episodes: int,
    shocks: tuple[type[Fact], ...],
    extra: dict[type[Fact], Callable[[dt.date], SearchStrategy[Fact]]],
) -> list[Fact]:
    history = _History(draw, household, extra)
    kinds = [*shocks, *extra]
    on = start
    for _ in range(draw(st.integers(1, max_episodes))):
        on += dt.timedelta(days=draw(st.integers(0, 200) | st.integers(200, 1500)))
        if on > end:
            break
        episode = draw(st.sampled_from(_EPISODES))
        if episode in ("low_income", "recovery"):
            low = _line(policy, on) * draw(st.integers(0, 95)) / 100
            history.add(IncomeAssessed, on, income_per_capita=st.just(low.quantize(Decimal(1))))
        if episode == "recovery":
            on = min(on + dt.timedelta(days=draw(st.integers(1, 400))), end)
            high = _line(policy, on) * draw(st.integers(101, 300)) / 100
            history.add(HouseAppraised, on, grade=st.just(HousingGrade.A))
            history.add(BasicNeedsChecked, on, unmet=st.just(frozenset()))
            history.add(IncomeAssessed, on, income_per_capita=st.just(high.quantize(Decimal(1))))
            history.add(AssistanceGranted, on)
            history.add(ExitVerified, on)
        elif episode == "income":
            history.add(IncomeAssessed, on, income_per_capita=incomes(_line(policy, on)))
        elif episode == "shock" and kinds:
            history.add(draw(st.sampled_from(kinds)), on)
        elif episode in _PLAIN:
            history.add(_PLAIN[episode], on)
    return history.facts


_PLAIN: dict[str, type[Fact]] = {"house": HouseAppraised, "needs": BasicNeedsChecked, "assistance": AssistanceGranted}


class _History:
    """Facts drawn one by one, numbered in order."""

    def __init__(
        self,
        draw: st.DrawFn,
        household: Household,
        extra: Mapping[type[Fact], Callable[[dt.date], SearchStrategy[Fact]]],
    ) -> None:
        self.draw = draw
        self.household = household
        self.extra = extra
        self.facts: list[Fact] = []

    def add(self, kind: type[Fact], on: dt.date, **fields: SearchStrategy[Any]) -> None:
        fact_id = f"{self.household.id}-f{len(self.facts)}"
        custom = self.extra.get(kind)
        if custom is not None:
            self.facts.append(attrs.evolve(self.draw(custom(on)), id=fact_id))
        else:
            self.facts.append(self.draw(facts_of(kind, self.household, (on, on), fact_id=fact_id, **fields)))
