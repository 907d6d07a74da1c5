"""A stateful property test: random fact sequences driven through the engine.

After every step the whole history is replayed and the lifecycle's invariants checked:
the state is a lifecycle state; ``stable`` only after a transition period ended with no
relapse in it; ``monitored`` households carry the period's end; the history is append-only
and a consistent path through the lifecycle table; replaying reproduces the state.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from relapse_guard import Engine, Fact, HouseholdResult, State
from relapse_guard.decisions import DecisionKind
from relapse_guard.errors import InvalidTransition
from relapse_guard.facts import BasicNeed
from relapse_guard.lifecycle import TABLE

from .conftest import basic_policy, make_household
from .factories import assist, exit_verified, house, income, needs

ENGINE = Engine(basic_policy())
HOUSEHOLD = make_household()
_NO_EXIT_STATES = {State.NEW, State.IDENTIFIED, State.RELAPSED}


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.facts: list[Fact] = []
        self.today = dt.date(2015, 1, 1)
        self.result: HouseholdResult = ENGINE.run(HOUSEHOLD, [], as_of=self.today)
        self.previous: HouseholdResult = self.result

    def _add(self, fact: Fact) -> None:
        self.facts.append(fact)
        self._rerun()

    def _rerun(self) -> None:
        self.previous = self.result
        self.result = ENGINE.run(HOUSEHOLD, self.facts, as_of=self.today)

    def _tick(self, days: int) -> dt.date:
        # strictly later dates keep the history append-only, as a live feed would
        self.today += dt.timedelta(days=days)
        return self.today

    @rule(days=st.integers(1, 400), amount=st.integers(0, 9000))
    def assess_income(self, days: int, amount: int) -> None:
        self._add(income(self._tick(days), amount))

    @rule(days=st.integers(1, 400))
    def grant_assistance(self, days: int) -> None:
        self._add(assist(self._tick(days)))

    @rule(days=st.integers(1, 400), unmet=st.frozensets(st.sampled_from(BasicNeed), max_size=2))
    def check_needs(self, days: int, unmet: frozenset[BasicNeed]) -> None:
        self._add(needs(self._tick(days), *unmet))

    @rule(days=st.integers(1, 400), grade=st.sampled_from("AAABBCD"))
    def appraise_house(self, days: int, grade: str) -> None:
        self._add(house(self._tick(days), grade))

    @rule(days=st.integers(1, 400))
    def verify_exit(self, days: int) -> None:
        fact = exit_verified(self._tick(days))
        state_before = ENGINE.run(HOUSEHOLD, self.facts, as_of=self.today).state
        if state_before in _NO_EXIT_STATES:
            with pytest.raises(InvalidTransition) as info:
                ENGINE.run(HOUSEHOLD, [*self.facts, fact], as_of=self.today)
            assert info.value.state == state_before.value
            assert info.value.event == "exit"
            self._rerun()  # the rejected fact is not kept
        else:
            self._add(fact)

    @precondition(lambda self: self.result.state is State.ASSISTED)
    @rule(days=st.integers(1, 400), amount=st.integers(3600, 9000))
    def recover_and_verify_exit(self, days: int, amount: int) -> None:
        # a household that recovers: income above the line, needs secured, exit verified
        on = self._tick(days)
        self.facts.extend([income(on, amount), needs(on), house(on, "A"), exit_verified(on)])
        self._rerun()
        assert self.result.state in (State.EXITED, State.MONITORED)

    @precondition(lambda self: self.result.state in (State.EXITED, State.MONITORED))
    @rule(days=st.integers(1, 2000))
    def let_time_pass(self, days: int) -> None:
        self._tick(days)
        self._rerun()

    @invariant()
    def state_is_a_lifecycle_state(self) -> None:
        event(f"reached {self.result.state.value}")
        assert self.result.state in State
        assert self.result.state is not State.NEW or not self.result.transitions

    @invariant()
    def history_is_append_only(self) -> None:
        old, new = self.previous.decisions, self.result.decisions
        assert new[: len(old)] == old
        assert [d.sequence for d in new] == list(range(len(new)))

    @invariant()
    def history_is_a_path_through_the_table(self) -> None:
        state = State.NEW
        for decision in self.result.transitions:
            assert decision.from_state is state
            assert decision.to_state is not None
            assert any(source is state and dest is decision.to_state for (source, _), (dest, _) in TABLE.items()), (
                f"{state} -> {decision.to_state} is not in the lifecycle"
            )
            state = decision.to_state
        assert state is self.result.state
        dates = [d.date for d in self.result.decisions]
        assert dates == sorted(dates)

    @invariant()
    def monitored_carries_the_period_end(self) -> None:
        result = self.result
        if result.state is State.MONITORED:
            assert result.monitoring_starts_on is not None
            assert result.monitoring_ends_on is not None
            assert result.monitoring_starts_on <= self.today < result.monitoring_ends_on
        if result.state is State.EXITED:
            assert result.monitoring_starts_on is not None
            assert self.today < result.monitoring_starts_on
        if result.state not in (State.EXITED, State.MONITORED):
            assert result.monitoring_ends_on is None

    @invariant()
    def stable_only_after_a_period_without_relapse(self) -> None:
        transitions = self.result.transitions
        for index, decision in enumerate(transitions):
            if decision.to_state is State.STABLE:
                start = transitions[index - 1]
                assert start.to_state is State.MONITORED
                exit_ = transitions[index - 2]
                assert exit_.to_state is State.EXITED
                assert decision.date > exit_.date
                assert decision.date <= self.today

    @invariant()
    def replay_reproduces_the_result(self) -> None:
        shuffled = self.facts[:]
        random.Random(len(shuffled)).shuffle(shuffled)
        assert ENGINE.run(HOUSEHOLD, shuffled, as_of=self.today) == self.result

    @invariant()
    def refusals_leave_state_unchanged(self) -> None:
        for decision in self.result.decisions:
            if decision.kind is DecisionKind.TRANSITION_REFUSED:
                assert decision.to_state is None


LifecycleMachine.TestCase.settings = settings(stateful_step_count=40, max_examples=max(100, settings().max_examples))
TestLifecycle = LifecycleMachine.TestCase
