from __future__ import annotations

import functools
from pathlib import Path

import pytest

from relapse_guard import Policy, load_policy, policy_names
from relapse_guard.errors import UnknownPlugin, WrongType
from relapse_guard.registry import Registry
from relapse_guard.triggers import Trigger


def test_unknown_name_lists_known_ones() -> None:
    registry: Registry[object] = Registry("trigger", "relapse_guard.tests.none", {"a": "builtins:object"})
    with pytest.raises(UnknownPlugin) as info:
        registry.factory("zzz")
    assert info.value.known == ("a",)
    assert "known: a" in str(info.value)
    assert registry.create("a") is not None


def test_register_in_code_and_refuse_silent_replacement() -> None:
    registry: Registry[int] = Registry("thing", "relapse_guard.tests.none")
    registry.register("one", lambda: 1)
    assert registry.create("one") == 1
    with pytest.raises(ValueError, match="already registered"):
        registry.register("one", lambda: 2)
    registry.register("one", lambda: 2, replace=True)
    assert registry.create("one") == 2
    assert "one" in registry
    assert list(registry) == ["one"]


def test_a_value_is_refused_with_how_to_register_it() -> None:
    registry: Registry[int] = Registry("thing", "relapse_guard.tests.none")
    with pytest.raises(WrongType) as refused:
        registry.register("one", 1)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "thing 'one': register() takes a class or a function that builds the thing, not a int "
        "(register('one', lambda: value) registers a value made already)"
    )
    assert "one" not in registry


def test_the_source_of_a_factory_object_is_short() -> None:
    registry: Registry[int] = Registry("thing", "relapse_guard.tests.none")
    registry.register("one", functools.partial(int, "1"))
    assert registry.source("one") == "functools:partial object"


def test_entry_points_of_an_installed_distribution_are_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real distribution on sys.path, as `pip install acme-relapse-plugins` would leave it.
    dist = tmp_path / "acme_relapse_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-relapse-plugins\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[relapse_guard.triggers]\nacme_drought = acme_relapse_plugins:DroughtTrigger\n"
        "[relapse_guard.policies]\nacme_2017 = acme_relapse_plugins:policy\n"
    )
    (tmp_path / "acme_relapse_plugins.py").write_text(
        "from relapse_guard import load_policy\n"
        "class DroughtTrigger:\n    name = 'acme_drought'\n"
        "def policy():\n    return load_policy('yubei_2016').derive(name='acme_2017')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from relapse_guard.plugins import TRIGGERS

    triggers: Registry[Trigger] = Registry("trigger", "relapse_guard.triggers", {})
    assert "acme_drought" in triggers.names()
    assert triggers.create("acme_drought").name == "acme_drought"
    assert "acme_drought" in Registry("trigger", TRIGGERS.group).names()
    policies: Registry[Policy] = Registry("policy", "relapse_guard.policies", {})
    assert policies.create("acme_2017").label == "acme_2017@1"


def test_builtin_triggers_and_interventions_by_name() -> None:
    from relapse_guard.plugins import INTERVENTIONS, TRIGGERS

    assert set(TRIGGERS.names()) >= {
        "illness",
        "disaster",
        "unemployment",
        "schooling",
        "income_drop",
        "unsafe_housing",
        "main_earner_lost",
    }
    for name in TRIGGERS.names():
        assert TRIGGERS.create(name).name == name
    for name in INTERVENTIONS.names():
        assert INTERVENTIONS.create(name).name == name
    with pytest.raises(UnknownPlugin, match="illness"):
        TRIGGERS.create("crop_failure")


def test_shipped_policies_are_registered() -> None:
    assert set(policy_names()) >= {"chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"}
    with pytest.raises(UnknownPlugin, match="yubei_2016"):
        load_policy("nowhere_2016")


def test_an_unknown_name_suggests_the_closest_known_one() -> None:
    with pytest.raises(UnknownPlugin, match=r"^unknown policy 'yubei2016' \(did you mean yubei_2016\?\); known: "):
        load_policy("yubei2016")
    from relapse_guard.plugins import TRIGGERS

    with pytest.raises(UnknownPlugin, match=r"^unknown trigger 'ilness' \(did you mean illness\?\); known: "):
        TRIGGERS.create("ilness")
    with pytest.raises(UnknownPlugin) as far:
        load_policy("atlantis")
    assert far.value.suggestions == ()
    assert "did you mean" not in str(far.value)


def test_a_policy_spec_given_to_load_policy_says_to_load_it_with_load_policy_spec() -> None:
    with pytest.raises(
        UnknownPlugin, match=r"call relapse_guard\.cli_policy\.load_policy_spec, or pass load=load_policy_spec"
    ):
        load_policy("district.py:district")
    with pytest.raises(UnknownPlugin) as plain:
        load_policy("district")
    assert "load_policy_spec" not in str(plain.value)
