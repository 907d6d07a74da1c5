"""The engine's household step: members joining, leaving and dying, and moves, on their dates.

The household given to a run is the household as it was before its facts. A
:class:`~relapse_guard.facts.MemberJoined`, :class:`~relapse_guard.facts.MemberLeft`,
:class:`~relapse_guard.facts.MemberDied` or :class:`~relapse_guard.facts.HouseholdMoved` changes
it on its date (they are applied first among the facts of their day), and everything after
reads the household of that date: its size, members' ages and labour capacity, its place.

Each change is a ``household_changed`` decision naming the members counted from that day.
From the first change on, the lifecycle's and the entitlements' decisions end with the members
they counted. A change of size recomputes the entitlements whose terms follow the members
(the safety net's top-up is per member) from the next month, and the re-check period is
worked out again (it depends on whether a member can work).

A change of size also shares the household's income over the members in force (N2 art. 12:
the gap to the standard of the per-capita income of the co-resident members): until the next
assessment, the income per person is the household's income as assessed (per person x the
members it was assessed over) over the members in force, to the fen
(:meth:`~.run_state.RunState.share_income`); every rule, trigger and intervention reads it, and
the decisions that do cite the changes. The main earner's death (a
:class:`~relapse_guard.facts.MemberDied` with a :class:`~relapse_guard.facts.MainEarnerLost`
of that member, cause ``death``, on the same day: :func:`earner_dies`) takes the earner's share
of the income with them: the others keep the income per person on file.

When the last member leaves or dies the household **dissolves**: every entitlement running
ends (owed through that month, no gradual exit: "all members gone"), the lifecycle stays where
it is, and any later fact of the household is refused except a member joining (a return),
which forms the household again with that member.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import DecisionKind
from ..entitlements import first_of_next_month
from ..errors import InvalidFact, InvalidHousehold, redact
from ..facts import HOUSEHOLD_CHANGES, Fact, HouseholdMoved, MainEarnerLost, MemberDied, MemberJoined, MemberLeft
from ..household import Household
from ..messages import Join, Message, Term
from .decision_log import DecisionLog
from .entitlement_step import EntitlementStep
from .run_state import RunState

__all__ = [
    "HouseholdStep",
    "changed_household",
    "earner_dies",
    "household_on",
    "members_counted",
    "rehouse",
]

HouseholdChange = MemberJoined | MemberLeft | MemberDied | HouseholdMoved


def members_counted(household: Household) -> Message:
    """The members of ``household`` as a decision names them: ``3 members: M1, M2, M3``."""
    ids = Join([member.id for member in household.members], ", ")
    return Message(keys.MEMBERS_LIST, keys.count(household.size, "member"), ids)


def changed_household(
    household: Household, fact: HouseholdChange, dissolved: dt.date | None = None
) -> tuple[Household, dt.date | None]:
    """``household`` after ``fact`` (and the date it dissolved, or None): raises
    :class:`~relapse_guard.errors.InvalidFact` for a change that does not fit it (a member
    joining twice, an unknown member leaving, a fact after the household dissolved)."""
    hid = household.id
    if dissolved is not None and not isinstance(fact, MemberJoined):
        raise InvalidFact(
            hid,
            "date",
            fact.date.isoformat(),
            f"a date before the household dissolved on {dissolved.isoformat()} (no member left)",
            fact_id=fact.id,
        )
    try:
        if isinstance(fact, MemberJoined):
            if fact.birth_date > fact.date:
                raise InvalidFact(
                    hid,
                    "birth_date",
                    fact.birth_date.isoformat(),
                    f"a birth date on or before the day joined, {fact.date.isoformat()}",
                    fact_id=fact.id,
                )
            if dissolved is not None:  # a return forms the household again
                return attrs.evolve(household, members=(fact.member(),)), None
            if household.has_member(fact.member_id):
                raise InvalidFact(
                    hid,
                    "member_id",
                    redact(fact.member_id),
                    f"a member not in the household on {fact.date.isoformat()} (a member joins once)",
                    fact_id=fact.id,
                )
            return attrs.evolve(household, members=(*household.members, fact.member())), None
        if isinstance(fact, HouseholdMoved):
            return attrs.evolve(household, place=fact.place), None
        if not household.has_member(fact.member_id):
            raise InvalidFact(
                hid,
                "member_id",
                redact(fact.member_id),
                f"the id of a member of the household on {fact.date.isoformat()}",
                fact_id=fact.id,
            )
        left = tuple(member for member in household.members if member.id != fact.member_id)
        if not left:  # the household dissolves: it keeps its last member, for the record
            return household, fact.date
        return attrs.evolve(household, members=left), None
    except InvalidHousehold as error:  # a joining member's record or a place that does not fit
        raise InvalidFact(hid, error.field, error.value, error.expected, fact_id=fact.id) from None


def earner_dies(facts: Sequence[Fact], death: MemberDied) -> bool:
    """True when ``facts`` (in the order applied) hold a main earner's loss by death of the
    member ``death`` records, on its day: the two facts record one death, the main earner's."""
    at = bisect.bisect_left(facts, death.date, key=_date)
    for fact in facts[at:]:
        if fact.date != death.date:
            break
        if type(fact) is MainEarnerLost and fact.member_id == death.member_id and fact.cause == EARNER_DEATH:
            return True
    return False


