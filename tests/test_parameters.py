from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import load_policy
from relapse_guard.errors import InvalidParameter, InvalidParameterFile, ParameterNotInForce, UnknownParameter
from relapse_guard.parameters import ParameterTree
from relapse_guard.policies._data import load_parameters

TOML = """
[safety_net.standard]
description = "dibao"
unit = "yuan per person per month"
reference = "seed"
values = { 2015-01-01 = 230, 2016-01-01 = 300 }

[transition.starts]
values = { 2015-01-01 = "next_year" }

[medical_aid.share]
values = { 2015-01-01 = 0.6 }
"""


def test_lookup_as_of_a_date() -> None:
    tree = ParameterTree.from_toml(TOML)
    assert tree.value("safety_net.standard", dt.date(2015, 12, 31)) == Decimal(230)
    found = tree.lookup("safety_net.standard", dt.date(2016, 1, 1))
    assert (found.value, found.effective_from, found.reference) == (Decimal(300), dt.date(2016, 1, 1), "seed")
    assert tree.value("transition.starts", dt.date(2020, 1, 1)) == "next_year"
    share = tree.value("medical_aid.share", dt.date(2016, 1, 1))
    assert share == Decimal("0.6")
    assert isinstance(share, Decimal)
    assert len(tree) == 3
    assert list(tree) == ["medical_aid.share", "safety_net.standard", "transition.starts"]


def test_before_first_date_names_parameter() -> None:
    tree = ParameterTree.from_toml(TOML)
    with pytest.raises(ParameterNotInForce) as info:
        tree.lookup("safety_net.standard", dt.date(2014, 12, 31))
    assert info.value.name == "safety_net.standard"
    assert "2015-01-01" in str(info.value)


def test_unknown_name_names_it_and_suggests() -> None:
    tree = ParameterTree.from_toml(TOML)
    with pytest.raises(UnknownParameter) as info:
        tree.lookup("standard", dt.date(2016, 1, 1))
    assert info.value.name == "standard"
    assert "safety_net.standard" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_with_value_derives_without_changing_base() -> None:
    base = ParameterTree.from_toml(TOML)
    kept = base.with_value("safety_net.standard", dt.date(2016, 1, 1), 230)
    assert kept.value("safety_net.standard", dt.date(2016, 6, 1)) == Decimal(230)
    assert base.value("safety_net.standard", dt.date(2016, 6, 1)) == Decimal(300)
    later = base.with_value("safety_net.standard", dt.date(2017, 7, 1), 350)
    assert later.value("safety_net.standard", dt.date(2017, 6, 30)) == Decimal(300)
    assert later.value("safety_net.standard", dt.date(2017, 7, 1)) == Decimal(350)
    new = base.with_value("new.one", dt.date(2016, 1, 1), "x")
    assert new.value("new.one", dt.date(2016, 1, 1)) == "x"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[a]\nvalues = { 2016-13-01 = 1 }", "not an ISO date"),
        ("[a]\nvalues = {}", "non-empty"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nextra = 1", "unknown key 'extra'"),
        ("a = 1", "must be a table"),
        ("[a\n", "not valid TOML"),
        ("[a]\nvalues = { 2016-01-01 = [1, 2] }", "not a number"),
    ],
)
def test_malformed_files_name_file_and_key(text: str, fragment: str) -> None:
    with pytest.raises(InvalidParameterFile, match=fragment) as info:
        ParameterTree.from_toml(text, source="x.toml")
    assert "x.toml" in str(info.value) or "a" in str(info.value)


