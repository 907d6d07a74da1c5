"""The Kaplan-Meier estimate of the share of exited households still out of poverty.

Each exit starts an observation: it ends with an *event* (the household relapses) after so
many days, or is *censored* (the household has not relapsed by the as-of date, so all we know
is that it lasted at least that long). At each time ``t`` with events, the share still out
is multiplied by ``1 - events(t) / at_risk(t)``, where ``at_risk(t)`` counts the observations
that lasted at least ``t`` (an observation censored at ``t`` is still at risk at ``t``).
Without censoring this is the plain share of observations that lasted longer than ``t``.

>>> curve = kaplan_meier([(10, True), (20, False), (30, True), (40, False)])
>>> [(step.time, step.at_risk, step.survival) for step in curve.steps]
[(10, 4, 0.75), (20, 3, 0.75), (30, 2, 0.375), (40, 1, 0.375)]
>>> curve.at(0), curve.at(29.5), curve.at(100)
(1.0, 0.75, 0.375)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction

import attrs

from ..errors import InvalidArgument

__all__ = ["SurvivalCurve", "SurvivalStep", "kaplan_meier", "kaplan_meier_counts"]


@attrs.frozen
class SurvivalStep:
    """One distinct time of a curve: who was at risk, how many ended there, the share left after it."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float


@attrs.frozen
class SurvivalCurve:
    """A right-continuous step function: ``at(t)`` is the estimated share lasting beyond ``t``."""

    steps: tuple[SurvivalStep, ...]

    @property
    def observations(self) -> int:
        """How many observations the curve was estimated from."""
        return self.steps[0].at_risk if self.steps else 0

    @property
    def events(self) -> int:
        """How many observations ended with an event."""
        return sum(step.events for step in self.steps)

    @property
    def censored(self) -> int:
        """How many observations were censored."""
        return sum(step.censored for step in self.steps)

    def at(self, time: float) -> float:
        """The estimated share lasting beyond ``time`` (1.0 before the first event)."""
        survival = 1.0
        for step in self.steps:
            if step.time > time:
                break
            survival = step.survival
        return survival

    def at_risk(self, time: float) -> int:
        """How many observations were still followed at ``time`` (lasted at least that long)."""
        return sum(step.events + step.censored for step in self.steps if step.time >= time)


def kaplan_meier(observations: Iterable[tuple[float, bool]]) -> SurvivalCurve:
    """The Kaplan-Meier curve of ``(time, event)`` pairs; ``event`` False means censored at ``time``."""
    return kaplan_meier_counts(Counter((time, bool(event)) for time, event in observations))


def kaplan_meier_counts(counts: Mapping[tuple[float, bool], int]) -> SurvivalCurve:
    """The Kaplan-Meier curve of observations given as ``{(time, event): how many}``.

    Raises :class:`~relapse_guard.errors.InvalidArgument` (a ValueError) for a negative time or
    count. The product is computed exactly (with fractions) and rounded to a float once per
    step, so a curve without censoring gives exactly the share of observations lasting beyond
    each time.
    """
    events: Counter[float] = Counter()
    censored: Counter[float] = Counter()
    for (time, event), count in counts.items():
        if time < 0 or count < 0:
            raise InvalidArgument(f"times and counts must not be negative, not {time} x {count}")
        if count:
            (events if event else censored)[time] += count
    at_risk = sum(events.values()) + sum(censored.values())
    survival = Fraction(1)
    steps = []
    for time in sorted(set(events) | set(censored)):
        ended = events[time]
        if ended:
            survival *= Fraction(at_risk - ended, at_risk)
        steps.append(SurvivalStep(time, at_risk, ended, censored[time], float(survival)))
        at_risk -= ended + censored[time]
    return SurvivalCurve(tuple(steps))
