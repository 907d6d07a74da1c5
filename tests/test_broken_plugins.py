"""Plug-ins that fail to load: listed as broken with the reason, and using one raises BrokenPlugin."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from relapse_guard import registry as registry_module
from relapse_guard.errors import BrokenPlugin, RelapseGuardError, UnknownPlugin
from relapse_guard.policies import POLICIES, load_policy
from relapse_guard.policy import Policy
from relapse_guard.registry import Registry

SOURCE = Path(__file__).resolve().parents[1] / "src"

MODULES = {
    "acme_good.py": (
        "from relapse_guard.policies import load_policy\n"
        "class DroughtTrigger:\n    name = 'acme_drought'\n"
        "def policy():\n    return load_policy('yubei_2016').derive(name='acme_2017')\n"
    ),
    "acme_broken.py": "import acme_dependency_that_is_not_installed\n",
    "acme_crashes.py": "raise RuntimeError('acme plug-ins need ACME_HOME to be set')\n",
    "acme_raises_on_call.py": "def policy():\n    return {'not': 'a policy'}['policy']\n",
    "acme_value.py": (
        "from relapse_guard.policies import load_policy\npolicy = load_policy('yubei_2016').derive(name='acme_value')\n"
    ),
}


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in MODULES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, points: list[EntryPoint]) -> None:
    def entry_points(*, group: str) -> list[EntryPoint]:
        return [point for point in points if point.group == group]

    monkeypatch.setattr(registry_module, "entry_points", entry_points)


def test_a_plugin_whose_import_raises_is_broken_and_the_others_still_work(
    plugin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = "relapse_guard.triggers"
    _fake_entry_points(
        monkeypatch,
        [
            EntryPoint("acme_drought", "acme_good:DroughtTrigger", group),
            EntryPoint("acme_flood", "acme_broken:FloodTrigger", group),
            EntryPoint("acme_frost", "acme_crashes:FrostTrigger", group),
        ],
    )
    triggers: Registry[object] = Registry("trigger", group, {"illness": "relapse_guard.triggers:IllnessTrigger"})
    assert triggers.names() == ("acme_drought", "acme_flood", "acme_frost", "illness")
    assert triggers.create("acme_drought").name == "acme_drought"  # type: ignore[attr-defined]
    with pytest.raises(BrokenPlugin) as info:
        triggers.create("acme_flood")
    error = info.value
    assert isinstance(error, LookupError)
    assert isinstance(error, RelapseGuardError)
    assert not isinstance(error, UnknownPlugin)  # the name is known: handlers of unknown names keep the reason
    assert (error.group, error.name, error.source) == ("trigger", "acme_flood", "acme_broken:FloodTrigger")
    assert error.reason == "ModuleNotFoundError: No module named 'acme_dependency_that_is_not_installed'"
    assert isinstance(error.__cause__, ModuleNotFoundError)
    assert "trigger 'acme_flood' (acme_broken:FloodTrigger) is registered but cannot be loaded" in str(error)
    with pytest.raises(BrokenPlugin, match="acme_dependency"):  # again: the same reason, not a retry
        triggers.factory("acme_flood")
    broken = triggers.broken()
    assert sorted(broken) == ["acme_flood", "acme_frost"]
    assert broken["acme_frost"].reason == "RuntimeError: acme plug-ins need ACME_HOME to be set"
    assert triggers.create("illness").name == "illness"  # type: ignore[attr-defined]


def test_a_broken_policy_raises_broken_plugin_on_load(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    group = POLICIES.group
    _fake_entry_points(
        monkeypatch,
        [
            EntryPoint("acme_2017", "acme_good:policy", group),
            EntryPoint("acme_broken", "acme_broken:policy", group),
            EntryPoint("acme_on_call", "acme_raises_on_call:policy", group),
            EntryPoint("acme_not_a_policy", "acme_good:DroughtTrigger", group),
            EntryPoint("acme_value", "acme_value:policy", group),
        ],
    )
    # a fresh look at the entry points, restored after the test
    monkeypatch.setattr(POLICIES, "_entry_points_loaded", False)
    monkeypatch.setattr(POLICIES, "_paths", dict(POLICIES._paths))
    monkeypatch.setattr(POLICIES, "_factories", dict(POLICIES._factories))
    monkeypatch.setattr(POLICIES, "_broken", {})
    assert isinstance(load_policy("acme_2017"), Policy)
    assert load_policy("acme_value").label == "acme_value@1"  # a policy made at import, not a function
    with pytest.raises(BrokenPlugin, match=r"policy 'acme_broken' .*ModuleNotFoundError"):
        load_policy("acme_broken")
    with pytest.raises(BrokenPlugin, match=r"policy 'acme_on_call' \(acme_raises_on_call:policy\).*KeyError: 'policy'"):
        load_policy("acme_on_call")
    with pytest.raises(BrokenPlugin, match="returned DroughtTrigger, not a Policy"):
        load_policy("acme_not_a_policy")
    with pytest.raises(UnknownPlugin, match="acme_broken"):  # listed among the known names
        load_policy("acme_nothing")


def _install(tmp_path: Path) -> dict[str, str]:
    """A distribution on a directory as ``pip install`` would leave it, for a subprocess."""
    for name, text in MODULES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    dist = tmp_path / "acme_relapse_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-relapse-plugins\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[relapse_guard.policies]\n"
        "acme_2017 = acme_good:policy\n"
        "acme_broken = acme_broken:policy\n"
        "acme_on_call = acme_raises_on_call:policy\n"
        "[relapse_guard.triggers]\n"
        "acme_drought = acme_good:DroughtTrigger\n"
        "acme_frost = acme_crashes:FrostTrigger\n"
        "[relapse_guard.interventions]\n"
        "acme_grant = acme_broken:Grant\n"
    )
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(SOURCE)])}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relapse_guard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_policies_command_lists_broken_plugins_after_the_working_ones(tmp_path: Path) -> None:
    env = _install(tmp_path)
    done = _cli(env, "policies")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    working = [line.split("\t")[0] for line in lines if "\tbroken " not in line]
    assert working == ["acme_2017", "bishan_2016", "chongqing_2016", "dazu_2016", "yubei_2016"]
    assert lines[: len(working)] == [line for line in lines if "\tbroken " not in line]  # working ones first
    assert lines[len(working) :] == [
        "acme_broken\tbroken policy\tacme_broken:policy: "
        "ModuleNotFoundError: No module named 'acme_dependency_that_is_not_installed'",
        "acme_on_call\tbroken policy\tacme_raises_on_call:policy: KeyError: 'policy'",
        "acme_frost\tbroken trigger\tacme_crashes:FrostTrigger: RuntimeError: acme plug-ins need ACME_HOME to be set",
        "acme_grant\tbroken intervention\tacme_broken:Grant: "
        "ModuleNotFoundError: No module named 'acme_dependency_that_is_not_installed'",
    ]
    assert done.stderr == ""


def test_using_a_broken_policy_on_the_command_line_exits_2_with_the_reason(tmp_path: Path) -> None:
    env = _install(tmp_path)
    done = _cli(env, "check", "acme_broken")
    assert done.returncode == 2
    assert "acme_broken" in done.stderr
    assert "No module named 'acme_dependency_that_is_not_installed'" in done.stderr
    assert "Traceback" not in done.stderr
