"""Policy maps: the TOML format and its every error, town over district, dates, the built-in map, pickling."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Place, PolicyMap
from relapse_guard.errors import InvalidArgument, InvalidPolicyMap, InvalidPolicySpec, NoPolicyForPlace, WrongType
from relapse_guard.policies import policy_names
from relapse_guard.policies.policy_map import (
    BUILTIN_POLICY_MAPS,
    PlaceEntry,
    Spell,
    builtin_policy_map,
    load_policy_map,
)
from relapse_guard.policies.spec import load_policy_spec

D = dt.date

COUNTY = """
# relapse_guard policy map
default = "chongqing_2016"          # optional: any district not listed
[[place]]
district = "Yubei"
policy = "yubei_2016"
[[place]]
district = "Dazu"
policy = "dazu_2016"
from = 2016-01-01
[[place]]
district = "Dazu"
policy = "chongqing_2016"
[[place]]
district = "Dazu"
town = "Longshuizhen"
policy = "bishan_2016"
from = "2016-07-01"
"""


@pytest.fixture
def county() -> PolicyMap:
    return PolicyMap.from_toml(COUNTY, source="county.toml")


# --- reading ------------------------------------------------------------------------------


def test_a_map_reads_its_entries_in_order_with_their_dates(county: PolicyMap) -> None:
    assert list(county) == [
        PlaceEntry("Yubei", "yubei_2016"),
        PlaceEntry("Dazu", "dazu_2016", start=D(2016, 1, 1)),
        PlaceEntry("Dazu", "chongqing_2016"),
        PlaceEntry("Dazu", "bishan_2016", "Longshuizhen", D(2016, 7, 1)),
    ]
    assert len(county) == 4
    assert (county.default, county.source, county.label) == ("chongqing_2016", "county.toml", "policy map county.toml")
    assert county.names() == ("bishan_2016", "chongqing_2016", "dazu_2016", "yubei_2016")
    assert (
        str(county)
        == county.describe()
        == (
            "policy map county.toml\n"
            "  Yubei: yubei_2016\n"
            "  Dazu: dazu_2016 from 2016-01-01\n"
            "  Dazu: chongqing_2016\n"
            "  Dazu/Longshuizhen: bishan_2016 from 2016-07-01\n"
            "  any other district: chongqing_2016"
        )
    )


def test_a_map_is_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "county.toml"
    path.write_text(COUNTY, encoding="utf-8")
    assert PolicyMap.from_file(path) == PolicyMap.from_toml(COUNTY, source=str(path), directory=tmp_path)
    assert load_policy_map(str(path)).source == str(path)
    assert load_policy_map(path).entries == PolicyMap.from_file(path).entries


def test_a_town_entry_overrides_its_district_from_its_date(county: PolicyMap) -> None:
    town, other_town = Place("Dazu", "Longshuizhen", "Xinhua"), Place("Dazu", "Baodingzhen")
    assert county.policy_name_for(town, D(2016, 7, 1)) == "bishan_2016"
    assert county.policy_name_for(town, D(2016, 6, 30)) == "dazu_2016"  # before the town's entry: the district's
    assert county.policy_name_for(other_town, D(2016, 7, 1)) == "dazu_2016"


def test_the_entry_in_force_is_the_latest_that_started(county: PolicyMap) -> None:
    dazu = Place("Dazu")
    assert county.policy_name_for(dazu, D(2015, 12, 31)) == "chongqing_2016"  # no from: from the beginning
    assert county.policy_name_for(dazu, D(2016, 1, 1)) == "dazu_2016"
    assert county.policy_name_for(dazu, D(2030, 1, 1)) == "dazu_2016"


def test_the_default_is_for_districts_without_an_entry(county: PolicyMap) -> None:
    assert county.policy_name_for(Place("Wanzhou", "Longshuizhen"), D(2016, 1, 1)) == "chongqing_2016"
    assert county.policy_name_for(Place("Yubei", "Anywhere"), D(1990, 1, 1)) == "yubei_2016"


def test_policies_are_loaded_from_the_registry_once_a_name(county: PolicyMap) -> None:
    policy = county.policy_for(Place("Dazu", "Longshuizhen"), D(2016, 12, 31))
    assert policy.label == "bishan_2016@2016.1"
    assert county.policy_for(Place("Wanzhou"), D(2016, 12, 31)).label == "chongqing_2016@2016.1"
    assert county.policy_named("bishan_2016") is policy
    loaded = county.policies()
    assert sorted(loaded) == list(county.names())
    assert loaded["bishan_2016"] is policy
    with pytest.raises(InvalidArgument, match="names no policy 'atlantis'"):
        county.policy_named("atlantis")


def test_spells_list_every_policy_in_force_in_a_period(county: PolicyMap) -> None:
    whole = county.spells("Dazu", D(2015, 6, 1), D(2016, 12, 31))
    assert whole == (
        Spell("chongqing_2016", "", None, D(2015, 12, 31)),
        Spell("dazu_2016", "", D(2016, 1, 1), None),
        Spell("bishan_2016", "Longshuizhen", D(2016, 7, 1), None),
    )
    assert [spell.describe() for spell in whole] == [
        "chongqing_2016 until 2015-12-31",
        "dazu_2016 from 2016-01-01",
        "bishan_2016 from 2016-07-01 in Longshuizhen",
    ]
    assert county.spells("Dazu", D(2016, 2, 1), D(2016, 3, 1)) == (Spell("dazu_2016", "", D(2016, 1, 1), None),)
    assert county.spells("Wanzhou", D(2016, 1, 1), D(2016, 1, 1)) == (Spell("chongqing_2016"),)
    only_default = PolicyMap([], "chongqing_2016")
    assert (len(only_default), bool(only_default)) == (0, True)
    assert county.spells("Yubei", D(2016, 1, 1), D(2016, 1, 1))[0].describe("yubei_2016@2016.1") == "yubei_2016@2016.1"


# --- places no entry covers ---------------------------------------------------------------


def test_a_place_no_entry_covers_names_the_place_the_date_and_how_to_add_one() -> None:
    small = PolicyMap.from_toml('[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2016"\n', source="small.toml")
    with pytest.raises(NoPolicyForPlace) as caught:
        small.policy_name_for(Place("Yubie", "Dashengzhen", "Xinhua"), D(2016, 12, 31))
    error = caught.value
    assert (error.place, error.on, error.source, error.suggestions) == (
        "Yubie/Dashengzhen/Xinhua",
        D(2016, 12, 31),
        "small.toml",
        ("Yubei",),
    )
    message = str(error)
    assert "'Yubie/Dashengzhen/Xinhua' on 2016-12-31 in policy map small.toml" in message
    assert "did you mean district 'Yubei'?" in message
    assert "add a [[place]] entry" in message
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.place, back.on, back.suggestions) == (
        NoPolicyForPlace,
        message,
        error.place,
        error.on,
        error.suggestions,
    )


@pytest.mark.parametrize("spelt", ["Yubei", "yubei", "YUBEI", " Yubei ", "Yubei\t", "yubei  "])
def test_a_district_is_matched_case_and_spaces_aside_never_defaulted(spelt: str) -> None:
    # A padded export ("Yubei ") once got the default policy, silently.
    toml = 'default = "chongqing_2016"\n[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2016"\n'
    toml += '[[place]]\ndistrict = "Dazu"\ntown = "Longshuizhen"\npolicy = "dazu_2016"\n'
    padded = PolicyMap.from_toml(toml, source="padded.toml")
    assert padded.policy_name_for(Place(spelt, "Dashengzhen"), D(2016, 12, 31)) == "yubei_2016"
    assert padded.policy_name_for(Place("dazu", " longshuizhen"), D(2016, 12, 31)) == "dazu_2016"
    assert padded.policy_name_for(Place("Dazu", "Other"), D(2016, 12, 31)) == "chongqing_2016"
    assert padded.policy_name_for(Place("Bishan"), D(2016, 12, 31)) == "chongqing_2016"
    (spell,) = [s for s in padded.spells(" DAZU", D(2016, 1, 1), D(2016, 12, 31)) if s.town]
    assert spell.town == "Longshuizhen"  # as the map spells it


def test_two_entries_for_one_district_spelt_two_ways_are_refused() -> None:
    toml = '[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2016"\n[[place]]\ndistrict = "yubei"\npolicy = "dazu_2016"\n'
    with pytest.raises(InvalidPolicyMap, match="one entry per place and date"):
        PolicyMap.from_toml(toml, source="twice.toml")


def test_a_district_whose_entries_start_later_has_no_policy_before(county: PolicyMap) -> None:
    later = PolicyMap.from_toml(
        'default = "chongqing_2016"\n[[place]]\ndistrict = "Dazu"\npolicy = "dazu_2016"\nfrom = 2016-01-01\n'
    )
    assert later.policy_name_for(Place("Dazu"), D(2016, 1, 1)) == "dazu_2016"
    with pytest.raises(NoPolicyForPlace, match="district 'Dazu' has a policy from 2016-01-01 on only"):
        later.policy_name_for(Place("Dazu"), D(2015, 12, 31))  # not the default: the district is listed


def test_a_look_up_refuses_what_is_not_a_place_or_a_date(county: PolicyMap) -> None:
    with pytest.raises(WrongType, match="Place"):
        county.policy_name_for("Dazu", D(2016, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(WrongType, match=r"datetime\.date"):
        county.policy_name_for(Place("Dazu"), dt.datetime(2016, 1, 1))


# --- errors in a map ----------------------------------------------------------------------

_YUBEI = 'district = "Yubei"\npolicy = "yubei_2016"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[place]\n", "not valid TOML"),
        ('defualt = "chongqing_2016"\n', "top level: defualt = 'chongqing_2016' refused; expected one of the keys "),
        ('defualt = "chongqing_2016"\n', "did you mean default?"),
        (f"[place]\n{_YUBEI}", "top level: place = {"),
        (f"[place]\n{_YUBEI}", "[[place]] tables (two brackets: one per place)"),
        ('place = ["Yubei"]\n', "[[place]] #1: place = 'Yubei' refused; expected a [[place]] table"),
        (
            f"[[place]]\n{_YUBEI}form = 2016-01-01\n",
            "[[place]] #1 (district 'Yubei'): form = datetime.date(2016, 1, 1)",
        ),
        (f"[[place]]\n{_YUBEI}form = 2016-01-01\n", "did you mean from?"),
        (
            '[[place]]\npolicy = "yubei_2016"\n',
            "[[place]] #1: district is missing; expected a district and a policy in each [[place]]",
        ),
        (f'[[place]]\n{_YUBEI}[[place]]\ndistrict = "Dazu"\n', "[[place]] #2 (district 'Dazu'): policy is missing"),
        ('[[place]]\ndistrict = 5\npolicy = "yubei_2016"\n', "district = 5 refused; expected a name, in quotes"),
        ('[[place]]\ndistrict = ""\npolicy = "yubei_2016"\n', "district = '' refused; expected a name, in quotes"),
        ('[[place]]\ndistrict = " Yubei"\npolicy = "yubei_2016"\n', "a name without spaces before or after it"),
        (f"[[place]]\n{_YUBEI}town = 3\n", "town = 3 refused; expected a name, in quotes (or none)"),
        ('[[place]]\ndistrict = "Yubei"\npolicy = 1\n', "policy = 1 refused; expected a name, in quotes"),
        (
            '[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2061"\n',
            "policy = 'yubei_2061' refused; expected a registered policy (did you mean yubei_2016?); known: ",
        ),
        ('default = "chongqing_2061"\n', "default: default = 'chongqing_2061' refused"),
        ("default = 3\n", "default: default = 3 refused; expected a name"),
        (
            f"[[place]]\n{_YUBEI}[[place]]\n{_YUBEI}",
            "[[place]] #2 (district 'Yubei'): place = 'Yubei' refused; expected one entry per place and date: "
            "[[place]] #1 (district 'Yubei') is for the same place, also without from",
        ),
        (
            f"[[place]]\n{_YUBEI}from = 2016-01-01\n[[place]]\n{_YUBEI}from = 2016-01-01\n",
            "[[place]] #2 (district 'Yubei'): from = datetime.date(2016, 1, 1) refused; expected one entry per "
            "place and date",
        ),
        (
            f'[[place]]\n{_YUBEI}from = "2016-13-45"\n',
            "from = '2016-13-45' refused; expected a date, written 2016-01-01",
        ),
        (f"[[place]]\n{_YUBEI}from = 2016\n", "from = 2016 refused; expected a date"),
        (f"[[place]]\n{_YUBEI}from = 2016-01-01T08:00:00\n", "from = datetime.datetime(2016, 1, 1, 8, 0) refused"),
        ("# nothing yet\n", "it maps no place: give [[place]] entries or a default"),
    ],
)
def test_a_bad_map_names_the_file_the_entry_and_the_value(text: str, expected: str) -> None:
    with pytest.raises(InvalidPolicyMap) as caught:
        PolicyMap.from_toml(text, source="county.toml")
    assert str(caught.value).startswith("policy map county.toml: ")
    assert expected in str(caught.value)
    back = pickle.loads(pickle.dumps(caught.value))
    assert (str(back), back.source, back.entry, back.key) == (
        str(caught.value),
        "county.toml",
        caught.value.entry,
        caught.value.key,
    )


def test_an_error_keeps_what_was_wrong() -> None:
    with pytest.raises(InvalidPolicyMap) as caught:
        PolicyMap.from_toml('[[place]]\ndistrict = "Dazu"\ntown = "X"\npolicy = "dazu"\n', source="m.toml")
    error = caught.value
    assert (error.source, error.entry, error.key, error.value) == (
        "m.toml",
        "[[place]] #1 (district 'Dazu', town 'X')",
        "policy",
        "dazu",
    )
    assert "did you mean dazu_2016?" in str(error)


def test_a_map_built_in_code_is_checked_as_a_file_is() -> None:
    assert PolicyMap([PlaceEntry("Yubei", "yubei_2016")]).policy_name_for(Place("Yubei"), D(2016, 1, 1)) == "yubei_2016"
    with pytest.raises(InvalidPolicyMap, match="policy map <policy map>: entry #1: entry = 'Yubei' refused"):
        PolicyMap(["Yubei"])  # type: ignore[list-item]
    with pytest.raises(InvalidPolicyMap, match="from = '2016-01-01' refused"):
        PolicyMap([PlaceEntry("Yubei", "yubei_2016", start="2016-01-01")])  # type: ignore[arg-type]
    with pytest.raises(WrongType, match="source must be text"):
        PolicyMap([], "yubei_2016", source=3)  # type: ignore[arg-type]


def test_a_file_that_is_not_utf8_or_not_there_is_named(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes('district = "Bishan"  # \xe9\n'.encode("latin-1"))
    with pytest.raises(InvalidPolicyMap, match=r"latin\.toml: not UTF-8 text"):
        PolicyMap.from_file(latin)
    with pytest.raises(InvalidPolicyMap, match=r"nowhere\.toml: no such file, and not a built-in map \(chongqing\)"):
        load_policy_map(str(tmp_path / "nowhere.toml"))
    with pytest.raises(WrongType):
        load_policy_map(3)  # type: ignore[arg-type]


# --- the built-in map ---------------------------------------------------------------------


def test_the_chongqing_map_gives_each_district_its_own_policy() -> None:
    county = load_policy_map("chongqing")
    assert county == builtin_policy_map() == builtin_policy_map("chongqing")
    assert list(BUILTIN_POLICY_MAPS) == ["chongqing"]
    on = D(2016, 12, 31)
    found = {district: county.policy_for(Place(district), on).label for district in ("Yubei", "Dazu", "Bishan")}
    assert found == {"Yubei": "yubei_2016@2016.1", "Dazu": "dazu_2016@2016.1", "Bishan": "bishan_2016@2016.1"}
    assert county.policy_name_for(Place("Wanzhou", "Gaofengzhen"), on) == "chongqing_2016"
    assert set(county.names()) == set(policy_names())
    assert county.source == "chongqing"
    with pytest.raises(InvalidArgument, match="no built-in policy map 'atlantis'; built in: chongqing"):
        builtin_policy_map("atlantis")


def test_the_chongqing_map_spells_districts_as_the_synthetic_households_do() -> None:
    from relapse_guard.population import synthetic_households

    county = load_policy_map("chongqing")
    districts = {household.place.district for household, _ in synthetic_households(200, seed=1)}
    assert districts == {"Yubei", "Dazu", "Bishan"}
    for district in districts:
        assert county.policy_name_for(Place(district), D(2016, 12, 31)) == f"{district.lower()}_2016"


# --- pickling -----------------------------------------------------------------------------


def test_a_map_pickles_as_names_without_its_policies(county: PolicyMap) -> None:
    before = pickle.dumps(county)
    county.policies()
    county.policy_name_for(Place("Dazu"), D(2016, 1, 1))  # the index is built too
    after = pickle.dumps(county)
    assert len(after) == len(before) < 2_000
    back = pickle.loads(after)
    assert back == county
    assert back.policy_for(Place("Dazu", "Longshuizhen"), D(2016, 12, 31)).label == "bishan_2016@2016.1"
    assert hash(back) == hash(county)


# --- the look-up rules, for any map -------------------------------------------------------

_DISTRICTS = ("A", "B", "C")
_TOWNS = ("", "t1", "t2")
_DAYS = st.dates(min_value=D(2014, 1, 1), max_value=D(2018, 12, 31))
_ENTRIES = st.lists(
    st.builds(
        PlaceEntry,
        district=st.sampled_from(_DISTRICTS),
        policy=st.sampled_from(sorted(policy_names())),
        town=st.sampled_from(_TOWNS),
        start=st.none() | _DAYS,
    ),
    max_size=12,
    unique_by=lambda entry: (entry.district, entry.town, entry.start),
)
_DEFAULTS = st.none() | st.sampled_from(sorted(policy_names()))
_PLACES = st.builds(Place, st.sampled_from((*_DISTRICTS, "D")), st.sampled_from((*_TOWNS, "t3")))


def _latest(entries: list[PlaceEntry], district: str, town: str, on: dt.date) -> str | None:
    """The entry of exactly (district, town) with the latest start on or before ``on``, by brute force."""
    started = [e for e in entries if (e.district, e.town) == (district, town) and (e.start is None or e.start <= on)]
    return max(started, key=lambda e: e.start or dt.date.min).policy if started else None


def _expected(entries: list[PlaceEntry], default: str | None, place: Place, on: dt.date) -> str | None:
    if place.town:
        town = _latest(entries, place.district, place.town, on)
        if town is not None:
            return town
    if any(e.district == place.district and not e.town for e in entries):
        return _latest(entries, place.district, "", on)
    return default


@given(entries=_ENTRIES, default=_DEFAULTS, place=_PLACES, on=_DAYS)
def test_the_policy_is_the_latest_started_entry_of_the_most_specific_place(
    entries: list[PlaceEntry], default: str | None, place: Place, on: dt.date
) -> None:
    if not entries and default is None:
        return  # a map of nothing is refused (tested above)
    county = PolicyMap(entries, default)
    expected = _expected(entries, default, place, on)
    if expected is None:
        with pytest.raises(NoPolicyForPlace):
            county.policy_name_for(place, on)
    else:
        assert county.policy_name_for(place, on) == expected


@given(entries=_ENTRIES, default=_DEFAULTS, district=st.sampled_from(_DISTRICTS), start=_DAYS, end=_DAYS)
def test_the_spells_of_a_period_hold_the_policy_of_each_day_of_it(
    entries: list[PlaceEntry], default: str | None, district: str, start: dt.date, end: dt.date
) -> None:
    if not entries and default is None:
        return
    start, end = min(start, end), max(start, end)
    county = PolicyMap(entries, default)
    spells = county.spells(district, start, end)
    for on in {start, end, start + (end - start) // 2}:
        try:
            name = county.policy_name_for(Place(district), on)
        except NoPolicyForPlace:
            continue
        assert any(
            spell.policy == name
            and not spell.town
            and (spell.start is None or spell.start <= on)
            and (spell.end is None or on <= spell.end)
            for spell in spells
        )
    for spell in spells:  # and nothing outside the period
        assert spell.start is None or spell.start <= end
        assert spell.end is None or spell.end >= start


MY_DISTRICT = """\
from relapse_guard.policies import load_policy

