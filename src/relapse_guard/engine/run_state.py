"""The engine's mutable per-household state while it runs, and the *observe* step: what a fact
tells about the household (income, housing, needs, reviews done)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ..context import NO_DEATHS
from ..decisions import Decision, Grant, Risk
from ..errors import InvalidFact, redact
from ..facts import (
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    EntitlementStopped,
    ExitVerified,
    Fact,
    FactCorrected,
    FactRetracted,
    HouseAppraised,
    HouseholdMoved,
    HousingGrade,
    IncomeAssessed,
    MemberDied,
    MemberJoined,
    MemberLeft,
    ReviewCompleted,
)
from ..household import Household
from ..lifecycle import State
from ..messages import Message
from ..money import to_money
from ..parameters import ParameterValue

__all__ = [
    "ASSISTABLE_STATES",
    "HOUSEHOLD_FACTS",
    "HOUSEHOLD_TYPES",
    "OBSERVING_STATES",
    "WATCHED_STATES",
    "RunState",
    "SharedIncome",
]

# Tuples, not sets: membership by identity avoids hashing enum members on the hot path.
#: States where an observation may identify the household (not on file, or stable).
OBSERVING_STATES = (State.NEW, State.STABLE)
#: States where an observation may relapse the household (exited, monitored).
WATCHED_STATES = (State.EXITED, State.MONITORED)
#: States that assistance (or a grant, under ``assist_on_grant``) moves to assisted.
ASSISTABLE_STATES = (State.IDENTIFIED, State.RELAPSED)


# Facts that act on the lifecycle or a case themselves: they observe nothing about the household.
class Unresolved(Exception):
    """Raised when a correction or retraction is applied as a fact: the engine resolves the facts
    (:func:`~relapse_guard.versions.resolve`) and runs them again. Only the engine sees it."""


_NOT_OBSERVATIONS = AssistanceGranted | ExitVerified | CaseOpened | CaseStepRecorded | CaseDecided | EntitlementStopped
#: Household changes (members, place): applied by the household step, before the lifecycle.
HOUSEHOLD_FACTS = MemberJoined | MemberLeft | MemberDied | HouseholdMoved
#: The same, as a set of exact types (the engine's test of every fact: a look-up, not four isinstance).
HOUSEHOLD_TYPES = frozenset({MemberJoined, MemberLeft, MemberDied, HouseholdMoved})


#: The household's income as assessed (per person x the members it was assessed over), and the
#: changes of members since the assessment (fact ids, in order).
SharedIncome = tuple[Decimal, tuple[str, ...]]


class RunState:
    """Mutable per-household state while the engine runs (slotted: the hot path)."""

    __slots__ = (
        "changes",
        "costly",
        "decisions",
        "decisions_before",
        "died",
        "dissolved",
        "eliminated",
        "entitled",
        "entitlement_due",
        "facts",
        "grants",
        "household",
        "housing_grade",
        "income",
        "income_fact",
        "income_gate",
        "income_shared",
        "latest_birth",
        "members_note",
        "monitoring_end",
        "monitoring_start",
        "paid",
        "pending",
        "period_facts",
        "period_parameters",
        "previous_income",
        "rechecks",
        "refused_cases",
        "reviews_done",
        "risk_keys",
        "risks",
        "set_aside",
        "state",
        "state_facts",
        "state_since",
        "stops",
        "unmet",
        "year_due",
    )

    def __init__(self, household: Household) -> None:
        self.household = household
        self.state = State.NEW
        self.state_since: dt.date | None = None
        self.income: Decimal | None = None
        self.income_fact: str | None = None
        self.previous_income: Decimal | None = None
        self.unmet: frozenset[BasicNeed] = frozenset()
        self.housing_grade: HousingGrade | None = None
        self.monitoring_start: dt.date | None = None
        self.monitoring_end: dt.date | None = None
        self.period_parameters: tuple[ParameterValue, ...] = ()
        #: The facts the exit that set the transition period rests on: its start and end cite them.
        self.period_facts: tuple[str, ...] = ()
        #: The facts the move into ``state`` rests on (a new year's occasion cites them).
        self.state_facts: tuple[str, ...] = ()
        self.decisions: list[Decision] = []
        #: Decisions made before a checkpoint this run resumes (its decisions are numbered on from them).
        self.decisions_before = 0
        self.grants: list[Grant] = []
        #: The entitlement of each intervention running: its index in ``grants``.
        self.entitled: dict[str, int] = {}
        #: The next day an entitlement ends or a parameter it read changes (None: no such day).
        self.entitlement_due: dt.date | None = None
        #: The next 1 January the clock routes a new year on (``each_year:<state>``): None until
        #: the run's first fact, and in a policy that routes no new year.
        self.year_due: dt.date | None = None
        #: Each entitlement piece's re-check (by its index in ``grants``), worked out once.
        self.rechecks: dict[int, tuple[dt.date, tuple[dt.date, ParameterValue, Decimal | None] | None]] = {}
        #: When an income assessment changes no entitlement: dated after ``[0]`` and before
        #: ``[1]``, an income per person strictly between ``[2]`` and ``[3]`` (no obvious change
        #: before any re-check falls due). None: not worked out since the entitlements changed.
        self.income_gate: tuple[dt.date, dt.date, Decimal, Decimal] | None = None
        self.risks: list[Risk] = []
        #: The risks with a cost, in the order found (what weighs on the income left).
        self.costly: list[Risk] = []
        self.risk_keys: set[str] = set()
        self.paid: set[tuple[str, str]] = set()
        self.reviews_done: dict[str, dt.date] = {}
        self.latest_birth = max(member.birth_date for member in household.members)
        self.pending: list[tuple[Risk, Grant]] = []
        # grants set aside by a rejected case, kept in case an appeal of that case succeeds
        self.set_aside: dict[str, list[tuple[Risk, Grant]]] = {}
        self.eliminated: dict[str, dt.date] = {}
        #: The cases whose start condition did not hold when they opened, by id, with the day:
        #: their decisions are not applied. Not kept by a checkpoint: a run that opens or
        #: decides such a case is a run of the household's whole history.
        self.refused_cases: dict[str, dt.date] = {}
        #: The explicit stops in force, by the intervention they stopped: a later risk's grant of
        #: it waits for a decided case (a new decision, not routing alone); an approved
        #: identification case lifts them.
        self.stops: dict[str, EntitlementStopped] = {}
        #: The household changes applied (members joining, leaving, dying; moves), in order.
        self.changes: tuple[Fact, ...] = ()
        #: The day the last member left or died (no fact but a member joining is taken after it).
        self.dissolved: dt.date | None = None
        #: After a household change: the members counted, as the lifecycle's and entitlements'
        #: decisions end with them (None before any change).
        self.members_note: Message | None = None
        #: After a change of household size: the household's income as assessed (per person x
        #: the members it was assessed over), the changes since and the assessment it is of (what
        #: :attr:`shared` gives while that assessment is the latest: an assessment does not reset
        #: it, so the hot path pays nothing for a change of members). None: no change yet.
        self.income_shared: tuple[Decimal, tuple[str, ...], str | None] | None = None
        #: The members who died, by id, with the day: a fact of that day may still name them
        #: (the main earner's loss to that death).
        self.died: Mapping[str, dt.date] = NO_DEATHS  # (replaced, not changed: shared by the contexts)
        #: The facts the run plays, in the order applied (a death looks among those of its day
        #: for the main earner's loss it may be).
        self.facts: Sequence[Fact] = ()

    def observe_income(self, fact: IncomeAssessed) -> None:
        """Record an income assessment; raises for one dated before a member's birth, naming them."""
        if fact.date < self.latest_birth:
            if self.dissolved is not None:
                self.refuse_dissolved(fact)
            self.refuse_before_birth(fact)
        self.previous_income = self.income
        self.income = fact.income_per_capita
        self.income_fact = fact.id

    def refuse_before_birth(self, fact: Fact) -> None:
        """Raise :class:`InvalidFact` for ``fact``, dated before a member's birth (a method of its
        own: a closure over ``fact`` in :meth:`observe_income` would cost every call)."""
        born = next(member for member in self.household.members if member.birth_date > fact.date)
        raise InvalidFact(
            self.household.id,
            "date",
            fact.date.isoformat(),
            f"a date on or after the birth of member {redact(born.id)} ({born.birth_date.isoformat()}): "
            "an assessment counts every member",
            fact_id=fact.id,
        )

    def refuse_dissolved(self, fact: Fact) -> None:
        """Raise :class:`InvalidFact` for ``fact``: the household dissolved before it (no member left)."""
        assert self.dissolved is not None
        raise InvalidFact(
            self.household.id,
            "date",
            fact.date.isoformat(),
            f"a date before the household dissolved on {self.dissolved.isoformat()} (no member left)",
            fact_id=fact.id,
        )

    def observe(self, fact: Fact) -> bool:
        """Record what ``fact`` tells about the household; True if the lifecycle may change."""
        if isinstance(fact, IncomeAssessed):
            self.observe_income(fact)
            return True
        if isinstance(fact, HouseAppraised):
            self.housing_grade = fact.grade
            return True
        if isinstance(fact, BasicNeedsChecked):
            self.unmet = fact.unmet
            return True
        if isinstance(fact, ReviewCompleted):
            self.reviews_done[fact.review] = fact.date
            return False
        cls = type(fact)
        if cls is FactCorrected or cls is FactRetracted:
            raise Unresolved(fact.id)  # a correction reached the engine unresolved: the run resolves and starts again
        return not isinstance(fact, _NOT_OBSERVATIONS)

    def evidence(self, fact: Fact) -> tuple[str, ...]:
        """The facts a lifecycle decision on ``fact`` rests on: it, the income it read and, for
        an income shared over the members in force, the changes of members since."""
        if self.income_fact is None or self.income_fact == fact.id:
            return (fact.id,)
        shared = self.shared if self.income_shared is not None else None
        if shared is not None:
            return (fact.id, self.income_fact, *(change for change in shared[1] if change != fact.id))
        return (fact.id, self.income_fact)

    @property
    def shared(self) -> SharedIncome | None:
        """After a change of household size, until the next income assessment: the household's
        income as assessed (per person x the members it was assessed over) and the changes since,
        which ``income`` shares over the members in force; None while ``income`` is as assessed
        (an assessment counts every member)."""
        shared = self.income_shared
        if shared is None or shared[2] != self.income_fact:
            return None
        return shared[0], shared[1]

    def shared_on_file(self) -> tuple[Decimal, tuple[str, ...], str] | None:
        """:attr:`shared` with the assessment it is of, as a checkpoint keeps it."""
        shared = self.shared if self.income_shared is not None else None
        if shared is None or self.income_fact is None:
            return None
        return shared[0], shared[1], self.income_fact

    def restore_shared(self, kept: tuple[Decimal, tuple[str, ...], str] | None) -> None:
        """Hold the income shared a checkpoint kept (:meth:`shared_on_file`)."""
        self.income_shared = kept

    def share_income(self, fact: Fact, before: int, after: int, *, earner: bool = False) -> None:
        """A change of household size from ``before`` to ``after`` members (``fact``): the
        household's income on file (per person x the members it was assessed over) is shared
        over the members in force, to the fen, until the next assessment sets it again. For the
        main earner's death (``earner``) their share leaves with them: the household's income
        falls by one share, and the others keep the income per person on file."""
        income = self.income
        if income is None or before == after:
            return
        shared = self.shared
        changes: tuple[str, ...]
        if shared is None:
            total, changes = income * before, (fact.id,)
        else:
            total, changes = shared[0], (*shared[1], fact.id)
        if earner:
            total = max(total - income, Decimal(0))
        self.income_shared = (total, changes, self.income_fact)
        self.income = to_money(total / after)
