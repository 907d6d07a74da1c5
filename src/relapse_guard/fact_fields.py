"""Fact fields: the one place a fact's fields are parsed, checked and set, driven by its type hints.

Every field type a fact may have (text, dates, booleans, non-negative decimal amounts, enums,
frozensets of enums, optional values) has one parser (:func:`parser_for`). The parsers read
plain records (:meth:`~relapse_guard.facts.FactKinds.parse`, which the store, the population
readers and :func:`~relapse_guard.facts.parse_fact` go through) and check (and normalise)
facts built in Python (:func:`validate_fact`, a fact's ``__attrs_post_init__``).

The same parsers build facts fast in :mod:`relapse_guard.fact_plans`.

A leaf module: it does not import :mod:`relapse_guard.facts` (which imports it).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import sys
import types
import typing
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .bounds import LAST_DATE, MAX_AMOUNT, STORED, amount_bound, text_limit, valid_text
from .errors import InvalidFact, WrongType, redact
from .money import parse_decimal

__all__ = [
    "AMOUNT_DIGITS",
    "TEXT_LIMITS",
    "FieldSpec",
    "Parse",
    "add_parser",
    "amount_parser",
    "cached_date",
    "field_parser",
    "field_specs",
    "parse_amount",
    "parse_date",
    "parse_instant",
    "parser_for",
    "shown",
    "text_parser",
    "validate_fact",
]

Parse = Callable[[Any], Any]

# --- parsers of single values ----------------------------------------------------------------

#: Dates by their ISO text: a population has few distinct ones.
DATES: dict[str, dt.date] = {}
CACHE_LIMIT = 100_000


def cached_date(text: str) -> dt.date:
    """``date.fromisoformat(text)``, from a cache (bounded: it is emptied when full); a date after
    :data:`~relapse_guard.bounds.LAST_DATE` is refused (``ValueError``), but where stored
    records are read (:data:`~relapse_guard.bounds.STORED`), and never cached."""
    found = DATES.get(text)
    if found is None:
        found = _in_bounds(dt.date.fromisoformat(text))
        if found > LAST_DATE:
            return found  # read as stored: not cached, so that input is still refused
        if len(DATES) >= CACHE_LIMIT:
            DATES.clear()
        DATES[text] = found
    return found


def _in_bounds(day: dt.date) -> dt.date:
    if day > LAST_DATE and not STORED.get():  # a typo (2106 for 2016): it would wait for that day
        raise ValueError(f"after {LAST_DATE.isoformat()}")
    return day


def parse_date(value: object) -> dt.date:
    """A date, or its ISO text (a datetime is refused), up to :data:`~relapse_guard.bounds.LAST_DATE`."""
    if type(value) is str:
        return cached_date(value)
    if type(value) is dt.date:
        return value if value <= LAST_DATE else _in_bounds(value)
    if isinstance(value, dt.datetime):
        raise ValueError("a datetime is not a date")
    if isinstance(value, dt.date):
        return _in_bounds(value)
    if isinstance(value, str):
        return _in_bounds(dt.date.fromisoformat(value))
    raise ValueError("not a date")


def parse_instant(value: object) -> dt.datetime:
    """A timezone-aware moment (a fact's ``recorded_at``), or its ISO text, in UTC.

    A naive datetime (no time zone) is refused: when a fact became known must not depend on
    the clock of the machine that reads it.
    """
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise ValueError("not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a datetime without a time zone")
    return value if value.tzinfo is dt.UTC else value.astimezone(dt.UTC)


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("not a boolean")


def _parse_str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("not a string")


#: The text parsers by the parser: the most characters each takes (see :func:`text_parser`).
TEXT_LIMITS: dict[Parse, int] = {}
_TEXT_PARSERS: dict[int, Parse] = {}


def text_parser(limit: int) -> Parse:
    """The parser of a text field of at most ``limit`` characters, all Unicode scalar values (made once per limit)."""
    found = _TEXT_PARSERS.get(limit)
    if found is not None:
        return found

    def parse(value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("not a string")
        if not valid_text(value, limit):
            raise ValueError("too long, or not Unicode text")
        return value

    _TEXT_PARSERS[limit] = parse
    TEXT_LIMITS[parse] = limit
    return parse


#: An amount as text: ASCII digits with at most one point, and the exponent ``str(Decimal)``
#: may write (``1E+3``), spaces around it aside. Python's ``Decimal`` reads more (``1_000``,
#: full-width and other scripts' digits, a sign), which an export gives only by mistake.
_PLAIN_AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

#: The amount parsers by the parser: how many ASCII digits a whole amount may have and be within
#: the parser's bound whatever they are (see :func:`amount_parser`).
AMOUNT_DIGITS: dict[Parse, int] = {}
_AMOUNT_PARSERS: dict[Decimal, Parse] = {}


def amount_parser(bound: Decimal) -> Parse:
    """The parser of a non-negative exact amount of at most ``bound``: an int, a Decimal or a decimal
    string (never a float). Made once per bound."""
    found = _AMOUNT_PARSERS.get(bound)
    if found is not None:
        return found

    def parse(value: object) -> Decimal:
        if type(value) is Decimal:
            if not value.is_finite():
                raise ValueError("not a finite number")
            amount = value
        elif type(value) is str:
            text = value.strip()
            if _PLAIN_AMOUNT.fullmatch(text) is None and not STORED.get():
                raise ValueError("not plain ASCII digits with at most one point")
            amount = parse_decimal(text)
        else:
            amount = parse_decimal(value)
        if amount < 0 or (amount.is_signed() and not STORED.get()):  # -0 too (as input)
            raise ValueError("negative")
        if amount > bound:
            raise ValueError("too large")
        return amount

    _AMOUNT_PARSERS[bound] = parse
    AMOUNT_DIGITS[parse] = len(str(int(bound))) - 1
    return parse


#: A non-negative exact amount of at most :data:`~relapse_guard.bounds.MAX_AMOUNT`.
parse_amount = amount_parser(MAX_AMOUNT)


_E = TypeVar("_E", bound=enum.Enum)


class _EnumTable(dict[object, Any]):
    """An enum's members by their value and by themselves; a value not found is looked up by the enum."""

    __slots__ = ("enum_type",)
    enum_type: type[enum.Enum]

    def __missing__(self, value: object) -> Any:
        if isinstance(value, self.enum_type):
            return value
        return self.enum_type(value)


def _enum_parser(enum_type: type[_E]) -> Parse:
    """The member of ``enum_type`` a value names: a table lookup (a C call) for the members' values and
    the members themselves, and the enum's own lookup for anything else."""
    try:
        table = _EnumTable({member.value: member for member in enum_type})
        table.update({member: member for member in enum_type})
    except TypeError:  # a member's value cannot be hashed: the enum's own lookup every time
        return _enum_call_parser(enum_type)
    table.enum_type = enum_type
    return table.__getitem__


def _enum_call_parser(enum_type: type[_E]) -> Parse:
    def parse(value: object) -> _E:
        if isinstance(value, enum_type):
            return value
        return enum_type(value)

    return parse


def _frozenset_parser(item: Parse) -> Parse:
    def parse(value: object) -> frozenset[object]:
        if type(value) is list or type(value) is tuple:
            return frozenset([item(v) for v in value])
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ValueError("not a list")
        return frozenset(item(v) for v in value)

    return parse


def _optional(inner: Parse) -> Parse:
    def parse(value: object) -> object:
        return None if value is None else inner(value)

    return parse


def _describe(hint: object, name: str = "") -> str:
    if isinstance(hint, type) and hint in _EXPECTED:
        return _EXPECTED[hint]
    if hint is Decimal:
        return (
            f"a non-negative amount of at most {amount_bound(name):,} (int, Decimal, or text of plain "
            "digits such as 3500 or 3500.50; never float)"
        )
    if hint is str:
        return f"a string of at most {text_limit(name):,} characters (Unicode text)"
    if hint is dt.date:
        return f"an ISO date such as '2016-03-01', up to {LAST_DATE.isoformat()}"
    if hint is dt.datetime:
        return "an ISO date and time with a time zone, such as '2016-03-10T09:30:00+00:00'"
    if hint is bool:  # a CSV cell of pandas' "False" said only "a bool"
        return "true or false (a CSV cell: the text true or false, in lower case)"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(repr(e.value) for e in hint)
    if typing.get_origin(hint) is frozenset:
        return "a list of " + _describe(typing.get_args(hint)[0], name).removeprefix("one of ")
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _describe(inner[0], name) + " or null"
    return f"a {getattr(hint, '__name__', hint)}"


_PARSERS: dict[object, Parse] = {}


def add_parser(hint: type, parse: Parse, expected: str) -> None:
    """Teach facts a field type: ``parse`` reads it, ``expected`` says what it takes (in errors).

    :mod:`relapse_guard.facts` adds the fact type itself (a correction's replacement)."""
    _PARSERS[hint] = parse
    _EXPECTED[hint] = expected


_EXPECTED: dict[object, str] = {}


def parser_for(hint: object) -> Parse:
    """The parser of a field type: it returns the field's value, or raises ``ValueError`` or ``TypeError``.

    Made once per type (fields of several kinds, and enums of households, share their parsers).
    Raises :class:`TypeError` for a type facts may not have.
    """
    try:
        return _PARSERS[hint]
    except KeyError:
        found = _PARSERS[hint] = _parser_for(hint)
        return found
    except TypeError:  # an unhashable annotation
        return _parser_for(hint)


def _parser_for(hint: object) -> Parse:
    if hint is Decimal:
        return parse_amount
    if hint is dt.date:
        return parse_date
    if hint is dt.datetime:
        return parse_instant
    if hint is bool:
        return _parse_bool
    if hint is str:
        return _parse_str
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_parser(hint)
    origin = typing.get_origin(hint)
    if origin is frozenset:
        return _frozenset_parser(parser_for(typing.get_args(hint)[0]))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return _optional(parser_for(inner[0]))
    raise TypeError(f"fact field type {hint!r} is not supported")


def field_parser(hint: object, name: str) -> Parse:
    """The parser of field ``name`` of type ``hint``: :func:`parser_for`, with the bounds of
    :mod:`relapse_guard.bounds` for text (its length, by the field's name) and amounts (their size)."""
    inner, optional = hint, False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        others = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(others) == 1 and len(typing.get_args(hint)) == 2:
            inner, optional = others[0], True
    if inner is str:
        parse = text_parser(text_limit(name))
    elif inner is Decimal:
        parse = amount_parser(amount_bound(name))
    else:
        return parser_for(hint)
    return _optional(parse) if optional else parse


# --- the fields of a fact class --------------------------------------------------------------


@attrs.frozen
class FieldSpec:
    """A field of a fact class: its name, parser, what it expects (for errors), default and type."""

    name: str
    parse: Parse
    expected: str
    required: bool
    default: object
    hint: object


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


def _field_hints(cls: type, names: set[str]) -> dict[str, object]:
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


def field_specs(cls: type[attrs.AttrsInstance]) -> tuple[FieldSpec, ...]:
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
        try:
            parse = field_parser(hint, field.name)
        except TypeError as error:
            raise _unsupported(cls, field.name, hint) from error
        specs.append(FieldSpec(field.name, parse, _describe(hint, field.name), required, field.default, hint))
    _SPECS[cls] = tuple(specs)
    return _SPECS[cls]


def _unsupported(cls: type, field: str, hint: object) -> WrongType:
    """The error of a fact class's field of a type facts cannot hold, saying what to use."""
    inner = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    named = hint.__name__ if isinstance(hint, type) else str(hint)
    if any(a in (float, int) for a in inner):  # a number: money and shares are exact
        advice = "use Decimal: amounts and shares are exact (Decimal('0.5'), not 0.5)"
    else:
        advice = (
            "use str, bool, Decimal, datetime.date, datetime.datetime, an Enum, a frozenset of one of these, "
            "or one of these | None"
        )
    return WrongType(
        f"fact class {cls.__qualname__}: field {field!r} is of type {named}, which a fact cannot hold; {advice}"
    )


def validate_fact(fact: Any) -> None:
    """Check a constructed fact's fields (types, amounts >= 0) and normalise them in place.

    A fact's ``__attrs_post_init__``.
    """
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
        value = getattr(fact, name)
        stripped = value.strip()
        if not stripped or (stripped != value and not STORED.get()):  # " H1": a padded export
            raise InvalidFact(hid, name, value, "a non-empty string without spaces around it", fact_id=fid)


def shown(field: str, value: object) -> object:
    """A field's value as an error may show it: a member id (maybe a national id number) never
    whole, a date as its ISO text."""
    if type(value) is dt.date:
        return value.isoformat()
    return redact(str(value)) if field == "member_id" and value is not None else value
