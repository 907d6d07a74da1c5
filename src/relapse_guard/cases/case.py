"""Cases: one run of a procedure for a household, replayed from its facts.

A case is its facts: a :class:`~relapse_guard.facts.CaseOpened`, then one
:class:`~relapse_guard.facts.CaseStepRecorded` per thing done (who, at which level, when,
with which outcome and why). :func:`~relapse_guard.cases.replay.replay_case` orders them as the engine orders a
household's facts (date, kind, id — so any input order gives the same case), drops exact
duplicates, and folds them through the procedure's compiled table into a :class:`CaseState`.
A record the procedure does not allow raises :class:`~relapse_guard.errors.InvalidCaseStep`
naming the case, the record, its step, the case's state and the outcome.

Rules the replay enforces (see :mod:`relapse_guard.cases.procedure` for the outcomes):

- a record names the case's current step: no step is skipped, none done twice in a row;
- a public notice closes only once its window has run; an objection is taken only within
  the window, and returns the case to the first step (verification);
- a rejection, a send-back, an objection and an appeal state their reason; an assignment
  names its person;
- the level recorded, when given, is the step's — or, once the step is overdue, the level it
  escalates to;
- a decided-approved case takes no more records; a rejected one only an appeal, at most
  ``max_appeals`` times.

When the case is decided, :meth:`CaseState.decision_fact` gives the
:class:`~relapse_guard.facts.CaseDecided` fact the household engine applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from ..errors import InvalidCaseStep, WrongType
from ..facts import CaseDecided, CaseOpened, CaseStepRecorded, Source
from .machine import APPEALS_LEFT, NOTICE_ENDED, TRIGGERS, WITHIN_NOTICE, table
from .procedure import APPROVED, DECIDED, REJECTED, Outcome, Procedure, Step

__all__ = ["NOT_OPENED", "CaseEntry", "CaseState"]

#: Outcomes that must say why.
_NEED_REASON = (Outcome.REJECT, Outcome.SEND_BACK, Outcome.OBJECT, Outcome.APPEAL)
#: Outcomes recorded by someone other than the step's level (neighbours, the household).
_ANY_LEVEL = (Outcome.OBJECT, Outcome.APPEAL)
#: The state an error names for records of a case with no (or a late) CaseOpened.
NOT_OPENED = "not opened"
#: The local ``refuse`` helpers: the reason -> the error to raise.
_Refuse = Callable[[str], InvalidCaseStep]


@attrs.frozen(kw_only=True)
class CaseEntry:
    """One record of a case as replayed: what was done, by whom, when, why, and where it led.

    ``to`` is the case's state after the record: a step name, ``approved`` or ``rejected``
    (for an ``assign``, the same step).
    """

    fact_id: str
    date: dt.date
    step: str
    outcome: Outcome
    actor: str
    level: str
    reason: str
    to: str
    source: Source = Source.VISIT

    def explain(self) -> str:
        """One line: date, step, outcome, who and why, and where the case went."""
        who = f" by {self.actor}" if self.actor else ""
        who += f" ({self.level})" if self.level else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.date.isoformat()} {self.step} {self.outcome.value}{who}{why} -> {self.to}"


@attrs.frozen(kw_only=True)
class CaseState:
    """Where a case stands after its records: its state, history, appeals and decisions.

    ``state`` is the current step's name while the case is open, else ``approved`` or
    ``rejected``; ``arrived_on`` is the day the case entered it (the deadline counts from it).
    Build one with :func:`replay_case` or :meth:`opened`, move it with :meth:`advance`.
    """

    procedure: Procedure = attrs.field(repr=False)
    case_id: str
    household_id: str
    opened_on: dt.date
    opened_by: str
    reason: str = ""
    risk_key: str | None = None
    state: str
    arrived_on: dt.date
    history: tuple[CaseEntry, ...] = ()
    appeals_used: int = 0
    rejected_at: str | None = None

    @classmethod
    def opened(cls, procedure: Procedure, fact: CaseOpened) -> CaseState:
        """A case just opened by ``fact``, at the procedure's first step."""
        if fact.procedure != procedure.name:
            raise InvalidCaseStep(
                fact.case_id,
                fact.household_id,
                step=None,
                state=NOT_OPENED,
                outcome="open",
                reason=f"the case is of procedure {fact.procedure!r}, replayed with {procedure.name!r}",
                fact_id=fact.id,
            )
        return cls(
            procedure=procedure,
            case_id=fact.case_id,
            household_id=fact.household_id,
            opened_on=fact.date,
            opened_by=fact.id,
            reason=fact.reason,
            risk_key=fact.risk_key,
            state=procedure.first.name,
            arrived_on=fact.date,
        )

    # --- where the case stands ----------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True until the case is decided (an appeal reopens it)."""
        return self.state not in DECIDED

    @property
    def current(self) -> Step | None:
        """The step the case is at, or None once decided."""
        return self.procedure.step(self.state) if self.is_open else None

    @property
    def due_on(self) -> dt.date | None:
        """The current step's deadline (the notice window's end for a notice), or None once decided."""
        step = self.current
        return None if step is None else step.due(self.arrived_on, self.procedure.calendar)

    def case_due(self, found_on: dt.date | None = None) -> dt.date | None:
        """The whole case's deadline (the procedure's ``case_deadline_days``), counted from
        ``found_on``, the day the risk was found, when the case opened after it, else from the
        day it opened. None when the procedure sets none, once the case is decided, and after
        an appeal (whose steps keep their own deadlines)."""
        if not self.is_open or self.appeals_used:
            return None
        return self.procedure.case_due(found_on or self.opened_on, self.opened_on)

    @property
    def outcome(self) -> str | None:
        """``approved`` or ``rejected`` once decided, else None."""
        return None if self.is_open else self.state

    @property
    def decided_on(self) -> dt.date | None:
        """The date of the decision the case stands at, or None while open."""
        return None if self.is_open else self.arrived_on

    @property
    def last_date(self) -> dt.date:
        """The date of the case's latest record (or its opening)."""
        return self.history[-1].date if self.history else self.opened_on

    @property
    def objections(self) -> tuple[CaseEntry, ...]:
        """The objections raised during public notices, in order."""
        return tuple(entry for entry in self.history if entry.outcome is Outcome.OBJECT)

    @property
    def appeals(self) -> tuple[CaseEntry, ...]:
        """The appeals made, in order."""
        return tuple(entry for entry in self.history if entry.outcome is Outcome.APPEAL)

    @property
    def decisions(self) -> tuple[CaseEntry, ...]:
        """The records that decided the case (a rejection, then after an appeal another decision)."""
        return tuple(entry for entry in self.history if entry.to in DECIDED and entry.outcome is not Outcome.ASSIGN)

    def person(self, step: str) -> str | None:
        """The person last assigned to ``step`` (an ``assign`` record), or None."""
        for entry in reversed(self.history):
            if entry.step == step and entry.outcome is Outcome.ASSIGN:
                return entry.actor
        return None

    def allowed(self, on: dt.date | None = None) -> tuple[Outcome, ...]:
        """The outcomes a record could take now; with ``on``, those whose guard holds on that date."""
        compiled = table(self.procedure)
        found = []
        for outcome in TRIGGERS:
            edge = compiled.get((self.state, outcome))
            if edge is not None and (on is None or self._guard_fails(edge[1], on) is None):
                found.append(outcome)
        if self.is_open:
            found.append(Outcome.ASSIGN)
        return tuple(found)

    # --- moving it ----------------------------------------------------------------------

    def advance(self, fact: CaseStepRecorded) -> CaseState:
        """The case after ``fact``; :class:`~relapse_guard.errors.InvalidCaseStep` if the procedure refuses it."""
        if not isinstance(fact, CaseStepRecorded):
            raise WrongType(f"a case advances on CaseStepRecorded facts, not {type(fact).__name__}")

        def refuse(reason: str) -> InvalidCaseStep:
            return InvalidCaseStep(
                self.case_id,
                self.household_id,
                step=fact.step,
                state=self.state,
                outcome=fact.outcome,
                reason=reason,
                allowed=[o.value for o in self.allowed(fact.date)],
                fact_id=fact.id,
            )

        if fact.case_id != self.case_id or fact.household_id != self.household_id:
            raise refuse(f"the record is for case {fact.case_id!r} of household {fact.household_id!r}")
        if fact.date < self.last_date:
            raise refuse(
                f"it is dated {fact.date.isoformat()}, before the case's last record ({self.last_date.isoformat()}); "
                "records apply in date order"
            )
        try:
            outcome = Outcome(fact.outcome)
        except ValueError:
            raise refuse("no such outcome") from None
        expected = self._expected_step(outcome, refuse)
        if fact.step != expected:
            if fact.step not in self.procedure.step_names:
                raise refuse(f"procedure {self.procedure.name!r} has no step {fact.step!r}")
            if outcome is Outcome.APPEAL:
                raise refuse(f"an appeal names the step that rejected the case, {expected!r}")
            raise refuse(f"the case is at step {expected!r}: steps are done in order and none is skipped")
        if outcome in _NEED_REASON and not fact.reason.strip():
            raise refuse(f"a record with outcome {outcome.value!r} must give its reason")
        step = self.procedure.step(expected)
        if outcome not in _ANY_LEVEL and fact.level:
            self._check_level(step, fact, refuse)
        entry = CaseEntry(
            fact_id=fact.id,
            date=fact.date,
            step=fact.step,
            outcome=outcome,
            actor=fact.actor,
            level=fact.level,
            reason=fact.reason,
            to=self.state,
            source=fact.source,
        )
        if outcome is Outcome.ASSIGN:
            if not fact.actor.strip():
                raise refuse("an assignment names the person responsible (actor)")
            return attrs.evolve(self, history=(*self.history, entry))
        edge = table(self.procedure).get((self.state, outcome))
        if edge is None:
            raise refuse(f"step {self.state!r} cannot {outcome.value.replace('_', ' ')}")
        dest, guard = edge
        problem = self._guard_fails(guard, fact.date)
        if problem is not None:
            raise refuse(problem)
        return attrs.evolve(
            self,
            state=dest,
            arrived_on=fact.date,
            history=(*self.history, attrs.evolve(entry, to=dest)),
            appeals_used=self.appeals_used + (outcome is Outcome.APPEAL),
            rejected_at=self.state if dest == REJECTED else None,
        )

    def _expected_step(self, outcome: Outcome, refuse: _Refuse) -> str:
        """The step a record with ``outcome`` must name, or raise if the case takes none."""
        if self.state == APPROVED:
            raise refuse(f"the case was decided approved on {self.arrived_on.isoformat()}: nothing follows")
        if self.state == REJECTED:
            if outcome is not Outcome.APPEAL:
                raise refuse(
                    f"the case was rejected at {self.rejected_at!r} on {self.arrived_on.isoformat()}: "
                    "only an appeal reopens it"
                )
            assert self.rejected_at is not None
            return self.rejected_at
        if outcome is Outcome.APPEAL:
            raise refuse("only a rejected case can be appealed")
        return self.state

    def _check_level(self, step: Step, fact: CaseStepRecorded, refuse: _Refuse) -> None:
        due = step.due(self.arrived_on, self.procedure.calendar)
        if fact.level == step.level or (step.escalate_to == fact.level and fact.date > due):
            return
        if step.escalate_to == fact.level:
            raise refuse(
                f"level {fact.level!r} takes over step {step.name!r} only once it is overdue (due {due.isoformat()})"
            )
        escalation = f", or {step.escalate_to!r} once overdue" if step.escalate_to else ""
        raise refuse(f"step {step.name!r} is done by level {step.level!r}{escalation}, not {fact.level!r}")

    def _guard_fails(self, guard: str | None, on: dt.date) -> str | None:
        """Why ``guard`` does not hold on ``on``, or None when it holds (or there is none)."""
        if guard is None:
            return None
        if guard == APPEALS_LEFT:
            most = self.procedure.max_appeals
            if self.appeals_used >= most:
                return f"the case was appealed {self.appeals_used} time(s) already; at most {most} appeal(s) per case"
            return None
        due = self.due_on
        assert due is not None
        if guard == NOTICE_ENDED and on < due:
            return f"the public notice runs until {due.isoformat()} and cannot close before"
        if guard == WITHIN_NOTICE and on > due:
            return f"the public notice ended on {due.isoformat()}: an objection on {on.isoformat()} is too late"
        return None

    def record(
        self,
        outcome: Outcome | str,
        *,
        date: dt.date,
        actor: str = "",
        level: str | None = None,
        reason: str = "",
        fact_id: str | None = None,
        source: Source = Source.VISIT,
    ) -> CaseStepRecorded:
        """The fact recording ``outcome`` at the current step (for an appeal, the rejecting step).

        Checked now: raises :class:`~relapse_guard.errors.InvalidCaseStep` if the case would
        refuse it. ``level`` defaults to the step's (none for an objection or an appeal); the
        id defaults to ``<case id>:<number>``, numbered so that records of one day sort in the
        order they were made, as the engine orders facts.
        """
        outcome = Outcome(outcome)
        step = self.rejected_at if outcome is Outcome.APPEAL and self.rejected_at else self.state
        if level is None:
            level = self.procedure.step(step).level if step in self.procedure.step_names else ""
            level = "" if outcome in _ANY_LEVEL else level
        fact = CaseStepRecorded(
            id=fact_id or f"{self.case_id}:{len(self.history) + 1:03d}",
            household_id=self.household_id,
            date=date,
            source=source,
            case_id=self.case_id,
            step=step,
            outcome=outcome.value,
            actor=actor,
            level=level,
            reason=reason,
        )
        self.advance(fact)
        return fact

    # --- what it decided ----------------------------------------------------------------

    def decision_facts(self) -> tuple[CaseDecided, ...]:
        """Every decision the case reached, as :class:`~relapse_guard.facts.CaseDecided` facts, in order.

        Ids derive from the case id: ``<case id>:decision``, then ``<case id>:decision:2`` for
        the decision after an appeal, so recomputing them gives the same facts.
        """
        facts = []
        for number, entry in enumerate(self.decisions, start=1):
            facts.append(
                CaseDecided(
                    id=f"{self.case_id}:decision" + (f":{number}" if number > 1 else ""),
                    household_id=self.household_id,
                    date=entry.date,
                    source=entry.source,
                    case_id=self.case_id,
                    procedure=self.procedure.name,
                    outcome=entry.to,
                    risk_key=self.risk_key,
                )
            )
        return tuple(facts)

    def decision_fact(self) -> CaseDecided | None:
        """The decision the case stands at, for the household engine; None while the case is open."""
        return None if self.is_open else self.decision_facts()[-1]

    def explain(self) -> str:
        """The case as text: one line per record, then where it stands."""
        about = f" about risk {self.risk_key}" if self.risk_key else ""
        lines = [
            f"case {self.case_id} ({self.procedure.name}) of household {self.household_id}, "
            f"opened {self.opened_on.isoformat()}{about}" + (f": {self.reason}" if self.reason else "")
        ]
        lines.extend("  " + entry.explain() for entry in self.history)
        if self.is_open:
            step = self.current
            assert step is not None
            due = step.due(self.arrived_on, self.procedure.calendar)
            lines.append(f"  => at {step.name} ({step.level}) since {self.arrived_on.isoformat()}, due {due}")
        else:
            lines.append(f"  => {self.state} on {self.arrived_on.isoformat()}")
        return "\n".join(lines)
