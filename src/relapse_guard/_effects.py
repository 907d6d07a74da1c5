"""The engine's effects: a risk routed to its interventions, a case's decision applied, and
every decision recorded with its rule, facts and parameter values.

A mixin of :class:`~relapse_guard.engine.Engine`, kept apart so that each module has one
job: the engine moves households through the lifecycle; this module decides what follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from ._run_state import ASSISTABLE_STATES, OBSERVING_STATES, WATCHED_STATES, RunState, monthly_in_force
from .context import Context
from .decisions import Decision, DecisionKind, Declined, Grant, Period, Risk
from .errors import InvalidFact, InvalidPolicy, ParameterNotInForce
from .facts import CaseDecided
from .lifecycle import Event, State
from .parameters import ParameterValue
from .policy import Policy
from .rules import Verdict

__all__ = ["Effects"]


def _not_met(condition: str, verdict: Verdict) -> Callable[[], str]:
    """The reason a route condition was not met, written only if a decision records it."""
    return lambda: f"condition {condition} not met: {verdict.reason}"


class Effects:
    """Routing, case decisions and decision records, for the engine (which provides ``_move``)."""

    policy: Policy
    _recording: bool

    def _move(
        self,
        run: RunState,
        event: Event,
        date: dt.date,
        explanation: str,
        *,
        facts: tuple[str, ...],
        parameters: tuple[ParameterValue, ...] = (),
        rule: str | None = None,
    ) -> None:
        raise NotImplementedError  # the engine moves households

    def _route(self, run: RunState, risk: Risk, ctx: Context, *, detected: bool = True) -> None:
        if risk.key in run.risk_keys:
            return  # the same risk again (another report of it): found and routed already
        run.risk_keys.add(risk.key)
        if detected:
            run.risks.append(risk)
        if detected and self._recording:
            self._record(
                run,
                risk.date,
                DecisionKind.RISK_DETECTED,
                f"trigger.{risk.trigger}",
                f"{risk.kind} risk ({risk.severity.name.lower()}): "
                + "; ".join(f"{label} {value}" for label, value in risk.evidence),
                facts=(risk.fact_id,),
                parameters=risk.parameters,
                risk=risk,
            )
        granted_any = False
        for route_step in self.policy.routes.get(risk.kind, ()):
            name = route_step.intervention
            ctx.state = run.state
            ctx.reset_used()
            if route_step.condition is not None:
                verdict = route_step.condition(risk, ctx)
                if not verdict.holds:
                    self._skip(
                        run,
                        risk,
                        name,
                        _not_met(route_step.condition.name, verdict),
                        ctx,
                    )
                    continue
            if (risk.key, name) in run.paid:
                self._skip(run, risk, name, "already granted for this risk", ctx)
                continue
            ctx.reset_used()
            try:
                grant = self.policy.interventions[name].grant(risk, ctx)
            except ParameterNotInForce as error:
                # A programme whose amounts start later has not started yet: say so, pay nothing.
                self._skip(run, risk, name, f"not in force yet: {error}", ctx)
                continue
            if grant is None or isinstance(grant, Declined):
                self._skip(run, risk, name, grant.reason if grant else "intervention does not apply", ctx)
                continue
            if grant.amount is not None and grant.amount < 0:
                raise InvalidPolicy(f"intervention {name!r} granted a negative amount {grant.amount}")
            if name in self.policy.decision_required and not grant.emergency:
                run.paid.add((risk.key, name))
                run.pending.append((risk, grant))
                if not self._recording:
                    continue
                self._record(
                    run,
                    grant.date,
                    DecisionKind.INTERVENTION_PENDING,
                    f"intervention.{name}",
                    f"{name} waits for a decided identification case: {grant.basis}",
                    facts=(risk.fact_id,) if risk.fact_id else (),
                    parameters=grant.parameters,
                    risk=risk,
                    grant=grant,
                )
                continue
            granted_any = True
            if not self._recording:
                run.paid.add((risk.key, name))
                run.grants.append(grant)
                continue
            what = (
                f"{grant.amount} yuan {grant.period.value}" if grant.amount is not None else f"service {grant.service}"
            )
            if grant.period is Period.MONTHLY and grant.amount is not None:
                replaced = monthly_in_force(run.grants, name)
                if replaced is not None:
                    what += f" (replaces {replaced.amount} monthly granted on {replaced.date.isoformat()})"
            if grant.emergency and name in self.policy.decision_required:
                what += " (emergency: paid first, the case decides after)"
            run.paid.add((risk.key, name))
            run.grants.append(grant)
            self._record(
                run,
                grant.date,
                DecisionKind.INTERVENTION_GRANTED,
                f"intervention.{name}",
                f"{what} for {risk.kind} risk: {grant.basis}",
                facts=(risk.fact_id,) if risk.fact_id else (),
                parameters=grant.parameters,
                risk=risk,
                grant=grant,
            )
        if granted_any and self.policy.assist_on_grant and run.state in ASSISTABLE_STATES:
            self._move(
                run,
                Event.ASSIST,
                risk.date,
                f"interventions granted for {risk.kind} risk",
                facts=(risk.fact_id,) if risk.fact_id else (),
            )

    def _case_decided(self, run: RunState, fact: CaseDecided, ctx: Context) -> None:
        """Apply a case's decision: lifecycle moves, pending interventions, eliminated risks."""
        if fact.outcome not in ("approved", "rejected"):
            raise InvalidFact(run.household.id, "outcome", fact.outcome, "'approved' or 'rejected'", fact_id=fact.id)
        approved = fact.outcome == "approved"
        about = f"{fact.procedure} case {fact.case_id} {fact.outcome}"
        if fact.procedure == "risk_elimination":
            if approved and fact.risk_key is not None and fact.risk_key in run.risk_keys:
                run.eliminated[fact.risk_key] = fact.date
                self._record(
                    run, fact.date, DecisionKind.RISK_ELIMINATED, "case.risk_elimination", about, facts=(fact.id,)
                )
            return
        if fact.procedure != "identification":
            return  # a procedure of the policy's own: recorded as a fact, no lifecycle effect here
        if approved:
            if run.state in OBSERVING_STATES:
                self._move(run, Event.IDENTIFY, fact.date, about, facts=(fact.id,), rule="case.identification")
            elif run.state in WATCHED_STATES:
                self._move(run, Event.RELAPSE, fact.date, about, facts=(fact.id,), rule="case.identification")
        released: list[tuple[Risk, Grant]] = []
        kept: list[tuple[Risk, Grant]] = []
        for risk, grant in run.pending:
            covered = fact.risk_key is None or fact.risk_key == risk.key
            (released if covered else kept).append((risk, grant))
        run.pending = kept
        if approved:
            released.extend(run.set_aside.pop(fact.case_id, ()))  # an appeal of a rejection won
        for risk, grant in released:
            name = grant.intervention
            if not approved:
                run.set_aside.setdefault(fact.case_id, []).append((risk, grant))
                self._skip(run, risk, name, f"{about}: the pending grant is set aside (granted if an appeal wins)", ctx)
                continue
            grant = attrs.evolve(grant, date=fact.date)
            run.grants.append(grant)
            self._record(
                run,
                fact.date,
                DecisionKind.INTERVENTION_GRANTED,
                f"intervention.{name}",
                f"{name} granted after {about}: {grant.basis}",
                facts=(fact.id, risk.fact_id) if risk.fact_id else (fact.id,),
                parameters=grant.parameters,
                risk=risk,
                grant=grant,
            )
        if released and approved and self.policy.assist_on_grant and run.state in ASSISTABLE_STATES:
            self._move(run, Event.ASSIST, fact.date, f"interventions granted after {about}", facts=(fact.id,))

    def _skip(self, run: RunState, risk: Risk, name: str, reason: str | Callable[[], str], ctx: Context) -> None:
        if not self._recording:
            return
        self._record(
            run,
            risk.date,
            DecisionKind.ROUTE_SKIPPED,
            f"intervention.{name}",
            f"{name} not granted for {risk.kind} risk: {reason if isinstance(reason, str) else reason()}",
            facts=(risk.fact_id,) if risk.fact_id else (),
            parameters=ctx.used_parameters(),
            risk=risk,
        )

    def _record(
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
        if not self._recording:
            return
        run.decisions.append(
            Decision(
                sequence=len(run.decisions),
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
