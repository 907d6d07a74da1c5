"""Building households from decoded rows, cheaply and exactly as :meth:`Household.from_dict` would.

Fields are converted once (dates and places from caches); the checks ``Household`` makes
(non-empty id and district, at least one member, unique non-empty member ids) are made here
and the household is built without running them again. A row the fast converters refuse, or
that fails a check, goes through the library, whose error is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from ..household import Health, Household, LabourCapacity, Member, Place, Schooling
from ._convert import CACHE_LIMIT, NOT_FAST, REJECT, enum_parser, new_object, set_field, str_value

__all__ = ["build_household"]

_from_iso = dt.date.fromisoformat


_LABOUR = enum_parser(LabourCapacity)
_HEALTH = enum_parser(Health)
_SCHOOLING = enum_parser(Schooling)
_PLACES: dict[tuple[str, str, str], Place] = {}


def _place(district: str, town: str, village: str) -> Place:
    key = (district, town, village)
    found = _PLACES.get(key)
    if found is None:
        if len(_PLACES) >= CACHE_LIMIT:
            _PLACES.clear()
        found = _PLACES[key] = Place(district, town, village)
    return found


def _plain_attrs(cls: type) -> bool:
    """True when ``cls(**values)`` only stores the values (no validator, converter or post-init)."""
    return (
        not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(field.validator is None and field.converter is None and field.init for field in attrs.fields(cls))
    )


# Member only stores its fields (Household checks them), so members are built without a call
# to the generated __init__ when that stays true.
_PLAIN_MEMBER = _plain_attrs(Member) and [f.name for f in attrs.fields(Member)] == [
    "id",
    "birth_date",
    "labour_capacity",
    "health",
    "schooling",
]


# Household's __attrs_post_init__ checks a non-empty id and district, at least one member, unique
# non-empty member ids and the fields' types; build_household makes the same checks (a test
# compares both on odd inputs) and skips the second pass while the fields stay these.
_PLAIN_HOUSEHOLD = [(f.name, f.validator, f.init) for f in attrs.fields(Household)] == [
    ("id", None, True),
    ("place", None, True),
    ("members", None, True),
]


def _members(raw: Any) -> list[Member]:
    if type(raw) is not list and type(raw) is not tuple:
        raise REJECT
    members = []
    for item in raw:
        if type(item) is not dict:
            raise REJECT
        member_id = item["id"]
        birth = item["birth_date"]
        if type(member_id) is not str or type(birth) is not str:
            raise REJECT
        birth_date = _from_iso(birth)  # not cached: birth dates are many, a cache would only grow
        labour = _LABOUR(item.get("labour_capacity", "full"))
        health = _HEALTH(item.get("health", "healthy"))
        schooling = _SCHOOLING(item.get("schooling", "none"))
        if _PLAIN_MEMBER:
            member = new_object(Member)
            set_field(member, "id", member_id)
            set_field(member, "birth_date", birth_date)
            set_field(member, "labour_capacity", labour)
            set_field(member, "health", health)
            set_field(member, "schooling", schooling)
        else:
            member = Member(
                id=member_id, birth_date=birth_date, labour_capacity=labour, health=health, schooling=schooling
            )
        members.append(member)
    return members


def build_household(data: Mapping[str, Any]) -> Household:
    """The household ``data`` describes (:meth:`Household.to_dict` form), as :meth:`Household.from_dict`.

    Raises :class:`~relapse_guard.errors.InvalidHousehold` as ``from_dict`` does.
    """
    try:
        hid = str_value(data["id"])
        place_data = data["place"]
        if type(place_data) is not dict:
            raise REJECT
        place = _place(
            str_value(place_data["district"]),
            str_value(place_data.get("town", "")),
            str_value(place_data.get("village", "")),
        )
        members = _members(data["members"])
    except NOT_FAST:
        return Household.from_dict(data)
    if _PLAIN_HOUSEHOLD and hid.strip() and place.district and members:
        ids = {member.id for member in members}
        if len(ids) == len(members) and "" not in ids:
            # What Household's own check would find true of these values (the fields' types are
            # the converters'): set them without running it again.
            household = new_object(Household)
            set_field(household, "id", hid)
            set_field(household, "place", place)
            set_field(household, "members", tuple(members))
            return household
    return Household(id=hid, place=place, members=members)  # raises the library's error
