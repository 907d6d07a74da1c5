"""A household from its member rows in a tabular file (CSV, Parquet): one row per member.

The rows become a :meth:`Household.to_dict` form read by :func:`~._households.build_household`;
its error names the field, reported against the member's row and column.
:func:`fast_household_from_rows` makes a household of valid rows straight from the cells,
exactly as that would, and leaves any other to it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from ..errors import InvalidInput
from ..fact_plans import new_object
from ..household import Health, Household, LabourCapacity, Member, Schooling
from ._households import PLAIN_MEMBER, SET_MEMBER, build_household, make_household, place
from ._messages import describe_error
from ._records import BadRow

__all__ = ["fast_household_from_rows", "household_from_rows"]

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
                message = f"household {hid!r}: {key} differs from the household's first row (line {first_line})"
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


_LABOUR, _HEALTH, _SCHOOLING = _by_value(LabourCapacity), _by_value(Health), _by_value(Schooling)
_from_iso = dt.date.fromisoformat


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
            member_labour = _LABOUR[(row[labour] if labour is not None else None) or "full"]
            member_health = _HEALTH[(row[health] if health is not None else None) or "healthy"]
            member_schooling = _SCHOOLING[(row[schooling] if schooling is not None else None) or "none"]
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
