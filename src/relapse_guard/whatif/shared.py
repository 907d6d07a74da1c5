"""A what-if's first pass sharing each household's run before the two policies part.

The common what-if changes parameters from a date: "the safety-net standard rises to 330 on
2016-07-01". Before that date policy ``b`` decides as ``a`` does
(:func:`~relapse_guard.engine.agreement.parting`: the same parts, and parameters that differ
only from a date ``D``), so each household's facts dated before ``D`` run once, under ``a``,
to the day before ``D``; ``a``'s run then carries on with the facts from ``D``, and ``b``'s
from a checkpoint of it (:class:`~relapse_guard.engine.fork.Fork`, which states the premise).
The outcomes are those of runs from the start.

A household runs under both policies from the start, as it always did, when the fork cannot
share its facts — a correction or a retraction, no fact before ``D`` (nothing to share), none
from ``D`` up to the as-of date (so little to share that it measured no cheaper), a resume
that would be refused — or when its shared runs raise anything: its outcomes, and any error,
read as they always did. Policies that part from the start run every household so.

Two cases need ``a`` only: policies whose parameters never part (or part after the as-of
date), and, without an as-of date, a household with no fact from ``D`` on. ``b``'s outcome is
then ``a``'s, its result relabelled ``b``'s; a household ``a`` refuses runs under ``b`` too,
so that its error is ``b``'s own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from ..decisions import Decision
from ..engine import Engine
from ..engine.agreement import parting
from ..engine.fork import Fork
from ..errors import RelapseGuardError
from ..facts import Fact
from ..household import Household
from ..policy import Policy
from .comparison import Outcome

__all__ = ["Shared", "dated_before", "decisions_part", "run_outcome"]


def run_outcome(engine: Engine, household: Household, facts: Sequence[Fact], as_of: dt.date | None) -> Outcome:
    """The outcome of ``household``'s run from the start on ``engine``; an error of the library
    is the outcome's ``error`` (its type and message), any other is raised."""
    try:
        return Outcome.of(engine.run(household, facts, as_of=as_of))
    except RelapseGuardError as error:
        return Outcome(state=None, error=f"{type(error).__name__}: {error}")


def decisions_part(policy_a: Policy, policy_b: Policy) -> dt.date | None:
    """The first date on which a household's runs under the two policies may decide otherwise:
    the decisions dated before it are the same under both (:mod:`relapse_guard.engine.fork`
    states the premise), but for the name of the policy a decision may quote. None when the
    policies part from the start (or never: then no decision differs but for that name)."""
    parts = parting(policy_a, policy_b)
    return None if parts is None or parts == dt.date.min else parts


def dated_before(decisions: Sequence[Decision], day: dt.date) -> int:
    """How many of the first ``decisions`` are dated before ``day``."""
    return next((at for at, decision in enumerate(decisions) if decision.date >= day), len(decisions))


@attrs.define
class Shared:
    """A what-if's runs on ``engine_a`` and ``engine_b`` as of ``as_of``, whose policies part on
    ``fork.on`` (``fork`` None: never, or after the as-of date): its first pass, on engines that
    record no decisions, and the second runs of a household that differs, on engines that do.
    In a shared result of ``b`` recording decisions, those dated before ``fork.on`` are ``a``'s
    (the same but for the policy a decision may name; a first difference is looked for after
    them)."""

    engine_a: Engine
    engine_b: Engine
    fork: Fork | None
    as_of: dt.date | None

    @classmethod
    def of(cls, engine_a: Engine, engine_b: Engine, as_of: dt.date | None) -> Shared | None:
        """The sharing of the two engines' runs, or None when their policies part from the
        start (every household runs under both)."""
        parts = parting(engine_a.policy, engine_b.policy)
        if parts == dt.date.min:
            return None
        if parts is None or (as_of is not None and as_of < parts):
            return cls(engine_a, engine_b, None, as_of)
        return cls(engine_a, engine_b, Fork(engine_a, engine_b, parts), as_of)

    def outcomes(self, household: Household, facts: Sequence[Fact]) -> tuple[Outcome, Outcome]:
        """The household's outcomes under ``a`` and under ``b``, as runs from the start give them."""
        fork, as_of = self.fork, self.as_of
        if fork is None:
            return self._as_a(household, facts)
        try:
            if as_of is None and all(fact.date < fork.on for fact in facts):
                return self._as_a(household, facts)
            results = fork.results(household, facts, as_of=as_of)
        except Exception:  # run from the start: it raises, or reads the error, as it always did
            results = None
        if results is None:
            a = run_outcome(self.engine_a, household, facts, as_of)
            return a, run_outcome(self.engine_b, household, facts, as_of)
        first, second = results
        if first.decisions:  # b's decisions are those from the fork's date on: a's come before them
            before = first.decisions[: dated_before(first.decisions, fork.on)]
            second = attrs.evolve(second, decisions=(*before, *second.decisions))
        return Outcome.of(first), Outcome.of(second)

    def _as_a(self, household: Household, facts: Sequence[Fact]) -> tuple[Outcome, Outcome]:
        """``a``'s outcome, and ``b``'s the same (``b``'s own when ``a`` refused the facts)."""
        a = run_outcome(self.engine_a, household, facts, self.as_of)
        if a.error is not None or a.result is None:
            return a, run_outcome(self.engine_b, household, facts, self.as_of)
        return a, attrs.evolve(a, result=attrs.evolve(a.result, policy=self.engine_b.policy.label))
