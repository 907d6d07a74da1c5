"""Building households from decoded rows, cheaply and exactly as :meth:`Household.from_dict` would.

From a dict (a JSON line, :func:`build_household`) or from its member rows in a tabular file
(CSV, Parquet: one row per member, :func:`household_from_rows`). Fields are converted once
(dates and places from caches); the checks ``Household`` makes (non-empty id and district, at
least one member, unique non-empty member ids) are made here and the household is built
without running them again. A row the fast converters refuse, or that fails a check, goes
through the library, whose error is raised (for member rows: reported against the member's
row and column). :func:`fast_household_from_rows` makes a household of valid rows straight
from the cells, exactly as :func:`household_from_rows` would, and leaves any other to it;
:func:`household_rows` writes a household's member rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..bounds import MAX_ID_LENGTH, MAX_MEMBERS, valid_text
from ..errors import InvalidInput
from ..fact_fields import CACHE_LIMIT, parser_for
from ..fact_plans import NOT_FAST, REJECT, field_setter, new_object
from ..household import (
    HOUSEHOLD_KEYS,
    MEMBER_KEYS,
    PLACE_KEYS,
    Health,
    Household,
    LabourCapacity,
    Member,
    Place,
    Schooling,
)
from .records import BadRow, describe_error

__all__ = [
    "PLAIN_MEMBER",
    "SET_MEMBER",
    "build_household",
    "fast_household_from_rows",
    "household_from_rows",
    "household_rows",
    "make_household",
    "new_household",
    "place",
    "valid_id",
]

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


def valid_id(text: str) -> bool:
    """True when ``text`` is within the bounds Household checks of its id, place names and member ids."""
    return (text.isascii() and len(text) <= MAX_ID_LENGTH) or valid_text(text, MAX_ID_LENGTH)


def make_household(hid: str, where: Place, members: list[Member]) -> Household | None:
    """The household, when Household's own checks would pass for these converted values; None otherwise.

    The checks: a non-empty id and district, at least one member, unique non-empty member ids
    (the fields' types are the converters'). The household is then built without running them
    again; when they fail, ``Household(...)`` says why.
    """
    if not (PLAIN_HOUSEHOLD and hid and hid.strip() == hid and where.district and 0 < len(members) <= MAX_MEMBERS):
        return None
    ids = {member.id for member in members}
    if len(ids) != len(members) or "" in ids:
        return None
    for text in (hid, where.district, where.town, where.village, *ids):  # the bounds Household checks
        if not valid_id(text):
            return None
    return new_household(hid, where, tuple(members))


def new_household(hid: str, where: Place, members: tuple[Member, ...]) -> Household:
    """A household of values that pass Household's own checks (see :func:`make_household`; the caller
    made them, and :data:`PLAIN_HOUSEHOLD` holds), set straight into its slots."""
    household = new_object(Household)
    set_hid, set_place, set_members = _SET_HOUSEHOLD
    set_hid(household, hid)
    set_place(household, where)
    set_members(household, members)
    return household


def _members(raw: Any) -> list[Member]:
    if type(raw) is not list and type(raw) is not tuple:
        raise REJECT
    members = []
    set_id, set_birth, set_labour, set_health, set_schooling = SET_MEMBER
    for item in raw:
        if type(item) is not dict or not item.keys() <= MEMBER_KEYS:
            raise REJECT
        member_id = item["id"]
        birth = item["birth_date"]
        if type(member_id) is not str or type(birth) is not str:
            raise REJECT
        birth_date = _from_iso(birth)  # not cached: birth dates are many, a cache would only grow
        labour = _LABOUR(item["labour_capacity"]) if "labour_capacity" in item else None  # blank: read from the age
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
        if type(place_data) is not dict or not (data.keys() <= HOUSEHOLD_KEYS and place_data.keys() <= PLACE_KEYS):
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


# --- from member rows -------------------------------------------------------------------------

_NO_FIELDS = frozenset[str]()
_PLACE_COLUMNS = ("district", "town", "village")
_MEMBER_COLUMNS = ("labour_capacity", "health", "schooling")


def _cell_field(field: str) -> tuple[int | None, str]:
    """The member index and the column of a field of :meth:`Household.from_dict`'s errors."""
    if field.startswith("members[") and "]" in field:
        index_text, _, rest = field[len("members[") :].partition("]")
        column = rest.removeprefix(".") or "member_id"
        return int(index_text), "member_id" if column == "id" else column
    if field.startswith("place."):
        return None, field.removeprefix("place.")
    return None, "household_id" if field == "id" else field