def _date(fact: Fact) -> dt.date:
    return fact.date


#: The cause of a main earner's loss that is their death.
EARNER_DEATH = "death"


def household_on(household: Household, facts: Iterable[Fact], on: dt.date) -> Household:
    """The household in force on ``on``: ``household`` (as before its facts) with the
    household changes among ``facts`` dated up to ``on`` applied (the place of a dissolved
    household is its last one). A policy picked by place is picked by this household's place."""
    changes = sorted(
        (fact for fact in facts if isinstance(fact, HOUSEHOLD_CHANGES) and fact.date <= on), key=Fact.sort_key
    )
    dissolved = None
    for fact in changes:
        household, dissolved = changed_household(household, fact, dissolved)
    return household


def rehouse(run: RunState, household: Household, dissolved: dt.date | None) -> None:
    """Set ``run``'s household in force (and the day it dissolved), and what follows from it."""
    run.household = household
    run.dissolved = dissolved
    if dissolved is None:
        run.latest_birth = max(member.birth_date for member in household.members)
        run.members_note = members_counted(household)
    else:  # every later income assessment takes the slow way, which refuses it
        run.latest_birth = dt.date.max
        run.members_note = None


class HouseholdStep:
    """Applies household changes to a run; see the module docstring."""

    def __init__(self, log: DecisionLog, entitlements: EntitlementStep, policy_label: str) -> None:
        self._log = log
        self._entitlements = entitlements
        self._policy = policy_label

    def change(self, run: RunState, fact: HouseholdChange, ctx: Context) -> None:
        """Apply ``fact`` to ``run``: the household in force from its date, and what follows from it."""
        before = run.household
        after, dissolved = changed_household(before, fact, run.dissolved)
        rehouse(run, after, dissolved)
        run.changes = (*run.changes, fact)
        earner = False
        if isinstance(fact, MemberDied):
            run.died = {**run.died, fact.member_id: fact.date}
            earner = earner_dies(run.facts, fact)
            ctx.rehouse(after, run.died)
        else:
            ctx.rehouse(after)
        run.rechecks = {}  # the re-check period depends on who can work
        run.income_gate = None
        if dissolved is None and after.size != before.size and run.income is not None:
            run.share_income(fact, before.size, after.size, earner=earner)
            ctx.refresh(fact.date, run)
        what = _what(fact, before, after)
        if dissolved is not None:
            text = Message(keys.HOUSEHOLD_DISSOLVED, what, Term(run.state.value))
        elif isinstance(fact, HouseholdMoved):
            if before.place.district != after.place.district:
                text = Message(keys.MOVED_RESCREEN, what, self._policy, after.place.district)
            else:
                text = Message(keys.MOVED_SAME_POLICY, what, self._policy)
        else:
            text = Message(keys.SIZE_CHANGED, what, str(before.size), members_counted(after))
        self._log.record(
            run, fact.date, DecisionKind.HOUSEHOLD_CHANGED, f"household.{fact.kind}", text, facts=(fact.id,)
        )
        if not run.entitled:
            return
        if dissolved is not None:
            for name in sorted(run.entitled):
                self._entitlements.end(
                    run, name, fact.date, Message(keys.ALL_MEMBERS_GONE, what), facts=(fact.id,), gradual=False
                )
        elif after.size != before.size:
            why = Message(keys.HOUSEHOLD_SIZE, str(before.size), str(after.size), what)
            self._entitlements.on_members(run, fact.date, first_of_next_month(fact.date), why, (fact.id,), ctx)


def _what(fact: HouseholdChange, before: Household, after: Household) -> Message:
    if isinstance(fact, MemberJoined):
        return Message(keys.MEMBER_JOINED, fact.member_id, Term(fact.reason.value), fact.id)
    if isinstance(fact, MemberLeft):
        return Message(keys.MEMBER_LEFT, fact.member_id, Term(fact.reason.value), fact.id)
    if isinstance(fact, MemberDied):
        return Message(keys.MEMBER_DIED, fact.member_id, fact.id)
    return Message(keys.HOUSEHOLD_MOVED, str(before.place), str(after.place), fact.id)
