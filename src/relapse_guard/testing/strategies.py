"""Hypothesis strategies for households, members, facts and fact histories.

Money is :class:`~decimal.Decimal` yuan to the fen, dates are :class:`datetime.date`. The
strategies draw *valid* values (facts the library accepts, member ids of the household,
dates in the range asked for) and bias towards the values that move a household through its
lifecycle: incomes on both sides of the poverty line, exits after a recovery, long quiet
spells that end a transition period.

Each strategy checks its arguments when it is called: a value of the wrong type raises
:class:`~relapse_guard.errors.WrongType`, one out of range
:class:`~relapse_guard.errors.InvalidArgument`, naming the argument and the value.

>>> import datetime as dt
>>> from hypothesis import find
>>> household = find(households(max_members=2), lambda h: h.size == 2)
>>> household.size
2
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..bounds import LAST_DATE, MAX_AMOUNT, MAX_INCOME_PER_CAPITA, MAX_MEMBERS, amount_bound
from ..cases.national import NATIONAL_PROCEDURES
from ..cases.procedure import Outcome
from ..errors import InvalidArgument, WrongType, typed_repr
from ..fact_fields import field_specs
from ..facts import (
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    DisasterReported,
    ExitVerified,
    Fact,
    FactCorrected,
    FactRetracted,
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
#: The earliest birth date :func:`members` and :func:`households` draw unless told.
EARLIEST_BIRTH = dt.date(1935, 1, 1)

Dates = SearchStrategy[dt.date] | tuple[dt.date, dt.date]

#: A fact class, as :func:`facts_of` draws it.
F = TypeVar("F", bound=Fact)


# --- checking arguments ----------------------------------------------------------------------


def _whole(caller: str, name: str, value: object) -> int:
    """``value``, an int (not a bool); else :class:`WrongType` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"{caller}: {name} must be an int, not {typed_repr(value)}")
    return value


