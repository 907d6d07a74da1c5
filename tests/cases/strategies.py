"""Strategies and independent oracles for the case tests.

The oracles here re-derive, from the procedure's definition and the docs' words, what the
library computes — deadlines by counting days one by one, the next state of a record — so the
property tests compare two implementations rather than one with itself.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from relapse_guard.cases import APPROVED, REJECTED, Outcome, Procedure, Step, WorkingCalendar
from relapse_guard.facts import CaseOpened, CaseStepRecorded

D = dt.date
START = D(2016, 1, 1)

days_2016 = st.dates(min_value=D(2016, 1, 1), max_value=D(2016, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    holidays = draw(st.frozensets(days_2016, max_size=12))
    workdays = draw(st.frozensets(days_2016.filter(lambda d: d.weekday() >= 5), max_size=4)) - holidays
    return WorkingCalendar(holidays=holidays, workdays=workdays)


@st.composite
def procedures(draw: st.DrawFn) -> Procedure:
    """A random valid procedure: 1 to 6 steps, random outcomes, notices, send-back targets, appeals."""
    count = draw(st.integers(1, 6))
    steps: list[Step] = []
    for index in range(count):
        outcomes = {Outcome.APPROVE}
        if draw(st.booleans()):
            outcomes.add(Outcome.REJECT)
        if index > 0 and draw(st.booleans()):
            outcomes.add(Outcome.SEND_BACK)
        send_back_to = None
        if Outcome.SEND_BACK in outcomes and draw(st.booleans()):
            send_back_to = f"s{draw(st.integers(0, index - 1))}"
        steps.append(
            Step(
                name=f"s{index}",
                level=f"level{index}",
                deadline_days=draw(st.integers(0, 6)),
                working_days=draw(st.booleans()),
                outcomes=outcomes,
                notice=index > 0 and draw(st.integers(0, 2)) == 0,
                escalate_to=draw(st.sampled_from([None, "above"])),
                send_back_to=send_back_to,
            )
        )
    rejecting = [i for i, step in enumerate(steps) if Outcome.REJECT in step.outcomes]
    max_appeals = draw(st.integers(0, 2))
    appeal_to = f"s{draw(st.integers(0, rejecting[0]))}" if rejecting and max_appeals else None
    return Procedure(
        name="random",
        steps=steps,
        appeal_to=appeal_to,
        max_appeals=max_appeals if appeal_to else 0,
        calendar=draw(calendars()),
    )


def naive_due(procedure: Procedure, step: Step, arrived: dt.date) -> dt.date:
    """The deadline counted day by day, as docs/procedures.md words it."""
    if not step.working_days:
        return arrived + dt.timedelta(days=step.deadline_days)
    day, counted = arrived, 0
    cal = procedure.calendar
    while counted < step.deadline_days:
        day += dt.timedelta(days=1)
        working = day not in cal.holidays and (day.weekday() < 5 or day in cal.workdays)
        counted += working
    return day


def opened(procedure: Procedure, on: dt.date, *, case_id: str = "c1", hid: str = "h1") -> CaseOpened:
    return CaseOpened(id=f"{case_id}:opened", household_id=hid, date=on, case_id=case_id, procedure=procedure.name)


def step_fact(
    number: int,
    on: dt.date,
    step: str,
    outcome: str,
    *,
    case_id: str = "c1",
    hid: str = "h1",
    actor: str = "someone",
    level: str = "",
    reason: str = "because",
) -> CaseStepRecorded:
    return CaseStepRecorded(
        id=f"{case_id}:{number:04d}",
        household_id=hid,
        date=on,
        case_id=case_id,
        step=step,
        outcome=outcome,
        actor=actor,
        level=level,
        reason=reason,
    )


class Model:
    """An independent model of a case: where it is, since when, appeals used, where it was rejected."""

    def __init__(self, procedure: Procedure, on: dt.date) -> None:
        self.procedure = procedure
        self.state = procedure.first.name
        self.arrived = on
        self.last = on
        self.appeals = 0
        self.rejected_at: str | None = None

    def due(self) -> dt.date:
        return naive_due(self.procedure, self.procedure.step(self.state), self.arrived)

    def expect(self, fact: CaseStepRecorded) -> str | None:
        """The state after ``fact`` if the procedure allows it, else None."""
        p, o = self.procedure, Outcome(fact.outcome)
        names = p.step_names
        if fact.date < self.last or self.state == APPROVED:
            return None
        if o in (Outcome.REJECT, Outcome.SEND_BACK, Outcome.OBJECT, Outcome.APPEAL) and not fact.reason:
            return None
        if self.state == REJECTED:
            ok = o is Outcome.APPEAL and fact.step == self.rejected_at and self.appeals < p.max_appeals
            return p.appeal_to if ok and p.appeal_to else None
        if o is Outcome.APPEAL or fact.step != self.state:
            return None
        step = p.step(self.state)
        due = self.due()
        if fact.level and o is not Outcome.OBJECT:
            allowed = {step.level} | ({step.escalate_to} if step.escalate_to and fact.date > due else set())
            if fact.level not in allowed:
                return None
        index = names.index(step.name)
        if o is Outcome.ASSIGN:
            return self.state if fact.actor else None
        if o is Outcome.APPROVE:
            if step.notice and fact.date < due:
                return None
            return names[index + 1] if index + 1 < len(names) else APPROVED
        if o is Outcome.REJECT:
            return REJECTED if Outcome.REJECT in step.outcomes else None
        if o is Outcome.SEND_BACK:
            if Outcome.SEND_BACK not in step.outcomes:
                return None
            return step.send_back_to or names[index - 1]
        # object
        return names[0] if step.notice and fact.date <= due else None

    def apply(self, fact: CaseStepRecorded, dest: str) -> None:
        self.last = fact.date
        if Outcome(fact.outcome) is Outcome.ASSIGN:
            return
        if dest == REJECTED:
            self.rejected_at = self.state
        if Outcome(fact.outcome) is Outcome.APPEAL:
            self.appeals += 1
        self.state, self.arrived = dest, fact.date
