"""Every shipped policy carries its worked cases (``cases.toml`` beside its module), and they all pass."""

from __future__ import annotations

from importlib import resources

import pytest

from relapse_guard.policies import POLICIES, load_policy, policy_names
from relapse_guard.testing.tables import CASES_FILENAME, policy_cases

#: The policies relapse_guard ships (not those other installed packages register).
SHIPPED = [name for name in policy_names() if POLICIES.source(name).startswith("relapse_guard.policies.")]


def test_the_four_policies_are_shipped() -> None:
    assert sorted(SHIPPED) == ["bishan_2016", "chongqing_2016", "dazu_2016", "yubei_2016"]


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_policy_passes_its_cases(name: str) -> None:
    case_file = policy_cases(name)
    assert case_file is not None, f"{name} ships no {CASES_FILENAME}"
    assert case_file.policy_spec == name  # the file names the policy it was written for
    assert case_file.policy.label == load_policy(name).label
    outcomes = case_file.run()
    assert len(outcomes) >= 3
    assert [outcome.report(explain=True) for outcome in outcomes if not outcome.passed] == []


def test_the_cases_are_package_data() -> None:
    for name in SHIPPED:
        package = POLICIES.source(name).partition(":")[0]
        assert resources.files(package).joinpath(CASES_FILENAME).is_file()


def test_the_seed_arithmetic_is_there() -> None:
    """The cases the seed's worked examples ask for: Yubei's housing grants, Bishan's pairing and the
    safety net's gap-fill in 2015 and 2016."""
    names = {name: [case.name for case in policy_cases(name).cases] for name in SHIPPED}  # type: ignore[union-attr]
    assert any("12,000 x 1.5" in case for case in names["yubei_2016"])
    assert any("35,000 x 1.5" in case for case in names["yubei_2016"])
    assert any("paired helper" in case for case in names["bishan_2016"])
    assert any(case.startswith("2015:") for case in names["chongqing_2016"])
    assert any(case.startswith("2016:") for case in names["chongqing_2016"])


def test_a_policy_without_cases_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(POLICIES, "_paths", dict(POLICIES._paths))
    monkeypatch.setattr(POLICIES, "_factories", dict(POLICIES._factories))
    POLICIES.register("no_cases", lambda: load_policy("yubei_2016"))  # a function of this test module
    assert policy_cases("no_cases") is None
    POLICIES.register("no_cases", load_policy, replace=True)  # a function of a package without cases
    assert policy_cases("no_cases") is None
