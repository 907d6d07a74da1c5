"""Decisions written into a run's record: each names its rule, facts and parameter values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..decisions import Decision, DecisionKind, Grant, Risk
from ..lifecycle import State
from ..parameters import ParameterValue
from .run_state import RunState

__all__ = ["DecisionLog"]


class DecisionLog:
    """Writes a run's decisions, or nothing when ``enabled`` is False (a screen's runs).

    Callers that would build costly text first ask :attr:`enabled`; :meth:`skipped` takes
    its reason as a callable too, so a reason is written only when it is recorded.
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
        explanation: str,
        *,
        facts: tuple[str, ...] = (),
        parameters: tuple[ParameterValue, ...] = (),
        from_state: State | None = None,
        to_state: State | None = None,
        risk: Risk | None = None,
        grant: Grant | None = None,
    ) -> None:
        """Append a decision to ``run`` (numbered in the order taken)."""
        if not self.enabled:
            return
        if run.members_note and kind in _COUNTED:
            explanation += run.members_note
        run.decisions.append(
            Decision(
                sequence=run.decisions_before + len(run.decisions),
                household_id=run.household.id,
                date=date,
                kind=kind,
                rule=rule,
                explanation=explanation,
                facts=facts,
                parameters=parameters,
                from_state=from_state,
                to_state=to_state,
                risk=risk,
                grant=grant,
            )
        )

    def skipped(
        self,
        run: RunState,
        risk: Risk,
        intervention: str,
        reason: str | Callable[[], str],
        parameters: tuple[ParameterValue, ...],
    ) -> None:
        """Record that ``intervention`` was not granted for ``risk``, and why."""
        if not self.enabled:
            return
        self.record(
            run,
            risk.date,
            DecisionKind.ROUTE_SKIPPED,
            f"intervention.{intervention}",
            f"{intervention} not granted for {risk.kind} risk: {reason if isinstance(reason, str) else reason()}",
            facts=(risk.fact_id,) if risk.fact_id else (),
            parameters=parameters,
            risk=risk,
        )


#: The decisions that say which members counted, once the household changed in the run.
_COUNTED = frozenset(
    {
        DecisionKind.TRANSITION,
        DecisionKind.INTERVENTION_GRANTED,
        DecisionKind.ENTITLEMENT_RECOMPUTED,
        DecisionKind.ENTITLEMENT_ENDED,
    }
)
