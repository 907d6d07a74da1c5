"""The engine's clock and lifecycle steps: moves through the lifecycle, each a decision.

- The **clock** (:meth:`LifecycleStep.advance`) starts and ends the transition period on
  the dates they fall, never later, and reaches each new year (``on_year``: the engine
  routes ``each_year:<state>`` from there).
- The **rules** (:meth:`LifecycleStep.after_observation`) identify a household not on file
  (or stable) and relapse an exited or monitored one, as the policy's rules say.
- **Assistance** and **exit** facts move the household on their own facts; an exit is
  checked by the policy's exit rule and starts the transition period.

Every move goes through :meth:`LifecycleStep.move`, which records the decision and hands
the state entered to ``on_enter`` (the engine routes ``entered:<state>`` from there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .. import message_keys as keys
from ..context import Context
from ..decisions import DecisionKind
from ..entitlements import month_index
from ..errors import InvalidPolicy, PluginFailed, RelapseGuardError, in_policy_code
from ..facts import AssistanceGranted, ExitVerified, Fact
from ..lifecycle import Event, State, next_state
from ..messages import Margin, Message, Term
from ..parameters import ParameterValue
from ..policy import Policy
from ..rules import Rule, Verdict
from ..timeline import transition_period
from .answers import checked_verdict
from .decision_log import DecisionLog, Margins, Said
from .run_state import ASSISTABLE_STATES, OBSERVING_STATES, WATCHED_STATES, RunState

__all__ = ["LifecycleStep", "OnEnter", "OnYear"]

#: Called after every move with the run, the state entered, the date and the facts it rests on.
OnEnter = Callable[[RunState, State, dt.date, tuple[str, ...]], None]
#: Called when the clock reaches a run's ``entitlement_due``, with the run and the day it moves to.
OnClock = Callable[[RunState, dt.date], None]
#: Called when the clock reaches a run's ``year_due`` (a 1 January), with the run and that day.
OnYear = Callable[[RunState, dt.date], None]

_CONFIRMED_EXIT_STATES = (State.EXITED, State.MONITORED, State.STABLE)
_EXITED, _MONITORED = State.EXITED, State.MONITORED


class LifecycleStep:
    """Moves one household through the lifecycle under ``policy``; see the module docstring."""

    def __init__(
        self,
        policy: Policy,
        log: DecisionLog,
        on_enter: OnEnter,
        on_clock: OnClock | None = None,
        on_year: OnYear | None = None,
    ) -> None:
        self.policy = policy
        self._log = log
        self._on_enter = on_enter
        self._on_clock = on_clock
        self._on_year = on_year

    # --- the clock ----------------------------------------------------------------------

    def advance(self, run: RunState, to: dt.date) -> None:
        """Handle what falls due by ``to`` with no new fact, in date order: the entitlements'
        events (``on_clock``: ends reached, parameters changed), the transition period starting
        or ending, and each new year (``on_year``, on 1 January: ``year_due``); on one day, the
        entitlements' events first, then the transition period's move, then the new year, so
        that a new year is routed for the state the household holds once the day's moves are
        made (a household that starts its transition period on 1 January enters ``monitored``
        that day, and is not routed a new year in it as well).

        In date order, so that a run whose clock stops between two such dates (a checkpoint, a
        fork) decides what one that goes past both decides, in the same order.
        """
        on_clock = self._on_clock
        while True:  # most calls find nothing due and return on the first pass
            state = run.state
            period = run.monitoring_start if state is _EXITED else run.monitoring_end if state is _MONITORED else None
            if period is not None and period > to:
                period = None  # the transition period starts or ends later
            due = run.entitlement_due
            if on_clock is not None and due is not None and due <= to and (period is None or due <= period):
                year = run.year_due
                if year is not None and year < due:
                    self._new_year(run, year)  # a new year before the entitlements' next event
                else:
                    on_clock(run, due)  # the entitlements' events of that day; the next is later
            elif period is not None:
                year = run.year_due
                if year is not None and year < period:
                    self._new_year(run, year)  # a new year before the period's move
                else:
                    self._move_period(run)
            else:
                year = run.year_due  # None in a policy that routes no new year: the one test then
                if year is None or year > to:
                    return
                self._new_year(run, year)

    def _new_year(self, run: RunState, year: dt.date) -> None:
        """Reach the new year ``year`` (a 1 January): the next is a year later; ``on_year`` routes it."""
        run.year_due = dt.date(year.year + 1, 1, 1)
        if self._on_year is not None:
            self._on_year(run, year)

    def _move_period(self, run: RunState) -> None:
        """Start the transition period (an exited household) or end it (a monitored one)."""
        if run.state is _EXITED:
            start = run.monitoring_start
            assert start is not None
            self.move(
                run,
                Event.START_MONITORING,
                start,
                Message(keys.PERIOD_STARTS, start, str(run.monitoring_end)),
                facts=run.period_facts,
                parameters=run.period_parameters,
                rule="lifecycle.start_monitoring",
            )
        else:
            end = run.monitoring_end
            assert end is not None
            self.move(
                run,
                Event.STABILISE,
                end,
                Message(keys.PERIOD_ENDED, str(run.monitoring_start), end),
                facts=run.period_facts,
                parameters=run.period_parameters,
                rule="lifecycle.stabilise",
            )

    # --- the rules ----------------------------------------------------------------------

    def after_observation(self, run: RunState, fact: Fact, ctx: Context) -> None:
        """Identification (not on file, or stable) or relapse (exited, monitored) on ``fact``."""
        if run.state in OBSERVING_STATES:
            for rule in self.policy.identification:
                ctx.reset_used()
                verdict = _evaluate(rule, ctx, run, fact, "identification")
                if verdict.holds:
                    self.move(
                        run,
                        Event.IDENTIFY,
                        fact.date,
                        verdict.why,
                        facts=run.evidence(fact),
                        parameters=ctx.used_parameters(),
                        rule=f"identification.{rule.name}",
                        margins=verdict.near_margins,
                    )
                    return
        elif run.state in WATCHED_STATES:
            ctx.reset_used()
            relapse = self.policy.relapse_rule
            verdict = _evaluate(relapse, ctx, run, fact, "relapse")
            if verdict.holds:
                self.move(
                    run,
                    Event.RELAPSE,
                    fact.date,
                    verdict.why,
                    facts=run.evidence(fact),
                    parameters=ctx.used_parameters(),
                    rule=f"relapse.{relapse.name}",
                    margins=_relapse_margins(run, fact.date, verdict) if self._log.enabled else (),
                )

    def assistance(self, run: RunState, fact: AssistanceGranted) -> None:
        """An identified or relapsed household is assisted by a recorded measure."""
        if run.state in ASSISTABLE_STATES:
            self.move(run, Event.ASSIST, fact.date, lambda: _assisted(fact), facts=(fact.id,))

    def assist_after_grants(self, run: RunState, date: dt.date, why: Said, facts: tuple[str, ...]) -> None:
        """Under ``assist_on_grant``, grants move an identified or relapsed household to assisted."""
        if self.policy.assist_on_grant and run.state in ASSISTABLE_STATES:
            self.move(run, Event.ASSIST, date, why, facts=facts)

    def exit(self, run: RunState, fact: ExitVerified, ctx: Context) -> None:
        """A verified exit, if the exit rule holds: the transition period is set from its date."""
        if run.state in _CONFIRMED_EXIT_STATES:
            return  # a re-verification of an exit already made changes nothing
        next_state(run.household.id, run.state, Event.EXIT)  # raises for a state with no exit
        ctx.reset_used()
        rule = self.policy.exit_rule
        verdict = _evaluate(rule, ctx, run, fact, "exit")
        if not verdict.holds:
            self._log.record(
                run,
                fact.date,
                DecisionKind.TRANSITION_REFUSED,
                f"exit.{rule.name}",
                lambda: Message(keys.EXIT_REFUSED, verdict.message),
                facts=run.evidence(fact),
                parameters=ctx.used_parameters(),
                from_state=run.state,
                margins=lambda: verdict.margins,
            )
            return
        start, end = _transition_period(fact.date, ctx)
        parameters = ctx.used_parameters()
        self.move(
            run,
            Event.EXIT,
            fact.date,
            verdict.why,
            facts=run.evidence(fact),
            parameters=parameters,
            margins=verdict.near_margins,
        )
        run.monitoring_start, run.monitoring_end = start, end
        run.period_parameters = tuple(p for p in parameters if p.name.startswith("transition."))
        run.period_facts = run.evidence(fact)

    # --- moves --------------------------------------------------------------------------

    def move(
        self,
        run: RunState,
        event: Event,
        date: dt.date,
        explanation: Said,
        *,
        facts: tuple[str, ...],
        parameters: tuple[ParameterValue, ...] = (),
        rule: str | None = None,
        margins: Margins = (),
    ) -> None:
        """Make the lifecycle's move for ``event``, record it, then hand the state entered on.

        ``explanation`` and ``margins`` may be functions: the decision log calls them only
        when it records the move.

        Raises :class:`~relapse_guard.errors.InvalidTransition` for a move the lifecycle
        does not have from the household's state.
        """
        source = run.state
        dest, _guard = next_state(run.household.id, source, event)
        run.state = dest
        run.state_since = date
        run.state_facts = facts
        if dest is not State.MONITORED and dest is not State.EXITED:
            run.monitoring_start = run.monitoring_end = None
        self._log.record(
            run,
            date,
            DecisionKind.TRANSITION,
            rule or f"lifecycle.{event.value}",
            explanation,
            facts=facts,
            parameters=parameters,
            from_state=source,
            to_state=dest,
            margins=margins,
        )
        self._on_enter(run, dest, date, facts)


def _assisted(fact: AssistanceGranted) -> Message:
    measure = Term(fact.measure)
    if fact.amount is None:
        return Message(keys.ASSISTED, measure)
    return Message(keys.ASSISTED_AMOUNT, measure, fact.amount)


def _relapse_margins(run: RunState, on: dt.date, verdict: Verdict) -> tuple[Margin, ...]:
    """A relapse's margins: the rule's that held narrowly, and, during the transition period,
    its months left (``"7 months left of 36"``), worked out before the move clears it."""
    margins = verdict.near_margins()
    start, end = run.monitoring_start, run.monitoring_end
    if run.state is State.MONITORED and start is not None and end is not None and start <= on < end:
        total = month_index(end) - month_index(start)
        gone = month_index(on) - month_index(start)
        margins += (Margin.left(gone, total, against="transition period"),)
    return margins


def _evaluate(rule: Rule, ctx: Context, run: RunState, fact: Fact, role: str) -> Verdict:
    """``rule(ctx)``; an exception that is not the library's is raised as :class:`PluginFailed`,
    as is an answer that is not a :class:`Verdict` (a bool, a ``(holds, reason)`` tuple)."""
    try:
        verdict = rule(ctx)
    except RelapseGuardError as error:  # the library's own, let out by policy code: said where
        in_policy_code(error, run.household.id, f"{role}.{rule.name}", fact.id)
        raise
    except Exception as error:  # policy code failed: name it, for this household
        raise PluginFailed(run.household.id, f"{role}.{rule.name}", fact.id, error) from error
    if type(verdict) is not Verdict:  # policy code's answer, checked (a subclass passes there)
        return checked_verdict(verdict, run.household.id, f"{role}.{rule.name}", fact.id)
    return verdict


def _transition_period(exit_date: dt.date, ctx: Context) -> tuple[dt.date, dt.date]:
    """The transition period after an exit on ``exit_date``, from the policy's parameters."""
    starts = ctx.text("transition.starts")
    years = ctx.amount("transition.years")
    leap_day = ctx.text("transition.leap_day") if ctx.has_param("transition.leap_day") else "feb28"
    if years != int(years):
        raise InvalidPolicy(f"transition.years must be a whole number of years, not {years}")
    if years < 0:
        raise InvalidPolicy(f"transition.years must not be negative (a whole number of years, 0 or more), not {years}")
    return transition_period(exit_date, starts=starts, years=int(years), leap_day=leap_day)
