"""The engine's case step: a decided case's effect on the household.

- An approved **risk-elimination** case closes the risk it names.
- An approved **identification** case identifies a household not on file (or stable) and
  relapses an exited or monitored one; either way it releases the grants waiting for it (an
  entitlement worked out again on the decision's day: N1 art. 21 sets the amount at the
  decision), and a rejected one sets them aside (granted after all if an appeal of that case
  wins). An approved one is the new decision an explicit stop waits for: it lifts the stops
  in force.
- A procedure of the policy's own is a recorded fact with no lifecycle effect here.

A decision of a case whose procedure has a start condition is applied only when
:class:`~.case_conditions.CaseConditions` allows it: not for a case that could not start, nor
an approval on a day the condition does not hold (a whole household with no labour capacity
is never marked risk-eliminated).
"""

from __future__ import annotations

from functools import partial

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import DecisionKind, Declined, Grant, Risk
from ..errors import InvalidFact
from ..facts import CaseDecided
from ..lifecycle import Event
from ..messages import Message, Term, margins_of
from .case_conditions import CaseConditions
from .decision_log import DecisionLog
from .entitlement_step import EntitlementStep, replacing
from .lifecycle_step import LifecycleStep
from .run_state import OBSERVING_STATES, WATCHED_STATES, RunState

__all__ = ["CaseStep"]


class CaseStep:
    """Applies :class:`~relapse_guard.facts.CaseDecided` facts; see the module docstring."""

    def __init__(
        self,
        log: DecisionLog,
        lifecycle: LifecycleStep,
        entitlements: EntitlementStep,
        conditions: CaseConditions | None = None,
    ) -> None:
        self._log = log
        self._lifecycle = lifecycle
        self._entitlements = entitlements
        self._conditions = conditions

    def decided(self, run: RunState, fact: CaseDecided, ctx: Context) -> None:
        """Apply a case's decision: lifecycle moves, pending interventions, eliminated risks."""
        if fact.outcome not in ("approved", "rejected"):
            raise InvalidFact(run.household.id, "outcome", fact.outcome, "'approved' or 'rejected'", fact_id=fact.id)
        about = Message(keys.CASE_DECIDED, Term(fact.procedure), fact.case_id, Term(fact.outcome))
        if self._conditions is not None and not self._conditions.allows(run, fact, about):
            return
        if fact.procedure == "risk_elimination":
            self._eliminate(run, fact, about)
        elif fact.procedure == "identification":
            self._identify(run, fact, about)
            self._release(run, fact, about, ctx)

    def _eliminate(self, run: RunState, fact: CaseDecided, about: Message) -> None:
        if fact.outcome == "approved" and fact.risk_key is not None and fact.risk_key in run.risk_keys:
            run.eliminated[fact.risk_key] = fact.date
            self._log.record(
                run, fact.date, DecisionKind.RISK_ELIMINATED, "case.risk_elimination", about, facts=(fact.id,)
            )
            if run.entitled:
                self._entitlements.on_eliminated(run, fact.risk_key, fact.date, about, (fact.id,))

    def _identify(self, run: RunState, fact: CaseDecided, about: Message) -> None:
        if fact.outcome != "approved":
            return
        if run.state in OBSERVING_STATES:
            event = Event.IDENTIFY
        elif run.state in WATCHED_STATES:
            event = Event.RELAPSE
        else:
            return
        self._lifecycle.move(run, event, fact.date, about, facts=(fact.id,), rule="case.identification")

    def _release(self, run: RunState, fact: CaseDecided, about: Message, ctx: Context) -> None:
        """Grant (approved) or set aside (rejected) the pending grants the case covers."""
        approved = fact.outcome == "approved"
        if approved and run.stops:
            run.stops = {}  # the new decision: a stopped intervention is granted again
        released: list[tuple[Risk, Grant]] = []
        kept: list[tuple[Risk, Grant]] = []
        for risk, grant in run.pending:
            covered = fact.risk_key is None or fact.risk_key == risk.key
            (released if covered else kept).append((risk, grant))
        run.pending = kept
        if approved:
            released.extend(run.set_aside.pop(fact.case_id, ()))  # an appeal of a rejection won
        granted_any = False
        for risk, grant in released:
            name = grant.intervention
            if not approved:
                run.set_aside.setdefault(fact.case_id, []).append((risk, grant))
                why = Message(keys.SET_ASIDE, about)
                self._log.skipped(run, risk, name, why, ctx.used_parameters())
                continue
            facts: tuple[str, ...] = (fact.id, risk.fact_id) if risk.fact_id else (fact.id,)
            if grant.is_entitlement:
                # the amount is set at the decision (N1 art. 21), on that day's income and parameters
                worked, used = self._entitlements.released(run, risk, grant, ctx)
                if isinstance(worked, Declined):
                    why = Message(keys.RELEASED_DECLINED, about, worked.message)
                    self._log.record(
                        run,
                        fact.date,
                        DecisionKind.ROUTE_SKIPPED,
                        f"intervention.{name}",
                        Message(keys.NOT_GRANTED, Term(name), Term(risk.kind), why),
                        facts=_with(facts, run.income_fact),
                        parameters=used,
                        risk=risk,
                        margins=partial(margins_of, worked.message),
                    )
                    continue
                granted_any = True
                grant, replaced = self._entitlements.open(run, worked)
                said = Message(keys.RELEASED_TERM, Term(name), about, replacing(grant, replaced), grant.basis_message)
                facts = _with(facts, grant.basis_fact)
            else:
                granted_any = True
                grant = attrs.evolve(grant, date=fact.date)
                said = Message(keys.RELEASED, Term(name), about, grant.basis_message)
                run.grants.append(grant)
            self._log.record(
                run,
                fact.date,
                DecisionKind.INTERVENTION_GRANTED,
                f"intervention.{name}",
                said,
                facts=facts,
                parameters=grant.parameters,
                risk=risk,
                grant=grant,
            )
            if run.entitled:  # aid toward a cost the entitlements were set against
                self._entitlements.on_aid(run, risk, grant, (fact.id,))
        if granted_any:
            self._lifecycle.assist_after_grants(run, fact.date, Message(keys.GRANTED_AFTER_CASE, about), (fact.id,))


def _with(facts: tuple[str, ...], fact: str | None) -> tuple[str, ...]:
    """``facts`` and ``fact`` (the income assessment an amount was worked out on), once."""
    return facts if fact is None or fact in facts else (*facts, fact)
