"""Stateful property test: random step sequences on random procedures and the national one.

Each rule records an outcome (often the right step, sometimes another; any outcome; with or
without a reason or a level) and checks the library against an independent model: it accepts
exactly what the model accepts, moves where the model moves, and refuses the rest with
:class:`InvalidCaseStep` naming the case, the step, the state and the outcome. The invariants
are the issue's properties: no step skipped; no decision without every required step;
deadlines computed the same in any order of input; an objection always returns to
verification.
"""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from relapse_guard.cases import (
    APPROVED,
    IDENTIFICATION,
    REJECTED,
    DeadlineState,
    Outcome,
    Procedure,
    case_deadline,
    cases_due,
    replay_case,
)
from relapse_guard.errors import InvalidCaseStep
from relapse_guard.facts import Fact

from .strategies import Model, opened, procedures, step_fact

_OUTCOMES = [o.value for o in Outcome]


class CaseMachine(RuleBasedStateMachine):
    procedure: Procedure
    model: Model

    @initialize(
        procedure=st.one_of(st.just(IDENTIFICATION), procedures()),
        start=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2016, 11, 30)),
    )
    def open_case(self, procedure: Procedure, start: dt.date) -> None:
        self.procedure = procedure
        self.today = start
        self.number = 0
        self.facts: list[Fact] = [opened(procedure, start)]
        self.case = replay_case(procedure, self.facts)
        self.model = Model(procedure, start)

    def _try(self, step: str, outcome: str, *, level: str, reason: str, actor: str = "someone") -> None:
        self.number += 1
        fact = step_fact(self.number, self.today, step, outcome, level=level, reason=reason, actor=actor)
        expected = self.model.expect(fact)
        refusal: InvalidCaseStep | None = None
        try:
            case = replay_case(self.procedure, [*self.facts, fact])
        except InvalidCaseStep as error:
            refusal = error
        if refusal is not None:
            assert expected is None, f"refused a record the model allows: {refusal}"
            assert (refusal.case_id, refusal.step, refusal.outcome, refusal.fact_id) == ("c1", step, outcome, fact.id)
            assert refusal.state == self.case.state
            event(f"refused {outcome}")
            return
        assert expected is not None, f"accepted {fact} in state {self.model.state}"
        assert case.state == expected
        event(f"accepted {outcome}")
        self.model.apply(fact, expected)
        self.facts.append(fact)
        self.case = case

    @rule(
        days=st.integers(0, 7),
        outcome=st.sampled_from(_OUTCOMES),
        elsewhere=st.integers(0, 9),
        offset=st.integers(1, 5),
        level=st.sampled_from(["", "", "own", "escalated", "other"]),
        reason=st.sampled_from(["because", "because", ""]),
    )
    def record(self, days: int, outcome: str, elsewhere: int, offset: int, level: str, reason: str) -> None:
        self.today += dt.timedelta(days=days)
        names = self.procedure.step_names
        if self.case.state == REJECTED and outcome == "appeal":
            step = self.case.rejected_at or names[0]
        elif self.case.state in names:
            step = self.case.state
        else:
            step = names[-1]
        if elsewhere == 0:  # a record for some other step: skipping ahead or going back
            step = names[(names.index(step) + offset) % len(names)]
        own = self.procedure.step(step)
        level_text = {"": "", "own": own.level, "escalated": own.escalate_to or "", "other": "nobody"}[level]
        self._try(step, outcome, level=level_text, reason=reason)

    @rule(days=st.integers(0, 7), pick=st.integers(0, 20))
    def take_an_allowed_outcome(self, days: int, pick: int) -> None:
        # an outcome the case says it allows on that day: moves cases through every kind of edge
        self.today += dt.timedelta(days=days)
        allowed = self.case.allowed(self.today)
        if not allowed:
            return
        outcome = allowed[pick % len(allowed)]
        step = self.case.rejected_at if outcome is Outcome.APPEAL else self.case.state
        assert step is not None
        self._try(step, outcome.value, level="", reason="the neighbours say they own a truck")

    # --- the properties -------------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "case"):
            return
        assert self.case.state == self.model.state
        assert self.case.arrived_on == self.model.arrived
        assert self.case.appeals_used == self.model.appeals <= self.procedure.max_appeals
        if self.case.is_open:
            assert self.case.due_on == self.model.due()

    @invariant()
    def no_step_is_skipped(self) -> None:
        if not hasattr(self, "case"):
            return
        expected = self.procedure.first.name
        previous_step = expected
        for entry in self.case.history:
            if expected == REJECTED:
                assert entry.outcome is Outcome.APPEAL
                assert entry.step == previous_step
            else:
                assert entry.step == expected
            if entry.outcome is not Outcome.ASSIGN:
                previous_step, expected = entry.step, entry.to
        assert expected == self.case.state

    @invariant()
    def no_decision_without_every_step(self) -> None:
        if not hasattr(self, "case") or self.case.state != APPROVED:
            return
        history = [e for e in self.case.history if e.outcome is not Outcome.ASSIGN]
        names = self.procedure.step_names
        position = len(history)
        for index in range(len(names) - 1, -1, -1):
            approvals = [
                j for j in range(position) if history[j].step == names[index] and history[j].outcome is Outcome.APPROVE
            ]
            assert approvals, f"approved without step {names[index]}"
            position = approvals[-1]
            for later in history[position + 1 :]:
                assert later.to not in names or names.index(later.to) > index, "a step was undone after it passed"
        event("decided approved")

    @invariant()
    def an_objection_returns_to_verification(self) -> None:
        if not hasattr(self, "case"):
            return
        for entry in self.case.objections:
            assert entry.to == self.procedure.first.name
            assert self.procedure.step(entry.step).notice

    @invariant()
    def any_order_gives_the_same_case_and_deadlines(self) -> None:
        if not hasattr(self, "case"):
            return
        shuffled = [*self.facts, *self.facts[:2]]  # exact duplicates are dropped
        random.Random(len(shuffled)).shuffle(shuffled)
        assert replay_case(self.procedure, shuffled) == self.case
        listing = cases_due([self.procedure], shuffled, self.today)
        assert listing == cases_due({self.procedure.name: self.procedure}, self.facts, self.today)
        deadline = case_deadline(self.case, self.today)
        assert listing == (() if deadline is None else (deadline,))
        if deadline is not None:
            step = self.procedure.step(deadline.step)
            late = (self.today - self.model.due()).days
            assert deadline.state is (DeadlineState.OVERDUE if late > 0 else DeadlineState.DUE)
            assert deadline.days_late == max(late, 0)
            assert deadline.escalated_to == (step.escalate_to if late > 0 else None)

    @invariant()
    def decisions_are_facts_for_the_engine(self) -> None:
        if not hasattr(self, "case"):
            return
        decisions = self.case.decision_facts()
        assert len({fact.id for fact in decisions}) == len(decisions)
        assert [fact.outcome for fact in decisions] == [e.to for e in self.case.decisions]
        assert (self.case.decision_fact() is None) == self.case.is_open


CaseMachine.TestCase.settings = settings(stateful_step_count=30, max_examples=max(60, settings().max_examples))
TestCases = CaseMachine.TestCase
