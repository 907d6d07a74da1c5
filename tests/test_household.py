from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from relapse_guard import Household, Member, Place
from relapse_guard.errors import InvalidHousehold
from relapse_guard.household import Health, LabourCapacity, Schooling

from .conftest import make_household


def member(mid: str = "m1", born: dt.date = dt.date(1980, 1, 1), **kw: Any) -> Member:
    return Member(id=mid, birth_date=born, **kw)


def test_valid_household_roundtrips_through_dict() -> None:
    h = Household(
        id="h1",
        place=Place("Bishan", "Dingjia", "Yuhua"),
        members=[
            member("m1", labour_capacity=LabourCapacity.PARTIAL, health=Health.CHRONIC_ILLNESS),
            member("m2", dt.date(2008, 2, 29), schooling=Schooling.PRIMARY),
        ],
    )
    assert h.size == 2
    assert isinstance(h.members, tuple)
    assert Household.from_dict(h.to_dict()) == h
    assert str(h.place) == "Bishan/Dingjia/Yuhua"


def test_empty_id_names_field() -> None:
    with pytest.raises(InvalidHousehold) as info:
        Household(id=" ", place=Place("Yubei"), members=[member()])
    assert info.value.field == "id"
    assert "'id'" in str(info.value)


def test_duplicate_member_id_names_household_field_and_redacted_value() -> None:
    with pytest.raises(InvalidHousehold) as info:
        Household(
            id="h9",
            place=Place("Yubei"),
            members=[member("500112198001011234"), member("500112198001011234")],
        )
    error = info.value
    assert error.household_id == "h9"
    assert error.field == "members[1].id"
    assert "500***34" in str(error)
    assert "500112198001011234" not in str(error)


def test_no_members_is_invalid() -> None:
    with pytest.raises(InvalidHousehold, match="members"):
        Household(id="h1", place=Place("Yubei"), members=[])


def test_member_born_after_assessment_date() -> None:
    h = make_household()
    h.check_born_by(dt.date(2016, 1, 1))
    with pytest.raises(InvalidHousehold) as info:
        h.check_born_by(dt.date(1970, 6, 1))
    assert info.value.field == "members[1].birth_date"
    assert info.value.value == "1971-01-01"


def test_from_dict_reports_bad_enum_and_date() -> None:
    data = make_household().to_dict()
    data["members"][0]["labour_capacity"] = "lots"
    with pytest.raises(InvalidHousehold) as info:
        Household.from_dict(data)
    assert info.value.field == "members[0].labour_capacity"
    data = make_household().to_dict()
    data["members"][1]["birth_date"] = "1971-02-30"
    with pytest.raises(InvalidHousehold, match=r"members\[1\]\.birth_date"):
        Household.from_dict(data)


def test_wrong_types_are_refused() -> None:
    with pytest.raises(InvalidHousehold, match="labour_capacity"):
        Household(id="h", place=Place("Yubei"), members=[member(labour_capacity="full")])
    with pytest.raises(InvalidHousehold, match="district"):
        Household(id="h", place=Place(""), members=[member()])


def test_age_on_and_labour() -> None:
    m = member(born=dt.date(2000, 2, 29), labour_capacity=LabourCapacity.NONE)
    assert m.age_on(dt.date(2001, 2, 28)) == 0
    assert m.age_on(dt.date(2001, 3, 1)) == 1
    assert not m.can_work_on(dt.date(2030, 1, 1))
    assert make_household(can_work=False).has_labour_capacity_on(dt.date(2016, 1, 1)) is False
    h = make_household()
    assert h.member("h1-m0").id == "h1-m0"
    with pytest.raises(InvalidHousehold):
        h.member("nobody")