def _day(caller: str, name: str, value: object) -> dt.date:
    """``value``, a date (not a datetime) up to :data:`~relapse_guard.bounds.LAST_DATE`."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise WrongType(f"{caller}: {name} must be a datetime.date, not {typed_repr(value)}")
    if value > LAST_DATE:
        raise InvalidArgument(
            f"{caller}: {name}={value.isoformat()} is after {LAST_DATE.isoformat()}, the last day facts may be dated"
        )
    return value


def _text(caller: str, name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WrongType(f"{caller}: {name} must be a non-empty str, not {typed_repr(value)}")
    return value


def _household(caller: str, value: object) -> Household:
    if not isinstance(value, Household):
        raise WrongType(
            f"{caller}: household must be a Household (drawn with households(), say), not {typed_repr(value)}"
        )
    return value


def _fact_class(caller: str, name: str, value: object) -> type[Fact]:
    if not (isinstance(value, type) and issubclass(value, Fact)):
        raise WrongType(f"{caller}: {name} must be a Fact subclass such as IllnessReported, not {typed_repr(value)}")
    return value


def _span(caller: str, dates: object) -> tuple[dt.date, dt.date] | None:
    """The ``(first, last)`` of ``dates`` when it is a pair (checked), None for a strategy."""
    if isinstance(dates, SearchStrategy):
        return None
    if not isinstance(dates, tuple) or len(dates) != 2:
        raise WrongType(
            f"{caller}: dates must be a (first, last) pair of dates or a strategy of dates, not {typed_repr(dates)}"
        )
    first, last = _day(caller, "dates[0]", dates[0]), _day(caller, "dates[1]", dates[1])
    if first > last:
        raise InvalidArgument(f"{caller}: dates=({first}, {last}): the first date is after the last")
    return first, last


# --- money, people and households --------------------------------------------------------------


def amounts(*, min_value: int = 0, max_value: int = 100_000) -> SearchStrategy[Decimal]:
    """Non-negative Decimal yuan to the fen, in ``[min_value, max_value]`` yuan; whole yuan most often.

    ``max_value`` is at most :data:`~relapse_guard.bounds.MAX_AMOUNT` (a billion yuan), the
    largest amount a fact takes.

    >>> from hypothesis import find
    >>> find(amounts(min_value=5), lambda a: True)
    Decimal('5')
    """
    _whole("amounts", "min_value", min_value)
    _whole("amounts", "max_value", max_value)
    if not 0 <= min_value <= max_value:
        raise InvalidArgument(
            f"amounts(min_value={min_value}, max_value={max_value}): need 0 <= min_value <= max_value"
        )
    if max_value > MAX_AMOUNT:
        raise InvalidArgument(
            f"amounts(max_value={max_value}): max_value must be at most {MAX_AMOUNT:,}, the largest amount a fact takes"
        )
    whole = st.integers(min_value, max_value).map(Decimal)
    fen = st.integers(min_value * 100, max_value * 100).map(lambda f: Decimal(f) / 100)
    return st.one_of(whole, fen)


def incomes(line: Decimal | int = DEFAULT_LINE) -> SearchStrategy[Decimal]:
    """Annual per-capita incomes around the poverty ``line``: under half of it, just under, just
    over, well over, and exactly on it — the values where identification, exit and relapse turn.

    ``line`` is from 0 to :data:`~relapse_guard.bounds.MAX_INCOME_PER_CAPITA`; no income drawn
    is over that bound (the largest income a fact takes)."""
    if isinstance(line, bool) or not isinstance(line, int | Decimal):
        raise WrongType(f"incomes: line must be a Decimal or an int (yuan a year), not {typed_repr(line)}")
    line = Decimal(line)
    if not line.is_finite() or line < 0 or line > MAX_INCOME_PER_CAPITA:
        raise InvalidArgument(
            f"incomes(line={line}): the poverty line must be a finite amount from 0 to {MAX_INCOME_PER_CAPITA:,} yuan"
        )

    def capped(income: Decimal) -> Decimal:
        return min(income, MAX_INCOME_PER_CAPITA)

    return st.one_of(
        st.just(line),
        st.integers(0, 300).map(lambda percent: capped((line * percent / 100).quantize(Decimal(1)))),
        st.integers(-50, 50).map(lambda delta: capped(max(line + delta, Decimal(0)))),
    )


def members(
    member_id: str,
    *,
    born: tuple[dt.date, dt.date] = (EARLIEST_BIRTH, dt.date(2012, 12, 31)),
) -> SearchStrategy[Member]:
    """A member with id ``member_id``, born in ``born``, of any labour capacity, health and schooling
    (able-bodied and healthy most often)."""
    _text("members", "member_id", member_id)
    first, last = _born("members", born)
    return st.builds(
        Member,
        id=st.just(member_id),
        birth_date=st.dates(first, last),
        labour_capacity=st.sampled_from(
            [LabourCapacity.FULL, LabourCapacity.FULL, LabourCapacity.PARTIAL, LabourCapacity.NONE]
        ),
        health=st.sampled_from([Health.HEALTHY, Health.HEALTHY, *Health]),
        schooling=st.sampled_from([Schooling.NONE, Schooling.NONE, *Schooling]),
    )


def _born(caller: str, born: object) -> tuple[dt.date, dt.date]:
    if not isinstance(born, tuple) or len(born) != 2:
        raise WrongType(f"{caller}: born must be a (first, last) pair of dates, not {typed_repr(born)}")
    first, last = _day(caller, "born[0]", born[0]), _day(caller, "born[1]", born[1])
    if first > last:
        raise InvalidArgument(f"{caller}: born=({first}, {last}): the first date is after the last")
    return first, last


def households(
    *,
    household_id: str | None = None,
    district: str = "Yubei",
    min_members: int = 1,
    max_members: int = 6,
    born_by: dt.date = dt.date(2012, 12, 31),
) -> SearchStrategy[Household]:
    """A household of ``min_members`` to ``max_members`` members (ids ``<household>-1``, ...), all
    born by ``born_by`` (facts dated earlier would be refused), in ``district``.

    ``1 <= min_members <= max_members <=`` :data:`~relapse_guard.bounds.MAX_MEMBERS` (100)."""
    caller = "households"
    if household_id is not None:
        _text(caller, "household_id", household_id)
    _text(caller, "district", district)
    _whole(caller, "min_members", min_members)
    _whole(caller, "max_members", max_members)
    if not 1 <= min_members <= max_members <= MAX_MEMBERS:
        raise InvalidArgument(
            f"households(min_members={min_members}, max_members={max_members}): "
            f"need 1 <= min_members <= max_members <= {MAX_MEMBERS}"
        )
    born_by = _day(caller, "born_by", born_by)
    return _households(household_id, district, min_members, max_members, (min(EARLIEST_BIRTH, born_by), born_by))


@st.composite
def _households(
    draw: st.DrawFn,
    household_id: str | None,
    district: str,
    min_members: int,
    max_members: int,
    born: tuple[dt.date, dt.date],
) -> Household:
    hid = household_id or draw(st.integers(1, 9999).map(lambda n: f"H{n:04d}"))
    size = draw(st.integers(min_members, max_members))
    people = [draw(members(f"{hid}-{n}", born=born)) for n in range(1, size + 1)]
    town = draw(st.sampled_from(["Town", "Luqi", "Dashengzhen"]))
    return Household(id=hid, place=Place(district, town, "Village"), members=people)


# --- facts -------------------------------------------------------------------------------------


def _dates(dates: Dates) -> SearchStrategy[dt.date]:
    if isinstance(dates, tuple):
        start, end = dates
        return st.dates(start, end)
    return dates


def _member_ids(household: Household) -> SearchStrategy[str]:
    return st.sampled_from([m.id for m in household.members])


#: A field's strategy, or a function of the fact's date giving it (a birth date on or before it).
_FieldDraw = SearchStrategy[Any] | Callable[[dt.date], SearchStrategy[Any]]
#: The key of a strategy of several fields drawn together (a dict of them), drawn before the others.
_JOINT = "*"

#: The steps of the shipped procedures, each with the outcomes a record of it may give.
_STEPS = tuple(
    (step.name, step.level, sorted(o.value for o in step.outcomes | ({Outcome.OBJECT} if step.notice else set())))
    for procedure in NATIONAL_PROCEDURES
    for step in procedure.steps
)
_PROCEDURES = tuple(procedure.name for procedure in NATIONAL_PROCEDURES)


def _born_by(on: dt.date) -> SearchStrategy[dt.date]:
    """A birth date on or before ``on`` (1935 to 2000 most often, as the members of a household)."""
    return st.dates(min(EARLIEST_BIRTH, on), min(dt.date(2000, 12, 31), on)) | st.dates(min(EARLIEST_BIRTH, on), on)


def _case_ids(household: Household) -> SearchStrategy[str]:
    return st.integers(0, 9999).map(lambda n: f"{household.id}-c{n:04d}")


@st.composite
def _step_records(draw: st.DrawFn, household: Household) -> dict[str, Any]:
    name, level, outcomes = draw(st.sampled_from(_STEPS))
    return {
        "case_id": draw(_case_ids(household)),
        "step": name,
        "level": level,
        "outcome": draw(st.sampled_from(outcomes)),
        "actor": draw(st.sampled_from(["village cadre", "township official", "county official"])),
    }


def _builtin_fields(household: Household) -> dict[type[Fact], dict[str, _FieldDraw]]:
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
        # the shipped procedures' names, steps, levels and outcomes
        CaseOpened: {
            "case_id": _case_ids(household),
            "procedure": st.sampled_from(_PROCEDURES),
            "reason": st.sampled_from(["", "income under the line", "a large self-paid cost"]),
        },
        # a step of a shipped procedure, at its level, with an outcome it may give
        CaseStepRecorded: {_JOINT: _step_records(household)},
        CaseDecided: {
            "case_id": _case_ids(household),
            "procedure": st.sampled_from(_PROCEDURES),
            "outcome": st.sampled_from(["approved", "rejected"]),
        },
        # a member joining is a new one, born on or before the day; one leaving or dying is of the household
        MemberJoined: {
            "member_id": st.integers(0, 9999).map(lambda n: f"{household.id}-j{n}"),
            "birth_date": _born_by,
            "reason": st.sampled_from(JoinReason),
        },
        MemberLeft: {"member_id": member, "reason": st.sampled_from(LeaveReason)},
        MemberDied: {"member_id": member},
        HouseholdMoved: {"district": st.sampled_from(["Yubei", "Dazu", "Bishan"]), "town": st.just("Town")},
    }


def _field_strategy(
    caller: str, kind: type[Fact], name: str, hint: object, household: Household, span: tuple[dt.date, dt.date]
) -> SearchStrategy[Any]:
    """The strategy of field ``name`` of type ``hint`` of a fact class of one's own: valid values
    of every type a fact field may have; :class:`InvalidArgument` for one it cannot draw."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1 and len(typing.get_args(hint)) == 2:
            return st.none() | _field_strategy(caller, kind, name, inner[0], household, span)
    if name == "member_id" and hint is str:
        return _member_ids(household)
    found = _of_type(hint, name, span)
    if found is None:
        shown = hint.__name__ if isinstance(hint, type) else str(hint)
        raise InvalidArgument(
            f"{caller}: cannot draw field {name!r} of {kind.__name__} (of type {shown}) from its type; "
            f"pass a strategy for it: facts_of({kind.__name__}, household, dates, {name}=st.just(...))"
        )
    return found


