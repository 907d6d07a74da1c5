from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relapse_guard.triggers as triggers
from relapse_guard import HouseAppraised
from relapse_guard.facts import HousingGrade
from relapse_guard.registry import Registry
from relapse_guard.testing.strategies import facts_of, households
from relapse_guard.triggers import BUILTIN_TRIGGERS, Trigger

from .conftest import BUILTIN_CLASSES, incomes, make_ctx, states

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


@pytest.mark.parametrize("cls", BUILTIN_CLASSES, ids=lambda cls: cls.__name__)
def test_each_declares_its_risk_kinds_whatever_its_name(cls: type) -> None:
    kinds = cls().risk_kinds
    assert isinstance(kinds, tuple)
    assert kinds
    assert all(isinstance(kind, str) for kind in kinds)
    assert cls(name="renamed", prefix="local").risk_kinds == kinds


@pytest.mark.parametrize("cls", BUILTIN_CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_every_risk_detected_has_a_declared_kind(cls: type, data: st.DataObject) -> None:
    # Random facts of the trigger's kinds, in random households, states and incomes, for a
    # renamed trigger: whatever it returns is of a kind it declares.
    trigger = cls(name="renamed")
    home = data.draw(households(max_members=4, born_by=dt.date(2012, 12, 31)))
    kind = data.draw(st.sampled_from(trigger.fact_kinds))
    fact = data.draw(facts_of(kind, home, (dt.date(2015, 1, 1), dt.date(2018, 12, 31))))
    income, previous = data.draw(incomes), data.draw(incomes)
    ctx = make_ctx(state=data.draw(states), income=income, previous=previous, date=fact.date, hh=home)
    risk = trigger.detect(fact, ctx)
    if risk is not None:
        assert risk.kind in trigger.risk_kinds
        assert risk.trigger == "renamed"


def test_an_undeclared_kind_fails_the_trigger_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # The conftest's guard is what makes every trigger test check risk_kinds: show it bites.
    monkeypatch.setattr(triggers.UnsafeHousingTrigger, "risk_kinds", property(lambda self: ("housing",)))
    fact = HouseAppraised(id="f1", household_id="h1", date=dt.date(2016, 6, 1), grade=HousingGrade.D)
    with pytest.raises(AssertionError, match="returned a 'unsafe_housing' risk but declares risk_kinds"):
        triggers.UnsafeHousingTrigger().detect(fact, make_ctx(income=Decimal(3000)))
