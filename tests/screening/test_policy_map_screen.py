"""Screens under a policy map: each household under its place's policy, serially, in processes and
in a report; a place the map does not cover is a problem household, never screened under a guess."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from relapse_guard import PolicyMap
from relapse_guard.errors import NoPolicyForPlace
from relapse_guard.policies.policy_map import load_policy_map
from relapse_guard.population import Population, generate_population, read_population
from relapse_guard.reporting import collect_population
from relapse_guard.screening import DistrictTotals, screen_records
from relapse_guard.screening.choice import MapChoice, OnePolicy, choose
from relapse_guard.screening.parallel import screen_population
from relapse_guard.screening.screen import StoppedAtProblem
from relapse_guard.screening.summary import ScreenResult

AS_OF = dt.date(2016, 12, 31)

#: Yubei and Dazu, Dazu's Longshuizhen under Chongqing's base from July; Bishan not at all.
COUNTY = """
[[place]]
district = "Yubei"
policy = "yubei_2016"
[[place]]
district = "Dazu"
policy = "dazu_2016"
[[place]]
district = "Dazu"
town = "Longshuizhen"
policy = "chongqing_2016"
from = 2016-07-01
"""


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Population:
    directory = tmp_path_factory.mktemp("county")
    generate_population(directory, households=300, partitions=3, seed=7, processes=1)
    return read_population(directory)


@pytest.fixture(scope="module")
def county() -> PolicyMap:
    return PolicyMap.from_toml(COUNTY, source="county.toml")


@pytest.fixture(scope="module")
def serial(population: Population, county: PolicyMap) -> ScreenResult:
    return screen_population(population, county, AS_OF)


def _expected(district: str, town: str) -> str | None:
    if district == "Dazu":
        return "chongqing_2016@2016.1" if town == "Longshuizhen" else "dazu_2016@2016.1"
    return "yubei_2016@2016.1" if district == "Yubei" else None


def test_each_household_is_screened_under_its_place_s_policy(serial: ScreenResult) -> None:
    assert serial.policy == "policy map county.toml"
    assert {row.district for row in serial.rows} == {"Yubei", "Dazu"}
    assert any(row.town == "Longshuizhen" for row in serial.rows)
    for row in serial.rows:
        assert row.policy == _expected(row.district, row.town), row
        assert row.to_dict()["policy"] == row.policy


def test_a_place_the_map_does_not_cover_is_a_problem_household(population: Population, serial: ScreenResult) -> None:
    everyone = screen_population(population, "chongqing_2016", AS_OF)
    bishan = {row.household_id for row in everyone.rows if row.district == "Bishan"}
    assert bishan
    assert {problem.household_id for problem in serial.problems} == bishan
    for problem in serial.problems:
        assert (problem.kind, problem.error, problem.counted) == ("no_policy", "NoPolicyForPlace", False)
        assert "no policy for place 'Bishan/" in problem.message
        assert "on 2016-12-31 in policy map county.toml" in problem.message
        assert str(problem).startswith(f"no_policy: household {problem.household_id!r}: NoPolicyForPlace:")
    assert serial.households_done == 300
    assert "Bishan" not in serial.totals.by_district


def test_rows_are_what_each_district_s_own_policy_gives(population: Population, serial: ScreenResult) -> None:
    for district, name in (("Yubei", "yubei_2016"), ("Dazu", "dazu_2016")):
        alone = screen_population(population, name, AS_OF)
        expected = [row for row in alone.rows if row.district == district and row.town != "Longshuizhen"]
        got = [row for row in serial.rows if row.district == district and row.town != "Longshuizhen"]
        assert got == expected


def test_districts_are_counted_by_the_policy_used_and_name_the_policies_in_force(serial: ScreenResult) -> None:
    dazu = serial.totals.by_district["Dazu"]
    rows = [row for row in serial.rows if row.district == "Dazu"]
    assert dazu.households == len(rows)
    assert dict(dazu.by_policy) == {
        label: sum(1 for row in rows if row.policy == label) for label in {row.policy for row in rows}
    }
    assert dazu.first_fact == dt.date(2016, 1, 1)
    assert dazu.in_force == ("dazu_2016@2016.1", "chongqing_2016@2016.1 from 2016-07-01 in Longshuizhen")
    assert serial.totals.by_district["Yubei"].in_force == ("yubei_2016@2016.1",)
    assert serial.totals.to_dict()["by_district"]["Dazu"] == {
        "households": dazu.households,
        "policies": dict(sorted(dazu.by_policy.items())),
        "in_force": list(dazu.in_force),
        "first_fact": "2016-01-01",
    }


def test_a_district_that_switched_in_the_period_lists_both(population: Population) -> None:
    switched = PolicyMap.from_toml(
        'default = "chongqing_2016"\n[[place]]\ndistrict = "Dazu"\npolicy = "dazu_2016"\nfrom = 2016-07-01\n'
        '[[place]]\ndistrict = "Dazu"\npolicy = "chongqing_2016"\n'
    )
    before = screen_population(population, switched, dt.date(2016, 6, 30), keep_rows=False)
    after = screen_population(population, switched, AS_OF, keep_rows=False)
    assert dict(before.totals.by_district["Dazu"].by_policy).keys() == {"chongqing_2016@2016.1"}
    assert dict(after.totals.by_district["Dazu"].by_policy).keys() == {"dazu_2016@2016.1"}
    assert after.totals.by_district["Dazu"].in_force == (
        "chongqing_2016@2016.1 until 2016-06-30",
        "dazu_2016@2016.1 from 2016-07-01",
    )
    assert before.totals.by_district["Dazu"].in_force == ("chongqing_2016@2016.1 until 2016-06-30",)
    assert after.totals.by_district["Bishan"].in_force == ("chongqing_2016@2016.1",)


def test_one_policy_names_itself_in_every_district(population: Population) -> None:
    result = screen_population(population, "yubei_2016", AS_OF, keep_rows=False)
    assert result.policy == "yubei_2016@2016.1"
    assert set(result.totals.by_district) == {"Yubei", "Dazu", "Bishan"}
    for district in result.totals.by_district.values():
        assert district.in_force == ("yubei_2016@2016.1",)
        assert set(district.by_policy) == {"yubei_2016@2016.1"}
    assert sum(d.households for d in result.totals.by_district.values()) == result.totals.households


def test_two_workers_give_the_serial_screen(population: Population, county: PolicyMap, serial: ScreenResult) -> None:
    parallel = screen_population(population, county, AS_OF, workers=2)
    assert parallel.rows == serial.rows
    assert parallel.problems == serial.problems
    assert parallel.totals.to_dict() == serial.totals.to_dict()
    assert parallel.policy == serial.policy


def test_the_built_in_map_screens_every_shipped_district(population: Population) -> None:
    result = screen_population(population, load_policy_map("chongqing"), AS_OF)
    assert not result.problems
    assert {row.district: row.policy for row in result.rows} == {
        "Yubei": "yubei_2016@2016.1",
        "Dazu": "dazu_2016@2016.1",
        "Bishan": "bishan_2016@2016.1",
    }


def test_fail_fast_stops_at_the_first_place_without_a_policy(population: Population, county: PolicyMap) -> None:
    with pytest.raises(StoppedAtProblem) as caught:
        screen_population(population, county, AS_OF, fail_fast=True)
    assert caught.value.problem.kind == "no_policy"
    assert isinstance(caught.value.__cause__, NoPolicyForPlace)


def test_the_report_gathers_each_district_under_its_policy(
    population: Population, county: PolicyMap, serial: ScreenResult
) -> None:
    data = collect_population(population, county, AS_OF)
    assert data.policy == "policy map county.toml"
    assert {p.household_id for p in data.problems} == {p.household_id for p in serial.problems}
    assert {name: dict(d.by_policy) for name, d in data.by_district.items()} == {
        name: dict(d.by_policy) for name, d in serial.totals.by_district.items()
    }
    assert {name: d.in_force for name, d in data.by_district.items()} == {
        name: d.in_force for name, d in serial.totals.by_district.items()
    }
    parallel = collect_population(population, county, AS_OF, workers=2)
    assert attrs.evolve(parallel, fact_id_digests=[]) == attrs.evolve(data, fact_id_digests=[])


def test_a_choice_gives_one_engine_a_policy(county: PolicyMap, population: Population) -> None:
    choice = choose(county, AS_OF, record_decisions=False)
    assert isinstance(choice, MapChoice)
    assert choose(choice, AS_OF) is choice
    records = [record for record in population.partitions[0].records(kinds=choice.kinds) if record[0] is not None]
    engines: dict[str, set[int]] = {}
    for household, _facts, _bad in records:
        assert household is not None
        if household.place.district != "Bishan":
            engine = choice.engine_for(household)
            engines.setdefault(engine.policy.label, set()).add(id(engine))
    assert all(len(ids) == 1 for ids in engines.values())
    one = choose("dazu_2016", AS_OF)
    assert isinstance(one, OnePolicy)
    assert one.in_force("Anywhere", AS_OF, AS_OF) == ("dazu_2016@2016.1",)


def test_screen_records_takes_a_map_directly(county: PolicyMap, population: Population) -> None:
    kinds = choose(county, AS_OF).kinds
    records = list(population.partitions[0].records(kinds=kinds))
    result = screen_records(records, county, AS_OF)
    assert result.rows
    assert all(row.policy == _expected(row.district, row.town) for row in result.rows)
    assert all(isinstance(d, DistrictTotals) and d.in_force for d in result.totals.by_district.values())
