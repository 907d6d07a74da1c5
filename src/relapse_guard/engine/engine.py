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

The clock also reaches each new year: on 1 January of every year after the run's first fact,
once that day's moves of the clock are made, the state the household holds is routed as
``each_year:<state>`` when the policy routes it and the household entered the state before
that day (the year it enters it is ``entered:<state>``'s).

Every step is a :class:`~relapse_guard.decisions.Decision` naming its rule, facts and
parameter values. Each phase is its own object (:mod:`.lifecycle_step` for the clock and
the lifecycle, :mod:`.routing_step`, :mod:`.case_step`, :mod:`.decision_log`); the engine
composes them and runs the facts through them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from typing import TypeVar

import attrs

from .. import message_keys as keys
from ..bounds import LAST_DATE
from ..context import Context
from ..decisions import Risk, Severity
from ..entitlements import tags_of
from ..errors import (
    InvalidArgument,
    InvalidFact,
    NeedsHistory,
    PluginFailed,
    RelapseGuardError,
    WrongType,
    in_policy_code,
)
from ..facts import (
    VERSION_KINDS,
    AssistanceGranted,
    CaseDecided,
    CaseOpened,
    EntitlementStopped,
    ExitVerified,
    Fact,
    FactCorrected,
    IncomeAssessed,
)
from ..household import Household
from ..lifecycle import State
from ..messages import Message
from ..parameters import ParameterTree, ParameterValue
from ..policy import Policy
from ..result import HouseholdResult
from ..routing import entered, yearly_states
from ..timeline import order_facts
from ..triggers.base import Trigger
from ..versions import check_known_on, resolve
from .answers import checked_risk
from .case_conditions import CaseConditions, checked_procedures
from .case_step import CaseStep
from .checkpoint import Checkpoint, SortKey
from .decision_log import DecisionLog
from .entitlement_step import EntitlementStep
from .fingerprint import household_fingerprint, policy_fingerprint
from .household_step import HouseholdStep
from .lifecycle_step import LifecycleStep
from .prefilter import ChangeCache, IncomeBand, QuietFrom, income_band, income_watchers, shares_new_band
from .resume import Checkpointed, Quiet, ResumePath, capture, history_of, refusal, restore, sort_key
from .routing_step import Router
from .run_state import HOUSEHOLD_TYPES, RunState, Unresolved

__all__ = ["Engine", "ParameterCache"]

_DATE = operator.attrgetter("date")
_NEW = State.NEW


class ParameterCache:
    """Parameter values looked up, by date, and the dates they next change: shared by every
    run of one engine (parameters are immutable). Emptied when it holds ``limit`` dates.

    The look-ups of the ``unshared`` names are never kept: every run asks for them itself
    (:mod:`relapse_guard.whatif.reads` watches what each run asks of them).
    """

    __slots__ = ("_by_date", "_limit", "_unshared", "changes", "new_bands")

    def __init__(self, limit: int = 20_000, unshared: Collection[str] = ()) -> None:
        # a year of daily facts fits many times over
        self._by_date: dict[dt.date, dict[str, ParameterValue]] = {}
        self._limit = limit
        self._unshared = frozenset(unshared)
        #: When parameter values next change after a date (the prefilter's band ends then).
        self.changes: ChangeCache = _Unshared(self._unshared, operator.itemgetter(0)) if unshared else {}
        #: The income band of a new household with nothing else known, by the date's ordinal
        #: (:func:`~.prefilter.shares_new_band`); None when unshared: each run then asks the
        #: parameters of its band itself.
        self.new_bands: dict[int, IncomeBand] | None = None if unshared else {}

    def on(self, date: dt.date) -> dict[str, ParameterValue]:
        """The values already looked up on ``date``, by name (a dict the context fills in)."""
        found = self._by_date.get(date)
        if found is None:
            if len(self._by_date) >= self._limit:
                self._by_date.clear()
                self.changes.clear()
                if self.new_bands is not None:
                    self.new_bands.clear()
            found = self._by_date[date] = _Unshared(self._unshared, _itself) if self._unshared else {}
        return found


_K = TypeVar("_K")
_V = TypeVar("_V")


class _Unshared(dict[_K, _V]):
    """A dict that keeps no entry of the names it was given (``name_of`` reads a key's name)."""

    __slots__ = ("_name_of", "_names")

    def __init__(self, names: frozenset[str], name_of: Callable[[_K], str]) -> None:
        super().__init__()
        self._names = names
        self._name_of = name_of

    def __setitem__(self, key: _K, value: _V) -> None:
        if self._name_of(key) not in self._names:
            super().__setitem__(key, value)


def _itself(name: str) -> str:
    return name


class Engine:
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
        if not isinstance(policy, Policy):  # Engine("yubei_2016"): say how to get the policy
            raise WrongType(f"Engine needs a Policy, not {policy!r}: call load_policy({policy!r}) to get one")
        self.policy = policy
        self._log = log = DecisionLog(record_decisions)
        self._entitlements = EntitlementStep(policy, log, context=self._context)
        #: The routing kind of a new year in each state the policy routes it for (``each_year:<state>``).
        self._year_routes = yearly_states(policy.routes)
        self._year_new = State.NEW in self._year_routes
        self._lifecycle = LifecycleStep(
            policy,
            log,
            on_enter=self._enter,
            on_clock=self._entitlements.advance,
            on_year=self._new_year if self._year_routes else None,
        )
        self._router = Router(policy, log, assist=self._lifecycle.assist_after_grants, entitlements=self._entitlements)
        #: The procedures whose start condition the engine checks on their case facts.
        self._checked = checked_procedures(policy)
        self._conditions = CaseConditions(policy, log, self._result_on) if self._checked else None
        self._cases = CaseStep(log, self._lifecycle, self._entitlements, self._conditions)
        self._household = HouseholdStep(log, self._entitlements, policy.label)
        self._parameters = ParameterCache()
        #: The kinds each intervention declares (its tags and its name), for ``Context.entitlement``.
        self._tags = {name: tags_of(intervention) for name, intervention in policy.interventions.items()}
        self._triggers_by_kind: dict[type[Fact], list[Trigger]] = {}
        for trigger in policy.triggers:
            for kind in trigger.fact_kinds:
                self._triggers_by_kind.setdefault(kind, []).append(trigger)
        #: The routing kind of entering each state the policy routes (``entered:<state>``).
        self._entry_routes = {state: entered(state) for state in State if entered(state) in policy.routes}
        self._fingerprint: str | None = None
        assessed_by = self._triggers_by_kind.get(IncomeAssessed, ())
        self._watchers = income_watchers(policy, assessed_by) if prefilter else None
        #: Whether a new household with nothing else known has the band of its date.
        self._new_band_shared = prefilter and shares_new_band(policy, assessed_by)

    def unshare_lookups(self, names: Collection[str]) -> None:
        """Never share the look-ups of parameters ``names`` between runs (nor their next
        changes): each run asks the parameters itself, and what it asks can be watched
        (:mod:`relapse_guard.whatif.reads`). The look-ups shared so far are dropped."""
        self._parameters = ParameterCache(unshared=names)

    @property
    def records_decisions(self) -> bool:
        """Whether results carry their decisions (``record_decisions`` when made)."""
        return self._log.enabled

    def run(
        self,
        household: Household,
        facts: Iterable[Fact],
        *,
        as_of: dt.date | None = None,
        known_on: dt.datetime | None = None,
    ) -> HouseholdResult:
        """The household's state and decisions after its facts (those dated up to ``as_of``).

        With ``as_of``, facts after it are ignored and the clock is moved to it (so a transition
        period that ended by then is ended); without it, every fact counts and the clock stops at
        the last fact's date (the result's ``as_of``). With ``known_on`` (a timezone-aware
        datetime), only the facts, corrections and retractions recorded by then count, in their
        versions of then; a fact without ``recorded_at`` counts as known from the start. Corrections
        and retractions among the facts are applied (:mod:`relapse_guard.versions`), and a decision
        that used a corrected fact names the version in ``versions``. Raises
        :class:`~relapse_guard.errors.InvalidTransition` for a fact that asks for a move the
        lifecycle does not have (an exit verified for a household never assisted), and the errors of
        :func:`~relapse_guard.timeline.order_facts`.
        """
        if type(facts) is not list and type(facts) is not tuple:
            facts = _listed(facts)
        ordered, versions = self._ordered("Engine.run", household, facts, as_of, known_on)
        run = RunState(household)
        if versions is None:
            run, ordered, versions = self._play_unresolved("Engine.run", run, household, facts, ordered, as_of)
        else:
            self._play(run, ordered, as_of)
        if versions:
            _name_versions(run, versions)
        return _result(run, self.policy.label, as_of if as_of is not None else (ordered[-1].date if ordered else None))

    def run_checkpointed(
        self,
        household: Household,
        facts: Iterable[Fact],
        *,
        as_of: dt.date | None = None,
        known_on: dt.datetime | None = None,
    ) -> Checkpointed:
        """:meth:`run`, with the :class:`~.checkpoint.Checkpoint` to :meth:`resume` it from."""
        if type(facts) is not list and type(facts) is not tuple:
            facts = _listed(facts)
        ordered, versions = self._ordered("Engine.run_checkpointed", household, facts, as_of, known_on)
        run = RunState(household)
        if versions is None:
            run, ordered, versions = self._play_unresolved(
                "Engine.run_checkpointed", run, household, facts, ordered, as_of
            )
        else:
            self._play(run, ordered, as_of)
        if versions:
            _name_versions(run, versions)
        clock = as_of if as_of is not None else (ordered[-1].date if ordered else None)
        last = sort_key(ordered[-1]) if ordered else None
        return self._checkpointed(run, clock, last, 0, ordered, ResumePath.RUN, household_fingerprint(household))

    def resume(
        self,
        checkpoint: Checkpoint,
        household: Household,
        new_facts: Iterable[Fact],
        *,
        as_of: dt.date | None = None,
        history: Iterable[Fact] | Callable[[], Iterable[Fact]] | None = None,
    ) -> Checkpointed:
        """Carry a run on from ``checkpoint`` with ``new_facts`` (those dated up to ``as_of``).

        The result is what :meth:`run_checkpointed` of all the household's facts gives, with
        :attr:`~.resume.ResumePath.RESUMED` when every new fact sorts after the checkpoint's
        last fact and is dated on or after its clock, under the same policy and parameters,
        for the same household record, ``as_of`` not before the clock. Otherwise the household
        is replayed from ``history`` (every fact it had before, a sequence or a function that
        reads them, e.g. from a store; the new facts may be among them) with
        :attr:`~.resume.ResumePath.REPLAYED` and the reason; without ``history`` that raises
        :class:`~relapse_guard.errors.NeedsHistory`. A resumed result's decisions are those
        made after the checkpoint, numbered on from it.
        """
        if not isinstance(checkpoint, Checkpoint):
            raise WrongType(f"Engine.resume needs a Checkpoint, not {type(checkpoint).__name__} {checkpoint!r}")
        if not isinstance(new_facts, list | tuple):
            new_facts = list(new_facts)
        change = next((fact for fact in new_facts if type(fact) in VERSION_KINDS), None)
        ordered = self._ordered("Engine.resume", household, new_facts, as_of, versioned=change is None)[0]
        if checkpoint.household_id != household.id:
            raise InvalidArgument(
                f"Engine.resume: the checkpoint is of household {checkpoint.household_id!r}, not {household.id!r}"
            )
        record = household_fingerprint(household)
        why = (
            _correction_reason(change)
            if change is not None
            else refusal(
                checkpoint,
                policy=self.policy.label,
                fingerprint=self.fingerprint,
                household=record,
                new_facts=ordered,
                as_of=as_of,
                records_decisions=self._log.enabled,
                checked=self._checked,
            )
        )
        if why is not None:
            if history is None:
                raise NeedsHistory(household.id, why.english())
            # a correction's own date does not cut it: the facts it changes are dated by their replacements
            again = new_facts if change is not None else ordered
            replayed = self.run_checkpointed(household, [*history_of(history), *again], as_of=as_of)
            return attrs.evolve(replayed, path=ResumePath.REPLAYED, why=why)
        run = self._restored(checkpoint, household)
        before = checkpoint.decisions or 0
        run.decisions_before = before
        self._play(run, ordered, as_of)
        clock = as_of if as_of is not None else (ordered[-1].date if ordered else checkpoint.clock)
        last = sort_key(ordered[-1]) if ordered else checkpoint.last_fact
        case_facts = [*checkpoint.case_facts, *ordered] if checkpoint.case_facts else ordered
        return self._checkpointed(run, clock, last, before, case_facts, ResumePath.RESUMED, record)

    def _restored(self, checkpoint: Checkpoint, household: Household) -> RunState:
        """The run ``checkpoint`` holds, to carry on under this engine's policy: its entitlements'
        next change worked out from this policy's parameters (a checkpoint does not keep it)."""
        run = restore(checkpoint, household)
        if run.grants:
            self._entitlements.rebuild(run, checkpoint.clock)
        clock = checkpoint.clock
        if self._year_routes and checkpoint.last_fact is not None and clock is not None:
            # every 1 January up to the clock was reached: the next is the year after it's
            run.year_due = dt.date(clock.year + 1, 1, 1)
        return run

    @property
    def fingerprint(self) -> str:
        """The policy's fingerprint (:func:`~.fingerprint.policy_fingerprint`), computed once."""
        if self._fingerprint is None:
            self._fingerprint = policy_fingerprint(self.policy)
        return self._fingerprint

    def _ordered(
        self,
        caller: str,
        household: Household,
        facts: Iterable[Fact],
        as_of: dt.date | None,
        known_on: dt.datetime | None = None,
        *,
        versioned: bool = True,
        resolve_all: bool = False,
    ) -> tuple[list[Fact], dict[str, tuple[int, str]] | None]:
        """The facts in the order applied, those after ``as_of`` cut, and the versions of the
        corrected ones; the arguments' types checked.

        Corrections and retractions are resolved (as known on ``known_on``) when ``known_on``
        is given, ``resolve_all`` is set or one is cut by ``as_of`` (its own date does not
        count); otherwise one left among the facts makes the run raise :class:`Unresolved`
        when it reaches it, and the run resolves them then. So a run without any pays for no
        scan of its facts. Not ``versioned``: left as they are (a resume's new facts)."""
        if not isinstance(household, Household):
            raise WrongType(f"{caller} needs a Household, not {type(household).__name__} {household!r}")
        if as_of is not None and (not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime)):
            raise WrongType(f"as_of must be a datetime.date, not {type(as_of).__name__} {as_of!r}")
        versions = None
        known = None if known_on is None else check_known_on(known_on)  # its own error, not the facts'
        try:
            if not isinstance(facts, list | tuple):
                facts = list(facts)
            if versioned and (known_on is not None or resolve_all):
                resolved = resolve(household.id, facts, known)
                facts, versions = resolved.facts, resolved.versions
            ordered = order_facts(household.id, facts)
        except (AttributeError, TypeError) as error:  # not facts: say what was given
            raise WrongType(
                f"household {household.id!r}: facts must be an iterable of Fact ({type(error).__name__}: {error})"
            ) from error
        if as_of is not None and ordered and ordered[-1].date > as_of:
            cut = bisect.bisect_right(ordered, as_of, key=_DATE)  # in date order: cut the tail
            if versioned and versions is None and not VERSION_KINDS.isdisjoint(map(type, ordered[cut:])):
                return self._ordered(caller, household, ordered, as_of, resolve_all=True)
            del ordered[cut:]
        last = as_of if as_of is not None else (ordered[-1].date if ordered else None)
        if last is not None and last > LAST_DATE:
            if as_of is not None:
                raise InvalidArgument(
                    f"{caller}: as_of {as_of.isoformat()} is after {LAST_DATE.isoformat()}, the last day a run may "
                    "be as of (the engine counts years on from it)"
                )
            late = ordered[-1]
            raise InvalidFact(
                household.id, "date", late.date.isoformat(), f"a date up to {LAST_DATE.isoformat()}", fact_id=late.id
            )
        return ordered, versions

    def _play_unresolved(
        self,
        caller: str,
        run: RunState,
        household: Household,
        facts: Iterable[Fact],
        ordered: list[Fact],
        as_of: dt.date | None,
    ) -> tuple[RunState, list[Fact], dict[str, tuple[int, str]] | None]:
        """:meth:`_play` of facts not resolved; met with a correction or retraction (or failing
        before one: a correction may be what mends the fact that failed), they are resolved and
        played again on a new run. The run, the facts played and the versions."""
        try:
            self._play(run, ordered, as_of)
        except Unresolved:
            pass
        except RelapseGuardError:
            if VERSION_KINDS.isdisjoint(map(type, facts)):
                raise
        else:
            return run, ordered, None
        ordered, versions = self._ordered(caller, household, facts, as_of, resolve_all=True)
        run = RunState(household)
        self._play(run, ordered, as_of)
        return run, ordered, versions

    def _play(self, run: RunState, ordered: list[Fact], as_of: dt.date | None) -> None:
        """Apply ``ordered`` to ``run``, then move its clock to ``as_of``."""
        if ordered and run.year_due is None and self._year_routes:
            # the first new year is the one after the first fact's: none is dated before it
            run.year_due = dt.date(ordered[0].date.year + 1, 1, 1)
            if self._year_new and run.state is _NEW and not run.state_facts:
                run.state_facts = (ordered[0].id,)  # not on file since its first fact: each_year:new cites it
        if ordered:
            run.facts = ordered  # (a death looks among the facts of its day for the main earner's loss)
            ctx = self._context(run, ordered[0].date)
            if self._watchers is None:
                advance = self._lifecycle.advance
                for fact in ordered:
                    advance(run, fact.date)
                    self._apply(run, fact, ctx)
                    advance(run, fact.date)
            else:
                self._run_prefiltered(run, ordered, ctx, self._watchers)
        if as_of is not None:
            self._lifecycle.advance(run, as_of)

    def _checkpointed(
        self,
        run: RunState,
        clock: dt.date | None,
        last: SortKey | None,
        decisions_before: int,
        case_facts: Iterable[Fact],
        path: ResumePath,
        record: str,
    ) -> Checkpointed:
        checkpoint = capture(
            run,
            policy=self.policy,
            fingerprint=self.fingerprint,
            household=record,
            clock=clock,
            last_fact=last,
            decisions=decisions_before + len(run.decisions) if self._log.enabled else None,
            case_facts=case_facts,
            quiet=self._band_at(run, clock),
            rechecks=self._entitlements.rechecks_due(run) if run.entitled else (),
        )
        return Checkpointed(result=_result(run, self.policy.label, clock), checkpoint=checkpoint, path=path)

    def _context(self, run: RunState, date: dt.date) -> Context:
        """A context for ``run`` on ``date``, sharing this engine's parameter look-ups."""
        return Context(
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
            values_on=self._parameters.on,
            risks=run.costly,
            eliminated=run.eliminated,
            tags=self._tags,
            found=run.risks,
            died=run.died,
            pending=run.pending,
        )

    def _result_on(self, run: RunState, on: dt.date) -> HouseholdResult:
        """``run``'s result as it stands, as of ``on`` (a start condition's evidence)."""
        return _result(run, self.policy.label, on)

    def _band_at(self, run: RunState, clock: dt.date | None) -> Quiet:
        """The prefilter's income band for ``run`` as of ``clock``, the first day it may not
        hold, and the gate of the entitlements running (:meth:`EntitlementStep.quiet_gate`)."""
        if self._watchers is None or clock is None or run.dissolved is not None:
            return None, None, None  # a dissolved household refuses any income
        gate: tuple[Decimal, Decimal] | None = None
        due: dt.date | None = None
        if run.entitled:  # a running entitlement may be recomputed on an income assessment
            found = self._entitlements.quiet_gate(run)
            if found is None:
                return None, None, None
            due, gate = found
        watchers = self._watchers[run.state]
        if watchers is None:
            return None, None, None
        ctx = self._context(run, clock)
        band, until = income_band(watchers, ctx, self.policy.parameters, self._parameters.changes)
        ends = dt.date.fromordinal(until)
        return band, ends if due is None else min(ends, due), gate

    # --- one fact: observe, lifecycle, triggers and routes -------------------------------

    def _apply(self, run: RunState, fact: Fact, ctx: Context) -> None:
        changes_household = type(fact) in HOUSEHOLD_TYPES
        if run.dissolved is not None and not changes_household:
            run.refuse_dissolved(fact)
        observed = run.observe(fact)
        # One context per run serves the lifecycle rules and every trigger (the hot path).
        ctx.refresh(fact.date, run)
        if changes_household:
            self._household.change(run, fact, ctx)  # type: ignore[arg-type]
            if run.dissolved is None:  # every rule reads the household of this date
                self._lifecycle.after_observation(run, fact, ctx)
        elif isinstance(fact, AssistanceGranted):
            self._lifecycle.assistance(run, fact)
        elif isinstance(fact, ExitVerified):
            self._lifecycle.exit(run, fact, ctx)
        elif isinstance(fact, CaseDecided):
            self._cases.decided(run, fact, ctx)
        elif isinstance(fact, EntitlementStopped):
            self._entitlements.on_stop(run, fact)
        elif observed:
            self._lifecycle.after_observation(run, fact, ctx)
        elif type(fact) is CaseOpened and self._conditions is not None:
            self._conditions.opened(run, fact)
        triggers = self._triggers_by_kind.get(type(fact))
        if triggers:
            self._detect(run, fact, ctx, triggers)
        if run.entitled and type(fact) is IncomeAssessed:
            self._entitlements.on_income(run, fact, ctx)

    def _detect(self, run: RunState, fact: Fact, ctx: Context, triggers: list[Trigger]) -> None:
        """Each trigger of the fact's kind, in the policy's order; each risk found is routed."""
        for trigger in triggers:
            if ctx.state is not run.state:  # an earlier trigger's routes moved the household
                ctx.refresh(fact.date, run)
            ctx.reset_used()
            try:
                risk = trigger.detect(fact, ctx)
            except RelapseGuardError as error:  # the library's own, let out by policy code: said where
                in_policy_code(error, run.household.id, f"trigger.{trigger.name}", fact.id)
                raise
            except Exception as error:  # policy code failed: name it, for this household
                raise PluginFailed(run.household.id, f"trigger.{trigger.name}", fact.id, error) from error
            if risk is not None:
                # policy code's answer, checked: a Risk, its cost exact money, its severity a Severity
                sound = type(risk) is Risk and type(risk.severity) is Severity
                cost = risk.cost if sound else None
                if type(cost) is not Decimal or not cost.is_finite() or cost.is_signed():
                    risk = checked_risk(risk, run.household.id, trigger.name, fact.id)
                self._router.route(run, risk, ctx)

    def _enter(self, run: RunState, state: State, date: dt.date, facts: tuple[str, ...]) -> None:
        """Route ``entered:<state>`` when the policy routes it (the lifecycle calls this on every move);
        an exit ends or recomputes the entitlements running."""
        if state is State.EXITED and run.entitled:
            self._entitlements.on_exit(run, date, facts)
        kind = self._entry_routes.get(state)
        if kind is not None:
            self._route_occasion(run, kind, date, facts)

    def _new_year(self, run: RunState, day: dt.date) -> None:
        """Route ``each_year:<state>`` on 1 January ``day`` when the policy routes a new year in the
        household's state, it entered that state before ``day`` and has members (the clock calls
        this once a year, after the day's moves of the clock)."""
        kind = self._year_routes.get(run.state)
        if kind is None or run.dissolved is not None:
            return
        since = run.state_since
        if since is not None and since >= day:
            return  # it entered the state today: entered:<state> is this year's occasion
        # what the household is in the state on: its move there
        self._route_occasion(run, kind, day, run.state_facts)

    def _route_occasion(self, run: RunState, kind: str, date: dt.date, facts: tuple[str, ...]) -> None:
        """Route the lifecycle's occasion ``kind`` (``entered:<state>``, ``each_year:<state>``) on
        ``date``, resting on ``facts``, as a risk the policy's routes take (never found by a trigger)."""
        occasion = Risk(
            kind=kind,
            household_id=run.household.id,
            date=date,
            severity=Severity.LOW,
            trigger="lifecycle",
            fact_id=facts[0] if facts else "",
            key=f"{kind}:{date.isoformat()}",
        )
        self._router.route(run, occasion, self._context(run, date), detected=False)

    # --- the prefilter ------------------------------------------------------------------

    def _run_prefiltered(
        self,
        run: RunState,
        ordered: list[Fact],
        ctx: Context,
        watchers: dict[State, tuple[QuietFrom, ...] | None],
    ) -> None:
        """Apply ``ordered``, only recording income assessments at or above the income band."""
        parameters: ParameterTree = self.policy.parameters
        changes = self._parameters.changes
        advance = self._lifecycle.advance
        band: Decimal | None = None
        # What the band was computed for: the state, the number of entitlements running, the
        # size of what only grows (known risks, grants), needs, housing and the household in
        # force (its members, its place). Any change, and the band is computed again. Only a
        # fact that took the full path (or a move of the clock, which changes the state or
        # ends entitlements) changes any of them, so after a recorded assessment the state
        # alone is compared, and the entitlements running after the clock moved.
        band_for: tuple[object, ...] = (None, 0, 0)
        band_until = 0
        full_path_since_band = True
        risk_keys, grants = run.risk_keys, run.grants
        observe_income, on_income = run.observe_income, self._entitlements.on_income
        exited, monitored = State.EXITED, State.MONITORED
        for fact in ordered:
            date = fact.date
            if type(fact) is IncomeAssessed:
                state = run.state
                due = run.entitlement_due
                year = run.year_due
                if (
                    state is exited
                    or state is monitored
                    or (due is not None and due <= date)
                    or (year is not None and year <= date)
                ):
                    advance(run, date)  # the transition's clock, an entitlement's event, a new year
                    state = run.state
                    if len(run.entitled) != band_for[1] or len(risk_keys) != band_for[2]:
                        # an entitlement ended, or a new year was routed (only the clock does either here)
                        full_path_since_band = True
                expired = date.toordinal() >= band_until
                if full_path_since_band or state is not band_for[0] or expired:
                    now = (
                        state,
                        len(run.entitled),
                        len(risk_keys),
                        len(grants),
                        run.unmet,
                        run.housing_grade,
                        run.household,
                    )
                    if now != band_for or expired:
                        # a new household with nothing known (no entitlement, risk, grant, unmet
                        # need or housing grade): its date's band, worked out once for all
                        nothing_known = state is _NEW and not (now[1] or now[2] or now[3] or now[4]) and now[5] is None
                        shared = self._parameters.new_bands if self._new_band_shared and nothing_known else None
                        key = date.toordinal()
                        found = shared.get(key) if shared is not None else None
                        if found is None:
                            ctx.refresh(date, run)
                            found = income_band(watchers[state], ctx, parameters, changes)
                            if shared is not None:
                                shared[key] = found
                        band, band_until = found
                        band_for = now
                    full_path_since_band = False
                income = fact.income_per_capita
                if band is not None and income >= band:
                    observe_income(fact)
                    if run.entitled:  # no rule or trigger can act on it; the entitlements may
                        gate = run.income_gate  # (on_income's first test, made here as it is most often met)
                        if gate is None or not (gate[0] < date < gate[1] and gate[2] < income < gate[3]):
                            on_income(run, fact, ctx)
                    continue
            full_path_since_band = True
            advance(run, date)
            self._apply(run, fact, ctx)
            advance(run, date)


def _listed(facts: Iterable[Fact]) -> Iterable[Fact]:
    """``facts`` as a list (read once: a run may need them twice); as they are when not iterable
    (:meth:`Engine._ordered` says so)."""
    try:
        return list(facts)
    except TypeError:
        return facts


def _correction_reason(change: Fact) -> Message:
    """Why a checkpoint is replayed rather than resumed with a correction or retraction among the new facts."""
    if isinstance(change, FactCorrected):
        return Message(keys.REPLAY_CORRECTED, repr(change.id), repr(change.corrects), change.replacement.date)
    return Message(keys.REPLAY_RETRACTED, repr(change.id), repr(getattr(change, "retracts", "")))


def _name_versions(run: RunState, versions: dict[str, tuple[int, str]]) -> None:
    """Each decision that used a corrected fact names the version it used."""
    decisions = run.decisions
    for index, decision in enumerate(decisions):
        used = tuple((fact, versions[fact][0]) for fact in decision.facts if fact in versions)
        if used:
            decisions[index] = attrs.evolve(decision, versions=used)


def _result(run: RunState, policy: str, as_of: dt.date | None) -> HouseholdResult:
    return HouseholdResult(
        household_id=run.household.id,
        policy=policy,
        as_of=as_of,
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