def household_from_rows(
    name: str, hid: str, rows: list[tuple[int, list[Any]]], column: dict[str, int]
) -> tuple[Household | None, list[BadRow]]:
    """The household in its member rows ``(line, cells)``, or None and the bad row saying why.

    Shared by the CSV and Parquet readers; cells hold text (or dates, from Parquet).
    """
    first_line, first = rows[0]
    place_cells = [(key, column.get(key)) for key in _PLACE_COLUMNS]
    for line, row in rows[1:]:
        for key, index in place_cells:
            if index is not None and (row[index] or "") != (first[index] or ""):
                message = (
                    f"household {hid!r}: {key} {row[index] or ''!r} differs from the household's first row "
                    f"(line {first_line}: {first[index] or ''!r})"
                )
                return None, [BadRow(name, line, key, message, hid or None)]
    place = {key: (first[index] or "") if index is not None else "" for key, index in place_cells}
    members = []
    optional = [(key, column[key]) for key in _MEMBER_COLUMNS if key in column]
    member_column, birth_column = column["member_id"], column["birth_date"]
    for _, row in rows:
        member: dict[str, Any] = {"id": row[member_column] or ""}
        birth = row[birth_column]
        if birth:  # a date from Parquet as ISO text; any other value as it is, for the household to refuse
            member["birth_date"] = birth.isoformat() if isinstance(birth, dt.date) else birth
        for key, index in optional:
            if row[index]:
                member[key] = row[index]
        members.append(member)
    try:
        return build_household({"id": hid, "place": place, "members": members}), []
    except InvalidInput as error:
        index, field = _cell_field(error.field)
        line = rows[index][0] if index is not None and index < len(rows) else first_line
        return None, [BadRow(name, line, field, describe_error(error, _NO_FIELDS), hid or None)]


def _by_value(enum_type: type[enum.Enum]) -> dict[object, Any]:
    """The members of ``enum_type`` by their value and by themselves, as the fields' parsers take them."""
    return {**{member.value: member for member in enum_type}, **{member: member for member in enum_type}}


_LABOUR_BY_VALUE, _HEALTH_BY_VALUE = _by_value(LabourCapacity), _by_value(Health)
_SCHOOLING_BY_VALUE = _by_value(Schooling)


def fast_household_from_rows(
    name: str, hid: str, rows: list[tuple[int, list[Any]]], column: dict[str, int]
) -> tuple[Household | None, list[BadRow]]:
    """:func:`household_from_rows`, with the household of valid rows made straight from their cells.

    The same checks decide; the rows they do not all take (and their errors) are left to
    :func:`household_from_rows`.
    """
    household = _household(hid, rows, column) if PLAIN_MEMBER and type(hid) is str else None
    if household is None:
        return household_from_rows(name, hid, rows, column)
    return household, []


def _household(hid: str, rows: list[tuple[int, list[Any]]], column: dict[str, int]) -> Household | None:
    """The household of ``rows`` when its cells are all valid, as :func:`household_from_rows` would make it;
    None otherwise (also when not sure: that then makes it, or says why not)."""
    first = rows[0][1]
    where = []
    for key in _PLACE_COLUMNS:
        index = column.get(key)
        if index is None:
            where.append("")
            continue
        value = first[index] or ""
        if type(value) is not str:
            return None
        for _, row in rows:
            if (row[index] or "") != value:  # differs from the first row: a bad row
                return None
        where.append(value)
    member_column, birth_column = column["member_id"], column["birth_date"]
    labour, health, schooling = column.get("labour_capacity"), column.get("health"), column.get("schooling")
    set_id, set_birth, set_labour, set_health, set_schooling = SET_MEMBER
    members = []
    for _, row in rows:
        member_id, birth = row[member_column], row[birth_column]
        if type(member_id) is not str or not member_id:
            return None
        if type(birth) is str and birth:
            try:
                birth = _from_iso(birth)
            except ValueError:
                return None
        elif type(birth) is not dt.date:  # blank, or a value the general way reads (or refuses) its own way
            return None
        try:  # a blank (or absent) cell is the default; anything but a value of the enum is refused
            cell = row[labour] if labour is not None else None
            member_labour = _LABOUR_BY_VALUE[cell] if cell else None  # blank: read from the age
            member_health = _HEALTH_BY_VALUE[(row[health] if health is not None else None) or "healthy"]
            member_schooling = _SCHOOLING_BY_VALUE[(row[schooling] if schooling is not None else None) or "none"]
        except (KeyError, TypeError):  # TypeError: a value that cannot be hashed
            return None
        member = new_object(Member)
        set_id(member, member_id)
        set_birth(member, birth)
        set_labour(member, member_labour)
        set_health(member, member_health)
        set_schooling(member, member_schooling)
        members.append(member)
    return make_household(hid, place(*where), members)


def household_rows(household: Household) -> Iterable[tuple[str, ...]]:
    """The rows of ``household`` in a tabular file, one per member (:data:`HOUSEHOLD_COLUMNS`)."""
    place = household.place
    for member in household.members:
        yield (
            household.id,
            place.district,
            place.town,
            place.village,
            member.id,
            member.birth_date.isoformat(),
            "" if member.labour_capacity is None else member.labour_capacity.value,
            member.health.value,
            member.schooling.value,
        )
