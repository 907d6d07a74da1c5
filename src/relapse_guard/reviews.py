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

from .errors import InvalidReview
from .lifecycle import State

__all__ = ["Review", "ReviewState", "ReviewStatus", "review_status"]

_FREQUENCIES: dict[str, Literal[0, 1]] = {"monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}

#: The days every month has: 1 to 28 from the start, -1 (the last day) to -28 from the end.
_DAYS_EXPECTED = (
    "a day every month has: 1 to 28, or -1 for the last day of the month (-2 the day before it, down to -28); "
    "a day past the 28th would skip the months that lack it"
)


def _valid_day(day: object) -> bool:
    return isinstance(day, int) and not isinstance(day, bool) and (1 <= day <= 28 or -28 <= day <= -1)


def _check_frequency(review: Review, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in _FREQUENCIES:
        raise InvalidReview(review.name, "frequency", value, f"one of {', '.join(sorted(_FREQUENCIES))}")


def _check_months(review: Review, attribute: attrs.Attribute[tuple[int, ...]], value: tuple[int, ...]) -> None:
    for month in value:
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise InvalidReview(review.name, "month", month, "months numbered 1 (January) to 12 (December)")


def _check_days(review: Review, attribute: attrs.Attribute[tuple[int, ...]], value: tuple[int, ...]) -> None:
    if not value:
        raise InvalidReview(review.name, "day", value, "at least one day")
    for day in value:
        if not _valid_day(day):
            raise InvalidReview(review.name, "day", day, _DAYS_EXPECTED)


@attrs.frozen(kw_only=True, cache_hash=True)  # a key of the due-date caches, asked per household
class Review:
    """A recurring review: due on the days its recurrence gives, in the states it applies to.

    Use the constructors :meth:`monthly`, :meth:`quarterly` and :meth:`yearly`. A review is
    due in every month it names (``bymonth``; every month when empty): its days must exist in
    every month, 1 to 28, or counted from the month's end, ``-1`` for the last day (the 31st in
    January, the 28th or 29th in February, the 30th in April). A day past the 28th would skip
    the months that lack it, and raises :class:`~relapse_guard.errors.InvalidReview` naming it.

    >>> Review.monthly("accounts", day=-1).due_dates(dt.date(2016, 1, 1), dt.date(2016, 4, 30))
    (datetime.date(2016, 1, 31), datetime.date(2016, 2, 29), datetime.date(2016, 3, 31), datetime.date(2016, 4, 30))
    """

    name: str
    description: str = ""
    frequency: str = attrs.field(validator=_check_frequency)
    bymonth: tuple[int, ...] = attrs.field(default=(), validator=_check_months)
    bymonthday: tuple[int, ...] = attrs.field(default=(1,), validator=_check_days)
    states: frozenset[State] = frozenset({State.EXITED, State.MONITORED})
    responsible: str = ""
    grace_days: int = 0

    @classmethod
    def monthly(cls, name: str, *, day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of every month (day 1 by default; ``-1`` the last day; days past 28 are refused)."""
        _check_day(name, day)
        return cls(name=name, frequency="monthly", bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def quarterly(cls, name: str, *, day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of January, April, July and October (``-1``: their last day)."""
        _check_day(name, day)
        return cls(name=name, frequency="monthly", bymonth=(1, 4, 7, 10), bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def yearly(cls, name: str, *, months: Iterable[int] = (1,), day: int = 1, **kwargs: object) -> Review:
        """Due on ``day`` of each of ``months`` every year (e.g. holiday visits; ``-1``: their last day)."""
        _check_day(name, day)
        return cls(name=name, frequency="yearly", bymonth=tuple(months), bymonthday=(day,), **kwargs)  # type: ignore[arg-type]

    @property
    def months(self) -> tuple[int, ...]:
        """The months the review is due in: ``bymonth``, or all twelve when it names none."""
        return tuple(sorted(set(self.bymonth))) if self.bymonth else tuple(range(1, 13))

    def due_dates(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """Every due date from ``start`` to ``end``, both included."""
        rule = rrule.rrule(
            _FREQUENCIES[self.frequency],
            dtstart=dt.datetime.combine(start, dt.time()),
            until=dt.datetime.combine(end, dt.time()),
            bymonth=self.bymonth or None,
            bymonthday=self.bymonthday,
        )
        return tuple(found.date() for found in rule)

    def skipped_months(self, year: int) -> tuple[int, ...]:
        """The months of ``year`` the review names but has no due date in (``()`` for a sound schedule)."""
        due = {d.month for d in self.due_dates(dt.date(year, 1, 1), dt.date(year, 12, 31))}
        return tuple(month for month in self.months if month not in due)

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


def _check_day(name: str, day: object) -> None:
    # rrule skips months that lack the day (a monthly review on the 31st would skip April),
    # so a review day must exist in every month.
    if not _valid_day(day):
        raise InvalidReview(name, "day", day, _DAYS_EXPECTED)


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
