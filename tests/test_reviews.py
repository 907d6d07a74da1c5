from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import State
from relapse_guard.reviews import Review, ReviewState, ReviewStatus, review_status

D = dt.date


def status(
    review: Review, *, since: dt.date, as_of: dt.date, done: dt.date | None = None, state: State = State.MONITORED
) -> tuple[ReviewStatus, ...]:
    completed = {review.name: done} if done else {}
    return review_status([review], household_id="h1", state=state, state_since=since, completed=completed, as_of=as_of)


def test_monthly_review_due_then_overdue_then_done() -> None:
    review = Review.monthly("joint_review", responsible="joint meeting", states=frozenset({State.MONITORED}))
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 2, 1))
    assert (s.due_on, s.state, s.days_overdue, s.responsible) == (D(2016, 2, 1), ReviewState.DUE, 0, "joint meeting")
    assert s.next_due == D(2016, 3, 1)
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 2, 11))
    assert (s.state, s.days_overdue) == (ReviewState.OVERDUE, 10)
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 2, 11), done=D(2016, 2, 3))
    assert s.state is ReviewState.DONE
    # done for February does not count for March
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 3, 5), done=D(2016, 2, 3))
    assert (s.due_on, s.state, s.days_overdue) == (D(2016, 3, 1), ReviewState.OVERDUE, 4)


def test_nothing_due_before_first_occurrence_or_in_other_states() -> None:
    review = Review.quarterly("inspection", grace_days=15)
    assert status(review, since=D(2016, 1, 15), as_of=D(2016, 3, 31)) == ()
    assert status(review, since=D(2016, 1, 15), as_of=D(2016, 5, 1), state=State.STABLE) == ()
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 4, 16))
    assert (s.due_on, s.state) == (D(2016, 4, 1), ReviewState.DUE)
    (s,) = status(review, since=D(2016, 1, 15), as_of=D(2016, 4, 20))
    assert (s.state, s.days_overdue) == (ReviewState.OVERDUE, 4)


def test_yearly_holiday_visit() -> None:
    review = Review.yearly("holiday_visit", months=(1,), day=20)
    (s,) = status(review, since=D(2016, 1, 1), as_of=D(2017, 1, 25))
    assert s.due_on == D(2017, 1, 20)
    assert s.next_due == D(2018, 1, 20)


def test_review_days_must_exist_in_every_month() -> None:
    with pytest.raises(ValueError, match="1 to 28"):
        Review.monthly("x", day=31)
    with pytest.raises(ValueError, match="frequency"):
        Review(name="x", frequency="fortnightly")


@given(
    since=st.dates(min_value=D(2015, 1, 1), max_value=D(2020, 1, 1)),
    offset=st.integers(0, 800),
    day=st.integers(1, 28),
)
def test_monthly_due_date_is_latest_occurrence(since: dt.date, offset: int, day: int) -> None:
    as_of = since + dt.timedelta(days=offset)
    review = Review.monthly("m", day=day)
    found = status(review, since=since, as_of=as_of)
    candidates = []
    cursor = D(since.year, since.month, 1)
    while cursor <= as_of:
        occurrence = cursor.replace(day=day)
        if since <= occurrence <= as_of:
            candidates.append(occurrence)
        cursor = D(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    if not candidates:
        assert found == ()
    else:
        (s,) = found
        assert s.due_on == max(candidates)
        assert s.days_overdue == (as_of - s.due_on).days
        assert s.next_due > as_of
