from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Policy, load_policy
from relapse_guard.errors import InvalidPolicy
from relapse_guard.interventions import MedicalAid, SafetyNetTopUp
from relapse_guard.parameters import ParameterTree
from relapse_guard.routing import step
from relapse_guard.triggers import IllnessTrigger

from .conftest import BASIC_PARAMETERS, basic_policy

D = dt.date


def test_route_to_unknown_intervention_is_refused_at_construction() -> None:
    with pytest.raises(InvalidPolicy) as info:
        basic_policy(routes={"illness": [step("medical_aid")]})
    assert "route 'illness' step 0" in str(info.value)
    assert "'medical_aid'" in str(info.value)


def test_missing_required_parameter() -> None:
    tree = ParameterTree.from_toml("[poverty_line]\nvalues = { 2015-01-01 = 1 }")
    with pytest.raises(InvalidPolicy, match=r"transition\.years"):
        Policy(name="p", parameters=tree)


def test_duplicate_trigger_names_and_misnamed_intervention() -> None:
    with pytest.raises(InvalidPolicy, match="used twice"):
        basic_policy(triggers=[IllnessTrigger(), IllnessTrigger()])
    with pytest.raises(InvalidPolicy, match="named"):
        basic_policy(interventions={"aid": MedicalAid()})


def test_derive_changes_a_parameter_from_a_date_without_copying() -> None:
    base = load_policy("yubei_2016")
    derived = base.derive(name="yubei_230", parameters={"safety_net.standard": {D(2016, 1, 1): 230}})
    assert derived.parameters.value("safety_net.standard", D(2016, 6, 1)) == Decimal(230)
    assert base.parameters.value("safety_net.standard", D(2016, 6, 1)) == Decimal(300)
    assert derived.triggers == base.triggers
    assert derived.routes == base.routes
    assert derived.derived_from == base.label
    assert derived.label == "yubei_230@1"


def test_parameter_tree_is_laid_over_timelines() -> None:
    base = basic_policy()
    extra = ParameterTree.from_toml('[safety_net.standard]\nreference = "notice"\nvalues = { 2017-07-01 = 330 }')
    derived = base.derive(name="later", parameter_tree=extra)
    standard = derived.parameters.get("safety_net.standard")
    assert [v for _, v in standard.values] == [Decimal(230), Decimal(300), Decimal(330)]
    assert standard.reference == "notice"
    # whole replacement stays available explicitly
    assert len(base.parameters.merged(extra).get("safety_net.standard").values) == 1


def test_derive_adds_replaces_and_removes_triggers_and_routes() -> None:
    base = load_policy("chongqing_2016")
    names = [t.name for t in base.triggers]
    replaced = base.derive(name="x", triggers=[IllnessTrigger(prefix="triggers.strict_illness")])
    assert [t.name for t in replaced.triggers].count("illness") == 1
    illness = next(t for t in replaced.triggers if t.name == "illness")
    assert isinstance(illness, IllnessTrigger)
    assert illness.prefix == "triggers.strict_illness"
    removed = base.derive(name="y", remove_triggers=["schooling"])
    assert "schooling" not in [t.name for t in removed.triggers]
    assert len(removed.triggers) == len(names) - 1
    with pytest.raises(InvalidPolicy, match="cannot remove unknown"):
        base.derive(name="z", remove_triggers=["nope"])
    rerouted = base.derive(name="r", routes={"illness": [step("safety_net")], "schooling": None})
    assert [s.intervention for s in rerouted.routes["illness"]] == ["safety_net"]
    assert "schooling" not in rerouted.routes
    assert "schooling" in base.routes


def test_interventions_as_list_or_mapping() -> None:
    policy = Policy(
        name="p",
        parameters=ParameterTree.from_toml(BASIC_PARAMETERS),
        interventions=[SafetyNetTopUp()],
        routes={"income_drop": [step("safety_net")]},
    )
    assert set(policy.interventions) == {"safety_net"}


def test_sequences_given_as_lists_or_iterators_are_stored_as_tuples() -> None:
    base = load_policy("yubei_2016")
    policy = Policy(
        name="lists",
        parameters=base.parameters,
        identification=iter(base.identification),
        triggers=list(base.triggers),
        reviews=list(base.reviews),
        procedures=list(base.procedures),
        sources=["notice 1", "notice 2"],
    )
    assert policy.identification == base.identification
    assert policy.triggers == base.triggers
    assert policy.reviews == base.reviews
    assert policy.procedures == base.procedures
    assert policy.sources == ("notice 1", "notice 2")


POLICY_SOURCE = Path(__file__).resolve().parents[1] / "src" / "relapse_guard" / "policy.py"


def test_the_policy_does_not_import_its_checks() -> None:
    # The checks import the policy; the policy imports nothing of theirs, not even inside a
    # function or for type checking (tests/test_architecture.py finds cycles in general).
    imported = set()
    for node in ast.walk(ast.parse(POLICY_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported |= {"." * node.level + (node.module or "") + "." + alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert ".cases.NATIONAL_PROCEDURES" in imported
    assert [name for name in imported if "checks" in name] == []


def test_a_derived_value_cites_the_policy_that_set_it_not_the_base_value_s_source() -> None:
    base = load_policy("yubei_2016")
    derived = base.derive(name="yubei_330", parameters={"safety_net.standard": {D(2016, 7, 1): 330}})
    new = derived.parameters.lookup("safety_net.standard", D(2016, 7, 1))
    assert (new.value, new.effective_from) == (Decimal(330), D(2016, 7, 1))
    assert new.reference == "set by policy yubei_330@1 (derived from yubei_2016@2016.1)"
    seed = base.parameters.lookup("safety_net.standard", D(2016, 1, 1)).reference
    assert seed.startswith("seed: Yubei item 5")
    assert derived.parameters.lookup("safety_net.standard", D(2016, 1, 1)).reference == seed  # not overridden
    declared = base.derive(name="heating", version="2", new_parameters={"heating.per_person": {D(2015, 1, 1): 120}})
    assert declared.parameters.lookup("heating.per_person", D(2016, 1, 1)).reference == (
        "set by policy heating@2 (derived from yubei_2016@2016.1)"
    )


def test_a_reference_of_one_s_own_comes_with_a_parameter_tree() -> None:
    base = load_policy("yubei_2016")
    notice = ParameterTree.from_toml(
        '[safety_net.standard]\nreference = "Yubei notice 2016 no. 7"\nvalues = { 2016-07-01 = 330 }'
    )
    derived = base.derive(name="yubei_330", parameter_tree=notice)
    assert derived.parameters.lookup("safety_net.standard", D(2016, 7, 1)).reference == "Yubei notice 2016 no. 7"
    assert derived.parameters.lookup("safety_net.standard", D(2016, 1, 1)).reference.startswith("seed: Yubei item 5")


def test_a_district_s_value_does_not_lend_its_source_to_the_base_s_earlier_value() -> None:
    dazu = load_policy("dazu_2016")  # job_referral.responsible: the base's from 2015, Dazu's from 2016
    assert dazu.parameters.lookup("job_referral.responsible", D(2015, 6, 1)).reference == ""
    assert dazu.parameters.lookup("job_referral.responsible", D(2016, 6, 1)).reference.startswith("seed: Dazu")
