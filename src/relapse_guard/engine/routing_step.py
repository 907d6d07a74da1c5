"""The engine's routing step: a risk found (or a state entered) routed to its interventions.

For each step of the policy's route for the risk's kind, in order:

1. the step's **condition** must hold;
2. an intervention pays a risk **once**;
3. the intervention **grants**, declines, or is not in force yet (its parameters start
   later: nothing is paid, and the decision says so); a negative amount is a policy error;
4. a grant that needs a decided identification case **waits** for it (pending), unless it
   is an emergency; so does any grant of an intervention an explicit stop ended
   (:class:`~relapse_guard.facts.EntitlementStopped`), emergency or not, until an approved
   identification case lifts the stop; any other grant is **paid** at once.

Grants paid for an identified or relapsed household assist it, under ``assist_on_grant``.
Every step that is not granted is recorded with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import partial

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import DecisionKind, Declined, Grant, MarginsGiven, Period, Risk
from ..errors import ParameterNotInForce, PluginFailed, RelapseGuardError, in_policy_code
from ..facts import EntitlementStopped
from ..messages import Join, Message, Term
from ..money import to_money
from ..policy import Policy
from ..routing import RouteStep
from ..rules import Verdict
from .answers import checked_grant, checked_verdict, sound_grant
from .decision_log import DecisionLog, Said
from .entitlement_step import EntitlementStep, replacing
from .run_state import RunState

__all__ = ["Assist", "Router"]

_MONTHLY = Period.MONTHLY

#: Called when a route paid something: the run, the date, why, and the facts it rests on.
Assist = Callable[[RunState, dt.date, Said, tuple[str, ...]], None]


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


def _names(names: tuple[str, ...]) -> Join:
    return Join([Term(name) for name in names], " and ")


def _not_met(condition: str, verdict: Verdict) -> Callable[[], Message]:
    """The reason a route condition was not met, written only if a decision records it."""
    return lambda: Message(keys.CONDITION_NOT_MET, Term(condition), verdict.message)


def _covered_by(cost: Decimal, after: tuple[str, ...], covered: Decimal) -> Callable[[], Message]:
    """Why a step that pays after others is skipped: they covered the whole cost."""
    return lambda: Message(keys.COST_COVERED, to_money(cost), _names(after), to_money(covered))


def _not_in_force(error: ParameterNotInForce) -> Callable[[], Message]:
    return lambda: Message(keys.NOT_IN_FORCE, keys.no_value_yet(error))


def _reported_again(risk: Risk, first: Risk) -> Message:
    """What the decision on a second report of one event says (and the two costs, when they differ)."""
    said = (Term(risk.kind), first.fact_id, first.date, first.key)
    if risk.cost == first.cost:
        return Message(keys.SAME_EVENT, *said)
    return Message(keys.SAME_EVENT_OTHER_COST, *said, to_money(risk.cost), to_money(first.cost))


_ALREADY_GRANTED = Message(keys.ALREADY_GRANTED)
_DOES_NOT_APPLY = Message(keys.DOES_NOT_APPLY)


class Router:
    """Routes risks to the interventions of ``policy``; see the module docstring."""

    def __init__(self, policy: Policy, log: DecisionLog, assist: Assist, entitlements: EntitlementStep) -> None:
        self.policy = policy
        self._log = log
        self._assist = assist
        self._entitlements = entitlements
        #: The verdict of the last route step's condition that held (or None): the margins of
        #: a grant's decision, read only when decisions are recorded.
        self._held: Verdict | None = None

    def route(self, run: RunState, risk: Risk, ctx: Context, *, detected: bool = True) -> None:
        """Route ``risk`` unless it was routed already; ``detected`` risks are also recorded as found."""
        if risk.key in run.risk_keys:
            # the same risk again (another report of one event): found and routed already
            if detected and self._log.enabled:
                self._again(run, risk)
            return
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
            stop = run.stops.get(name) if run.stops else None
            if stop is not None:
                self._hold(run, risk, name, grant, stop)
            elif name in self.policy.decision_required and not grant.emergency:
                self._hold(run, risk, name, grant)
            else:
                self._pay(run, risk, name, grant)
                paid_any = True
        if detected and risk.cost and run.entitled:
            self._entitlements.on_cost(run, risk)
        if paid_any:
            kind = risk.kind
            self._assist(
                run,
                risk.date,
                lambda: Message(keys.GRANTED_FOR_RISK, Term(kind)),
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
                risk.message,
                facts=(risk.fact_id,),
                parameters=risk.parameters,
                risk=risk,
                margins=risk.margins,  # the thresholds its trigger found crossed
            )

    def _again(self, run: RunState, risk: Risk) -> None:
        """Record that ``risk`` is a report of a risk found already: a decision naming both
        facts (this report's, then the first report's), which routes nothing and pays nothing.
        It is about no risk of its own (the one risk is the first report's)."""
        first = next((found for found in run.risks if found.key == risk.key), None)
        if first is None:  # the key of a state entered (not a risk found): nothing to name
            return
        facts = tuple(dict.fromkeys(fact for fact in (risk.fact_id, first.fact_id) if fact))
        self._log.record(
            run,
            risk.date,
            DecisionKind.RISK_DETECTED,
            f"trigger.{risk.trigger}",
            partial(_reported_again, risk, first),
            facts=facts,
            parameters=risk.parameters,
        )

    def _grant(self, run: RunState, risk: Risk, route_step: RouteStep, ctx: Context) -> Grant | None:
        """What ``route_step``'s intervention grants for ``risk``, or None (recorded as skipped)."""
        name = route_step.intervention
        if ctx.state is not run.state:  # a move since the context was last refreshed
            ctx.refresh(ctx.date, run)
        if run.entitled:  # a piece in force is replaced on the income it was set on, as the re-check rule says
            ctx = self._entitlements.context_on_file(run, name, ctx)
        ctx.reset_used()
        self._held = None
        condition = route_step.condition
        if condition is not None:
            try:
                verdict = condition(risk, ctx)
            except RelapseGuardError as error:  # the library's own, let out by policy code: said where
                in_policy_code(error, run.household.id, f"condition.{condition.name}", risk.fact_id)
                raise
            except Exception as error:  # policy code failed: name it, for this household
                raise PluginFailed(run.household.id, f"condition.{condition.name}", risk.fact_id, error) from error
            if type(verdict) is not Verdict:  # policy code's answer, checked
                verdict = checked_verdict(verdict, run.household.id, f"condition.{condition.name}", risk.fact_id)
            if not verdict.holds:
                self._log.skipped(run, risk, name, _not_met(condition.name, verdict), ctx.used_parameters())
                return None
            if self._log.enabled:
                self._held = verdict
        if (risk.key, name) in run.paid:
            self._log.skipped(run, risk, name, _ALREADY_GRANTED, ctx.used_parameters())
            return None
        ctx.reset_used()
        paid_before: tuple[tuple[str, ...], Decimal, Decimal, Decimal] | None = None
        if route_step.after and risk.cost > 0:
            covered = _covered(run, risk, route_step.after)
            if covered:
                left = risk.cost - covered
                if left <= 0:
                    self._log.skipped(run, risk, name, _covered_by(risk.cost, route_step.after, covered), ())
                    return None
                paid_before = (route_step.after, risk.cost, covered, left)
                risk = attrs.evolve(risk, cost=left)
        try:
            grant = self.policy.interventions[name].grant(risk, ctx)
        except ParameterNotInForce as error:
            # A programme whose amounts start later has not started yet: say so, pay nothing.
            self._log.skipped(run, risk, name, _not_in_force(error), ctx.used_parameters())
            return None
        except RelapseGuardError as error:  # the library's own, let out by policy code: said where
            in_policy_code(error, run.household.id, f"intervention.{name}", risk.fact_id)
            raise
        except Exception as error:  # policy code failed: name it, for this household
            raise PluginFailed(run.household.id, f"intervention.{name}", risk.fact_id, error) from error
        if grant is not None and not sound_grant(grant, name):  # policy code's answer, checked
            grant = checked_grant(grant, run.household.id, name, risk.fact_id)
        if grant is None or isinstance(grant, Declined):
            self._log.skipped(run, risk, name, grant.message if grant else _DOES_NOT_APPLY, ctx.used_parameters())
            return None
        if paid_before is None:
            return grant
        after, cost, covered, left = paid_before
        basis = Message(
            keys.COST_LEFT, _names(after), to_money(cost), to_money(covered), to_money(left), grant.basis_message
        )
        return grant.with_basis(basis)

    def _hold(self, run: RunState, risk: Risk, name: str, grant: Grant, stop: EntitlementStopped | None = None) -> None:
        """Keep ``grant`` pending until an identification case is decided (after ``stop``, the
        explicit stop of the intervention, which the decision names and cites)."""
        run.pending.append((risk, grant))
        if self._log.enabled:
            facts: tuple[str, ...] = (risk.fact_id,) if risk.fact_id else ()
            self._log.record(
                run,
                grant.date,
                DecisionKind.INTERVENTION_PENDING,
                f"intervention.{name}",
                partial(_pending, name, grant, stop),
                facts=facts if stop is None else (*facts, stop.id),
                parameters=grant.parameters,
                risk=risk,
                grant=grant,
                margins=self._held_margins(),
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
        first = grant.emergency and name in self.policy.decision_required
        facts: tuple[str, ...] = (risk.fact_id,) if risk.fact_id else ()
        shared = run.shared if monthly and run.income_shared is not None else None
        if shared is not None and self._entitlements.terms(name).recompute_on_income:
            facts = (*facts, *(change for change in shared[1] if change not in facts))  # the income it read
        self._log.record(
            run,
            grant.date,
            DecisionKind.INTERVENTION_GRANTED,
            f"intervention.{name}",
            partial(_granted, grant, replaced if monthly else None, monthly, first, risk.kind),
            facts=facts,
            parameters=grant.parameters,
            risk=risk,
            grant=grant,
            margins=self._held_margins(),
        )

    def _held_margins(self) -> MarginsGiven:
        """The near margins of the condition that let the last grant through (once)."""
        held, self._held = self._held, None
        return () if held is None else held.near_margins


def _pending(name: str, grant: Grant, stop: EntitlementStopped | None) -> Message:
    if stop is None:
        return Message(keys.PENDING, Term(name), grant.basis_message)
    if stop.reason:
        return Message(keys.PENDING_STOPPED_BECAUSE, Term(name), stop.date, stop.reason, grant.basis_message)
    return Message(keys.PENDING_STOPPED, Term(name), stop.date, grant.basis_message)


def _granted(grant: Grant, replaced: Grant | None, monthly: bool, first: bool, kind: str) -> Message:
    """What a grant's decision says: the amount (or service), when an entitlement is owed and
    what it replaces, whether an emergency paid it first, and its basis."""
    what: Message
    if grant.amount is not None:
        what = Message(keys.GRANT_MONEY, grant.amount, Term(grant.period.value))
    else:
        what = Message(keys.GRANT_SERVICE, _term(grant.service))
    if monthly:
        what = Message(keys.WITH_TERM, what, replacing(grant, replaced))
    if first:
        what = Message(keys.EMERGENCY_FIRST, what)
    return Message(keys.GRANTED, what, Term(kind), grant.basis_message)


def _term(name: str | None) -> Term | str:
    """A service's name as a term (a name the catalogue may translate)."""
    return "None" if name is None else Term(name)
