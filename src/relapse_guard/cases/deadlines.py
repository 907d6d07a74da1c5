"""Deadlines: which open cases are due or overdue as of a date, who answers for them, escalation.

Each open case has one running deadline, its current step's (see
:mod:`relapse_guard.cases.calendar` for how it is counted). As of a date a case is

- **due** on or before its deadline (``days_left`` until it), or
- **overdue** after it, by ``days_late`` calendar days; when the step names an
  ``escalate_to`` level, the case is escalated to that level from the first day late
  (``escalated_on``), and that level answers for it.

A procedure may also bound the whole case (``case_deadline_days``: identification within 15
days of the risk clue). That deadline (``case_due_on``) counts from the day the risk was found
(pass ``found``, the day of each risk by household and key, for a case opened after its
risk), and a case past it is late whatever its step's deadline says (``case_days_late``).

The responsible person is the one assigned to the step (an ``assign`` record), else the
one a ``roster`` gives for the household and the responsible level — a policy's chain of
responsible persons (Dazu: district leader, lead department, town leaders, village cadres).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping

import attrs

from ..facts import Fact
from .case import CaseState
from .procedure import Procedure
from .replay import replay_cases

__all__ = ["CaseDeadline", "DeadlineState", "Roster", "case_deadline", "cases_due"]

#: ``roster(household_id, level)`` -> the person responsible at that level, or None.
Roster = Callable[[str, str], str | None]


class DeadlineState(enum.Enum):
    """Where a case's running deadline stands as of a date."""

    DUE = "due"
    OVERDUE = "overdue"


@attrs.frozen(kw_only=True)
class CaseDeadline:
    """One open case's running deadline as of a date."""

    case_id: str
    household_id: str
    procedure: str
    step: str
    level: str
    person: str
    arrived_on: dt.date
    due_on: dt.date
    state: DeadlineState
    days_late: int
    days_left: int
    notice: bool = False
    escalated_to: str | None = None
    escalated_on: dt.date | None = None
    #: The whole case's deadline (None: the procedure sets none), and how many calendar days it is past.
    case_due_on: dt.date | None = None
    case_days_late: int = 0

    @property
    def late(self) -> bool:
        """Whether the step's deadline or the whole case's has passed."""
        return self.state is DeadlineState.OVERDUE or self.case_days_late > 0

    @property
    def responsible_level(self) -> str:
        """The level that answers for the step now: the escalation level once escalated."""
        return self.escalated_to or self.level

    def explain(self) -> str:
        """One line: the case, its step, who answers for it and how it stands."""
        who = self.responsible_level + (f", {self.person}" if self.person else "")
        if self.state is DeadlineState.OVERDUE:
            late = f"overdue by {self.days_late} day{'' if self.days_late == 1 else 's'}"
            if self.escalated_to is not None and self.escalated_on is not None:
                late += f", escalated from {self.level} on {self.escalated_on.isoformat()}"
        else:
            late = f"due in {self.days_left} day{'' if self.days_left == 1 else 's'}"
        what = "public notice ends" if self.notice else "due"
        whole = ""
        if self.case_due_on is not None:
            days = self.case_days_late
            past = f", overdue by {days} day{'' if days == 1 else 's'}" if days else ""
            whole = f"; the case due {self.case_due_on.isoformat()}{past}"
        return (
            f"{self.household_id} case {self.case_id} ({self.procedure}) at {self.step}: {what} "
            f"{self.due_on.isoformat()}, {late}; responsible {who}{whole}"
        )


def case_deadline(
    case: CaseState, as_of: dt.date, *, roster: Roster | None = None, found_on: dt.date | None = None
) -> CaseDeadline | None:
    """The running deadline of ``case`` as of ``as_of``; None once the case is decided.

    ``found_on``: the day the risk the case is about was found, which the whole case's
    deadline counts from (the day the case opened when not given, or later).
    """
    step = case.current
    if step is None:
        return None
    whole = case.case_due(found_on)
    due = step.due(case.arrived_on, case.procedure.calendar)
    late = (as_of - due).days
    escalated = late > 0 and step.escalate_to is not None
    level = step.escalate_to if escalated and step.escalate_to is not None else step.level
    person = None if escalated else case.person(step.name)
    if person is None and roster is not None:
        person = roster(case.household_id, level)
    return CaseDeadline(
        case_id=case.case_id,
        household_id=case.household_id,
        procedure=case.procedure.name,
        step=step.name,
        level=step.level,
        person=person or "",
        arrived_on=case.arrived_on,
        due_on=due,
        state=DeadlineState.OVERDUE if late > 0 else DeadlineState.DUE,
        days_late=max(late, 0),
        days_left=max(-late, 0),
        notice=step.notice,
        escalated_to=step.escalate_to if escalated else None,
        escalated_on=due + dt.timedelta(days=1) if escalated else None,
        case_due_on=whole,
        case_days_late=max((as_of - whole).days, 0) if whole is not None else 0,
    )


def cases_due(
    procedures: Iterable[Procedure] | Mapping[str, Procedure],
    facts: Iterable[Fact],
    as_of: dt.date,
    *,
    roster: Roster | None = None,
    overdue_only: bool = False,
    found: Mapping[tuple[str, str], dt.date] | None = None,
) -> tuple[CaseDeadline, ...]:
    """The open cases in ``facts`` (of any households) as of ``as_of``: due and overdue, with who answers.

    Facts dated after ``as_of`` are ignored; other facts than case facts too, so a store's
    whole feed may be passed. Each case is replayed with the procedure its CaseOpened names
    (``policy.procedures``). ``found`` gives the day each risk was found, by household id and
    risk key (``{(r.household_id, r.key): r.date for r in result.risks}``): a case about one
    counts its whole deadline from it. ``overdue_only`` keeps the cases whose step or whole
    deadline has passed. Sorted by due date, then household and case id, so the same facts in
    any order give the same listing. Raises the errors of
    :func:`~relapse_guard.cases.case.replay_cases`.
    """
    listed = []
    for case in replay_cases(procedures, facts, as_of=as_of):
        risk = case.risk_key
        found_on = found.get((case.household_id, risk)) if found is not None and risk is not None else None
        deadline = case_deadline(case, as_of, roster=roster, found_on=found_on)
        if deadline is not None and (not overdue_only or deadline.late):
            listed.append(deadline)
    return tuple(sorted(listed, key=lambda d: (d.due_on, d.household_id, d.case_id)))
