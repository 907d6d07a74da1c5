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

import bisect
import datetime as dt
import operator
from collections.abc import Iterable
from decimal import Decimal

from ._effects import Effects
from ._prefilter import ChangeCache, QuietFrom, income_band, income_watchers
from ._run_state import ASSISTABLE_STATES, OBSERVING_STATES, WATCHED_STATES, RunState
from .context import Context
from .decisions import DecisionKind, Risk, Severity
from .errors import InvalidPolicy
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

_CONFIRMED_EXIT_STATES = (State.EXITED, State.MONITORED, State.STABLE)
_DATE = operator.attrgetter("date")
# Dates whose parameter values are kept; a year of daily facts fits many times over.
_SNAPSHOT_LIMIT = 20_000


class Engine(Effects):
    """Runs a :class:`~relapse_guard.policy.Policy` over households' facts. Reusable and stateless.

    ``prefilter=False`` evaluates every fact, instead of only recording income assessments
    that every rule and trigger declares quiet (docs/performance.md); the result is the same.
    ``record_decisions=False`` gives results without their decisions: state, risks, grants,
    pending grants and reviews are the same, and nothing explains them. A screen uses it and
    :meth:`run` with decisions recorded explains any household again (same facts, same result).
    The engine keeps the parameter values it looked up, by date, for all its runs.

    >>> from relapse_guard.policies import load_policy
    >>> engine = Engine(load_policy("yubei_2016"))
    """

    def __init__(self, policy: Policy, *, prefilter: bool = True, record_decisions: bool = True) -> None:
        self.policy = policy
        self._recording = record_decisions
        self._triggers_by_kind: dict[type[Fact], list[Trigger]] = {}
        for trigger in policy.triggers:
            for kind in trigger.fact_kinds:
                self._triggers_by_kind.setdefault(kind, []).append(trigger)
        #: Parameter values by date, shared by every run: parameters are immutable.
        self._snapshots: dict[dt.date, dict[str, ParameterValue]] = {}
        #: The routing kind of entering each state the policy routes (``entered:<state>``).
        self._entry_routes = {state: entered(state) for state in State if entered(state) in policy.routes}
        #: When parameter values next change, after a date (the prefilter's band ends then).
        self._changes: ChangeCache = {}
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
        if as_of is not None and ordered and ordered[-1].date > as_of:
            del ordered[bisect.bisect_right(ordered, as_of, key=_DATE) :]  # in date order: cut the tail
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
        # risks, grants), needs and housing. Any change, and the band is computed again. Only
        # a fact that took the full path (or a move of the clock, which changes the state)
        # changes any of them, so after a recorded assessment the state alone is compared.
        band_for: tuple[object, ...] = (None,)
        band_until = 0
        full_path_since_band = True
        risk_keys, grants = run.risk_keys, run.grants
        observe_income = run.observe_income
        for fact in ordered:
            date = fact.date
            if type(fact) is IncomeAssessed:
                state = run.state
                if state is State.EXITED or state is State.MONITORED:
                    self._advance(run, date)
                    state = run.state
                expired = date.toordinal() >= band_until
                if full_path_since_band or state is not band_for[0] or expired:
                    now = (state, len(risk_keys), len(grants), run.unmet, run.housing_grade)
                    if now != band_for or expired:
                        self._refresh(ctx, run, date)
                        band, band_until = income_band(watchers[state], ctx, parameters, self._changes)
                        band_for = now
                    full_path_since_band = False
                if band is not None and fact.income_per_capita >= band:
                    observe_income(fact)
                    continue
            full_path_since_band = True
            self._advance(run, date)
            self._apply(run, fact, ctx)
            self._advance(run, date)

    def _parameters_on(self, date: dt.date) -> dict[str, ParameterValue]:
        found = self._snapshots.get(date)
        if found is None:
            if len(self._snapshots) >= _SNAPSHOT_LIMIT:
                self._snapshots.clear()
                self._changes.clear()
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
            if run.state in ASSISTABLE_STATES:
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
            run.observe_income(fact)
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
        if run.state in OBSERVING_STATES:
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
        elif run.state in WATCHED_STATES:
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
        kind = self._entry_routes.get(dest)
        if kind is not None:
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
