"""Shared settings and builders for the policy-kit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from hypothesis import Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from relapse_guard import AssistanceGranted, ExitVerified, Fact, Household, IncomeAssessed, Member, Place, Policy
from relapse_guard.household import LabourCapacity
from relapse_guard.testing import PolicyStateMachine, harness_settings
from relapse_guard.whatif import Comparison
from relapse_guard.whatif.reads import ParameterWatch
from relapse_guard.whatif.shared import Shared

D = dt.date


def quick_settings(**changes: Any) -> settings:
    """The harness's settings with 30 runs of 25 steps, whatever the profile: a run is a whole
    household history checked after each step (a third of a second), and each shipped policy is run
    so (the runs differ from one test session to the next)."""
    return harness_settings(**{"max_examples": 30, "stateful_step_count": 25, **changes})


def machine_for(policy: Policy, **attributes: Any) -> type[PolicyStateMachine]:
    """A harness subclass for ``policy``, as a user would write it."""
    return type(f"{policy.name}_machine", (PolicyStateMachine,), {"policy": policy, **attributes})


def find_failure(machine: type[RuleBasedStateMachine]) -> list[BaseException]:
    """Run ``machine`` until it fails, deterministically; the errors it found (fail if none).

    Hypothesis raises one error, or a group of them: distinct failures, or a failure it could
    not replay (an impure policy) together with why.
    """
    quick = quick_settings(
        max_examples=300, stateful_step_count=12, derandomize=True, database=None, phases=[Phase.generate, Phase.shrink]
    )
    try:
        run_state_machine_as_test(machine, settings=quick)
    except Exception as error:  # the test asserts on what was found
        return _flat(error)
    raise AssertionError(f"the harness found nothing wrong with {machine.__name__}")


def _flat(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _flat(inner)]
    return [error]


def household(hid: str = "H1", size: int = 3, *, can_work: bool = True) -> Household:
    capacity = LabourCapacity.FULL if can_work else LabourCapacity.NONE
    return Household(
        id=hid,
        place=Place("Yubei", "Luqi", "Wuyi"),
        members=[Member(id=f"{hid}-{n}", birth_date=D(1970 + n, 1, 1), labour_capacity=capacity) for n in range(size)],
    )


def exited_in_2015(hid: str, income_after: int = 4000) -> list[Fact]:
    """Identified in January 2015, assisted, exited in November 2015 (monitored from 2016)."""
    return [
        IncomeAssessed(id=f"{hid}-i1", household_id=hid, date=D(2015, 1, 5), income_per_capita=Decimal(2000)),
        AssistanceGranted(id=f"{hid}-a1", household_id=hid, date=D(2015, 2, 1), measure="pig farming"),
        IncomeAssessed(id=f"{hid}-i2", household_id=hid, date=D(2015, 11, 1), income_per_capita=Decimal(income_after)),
        ExitVerified(id=f"{hid}-e1", household_id=hid, date=D(2015, 11, 15)),
    ]


@contextmanager
def unwatched() -> Iterator[None]:
    """The scalar what-if without the watch of :mod:`relapse_guard.whatif.reads`, as when it
    gives up (the second policy's runs spared too seldom): the runs shared instead."""
    with mock.patch.object(ParameterWatch, "of", return_value=None):
        yield


@contextmanager
def unshared() -> Iterator[None]:
    """Every household run from the start under both policies, and their decisions compared
    from the first: no watch, nothing shared."""
    with (
        unwatched(),
        mock.patch.object(Shared, "of", return_value=None),
        mock.patch("relapse_guard.whatif.run.decisions_part", return_value=None),
    ):
        yield


def assert_same(got: Comparison, full: Comparison) -> None:
    """``got`` is the comparison ``full`` is, in everything it reports."""
    assert got == full
    assert got.households == full.households  # first differences included
    assert got.totals == full.totals
    assert got.by_district() == full.by_district()
    assert got.render() == full.render()
