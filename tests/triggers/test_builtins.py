from __future__ import annotations

import importlib

import pytest

import relapse_guard.triggers as triggers
from relapse_guard import Registry
from relapse_guard.triggers import BUILTIN_TRIGGERS, Trigger

EXPECTED = {
    "illness": "relapse_guard.triggers.illness:IllnessTrigger",
    "disaster": "relapse_guard.triggers.disaster:DisasterTrigger",
    "unemployment": "relapse_guard.triggers.unemployment:UnemploymentTrigger",
    "schooling": "relapse_guard.triggers.schooling:SchoolingTrigger",
    "income_drop": "relapse_guard.triggers.income_drop:IncomeDropTrigger",
    "unsafe_housing": "relapse_guard.triggers.unsafe_housing:UnsafeHousingTrigger",
    "main_earner_lost": "relapse_guard.triggers.main_earner:MainEarnerLostTrigger",
}


def test_builtin_paths() -> None:
    assert BUILTIN_TRIGGERS == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_path_imports_a_trigger_with_that_default_name(name: str) -> None:
    module_name, _, attribute = BUILTIN_TRIGGERS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attribute)
    trigger = cls()
    assert isinstance(trigger, Trigger)
    assert trigger.name == name
    assert getattr(trigger, "prefix") == f"triggers.{name}"  # noqa: B009
    assert getattr(triggers, attribute) is cls
    assert attribute in triggers.__all__


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_registry_creates_them_with_config(name: str) -> None:
    registry: Registry[Trigger] = Registry("trigger", "relapse_guard.tests.no_such_group", BUILTIN_TRIGGERS)
    trigger = registry.create(name, name=f"{name}_local", prefix=f"local.{name}")
    assert trigger.name == f"{name}_local"
    assert getattr(trigger, "prefix") == f"local.{name}"  # noqa: B009


def test_all_lists_the_protocol_the_classes_and_the_table() -> None:
    assert sorted(triggers.__all__) == sorted(
        ["BUILTIN_TRIGGERS", "Trigger", *(path.partition(":")[2] for path in EXPECTED.values())]
    )


def test_triggers_are_frozen_values() -> None:
    trigger = triggers.IllnessTrigger()
    assert trigger == triggers.IllnessTrigger()
    assert hash(trigger) == hash(triggers.IllnessTrigger())
    with pytest.raises(AttributeError):
        trigger.name = "other"  # type: ignore[misc]
