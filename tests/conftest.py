"""Shared fixtures: a minimal policy and households for the core's tests."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from relapse_guard import Household, Member, Place, Policy
from relapse_guard.household import LabourCapacity
from relapse_guard.parameters import ParameterTree

#: ``pytester``, for the tests of the pytest plug-in (tests/tables/test_pytest_plugin.py).
pytest_plugins = ["pytester"]

# The tests read English output: a developer's Chinese locale (or RELAPSE_GUARD_LANG) must not change
# it; the commands they run inherit this, and the tests of other languages say so.
os.environ["RELAPSE_GUARD_LANG"] = "en"

settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

BASIC_PARAMETERS = """
[poverty_line]
values = { 2015-01-01 = 2760, 2016-01-01 = 3600 }
[safety_net.standard]
values = { 2015-01-01 = 230, 2016-01-01 = 300 }
[transition]
years = { values = { 2015-01-01 = 3 } }
starts = { values = { 2015-01-01 = "next_year" } }
leap_day = { values = { 2015-01-01 = "feb28" } }
"""


def basic_policy(**changes: Any) -> Policy:
    """A policy with only the lifecycle: no triggers, no routes."""
    return Policy(name="basic", parameters=ParameterTree.from_toml(BASIC_PARAMETERS), **changes)


@pytest.fixture
def policy() -> Policy:
    return basic_policy()


def make_household(hid: str = "h1", size: int = 2, *, can_work: bool = True) -> Household:
    capacity = LabourCapacity.FULL if can_work else LabourCapacity.NONE
    return Household(
        id=hid,
        place=Place("Yubei", "Town", "Village"),
        members=tuple(
            Member(id=f"{hid}-m{i}", birth_date=dt.date(1970 + i, 1, 1), labour_capacity=capacity) for i in range(size)
        ),
    )


@pytest.fixture
def household() -> Household:
    return make_household()


def pytest_configure(config: pytest.Config) -> None:
    """The case-file plug-in, so that the case files here run as tests also where relapse_guard's
    installed metadata predates its ``pytest11`` entry point (an editable install made before it)."""
    from relapse_guard import pytest_plugin

    if not config.pluginmanager.is_registered(pytest_plugin):
        config.pluginmanager.register(pytest_plugin, "relapse_guard")
