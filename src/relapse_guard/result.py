"""The result of running the engine for one household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from . import message_keys as keys
from .decisions import Decision, DecisionKind, Grant, Risk
from .entitlements import Money, money_by_intervention, owed
from .lifecycle import State
from .messages import Message, Term, render

__all__ = ["HouseholdResult"]


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

    def monthly_in_force(self, on: dt.date | None = None) -> dict[str, Grant]:
        """The entitlement (monthly grant) in force on ``on`` (default: the as-of date) for each
        intervention; an ended one is not in force. Without a date, the last piece of each."""
        on = on if on is not None else self.as_of
        current: dict[str, Grant] = {}
        for grant in self.grants:
            if grant.is_entitlement and (on is None or grant.in_force(on)):
                current[grant.intervention] = grant
        return current

    def owed(self, month: dt.date | int) -> dict[str, Decimal]:
        """What is owed for a calendar month (a date in it), by intervention: each entitlement in
        force that month (prorated or not, as its intervention declares) and the one-off and
        yearly grants dated in it. See :mod:`relapse_guard.entitlements`."""
        return owed(self.grants, month)

    def money(self, as_of: dt.date | None = None) -> dict[str, Money]:
        """The :class:`~relapse_guard.entitlements.Money` of each intervention as of ``as_of``
        (default: the result's as-of date): one-off, monthly in force and paid to date, apart."""
        return money_by_intervention(self.grants, as_of if as_of is not None else self.as_of)

    def money_granted(self) -> dict[str, Decimal]:
        """Money per intervention, in one figure: one-off and yearly grants summed, plus the
        monthly amount in force on the as-of date. It adds yuan to yuan a month: prefer
        :meth:`money`, which keeps them apart."""
        return {
            name: line.one_off + line.monthly_in_force
            for name, line in self.money().items()
            if line.one_off or line.monthly_in_force
        }

    def explain(self, language: str = "en") -> str:
        """The household's timeline as text: one line per decision (in ``language``: ``en``,
        ``zh-CN``), then the state."""
        lines = [render(Message(keys.RESULT_HEADING, self.household_id, self.policy), language)]
        lines.extend("  " + decision.explain(language) for decision in self.decisions)
        state = Term(self.state.value)
        if self.state_since is None:
            tail = Message(keys.RESULT_STATE, state)
        else:
            tail = Message(keys.RESULT_STATE_SINCE, state, self.state_since)
        if self.monitoring_ends_on is not None:
            tail = Message(keys.RESULT_TRANSITION, tail, str(self.monitoring_starts_on), self.monitoring_ends_on)
        lines.append("  " + render(tail, language))
        return "\n".join(lines)
