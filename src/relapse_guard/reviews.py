"""Scheduled reviews: recurring visits and checks a policy requires, computed with ``rrule``.

A :class:`Review` declares a recurrence (monthly joint review, quarterly inspection, yearly
income accounts, holiday visits), the lifecycle states it applies to and who is responsible.
:func:`review_status` says, as of a date, which are due, overdue (and by how many days) or
done, from the household's ``ReviewCompleted`` facts.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs
from dateutil import rrule

from .lifecycle import State

__all__ = ["Review", "ReviewState", "ReviewStatus", "review_status"]

_FREQUENCIES: dict[str, Literal[0, 1]] = {"monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}


@attrs.frozen(kw_only=True, cache_hash=True)  # a key of the due-date caches, asked per household
class Review:
    """A recurring review: due on the days its recurrence gives, in the states it applies to.

    Use the constructors :meth:`monthly`, :meth:`quarterly` and :meth:`yearly`.
    """

    name: str
    description: str = ""
    frequency: str = attrs.field(validator=attrs.validators.in_(_FREQUENCIES))
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = (1,)
    states: frozenset[State] = frozenset({State.EXITED, State.MONITORED})
    responsible: str = ""
    grace_days: int = 0

    @classmethod
    def monthly(cls, name: str, *, day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of every month (day 1 by default; days past 28 are refused)."""
        _check_day(day)
        return cls(name=name, frequency="monthly", bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def quarterly(cls, name: str, *, day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of January, April, July and October."""
        _check_day(day)
        return cls(name=name, frequency="monthly", bymonth=(1, 4, 7, 10), bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def yearly(cls, name: str, *, months: Iterable[int] = (1,), day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of each of ``months`` every year (e.g. holiday visits)."""
        _check_day(day)
        return cls(name=name, frequency="yearly", bymonth=tuple(months), bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    def last_due(self, since: dt.date, as_of: dt.date) -> dt.date | None:
        """The latest due date in ``[since, as_of]``, or None if none falls there."""
        return _last_due(self, since, as_of)

    def next_due(self, after: dt.date) -> dt.date:
        """The first due date strictly after ``after``."""
        return _next_due(self, after)

    def _last_due(self, since: dt.date, as_of: dt.date) -> dt.date | None:
        rule = rrule.rrule(
            _FREQUENCIES[self.frequency],
            dtstart=dt.datetime.combine(since, dt.time()),
            bymonth=self.bymonth or None,
            bymonthday=self.bymonthday,
        )
        found = rule.before(dt.datetime.combine(as_of, dt.time()), inc=True)
        return None if found is None else found.date()

    def _next_due(self, after: dt.date) -> dt.date:
        rule = rrule.rrule(
            _FREQUENCIES[self.frequency],
            dtstart=dt.datetime.combine(after, dt.time()) + dt.timedelta(days=1),
            bymonth=self.bymonth or None,
            bymonthday=self.bymonthday,
            count=1,
        )
        return next(iter(rule)).date()


# A screen asks the same reviews about the same few dates for every household: rrule is slow,
# and a review's due dates are a pure function of the review and the dates.
@functools.lru_cache(maxsize=65_536)
def _last_due(review: Review, since: dt.date, as_of: dt.date) -> dt.date | None:
    return review._last_due(since, as_of)


@functools.lru_cache(maxsize=65_536)
def _next_due(review: Review, after: dt.date) -> dt.date:
    return review._next_due(after)


def _check_day(day: int) -> None:
    # rrule skips months that lack the day (a monthly review on the 31st would skip April),
    # so a review day must exist in every month.
    if not 1 <= day <= 28:
        raise ValueError(f"review day {day} must be between 1 and 28 so that every month has it")


class ReviewState(enum.Enum):
    """Where a review stands as of a date."""

    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


@attrs.frozen(kw_only=True)
class ReviewStatus:
    """One review of one household as of a date."""

    household_id: str
    review: str
    due_on: dt.date
    state: ReviewState
    days_overdue: int
    responsible: str
    last_done: dt.date | None
    next_due: dt.date


def review_status(
    reviews: Iterable[Review],
    *,
    household_id: str,
    state: State,
    state_since: dt.date,
    completed: Mapping[str, dt.date],
    as_of: dt.date,
) -> tuple[ReviewStatus, ...]:
    """The reviews that apply to a household in ``state`` (entered on ``state_since``) as of ``as_of``.

    ``completed`` maps review names to the latest date each was done. A review whose last due
    date is on or before its last completion is done; otherwise due within its grace days,
    overdue after them. Reviews with no due date yet in the state are left out.
    """
    out = []
    for review in reviews:
        if state not in review.states:
            continue
        due = review.last_due(state_since, as_of)
        if due is None:
            continue
        last_done = completed.get(review.name)
        late = (as_of - due).days - review.grace_days
        if last_done is not None and last_done >= due:
            status, late = ReviewState.DONE, 0
        elif late > 0:
            status = ReviewState.OVERDUE
        else:
            status, late = ReviewState.DUE, 0
        out.append(
            ReviewStatus(
                household_id=household_id,
                review=review.name,
                due_on=due,
                state=status,
                days_overdue=late,
                responsible=review.responsible,
                last_done=last_done,
                next_due=review.next_due(as_of),
            )
        )
    return tuple(out)
