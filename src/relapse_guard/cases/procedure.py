"""Procedures as data: ordered steps, each done by a level of government within a deadline.

A :class:`Procedure` is the definition of one kind of case (identification, risk
elimination, a policy's own): its :class:`Step` s in order, where an appeal reopens a rejected
case, and — for risk elimination — the condition under which a case may start. Everything
else derives from it: the :mod:`transitions` Machine and the compiled table
(:mod:`relapse_guard.cases.machine`), the replay of a case's facts
(:mod:`relapse_guard.cases.case`), the deadlines (:mod:`relapse_guard.cases.deadlines`) and the
diagrams in the docs.

What each outcome does (the Machine's triggers):

- ``approve`` passes the step: the case moves to the next step, or is decided *approved* after
  the last one. A public-notice step cannot close before its window has run;
- ``reject`` decides the case *rejected* (only at steps that list it);
- ``send_back`` returns the case to the step's ``send_back_to`` (the previous step unless the
  step names an earlier one); never from the first step;
- ``object`` — an objection raised during a public notice, within its window — returns the
  case to the first step (verification), whatever the notice step;
- ``appeal`` reopens a rejected case at the procedure's ``appeal_to`` step, at most
  ``max_appeals`` times per case. No step before ``appeal_to`` may reject, so an appeal never
  skips a step the case has not passed.

``assign`` is a record, not a move: it names the person responsible for the current step.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import attrs

from ..errors import InvalidPolicy, InvalidProcedure
from ..facts import Fact
from ..household import Household
from ..parameters import ParameterTree
from ..result import HouseholdResult
from ..rules import Verdict
from .calendar import WorkingCalendar

__all__ = [
    "APPROVED",
    "DECIDED",
    "REJECTED",
    "STEP_OUTCOMES",
    "Outcome",
    "Procedure",
    "StartCondition",
    "StartContext",
    "Step",
]

#: The state of a case decided approved, and of one decided rejected.
APPROVED = "approved"
REJECTED = "rejected"
DECIDED = (APPROVED, REJECTED)

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Outcome(enum.Enum):
    """What a case record says happened: the Machine's triggers, and ``assign``."""

    APPROVE = "approve"
    REJECT = "reject"
    SEND_BACK = "send_back"
    OBJECT = "object"
    APPEAL = "appeal"
    ASSIGN = "assign"


#: The outcomes a :class:`Step` may list; a notice step adds ``object``, a procedure ``appeal``.
STEP_OUTCOMES = frozenset({Outcome.APPROVE, Outcome.REJECT, Outcome.SEND_BACK})


def _outcomes(items: Iterable[Outcome | str]) -> frozenset[Outcome]:
    if isinstance(items, str):
        items = (items,)
    found = set()
    for item in items:
        try:
            found.add(Outcome(item))
        except ValueError:
            known = ", ".join(sorted(repr(o.value) for o in STEP_OUTCOMES))
            raise InvalidPolicy(f"{item!r} is not an outcome; a step may list {known}") from None
    return frozenset(found)


@attrs.frozen(kw_only=True, cache_hash=True)
class Step:
    """One step of a procedure: who does it, within how many days, and how it may end.

    ``deadline_days`` are counted from the day the case arrived at the step (the arrival day
    not counted), in calendar days or, with ``working_days``, in working days of the
    procedure's calendar (see :mod:`relapse_guard.cases.calendar`). For a ``notice`` step
    the deadline is the notice window: objections are taken until it ends, and the notice
    cannot close (``approve``) before. An overdue step is escalated to ``escalate_to`` when
    given. ``outcomes`` may hold ``approve`` (required), ``reject`` and ``send_back``.
    """

    name: str
    level: str
    deadline_days: int
    working_days: bool = False
    outcomes: frozenset[Outcome] = attrs.field(default=frozenset({Outcome.APPROVE}), converter=_outcomes)
    notice: bool = False
    escalate_to: str | None = None
    send_back_to: str | None = None
    description: str = ""

    def due(self, arrived: dt.date, calendar: WorkingCalendar) -> dt.date:
        """The step's deadline for a case that arrived at it on ``arrived``."""
        return calendar.due(arrived, self.deadline_days, working_days=self.working_days)

    @property
    def deadline_text(self) -> str:
        """The deadline in words: ``"3 days"``, ``"1 working day"``, ``"notice of 5 days"``."""
        unit = "working day" if self.working_days else "day"
        text = f"{self.deadline_days} {unit}{'' if self.deadline_days == 1 else 's'}"
        return f"notice of {text}" if self.notice else text


