"""A what-if's districts and each household's policies, when a side is a policy map.

A what-if counts each household under its district as the map of side ``a`` names it (side
``b``'s when only ``b`` is a map; as the data writes it when neither is), as a screen under that
map counts it: one name for a district whatever other names the data writes, even when the two
maps spell the district apart. Each household compared names the policy it ran under on each
side, and its district as its data writes it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import attrs
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Fact, Household, Place, Policy, load_policy
from relapse_guard.policies.policy_map import PolicyMap, builtin_policy_map
from relapse_guard.testing import histories, households
from relapse_guard.whatif import Comparison, compare

from .helpers import exited_in_2015, household

D = dt.date
CHONGQING = builtin_policy_map()
#: A county's own map, written in Chinese: the same policies, each district by its Chinese name.
CHINESE = PolicyMap.from_toml(
    'default = "chongqing_2016"\n'
    '[[place]]\ndistrict = "大足区"\ndistrict_aliases = ["Dazu", "大足"]\npolicy = "dazu_2016"\n'
    '[[place]]\ndistrict = "渝北区"\ndistrict_aliases = ["Yubei", "渝北"]\npolicy = "yubei_2016"\n'
    '[[place]]\ndistrict = "璧山区"\ndistrict_aliases = ["Bishan"]\npolicy = "bishan_2016"\n',
    source="chinese.toml",
)
SIDES: dict[str, PolicyMap | Policy] = {
    "chongqing": CHONGQING,
    "chinese": CHINESE,
    "yubei_2016": load_policy("yubei_2016"),
    "dazu_2016": load_policy("dazu_2016"),
}
SPELLINGS = (
    "Yubei",
    "yubei",
    "渝北区",
    "渝北",
    "Dazu",
    " DAZU",
    "大足区",
    "大足",
    "Bishan",
    "璧山区",
    "Wanzhou",
    "万州区",
)


def _policy_label(side: PolicyMap | Policy, place: Place, on: dt.date) -> str:
    return side.policy_for(place, on).label if isinstance(side, PolicyMap) else side.label


def _counted(a: PolicyMap | Policy, b: PolicyMap | Policy, district: str) -> str:
    """The district a what-if of ``a`` against ``b`` counts a household of ``district`` under."""
    namer = a if isinstance(a, PolicyMap) else b
    return namer.district_name(district) if isinstance(namer, PolicyMap) else district


@given(
    sides=st.tuples(st.sampled_from(sorted(SIDES)), st.sampled_from(sorted(SIDES))),
    spellings=st.lists(st.sampled_from(SPELLINGS), min_size=1, max_size=4),
    as_of=st.dates(D(2016, 1, 1), D(2018, 12, 31)),
    data=st.data(),
)
def test_districts_are_named_by_one_side_s_map_and_each_household_names_its_policies(
    sides: tuple[str, str], spellings: list[str], as_of: dt.date, data: st.DataObject
) -> None:
    a, b = SIDES[sides[0]], SIDES[sides[1]]
    population: list[tuple[Household, Sequence[Fact]]] = []
    for n, district in enumerate(spellings):
        home = data.draw(households(household_id=f"HH-{n}", born_by=D(2014, 12, 31)), label="household")
        home = attrs.evolve(home, place=attrs.evolve(home.place, district=district))
        policy = CHONGQING.policy_for(home.place, as_of)
        population.append((home, data.draw(histories(home, D(2015, 1, 1), D(2018, 12, 31), policy=policy))))

    every = compare(a, b, population, as_of=as_of, keep_all=True)
    kept = compare(a, b, population, as_of=as_of)

    counted = Counter(_counted(a, b, home.place.district) for home, _facts in population)
    for comparison in (every, kept):
        assert {name: district.households for name, district in comparison.by_district().items()} == dict(counted)
    assert kept.by_district() == every.by_district()
    places = {home.id: home.place for home, _facts in population}
    for item in (*every.households, *kept.households):
        place = places[item.household_id]
        assert (item.policy_a, item.policy_b) == (_policy_label(a, place, as_of), _policy_label(b, place, as_of))
        assert item.district == _counted(a, b, place.district)
        assert item.district_as_given == place.district


def _county() -> list[tuple[Household, Sequence[Fact]]]:
    """Two Dazu households, one written 大足区, and a Yubei one written 渝北区; each exited in 2015,
    then falling below the line."""
    out: list[tuple[Household, Sequence[Fact]]] = []
    for hid, district in (("DZ-1", "Dazu"), ("DZ-2", "大足区"), ("YB-1", "渝北区")):
        home = household(hid)
        out.append(
            (attrs.evolve(home, place=Place(district, "Town", "Village")), exited_in_2015(hid, income_after=2500))
        )
    return out


def _districts(comparison: Comparison) -> dict[str, int]:
    return {name: district.households for name, district in comparison.by_district().items()}


def test_two_maps_that_spell_a_district_apart_count_it_once_as_side_a_spells_it() -> None:
    on = D(2016, 12, 31)
    # Once "Dazu" (as chongqing spells it) was counted as 大足区 (the other map's name) and 大足区 as Dazu.
    assert _districts(compare(CHONGQING, CHINESE, _county(), as_of=on)) == {"Dazu": 2, "Yubei": 1}
    assert _districts(compare(CHINESE, CHONGQING, _county(), as_of=on)) == {"大足区": 2, "渝北区": 1}
    assert _districts(compare("dazu_2016", CHINESE, _county(), as_of=on)) == {"大足区": 2, "渝北区": 1}
    assert _districts(compare("dazu_2016", "yubei_2016", _county(), as_of=on)) == {"Dazu": 1, "大足区": 1, "渝北区": 1}


def test_each_household_names_the_policy_of_its_place_on_each_side() -> None:
    comparison = compare(CHONGQING, "bishan_2016", _county(), as_of=D(2016, 12, 31), keep_all=True)
    assert [
        (h.household_id, h.district, h.district_as_given, h.policy_a, h.policy_b) for h in comparison.households
    ] == [
        ("DZ-1", "Dazu", "Dazu", "dazu_2016@2016.1", "bishan_2016@2016.1"),
        ("DZ-2", "Dazu", "大足区", "dazu_2016@2016.1", "bishan_2016@2016.1"),
        ("YB-1", "Yubei", "渝北区", "yubei_2016@2016.1", "bishan_2016@2016.1"),
    ]