def _of_type(hint: object, name: str, span: tuple[dt.date, dt.date]) -> SearchStrategy[Any] | None:
    if hint is Decimal:
        return amounts(max_value=int(min(Decimal(100_000), amount_bound(name))))
    if hint is str:
        return st.sampled_from(["a", "b", "c"])
    if hint is bool:
        return st.booleans()
    if hint is dt.date:
        return st.dates(*span)
    if hint is dt.datetime:  # a moment, with its time zone (UTC, as facts hold it)
        first, last = dt.datetime.combine(span[0], dt.time.min), dt.datetime.combine(span[1], dt.time.max)
        return st.datetimes(first, last, timezones=st.just(dt.UTC))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint)) if len(hint) else None
    if typing.get_origin(hint) is frozenset:
        item = _of_type(typing.get_args(hint)[0], name, span)
        return None if item is None else st.frozensets(item, max_size=3)
    return None


#: The fields :func:`facts_of` gives itself (``id``, ``household_id``, ``date``) or leaves to their defaults.
_NOT_DRAWN = ("id", "household_id", "date", "source", "recorded_at")
#: For each kind that names another fact, the field that must be given, and how.
_TARGETS: dict[type[Fact], tuple[str, str]] = {
    FactRetracted: (
        "retracts",
        "a retraction names an earlier fact of the household, which the household alone does not give; "
        "pass its id: facts_of(FactRetracted, household, dates, retracts=st.sampled_from([f.id for f in facts])), "
        "facts being the household's (a history drawn with histories(), say)",
    ),
    FactCorrected: (
        "replacement",
        "a correction carries an earlier fact of the household as it should have been, which the household "
        "alone does not give; pass it: facts_of(FactCorrected, household, dates, "
        "replacement=facts_of(IncomeAssessed, household, (fact.date, fact.date), fact_id=fact.id)), fact being "
        "one of the household's (of a history drawn with histories(), say); corrects is its id",
    ),
}


