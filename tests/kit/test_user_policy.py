"""The developer's policy in examples/user_policy.py, run through the harness in the suite."""

from __future__ import annotations

import runpy
from pathlib import Path

from hypothesis.stateful import run_state_machine_as_test

from relapse_guard.checks import check_policy
from relapse_guard.testing import PolicyStateMachine

from .helpers import quick_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user_policy.py"
MODULE = runpy.run_path(str(EXAMPLE), run_name="user_policy")  # not "__main__": no demo, no output


def test_the_user_policy_passes_the_static_checks() -> None:
    assert check_policy(MODULE["policy"]) == ()


def test_the_user_policy_keeps_every_invariant_and_its_own() -> None:
    machine = MODULE["MyDistrictMachine"]
    assert issubclass(machine, PolicyStateMachine)
    assert {"care_allowance_goes_to_members_in_care_need", "care_allowance_at_most_once_a_year_per_member"} <= set(
        vars(machine)
    )
    run_state_machine_as_test(machine, settings=quick_settings())
