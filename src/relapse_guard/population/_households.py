"""Building households from decoded rows, cheaply and exactly as :meth:`Household.from_dict` would.

Fields are converted once (dates and places from caches); the checks ``Household`` makes
(non-empty id and district, at least one member, unique non-empty member ids) are made here
and the household is built without running them again. A row the fast converters refuse, or
that fails a check, goes through the library, whose error is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..fact_fields import CACHE_LIMIT, parser_for
from ..fact_plans import NOT_FAST, REJECT, field_setter, new_object
from ..household import Health, Household, LabourCapacity, Member, Place, Schooling

__all__ = ["PLAIN_MEMBER", "SET_MEMBER", "build_household", "make_household", "place"]

_from_iso = dt.date.fromisoformat


def str_value(value: Any) -> str:
    """``value`` when it is text; :data:`REJECT` otherwise (the library reads it, or says why not)."""
    if type(value) is str:
        return value
    raise REJECT


_LABOUR = parser_for(LabourCapacity)
_HEALTH = parser_for(Health)
_SCHOOLING = parser_for(Schooling)
_PLACES: dict[tuple[str, str, str], Place] = {}


def place(district: str, town: str, village: str) -> Place:
    """``Place(district, town, village)``, from a cache (a population has few places)."""
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
PLAIN_MEMBER = _plain_attrs(Member) and [f.name for f in attrs.fields(Member)] == [
    "id",
    "birth_date",
    "labour_capacity",
    "health",
    "schooling",
]


# Household's __attrs_post_init__ checks a non-empty id and district, at least one member, unique
# non-empty member ids and the fields' types; build_household makes the same checks (a test
# compares both on odd inputs) and skips the second pass while the fields stay these.
PLAIN_HOUSEHOLD = [(f.name, f.validator, f.init) for f in attrs.fields(Household)] == [
    ("id", None, True),
    ("place", None, True),
    ("members", None, True),
]


#: The slot setters of Member's fields: id, birth_date, labour_capacity, health, schooling.
SET_MEMBER = [field_setter(Member, name) for name in ("id", "birth_date", "labour_capacity", "health", "schooling")]
_SET_HOUSEHOLD = [field_setter(Household, name) for name in ("id", "place", "members")]


def make_household(
    hid: str, where: Place, members: list[Member], member_ids: Iterable[str] | None = None
) -> Household | None:
    """The household, when Household's own checks would pass for these converted values; None otherwise.

    The checks: a non-empty id and district, at least one member, unique non-empty member ids
    (``member_ids``, when the caller has them at hand; the fields' types are the converters').
    The household is then built without running them again; when they fail, ``Household(...)``
    says why.
    """
    if not (PLAIN_HOUSEHOLD and hid.strip() and where.district and members):
        return None
    ids = set(member_ids) if member_ids is not None else {member.id for member in members}
    if len(ids) != len(members) or "" in ids:
        return None
    household = new_object(Household)
    set_hid, set_place, set_members = _SET_HOUSEHOLD
    set_hid(household, hid)
    set_place(household, where)
    set_members(household, tuple(members))
    return household


def _members(raw: Any) -> list[Member]:
    if type(raw) is not list and type(raw) is not tuple:
        raise REJECT
    members = []
    set_id, set_birth, set_labour, set_health, set_schooling = SET_MEMBER
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
        if PLAIN_MEMBER:  # Member only stores its fields (Household checks them): set them in place
            member = new_object(Member)
            set_id(member, member_id)
            set_birth(member, birth_date)
            set_labour(member, labour)
            set_health(member, health)
            set_schooling(member, schooling)
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
        where = place(
            str_value(place_data["district"]),
            str_value(place_data.get("town", "")),
            str_value(place_data.get("village", "")),
        )
        members = _members(data["members"])
    except NOT_FAST:
        return Household.from_dict(data)
    household = make_household(hid, where, members)
    if household is None:
        return Household(id=hid, place=where, members=members)  # raises the library's error
    return household