policy = load_policy("yubei_2016").derive(name="my_district")
answer = 42
"""


def _my_map(directory: Path, policy: str, default: str = "chongqing_2016") -> Path:
    """A map beside ``policies/my_district.py``, Yubei under ``policy``."""
    (directory / "policies").mkdir(exist_ok=True)
    (directory / "policies" / "my_district.py").write_text(MY_DISTRICT, encoding="utf-8")
    path = directory / "mine.toml"
    path.write_text(f'default = "{default}"\n[[place]]\ndistrict = "Yubei"\npolicy = "{policy}"\n', encoding="utf-8")
    return path


def test_a_map_names_a_policy_of_one_s_own_as_policy_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _my_map(tmp_path, "policies/my_district.py:policy", default="relapse_guard.policies.dazu_2016:policy")
    monkeypatch.chdir(tmp_path / "policies")  # a relative file is read from the map's directory, not from here
    mine = load_policy_map(str(path))
    assert mine.policy_for(Place("Yubei"), dt.date(2016, 1, 1)).name == "my_district"
    assert mine.policy_for(Place("Wanzhou"), dt.date(2016, 1, 1)).label == "dazu_2016@2016.1"
    assert mine.names() == ("policies/my_district.py:policy", "relapse_guard.policies.dazu_2016:policy")
    assert str(mine).splitlines()[1] == "  Yubei: policies/my_district.py:policy"  # as written
    absolute = tmp_path.resolve() / "policies" / "my_district.py"
    assert mine.spec("policies/my_district.py:policy") == f"{absolute}:policy"
    assert pickle.loads(pickle.dumps(mine)).policy_for(Place("Yubei"), dt.date(2016, 1, 1)).name == "my_district"
    # a map read from text has no directory: a relative file is read from the current one, as --policy reads it
    text = PolicyMap.from_toml(path.read_text(encoding="utf-8"), source="text")
    with pytest.raises(InvalidPolicySpec, match="does not exist"):
        text.policies()
    monkeypatch.chdir(tmp_path)
    assert text.policy_for(Place("Yubei"), dt.date(2016, 1, 1)).name == "my_district"


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        ("policies/missing.py:policy", r"policy file '.*missing.py' does not exist"),
        ("policies/my_district.py:nope", r"has no attribute 'nope' \(policies it defines: policy\)"),
        ("policies/my_district.py:answer", r"my_district.py:answer is of type 'int', not a Policy"),
        ("no_such_module_here:policy", r"cannot import module 'no_such_module_here'"),
    ],
)
def test_a_policy_of_one_s_own_that_does_not_load_is_the_error_policy_gives(
    tmp_path: Path, policy: str, said: str
) -> None:
    path = _my_map(tmp_path, policy)
    with pytest.raises(InvalidPolicySpec) as by_spec:  # as --policy gives it for the same file
        load_policy_spec(PolicyMap.from_file(path).spec(policy))
    where = re.escape(f"policy map {path}: [[place]] #1 (district 'Yubei'): ")
    with pytest.raises(InvalidPolicySpec, match=f"^{where}") as by_map:
        PolicyMap.from_file(path).policies()
    assert type(by_map.value) is type(by_spec.value)
    assert re.search(said, str(by_map.value))
    assert str(by_map.value).endswith(str(by_spec.value))


def test_a_default_of_one_s_own_that_does_not_load_names_the_default(tmp_path: Path) -> None:
    path = _my_map(tmp_path, "yubei_2016", default="policies/my_district.py:answer")
    with pytest.raises(InvalidPolicySpec, match=r": default: .*my_district.py:answer is of type 'int'"):
        PolicyMap.from_file(path).policies()


@pytest.mark.parametrize("policy", ["policies/my_district.py:", ":policy", "my_district.py"])
def test_a_spec_of_no_known_form_is_refused_with_the_map(tmp_path: Path, policy: str) -> None:
    path = _my_map(tmp_path, policy)
    with pytest.raises(
        InvalidPolicyMap, match=r"\[\[place\]\] #1 \(district 'Yubei'\): policy = .* refused; expected a registered"
    ):
        PolicyMap.from_file(path)


def test_counts_by_district_use_the_map_s_spelling() -> None:
    # The map matched "yubei" and " YUBEI " to Yubei's policy, but a screen's and a cycle's
    # counts by district listed them apart ("Yubei: 10 households" of 13).
    from decimal import Decimal

    from relapse_guard import Household, IncomeAssessed, Member
    from relapse_guard.monitoring import Monitor
    from relapse_guard.policies.policy_map import builtin_policy_map
    from relapse_guard.screening.screen import screen_records
    from relapse_guard.store import MemoryStore

    chongqing = builtin_policy_map("chongqing")
    assert [chongqing.district_name(d) for d in ("yubei", " YUBEI ", "Dazu", "Elsewhere ")] == [
        "Yubei",
        "Yubei",
        "Dazu",
        "Elsewhere ",
    ]
    spellings = ["Yubei", "yubei", " YUBEI ", "dazu "]
    people = []
    for n, district in enumerate(spellings):
        hid = f"H{n}"
        home = Household(id=hid, place=Place(district, "T"), members=(Member(id=f"{hid}-1", birth_date=D(1970, 1, 1)),))
        fact = IncomeAssessed(id=f"{hid}-i", household_id=hid, date=D(2016, 3, 1), income_per_capita=Decimal(2000))
        people.append((home, [fact]))
    result = screen_records([(home, facts, ()) for home, facts in people], chongqing, D(2016, 12, 31))
    assert {name: totals.households for name, totals in result.totals.by_district.items()} == {"Yubei": 3, "Dazu": 1}
    store = MemoryStore()
    store.put_households(home for home, _ in people)
    report = Monitor(store, chongqing).cycle(
        [fact.to_dict() for _, facts in people for fact in facts], as_of=D(2016, 12, 31)
    )
    assert {district: count for (district, _), count in report.districts.items()} == {"Yubei": 3, "Dazu": 1}
    assert {alert.district for alert in Monitor(store, chongqing).alerts(D(2016, 12, 31))} == {"Yubei", "Dazu"}
