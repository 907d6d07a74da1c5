"""The engine's entitlement step: monthly grants started, recomputed and ended, each a decision.

A monthly money grant is opened as an entitlement (:meth:`EntitlementStep.open`): it is owed
from the start its intervention's :class:`~relapse_guard.entitlements.EntitlementTerms` set
(the month after approval for the safety net) and replaces the piece of the same
intervention in force, which ends the day the new one starts. While it runs it is
**recomputed** (the intervention asked again, on the run's facts of that day)

- when a parameter it read changes value, on the change's effective date;
- on a new income assessment, the household's exit, a change of household size, if its terms
  say so;

and a recomputation that comes to another amount ends the piece and opens the new one from
the first day of the next month (the change's date, for a parameter); one that declines
**ends** it after the gradual-exit months its terms name. Under a re-check rule an assessment
with no obvious change keeps the amount, but the one on or after the re-check's day is also the
means test: nothing owed on it, it ends. The elimination of the risk it was granted for works it
out again, that risk's cost no longer weighing (one that does not follow the income ends); a
verified exit (when its terms say so) and an explicit
:class:`~relapse_guard.facts.EntitlementStopped` fact end it, and so does its maximum
duration. Every recomputation and end is a decision with the old and new amounts and why.

One held for a case is worked out again on the day the case is decided (:meth:`EntitlementStep.released`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import TypeVar

import attrs

from .. import message_keys as keys
from ..context import COST_AID, COST_WINDOW, Context
from ..decisions import DecisionKind, Declined, Grant, Risk, Severity
from ..entitlements import (
    DEFAULT_TERMS,
    EntitlementTerms,
    add_months,
    first_of_next_month,
    month_label,
    tags_of,
    terms_of,
)
from ..entitlements import month_index as _month
from ..errors import InvalidPolicy, ParameterNotInForce, PluginFailed, RelapseGuardError, in_policy_code
from ..facts import EntitlementStopped, IncomeAssessed
from ..messages import Join, Margin, Message, Term, Value, margins_of
from ..money import to_money
from ..parameters import ParameterValue
from ..policy import Policy
from .answers import checked_amount, checked_grant, sound_grant
from .decision_log import DecisionLog
from .run_state import RunState

__all__ = ["EntitlementStep", "replacing", "shared_basis"]

_T = TypeVar("_T")


class _NotInForce(enum.Enum):
    """What an intervention's quick amount says when a parameter it reads is not in force yet."""

    NOT_IN_FORCE = enum.auto()


_NOT_IN_FORCE = _NotInForce.NOT_IN_FORCE

#: A context for a run on a date (the engine's, sharing its parameter look-ups).
ContextOn = Callable[[RunState, dt.date], Context]


