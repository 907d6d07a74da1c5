"""Checks of the store's arguments: a wrong type raises :class:`~relapse_guard.errors.WrongType`, a wrong
value :class:`~relapse_guard.errors.InvalidArgument`, each naming the argument and the value."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Collection, Iterable, Mapping

from ..bounds import MAX_ID_LENGTH, MAX_TEXT_LENGTH, valid_text
from ..errors import InvalidArgument, WrongType, typed_repr

__all__ = [
    "check_count",
    "check_date",
    "check_ids",
    "check_iterable",
    "check_limit",
    "check_positions",
    "check_text",
    "shown",
]

_LONGEST = 200


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to a few hundred characters."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to show as text
        return "an int too long to show"
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


def check_text(name: str, value: object, *, limit: int | None = MAX_TEXT_LENGTH, empty: bool = False) -> str:
    """``value`` if it is text UTF-8 can encode, of at most ``limit`` characters (None: any length),
    and not blank unless ``empty``."""
    if not isinstance(value, str):
        raise WrongType(f"{name} must be a str, not {type(value).__name__} {shown(value)}")
    if not valid_text(value, sys.maxsize if limit is None else limit):
        bound = "" if limit is None else f" of at most {limit:,} characters"
        raise InvalidArgument(
            f"{name} must be text{bound} that UTF-8 can encode (no lone surrogates such as '\\ud800'), "
            f"not {shown(value)}"
        )
    if not empty and not value.strip():
        raise InvalidArgument(f"{name} must be a non-empty string, not {shown(value)}")
    return value


def check_ids(name: str, values: object) -> list[str]:
    """``values`` (a collection of household ids, not a single str) as a list."""
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        kind = type(values).__name__
        raise WrongType(f"{name} must be a collection of household ids (str), not {kind} {shown(values)}")
    return [check_text(f"each of {name}", value, limit=MAX_ID_LENGTH) for value in values]


def check_iterable(caller: str, what: str, value: object) -> None:
    """Refuse ``value``, given ``caller`` for its ``what`` (records, facts), unless it is an
    iterable of them: ``None`` failed deep inside as ``'NoneType' object is not iterable``, and a
    ``str`` or a mapping was taken apart."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise WrongType(f"{caller} needs an iterable of {what} (a list, a generator), not {typed_repr(value)}")


def check_count(name: str, value: object) -> int:
    """``value`` if it is an int (not a bool) >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(f"{name} must be an int, not {type(value).__name__} {shown(value)}")
    if value < 0:
        raise InvalidArgument(f"{name} must be an int >= 0, not {shown(value)}")
    return value


def check_limit(value: object) -> int | None:
    """``limit``: None (no limit) or an int >= 0."""
    return None if value is None else check_count("limit", value)


def check_date(name: str, value: object) -> dt.date:
    """``value`` if it is a date (a datetime is refused: a day is asked for, not an instant)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise WrongType(f"{name} must be a datetime.date, not {type(value).__name__} {shown(value)}")
    return value


def check_positions(name: str, value: object) -> dict[str, int]:
    """``value``: a mapping of household id to a stream position (an int >= 0)."""
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        raise WrongType(f"{name} must be a mapping of household id to position, not {kind} {shown(value)}")
    return {
        check_text(f"each household id of {name}", hid, limit=MAX_ID_LENGTH): check_count(f"{name}[{hid!r}]", position)
        for hid, position in value.items()
    }
