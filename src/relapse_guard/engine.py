"""The pure core: ``Engine(policy).run(household, facts)`` -> state and explained decisions.

No clock, no I/O, no global state: dates come from the facts and from an explicit ``as_of``.
Facts are applied in date order, then kind order, then id, so the same facts in any input
order give the same result; an exact duplicate is ignored, a different fact with a used id
is refused. For each fact the engine

1. moves the clock to the fact's date (starting or ending the transition period on the
   dates they fall, never later);
2. records what the fact observes (income, housing grade, unmet needs, reviews done);
3. applies the lifecycle (identification for households not on file or stable, relapse for
   exited or monitored ones, assistance and exit on their facts), guards evaluated by the
   policy's rules;
4. runs the policy's triggers on the fact, and routes each new risk — and each lifecycle
   entry, as ``entered:<state>`` — to its interventions; a risk is never paid twice by one
   intervention. Grants count as assistance for identified or relapsed households.

Every step is a :class:`~relapse_guard.decisions.Decision` naming its rule, facts and
parameter values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from ._prefilter import QuietFrom, income_band, income_watchers
from ._run_state import RunState, monthly_in_force
from .context import Context
from .decisions import Decision, DecisionKind, Declined, Grant, Period, Risk, Severity
from .errors import InvalidFact, InvalidPolicy, ParameterNotInForce
from .facts import (
    AssistanceGranted,
    BasicNeedsChecked,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    ExitVerified,
    Fact,
    HouseAppraised,
    IncomeAssessed,
    ReviewCompleted,
)
from .household import Household
from .lifecycle import Event, State, next_state
from .parameters import ParameterValue
from .policy import Policy
from .result import HouseholdResult
from .routing import entered
from .timeline import order_facts, transition_period
from .triggers.base import Trigger

__all__ = ["Engine", "order_facts", "transition_period"]

# Tuples, not sets: membership by identity avoids hashing enum members on the hot path.
_OBSERVING_STATES = (State.NEW, State.STABLE)
_WATCHED_STATES = (State.EXITED, State.MONITORED)
_ASSISTABLE_STATES = (State.IDENTIFIED, State.RELAPSED)
_CONFIRMED_EXIT_STATES = (State.EXITED, State.MONITORED, State.STABLE)
# Dates whose parameter values are kept; a year of daily facts fits many times over.
_SNAPSHOT_LIMIT = 20_000


class Engine:
    """Runs a :class:`~relapse_guard.policy.Policy` over households' facts. Reusable and stateless.

    >>> from relapse_guard.policies import load_policy
    >>> engine = Engine(load_policy("yubei_2016"))
    """

    def __init__(self, policy: Policy, *, prefilter: bool = True) -> None:
        self.policy = policy
        self._triggers_by_kind: dict[type[Fact], list[Trigger]] = {}
        for trigger in policy.triggers:
            for kind in trigger.fact_kinds:
                self._triggers_by_kind.setdefault(kind, []).append(trigger)
        #: Parameter values by date, shared by every run: parameters are immutable.
        self._snapshots: dict[dt.date, dict[str, ParameterValue]] = {}
        self._watchers = income_watchers(policy, self._triggers_by_kind.get(IncomeAssessed, ())) if prefilter else None

    # --- public -----------------------------------------------------------------------

    def run(self, household: Household, facts: Iterable[Fact], *, as_of: dt.date | None = None) -> HouseholdResult:
        """The household's state and decisions after its facts (those dated up to ``as_of``).

        With ``as_of``, facts after it are ignored and the clock is moved to it (so a
        transition period that ended by then is ended). Raises
        :class:`~relapse_guard.errors.InvalidTransition` for a fact that asks for a move the
        lifecycle does not have (an exit verified for a household never assisted), and the
        errors of :func:`order_facts`.
        """
        ordered = order_facts(household.id, facts)
        if as_of is not None:
            ordered = [fact for fact in ordered if fact.date <= as_of]
        run = RunState(household)
        if ordered:
            ctx = self._context(run, ordered[0].date)
            if self._watchers is None:
                for fact in ordered:
                    self._advance(run, fact.date)
                    self._apply(run, fact, ctx)
                    self._advance(run, fact.date)
            else:
                self._run_prefiltered(run, ordered, ctx, self._watchers)
        if as_of is not None:
            self._advance(run, as_of)
        return HouseholdResult(
            household_id=household.id,
            policy=self.policy.label,
            as_of=as_of if as_of is not None else (ordered[-1].date if ordered else None),
            state=run.state,
            state_since=run.state_since,
            income_per_capita=run.income,
            monitoring_starts_on=run.monitoring_start,
            monitoring_ends_on=run.monitoring_end,
            decisions=tuple(run.decisions),
            risks=tuple(run.risks),
            grants=tuple(run.grants),
            reviews_completed=dict(run.reviews_done),
            eliminated_risks=dict(run.eliminated),
            pending=tuple(grant for _, grant in run.pending),
        )

    # --- the clock ----------------------------------------------------------------------

    def _advance(self, run: RunState, to: dt.date) -> None:
        if run.state is State.EXITED and run.monitoring_start is not None and run.monitoring_start <= to:
            start = run.monitoring_start
            self._move(
                run,
                Event.START_MONITORING,
                start,
                f"transition period starts on {start.isoformat()} and runs until {run.monitoring_end}",
                facts=(),
                parameters=run.period_parameters,
                rule="lifecycle.start_monitoring",
            )
        if run.state is State.MONITORED and run.monitoring_end is not None and run.monitoring_end <= to:
            end = run.monitoring_end
            self._move(
                run,
                Event.STABILISE,
                end,
                f"transition period from {run.monitoring_start} ended on {end.isoformat()} with no relapse",
                facts=(),
                parameters=run.period_parameters,
                rule="lifecycle.stabilise",
            )

    # --- facts --------------------------------------------------------------------------

    def _run_prefiltered(
        self,
        run: RunState,
        ordered: list[Fact],
        ctx: Context,
        watchers: dict[State, tuple[QuietFrom, ...] | None],
    ) -> None:
        """Apply ``ordered``, only recording income assessments at or above the income band."""
        parameters = self.policy.parameters
        band: Decimal | None = None
        # What the band was computed for: the state and the size of what only grows (known
        # risks, grants), needs and housing. Any change, and the band is computed again.
        band_for: tuple[object, ...] = ()
        band_until = 0
        risk_keys, grants = run.risk_keys, run.grants
        for fact in ordered:
            date = fact.date
            if type(fact) is IncomeAssessed:
                state = run.state
                if state is State.EXITED or state is State.MONITORED:
                    self._advance(run, date)
                    state = run.state
                ordinal = date.toordinal()
                now = (state, len(risk_keys), len(grants), run.unmet, run.housing_grade)
                if now != band_for or ordinal >= band_until:
                    self._refresh(ctx, run, date)
                    band, band_until = income_band(watchers[state], ctx, parameters)
                    band_for = now
                if band is not None and fact.income_per_capita >= band:
                    if date < run.latest_birth:
                        run.household.check_born_by(date)  # raises, naming the member
                    run.previous_income = run.income
                    run.income = fact.income_per_capita
                    run.income_fact = fact.id
                    continue
            self._advance(run, date)
            self._apply(run, fact, ctx)
            self._advance(run, date)

    def _parameters_on(self, date: dt.date) -> dict[str, ParameterValue]:
        found = self._snapshots.get(date)
        if found is None:
            if len(self._snapshots) >= _SNAPSHOT_LIMIT:
                self._snapshots.clear()
            found = self._snapshots[date] = {}
        return found

    def _context(self, run: RunState, date: dt.date) -> Context:
        ctx = Context(
            household=run.household,
            date=date,
            state=run.state,
            parameters=self.policy.parameters,
            income_per_capita=run.income,
            previous_income_per_capita=run.previous_income,
            unmet_needs=run.unmet,
            housing_grade=run.housing_grade,
            grants=run.grants,
            known_risks=run.risk_keys,
        )
        ctx._seen = self._parameters_on(date)
        return ctx

    def _refresh(self, ctx: Context, run: RunState, date: dt.date) -> None:
        """Bring the run's context to ``date`` and the household as it is now."""
        if ctx.date != date:
            ctx.date = date
            ctx._seen = self._parameters_on(date)
        ctx.state = run.state
        ctx.income_per_capita = run.income
        ctx.previous_income_per_capita = run.previous_income
        ctx.unmet_needs = run.unmet
        ctx.housing_grade = run.housing_grade

    def _apply(self, run: RunState, fact: Fact, ctx: Context) -> None:
        observed = self._observe(run, fact)
        # One context per run serves the lifecycle rules and every trigger (the hot path).
        self._refresh(ctx, run, fact.date)
        if isinstance(fact, AssistanceGranted):
            if run.state in _ASSISTABLE_STATES:
                self._move(
                    run,
                    Event.ASSIST,
                    fact.date,
                    f"assistance granted: {fact.measure}"
                    + (f" ({fact.amount} yuan)" if fact.amount is not None else ""),
                    facts=(fact.id,),
                )
        elif isinstance(fact, ExitVerified):
            self._exit(run, fact, ctx)
        elif isinstance(fact, CaseDecided):
            self._case_decided(run, fact, ctx)
        elif observed:
            self._lifecycle_after_observation(run, fact, ctx)
        triggers = self._triggers_by_kind.get(type(fact))
        if triggers:
            for trigger in triggers:
                ctx.state = run.state
                ctx.reset_used()
                risk = trigger.detect(fact, ctx)
                if risk is not None:
                    self._route(run, risk, ctx)

    def _observe(self, run: RunState, fact: Fact) -> bool:
        """Record what ``fact`` tells about the household; True if the lifecycle may change."""
        if isinstance(fact, IncomeAssessed):
            if fact.date < run.latest_birth:
                run.household.check_born_by(fact.date)  # raises, naming the member
            run.previous_income = run.income
            run.income = fact.income_per_capita
            run.income_fact = fact.id
            return True
        if isinstance(fact, HouseAppraised):
            run.housing_grade = fact.grade
            return True
        if isinstance(fact, BasicNeedsChecked):
            run.unmet = fact.unmet
            return True
        if isinstance(fact, ReviewCompleted):
            run.reviews_done[fact.review] = fact.date
            return False
        return not isinstance(fact, AssistanceGranted | ExitVerified | CaseOpened | CaseStepRecorded | CaseDecided)

    def _evidence(self, run: RunState, fact: Fact) -> tuple[str, ...]:
        if run.income_fact is None or run.income_fact == fact.id:
            return (fact.id,)
        return (fact.id, run.income_fact)

    def _lifecycle_after_observation(self, run: RunState, fact: Fact, ctx: Context) -> None:
        if run.state in _OBSERVING_STATES:
            for rule in self.policy.identification:
                ctx.reset_used()
                verdict = rule(ctx)
                if verdict.holds:
                    self._move(
                        run,
                        Event.IDENTIFY,
                        fact.date,
                        verdict.reason,
                        facts=self._evidence(run, fact),
                        parameters=ctx.used_parameters(),
                        rule=f"identification.{rule.name}",
                    )
                    return
        elif run.state in _WATCHED_STATES:
            ctx.reset_used()
            verdict = self.policy.relapse_rule(ctx)
            if verdict.holds:
                self._move(
                    run,
                    Event.RELAPSE,
                    fact.date,
                    verdict.reason,
                    facts=self._evidence(run, fact),
                    parameters=ctx.used_parameters(),
                    rule=f"relapse.{self.policy.relapse_rule.name}",
                )

    def _exit(self, run: RunState, fact: ExitVerified, ctx: Context) -> None:
        if run.state in _CONFIRMED_EXIT_STATES:
            return  # a re-verification of an exit already made changes nothing
        next_state(run.household.id, run.state, Event.EXIT)  # raises for a state with no exit
        ctx.reset_used()
        verdict = self.policy.exit_rule(ctx)
        if not verdict.holds:
            self._record(
                run,
                fact.date,
                DecisionKind.TRANSITION_REFUSED,
                f"exit.{self.policy.exit_rule.name}",
                f"exit refused: {verdict.reason}",
                facts=self._evidence(run, fact),
                parameters=ctx.used_parameters(),
                from_state=run.state,
            )
            return
        starts = ctx.text("transition.starts")
        years = ctx.amount("transition.years")
        leap_day = ctx.text("transition.leap_day") if ctx.has_param("transition.leap_day") else "feb28"
        if years != int(years) or years < 0:
            raise InvalidPolicy(f"transition.years must be a whole number of years, not {years}")
        start, end = transition_period(fact.date, starts=starts, years=int(years), leap_day=leap_day)
        parameters = ctx.used_parameters()
        self._move(run, Event.EXIT, fact.date, verdict.reason, facts=self._evidence(run, fact), parameters=parameters)
        run.monitoring_start, run.monitoring_end = start, end
        run.period_parameters = tuple(p for p in parameters if p.name.startswith("transition."))

    # --- transitions and routing ---------------------------------------------------------

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
        source = run.state
        dest, _guard = next_state(run.household.id, source, event)
        run.state = dest
        run.state_since = date
        if dest is not State.MONITORED and dest is not State.EXITED:
            run.monitoring_start = run.monitoring_end = None
        self._record(
            run,
            date,
            DecisionKind.TRANSITION,
            rule or f"lifecycle.{event.value}",
            explanation,
            facts=facts,
            parameters=parameters,
            from_state=source,
            to_state=dest,
        )
        kind = entered(dest)
        if kind in self.policy.routes:
            occasion = Risk(
                kind=kind,
                household_id=run.household.id,
                date=date,
                severity=Severity.LOW,
                trigger="lifecycle",
                fact_id=facts[0] if facts else "",
                key=f"{kind}:{date.isoformat()}",
            )
            self._route(run, occasion, self._context(run, date), detected=False)

    def _route(self, run: RunState, risk: Risk, ctx: Context, *, detected: bool = True) -> None:
        if risk.key in run.risk_keys:
            return  # the same risk again (another report of it): found and routed already
        run.risk_keys.add(risk.key)
        if detected:
            run.risks.append(risk)
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
                    self._skip(run, risk, name, f"condition {route_step.condition.name} not met: {verdict.reason}", ctx)
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
            granted_any = True
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
        if granted_any and self.policy.assist_on_grant and run.state in _ASSISTABLE_STATES:
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
            if run.state in _OBSERVING_STATES:
                self._move(run, Event.IDENTIFY, fact.date, about, facts=(fact.id,), rule="case.identification")
            elif run.state in _WATCHED_STATES:
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
        if released and approved and self.policy.assist_on_grant and run.state in _ASSISTABLE_STATES:
            self._move(run, Event.ASSIST, fact.date, f"interventions granted after {about}", facts=(fact.id,))

    def _skip(self, run: RunState, risk: Risk, name: str, reason: str, ctx: Context) -> None:
        self._record(
            run,
            risk.date,
            DecisionKind.ROUTE_SKIPPED,
            f"intervention.{name}",
            f"{name} not granted for {risk.kind} risk: {reason}",
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