class EntitlementStep:
    """Opens, recomputes and ends the entitlements of one policy's runs; see the module docstring."""

    def __init__(self, policy: Policy, log: DecisionLog, context: ContextOn) -> None:
        self.policy = policy
        self._log = log
        self._context = context
        #: The interventions whose one-off and yearly grants pay toward a risk's cost.
        self._cost_aid = frozenset(
            name for name, intervention in policy.interventions.items() if COST_AID in tags_of(intervention)
        )
        self._terms: dict[str, EntitlementTerms] = {
            name: terms_of(intervention) for name, intervention in policy.interventions.items()
        }
        #: The re-check parameters of each intervention whose terms have one, those the policy has:
        #: (months, months when a member can work or None, obvious-change share or None).
        self._recheck_names: dict[str, tuple[str, str | None, str | None]] = {}
        present = policy.parameters
        for name, terms in self._terms.items():
            if terms.recheck_months is not None and terms.recheck_months in present:
                self._recheck_names[name] = (
                    terms.recheck_months,
                    terms.recheck_months_can_work if terms.recheck_months_can_work in present else None,
                    terms.obvious_change if terms.obvious_change in present else None,
                )
        #: The gradual-exit parameter of each intervention whose terms name one the policy has.
        self._gradual = {
            name: terms.gradual_exit_months
            for name, terms in self._terms.items()
            if terms.gradual_exit_months is not None and terms.gradual_exit_months in present
        }
        #: The whole months of each parameter value read as months, by the value's id.
        self._whole: dict[int, tuple[ParameterValue, int]] = {}
        #: The policy's parameter timelines by name (when the values a piece read change).
        self._timelines = dict(policy.parameters.parameters)
        #: Each intervention's ``amount(risk, ctx)``, when it has one: what ``grant`` would give, quickly.
        self._amounts: dict[str, Callable[[Risk, Context], Decimal | None]] = {}
        for name, intervention in policy.interventions.items():
            quick = getattr(intervention, "amount", None)
            if callable(quick):
                self._amounts[name] = quick

    def terms(self, name: str) -> EntitlementTerms:
        """The terms of intervention ``name``'s entitlements."""
        return self._terms.get(name, DEFAULT_TERMS)

    # --- opening ------------------------------------------------------------------------

    def open(self, run: RunState, grant: Grant) -> tuple[Grant, Grant | None]:
        """Start entitlement ``grant`` (approved on its date): the grant as started, and the
        piece of the same intervention it replaces (as it was before, or None)."""
        terms = self.terms(grant.intervention)
        starts = first_of_next_month(grant.date) if terms.starts == "next_month" else grant.date
        ends = None
        parameters = grant.parameters
        if terms.max_months is not None:
            value = self._parameter(terms.max_months, grant.date)
            ends = add_months(starts, self._months(value))
            parameters = (*parameters, value)
        on_file = self.income_on_file(run, grant.intervention, grant.date)
        basis_income, basis_fact, rechecked_on = (
            (run.income, run.income_fact, None) if terms.recompute_on_income else (None, None, None)
        )
        if on_file is not None:  # worked out on the income the piece in force was set on: kept
            piece = run.grants[run.entitled[grant.intervention]]
            grant = grant.with_basis(Message(keys.ON_INCOME_ON_FILE, grant.basis_message, on_file))
            basis_income, basis_fact, rechecked_on = on_file, piece.basis_fact, piece.rechecked_on or piece.date
        elif (
            run.income_shared is not None and run.shared is not None and terms.recompute_on_income
        ):  # on the income shared over the members
            grant = grant.with_basis(shared_basis(run, grant.basis_message))
        started = grant.with_term(
            starts=starts,
            ends=ends,
            prorated=terms.prorated,
            parameters=parameters,
            basis_income=basis_income,
            basis_fact=basis_fact,
            rechecked_on=rechecked_on,
        )
        replaced = self._close(run, grant.intervention, starts)
        run.grants.append(started)
        entitled = run.entitled
        entitled[grant.intervention] = len(run.grants) - 1
        self._schedule(run)
        if len(entitled) == 1:
            # the assessment that opened it (and any other of its day) recomputes nothing
            day = grant.date
            run.income_gate = (day - _ONE_DAY, day + _ONE_DAY, _NO_FLOOR, _NO_CEILING)
        return started, replaced

    def released(
        self, run: RunState, risk: Risk, grant: Grant, ctx: Context
    ) -> tuple[Grant | Declined, tuple[ParameterValue, ...]]:
        """Entitlement ``grant``, held for ``risk`` until a case was decided, worked out again on
        the decision's day (``ctx``'s date, the run's context): the amount is set at the decision
        (N1 art. 21, "确认同意，同时确定救助金额"), on the income and parameters of that day (the
        income on file while a piece runs, :meth:`context_on_file`). What the intervention
        answers, with the parameters it read: a grant dated that day, or :class:`Declined` when
        nothing is owed then; the grant as held, dated that day, when it has no answer then (a
        parameter not in force)."""
        name = grant.intervention
        ctx.refresh(ctx.date, run)
        if run.entitled:
            ctx = self.context_on_file(run, name, ctx)
        ctx.reset_used()
        outcome = self._ask(run, name, risk, ctx)
        return (attrs.evolve(grant, date=ctx.date) if outcome is None else outcome), ctx.used_parameters()

    def income_on_file(self, run: RunState, name: str, on: dt.date) -> Decimal | None:
        """The income a new grant of ``name`` made on ``on`` (for another risk) is worked out on,
        when it is not the latest assessment: under a re-check rule, the income the piece in
        force was set on, while the latest is no obvious change from it and the re-check is not
        yet due (the rule has not acted on it). None: the latest."""
        index = run.entitled.get(name)
        if index is None:
            return None
        piece = run.grants[index]
        basis = piece.basis_income
        if basis is None or basis == run.income or run.income is None or piece.ends is not None:
            return None
        recheck = self._recheck(run, index, piece)
        if recheck is None:
            return None
        due, _, share = recheck
        return None if on >= due or _obvious(share, basis, run.income) else basis

    def context_on_file(self, run: RunState, name: str, ctx: Context) -> Context:
        """``ctx``, or a context of its own on the income on file for ``name`` (:meth:`income_on_file`)."""
        on_file = self.income_on_file(run, name, ctx.date) if name in run.entitled else None
        return ctx if on_file is None else self._context_on_income(run, ctx.date, on_file)

    def _context_on_income(self, run: RunState, date: dt.date, income: Decimal) -> Context:
        """A context of its own for ``run`` on ``date`` with ``income`` on file (the run's context
        keeps the latest income)."""
        own = self._context(run, date)
        own.income_per_capita = income
        return own

    def _close(self, run: RunState, name: str, on: dt.date) -> Grant | None:
        """End the piece of ``name`` in force (if any) on ``on``; the piece as it was before."""
        index = run.entitled.pop(name, None)
        if index is None:
            return None
        old = run.grants[index]
        if old.ends is None or old.ends > on:
            run.grants[index] = old.with_term(starts=old.starts, ends=max(on, old.first_day), prorated=old.prorated)
        return old

    # --- the clock ----------------------------------------------------------------------

    def advance(self, run: RunState, to: dt.date) -> None:
        """Handle the entitlement events due by ``to``: ends reached and parameters changed."""
        while run.entitlement_due is not None and run.entitlement_due <= to:
            day = run.entitlement_due
            for name in sorted(run.entitled):
                index = run.entitled[name]
                piece = run.grants[index]
                if piece.ends is not None and piece.ends <= day:
                    del run.entitled[name]  # ended as decided when its end was set
                    continue
                changed = self._changed_on(piece, day)
                if changed:
                    # Owed at the new amount from that day when part months are prorated; else
                    # from a month's first day (that day, or the next month's): a month owed
                    # whole is owed once, at one amount.
                    starts = day if day.day == 1 or self.terms(name).prorated else first_of_next_month(day)
                    self.recompute(run, name, day, starts, Join(changed, "; "), facts=(), on_basis=True)
            self._schedule(run, after=day)

    def _changed_on(self, piece: Grant, day: dt.date) -> list[Message]:
        """What changed on ``day`` among the parameters ``piece`` was computed with."""
        changed = []
        for used in piece.parameters:
            if used.name not in self.policy.parameters:
                continue
            now = self.policy.parameters.lookup(used.name, day)
            if now.effective_from == day and now.value != used.value:
                changed.append(Message(keys.PARAMETER_CHANGED, used.name, day, str(used.value), str(now.value)))
        return changed

    def _schedule(self, run: RunState, after: dt.date | None = None) -> None:
        """Set ``run.entitlement_due``: the next end or parameter change of the pieces running."""
        run.income_gate = None  # the entitlements changed
        soonest: dt.date | None = None
        timelines, grants = self._timelines, run.grants
        for index in run.entitled.values():
            piece = grants[index]
            ends = piece.ends
            if ends is not None and (after is None or ends > after) and (soonest is None or ends < soonest):
                soonest = ends
            since = piece.date if after is None or after < piece.date else after
            for used in piece.parameters:
                timeline = timelines.get(used.name)
                if timeline is not None:
                    change = timeline.next_change(since)
                    if change is not None and (soonest is None or change < soonest):
                        soonest = change
        run.entitlement_due = soonest

    def rebuild(self, run: RunState, clock: dt.date | None) -> None:
        """Set a restored run's open entitlements and next event from its grants, as of ``clock``."""
        run.entitled = {}
        run.rechecks = {}
        for index, grant in enumerate(run.grants):
            if grant.is_entitlement and (grant.ends is None or clock is None or grant.ends > clock):
                run.entitled[grant.intervention] = index
        self._schedule(run, after=clock)

    # --- events -------------------------------------------------------------------------

    def on_income(self, run: RunState, fact: IncomeAssessed, ctx: Context | None = None) -> None:
        """A new income assessment recomputes the entitlements whose terms say so (``ctx``: the
        run's context, moved to the fact's date here)."""
        income = fact.income_per_capita
        gate = run.income_gate
        if gate is not None and gate[0] < fact.date < gate[1] and gate[2] < income < gate[3]:
            return  # no obvious change, before any re-check falls due: nothing to decide
        entitled, all_terms = run.entitled, self._terms
        for name in sorted(entitled) if len(entitled) > 1 else list(entitled):
            index = entitled[name]
            piece = run.grants[index]
            terms = all_terms.get(name, DEFAULT_TERMS)
            if not terms.recompute_on_income or piece.date >= fact.date:
                continue
            basis = piece.basis_income
            if basis is not None and piece.ends is None and terms.recheck_months is not None:
                recheck = self._recheck(run, index, piece)
                # no obvious change in the income since the amount was set, nor in the costs
                # weighing on it: the level is kept, and an assessment on or after the re-check's
                # day is that re-check
                if recheck is not None and not _obvious(recheck[2], basis, income):
                    lapse = self._cost_lapse(run, piece) if run.costly else None
                    if lapse is None or fact.date < lapse:
                        due, _, share = recheck
                        if fact.date >= due:
                            if self._still_owed(run, name, piece, fact.date, ctx):
                                self._kept(run, name, index, piece, fact, recheck)
                            else:  # the means test at the re-check: nothing owed on this income
                                why = Message(keys.RECHECK_DUE, Message(keys.INCOME_ASSESSED, income, fact.id), due)
                                starts = first_of_next_month(fact.date)
                                self.recompute(run, name, fact.date, starts, why, facts=(fact.id,), ctx=ctx, check=True)
                        elif share is not None and len(entitled) == 1:
                            # the assessments to come inside this band, before the re-check and
                            # before a cost stops weighing, change nothing either
                            width = share * basis
                            until = due if lapse is None else min(due, lapse)
                            run.income_gate = (piece.date, until, basis - width, basis + width)
                        continue
                    why = Message(keys.COST_NO_LONGER_WEIGHS, income, fact.id)
                    due = recheck[0]  # an assessment before the re-check's day is not the re-check
                    self.recompute(
                        run,
                        name,
                        fact.date,
                        first_of_next_month(fact.date),
                        why,
                        facts=(fact.id,),
                        ctx=ctx,
                        check=fact.date >= due,
                    )
                    continue
            why = Message(keys.INCOME_ASSESSED, income, fact.id)
            starts = first_of_next_month(fact.date)
            self.recompute(run, name, fact.date, starts, why, facts=(fact.id,), ctx=ctx, check=True)

    def quiet_gate(self, run: RunState) -> tuple[dt.date | None, tuple[Decimal, Decimal] | None] | None:
        """What :meth:`on_income` leaves alone for ``run``'s entitlements as they are: a day before
        which, and incomes strictly between two bounds inside which, an assessment dated after
        each piece decides nothing (no obvious change before its re-check); ``(None, None)`` when
        any income leaves them alone; None when an income may recompute one (no re-check terms).

        A piece granted on the assessment's day or later is not recomputed either: the bounds are
        the narrower answer for it. Reads the re-check as :meth:`on_income` does (and caches it).
        """
        until: dt.date | None = None
        low = high = None
        for name, index in run.entitled.items():
            terms = self._terms.get(name, DEFAULT_TERMS)
            if not terms.recompute_on_income:
                continue
            piece = run.grants[index]
            basis = piece.basis_income
            if basis is None or piece.ends is not None or terms.recheck_months is None:
                return None
            recheck = self._recheck(run, index, piece)
            if recheck is None:
                return None
            due, _, share = recheck
            if share is None:  # any change is obvious
                return None
            lapse = self._cost_lapse(run, piece) if run.costly else None
            if lapse is not None:
                due = min(due, lapse)  # a cost stops weighing: the amount is worked out again then
            width = share * basis
            until = due if until is None else min(until, due)
            low = basis - width if low is None else max(low, basis - width)
            high = basis + width if high is None else min(high, basis + width)
        if low is None or high is None:
            return until, None
        return (until, (low, high)) if low < high else None

    def on_cost(self, run: RunState, risk: Risk) -> None:
        """A new risk with a cost, routed: the entitlements running for other risks whose amount
        the income left sets are worked out again, from the next month, with the new cost
        weighing on the income left (a policy setting ``income_left.open_risk_months``; without
        it only a risk's own cost weighs, and no other amount changes). A school year's fees
        found while a top-up runs raise it, as they would a top-up granted after them."""
        if COST_WINDOW not in self.policy.parameters:
            return
        borne = self._context(run, risk.date).cost_borne(risk)
        if not borne:
            return  # paid whole by aid toward it: nothing more weighs
        if borne == risk.cost:
            why = Message(keys.NEW_COST_WEIGHS, Term(risk.kind), to_money(borne), risk.fact_id)
        else:
            why = Message.named(
                keys.NEW_COST_BORNE_WEIGHS,
                kind=Term(risk.kind),
                borne=to_money(borne),
                cost=to_money(risk.cost),
                aid=to_money(risk.cost - borne),
                fact=risk.fact_id,
            )
        facts = (risk.fact_id,) if risk.fact_id else ()
        # a piece granted for this very risk counted its cost already
        self._on_file_again(run, risk.date, why, facts, but_for=risk.key)

    def on_aid(self, run: RunState, risk: Risk, grant: Grant, facts: tuple[str, ...]) -> None:
        """A grant toward ``risk``'s cost made after the entitlements running were set (released
        when a case is decided): what the household bears of the cost falls, and each one set by
        the income is worked out again, from the next month, on the income it was set on."""
        if grant.intervention not in self._cost_aid or grant.amount is None or not risk.cost or grant.is_entitlement:
            return
        why = Message(keys.AID_TOWARD_COST, Term(grant.intervention), grant.amount, Term(risk.kind))
        self._on_file_again(run, grant.date, why, facts)

    def _on_file_again(
        self, run: RunState, date: dt.date, why: Value, facts: tuple[str, ...], *, but_for: str | None = None
    ) -> None:
        """Work out again, from the month after ``date``, each entitlement running that the income
        left sets (but the one granted for the risk ``but_for``), on the income it was set on."""
        for name in sorted(run.entitled):
            index = run.entitled.get(name)  # (one worked out before may have ended another)
            if index is None or run.grants[index].risk_key == but_for or not self.terms(name).recompute_on_income:
                continue
            self.recompute(run, name, date, first_of_next_month(date), why, facts=facts, on_basis=True)

    def on_exit(self, run: RunState, date: dt.date, facts: tuple[str, ...]) -> None:
        """A verified exit ends the entitlements whose terms say so, and recomputes those that
        follow the income (the exit rule found it above the line)."""
        for name in sorted(run.entitled):
            terms = self.terms(name)
            if terms.ends_on_exit:
                self.end(run, name, date, _EXIT_VERIFIED, facts=facts)
            elif terms.recompute_on_income:
                self.recompute(run, name, date, first_of_next_month(date), _EXIT_VERIFIED, facts=facts)

    def on_members(
        self, run: RunState, date: dt.date, starts: dt.date, why: Value, facts: tuple[str, ...], ctx: Context
    ) -> None:
        """A change of household size recomputes the entitlements whose terms follow the members
        (``recompute_on_members``), a new amount owed from ``starts``; one that declines ends
        without a gradual exit (the income did not rise from work: N1 art. 33 gives the gradual
        exit after employment)."""
        for name in sorted(run.entitled):
            if self.terms(name).recompute_on_members:
                self.recompute(run, name, date, starts, why, facts=facts, ctx=ctx, gradual=False)

    def on_eliminated(self, run: RunState, risk_key: str, date: dt.date, why: Value, facts: tuple[str, ...]) -> None:
        """Risk ``risk_key`` was eliminated. An entitlement granted for it that follows the income
        (the safety net) is worked out again by the means test, from the next month, its cost no
        longer weighing (N2 art. 9; N1 art. 32: a stop needs a ground the rules name, and an
        eliminated risk is none while the income is under the standard): it ends only when nothing
        is owed. So is one granted for another risk when the eliminated risk had a cost (which may
        have weighed on it). One that does not follow the income ends."""
        reason = Message(keys.RISK_ELIMINATED, risk_key, why)
        costly = any(risk.key == risk_key and risk.cost for risk in run.costly)
        for name in sorted(run.entitled):
            index = run.entitled.get(name)  # (one worked out before may have ended another)
            if index is None:
                continue
            own = run.grants[index].risk_key == risk_key
            if not self.terms(name).recompute_on_income:
                if own:
                    self.end(run, name, date, reason, facts=facts)
            elif own or costly:
                self.recompute(run, name, date, first_of_next_month(date), reason, facts=facts, on_basis=True)

    def on_stop(self, run: RunState, fact: EntitlementStopped) -> None:
        """An explicit stop ends the named entitlement from the next month, without gradual exit,
        and stays in force: the intervention is granted again only on a new decision."""
        run.stops[fact.intervention] = fact
        if fact.intervention in run.entitled:
            why = Message(keys.STOPPED_BECAUSE, fact.reason) if fact.reason else Message(keys.STOPPED)
            self.end(run, fact.intervention, fact.date, why, facts=(fact.id,), gradual=False)

    # --- recomputing and ending ---------------------------------------------------------

    def recompute(
        self,
        run: RunState,
        name: str,
        date: dt.date,
        starts: dt.date,
        why: Value,
        *,
        facts: tuple[str, ...],
        ctx: Context | None = None,
        check: bool = False,
        on_basis: bool = False,
        gradual: bool = True,
    ) -> None:
        """Ask intervention ``name`` again on ``date``; a new amount is owed from ``starts``
        (``ctx``: a context of the run to move to ``date``, or None for a new one); one that
        declines ends it, after the gradual-exit months its terms name when ``gradual``.

        ``check``: an income assessment that :meth:`on_income` found an obvious change (or
        that has no re-check rule to pass): on or after the re-check's day it is that re-check,
        and the amount is set again even if it is the same.

        ``on_basis``: something other than the income changed (a parameter, a new cost): under
        a re-check rule the amount is worked out on the income it was set on
        (``Grant.basis_income``), not on a later assessment the rule did not act on, and the
        re-check keeps its day ("no obvious change within the re-check period, no adjustment").
        """
        index = run.entitled.get(name)
        if index is None:
            return
        piece = run.grants[index]
        terms = self.terms(name)
        if piece.ends is not None and piece.ends <= starts and not terms.max_months:
            return  # ending before the new amount would start
        risk = _risk_of(run, piece)
        basis = piece.basis_income if on_basis and terms.recheck_months is not None else None
        if basis is not None and basis != run.income:
            ctx = self._context_on_income(run, date, basis)
            why = Message(keys.ON_BASIS_INCOME, why, basis)
        elif ctx is None:
            ctx = self._context(run, date)
        else:
            ctx.refresh(date, run)
        ctx.reset_used()
        recheck = self._recheck(run, index, piece) if check else None
        rechecked = recheck is not None and date >= recheck[0]
        quick = self._amounts.get(name)
        if quick is not None and piece.ends is None:
            amount = self._quick_amount(run, name, risk, ctx, quick)
            if amount is not _NOT_IN_FORCE:  # (then the intervention's own answer says what)
                if amount == piece.amount and not rechecked:
                    return  # the same amount, and not the re-check: nothing to decide
                if amount is None and not self._log.enabled:
                    # it declines (``amount`` says None only then): ended, without asking for the
                    # reason, which only a recorded decision would say
                    self.end(run, name, date, why, facts=facts, gradual=gradual)
                    return
        outcome = self._ask(run, name, risk, ctx)
        if outcome is None:
            return
        shared = (
            run.shared
            if run.income_shared is not None and terms.recompute_on_income and (basis is None or basis == run.income)
            else None
        )
        if shared is not None:  # worked out on the income shared over the members: the changes cited
            facts = (*facts, *(change for change in shared[1] if change not in facts))
        if isinstance(outcome, Declined):
            said = outcome.message
            if shared is not None:  # on the income shared over the members: said, and its assessment cited
                said = shared_basis(run, said)
                if run.income_fact is not None and run.income_fact not in facts:
                    facts = (*facts, run.income_fact)
            reason = Message(keys.DECLINED_BECAUSE, why, said)
            self.end(run, name, date, reason, facts=facts, parameters=ctx.used_parameters(), gradual=gradual)
            return
        if outcome.amount is None:
            return
        if outcome.amount == piece.amount and piece.ends is None and not rechecked:
            return
        if shared is not None:
            outcome = outcome.with_basis(shared_basis(run, outcome.basis_message))
        starts = max(starts, piece.first_day)
        new = outcome.with_term(
            date=date,
            starts=starts,
            ends=piece.ends if terms.max_months else None,
            prorated=terms.prorated,
            basis_income=(basis if basis is not None else run.income) if terms.recompute_on_income else None,
            rechecked_on=(piece.rechecked_on or piece.date) if basis is not None else None,
            basis_fact=self._basis_fact(run, piece, basis) if terms.recompute_on_income else None,
        )
        self._close(run, name, starts)
        run.grants.append(new)
        run.entitled[name] = len(run.grants) - 1
        self._schedule(run, after=date)
        if self._log.enabled:
            due = None if recheck is None else recheck[0]
            # an end cancelled: a gradual exit's months left
            gradual_left = terms.gradual_exit_months if piece.ends is not None and not terms.max_months else None
            # the new amount is worked out on the income on file, or on the one it was set on
            income_fact = new.basis_fact if terms.recompute_on_income else None
            if income_fact is not None and income_fact not in facts:
                facts = (*facts, income_fact)
            self._log.record(
                run,
                date,
                DecisionKind.ENTITLEMENT_RECOMPUTED,
                f"intervention.{name}",
                partial(_recomputed, name, piece, new, starts, why, due, rechecked),
                facts=facts,
                parameters=(*new.parameters, recheck[1]) if recheck is not None else new.parameters,
                risk=risk,
                grant=new,
                margins=partial(_recomputed_margins, why, gradual_left, piece, date, self.policy),
            )

    @staticmethod
    def _basis_fact(run: RunState, piece: Grant, basis: Decimal | None) -> str | None:
        """The income assessment a new piece is set on: the run's latest, or, worked out on
        ``piece``'s basis income, the one that gave it (a piece of a checkpoint written before
        pieces kept it: the latest when its income is the same)."""
        if basis is None:
            return run.income_fact
        if piece.basis_fact is not None:
            return piece.basis_fact
        return run.income_fact if basis == run.income else None

    def _still_owed(self, run: RunState, name: str, piece: Grant, date: dt.date, ctx: Context | None) -> bool:
        """Whether intervention ``name`` still owes something for ``piece``'s risk on ``date``, on
        the latest income (the means test of a re-check, N2 art. 9: the income left per person
        under the standard); True when it has no answer then (a parameter not in force)."""
        if ctx is None:
            ctx = self._context(run, date)
        else:
            ctx.refresh(date, run)
        ctx.reset_used()
        risk = _risk_of(run, piece)
        quick = self._amounts.get(name)
        if quick is None:
            return not isinstance(self._ask(run, name, risk, ctx), Declined)
        # (``amount`` says None only when it declines; not in force yet: no answer, still owed)
        return self._quick_amount(run, name, risk, ctx, quick) is not None

    def _kept(
        self,
        run: RunState,
        name: str,
        index: int,
        piece: Grant,
        fact: IncomeAssessed,
        recheck: tuple[dt.date, ParameterValue, Decimal | None],
    ) -> None:
        """The re-check due found no obvious change, and the household still owed something: the
        amount is kept, the next re-check counted from today."""
        run.grants[index] = piece.with_term(
            starts=piece.starts, ends=piece.ends, prorated=piece.prorated, rechecked_on=fact.date
        )
        run.income_gate = None  # the next re-check is counted from today
        if self._log.enabled:
            due, months, share = recheck
            self._log.record(
                run,
                fact.date,
                DecisionKind.ENTITLEMENT_RECOMPUTED,
                f"intervention.{name}",
                Message(
                    keys.KEPT_NO_CHANGE,
                    Term(name),
                    due,
                    str(piece.amount),
                    fact.income_per_capita,
                    fact.id,
                    str(share),
                    str(piece.basis_income),
                ),
                facts=(fact.id,),
                parameters=(months,),
                risk=_risk_of(run, piece),
                grant=run.grants[index],
            )

    def _recheck(
        self, run: RunState, index: int, piece: Grant
    ) -> tuple[dt.date, ParameterValue, Decimal | None] | None:
        """The re-check of ``piece``: the day it falls due, the parameter that set it, and the
        obvious-change share; None when the terms have no re-check. Worked out once a piece and
        re-check (from its dates, the policy and the household), so a resumed run finds what a
        whole run finds."""
        base = piece.rechecked_on or piece.date
        cached = run.rechecks.get(index)
        if cached is not None and cached[0] == base:
            return cached[1]
        found = self._recheck_of(run, piece, base)
        run.rechecks[index] = (base, found)
        return found

    def rechecks_due(self, run: RunState) -> tuple[tuple[str, dt.date], ...]:
        """The re-check of each entitlement running under a re-check rule, with no end set, by
        intervention: the day it falls due (N1 art. 31: every year, every half year for a household
        with a member who can work). An income assessment on or after it is the re-check; until
        one comes the amount is still paid (the rules say to re-check, not to suspend payment)."""
        found = []
        for name, index in sorted(run.entitled.items()):
            piece = run.grants[index]
            if piece.ends is None and piece.basis_income is not None:
                recheck = self._recheck(run, index, piece)
                if recheck is not None:
                    found.append((name, recheck[0]))
        return tuple(found)

    def _cost_lapse(self, run: RunState, piece: Grant) -> dt.date | None:
        """The first day a risk's cost that weighed on ``piece``'s amount when it was set no
        longer weighs on the income left (``income_left.open_risk_months`` after the risk's
        date, :meth:`~relapse_guard.context.Context.open_costs`); None when none does."""
        if not run.costly or COST_WINDOW not in self.policy.parameters:
            return None
        window = self.policy.parameters.lookup(COST_WINDOW, piece.date).value
        if not isinstance(window, Decimal):
            return None  # the context says what is wrong with it, when it reads it
        months = int(window)
        since = add_months(piece.date, -months)
        first: dt.date | None = None
        for risk in run.costly:
            weighed = (risk.key == piece.risk_key or since < risk.date) and risk.key not in run.eliminated
            if risk.cost and risk.date <= piece.date and weighed:
                lapse = _lapse_day(risk.date, months)
                first = lapse if first is None else min(first, lapse)
        return first

    def _recheck_of(
        self, run: RunState, piece: Grant, base: dt.date
    ) -> tuple[dt.date, ParameterValue, Decimal | None] | None:
        names = self._recheck_names.get(piece.intervention)
        if names is None:
            return None
        months, can_work, obvious = names
        if can_work is not None and run.household.has_labour_capacity_on(base):
            months = can_work
        lookup = self.policy.parameters.lookup
        value = lookup(months, base)
        share = None
        if obvious is not None:
            found = lookup(obvious, base).value
            if not isinstance(found, Decimal):
                raise InvalidPolicy(f"parameter {obvious!r} must be a number, found {found!r}")
            share = found
        return add_months(base, self._months(value)), value, share

    def end(
        self,
        run: RunState,
        name: str,
        date: dt.date,
        why: Value,
        *,
        facts: tuple[str, ...],
        parameters: tuple[ParameterValue, ...] = (),
        gradual: bool = True,
    ) -> None:
        """End intervention ``name``'s entitlement: owed through the month of ``date``, and for
        the gradual-exit months its terms name after it (``gradual``)."""
        index = run.entitled.get(name)
        if index is None:
            return
        piece = run.grants[index]
        months = 0
        gradual_months = self._gradual.get(name) if gradual else None
        if gradual_months is not None:
            value = self._parameter(gradual_months, date)
            months = self._months(value)
            parameters = (*parameters, value)
        ends = max(add_months(first_of_next_month(date), months), piece.first_day)
        if piece.ends is not None and piece.ends <= ends:
            return  # ending by then already
        run.grants[index] = ended = piece.with_term(starts=piece.starts, ends=ends, prorated=piece.prorated)
        if ends <= date:
            del run.entitled[name]
        self._schedule(run, after=date)
        if self._log.enabled:
            self._log.record(
                run,
                date,
                DecisionKind.ENTITLEMENT_ENDED,
                f"intervention.{name}",
                partial(_ended, name, piece, ends, months, why),
                facts=facts,
                parameters=parameters,
                risk=_risk_of(run, piece),
                grant=ended,
                margins=partial(margins_of, why),
            )

    def _quick_amount(
        self, run: RunState, name: str, risk: Risk, ctx: Context, quick: Callable[[Risk, Context], Decimal | None]
    ) -> Decimal | _NotInForce | None:
        """Intervention ``name``'s quick ``amount(risk, ctx)`` (``quick``), checked: None when it
        declines, :data:`_NOT_IN_FORCE` when a parameter it reads is not in force yet; policy code
        that fails is named, for this household."""
        try:
            amount = quick(risk, ctx)
            if amount is not None and type(amount) is not Decimal:  # policy code's answer: checked
                # (a Decimal that is not money, NaN or negative, never equals a piece's amount:
                # the intervention is asked, and its grant refused by sound_grant)
                amount = checked_amount(amount, run.household.id, name, risk.fact_id)
        except ParameterNotInForce:
            return _NOT_IN_FORCE
        except RelapseGuardError as error:  # the library's own, let out by policy code: said where
            in_policy_code(error, run.household.id, f"intervention.{name}", risk.fact_id)
            raise
        except Exception as error:  # policy code failed: name it, for this household
            raise PluginFailed(run.household.id, f"intervention.{name}", risk.fact_id, error) from error
        return amount

    def _call(self, run: RunState, name: str, risk: Risk, call: Callable[[], _T]) -> _T | None:
        """``call()``, a question to intervention ``name`` about ``risk``: None when a parameter
        it reads is not in force yet; policy code that fails is named, for this household."""
        try:
            return call()
        except ParameterNotInForce:
            return None
        except RelapseGuardError as error:  # the library's own, let out by policy code: said where
            in_policy_code(error, run.household.id, f"intervention.{name}", risk.fact_id)
            raise
        except Exception as error:  # policy code failed: name it, for this household
            raise PluginFailed(run.household.id, f"intervention.{name}", risk.fact_id, error) from error

    def _ask(self, run: RunState, name: str, risk: Risk, ctx: Context) -> Grant | Declined | None:
        """The intervention's answer for ``risk`` now; None when it has none (not in force yet)."""
        intervention = self.policy.interventions[name]
        outcome = self._call(run, name, risk, lambda: intervention.grant(risk, ctx))
        if outcome is None:
            return None
        if not sound_grant(outcome, name):  # policy code's answer, checked
            outcome = checked_grant(outcome, run.household.id, name, risk.fact_id)
        return outcome

    def _months(self, value: ParameterValue) -> int:
        """:func:`_whole` of ``value``, checked once: a policy's values are looked up as the same
        objects (each kept beside its answer, so an id is never taken for another's)."""
        known = self._whole.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        months = _whole(value)
        self._whole[id(value)] = (value, months)
        return months

    def _parameter(self, name: str, on: dt.date) -> ParameterValue:
        return self.policy.parameters.lookup(name, on)


