"""Forking a run: a household's facts before a date run once, then carried on under each of
two engines whose policies decide alike before that date (a what-if's first pass,
:mod:`relapse_guard.whatif.shared`, and the recorded runs of a household that differs).

**The premise.** Policies that agree but for parameters (:mod:`.agreement`) and whose
parameters part on ``D`` decide alike on every date before ``D``. A run reads parameters only
through a :class:`~relapse_guard.context.Context` on its own date — rules, triggers, route
conditions and interventions — and the engine's steps read them on the date of the event
they process (the clock's moves and the lifecycle, routes on entering a state, entitlements
opened, recomputed on a parameter's change and ended, decided cases, household changes), or
on an earlier date (an entitlement's re-check counted from its grant): before ``D``, the same
values under both. Two reads look ahead, and only decide what happens on a later date: the
day the parameters an entitlement read next change (``entitlement_due``) and the last day the
prefilter's income band holds. Before ``D`` the timelines change on the same days, so both
decide alike while the clock is before ``D``; a run carried on under the second policy
works the entitlements' next change out anew from its own timelines
(:meth:`~.entitlement_step.EntitlementStep.rebuild`, as :meth:`Engine.resume` does) and its
band anew at its first assessment. Case procedures and reviews are parts, the same under both.
So the run of the first policy up to the day before ``D`` is the second's, and its checkpoint
(made without the look-ahead fields a resume does not read) is one the second would have
made but for its label and fingerprint: :class:`Fork` carries the first run on as it is, and
the second from that checkpoint, with every check of :func:`.resume.refusal` but the policy's.
The what-if's property test (``tests/kit/test_whatif_shared.py``) checks the outcomes against
runs from the start under every shipped policy.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from collections.abc import Sequence

from ..errors import InvalidArgument
from ..facts import VERSION_KINDS, Fact
from ..household import Household
from ..result import HouseholdResult
from .agreement import parting
from .engine import Engine, _result
from .resume import capture, refusal, sort_key
from .run_state import RunState

__all__ = ["Fork"]

_DAY = dt.timedelta(days=1)
_DATE = operator.attrgetter("date")


class Fork:
    """Runs under ``first``'s and ``second``'s policies that share what happens before ``on``.

    The policies must agree up to ``on`` (:func:`.agreement.parting` on or after it, or never),
    and both engines record decisions or neither does:
    :class:`~relapse_guard.errors.InvalidArgument` otherwise. With decisions, the first result
    has all its run's, and the second those made from ``on`` on, numbered on from the first's
    before it, as :meth:`Engine.resume` numbers a resumed run's (the decisions before ``on``
    are the first run's, but for the policy a decision may name).
    """

    def __init__(self, first: Engine, second: Engine, on: dt.date) -> None:
        if first.records_decisions != second.records_decisions:
            raise InvalidArgument("a fork runs on two engines that record decisions, or two that do not")
        parts = parting(first.policy, second.policy)
        if on == dt.date.min or (parts is not None and parts < on):
            raise InvalidArgument(
                f"{first.policy.label} and {second.policy.label} part on {parts}, before {on.isoformat()}"
            )
        self.first, self.second, self.on = first, second, on

    def results(
        self, household: Household, facts: Sequence[Fact], *, as_of: dt.date | None
    ) -> tuple[HouseholdResult, HouseholdResult] | None:
        """The household's results under both policies, as :meth:`Engine.run` gives them but for
        the second's decisions (see the class): its facts before ``on`` run once, to the day
        before it, then carried on under each. None for facts the fork cannot share — a correction or a
        retraction (it may move a fact across ``on``), no fact before ``on`` or none from it
        on (up to ``as_of``), or a resume :func:`.resume.refusal` refuses (a step of a case the
        checkpoint does not hold). Raises what :meth:`Engine.run` raises for facts it refuses,
        though not always the same error: run from the start for that."""
        if not VERSION_KINDS.isdisjoint(map(type, facts)):
            return None
        first, second, clock = self.first, self.second, self.on - _DAY
        ordered = first._ordered("Fork.results", household, facts, as_of)[0]
        cut = bisect.bisect_left(ordered, self.on, key=_DATE)
        if cut == 0 or cut == len(ordered):
            return None
        before, after = ordered[:cut], ordered[cut:]
        run = RunState(household)
        first._play(run, before, clock)
        recorded = len(run.decisions) if first.records_decisions else None
        checkpoint = capture(
            run,
            policy=first.policy,
            fingerprint=first.fingerprint,
            household="",  # the same household carries on: its record is not fingerprinted
            clock=clock,
            last_fact=sort_key(before[-1]),
            decisions=recorded,
            case_facts=before,
            look_ahead=False,
        )
        why = refusal(
            checkpoint,
            policy=checkpoint.policy,  # made under the first policy, which agrees before its clock
            fingerprint=checkpoint.fingerprint,
            household="",
            new_facts=after,
            as_of=as_of,
            records_decisions=recorded is not None,
            checked=first._checked,
        )
        if why:
            return None
        first._play(run, after, as_of)
        ends = as_of if as_of is not None else after[-1].date
        other = second._restored(checkpoint, household)
        other.decisions_before = recorded or 0
        second._play(other, after, as_of)
        return _result(run, first.policy.label, ends), _result(other, second.policy.label, ends)
