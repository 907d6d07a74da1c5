"""Converting single values of a row to a field's type, as the library's parsers do, faster.

Each converter takes exactly what :mod:`relapse_guard.facts` parses for its type (it may take
less: the row then goes through the library) and raises one of :data:`NOT_FAST` otherwise.
Dates and enum members come from caches: a population has few distinct ones.
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..facts import Fact

__all__ = [
    "CACHE_LIMIT",
    "DATES",
    "MISSING",
    "NOT_FAST",
    "REJECT",
    "Parse",
    "Reject",
    "amount_value",
    "bool_value",
    "converter",
    "date_value",
    "enum_parser",
    "field_setter",
    "new_object",
    "parse_date",
    "set_field",
    "str_value",
    "text_converters",
]

Parse = Callable[[Any], Any]


class Reject(Exception):
    """The fast path does not take this row: let the library parse it (and explain why it fails)."""


REJECT = Reject()
# What a fast converter may raise on a value it does not take.
NOT_FAST = (Reject, ValueError, TypeError, KeyError, InvalidOperation)
MISSING = object()
new_object = object.__new__
set_field = object.__setattr__


def field_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """A function setting field ``name`` on a new instance of ``cls``, bypassing a frozen ``__setattr__``.

    For a slotted class, the slot's own setter (faster than ``object.__setattr__``, which looks
    the slot up by name each time); otherwise ``object.__setattr__`` with the name.
    """
    descriptor = inspect.getattr_static(cls, name, None)
    if type(descriptor) is types.MemberDescriptorType:
        setter: Callable[[Any, Any], None] = descriptor.__set__
        return setter
    return lambda instance, value: set_field(instance, name, value)


# --- converters of single values ------------------------------------------------------------

DATES: dict[str, dt.date] = {}
CACHE_LIMIT = 100_000


def parse_date(value: str) -> dt.date:
    """``date.fromisoformat(value)``, cached (a population has few distinct dates)."""
    found = DATES.get(value)
    if found is None:
        found = dt.date.fromisoformat(value)
        if len(DATES) >= CACHE_LIMIT:
            DATES.clear()
        DATES[value] = found
    return found


def date_value(value: Any) -> dt.date:
    if type(value) is str:
        return parse_date(value)
    if type(value) is dt.date:
        return value
    raise REJECT


def str_value(value: Any) -> str:
    if type(value) is str:
        return value
    raise REJECT


def bool_value(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise REJECT


def amount_value(value: Any) -> Decimal:
    kind = type(value)
    if kind is str:
        amount = Decimal(value)  # strips surrounding whitespace itself, as parse_decimal does
    elif kind is int:
        amount = Decimal(value)
    elif kind is Decimal:
        amount = value
    else:
        raise REJECT  # floats (inexact), booleans and anything else: the library says why
    if not amount.is_finite() or amount < 0:
        raise REJECT
    return amount


def enum_parser(enum_type: type[enum.Enum]) -> Parse:
    table: dict[object, enum.Enum] = {member.value: member for member in enum_type}
    table.update({member: member for member in enum_type})
    return table.__getitem__  # KeyError or TypeError (unhashable) for anything else


def frozenset_parser(item: Parse) -> Parse:
    def parse(value: Any) -> frozenset[Any]:
        if type(value) is list or type(value) is tuple:
            return frozenset([item(v) for v in value])
        raise REJECT

    return parse


def optional_parser(inner: Parse) -> Parse:
    def parse(value: Any) -> Any:
        return None if value is None else inner(value)

    return parse


_CONVERTERS: dict[object, Parse | None] = {}


def converter(hint: object) -> Parse | None:
    """The fast converter for a field type, or None when only the library's parser will do.

    The same type gets the same converter (fields of several kinds share their conversions).
    """
    try:
        return _CONVERTERS[hint]
    except KeyError:
        found = _CONVERTERS[hint] = _converter(hint)
        return found
    except TypeError:  # an unhashable annotation
        return _converter(hint)


def _converter(hint: object) -> Parse | None:
    """:func:`converter`, made."""
    if hint is Decimal:
        return amount_value
    if hint is dt.date:
        return date_value
    if hint is bool:
        return bool_value
    if hint is str:
        return str_value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return enum_parser(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is frozenset and len(args) == 1:
        item = converter(args[0])
        return None if item is None else frozenset_parser(item)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            found = converter(inner[0])
            return None if found is None else optional_parser(found)
    return None


TEXT_BOOLEANS = {"true": True, "false": False}


def text_bool(value: Any) -> Any:
    return TEXT_BOOLEANS.get(value, value) if type(value) is str else value


def text_list(value: Any) -> Any:
    if type(value) is str:
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def text_converter(hint: object) -> Parse | None:
    """How a field stored as text in a cell becomes its JSON form (None: the text is that form)."""
    if hint is bool:
        return text_bool
    origin = typing.get_origin(hint)
    if origin is frozenset:
        return text_list
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return text_converter(inner[0])
    return None


def text_converters(cls: type[Fact]) -> dict[str, Parse]:
    """For the fields of ``cls`` stored in text cells, the converter of the cell to the JSON form.

    Raises :class:`TypeError` for a field whose type has no text form (see :func:`cell_text`).
    """
    hints = typing.get_type_hints(cls)
    out = {}
    for field in attrs.fields(cls):
        converter = text_converter(hints[field.name])
        if converter is not None:
            out[field.name] = converter
    return out