@pytest.mark.parametrize(
    ("key", "meant"),
    [("refrence", "reference"), ("descripton", "description"), ("review-by", "review_by"), ("on_expire", "on_expiry")],
)
def test_a_misspelt_key_of_a_parameter_suggests_the_one_meant(key: str, meant: str) -> None:
    # Only a misspelt 'values' got a suggestion; 'refrence' got the list of keys alone.
    with pytest.raises(InvalidParameterFile) as info:
        ParameterTree.from_toml(f"[a]\nvalues = {{ 2016-01-01 = 1 }}\n{key} = 'x'", source="x.toml")
    assert str(info.value) == (
        f"x.toml: parameter 'a': unknown key {key!r}, did you mean {meant!r}? (allowed: values, description, unit, "
        "reference, min, max, expires, review_by, on_expiry)"
    )


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(TOML, encoding="utf-8")
    assert ParameterTree.from_file(path).value("safety_net.standard", dt.date(2016, 2, 1)) == Decimal(300)


def test_seed_values_shipped() -> None:
    tree = load_parameters("relapse_guard.policies.chongqing_2016")
    assert tree.value("safety_net.standard", dt.date(2015, 6, 1)) == Decimal(230)
    assert tree.value("safety_net.standard", dt.date(2016, 6, 1)) == Decimal(300)
    assert tree.value("transition.years", dt.date(2016, 1, 1)) == Decimal(3)
    assert tree.value("poverty_line", dt.date(2016, 1, 1)) == Decimal(3600)
    for name in tree:
        assert tree.get(name).reference or tree.get(name).description or name.startswith(("job_", "transition.leap"))


@given(
    st.dictionaries(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
        st.integers(min_value=0, max_value=10**6),
        min_size=1,
        max_size=8,
    ),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2031, 1, 1)),
)
def test_lookup_returns_latest_value_on_or_before_date(timeline: dict[dt.date, int], on: dt.date) -> None:
    lines = ", ".join(f"{d.isoformat()} = {v}" for d, v in timeline.items())
    tree = ParameterTree.from_toml(f"[p]\nvalues = {{ {lines} }}")
    earlier = [d for d in timeline if d <= on]
    if not earlier:
        with pytest.raises(ParameterNotInForce):
            tree.lookup("p", on)
    else:
        found = tree.lookup("p", on)
        assert found.effective_from == max(earlier)
        assert found.value == Decimal(timeline[max(earlier)])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[safety_net.standard]\ndescription = "d"\nvalue = { 2016-01-01 = 300 }\n',
            "parameter 'safety_net.standard' has no 'values' table of date = value: "
            "found 'value', did you mean 'values'?",
        ),
        (
            "[safety_net.standard]\nvaules = { 2016-01-01 = 300 }\n",
            "parameter 'safety_net.standard' has no 'values' table of date = value: "
            "found 'vaules', did you mean 'values'?",
        ),
        ('[safety_net.standard]\ndescription = "d"\n', "parameter 'safety_net.standard' has no 'values' table"),
    ],
)
def test_a_parameter_whose_values_are_misnamed_or_missing_says_so(text: str, message: str) -> None:
    with pytest.raises(InvalidParameterFile) as info:
        ParameterTree.from_toml(text, source="district.toml")
    assert str(info.value).startswith(f"district.toml: {message}")


def test_branches_named_like_a_parameters_keys_are_branches() -> None:
    text = "[pension.value_floor]\nvalues = { 2016-01-01 = 3 }\n[pension.max.cap]\nvalues = { 2016-01-01 = 4 }\n"
    assert sorted(ParameterTree.from_toml(text).parameters) == ["pension.max.cap", "pension.value_floor"]


def test_errors_name_what_is_wrong_a_date_key_or_an_expiry() -> None:
    # They blamed the value ("value 330 refused") for a date key given as text, and read
    # "a expires date ... value datetime.date(2015, 1, 1)" for an expiry before its value.
    yubei = load_policy("yubei_2016")
    with pytest.raises(InvalidParameter) as keyed:
        yubei.derive(name="x", parameters={"safety_net.standard": {"2016-01-01": 330}})  # type: ignore[dict-item]
    assert str(keyed.value).startswith(
        "parameter 'safety_net.standard': date key '2016-01-01' refused; expected effective dates as datetime.date"
    )
    assert (keyed.value.what, keyed.value.value) == ("date key", "2016-01-01")
    with pytest.raises(InvalidParameter) as early:
        ParameterTree({}).with_value("a.b", dt.date(2016, 1, 1), 3, expires=dt.date(2015, 1, 1))
    assert str(early.value) == (
        "parameter 'a.b' from 2016-01-01: expires date 2015-01-01 refused; expected a datetime.date on or after "
        "the value takes effect"
    )


