"""The result of running the engine for one household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from .decisions import Decision, DecisionKind, Grant, Period, Risk
from .lifecycle import State

__all__ = ["HouseholdResult"]

_ZERO = Decimal(0)
_MONTHLY = Period.MONTHLY


@attrs.frozen(kw_only=True)
class HouseholdResult:
    """A household's lifecycle state and the decisions that led there.

    ``monitoring_starts_on`` / ``monitoring_ends_on`` are the first day of the transition
    period and the first day the household is stable, set while it is exited or monitored.
    """

    household_id: str
    policy: str
    as_of: dt.date | None
    state: State
    state_since: dt.date | None
    income_per_capita: Decimal | None
    monitoring_starts_on: dt.date | None
    monitoring_ends_on: dt.date | None
    decisions: tuple[Decision, ...]
    risks: tuple[Risk, ...]
    grants: tuple[Grant, ...]
    reviews_completed: Mapping[str, dt.date] = attrs.field(factory=dict)
    #: Risks closed by an approved risk-elimination case, with the date.
    eliminated_risks: Mapping[str, dt.date] = attrs.field(factory=dict)
    #: Grants waiting for a decided identification case.
    pending: tuple[Grant, ...] = ()

    @property
    def open_risks(self) -> tuple[Risk, ...]:
        """Risks found and not eliminated."""
        risks, eliminated = self.risks, self.eliminated_risks
        if not eliminated and type(risks) is tuple:  # the common case (a screen asks for every household)
            return risks
        return tuple([risk for risk in risks if risk.key not in eliminated])

    @property
    def transitions(self) -> tuple[Decision, ...]:
        """The transitions taken, in order."""
        return tuple(d for d in self.decisions if d.kind is DecisionKind.TRANSITION)

    @property
    def states(self) -> tuple[State, ...]:
        """Every state the household has been in, from ``new``, in order."""
        return (State.NEW, *(d.to_state for d in self.transitions if d.to_state is not None))

    def monthly_in_force(self) -> dict[str, Grant]:
        """The monthly grant in force for each intervention.

        A later monthly grant of an intervention (a safety-net top-up recomputed after a new
        risk) replaces the earlier one rather than adding to it.
        """
        current: dict[str, Grant] = {}
        for grant in self.grants:
            if grant.amount is not None and grant.period is Period.MONTHLY:
                current[grant.intervention] = grant
        return current

    def money_granted(self) -> dict[str, Decimal]:
        """Money per intervention: one-off and yearly grants summed; monthly ones as the amount
        per month now in force (see :meth:`monthly_in_force`)."""
        totals: dict[str, Decimal] = {}
        monthly: dict[str, Decimal] = {}  # monthly_in_force, inline: this runs for every household screened
        for grant in self.grants:
            amount = grant.amount
            if amount is None:
                continue
            if grant.period is _MONTHLY:
                monthly[grant.intervention] = amount
            else:
                totals[grant.intervention] = totals.get(grant.intervention, _ZERO) + amount
        for name, amount in monthly.items():
            totals[name] = totals.get(name, _ZERO) + amount
        return totals

    def explain(self) -> str:
        """The household's timeline as text: one line per decision, then the state."""
        lines = [f"household {self.household_id} under {self.policy}:"]
        lines.extend("  " + decision.explain() for decision in self.decisions)
        tail = f"  => {self.state.value}"
        if self.state_since is not None:
            tail += f" since {self.state_since.isoformat()}"
        if self.monitoring_ends_on is not None:
            tail += f" (transition period {self.monitoring_starts_on} to {self.monitoring_ends_on})"
        lines.append(tail)
        return "\n".join(lines)