_ONE_DAY = dt.timedelta(days=1)
_NO_FLOOR = Decimal("-Infinity")
_NO_CEILING = Decimal("Infinity")


def shared_basis(run: RunState, basis: Value) -> Message:
    """``basis``, saying the income per person it read is the household's income shared over
    the members in force ("household income 4800.00 over 3 members")."""
    assert run.shared is not None
    return Message(keys.INCOME_SHARED, basis, to_money(run.shared[0]), keys.count(run.household.size, "member"))


def _obvious(share: Decimal | None, basis: Decimal, income: Decimal) -> bool:
    """True when ``income`` differs from ``basis`` by at least ``share`` of it (no share: any change)."""
    return share is None or abs(income - basis) >= share * basis


def replacing(grant: Grant, replaced: Grant | None) -> Message:
    """What a decision granting entitlement ``grant`` says of its dates and the piece it
    replaces ("owed from 2016-05-01; replaces 300 a month granted on 2016-01-04, lowered by 50")."""
    if grant.ends is None:
        owed = Message(keys.OWED_FROM, grant.first_day)
    else:
        owed = Message(keys.OWED_FROM_UNTIL, grant.first_day, grant.ends)
    if replaced is None or replaced.amount is None or grant.amount is None:
        return owed
    if grant.amount == replaced.amount:
        return Message(keys.REPLACES, owed, replaced.amount, replaced.date)
    key = keys.REPLACES_LOWERED if grant.amount < replaced.amount else keys.REPLACES_RAISED
    change = abs(grant.amount - replaced.amount)
    return Message(key, owed, replaced.amount, replaced.date, change)


