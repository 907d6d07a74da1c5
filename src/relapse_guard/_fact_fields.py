"""Checking and parsing fact fields, driven by each fact class's type hints.

Private to :mod:`relapse_guard.facts`: every field type a fact may have (text, dates, booleans,
non-negative decimal amounts, enums, frozensets of enums, optional values) has one parser,
used both to read plain dicts and to check (and normalise) facts built in Python.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import types
import typing
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import attrs

from .errors import InvalidFact, redact
from .money import parse_decimal

if TYPE_CHECKING:
    from .facts import Fact

__all__ = ["FieldSpec", "field_specs", "shown", "validate_fact"]

_Parser = Callable[[object], object]
_Checker = Callable[[object], bool]


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("a datetime is not a date")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError("not a date")


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("not a boolean")


def _parse_str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("not a string")


def _parse_amount(value: object) -> Decimal:
    amount = parse_decimal(value)
    if amount < 0:
        raise ValueError("negative")
    return amount


_E = TypeVar("_E", bound=enum.Enum)


def _enum_parser(enum_type: type[_E]) -> _Parser:
    def parse(value: object) -> _E:
        if isinstance(value, enum_type):
            return value
        return enum_type(value)

    return parse


def _frozenset_parser(item: _Parser) -> _Parser:
    def parse(value: object) -> frozenset[object]:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError("not a list")
        return frozenset(item(v) for v in value)

    return parse


def _optional(inner: _Parser) -> _Parser:
    def parse(value: object) -> object:
        return None if value is None else inner(value)

    return parse


def _describe(hint: object) -> str:
    if hint is Decimal:
        return "a non-negative amount (int, str or Decimal; never float)"
    if hint is dt.date:
        return "an ISO date such as '2016-03-01'"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(repr(e.value) for e in hint)
    if typing.get_origin(hint) is frozenset:
        return "a list of " + _describe(typing.get_args(hint)[0]).removeprefix("one of ")
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _describe(inner[0]) + " or null"
    return f"a {getattr(hint, '__name__', hint)}"


def _parser_for(hint: object) -> _Parser:
    if hint is Decimal:
        return _parse_amount
    if hint is dt.date:
        return _parse_date
    if hint is bool:
        return _parse_bool
    if hint is str:
        return _parse_str
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_parser(hint)
    origin = typing.get_origin(hint)
    if origin is frozenset:
        return _frozenset_parser(_parser_for(typing.get_args(hint)[0]))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return _optional(_parser_for(inner[0]))
    raise TypeError(f"fact field type {hint!r} is not supported")


@attrs.frozen
class FieldSpec:
    name: str
    parse: _Parser
    expected: str
    required: bool
    default: object


_SPECS: dict[type[Fact], tuple[FieldSpec, ...]] = {}


def _field_hints(cls: type[Fact], names: set[str]) -> dict[str, object]:
    """The resolved type of each field, evaluated in the module of the class that declares it.

    Annotations are strings under ``from __future__ import annotations``; each is resolved
    where it was written, and only for fields, so a class defined in a script or a notebook
    (whose module cannot be imported back) works too.
    """
    hints: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        namespace = dict(vars(module)) if module is not None else {}
        for name, hint in vars(klass).get("__annotations__", {}).items():
            if name not in names:
                continue
            if isinstance(hint, str):
                try:
                    hint = eval(hint, namespace, dict(vars(klass)))  # an annotation is an expression of its module
                except NameError as error:
                    raise TypeError(
                        f"cannot resolve the type {hint!r} of field {klass.__name__}.{name}: {error} "
                        f"(is module {klass.__module__!r} importable?)"
                    ) from None
            hints[name] = hint
    return hints


def field_specs(cls: type[Fact]) -> tuple[FieldSpec, ...]:
    """The parse spec of a fact class's fields, computed once per class."""
    found = _SPECS.get(cls)
    if found is not None:
        return found
    fields = attrs.fields(cls)
    hints = _field_hints(cls, {field.name for field in fields})
    specs = []
    for field in fields:
        hint = hints[field.name]
        required = field.default is attrs.NOTHING
        specs.append(FieldSpec(field.name, _parser_for(hint), _describe(hint), required, field.default))
    _SPECS[cls] = tuple(specs)
    return _SPECS[cls]


def validate_fact(fact: Fact) -> None:
    """Check a constructed fact's fields (types, amounts >= 0) and normalise them in place."""
    hid = fact.household_id if isinstance(fact.household_id, str) else None
    fid = fact.id if isinstance(fact.id, str) else None
    for spec in field_specs(type(fact)):
        value = getattr(fact, spec.name)
        try:
            parsed = spec.parse(value)
        except (ValueError, TypeError):
            raise InvalidFact(hid, spec.name, shown(spec.name, value), spec.expected, fact_id=fid) from None
        if parsed is not value:
            # Normalise as a converter would (an int amount becomes a Decimal, a list a frozenset).
            object.__setattr__(fact, spec.name, parsed)
    for name in ("id", "household_id"):
        if not getattr(fact, name).strip():
            raise InvalidFact(hid, name, getattr(fact, name), "a non-empty string", fact_id=fid)


def shown(field: str, value: object) -> object:
    # A member id may be a national id number: never show it whole.
    return redact(str(value)) if field == "member_id" and value is not None else value
