"""The package: every built-in resolves from BUILTIN_INTERVENTIONS and keeps its default name."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import relapse_guard
import relapse_guard.interventions as interventions
from relapse_guard.decisions import Declined, Grant
from relapse_guard.facts import HousingGrade
from relapse_guard.interventions import (
    BUILTIN_INTERVENTIONS,
    HousingRenovation,
    Intervention,
    MicroInsurance,
    SafetyNetTopUp,
)
from relapse_guard.lifecycle import State
from relapse_guard.parameters import ParameterTree
from relapse_guard.registry import Registry

from .helpers import SEED, context, risk

NAMES = (
    "safety_net",
    "temporary_relief",
    "medical_aid",
    "education_aid",
    "industry_funds",
    "micro_insurance",
    "housing_renovation",
    "job_training",
    "job_referral",
    "paired_helper",
)


def _builtins() -> Registry[Intervention]:
    # a registry of the built-ins only (an entry-point group no package declares)
    return Registry("intervention", "relapse_guard.tests.no_such_group", BUILTIN_INTERVENTIONS)


def test_builtins_list_every_default_name() -> None:
    assert set(BUILTIN_INTERVENTIONS) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_builtin_resolves_to_a_class_with_that_default_name(name: str) -> None:
    registry: Registry[Intervention] = Registry(
        "intervention", "relapse_guard.test_interventions", BUILTIN_INTERVENTIONS
    )
    created = registry.create(name)
    assert isinstance(created, Intervention)
    assert created.name == name
    assert type(created).__name__ in interventions.__all__
    assert getattr(interventions, type(created).__name__) is type(created)


def test_all_is_exported() -> None:
    for exported in interventions.__all__:
        assert hasattr(interventions, exported)


def test_interventions_are_frozen_values() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        SafetyNetTopUp().name = "other"  # type: ignore[misc]
    assert SafetyNetTopUp() == SafetyNetTopUp()
    with pytest.raises(TypeError):
        SafetyNetTopUp("safety_net")  # type: ignore[call-arg]  # keyword-only


def _shipped(*policies: str) -> ParameterTree:
    root = Path(relapse_guard.__file__).parent / "policies"
    tree = ParameterTree()
    for name in policies:
        tree = tree.merged(ParameterTree.from_file(root / name / "parameters.toml"))
    return tree


def test_shipped_yubei_parameters_give_the_seeds_housing_grants() -> None:
    yubei = _shipped("chongqing_2016", "yubei_2016")
    on = dt.date(2016, 6, 1)
    amounts = {}
    for grade in ("C", "D"):
        for state in (State.EXITED, State.IDENTIFIED):
            grant = HousingRenovation().grant(
                risk(evidence=[("grade", grade)]), context(parameters=yubei, date=on, state=state)
            )
            assert isinstance(grant, Grant)
            amounts[grade, state] = grant.amount
    assert amounts == {
        ("C", State.EXITED): Decimal("12000.00"),
        ("D", State.EXITED): Decimal("35000.00"),
        ("C", State.IDENTIFIED): Decimal("18000.00"),
        ("D", State.IDENTIFIED): Decimal("52500.00"),
    }


def test_shipped_bishan_parameters_give_the_seeds_insurance() -> None:
    bishan = _shipped("chongqing_2016", "bishan_2016")
    products = ("accident", "serious_illness", "rural_medical")
    grant = MicroInsurance(products=products).grant(risk(), context(size=3, parameters=bishan))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("720.00")  # (50 + 50 + 140) x 3


def test_shipped_chongqing_parameters_give_the_dibao_by_date() -> None:
    base = _shipped("chongqing_2016")
    for on, expected in ((dt.date(2015, 12, 31), "60.00"), (dt.date(2016, 1, 1), "200.00")):
        grant = SafetyNetTopUp().grant(risk(date=on), context(size=2, income=2400, parameters=base, date=on))
        assert isinstance(grant, Grant)
        assert grant.amount == Decimal(expected)


@pytest.mark.parametrize("name", NAMES)
def test_declines_naming_the_parameter_not_yet_in_force(name: str) -> None:
    intervention = _builtins().create(name)
    from_2030 = ParameterTree(
        {n: attrs.evolve(p, values=((dt.date(2030, 1, 1), p.values[-1][1]),)) for n, p in SEED.parameters.items()}
    )
    ctx = context(income=0, state=State.IDENTIFIED, parameters=from_2030, housing_grade=HousingGrade.D)
    the_risk = risk(cost=5000, member_id="h1-m0", evidence=[("level", "primary"), ("grade", "D")])
    result = intervention.grant(the_risk, ctx)
    assert isinstance(result, Declined)
    match = re.fullmatch(
        r"not in force yet: parameter '([\w.]+)' has no value on 2016-06-15:"
        r" its first value takes effect on 2030-01-01",
        result.reason,
    )
    assert match is not None, result.reason
    assert match[1] in SEED.parameters
    in_force = intervention.grant(the_risk, context(income=0, state=State.IDENTIFIED, housing_grade=HousingGrade.D))
    assert isinstance(in_force, Grant)