_EXIT_VERIFIED = Message(keys.EXIT_VERIFIED)


def _recomputed(
    name: str, piece: Grant, new: Grant, starts: dt.date, why: Value, due: dt.date | None, rechecked: bool
) -> Message:
    """What a recomputation's decision says: the amount raised, lowered or kept (its end
    cancelled, or re-checked), why, the re-check it was, and the new basis."""
    old, amount = piece.amount, new.amount
    label = Term(name)
    text: Message
    if old != amount:
        key = keys.RAISED if (old or 0) < (amount or 0) else keys.LOWERED
        text = Message(key, label, str(old), str(amount), starts, why)
    elif piece.ends is not None:
        text = Message(keys.KEPT_END_CANCELLED, label, str(amount), why)
    else:
        text = Message(keys.RECHECKED_KEPT, label, str(amount), why)
    if due is not None:
        text = Message(keys.RECHECK_DUE if rechecked else keys.OBVIOUS_BEFORE_RECHECK, text, due)
    return Message(keys.RECOMPUTED, text, new.basis_message)


def _recomputed_margins(
    why: Value, gradual: str | None, piece: Grant, on: dt.date, policy: Policy
) -> tuple[Margin, ...]:
    """A recomputation's margins: those its reason states, and the gradual-exit months left
    of a piece whose end it cancelled."""
    margins = margins_of(why)
    return margins + _gradual_left(gradual, piece, on, policy) if gradual is not None else margins


