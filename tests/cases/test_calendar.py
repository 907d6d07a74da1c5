"""Deadlines in calendar and working days: weekends, holidays, worked weekend days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.cases import Procedure, Step, WorkingCalendar

from .strategies import calendars, days_2016, naive_due

D = dt.date
NATIONAL_DAY_2016 = [D(2016, 10, 3), D(2016, 10, 4), D(2016, 10, 5), D(2016, 10, 6), D(2016, 10, 7)]
WORKED_2016 = [D(2016, 10, 8), D(2016, 10, 9)]  # the Saturday and Sunday worked in exchange


def test_calendar_days_ignore_weekends_and_holidays() -> None:
    cal = WorkingCalendar(holidays=NATIONAL_DAY_2016)
    assert cal.due(D(2016, 7, 1), 3, working_days=False) == D(2016, 7, 4)  # Friday + 3 = Monday
    assert cal.due(D(2016, 10, 1), 5, working_days=False) == D(2016, 10, 6)  # in the holiday: it stays there


def test_working_days_skip_weekends() -> None:
    cal = WorkingCalendar()
    assert cal.due(D(2016, 7, 1), 1, working_days=True) == D(2016, 7, 4)  # Friday -> Monday
    assert cal.due(D(2016, 7, 1), 3, working_days=True) == D(2016, 7, 6)  # Friday -> Wednesday
    assert cal.due(D(2016, 7, 2), 1, working_days=True) == D(2016, 7, 4)  # arrived on a Saturday
    assert cal.due(D(2016, 7, 4), 5, working_days=True) == D(2016, 7, 11)


def test_working_days_skip_holidays_and_count_worked_weekends() -> None:
    cal = WorkingCalendar(holidays=NATIONAL_DAY_2016, workdays=WORKED_2016)
    # Friday 30 September + 1 working day: the holiday week is skipped, Saturday 8 October is worked
    assert cal.due(D(2016, 9, 30), 1, working_days=True) == D(2016, 10, 8)
    assert cal.due(D(2016, 9, 30), 3, working_days=True) == D(2016, 10, 10)
    assert WorkingCalendar(holidays=NATIONAL_DAY_2016).due(D(2016, 9, 30), 1, working_days=True) == D(2016, 10, 10)


def test_zero_days_is_the_arrival_day_and_negative_is_refused() -> None:
    assert WorkingCalendar().due(D(2016, 7, 2), 0, working_days=True) == D(2016, 7, 2)
    with pytest.raises(ValueError, match="negative"):
        WorkingCalendar().due(D(2016, 7, 2), -1, working_days=False)


def test_a_day_cannot_be_both_holiday_and_worked() -> None:
    with pytest.raises(ValueError, match="2016-10-08"):
        WorkingCalendar(holidays=[D(2016, 10, 8)], workdays=[D(2016, 10, 8)])
    with pytest.raises(TypeError):
        WorkingCalendar(holidays=[dt.datetime(2016, 10, 8)])


@given(cal=calendars(), arrived=days_2016, days=st.integers(0, 12), working=st.booleans())
def test_due_date_counts_days_one_by_one(cal: WorkingCalendar, arrived: dt.date, days: int, working: bool) -> None:
    step = Step(name="s", level="l", deadline_days=days, working_days=working)
    due = cal.due(arrived, days, working_days=working)
    assert due == naive_due(Procedure(name="p", steps=[step], calendar=cal), step, arrived)
    if working and days:
        assert cal.is_working_day(due)
        between = [arrived + dt.timedelta(days=n) for n in range(1, (due - arrived).days + 1)]
        assert sum(cal.is_working_day(day) for day in between) == days


@given(holidays=st.lists(days_2016, max_size=8), arrived=days_2016, days=st.integers(0, 10))
def test_holidays_in_any_order_give_the_same_deadline(holidays: list[dt.date], arrived: dt.date, days: int) -> None:
    forward = WorkingCalendar(holidays=holidays)
    backward = WorkingCalendar(holidays=list(reversed(holidays)))
    assert forward == backward
    assert forward.due(arrived, days, working_days=True) == backward.due(arrived, days, working_days=True)
