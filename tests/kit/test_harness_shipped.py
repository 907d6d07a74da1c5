"""The shipped policies under the policy harness: every invariant, on random histories."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidDefinition
from hypothesis.stateful import run_state_machine_as_test

from relapse_guard import State, load_policy
from relapse_guard.testing import PolicyStateMachine

from .helpers import machine_for, quick_settings


@pytest.mark.parametrize("name", ["chongqing_2016", "yubei_2016", "dazu_2016"])
def test_shipped_policy_keeps_every_invariant(name: str) -> None:
    run_state_machine_as_test(machine_for(load_policy(name)), settings=quick_settings())


def test_bishan_keeps_every_invariant_from_2016() -> None:
    machine = machine_for(load_policy("bishan_2016"), start=dt.date(2016, 1, 1))
    run_state_machine_as_test(machine, settings=quick_settings())


def test_bishan_keeps_every_invariant_from_2015_too() -> None:
    # Relative poverty reads parameters that start in 2016; before then the rule is not in
    # force (it does not hold) rather than failing the run.
    run_state_machine_as_test(machine_for(load_policy("bishan_2016")), settings=quick_settings())


def test_the_harness_reaches_every_lifecycle_state() -> None:
    reached: set[State] = set()

    class Recording(PolicyStateMachine):
        policy = load_policy("yubei_2016")

        def teardown(self) -> None:
            reached.update(self.result.states)

    run_state_machine_as_test(Recording, settings=quick_settings(max_examples=60, derandomize=True, database=None))
    assert reached == set(State)


def test_a_machine_without_a_policy_says_how_to_set_one() -> None:
    class NoPolicy(PolicyStateMachine):
        pass

    quick = settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck))
    with pytest.raises(InvalidDefinition, match=r"class NoPolicy\(PolicyStateMachine\):\n\s+policy = load_policy"):
        run_state_machine_as_test(NoPolicy, settings=quick)


def test_a_fixed_household_is_followed_in_every_run() -> None:
    from .helpers import household

    chosen = household("FIXED", size=2)
    seen: set[str] = set()

    class Fixed(PolicyStateMachine):
        policy = load_policy("chongqing_2016")
        household = chosen

        def teardown(self) -> None:
            seen.add(self.result.household_id)

    run_state_machine_as_test(Fixed, settings=quick_settings(max_examples=5, database=None))
    assert seen == {"FIXED"}