def _ended(name: str, piece: Grant, ends: dt.date, months: int, why: Value) -> Message:
    """What an end's decision says: the day, the months still owed (gradual exit), why."""
    owed = (
        Message(keys.NEVER_OWED)
        if ends <= piece.first_day
        else Message(keys.OWED_THROUGH, month_label(_month(ends) - 1))
    )
    label, amount = Term(name), str(piece.amount)
    if months:
        after = Message(keys.GRADUAL_MONTH if months == 1 else keys.GRADUAL_MONTHS, str(months))
        return Message(keys.ENDS_AFTER, label, amount, ends, owed, after, why)
    return Message(keys.ENDS, label, amount, ends, owed, why)


def _gradual_left(name: str, piece: Grant, on: dt.date, policy: Policy) -> tuple[Margin, ...]:
    """The gradual-exit months a piece ending (its end now cancelled) still had left on ``on``
    (``name``: the gradual-exit parameter)."""
    if piece.ends is None or name not in policy.parameters:
        return ()
    total = policy.parameters.lookup(name, on).value
    if not isinstance(total, Decimal) or total <= 0:
        return ()
    left = max(_month(piece.ends) - _month(first_of_next_month(on)), 0)
    return (Margin.left(total - min(Decimal(left), total), total, against="gradual-exit period"),)


