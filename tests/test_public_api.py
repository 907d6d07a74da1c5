"""The top-level package: exactly the documented names, each the submodule's own, and a cheap import."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import relapse_guard

#: What ``from relapse_guard import ...`` offers (docs/index.md, "Where things live").
DOCUMENTED = {
    "Engine",
    "Policy",
    "PolicyMap",
    "load_policy",
    "policy_names",
    "Household",
    "Member",
    "Place",
    "HouseholdResult",
    "State",
    "Fact",
    "IncomeAssessed",
    "IllnessReported",
    "DisasterReported",
    "JobLost",
    "MainEarnerLost",
    "SchoolEnrolled",
    "HouseAppraised",
    "ExitVerified",
    "AssistanceGranted",
    "RelapseGuardError",
    "__version__",
}

#: Subpackages and optional dependencies a bare ``import relapse_guard`` must leave unloaded.
HEAVY = (
    "relapse_guard.cases",
    "relapse_guard.checks",
    "relapse_guard.whatif",
    "relapse_guard.population",
    "relapse_guard.store",
    "relapse_guard.screening",
    "relapse_guard.reporting",
    "relapse_guard.testing",
    "relapse_guard.cli",
    "pyarrow",
    "matplotlib",
    "dask",
)


def test_all_is_exactly_the_documented_list() -> None:
    assert sorted(relapse_guard.__all__) == sorted(DOCUMENTED)
    assert len(relapse_guard.__all__) == len(set(relapse_guard.__all__))


def test_every_exported_name_is_its_submodule_s_own() -> None:
    for name in relapse_guard.__all__:
        if name == "__version__":
            continue
        value = getattr(relapse_guard, name)
        home = importlib.import_module(value.__module__)
        assert getattr(home, name) is value, name
        assert name in home.__all__, name


def test_dir_lists_the_exported_names() -> None:
    assert set(relapse_guard.__all__) <= set(dir(relapse_guard))


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(relapse_guard, "Decision")  # lives in relapse_guard.decisions


def _heavy_loaded_by(program: str) -> list[str]:
    """The modules of :data:`HEAVY` (or in them) that ``program`` loads, run in a fresh interpreter."""
    script = (
        f"{program}\n"
        "import json, sys, relapse_guard\n"
        "print(json.dumps({'file': relapse_guard.__file__, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    loaded = json.loads(done.stdout)
    assert loaded["file"] == relapse_guard.__file__  # the same package as these tests import
    return [m for m in loaded["modules"] if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY))]


def test_import_loads_no_heavy_subpackage() -> None:
    assert _heavy_loaded_by("import relapse_guard") == []


def test_running_the_engine_loads_only_the_case_procedures_a_policy_holds() -> None:
    program = (
        "import datetime as dt\n"
        "from relapse_guard import Engine, Household, Member, Place, load_policy\n"
        "home = Household(id='H1', place=Place('Yubei'), members=[Member(id='H1-1', birth_date=dt.date(1975, 3, 2))])\n"
        "Engine(load_policy('yubei_2016')).run(home, [], as_of=dt.date(2016, 12, 31))\n"
    )
    assert {m.split(".")[1] for m in _heavy_loaded_by(program)} == {"cases"}
