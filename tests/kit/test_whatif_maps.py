"""What-if across a province's districts: each side a policy map, each household under each
map's policy for its place.

The property: a what-if of two maps (or choices) is the what-if of each household under its
own pair of policies, run from the start, whatever the runs share; a district both sides give
one policy runs once. Then examples: a map naming a policy file, a policy against a map, a
place a map does not cover, worker processes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from relapse_guard import Fact, Household, Place, Policy, load_policy
from relapse_guard.errors import InvalidArgument, InvalidPolicySpec
from relapse_guard.policies.policy_map import PlaceEntry, PolicyMap, builtin_policy_map
from relapse_guard.population import write_population
from relapse_guard.screening.choice import MapChoice
from relapse_guard.testing import histories, households
from relapse_guard.whatif import HouseholdComparison, compare, compare_population

from .helpers import assert_same, exited_in_2015, household, unshared
from .test_whatif_shared import changed

D = dt.date
START, END = D(2015, 1, 1), D(2018, 12, 31)
CHONGQING = builtin_policy_map("chongqing")
DISTRICTS = ("Yubei", "Dazu", "Bishan", "Wanzhou")  # Wanzhou: the map's default

RAISED_FILE = """\
import datetime as dt

from relapse_guard.policies import load_policy

yubei_330 = load_policy("yubei_2016").derive(
    name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 1, 1): 330}}
)
not_a_policy = 42
"""


def _single(
    pairs: Sequence[tuple[Policy, Policy]], population: Sequence[tuple[Household, Sequence[Fact]]], as_of: dt.date
) -> list[HouseholdComparison]:
    """Each household compared on its own under its pair of policies, every run from the start."""
    out: list[HouseholdComparison] = []
    with unshared():
        for (a, b), record in zip(pairs, population, strict=True):
            out += compare(a, b, [record], as_of=as_of).households
    return out


@given(data=st.data())
def test_a_what_if_of_two_maps_is_each_household_under_its_own_pair_of_policies(data: st.DataObject) -> None:
    as_of = data.draw(st.dates(D(2016, 1, 1), D(2019, 1, 1)), label="as of")
    side_a = MapChoice(CHONGQING, as_of, record_decisions=False)
    # b: the same map, each of its policies kept (the same policy: nothing to run again) or changed
    on = data.draw(st.dates(D(2015, 1, 2), D(2018, 6, 30)), label="changed from")
    policies = {}
    for name, policy in side_a.policies.items():
        policies[name] = data.draw(st.just(policy) | changed(policy, on), label=f"b's {name}")
    side_b = MapChoice(CHONGQING, as_of, record_decisions=False, policies=policies)
    population: list[tuple[Household, Sequence[Fact]]] = []
    for n in range(data.draw(st.integers(1, 3), label="households")):
        district = data.draw(st.sampled_from(DISTRICTS), label="district")
        home = data.draw(households(household_id=f"HH-{n}", district=district, born_by=D(2014, 12, 31)))
        policy = side_a.engine_for(home).policy
        population.append((home, data.draw(histories(home, START, END, policy=policy), label="facts")))
    pairs = [(side_a.engine_for(home).policy, side_b.engine_for(home).policy) for home, _facts in population]

    got = compare(side_a, side_b, population, as_of=as_of)
    with unshared():
        full = compare(side_a, side_b, population, as_of=as_of)
    assert_same(got, full)
    assert got.households == tuple(_single(pairs, population, as_of))
    assert got.totals.households == len(population)
    assert got.paths.get("same", 0) == sum(1 for a, b in pairs if a is b)
    assert sum(got.paths.values()) == 2 * len(population)
    districts = Counter(home.place.district for home, _facts in population)
    assert {name: d.households for name, d in got.by_district().items()} == dict(districts)
    assert (got.policy_a, got.policy_b) == ("policy map chongqing", "policy map chongqing")
    event(f"same policy on both sides: {'some' if got.paths.get('same') else 'none'}")


def test_a_district_both_maps_give_one_policy_runs_once_and_never_differs(tmp_path: Path) -> None:
    raised = _raised_map(tmp_path)
    population = _county()
    comparison = compare(CHONGQING, raised, population, as_of=D(2016, 12, 31))
    # Dazu and Wanzhou (the default) keep their policy: run once, counted as the same
    assert comparison.paths["same"] == 2
    assert sum(comparison.paths.values()) == 2 * len(population)
    by_district = comparison.by_district()
    assert by_district["Dazu"].differing == by_district["Wanzhou"].differing == 0
    assert by_district["Yubei"].differing == 1  # the safety net at 330 instead of 300
    assert by_district["Yubei"].money_delta
    assert by_district["Bishan"].households == 1


def test_a_map_reads_a_policy_file_from_its_own_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raised = _raised_map(tmp_path)
    monkeypatch.chdir(tmp_path.parent)  # not the map's directory: the file is found all the same
    assert raised.directory == str(tmp_path.resolve())
    assert raised.spec("policies/raised.py:yubei_330") == f"{tmp_path.resolve()}/policies/raised.py:yubei_330"
    policy = raised.policy_for(Place("Yubei"), D(2016, 12, 31))
    assert policy.name == "yubei_330"
    assert raised.policy_for(Place("Dazu"), D(2016, 12, 31)).label == "dazu_2016@2016.1"


def test_a_policy_named_by_both_sides_is_loaded_once(tmp_path: Path) -> None:
    raised = _raised_map(tmp_path)
    again = PolicyMap.from_file(tmp_path / "raised.toml")  # another map naming the same file
    comparison = compare(raised, again, _county(), as_of=D(2016, 12, 31))
    assert comparison.paths == {"engine": 4, "same": 4}
    assert comparison.totals.differing == 0


def test_a_policy_against_a_map(tmp_path: Path) -> None:
    population = _county()
    yubei = load_policy("yubei_2016")
    comparison = compare(yubei, _raised_map(tmp_path), population, as_of=D(2016, 12, 31))
    assert comparison.policy_a == "yubei_2016@2016.1"
    assert comparison.policy_b == f"policy map {tmp_path / 'raised.toml'}"
    assert comparison.by_district()["Yubei"].differing == 1
    # the registered name on side a and in the map are one policy: Yubei's household... is under
    # yubei_330 in the map, Dazu's under dazu_2016 against yubei_2016
    assert comparison.totals.households == 4


def test_a_place_a_map_does_not_cover_is_a_problem_household() -> None:
    partial = PolicyMap([PlaceEntry("Yubei", "yubei_2016"), PlaceEntry("Dazu", "dazu_2016")], source="partial")
    population = _county()
    for keep_all in (False, True):
        comparison = compare(CHONGQING, partial, population, as_of=D(2016, 12, 31), keep_all=keep_all)
        assert [(p.household_id, p.kind, p.error) for p in comparison.problems] == [
            ("BS-1", "no_policy", "NoPolicyForPlace"),
            ("WZ-1", "no_policy", "NoPolicyForPlace"),
        ]
        assert comparison.totals.households == 2
        assert set(comparison.by_district()) == {"Dazu", "Yubei"}


def test_a_map_needs_an_as_of_date() -> None:
    with pytest.raises(InvalidArgument, match="needs an as-of date"):
        compare(CHONGQING, CHONGQING, _county(), as_of=None)


def test_a_policy_file_that_does_not_load_is_the_error_policy_gives(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        'default = "chongqing_2016"\n[[place]]\ndistrict = "Yubei"\npolicy = "policies/raised.py:not_a_policy"\n',
        encoding="utf-8",
    )
    _raised_map(tmp_path)  # writes the policy file
    bad = PolicyMap.from_file(tmp_path / "bad.toml")
    with pytest.raises(InvalidPolicySpec, match=r"policy map .*bad.toml: \[\[place\]\] #1 \(district 'Yubei'\): "):
        compare(CHONGQING, bad, _county(), as_of=D(2016, 12, 31))


def test_maps_go_to_worker_processes(tmp_path: Path) -> None:
    raised = _raised_map(tmp_path)
    directory = tmp_path / "county"
    write_population(directory, _county(), households_per_partition=2)
    one = compare_population(CHONGQING, raised, directory, D(2016, 12, 31))
    two = compare_population(CHONGQING, raised, directory, D(2016, 12, 31), workers=2)
    assert_same(two, one)
    assert one.paths == two.paths
    assert one.by_district()["Yubei"].differing == 1
    mine = load_policy("yubei_2016")
    with pytest.raises(InvalidArgument, match=r"by name .* or as policy maps, not as objects"):
        compare_population(mine, raised, directory, D(2016, 12, 31), workers=2)


def _raised_map(directory: Path) -> PolicyMap:
    """Chongqing's map but Yubei's safety-net standard at 330 from 2016, from a policy file
    beside the map (a relative path in it)."""
    (directory / "policies").mkdir(exist_ok=True)
    (directory / "policies" / "raised.py").write_text(RAISED_FILE, encoding="utf-8")
    (directory / "raised.toml").write_text(
        'default = "chongqing_2016"\n'
        '[[place]]\ndistrict = "Yubei"\npolicy = "policies/raised.py:yubei_330"\n'
        '[[place]]\ndistrict = "Dazu"\npolicy = "dazu_2016"\n',
        encoding="utf-8",
    )
    return PolicyMap.from_file(directory / "raised.toml")


def _county() -> list[tuple[Household, Sequence[Fact]]]:
    """A household exited in 2015 in each of four districts, each then falling below the line."""
    out: list[tuple[Household, Sequence[Fact]]] = []
    for hid, district in (("YB-1", "Yubei"), ("DZ-1", "Dazu"), ("BS-1", "Bishan"), ("WZ-1", "Wanzhou")):
        home = household(hid)
        home = Household(id=home.id, place=Place(district, "Town", "Village"), members=home.members)
        out.append((home, exited_in_2015(hid, income_after=2500)))
    return out
