"""Messages of bad rows: from the library's errors, never showing a personal id whole."""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal

import attrs

from ..errors import InvalidFact, InvalidInput, redact
from ..facts import FactKinds

__all__ = ["describe_error", "describe_failure", "fact_field_names"]


_SAFE_HOUSEHOLD_FIELDS = frozenset({"id", "place", "place.district", "place.town", "place.village", "members"})
_SAFE_MEMBER_FIELDS = frozenset({"birth_date", "labour_capacity", "health", "schooling"})
_LONGEST_SHOWN = 60


def _safe_field(error: InvalidInput, fact_fields: frozenset[str]) -> bool:
    field = error.field
    if isinstance(error, InvalidFact):
        return field in fact_fields and field != "member_id"
    if field in _SAFE_HOUSEHOLD_FIELDS:
        return True
    head, _, tail = field.partition("].")
    return head.startswith("members[") and tail in _SAFE_MEMBER_FIELDS


def _shown(value: object, safe: bool) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        text = repr(value if safe else redact(value))
    elif isinstance(value, int | float | Decimal | dt.date):
        text = str(value) if safe else repr(redact(str(value)))
    else:
        return f"a {type(value).__name__}"  # a container may hold anything: say what it is, not what is in it
    return text if len(text) <= _LONGEST_SHOWN else text[: _LONGEST_SHOWN - 3] + "..."


def describe_error(error: InvalidInput, fact_fields: frozenset[str]) -> str:
    """A message for a bad row from the library's error, never showing a personal id whole.

    Values of member ids, and of fields the library does not know (which may hold anything),
    are shown redacted; those of known fields (dates, amounts, grades...) as they are.
    """
    if isinstance(error, InvalidFact):
        subject = f"fact {error.fact_id!r}" if error.fact_id else "fact"
        if error.household_id:
            subject += f" of household {error.household_id!r}"
    else:
        subject = f"household {error.household_id!r}" if error.household_id else "household"
    if error.value is None and error.expected.endswith("(required)"):
        return f"{subject}: field {error.field!r} is missing; expected {error.expected.removesuffix(' (required)')}"
    shown = _shown(error.value, _safe_field(error, fact_fields))
    return f"{subject}: field {error.field!r} has value {shown}; expected {error.expected}"


_LONG_NUMBER = re.compile(r"\d{14,}[\dXx]?")


def describe_failure(error: Exception, fact_fields: frozenset[str]) -> tuple[str, str]:
    """``(field, message)`` of a bad row from the error building it raised.

    The library's errors name their field (see :func:`describe_error`); anything else a fact
    class of a policy's own may raise (an attrs validator's ``ValueError``) is reported against
    the field ``fact``, with long digit runs (id numbers) in its text redacted.
    """
    if isinstance(error, InvalidInput):
        return error.field, describe_error(error, fact_fields)
    text = _LONG_NUMBER.sub(lambda match: redact(match.group()), str(error))
    return "fact", f"refused by its fact class: {type(error).__name__}: {text}"


def fact_field_names(kinds: FactKinds) -> frozenset[str]:
    """Every field name of ``kinds`` plus ``kind``: the fields whose values messages may show."""
    names = {"kind"}
    for cls in kinds.by_kind.values():
        names.update(field.name for field in attrs.fields(cls))
    return frozenset(names)
