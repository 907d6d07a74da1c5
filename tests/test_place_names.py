"""Other names of a policy map's places (``district_aliases``, ``town_aliases``): a household whose
data spells its district in Chinese is screened under its district's policy, counted with it and
found by its Chinese name; a name given to two places is refused."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Household, IncomeAssessed, Member, Place, PolicyMap
from relapse_guard.errors import AmbiguousPlaceName, InvalidPolicyMap, WrongType
from relapse_guard.monitoring import Monitor
from relapse_guard.policies import policy_names
from relapse_guard.policies.policy_map import PlaceEntry, builtin_policy_map, district_matcher
from relapse_guard.screening.screen import screen_records
from relapse_guard.store import MemoryStore

D = dt.date
ON = D(2016, 12, 31)
CHINESE = {"Yubei": ("渝北区", "渝北"), "Dazu": ("大足区", "大足"), "Bishan": ("璧山区", "璧山")}

COUNTY = """
default = "chongqing_2016"
[[place]]
district = "Dazu"
district_aliases = ["大足区", "大足"]
policy = "chongqing_2016"
[[place]]
district = "Dazu"
policy = "dazu_2016"
from = 2016-07-01
[[place]]
district = "Dazu"
town = "Longshuizhen"
town_aliases = ["龙水镇"]
policy = "bishan_2016"
[[place]]
district = "Yubei"
district_aliases = ["渝北区"]
policy = "yubei_2016"
"""


# --- the built-in map ---------------------------------------------------------------------


@pytest.mark.parametrize("district", sorted(CHINESE))
def test_the_chongqing_map_chooses_by_the_chinese_names(district: str) -> None:
    chongqing = builtin_policy_map()
    for name in CHINESE[district]:
        assert chongqing.policy_name_for(Place(name, "某镇"), ON) == f"{district.lower()}_2016"
        assert chongqing.district_name(name) == district  # counted with the pinyin spelling
        assert chongqing.same_district(name, district.upper())
    assert chongqing.district_name(district, "zh-CN") == CHINESE[district][0]
    assert chongqing.district_name(district.lower(), "en") == district
    assert chongqing.policy_name_for(Place("万州区"), ON) == "chongqing_2016"  # no name of its own: the default
    assert chongqing.district_name("万州区", "zh-CN") == "万州区"


def _spelt(name: str, how: str, pad: str) -> str:
    cased = {"upper": name.upper(), "lower": name.lower(), "title": name.title(), "same": name}[how]
    return pad + cased + pad


_SPELLINGS = st.tuples(
    st.sampled_from(sorted(CHINESE)),
    st.integers(0, 2),  # 0: the pinyin, 1-2: the Chinese names
    st.sampled_from(["upper", "lower", "title", "same"]),
    st.sampled_from(["", " ", "  ", "\t", "\u3000"]),  # \u3000: the ideographic space of a Chinese export
)


@given(
    spelling=_SPELLINGS,
    town=st.sampled_from(["", "Longshuizhen", "龙水镇"]),
    on=st.dates(D(2014, 1, 1), D(2020, 12, 31)),
)
def test_any_name_of_a_district_in_any_case_chooses_its_policy(
    spelling: tuple[str, int, str, str], town: str, on: dt.date
) -> None:
    district, which, how, pad = spelling
    name = _spelt((district, *CHINESE[district])[which], how, pad)
    chongqing = builtin_policy_map()
    assert chongqing.policy_name_for(Place(name, town), on) == chongqing.policy_name_for(Place(district, town), on)
    assert chongqing.policy_name_for(Place(name, town), on) == f"{district.lower()}_2016"
    assert chongqing.district_name(name) == district
    assert district_matcher(name)(district)
    assert district_matcher(district)(name)
    others = [other for other in CHINESE if other != district]
    assert not any(district_matcher(name)(other) or district_matcher(name)(CHINESE[other][0]) for other in others)


# --- a map's own names --------------------------------------------------------------------


def test_a_map_s_other_names_choose_the_district_s_policy_and_the_town_s() -> None:
    county = PolicyMap.from_toml(COUNTY, source="county.toml")
    assert county.policy_name_for(Place("大足区"), D(2016, 3, 1)) == "chongqing_2016"
    assert county.policy_name_for(Place("大足"), D(2016, 8, 1)) == "dazu_2016"
    assert county.policy_name_for(Place("大足区", "龙水镇"), D(2016, 8, 1)) == "bishan_2016"
    assert county.policy_name_for(Place("Dazu", " 龙水镇"), D(2016, 8, 1)) == "bishan_2016"
    assert county.policy_name_for(Place("大足区", "Other"), D(2016, 8, 1)) == "dazu_2016"
    assert county.policy_name_for(Place("渝北区"), D(2016, 8, 1)) == "yubei_2016"
    assert county.policy_name_for(Place("璧山区"), D(2016, 8, 1)) == "chongqing_2016"  # not named in this map
    assert county.spells("大足区", D(2016, 1, 1), D(2016, 12, 31)) == county.spells("Dazu", D(2016, 1, 1), ON)
    assert str(county.entries[0]) == "Dazu: chongqing_2016 (also district 大足区, 大足)"
    assert str(county.entries[2]) == "Dazu/Longshuizhen: bishan_2016 (also town 龙水镇)"
    back = pickle.loads(pickle.dumps(county))
    assert back == county
    assert back.policy_name_for(Place("大足区", "龙水镇"), D(2016, 8, 1)) == "bishan_2016"


def test_other_names_in_python_are_checked_as_in_a_file() -> None:
    county = PolicyMap([PlaceEntry("Dazu", "dazu_2016", district_aliases=["大足区"])])
    assert county.entries[0].district_aliases == ("大足区",)
    assert county.policy_name_for(Place("大足区"), ON) == "dazu_2016"
    with pytest.raises(InvalidPolicyMap, match=r"district_aliases = '大足区' refused; expected a list of names"):
        PolicyMap([PlaceEntry("Dazu", "dazu_2016", district_aliases="大足区")])


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ('district_aliases = "大足区"', "district_aliases = '大足区' refused; expected a list of names"),
        ("district_aliases = [3]", "district_aliases = 3 refused; expected a name, in quotes"),
        ('district_aliases = [" 大足区"]', "expected a name without spaces before or after it"),
        ('town_aliases = ["龙水镇"]', "town_aliases = ['龙水镇'] refused; expected other names of the entry's town"),
        ('aliases = ["大足区"]', "did you mean town_aliases or district_aliases"),
    ],
)
def test_other_names_that_cannot_be_used_are_refused(aliases: str, expected: str) -> None:
    toml = f'[[place]]\ndistrict = "Dazu"\npolicy = "dazu_2016"\n{aliases}\n'
    with pytest.raises(InvalidPolicyMap, match=expected.replace("(", r"\(").replace("[", r"\[")):
        PolicyMap.from_toml(toml, source="names.toml")


# --- one name, one place --------------------------------------------------------------------


def _entry(district: str, policy: str, *lines: str) -> str:
    return "\n".join(["[[place]]", f'district = "{district}"', f'policy = "{policy}"', *lines, ""])


@pytest.mark.parametrize(
    "toml",
    [
        # another name of both
        _entry("Dazu", "dazu_2016", 'district_aliases = ["大足区"]')
        + _entry("Yubei", "yubei_2016", 'district_aliases = ["大足区"]'),
        # one's other name, the other's own (whatever the order of the entries)
        _entry("大足区", "yubei_2016") + _entry("Dazu", "dazu_2016", 'district_aliases = ["大足区"]'),
        _entry("Dazu", "dazu_2016", 'district_aliases = ["大足区"]') + _entry("大足区", "yubei_2016"),
    ],
)
def test_a_name_given_to_two_districts_is_refused_naming_it_and_both(toml: str) -> None:
    with pytest.raises(AmbiguousPlaceName) as caught:
        PolicyMap.from_toml(toml, source="twice.toml")
    error = caught.value
    assert isinstance(error, InvalidPolicyMap)
    assert error.name == "大足区"
    assert {error.place, error.other} in ({"Dazu", "Yubei"}, {"Dazu", "大足区"})
    assert error.key == "district_aliases"
    message = str(error)
    assert message.startswith("policy map twice.toml: [[place]] #")
    assert (
        "district_aliases = '大足区' refused; expected a name of one district only: '大足区' names district" in message
    )
    assert repr(error.place) in message
    assert repr(error.other) in message
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.name, back.place, back.other) == (
        AmbiguousPlaceName,
        message,
        error.name,
        error.place,
        error.other,
    )


def test_a_name_in_any_case_is_one_name() -> None:
    toml = _entry("Dazu", "dazu_2016", 'district_aliases = ["DZ"]') + _entry(
        "Yubei", "yubei_2016", 'district_aliases = ["dz"]'
    )
    with pytest.raises(AmbiguousPlaceName, match="'dz' names district 'Yubei' here and district 'Dazu' in"):
        PolicyMap.from_toml(toml, source="case.toml")


def test_a_name_given_to_two_towns_of_a_district_is_refused() -> None:
    toml = _entry("Dazu", "dazu_2016", 'town = "Longshuizhen"', 'town_aliases = ["龙水"]')
    toml += _entry("Dazu", "bishan_2016", 'town = "Longshui"')
    toml += _entry("Dazu", "bishan_2016", 'town = "Longgang"', 'town_aliases = ["龙水"]')
    with pytest.raises(AmbiguousPlaceName, match="'龙水' names town 'Dazu/Longgang' here and town 'Dazu/Longshuizhen'"):
        PolicyMap.from_toml(toml, source="towns.toml")


def test_one_name_repeated_for_one_place_or_given_to_towns_of_two_districts_is_fine() -> None:
    toml = _entry("Dazu", "chongqing_2016", 'district_aliases = ["大足区", "Dazu"]')
    toml += _entry("dazu", "dazu_2016", "from = 2016-07-01", 'district_aliases = ["大足区"]')
    toml += _entry("Dazu", "bishan_2016", 'town = "Xincun"', 'town_aliases = ["新村"]')
    toml += _entry("Yubei", "yubei_2016", 'town = "Xincun"', 'town_aliases = ["新村"]')
    county = PolicyMap.from_toml(toml, source="fine.toml")
    assert county.policy_name_for(Place("大足区"), D(2016, 8, 1)) == "dazu_2016"
    assert county.policy_name_for(Place("大足区", "新村"), D(2016, 8, 1)) == "bishan_2016"
    assert county.policy_name_for(Place("Yubei", "新村"), D(2016, 8, 1)) == "yubei_2016"


_NAMES = ("甲区", "乙区", "丙区")


@given(
    entries=st.lists(
        st.builds(
            PlaceEntry,
            district=st.sampled_from(("A", "B", "C")),
            policy=st.sampled_from(sorted(policy_names())),
            start=st.none() | st.dates(D(2015, 1, 1), D(2017, 12, 31)),
            district_aliases=st.lists(st.sampled_from(_NAMES), max_size=2).map(tuple),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda entry: (entry.district, entry.start),
    ),
    on=st.dates(D(2014, 1, 1), D(2018, 12, 31)),
)
def test_a_map_takes_each_name_for_one_district_or_is_refused(entries: list[PlaceEntry], on: dt.date) -> None:
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for name in entry.district_aliases:
            owners.setdefault(name, set()).add(entry.district)
    if any(len(districts) > 1 for districts in owners.values()):
        with pytest.raises(AmbiguousPlaceName):
            PolicyMap(entries, "chongqing_2016")
        return
    county = PolicyMap(entries, "chongqing_2016")
    for name in _NAMES:
        (district,) = owners.get(name, {name})  # a name no entry gives is a district of its own
        try:
            expected: str | None = county.policy_name_for(Place(district), on)
        except LookupError:
            expected = None
        try:
            found: str | None = county.policy_name_for(Place(f" {name} "), on)
        except LookupError:
            found = None
        assert found == expected
        assert county.district_name(name) == district


def test_a_district_matcher_refuses_what_is_not_a_name() -> None:
    with pytest.raises(WrongType, match="a district is a name, not int 3"):
        district_matcher(3)  # type: ignore[arg-type]


# --- screens and cycles -------------------------------------------------------------------


def _households(spellings: list[str]) -> list[tuple[Household, list[IncomeAssessed]]]:
    people = []
    for n, district in enumerate(spellings):
        hid = f"H{n}"
        home = Household(id=hid, place=Place(district, "T"), members=(Member(id=f"{hid}-1", birth_date=D(1970, 1, 1)),))
        fact = IncomeAssessed(id=f"{hid}-i", household_id=hid, date=D(2016, 3, 1), income_per_capita=Decimal(2000))
        people.append((home, [fact]))
    return people


def test_a_household_spelled_in_chinese_is_screened_and_counted_under_its_district() -> None:
    # A household of 大足区 got the default policy (chongqing_2016) of the chongqing map.
    chongqing = builtin_policy_map()
    people = _households(["大足区", "Dazu", "渝北", "万州区"])
    result = screen_records([(home, facts, ()) for home, facts in people], chongqing, ON)
    assert [row.policy for row in sorted(result.rows, key=lambda row: row.household_id)] == [
        "dazu_2016@2016.1",
        "dazu_2016@2016.1",
        "yubei_2016@2016.1",
        "chongqing_2016@2016.1",
    ]
    assert {name: totals.households for name, totals in result.totals.by_district.items()} == {
        "Dazu": 2,
        "Yubei": 1,
        "万州区": 1,
    }


def test_a_cycle_screens_a_chinese_spelling_under_its_district_and_resumes_it_the_next_month() -> None:
    chongqing = builtin_policy_map()
    people = _households(["大足区", " 大足", "渝北区"])
    store = MemoryStore()
    store.put_households(home for home, _ in people)
    monitor = Monitor(store, chongqing)
    report = monitor.cycle([fact.to_dict() for _, facts in people for fact in facts], as_of=ON)
    assert dict(report.districts) == {("Dazu", "dazu_2016@2016.1"): 2, ("Yubei", "yubei_2016@2016.1"): 1}
    stored = store.checkpoints(["H0", "H1", "H2"])
    assert [stored[hid].policy for hid in ("H0", "H1", "H2")] == [
        "dazu_2016@2016.1",
        "dazu_2016@2016.1",
        "yubei_2016@2016.1",
    ]
    summary = report.summary("zh-CN", district_name=lambda name: chongqing.district_name(name, "zh-CN"))
    assert "  大足区" in summary
    assert "  渝北区" in summary
    # the same choice the next month: each household resumed, none replayed for a policy changed
    month = [
        IncomeAssessed(id=f"H{n}-j", household_id=f"H{n}", date=D(2017, 1, 10), income_per_capita=Decimal(2100))
        for n in range(3)
    ]
    again = monitor.cycle([fact.to_dict() for fact in month], as_of=D(2017, 1, 31))
    assert (again.rescreened, again.replayed, again.started) == (3, 0, 0)
    # found by any name of the district, with the map or the built-in one
    for name in ("大足区", "大足", "DAZU"):
        assert {alert.household_id for alert in monitor.alerts(ON, district=name)} == {"H0", "H1"}
    assert {alert.household_id for alert in Monitor(store, "dazu_2016").alerts(ON, district="渝北")} == {"H2"}
    assert monitor.alerts(ON, district="璧山区") == []
