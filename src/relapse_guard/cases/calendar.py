"""Deadline arithmetic: calendar days and working days, with holidays and worked weekend days.

A step's deadline is a number of days counted from the day the case arrived at the step
(the day the previous step was done, or the case opened, sent back, objected to or appealed).
The arrival day itself is never counted:

- **calendar days**: due ``arrived + days`` (``relativedelta(days=days)``); a deadline that
  falls on a weekend or a holiday stays there;
- **working days**: due on the ``days``-th working day after the arrival day. Working days are
  Monday to Friday (``rrule(DAILY, byweekday=MO..FR)``), minus the calendar's holidays, plus
  its worked weekend days (China moves working days onto weekends around long holidays).
  A step that arrives on a Friday with 3 working days is due the next Wednesday.

Zero days means due on the arrival day itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import attrs
from dateutil import rrule
from dateutil.relativedelta import relativedelta

from ..errors import InvalidArgument, WrongType

__all__ = ["WorkingCalendar"]

_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR)


def _dates(items: Iterable[dt.date]) -> frozenset[dt.date]:
    found = frozenset(items)
    for item in found:
        if isinstance(item, dt.datetime) or not isinstance(item, dt.date):
            raise WrongType(f"calendar days must be dates, not {item!r}")
    return found


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@attrs.frozen
class WorkingCalendar:
    """Which days are working days: Monday to Friday, minus ``holidays``, plus ``workdays``.

    ``holidays`` are public holidays on weekdays; ``workdays`` are weekend days worked in
    exchange (调休). Both are sets, so the order they are given in changes nothing.

    >>> cal = WorkingCalendar(holidays=[dt.date(2016, 10, 3)])
    >>> cal.due(dt.date(2016, 9, 30), 3, working_days=True)  # Fri; Mon 3 Oct is a holiday
    datetime.date(2016, 10, 6)
    >>> cal.due(dt.date(2016, 9, 30), 3, working_days=False)
    datetime.date(2016, 10, 3)
    """

    holidays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_dates)
    workdays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_dates)

    def __attrs_post_init__(self) -> None:
        both = sorted(self.holidays & self.workdays)
        if both:
            raise InvalidArgument(f"{both[0].isoformat()} is both a holiday and a worked day")

    def is_working_day(self, day: dt.date) -> bool:
        """True on a working day of this calendar."""
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.workdays

    def due(self, arrived: dt.date, days: int, *, working_days: bool) -> dt.date:
        """The deadline ``days`` (calendar or working) days after ``arrived``, which is not counted."""
        if days < 0:
            raise InvalidArgument(f"a deadline of {days} days is negative")
        if days == 0:
            return arrived
        if not working_days:
            return arrived + relativedelta(days=days)
        rules = rrule.rruleset()
        rules.rrule(rrule.rrule(rrule.DAILY, dtstart=_midnight(arrived + dt.timedelta(days=1)), byweekday=_WEEKDAYS))
        for holiday in self.holidays:
            rules.exdate(_midnight(holiday))
        for workday in self.workdays:
            if workday > arrived:
                rules.rdate(_midnight(workday))
        found = next(itertools.islice(iter(rules), days - 1, None))
        return found.date()

    def merged(self, other: WorkingCalendar) -> WorkingCalendar:
        """A calendar with the holidays and worked days of both."""
        return WorkingCalendar(self.holidays | other.holidays, self.workdays | other.workdays)