def facts_of(
    kind: type[F],
    household: Household,
    dates: Dates,
    *,
    fact_id: str | SearchStrategy[str] | None = None,
    **fields: SearchStrategy[Any],
) -> SearchStrategy[F]:
    """One fact of class ``kind`` about ``household``, dated in ``dates`` (a strategy or a
    ``(first, last)`` pair). Member ids are the household's; amounts are :func:`amounts`.

    Give ``fields`` (strategies by field name) to override a field. A custom fact kind works
    too: its fields are drawn from their types, as facts take them (Decimal as :func:`amounts`,
    ``member_id`` from the household, a date in ``dates`` when it is a pair, a datetime with a
    time zone, an enum's members, ``| None`` as None or a value); name any field whose values
    are narrower than its type allows::

        facts_of(CropFailure, household, (start, end), crop=st.sampled_from(["rice", "citrus"]))

    A :class:`~relapse_guard.facts.FactRetracted` needs ``retracts`` and a
    :class:`~relapse_guard.facts.FactCorrected` its ``replacement`` given (a fact of the
    household's, which the household alone does not give); without them
    :class:`~relapse_guard.errors.InvalidArgument` says how to pass them.
    """
    caller = f"facts_of({getattr(kind, '__name__', kind)}, ...)"
    _fact_class("facts_of", "kind", kind)
    _household(caller, household)
    span = _span(caller, dates)
    if fact_id is not None and not isinstance(fact_id, SearchStrategy):
        _text(caller, "fact_id", fact_id)
    try:
        specs = {spec.name: spec for spec in field_specs(kind)}
    except WrongType:
        raise
    except TypeError as error:  # an annotation that does not resolve
        raise InvalidArgument(f"{caller}: cannot read the field types of {kind.__name__} ({error})") from None
    for name, given in fields.items():
        if name in ("id", "household_id", "date"):
            instead = {"id": "fact_id", "household_id": "household", "date": "dates"}[name]
            raise InvalidArgument(f"{caller}: {name} is not a field to give; pass {instead}= instead")
        if name not in specs:
            known = ", ".join(n for n in specs if n not in _NOT_DRAWN) or "none"
            raise InvalidArgument(f"{caller}: {kind.__name__} has no field {name!r} (its fields: {known})")
        if not isinstance(given, SearchStrategy):
            raise WrongType(f"{caller}: {name} must be a strategy (st.just({given!r}), say), not {typed_repr(given)}")
    target = _TARGETS.get(kind)
    if target is not None and target[0] not in fields:
        raise InvalidArgument(f"{caller}: {target[0]} is not given; {target[1]}")
    base = _builtin_fields(household).get(kind)
    strategies: dict[str, _FieldDraw] = dict(base or {})
    if base is None:
        every_day = span or (dt.date.min, LAST_DATE)
        for name, spec in specs.items():
            if name not in _NOT_DRAWN and name not in fields and not (kind is FactCorrected and name == "corrects"):
                strategies[name] = _field_strategy(caller, kind, name, spec.hint, household, every_day)
    strategies.update(fields)
    if isinstance(fact_id, str):
        ids: SearchStrategy[str] = st.just(fact_id)
    else:
        ids = fact_id or st.integers(0, 10**6).map(lambda n: f"f{n}")
    return _facts(kind, household.id, _dates(dates), ids, strategies, own_id=fact_id is None)


