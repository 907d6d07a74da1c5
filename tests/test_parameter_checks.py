"""Parameters are checked: finite, inside their declared bounds, and derive refuses unknown names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard.errors import (
    InvalidParameter,
    InvalidParameterFile,
    ParameterError,
    RelapseGuardError,
    UnknownParameter,
)
from relapse_guard.parameters import ParameterTree
from relapse_guard.policies import load_policy

D = dt.date
YUBEI = load_policy("yubei_2016")


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "+nan"])
def test_a_file_with_a_value_that_is_not_finite_is_refused(text: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        ParameterTree.from_toml(f"[a.b]\nvalues = {{ 2015-01-01 = 1, 2016-01-01 = {text} }}", source="p.toml")
    error = info.value
    assert isinstance(error, ParameterError)
    assert isinstance(error, ValueError)
    assert isinstance(error, RelapseGuardError)
    assert (error.name, error.on) == ("a.b", D(2016, 1, 1))
    assert not Decimal(str(error.value)).is_finite()
    message = str(error)
    assert "p.toml" in message
    assert "'a.b'" in message
    assert "2016-01-01" in message
    assert "finite" in message


def test_a_file_value_outside_its_bounds_is_refused() -> None:
    with pytest.raises(InvalidParameter, match=r"'a' from 2016-01-01: value Decimal\('-1'\).*>= 0"):
        ParameterTree.from_toml("[a]\nmin = 0\nvalues = { 2015-01-01 = 1, 2016-01-01 = -1 }")
    with pytest.raises(InvalidParameter, match="between 0 and 1"):
        ParameterTree.from_toml("[a]\nmin = 0\nmax = 1\nvalues = { 2015-01-01 = 1.5 }")
    with pytest.raises(InvalidParameter, match="a number"):
        ParameterTree.from_toml('[a]\nmin = 0\nvalues = { 2015-01-01 = "x" }')
    tree = ParameterTree.from_toml("[a]\nmin = 0\nmax = 1\nunit = 'share'\nvalues = { 2015-01-01 = 0, 2016-01-01 = 1 }")
    parameter = tree.get("a")
    assert (parameter.minimum, parameter.maximum, parameter.unit) == (Decimal(0), Decimal(1), "share")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[a]\nmin = 'zero'\nvalues = { 2015-01-01 = 1 }", "min must be a finite number"),
        ("[a]\nmax = nan\nvalues = { 2015-01-01 = 1 }", "max must be a finite number"),
        ("[a]\nmin = 2\nmax = 1\nvalues = { 2015-01-01 = 1 }", "min 2 is above max 1"),
        ("[a]\nsign = 'positive'\nvalues = { 2015-01-01 = 1 }", "unknown key 'sign'"),
    ],
)
def test_malformed_bounds_name_the_file_and_parameter(text: str, fragment: str) -> None:
    with pytest.raises(InvalidParameterFile, match=fragment) as info:
        ParameterTree.from_toml(text, source="bounds.toml")
    assert "bounds.toml" in str(info.value)
    assert "'a'" in str(info.value)


def test_shipped_amounts_declare_non_negative() -> None:
    for name in ("chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"):
        tree = load_policy(name).parameters
        for parameter_name in ("poverty_line", "safety_net.standard", "medical_aid.yearly_cap"):
            assert tree.get(parameter_name).minimum == 0, (name, parameter_name)
        for parameter_name in tree:
            if tree.get(parameter_name).unit.startswith("yuan"):
                assert tree.get(parameter_name).minimum == 0, (name, parameter_name)
    assert load_policy("bishan_2016").parameters.get("town_pairing.share").maximum == 1


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan"), -300])
def test_derive_refuses_values_that_are_not_finite_or_out_of_bounds(value: object) -> None:
    with pytest.raises(InvalidParameter) as info:
        YUBEI.derive(name="bad", parameters={"safety_net.standard": {D(2017, 1, 1): value}})  # type: ignore[dict-item]
    assert info.value.name == "safety_net.standard"
    assert info.value.on == D(2017, 1, 1)
    assert "safety_net.standard" in str(info.value)
    assert "2017-01-01" in str(info.value)


def test_bounds_survive_an_overlaid_tree() -> None:
    tree = ParameterTree.from_toml("[safety_net.standard]\nvalues = { 2018-01-01 = -5 }")
    with pytest.raises(InvalidParameter, match=">= 0"):
        YUBEI.derive(name="bad", parameter_tree=tree)


def test_derive_refuses_an_unknown_name_and_suggests_the_close_one() -> None:
    with pytest.raises(UnknownParameter) as info:
        YUBEI.derive(name="typo", parameters={"safety_net.standrad": {D(2017, 1, 1): 330}})
    message = str(info.value)
    assert "did you mean safety_net.standard?" in message
    assert "new_parameters" in message
    assert "yubei_2016@" in message
    assert info.value.name == "safety_net.standrad"
    assert isinstance(info.value, RelapseGuardError)
    with pytest.raises(UnknownParameter, match="did you mean poverty_line"):
        YUBEI.derive(name="typo", parameters={"povertyline": {D(2017, 1, 1): 4000}})


def test_new_parameters_are_declared_explicitly() -> None:
    mine = YUBEI.derive(name="mine", new_parameters={"heating.per_person": {D(2015, 1, 1): 120}})
    assert mine.parameters.value("heating.per_person", D(2016, 1, 1)) == Decimal(120)
    with pytest.raises(InvalidParameter, match="already"):
        YUBEI.derive(name="again", new_parameters={"safety_net.standard": {D(2017, 1, 1): 330}})
    tree = ParameterTree.from_toml(
        "[heating.per_person]\ndescription = 'heating'\nmin = 0\nvalues = { 2015-01-01 = 90 }"
    )
    from_tree = YUBEI.derive(name="tree", parameter_tree=tree)
    assert from_tree.parameters.get("heating.per_person").minimum == 0
    # once declared, a derived policy changes it with parameters=
    later = from_tree.derive(name="later", parameters={"heating.per_person": {D(2017, 1, 1): 100}})
    assert later.parameters.value("heating.per_person", D(2017, 1, 1)) == Decimal(100)


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        ({"poverty_line": 5}, "'poverty_line': value 5 refused; expected a non-empty mapping of effective date"),
        ({"poverty_line": {}}, "non-empty mapping"),
        ({"poverty_line": [(D(2016, 1, 1), 5)]}, "'poverty_line'"),
        ({"poverty_line": {"2016-01-01": 5}}, "effective dates as datetime.date"),
        ({"poverty_line": {dt.datetime(2016, 1, 1): 5}}, "effective dates as datetime.date"),
        ({"poverty_line": {D(2016, 1, 1): [5]}}, "a number"),
        ([("poverty_line", {D(2016, 1, 1): 5})], "'parameters'"),
    ],
)
def test_derive_names_the_parameter_when_the_shape_is_wrong(parameters: object, fragment: str) -> None:
    with pytest.raises(InvalidParameter, match=fragment.replace("(", r"\(")) as info:
        YUBEI.derive(name="shape", parameters=parameters)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, TypeError | AttributeError)
