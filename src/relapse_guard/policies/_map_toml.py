"""Reading a policy map's TOML text into plain entries; :mod:`.policy_map` checks and builds them.

The file has an optional top-level ``default = "policy"`` and any number of ``[[place]]``
tables, each with ``district`` and ``policy`` and, optionally, ``town``, ``from`` (a date),
``district_aliases`` and ``town_aliases`` (other names of the entry's district and town: lists
of names).
Every error is an :class:`~relapse_guard.errors.InvalidPolicyMap` naming the file, the entry,
the key and the value.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

from ..errors import InvalidPolicyMap, close_names

__all__ = ["ENTRY_KEYS", "RawEntry", "entry_label", "read_map"]

#: The keys of a ``[[place]]`` table.
ENTRY_KEYS = ("district", "town", "policy", "from", "district_aliases", "town_aliases")
_REQUIRED = ("district", "policy")
_TOP_KEYS = ("default", "place")

#: One ``[[place]]`` table: district, town ("" for the whole district), policy, from (None: always),
#: the district's other names and the town's (``()`` when not given).
RawEntry = tuple[Any, Any, Any, dt.date | None, Any, Any]


def entry_label(index: int, district: object, town: object = "") -> str:
    """How messages name the ``index``-th (from 0) entry: ``[[place]] #2 (district 'Dazu', town 'X')``."""
    if district is None:  # not given: the number alone
        return f"[[place]] #{index + 1}"
    where = f"district {district!r}" + (f", town {town!r}" if town else "")
    return f"[[place]] #{index + 1} ({where})"


def _unknown_key(key: str, allowed: tuple[str, ...]) -> str:
    close = close_names(key, allowed)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"one of the keys {', '.join(allowed)}{hint}"


def _date(source: str, label: str, raw: object) -> dt.date | None:
    """``from``: a TOML date (``2016-01-01``), or the same date quoted; None when absent."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    elif isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    raise InvalidPolicyMap(source, label, "from", raw, "a date, written 2016-01-01 (year-month-day)")


def read_map(text: str, source: str) -> tuple[list[RawEntry], Any]:
    """The entries and the default (None when absent) of a policy map's TOML ``text``.

    Checks the layout only (TOML, known keys, required keys, dates); what the values must be
    (names, registered policies, one entry per place and date) is checked by the map.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPolicyMap(source, "", "", None, f"not valid TOML: {error}") from None
    for key in data:
        if key not in _TOP_KEYS:
            expected = _unknown_key(key, _TOP_KEYS) + " at the top level, then [[place]] tables"
            raise InvalidPolicyMap(source, "top level", key, data[key], expected)
    places = data.get("place", [])
    if not isinstance(places, list):
        raise InvalidPolicyMap(source, "top level", "place", places, "[[place]] tables (two brackets: one per place)")
    entries: list[RawEntry] = []
    for index, table in enumerate(places):
        if not isinstance(table, dict):
            raise InvalidPolicyMap(source, f"[[place]] #{index + 1}", "place", table, "a [[place]] table")
        label = entry_label(index, table.get("district"), table.get("town", ""))
        for key in table:
            if key not in ENTRY_KEYS:
                raise InvalidPolicyMap(source, label, key, table[key], _unknown_key(key, ENTRY_KEYS))
        for key in _REQUIRED:
            if key not in table:
                raise InvalidPolicyMap(source, label, key, None, "a district and a policy in each [[place]]")
        start = _date(source, label, table.get("from"))
        aliases = (table.get("district_aliases", ()), table.get("town_aliases", ()))
        entries.append((table["district"], table.get("town", ""), table["policy"], start, *aliases))
    return entries, data.get("default")
