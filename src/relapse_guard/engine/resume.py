"""Carrying a run on from a checkpoint: what a checkpoint captures of a run, how a run is
rebuilt from one, whether new facts may resume it, and what falls due next.

A checkpoint may be resumed with new facts when every one of them sorts after the last fact
it applied and is dated on or after its clock (so no move of the clock it already made comes
before them), under the same policy (label and fingerprint) and for the same household record,
with the run's as-of date not before its clock; the result is then what a run of all the
facts gives (:mod:`tests.test_resume` proves it for random histories). Anything else is
replayed from the whole history, and the result says why.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from .. import message_keys as keys
from ..cases.case import CaseState
from ..cases.replay import replay_cases
from ..decisions import Risk
from ..errors import InvalidCheckpoint
from ..facts import CaseDecided, CaseOpened, CaseStepRecorded, EntitlementStopped, Fact, MainEarnerLost, MemberDied
from ..household import Household
from ..lifecycle import State
from ..messages import Message, Term
from ..policy import Policy
from ..result import HouseholdResult
from ..reviews import ReviewState, review_status
from ..routing import each_year
from .checkpoint import Checkpoint, OpenCase, SortKey
from .household_step import EARNER_DEATH, changed_household, rehouse
from .run_state import HOUSEHOLD_FACTS, RunState

__all__ = [
    "Checkpointed",
    "Quiet",
    "ResumePath",
    "capture",
    "history_of",
    "next_event",
    "refusal",
    "restore",
    "sort_key",
]

#: A checkpoint's quiet band, the first day it may not hold, and its gate (see :class:`Checkpoint`).
Quiet = tuple[Decimal | None, dt.date | None, tuple[Decimal, Decimal] | None]

#: The facts a case is replayed from.
CASE_FACTS = CaseOpened | CaseStepRecorded
#: The case facts on which the engine checks a procedure's start condition.
_CHECKED_FACTS = (CaseOpened, CaseDecided)

_DAY = dt.timedelta(days=1)


class ResumePath(enum.Enum):
    """How a result was reached."""

    #: A run of the facts given, from the start (no checkpoint).
    RUN = "run"
    #: Carried on from the checkpoint with the new facts only.
    RESUMED = "resumed"
    #: The checkpoint could not be resumed: the whole history was replayed (``reason`` says why).
    REPLAYED = "replayed"


@attrs.frozen(kw_only=True)
class Checkpointed:
    """A run's result with the checkpoint to resume it from, and how it was reached.

    When ``path`` is :attr:`ResumePath.RESUMED`, ``result.decisions`` holds only the decisions
    made after the checkpoint (numbered on from it); state, risks, grants, pending grants,
    reviews and eliminated risks are the whole household's. ``why`` says why a checkpoint was
    replayed rather than resumed (a message that renders in any language), and is None
    otherwise; ``reason`` is it in English ("" when resumed).
    """

    result: HouseholdResult
    checkpoint: Checkpoint
    path: ResumePath
    why: Message | None = None

    @property
    def reason(self) -> str:
        """Why the checkpoint was replayed, in English; "" when it was resumed."""
        return "" if self.why is None else self.why.english()


def sort_key(fact: Fact) -> SortKey:
    """The order the engine applies ``fact`` in, as a checkpoint keeps it."""
    return (fact.date, fact.order, fact.id)


def refusal(
    checkpoint: Checkpoint,
    *,
    policy: str,
    fingerprint: str,
    household: str,
    new_facts: Sequence[Fact],
    as_of: dt.date | None,
    records_decisions: bool,
    checked: Collection[str] = (),
) -> Message | None:
    """Why ``checkpoint`` cannot be resumed with ``new_facts`` (ordered, cut at ``as_of``), as a
    message (fact and case ids quoted); None when it can. ``checked`` names the procedures
    whose start condition the engine checks on their case facts: a case of one opened or
    decided among the new facts is checked on the whole history, which a checkpoint does not
    hold (:mod:`.case_conditions`)."""
    if checkpoint.policy != policy:
        return Message(keys.REPLAY_OTHER_POLICY, checkpoint.policy, policy)
    if checkpoint.fingerprint != fingerprint:
        return Message(keys.REPLAY_FINGERPRINT, policy, checkpoint.fingerprint)
    if checkpoint.household != household:
        return Message(keys.REPLAY_HOUSEHOLD)
    if records_decisions and checkpoint.decisions is None:
        return Message(keys.REPLAY_DECISIONS)
    clock = checkpoint.clock
    if as_of is not None and clock is not None and as_of < clock:
        return Message(keys.REPLAY_BEFORE_CLOCK, as_of, clock)
    if new_facts:
        first = new_facts[0]
        last = checkpoint.last_fact
        if last is not None and sort_key(first) <= last:
            return Message(
                keys.REPLAY_SORTS_BEFORE, repr(first.id), Term(first.kind), first.date, repr(last[2]), last[0]
            )
        if clock is not None and first.date < clock:
            return Message(keys.REPLAY_LATE_FACT, repr(first.id), first.date, clock)
        open_ids = {fact.case_id for fact in checkpoint.case_facts if isinstance(fact, CASE_FACTS)}
        open_ids.update(fact.case_id for fact in new_facts if isinstance(fact, CaseOpened))
        for fact in new_facts:
            if isinstance(fact, CaseStepRecorded) and fact.case_id not in open_ids:
                return Message(keys.REPLAY_CASE_STEP, repr(fact.id), repr(fact.case_id))
            if checked and isinstance(fact, _CHECKED_FACTS) and fact.procedure in checked:
                return Message(keys.REPLAY_CASE_CONDITION, repr(fact.id), Term(fact.kind), repr(fact.case_id))
        if checkpoint.household_facts:
            earner = _earner_after_death(checkpoint.household_facts, new_facts)
            if earner is not None:
                return Message(keys.REPLAY_EARNER_DEATH, repr(earner.id), earner.member_id, earner.date)
    return None


def _earner_after_death(changes: Sequence[Fact], new_facts: Sequence[Fact]) -> MainEarnerLost | None:
    """A main earner's loss by death among ``new_facts`` naming a member whose death on that
    day the checkpoint's ``changes`` recorded: the death was the main earner's, which the run
    that made the checkpoint did not know (the earner's share of the income leaves with them)."""
    deaths = {(fact.member_id, fact.date) for fact in changes if isinstance(fact, MemberDied)}
    if not deaths:
        return None
    for fact in new_facts:
        if isinstance(fact, MainEarnerLost) and fact.cause == EARNER_DEATH and (fact.member_id, fact.date) in deaths:
            return fact
    return None


def restore(checkpoint: Checkpoint, household: Household) -> RunState:
    """A run's state rebuilt from ``checkpoint`` (its decisions are not kept: the list starts empty)."""
    run = RunState(household)
    if checkpoint.household_facts:
        changed, dissolved = household, None
        for fact in checkpoint.household_facts:
            if not isinstance(fact, HOUSEHOLD_FACTS):
                raise InvalidCheckpoint(household.id, "household_facts", fact.kind, "household changes")
            changed, dissolved = changed_household(changed, fact, dissolved)
            if isinstance(fact, MemberDied):
                run.died = {**run.died, fact.member_id: fact.date}
        rehouse(run, changed, dissolved)
        run.changes = checkpoint.household_facts
    run.state = checkpoint.state
    run.state_since = checkpoint.state_since
    run.income = checkpoint.income
    run.income_fact = checkpoint.income_fact
    run.previous_income = checkpoint.previous_income
    run.restore_shared(checkpoint.income_shared)
    run.unmet = checkpoint.unmet
    run.housing_grade = checkpoint.housing_grade
    run.monitoring_start = checkpoint.monitoring_start
    run.monitoring_end = checkpoint.monitoring_end
    run.period_parameters = checkpoint.period_parameters
    run.period_facts = checkpoint.period_facts
    run.state_facts = checkpoint.state_facts
    if checkpoint.risks:
        run.risks = list(checkpoint.risks)
        run.costly = [risk for risk in checkpoint.risks if risk.cost]
        run.risk_keys = {risk.key for risk in checkpoint.risks}
    if checkpoint.grants:
        run.grants = list(checkpoint.grants)
    if checkpoint.paid:
        run.paid = set(checkpoint.paid)
    if checkpoint.reviews_done:
        run.reviews_done = dict(checkpoint.reviews_done)
    if checkpoint.eliminated:
        run.eliminated = dict(checkpoint.eliminated)
    if checkpoint.pending:
        run.pending = list(checkpoint.pending)
    if checkpoint.set_aside:
        run.set_aside = {case: list(pairs) for case, pairs in checkpoint.set_aside}
    for stop in checkpoint.stops:
        if not isinstance(stop, EntitlementStopped):
            raise InvalidCheckpoint(household.id, "stops", stop.kind, "entitlement_stopped facts")
        run.stops[stop.intervention] = stop
    return run


def capture(
    run: RunState,
    *,
    policy: Policy,
    fingerprint: str,
    household: str,
    clock: dt.date | None,
    last_fact: SortKey | None,
    decisions: int | None,
    case_facts: Iterable[Fact],
    quiet: Quiet = (None, None, None),
    look_ahead: bool = True,
    rechecks: tuple[tuple[str, dt.date], ...] = (),
) -> Checkpoint:
    """The checkpoint of ``run``, its clock moved to ``clock``; ``case_facts`` are the facts of
    the cases the run may hold open (those open before it, and its new case facts). Without
    ``look_ahead`` its ``next_event`` is not worked out (None): a checkpoint only resumed at
    once, which does not read it (:mod:`.fork`). ``quiet`` is the checkpoint's quiet band, until
    and gate (:class:`~.checkpoint.Checkpoint`); ``rechecks`` the re-checks of the entitlements
    running, by intervention, with the day each falls due."""
    open_cases, kept = _open_cases(policy, case_facts, clock, run.risks)
    reviews_done = tuple(sorted(run.reviews_done.items())) if run.reviews_done else ()
    following = (
        next_event(
            policy,
            household_id=run.household.id,
            clock=clock,
            state=run.state,
            state_since=run.state_since,
            monitoring=(run.monitoring_start, run.monitoring_end),
            reviews_done=run.reviews_done,
            open_cases=open_cases,
            entitlements=run.entitlement_due,
            new_year=run.year_due if run.dissolved is None else None,
            rechecks=[due for _, due in rechecks],
        )
        if look_ahead
        else None
    )
    # Most risks, grants and cases are none: share the empty tuple rather than build one.
    return Checkpoint(
        household_id=run.household.id,
        policy=policy.label,
        fingerprint=fingerprint,
        household=household,
        clock=clock,
        last_fact=last_fact,
        decisions=decisions,
        state=run.state,
        state_since=run.state_since,
        income=run.income,
        income_fact=run.income_fact,
        previous_income=run.previous_income,
        unmet=run.unmet,
        housing_grade=run.housing_grade,
        monitoring_start=run.monitoring_start,
        monitoring_end=run.monitoring_end,
        period_parameters=run.period_parameters,
        period_facts=run.period_facts,
        state_facts=run.state_facts,
        risks=tuple(run.risks) if run.risks else (),
        grants=tuple(run.grants) if run.grants else (),
        paid=frozenset(run.paid) if run.paid else frozenset(),
        reviews_done=reviews_done,
        eliminated=tuple(sorted(run.eliminated.items())) if run.eliminated else (),
        pending=tuple(run.pending) if run.pending else (),
        set_aside=tuple((case, tuple(pairs)) for case, pairs in sorted(run.set_aside.items())) if run.set_aside else (),
        open_cases=open_cases,
        case_facts=kept,
        household_facts=run.changes,
        stops=tuple(run.stops[name] for name in sorted(run.stops)) if run.stops else (),
        income_shared=run.shared_on_file(),
        rechecks=rechecks,
        next_event=following,
        quiet_band=quiet[0],
        quiet_until=quiet[1],
        quiet_gate=quiet[2],
    )


def _open_cases(
    policy: Policy, case_facts: Iterable[Fact], clock: dt.date | None, risks: Sequence[Risk] = ()
) -> tuple[tuple[OpenCase, ...], tuple[Fact, ...]]:
    """The cases still open as of ``clock`` among ``case_facts``, and the facts they were replayed
    from; a case about one of ``risks`` counts its whole deadline from the day it was found."""
    facts = [fact for fact in case_facts if isinstance(fact, CASE_FACTS)]
    if not facts:
        return (), ()
    states = replay_cases(policy.procedures, facts, as_of=clock)
    found = {risk.key: risk.date for risk in risks}
    open_cases = tuple(
        OpenCase(
            case_id=case.case_id,
            procedure=case.procedure.name,
            step=case.state,
            due_on=due,
            case_due_on=case.case_due(found.get(case.risk_key) if case.risk_key is not None else None),
        )
        for case in states
        if case.is_open and (due := case.due_on) is not None
    )
    # A case rejected with an appeal left may be reopened by a later fact: its facts are kept too.
    kept_ids = {case.case_id for case in open_cases} | {case.case_id for case in states if _appealable(case)}
    if not kept_ids:
        return (), ()
    kept = tuple(sorted((f for f in facts if f.case_id in kept_ids), key=sort_key))
    return open_cases, kept


def _appealable(case: CaseState) -> bool:
    """True for a case rejected that an appeal may still reopen."""
    procedure = case.procedure
    return case.outcome == "rejected" and procedure.appeal_to is not None and case.appeals_used < procedure.max_appeals


def next_event(
    policy: Policy,
    *,
    household_id: str,
    clock: dt.date | None,
    state: State,
    state_since: dt.date | None,
    monitoring: tuple[dt.date | None, dt.date | None],
    reviews_done: Mapping[str, dt.date],
    open_cases: Sequence[OpenCase],
    entitlements: dt.date | None = None,
    new_year: dt.date | None = None,
    rechecks: Sequence[dt.date] = (),
) -> dt.date | None:
    """The first date after ``clock`` on which something happens to a household without a new
    fact: the transition period starting or ending, a review falling due, a case step's
    deadline, an entitlement's next event (``entitlements``: an end, or a parameter it read
    changing), an entitlement's re-check falling due (``rechecks``: the days they fall due), the
    next new year (``new_year``, a 1 January) when the policy routes one in ``state``
    (``each_year:<state>``), a whole case's deadline. While a review, a case step (or a whole
    case) or a re-check is due or overdue as of the clock, the day after it."""
    if clock is None:
        return None
    soonest: list[dt.date] = [day for day in monitoring if day is not None and day > clock]
    if new_year is not None and new_year > clock and policy.routes.get(each_year(state)):
        soonest.append(new_year)
    if entitlements is not None:
        soonest.append(max(entitlements, clock + _DAY))
    after = clock + _DAY
    soonest.extend(max(case.due_on, after) for case in open_cases)
    soonest.extend(max(case.case_due_on, after) for case in open_cases if case.case_due_on is not None)
    soonest.extend(max(due, after) for due in rechecks)  # (due or overdue: each cycle announces it)
    if policy.reviews and state_since is not None:
        for status in review_status(
            policy.reviews,
            household_id=household_id,
            state=state,
            state_since=state_since,
            completed=reviews_done,
            as_of=clock,
        ):
            soonest.append(after if status.state is not ReviewState.DONE else status.next_due)
        for review in policy.reviews:  # a review not due yet in this state falls due on its first date
            if state in review.states and review.last_due(state_since, clock) is None:
                soonest.append(review.next_due(clock))
    return min(soonest) if soonest else None


def history_of(history: Iterable[Fact] | Callable[[], Iterable[Fact]]) -> list[Fact]:
    """The facts of ``history``, a sequence or a function that reads them (a store's, say)."""
    return list(history() if callable(history) else history)
