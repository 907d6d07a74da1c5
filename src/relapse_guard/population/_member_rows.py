"""A household from its member rows in a tabular file (CSV, Parquet): one row per member.

The rows become a :meth:`Household.to_dict` form read by :func:`~._households.build_household`;
its error names the field, reported against the member's row and column.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput
from ..household import Household
from ._households import build_household
from ._messages import describe_error
from ._records import BadRow

__all__ = ["household_from_rows"]

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
        if birth:
            member["birth_date"] = birth if isinstance(birth, str) else birth.isoformat()
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
