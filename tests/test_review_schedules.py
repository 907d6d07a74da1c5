"""Review schedules never skip a month they name: days past the 28th are refused, ``day=-1`` is the last day."""

from __future__ import annotations

import calendar
import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.errors import InvalidPolicy, InvalidReview, RelapseGuardError
from relapse_guard.reviews import Review

D = dt.date

VALID_DAYS = st.one_of(st.integers(1, 28), st.integers(-28, -1))


@pytest.mark.parametrize("day", [29, 30, 31, 0, -29, 32])
@pytest.mark.parametrize("make", [Review.monthly, Review.quarterly, Review.yearly])
def test_a_day_some_months_lack_is_refused_by_the_constructors(make: object, day: int) -> None:
    with pytest.raises(InvalidReview) as info:
        make("accounts", day=day)  # type: ignore[operator]
    error = info.value
    assert isinstance(error, RelapseGuardError)
    assert isinstance(error, InvalidPolicy)
    assert isinstance(error, ValueError)
    assert (error.review, error.field, error.value) == ("accounts", "day", day)
    assert f"day {day}" in str(error)
    assert "-1 for the last day" in str(error)


@pytest.mark.parametrize("days", [(31,), (1, 30), (29,), ()])
def test_a_review_built_directly_with_a_day_some_months_lack_is_refused(days: tuple[int, ...]) -> None:
    with pytest.raises(InvalidReview, match="'visit': day"):
        Review(name="visit", frequency="monthly", bymonthday=days)


def test_months_and_frequency_are_checked() -> None:
    with pytest.raises(InvalidReview, match="month 13"):
        Review(name="visit", frequency="yearly", bymonth=(1, 13))
    with pytest.raises(InvalidReview, match="frequency 'fortnightly'"):
        Review(name="visit", frequency="fortnightly")


def test_the_last_day_of_every_month() -> None:
    review = Review.monthly("month_end", day=-1)
    assert review.due_dates(D(2017, 1, 1), D(2017, 12, 31)) == tuple(
        D(2017, month, calendar.monthrange(2017, month)[1]) for month in range(1, 13)
    )
    assert review.last_due(D(2016, 1, 15), D(2016, 3, 30)) == D(2016, 2, 29)
    assert review.next_due(D(2016, 3, 31)) == D(2016, 4, 30)
    assert Review.quarterly("q", day=-2).due_dates(D(2016, 1, 1), D(2016, 6, 30)) == (D(2016, 1, 30), D(2016, 4, 29))


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    day = draw(VALID_DAYS)
    kind = draw(st.sampled_from(["monthly", "quarterly", "yearly", "direct"]))
    if kind == "monthly":
        return Review.monthly("r", day=day)
    if kind == "quarterly":
        return Review.quarterly("r", day=day)
    months = tuple(draw(st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True)))
    if kind == "yearly":
        return Review.yearly("r", months=months, day=day)
    days = tuple(draw(st.lists(VALID_DAYS, min_size=1, max_size=3, unique=True)))
    return Review(
        name="r",
        frequency=draw(st.sampled_from(["monthly", "yearly"])),
        bymonth=draw(st.sampled_from([(), months])),
        bymonthday=days,
    )


@given(review=reviews(), year=st.integers(1901, 2200))
def test_the_due_dates_fall_in_every_month_the_schedule_names(review: Review, year: int) -> None:
    due = review.due_dates(D(year, 1, 1), D(year, 12, 31))
    assert {d.month for d in due} == set(review.months)
    assert review.skipped_months(year) == ()
    for month in review.months:
        # each month's last due date is what last_due finds at the month's end
        month_end = D(year, month, calendar.monthrange(year, month)[1])
        assert review.last_due(D(year, month, 1), month_end) == max(d for d in due if d.month == month)


def test_a_review_that_skips_months_is_seen_by_skipped_months() -> None:
    with attrs.validators.disabled():
        skipping = Review(name="thirtieth", frequency="monthly", bymonthday=(30,))
    assert skipping.skipped_months(2017) == (2,)
    assert skipping.skipped_months(2016) == (2,)