def test_a_value_the_base_policy_refuses_in_a_parameter_file_names_the_file(tmp_path: Path) -> None:
    # The base policy's bounds are applied when the file is laid over it (derive): the error
    # named the parameter and the value, not the file they were in.
    path = tmp_path / "district.toml"
    path.write_text("[safety_net.standard]\nvalues = { 2016-07-01 = -5 }\n", encoding="utf-8")
    with pytest.raises(InvalidParameter) as refused:
        load_policy("yubei_2016").derive(name="district", parameter_tree=ParameterTree.from_file(path))
    assert str(refused.value).startswith(f"{path}: parameter 'safety_net.standard' from 2016-07-01: value ")
    assert refused.value.source == str(path)
    # A tree made in Python names no file, as before; a file's tree equals the same tree made so.
    with pytest.raises(InvalidParameter) as bare:
        load_policy("yubei_2016").derive(
            name="district", parameter_tree=ParameterTree({}).with_value("safety_net.standard", dt.date(2016, 7, 1), -5)
        )
    assert bare.value.source == ""
    assert ParameterTree.from_file(path) == ParameterTree.from_toml(path.read_text(encoding="utf-8"))


# --- each value its own reference -------------------------------------------------------------


def test_a_value_added_carries_its_own_reference_never_the_timeline_s() -> None:
    tree = ParameterTree.from_toml(TOML)
    cited = tree.with_value("safety_net.standard", dt.date(2017, 1, 1), 330, reference="notice 7")
    assert cited.lookup("safety_net.standard", dt.date(2017, 1, 1)).reference == "notice 7"
    assert cited.lookup("safety_net.standard", dt.date(2016, 1, 1)).reference == "seed"  # the others keep theirs
    unsourced = tree.with_value("safety_net.standard", dt.date(2017, 1, 1), 330)
    assert unsourced.lookup("safety_net.standard", dt.date(2017, 1, 1)).reference == ""
    assert unsourced.get("safety_net.standard").reference_of(dt.date(2015, 1, 1)) == "seed"
    # a value replaced at its own date takes the new reference
    replaced = cited.with_value("safety_net.standard", dt.date(2016, 1, 1), 310, reference="notice 8")
    assert [replaced.lookup("safety_net.standard", dt.date(y, 1, 1)).reference for y in (2015, 2016, 2017)] == [
        "seed",
        "notice 8",
        "notice 7",
    ]


def test_a_tree_laid_over_another_cites_its_values_only() -> None:
    base = ParameterTree.from_toml(TOML)
    notice = ParameterTree.from_toml('[safety_net.standard]\nreference = "notice"\nvalues = { 2017-07-01 = 330 }')
    unsourced = ParameterTree.from_toml("[safety_net.standard]\nvalues = { 2016-01-01 = 310 }")
    laid = base.overlaid(notice).overlaid(unsourced)
    cited = {d: laid.lookup("safety_net.standard", d).reference for d, _ in laid.get("safety_net.standard").values}
    assert cited == {dt.date(2015, 1, 1): "seed", dt.date(2016, 1, 1): "", dt.date(2017, 7, 1): "notice"}


def test_references_must_name_values_of_the_timeline() -> None:
    from relapse_guard.parameters import Parameter

    with pytest.raises(InvalidParameter, match="effective date of one of its values"):
        Parameter(name="a", values=((dt.date(2016, 1, 1), Decimal(1)),), references={dt.date(2016, 2, 1): "x"})
    same = Parameter(name="a", values=((dt.date(2016, 1, 1), Decimal(1)),), reference="x")
    # a reference equal to the parameter's is not kept twice: equal parameters compare equal
    assert Parameter(name="a", values=same.values, reference="x", references={dt.date(2016, 1, 1): "x"}) == same
