"""The Kaplan-Meier estimator against hand-computed curves, and its properties."""

from __future__ import annotations

import itertools
from collections import Counter
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.reporting import kaplan_meier, kaplan_meier_counts


def test_a_curve_computed_by_hand() -> None:
    # 4 followed; a relapse at 10 (3/4 left), censored at 20, a relapse at 30 among 2 (3/4 x 1/2).
    curve = kaplan_meier([(30, True), (10, True), (40, False), (20, False)])
    assert [(s.time, s.at_risk, s.events, s.censored) for s in curve.steps] == [
        (10, 4, 1, 0),
        (20, 3, 0, 1),
        (30, 2, 1, 0),
        (40, 1, 0, 1),
    ]
    assert [s.survival for s in curve.steps] == [0.75, 0.75, 0.375, 0.375]
    assert (curve.at(0), curve.at(9.99), curve.at(10), curve.at(29), curve.at(30), curve.at(1000)) == (
        1.0,
        1.0,
        0.75,
        0.75,
        0.375,
        0.375,
    )
    assert (curve.observations, curve.events, curve.censored) == (4, 2, 2)
    assert (curve.at_risk(0), curve.at_risk(10), curve.at_risk(11), curve.at_risk(41)) == (4, 4, 3, 0)


def test_ties_censored_at_an_event_time_are_still_at_risk_there() -> None:
    # 6 followed: at 5, two relapse and one is censored (6 at risk: 4/6 left); at 8 one of the
    # 3 left relapses (4/6 x 2/3 = 4/9); two are censored at 12.
    curve = kaplan_meier([(5, True), (5, True), (5, False), (8, True), (12, False), (12, False)])
    assert [(s.time, s.at_risk, s.events, s.censored) for s in curve.steps] == [
        (5, 6, 2, 1),
        (8, 3, 1, 0),
        (12, 2, 0, 2),
    ]
    assert curve.at(5) == pytest.approx(4 / 6)
    assert curve.at(8) == pytest.approx(4 / 9)
    assert curve.at(12) == pytest.approx(4 / 9)


def test_an_event_on_the_day_of_exit_and_an_empty_curve() -> None:
    assert kaplan_meier([(0, True), (3, False)]).at(0) == 0.5
    empty = kaplan_meier([])
    assert (empty.steps, empty.observations, empty.at(10)) == ((), 0, 1.0)


def test_counts_give_the_same_curve_and_negatives_are_refused() -> None:
    pairs = [(1.0, True), (1.0, True), (2.0, False), (4.0, True)]
    assert kaplan_meier_counts(Counter(pairs)) == kaplan_meier(pairs)
    assert kaplan_meier_counts({(3.0, True): 0}).steps == ()
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier([(-1, True)])
    with pytest.raises(ValueError, match="negative"):
        kaplan_meier_counts({(1.0, True): -2})


observations = st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=40)


@given(observations)
def test_the_curve_is_non_increasing_and_within_0_and_1(pairs: list[tuple[int, bool]]) -> None:
    curve = kaplan_meier(pairs)
    shares = [1.0] + [step.survival for step in curve.steps]
    assert all(0.0 <= share <= 1.0 for share in shares)
    assert all(later <= earlier for earlier, later in itertools.pairwise(shares))
    grid = [t / 2 for t in range(-2, 124)]
    values = [curve.at(t) for t in grid]
    assert all(later <= earlier for earlier, later in itertools.pairwise(values))
    assert (curve.observations, curve.events, curve.censored) == (
        len(pairs),
        sum(event for _, event in pairs),
        sum(not event for _, event in pairs),
    )


@given(st.lists(st.integers(0, 60), min_size=1, max_size=40))
def test_without_censoring_it_is_the_share_lasting_longer(times: list[int]) -> None:
    curve = kaplan_meier([(t, True) for t in times])
    for t in range(-1, 62):
        assert curve.at(t) == sum(time > t for time in times) / len(times)


@given(observations, st.randoms())
def test_the_order_of_observations_does_not_matter(pairs: list[tuple[int, bool]], rng: Random) -> None:
    shuffled = list(pairs)
    rng.shuffle(shuffled)
    assert kaplan_meier(shuffled) == kaplan_meier(pairs)
