"""The engine's routing step: a risk found (or a state entered) routed to its interventions.

For each step of the policy's route for the risk's kind, in order:

1. the step's **condition** must hold;
2. an intervention pays a risk **once**;
3. the intervention **grants**, declines, or is not in force yet (its parameters start
   later: nothing is paid, and the decision says so); a negative amount is a policy error;
4. a grant that needs a decided identification case **waits** for it (pending), unless it
   is an emergency; any other grant is **paid** at once.

Grants paid for an identified or relapsed household assist it, under ``assist_on_grant``.
Every step that is not granted is recorded with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import attrs

from ..context import Context
from ..decisions import DecisionKind, Declined, Grant, Period, Risk
from ..errors import InvalidPolicy, ParameterNotInForce, PluginFailed, RelapseGuardError
from ..money import to_money
from ..policy import Policy
from ..routing import RouteStep
from ..rules import Verdict
from .decision_log import DecisionLog
from .entitlement_step import EntitlementStep, replacing
from .run_state import RunState

__all__ = ["Assist", "Router"]

_MONTHLY = Period.MONTHLY

#: Called when a route paid something: the run, the date, why, and the facts it rests on.
Assist = Callable[[RunState, dt.date, str, tuple[str, ...]], None]


def _covered(run: RunState, risk: Risk, names: tuple[str, ...]) -> Decimal:
    """Money the interventions ``names`` granted (or hold) for ``risk``, one-off and yearly."""
    grants = [*run.grants, *(grant for _, grant in run.pending)]
    return sum(
        (
            grant.amount
            for grant in grants
            if grant.risk_key == risk.key
            and grant.intervention in names
            and grant.amount is not None
            and not grant.is_entitlement
        ),
        Decimal(0),
    )


def _names(names: tuple[str, ...]) -> str:
    return " and ".join(names)


def _not_met(condition: str, verdict: Verdict) -> Callable[[], str]:
    """The reason a route condition was not met, written only if a decision records it."""
    return lambda: f"condition {condition} not met: {verdict.reason}"


class Router:
    """Routes risks to the interventions of ``policy``; see the module docstring."""

    def __init__(self, policy: Policy, log: DecisionLog, assist: Assist, entitlements: EntitlementStep) -> None:
        self.policy = policy
        self._log = log
        self._assist = assist
        self._entitlements = entitlements

    def route(self, run: RunState, risk: Risk, ctx: Context, *, detected: bool = True) -> None:
        """Route ``risk`` unless it was routed already; ``detected`` risks are also recorded as found."""
        if risk.key in run.risk_keys:
            return  # the same risk again (another report of it): found and routed already
        run.risk_keys.add(risk.key)
        if detected:
            self._found(run, risk)
        paid_any = False
        for route_step in self.policy.routes.get(risk.kind, ()):
            name = route_step.intervention
            grant = self._grant(run, risk, route_step, ctx)
            if grant is None:
                continue
            run.paid.add((risk.key, name))
            if name in self.policy.decision_required and not grant.emergency:
                self._hold(run, risk, name, grant)
            else:
                self._pay(run, risk, name, grant)
                paid_any = True
        if paid_any:
            self._assist(
                run,
                risk.date,
                f"interventions granted for {risk.kind} risk",
                (risk.fact_id,) if risk.fact_id else (),
            )

    def _found(self, run: RunState, risk: Risk) -> None:
        run.risks.append(risk)
        if risk.cost:
            run.costly.append(risk)
        if self._log.enabled:
            self._log.record(
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

    def _grant(self, run: RunState, risk: Risk, route_step: RouteStep, ctx: Context) -> Grant | None:
        """What ``route_step``'s intervention grants for ``risk``, or None (recorded as skipped)."""
        name = route_step.intervention
        if ctx.state is not run.state:  # a move since the context was last refreshed
            ctx.refresh(ctx.date, run)
        ctx.reset_used()
        condition = route_step.condition
        if condition is not None:
            try:
                verdict = condition(risk, ctx)
            except RelapseGuardError:
                raise
            except Exception as error:  # policy code failed: name it, for this household
                raise PluginFailed(run.household.id, f"condition.{condition.name}", risk.fact_id, error) from error
            if not verdict.holds:
                self._log.skipped(run, risk, name, _not_met(condition.name, verdict), ctx.used_parameters())
                return None
        if (risk.key, name) in run.paid:
            self._log.skipped(run, risk, name, "already granted for this risk", ctx.used_parameters())
            return None
        ctx.reset_used()
        paid_before = ""
        if route_step.after and risk.cost > 0:
            covered = _covered(run, risk, route_step.after)
            if covered:
                left = risk.cost - covered
                if left <= 0:
                    self._log.skipped(
                        run,
                        risk,
                        name,
                        f"the cost {to_money(risk.cost)} is covered by {_names(route_step.after)}: {to_money(covered)}",
                        (),
                    )
                    return None
                paid_before = (
                    f"on the cost left after {_names(route_step.after)}: "
                    f"{to_money(risk.cost)} - {to_money(covered)} = {to_money(left)}; "
                )
                risk = attrs.evolve(risk, cost=left)
        try:
            grant = self.policy.interventions[name].grant(risk, ctx)
        except ParameterNotInForce as error:
            # A programme whose amounts start later has not started yet: say so, pay nothing.
            self._log.skipped(run, risk, name, f"not in force yet: {error}", ctx.used_parameters())
            return None
        except RelapseGuardError:
            raise
        except Exception as error:  # policy code failed: name it, for this household
            raise PluginFailed(run.household.id, f"intervention.{name}", risk.fact_id, error) from error
        if grant is None or isinstance(grant, Declined):
            reason = grant.reason if grant else "intervention does not apply"
            self._log.skipped(run, risk, name, reason, ctx.used_parameters())
            return None
        if grant.amount is not None and grant.amount < 0:
            raise InvalidPolicy(f"intervention {name!r} granted a negative amount {grant.amount}")
        return grant.with_basis(paid_before + grant.basis) if paid_before else grant

    def _hold(self, run: RunState, risk: Risk, name: str, grant: Grant) -> None:
        """Keep ``grant`` pending until an identification case is decided."""
        run.pending.append((risk, grant))
        if self._log.enabled:
            self._log.record(
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

    def _pay(self, run: RunState, risk: Risk, name: str, grant: Grant) -> None:
        """Grant now (a monthly grant as an entitlement); the decision says when it is owed,
        what it replaces and when an emergency pays first."""
        replaced = None
        monthly = grant.period is _MONTHLY and grant.amount is not None  # an entitlement
        if monthly:
            grant, replaced = self._entitlements.open(run, grant)
        else:
            run.grants.append(grant)
        if not self._log.enabled:
            return
        what = f"{grant.amount} yuan {grant.period.value}" if grant.amount is not None else f"service {grant.service}"
        if monthly:
            what += replacing(grant, replaced)
        if grant.emergency and name in self.policy.decision_required:
            what += " (emergency: paid first, the case decides after)"
        self._log.record(
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