@st.composite
def _facts(
    draw: st.DrawFn,
    kind: type[F],
    household_id: str,
    dates: SearchStrategy[dt.date],
    ids: SearchStrategy[str],
    strategies: Mapping[str, _FieldDraw],
    *,
    own_id: bool,
) -> F:
    on = draw(dates)
    values: dict[str, Any] = {}
    for name, drawn in sorted(strategies.items(), key=lambda item: item[0] != _JOINT):
        value = draw(drawn if isinstance(drawn, SearchStrategy) else drawn(on))
        if name == _JOINT:
            values.update(value)
        else:
            values[name] = value
    if kind is FactCorrected and "corrects" not in values:
        values["corrects"] = values["replacement"].id
    fid = draw(ids)
    if own_id and fid in (values.get("corrects"), values.get("retracts")):
        fid += "-v"  # a correction or retraction is another fact than the one it names
    return kind(id=fid, household_id=household_id, date=on, **values)


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


#: The most facts one episode of :func:`histories` adds (a recovery: an income under the line, then five).
_MOST_A_EPISODE = 6


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
    ``<household>-f<n>``, ``n`` zero-padded so that the ids sort in the order the facts were
    drawn (``H1-f00``, ``H1-f01``, ... with up to 12 episodes).

    It is a sequence of episodes a day to a few years apart: an income under the poverty
    line (``policy``'s on that date; 3600 yuan without a policy), any income, a shock (illness,
    disaster, job loss, loss of the main earner, school enrolment), a house appraisal, a
    needs check, assistance, a quiet spell, or a *recovery*: an income under the line, then,
    on a later day, a safe house, needs met, an income over the line, assistance and a
    verified exit (facts of one day are applied in that order, by kind, so the exit comes last).

    Exits come only in recoveries, after an income under the line and assistance, so under a
    policy that identifies households with an income under the line they never ask for a move
    the lifecycle lacks; other policies may raise
    :class:`~relapse_guard.errors.InvalidTransition` on them. ``extra`` maps more fact kinds
    (a policy's own) to a function of the date giving a strategy, e.g. ``lambda on:
    facts_of(CropFailure, household, (on, on))``.
    """
    caller = "histories"
    _household(caller, household)
    start, end = _day(caller, "start", start), _day(caller, "end", end)
    if start > end:
        raise InvalidArgument(f"histories(start={start}, end={end}): start is after end")
    if policy is not None and not isinstance(policy, Policy):
        hint = f": call load_policy({policy!r}) to get one" if isinstance(policy, str) else ""
        raise WrongType(f"{caller}: policy must be a Policy or None, not {typed_repr(policy)}{hint}")
    _whole(caller, "max_episodes", max_episodes)
    if max_episodes < 1:
        raise InvalidArgument(f"histories(max_episodes={max_episodes}): max_episodes must be at least 1")
    if isinstance(shocks, str | bytes) or not isinstance(shocks, Sequence):
        raise WrongType(f"{caller}: shocks must be a sequence of fact classes, not {typed_repr(shocks)}")
    for index, kind in enumerate(shocks):
        _drawable(caller, f"shocks[{index}]", kind)
    if extra is not None and not isinstance(extra, Mapping):
        raise WrongType(f"{caller}: extra must be a mapping of fact classes to functions, not {typed_repr(extra)}")
    for kind, make in (extra or {}).items():
        _fact_class(caller, "a key of extra", kind)
        if not callable(make):
            raise WrongType(
                f"{caller}: extra[{kind.__name__}] must be a function of the date giving a strategy, "
                f"not {typed_repr(make)}"
            )
    born = max(m.birth_date for m in household.members)
    if born > start:
        raise InvalidArgument(
            f"histories: member born on {born} after start {start}; an income assessed before a birth is refused "
            f"(start the history on or after {born})"
        )
    width = len(str(_MOST_A_EPISODE * max_episodes - 1))
    return _histories(household, start, end, policy, max_episodes, width, tuple(shocks), dict(extra or {}))


def _drawable(caller: str, name: str, kind: object) -> None:
    """``kind`` is a fact class :func:`facts_of` draws from the household alone."""
    kind = _fact_class(caller, name, kind)
    if kind in _TARGETS:
        raise InvalidArgument(
            f"{caller}: {name} is {kind.__name__}, which names another fact of the household: "
            f"give it in extra, drawn with facts_of({kind.__name__}, ..., {_TARGETS[kind][0]}=...)"
        )


@st.composite
def _histories(
    draw: st.DrawFn,
    household: Household,
    start: dt.date,
    end: dt.date,
    policy: Policy | None,
    max_episodes: int,
    width: int,
    shocks: tuple[type[Fact], ...],
    extra: dict[type[Fact], Callable[[dt.date], SearchStrategy[Fact]]],
) -> list[Fact]:
    history = _History(draw, household, extra, width)
    kinds = [*shocks, *extra]
    on = start
    for number in range(draw(st.integers(1, max_episodes))):
        # a day apart at least: a fact of the next episode on a recovery's day would be applied
        # before its exit (facts of a day by kind), and the exit refused
        on += dt.timedelta(days=draw(st.integers(0 if number == 0 else 1, 200) | st.integers(200, 1500)))
        if on > end:
            break
        episode = draw(st.sampled_from(_EPISODES))
        if episode in ("low_income", "recovery"):
            low = _line(policy, on) * draw(st.integers(0, 95)) / 100
            history.add(IncomeAssessed, on, income_per_capita=st.just(low.quantize(Decimal(1))))
        if episode == "recovery":
            if on == end:
                break  # no later day left to recover on
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
        width: int,
    ) -> None:
        self.draw = draw
        self.household = household
        self.extra = extra
        self.width = width
        self.facts: list[Fact] = []

    def add(self, kind: type[Fact], on: dt.date, **fields: SearchStrategy[Any]) -> None:
        fact_id = f"{self.household.id}-f{len(self.facts):0{self.width}d}"
        custom = self.extra.get(kind)
        if custom is not None:
            self.facts.append(attrs.evolve(self.draw(custom(on)), id=fact_id))
        else:
            self.facts.append(self.draw(facts_of(kind, self.household, (on, on), fact_id=fact_id, **fields)))