def _whole(value: ParameterValue) -> int:
    """A parameter of months: a whole number >= 0, or :class:`InvalidPolicy` naming it."""
    number = value.value
    if not isinstance(number, Decimal) or number != number.to_integral_value() or number < 0:
        raise InvalidPolicy(f"parameter {value.name!r} must be a whole number of months >= 0, found {number!r}")
    return int(number)


def _risk_of(run: RunState, grant: Grant) -> Risk:
    """The risk ``grant`` was made for (a lifecycle entry's occasion when it is not a found risk)."""
    for risk in reversed(run.risks):
        if risk.key == grant.risk_key:
            return risk
    kind = grant.risk_key.rsplit(":", 1)[0] if ":" in grant.risk_key else grant.risk_key
    return Risk(
        kind=kind,
        household_id=run.household.id,
        date=grant.date,
        severity=Severity.LOW,
        trigger="lifecycle",
        fact_id="",
        key=grant.risk_key,
    )


def _lapse_day(risk_date: dt.date, months: int) -> dt.date:
    """The first day on which a cost of ``risk_date`` is older than ``months`` months: the first
    day ``d`` with ``add_months(d, -months) >= risk_date``, as :meth:`Context.open_costs` counts."""
    day = add_months(risk_date, months)
    while add_months(day, -months) < risk_date:
        day += dt.timedelta(days=1)
    while add_months(day - dt.timedelta(days=1), -months) >= risk_date:
        day -= dt.timedelta(days=1)
    return day
