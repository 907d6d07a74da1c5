"""A report counts districts as a screen does: under a policy map, by the map's name for each
district (a household whose data writes another name the map gives it, or the same name in
another case, is counted with it); under one policy, as the data writes them. The lists of
households keep each household's place as its data writes it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Fact, Household, Policy, load_policy
from relapse_guard.policies.policy_map import PolicyMap, builtin_policy_map
from relapse_guard.population import read_population
from relapse_guard.reporting import RelapseEntry, ReportData, ReviewEntry, collect_population, collect_records
from relapse_guard.reporting.from_store import collect_store
from relapse_guard.screening.screen import screen_records
from relapse_guard.store import SQLiteStore
from relapse_guard.testing import histories, households

from ..places import respelled, spelt

D = dt.date
AS_OF = D(2018, 12, 31)
CHONGQING = builtin_policy_map()
#: Names of districts as data may write them: the map's own, its other names, and a district
#: the map names not at all (the default's, Wanzhou, in pinyin and in Chinese).
NAMES = ("Yubei", "渝北区", "渝北", "Dazu", "大足区", "大足", "Bishan", "璧山区", "Wanzhou", "万州区")
CASES: dict[str, Callable[[str], str]] = {"same": str, "upper": str.upper, "lower": str.lower}
DAZU = load_policy("dazu_2016")


def _entries_places(data: ReportData) -> dict[str, set[str]]:
    """The districts the lists of households give each household listed."""
    listed: dict[str, set[str]] = {}
    entries: list[RelapseEntry | ReviewEntry] = [*data.relapse_list, *data.review_list]
    for entry in entries:
        listed.setdefault(entry.household_id, set()).add(entry.district)
    return listed


@given(
    spellings=st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from(sorted(CASES)), st.sampled_from(["", " "])),
        min_size=1,
        max_size=4,
    ),
    under_map=st.booleans(),
    data=st.data(),
)
def test_a_report_counts_each_district_as_a_screen_does(
    spellings: list[tuple[str, str, str]], under_map: bool, data: st.DataObject
) -> None:
    source: Policy | PolicyMap = CHONGQING if under_map else DAZU
    population: list[tuple[Household, Sequence[Fact]]] = []
    for n, (name, case, pad) in enumerate(spellings):
        district = pad + CASES[case](name) + pad
        home = data.draw(households(household_id=f"HH-{n}", born_by=D(2014, 12, 31)), label="household")
        home = attrs.evolve(home, place=attrs.evolve(home.place, district=district))
        policy = CHONGQING.policy_for(home.place, AS_OF) if under_map else DAZU
        facts = data.draw(histories(home, D(2015, 1, 1), AS_OF, policy=policy), label="facts")
        population.append((home, facts))
    records = [(home, facts, ()) for home, facts in population]

    report = collect_records(records, source, AS_OF, limit=100)
    screened = screen_records(records, source, AS_OF)

    given_names = {home.id: home.place.district for home, _facts in population}
    counted = Counter(CHONGQING.district_name(name) if under_map else name for name in given_names.values())
    assert {name: totals.households for name, totals in report.by_district.items()} == dict(counted)
    assert report.by_district == screened.totals.by_district  # the policies used and in force too
    by_place_state = {
        f"{district}/{town}|{state}": n
        for (district, town), states in report.by_place.items()
        for state, n in states.items()
    }
    assert by_place_state == dict(screened.totals.by_place_state)
    assert {district for district, _town in report.money_by_place} <= set(counted)
    for household_id, listed in _entries_places(report).items():
        assert listed == {given_names[household_id]}  # as the data writes it


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return respelled(tmp_path_factory.mktemp("districts") / "county", households=200, months=36, partitions=2)


def test_under_the_map_a_district_written_two_ways_is_one(county: Path) -> None:
    given_names = spelt(county)
    written = Counter(given_names.values())
    assert min(written["大足区"], written["Dazu"], written["yubei"]) > 0  # the county spells them both ways
    report = collect_population(county, CHONGQING, AS_OF, limit=1_000)
    assert {name: totals.households for name, totals in report.by_district.items()} == {
        "Bishan": written["Bishan"],
        "Dazu": written["Dazu"] + written["大足区"],
        "Yubei": written["Yubei"] + written["yubei"],
    }
    assert {district for district, _town in report.by_place} == {"Bishan", "Dazu", "Yubei"}
    assert {district for district, _town in report.money_by_place} == {"Bishan", "Dazu", "Yubei"}
    assert report.by_district["Dazu"].in_force == ("dazu_2016@2016.1",)
    # a household listed is named by its place as its data writes it
    listed = _entries_places(report)
    assert {name for hid, names in listed.items() for name in names if given_names[hid] != "Bishan"} >= {
        "Dazu",
        "大足区",
    }
    assert all(names == {given_names[hid]} for hid, names in listed.items())
    assert collect_population(county, CHONGQING, AS_OF, limit=1_000, workers=2) == report


def test_under_one_policy_the_data_s_names_are_kept(county: Path) -> None:
    written = Counter(spelt(county).values())
    report = collect_population(county, "dazu_2016", AS_OF)
    assert {name: totals.households for name, totals in report.by_district.items()} == dict(written)


def test_a_store_s_report_counts_districts_under_the_map_too(county: Path, tmp_path: Path) -> None:
    path = tmp_path / "county.db"
    with SQLiteStore(path) as store:
        for household, facts, _bad in _records(county):
            store.put_household(household)
            store.append(household.id, facts)
    from_store = collect_store(path, CHONGQING, AS_OF, limit=1_000)
    assert from_store == collect_population(county, CHONGQING, AS_OF, limit=1_000)
    assert set(from_store.by_district) == {"Bishan", "Dazu", "Yubei"}
    assert set(collect_store(path, "dazu_2016", AS_OF).by_district) == {"Bishan", "Dazu", "大足区", "Yubei", "yubei"}


def _records(county: Path) -> list[tuple[Household, Sequence[Fact], tuple[()]]]:
    """The households of ``county`` with their facts."""
    out: list[tuple[Household, Sequence[Fact], tuple[()]]] = []
    for household, facts, _bad in read_population(county).iter_records():
        assert household is not None
        out.append((household, facts, ()))
    return out
