"""Decisions written into a run's record: each names its rule, facts and parameter values."""

from __future__ import annotations

import datetime as dt
from functools import partial

from .. import message_keys as keys
from ..decisions import Decision, DecisionKind, Grant, MarginsGiven, Risk, Said
from ..lifecycle import State
from ..messages import Margin, Message, Term, margins_of
from ..parameters import ParameterValue
from .run_state import RunState

__all__ = ["DecisionLog", "Margins", "Said"]

#: A decision's margins, or a function working them out.
Margins = MarginsGiven


class DecisionLog:
    """Writes a run's decisions, or nothing when ``enabled`` is False (a screen's runs).

    What a decision says and its margins may be given as functions: the decision calls them
    the first time they are read, so that neither a screen's runs nor recording one writes a
    text. Callers that would build costly values first ask :attr:`enabled`, and give
    :func:`functools.partial` of a module's function rather than a closure over their locals.
    """

    __slots__ = ("enabled",)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def record(
        self,
        run: RunState,
        date: dt.date,
        kind: DecisionKind,
        rule: str,
        message: Said,
        *,
        facts: tuple[str, ...] = (),
        parameters: tuple[ParameterValue, ...] = (),
        from_state: State | None = None,
        to_state: State | None = None,
        risk: Risk | None = None,
        grant: Grant | None = None,
        margins: Margins = (),
    ) -> None:
        """Append a decision to ``run`` (numbered in the order taken)."""
        if not self.enabled:
            return
        note = run.members_note
        if note is not None and kind in _COUNTED:
            message = partial(_with_members, message, note)
        run.decisions.append(
            Decision(
                sequence=run.decisions_before + len(run.decisions),
                household_id=run.household.id,
                date=date,
                kind=kind,
                rule=rule,
                message=message,
                facts=facts,
                parameters=parameters,
                from_state=from_state,
                to_state=to_state,
                risk=risk,
                grant=grant,
                margins=margins,
            )
        )

    def skipped(
        self,
        run: RunState,
        risk: Risk,
        intervention: str,
        reason: Said,
        parameters: tuple[ParameterValue, ...],
    ) -> None:
        """Record that ``intervention`` was not granted for ``risk``, and why (with the margins
        the reason states: how far the household was from it)."""
        if not self.enabled:
            return
        self.record(
            run,
            risk.date,
            DecisionKind.ROUTE_SKIPPED,
            f"intervention.{intervention}",
            partial(_not_granted, intervention, risk.kind, reason),
            facts=(risk.fact_id,) if risk.fact_id else (),
            parameters=parameters,
            risk=risk,
            margins=partial(_margins_of, reason),
        )


def _with_members(said: Said, members: Message) -> Message:
    """What a decision says, ended with the members it counted (once the household changed)."""
    return Message(keys.WITH_MEMBERS, said() if callable(said) else said, members)


def _not_granted(intervention: str, kind: str, reason: Said) -> Message:
    said = reason() if callable(reason) else reason
    return Message(keys.NOT_GRANTED, Term(intervention), Term(kind), said)


def _margins_of(reason: Said) -> tuple[Margin, ...]:
    return margins_of(reason() if callable(reason) else reason)


#: The decisions that say which members counted, once the household changed in the run.
_COUNTED = frozenset(
    {
        DecisionKind.TRANSITION,
        DecisionKind.INTERVENTION_GRANTED,
        DecisionKind.ENTITLEMENT_RECOMPUTED,
        DecisionKind.ENTITLEMENT_ENDED,
    }
)