def _facts(items: Iterable[Fact]) -> tuple[Fact, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class StartContext:
    """What a start condition looks at: the household's facts and its engine result on ``on``.

    ``facts`` are the household's facts up to ``on``; ``result`` is
    ``Engine(policy).run(household, facts, as_of=on)``; ``parameters`` the policy's
    parameters; ``risk_key`` the risk the case is about.
    """

    household: Household
    on: dt.date
    facts: tuple[Fact, ...] = attrs.field(converter=_facts)
    result: HouseholdResult
    parameters: ParameterTree
    risk_key: str | None = None


class StartCondition(Protocol):
    """A named condition a case of a procedure needs before it may open (risk elimination)."""

    @property
    def name(self) -> str:
        """The condition's name, as messages give it."""
        ...

    def __call__(self, ctx: StartContext) -> Verdict:
        """Whether the case may open, and why (with the values compared)."""
        ...


def _steps(items: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(items)


def _texts(items: Iterable[str]) -> tuple[str, ...]:
    return (items,) if isinstance(items, str) else tuple(items)


@attrs.frozen(kw_only=True, cache_hash=True)
class Procedure:
    """A procedure: ordered steps, the appeal rule, an optional start condition and an optional
    deadline for the whole case.

    ``case_deadline_days``, when given, bounds the whole case in calendar days, counted from the
    day the risk it is about was found (the day the case opened when it names none found
    earlier), the day itself not counted: identification is done within 15 days of the risk
    clue, the public notice included. Each step keeps its own deadline too; the case is late
    when either has passed (:mod:`relapse_guard.cases.deadlines`). It runs until the case's
    first decision: an appeal's steps keep their own deadlines only.

    Raises :class:`~relapse_guard.errors.InvalidProcedure`, naming the procedure and the
    step, when a name is reused or malformed, a step cannot approve, the first step sends
    back, a ``send_back_to`` is not an earlier step, a notice is the first step, a deadline
    is negative, or a step before ``appeal_to`` may reject.

    >>> p = Procedure(name="check", steps=[Step(name="visit", level="village", deadline_days=3),
    ...     Step(name="decide", level="township", deadline_days=5, outcomes={"approve", "reject"})],
    ...     appeal_to="decide")
    >>> [s.name for s in p.steps], p.send_back_target(p.step("decide"))
    (['visit', 'decide'], None)
    """

    name: str
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    description: str = ""
    appeal_to: str | None = None
    max_appeals: int = 1
    #: For a procedure that may start only when a condition holds (risk elimination). Not
    #: compared: two procedures that differ only in it are equal (as :class:`~relapse_guard.rules.Rule` tests).
    start_condition: StartCondition | None = attrs.field(default=None, eq=False)
    calendar: WorkingCalendar = attrs.field(factory=WorkingCalendar)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    case_deadline_days: int | None = None

    def __attrs_post_init__(self) -> None:
        _validate(self)

    @property
    def first(self) -> Step:
        """The first step (verification): where a case opens and where an objection returns it."""
        return self.steps[0]

    @property
    def step_names(self) -> tuple[str, ...]:
        """The step names, in order."""
        return tuple(step.name for step in self.steps)

    def step(self, name: str) -> Step:
        """The step called ``name``; :class:`InvalidProcedure` if there is none."""
        for step in self.steps:
            if step.name == name:
                return step
        raise InvalidProcedure(self.name, name, f"no such step (steps: {', '.join(self.step_names)})")

    def index(self, name: str) -> int:
        """The position of step ``name`` (0 for the first)."""
        return self.step_names.index(self.step(name).name)

    def next_after(self, step: Step) -> str:
        """Where ``approve`` leads from ``step``: the next step, or ``approved`` after the last."""
        index = self.index(step.name)
        return self.steps[index + 1].name if index + 1 < len(self.steps) else APPROVED

    def send_back_target(self, step: Step) -> str | None:
        """Where ``send_back`` returns from ``step`` (its ``send_back_to`` or the previous step).

        None when the step cannot send back.
        """
        if Outcome.SEND_BACK not in step.outcomes:
            return None
        if step.send_back_to is not None:
            return step.send_back_to
        return self.steps[self.index(step.name) - 1].name

    def with_step(self, name: str, **changes: Any) -> Procedure:
        """This procedure with step ``name`` changed (``deadline_days=7``, ``escalate_to=...``)."""
        steps = [attrs.evolve(step, **changes) if step.name == name else step for step in self.steps]
        self.step(name)  # raises for an unknown step
        return attrs.evolve(self, steps=steps)

    def case_due(self, found_on: dt.date, opened_on: dt.date) -> dt.date | None:
        """The whole case's deadline for a case opened on ``opened_on`` about a risk found on
        ``found_on`` (counted from the earlier of the two), or None without ``case_deadline_days``."""
        days = self.case_deadline_days
        return None if days is None else min(found_on, opened_on) + dt.timedelta(days=days)

    def with_calendar(self, calendar: WorkingCalendar) -> Procedure:
        """This procedure counting working days with ``calendar``'s holidays and worked days as well."""
        return attrs.evolve(self, calendar=self.calendar.merged(calendar))


def _validate(procedure: Procedure) -> None:
    name = procedure.name

    def fail(step: str | None, problem: str) -> InvalidProcedure:
        return InvalidProcedure(name, step, problem)

    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise fail(None, "a procedure name is lower-case letters, digits and '_', starting with a letter")
    if not procedure.steps:
        raise fail(None, "a procedure needs at least one step")
    seen: list[str] = []
    for index, step in enumerate(procedure.steps):
        _validate_step(index, step, seen, fail)
        seen.append(step.name)
    days = procedure.case_deadline_days
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise fail(None, f"case_deadline_days must be a whole number of days >= 1, or None, not {days!r}")
    if isinstance(procedure.max_appeals, bool) or not isinstance(procedure.max_appeals, int):
        raise fail(None, f"max_appeals must be a whole number, not {procedure.max_appeals!r}")
    if procedure.max_appeals < 0:
        raise fail(None, f"max_appeals must be 0 or more, not {procedure.max_appeals}")
    rejecting = [step.name for step in procedure.steps if Outcome.REJECT in step.outcomes]
    if procedure.appeal_to is not None:
        if procedure.appeal_to not in seen:
            raise fail(None, f"appeal_to names {procedure.appeal_to!r}, which is not a step (steps: {', '.join(seen)})")
        appeal_index = seen.index(procedure.appeal_to)
        early = [n for n in rejecting if seen.index(n) < appeal_index]
        if early:
            raise fail(
                early[0],
                f"it may reject but comes before the appeal step {procedure.appeal_to!r}: an appeal would skip it; "
                f"appeal to {early[0]!r} or an earlier step, or let {early[0]!r} send back instead",
            )
    elif procedure.max_appeals > 0 and rejecting:
        raise fail(
            None, f"a rejection may be appealed (max_appeals={procedure.max_appeals}) but appeal_to names no step"
        )


def _validate_step(index: int, step: Step, seen: Sequence[str], fail: _Fail) -> None:
    if not isinstance(step, Step):
        raise fail(None, f"step {index} is {step!r}, not a Step")
    if not _NAME.fullmatch(step.name):
        raise fail(step.name, "a step name is lower-case letters, digits and '_', starting with a letter")
    if step.name in (*seen, *DECIDED):
        raise fail(step.name, "the name is used twice" if step.name in seen else "the name is a decided state's")
    if not step.level.strip():
        raise fail(step.name, "a step needs the level that does it")
    if isinstance(step.deadline_days, bool) or not isinstance(step.deadline_days, int) or step.deadline_days < 0:
        raise fail(step.name, f"deadline_days must be a whole number of days >= 0, not {step.deadline_days!r}")
    extra = sorted(o.value for o in step.outcomes - STEP_OUTCOMES)
    if extra:
        raise fail(
            step.name,
            f"outcome {extra[0]!r} cannot be listed: a notice step (notice=True) takes objections and the procedure's "
            "appeal_to takes appeals",
        )
    if Outcome.APPROVE not in step.outcomes:
        raise fail(step.name, "every step must be able to approve, or no case could pass it")
    if index == 0 and step.notice:
        raise fail(step.name, "the first step cannot be a public notice: a notice publishes what earlier steps found")
    if Outcome.SEND_BACK in step.outcomes:
        if index == 0:
            raise fail(step.name, "the first step has no earlier step to send the case back to")
        if step.send_back_to is not None and step.send_back_to not in seen:
            earlier = ", ".join(seen)
            raise fail(step.name, f"send_back_to {step.send_back_to!r} is not an earlier step (earlier: {earlier})")
    elif step.send_back_to is not None:
        raise fail(step.name, "send_back_to is given but the step's outcomes do not include 'send_back'")
    if step.escalate_to is not None and (not step.escalate_to.strip() or step.escalate_to == step.level):
        raise fail(step.name, f"escalate_to must name another level than {step.level!r}")


class _Fail(Protocol):
    def __call__(self, step: str | None, problem: str) -> InvalidProcedure: ...
