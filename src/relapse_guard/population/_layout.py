"""The file schema: column names of the tabular formats and how values are written.

JSON Lines files hold one :meth:`Household.to_dict` or :meth:`Fact.to_dict` per line. The
tabular formats (CSV, Parquet) hold

- households: one row per **member**, the rows of a household next to each other, with the
  columns :data:`HOUSEHOLD_COLUMNS`;
- facts: one row per fact with the columns :data:`COMMON_FACT_COLUMNS` and, after them, the
  union of the fact kinds' own fields (:func:`fact_columns`), blank where a kind has no such
  field or the value is absent. Booleans are ``true``/``false``, lists are their items joined
  by ``;``, amounts and dates are their JSON strings.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..facts import Fact, FactKinds
from ..household import Household
from ._errors import PopulationError

__all__ = [
    "COMMON_FACT_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "REQUIRED_FACT_COLUMNS",
    "REQUIRED_HOUSEHOLD_COLUMNS",
    "FactDumper",
    "cell_text",
    "check_header",
    "fact_columns",
    "household_rows",
]

#: Columns of a tabular households file: one row per member.
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "district",
    "town",
    "village",
    "member_id",
    "birth_date",
    "labour_capacity",
    "health",
    "schooling",
)
REQUIRED_HOUSEHOLD_COLUMNS = frozenset({"household_id", "district", "member_id", "birth_date"})

#: The columns every tabular facts file starts with; the kinds' own fields follow.
COMMON_FACT_COLUMNS: tuple[str, ...] = ("household_id", "id", "kind", "date", "source")
REQUIRED_FACT_COLUMNS = frozenset({"household_id", "id", "kind", "date"})


def fact_columns(kinds: FactKinds) -> tuple[str, ...]:
    """The columns of a tabular facts file for ``kinds``: the common ones, then each field once.

    Fields come in the order of the kinds, then of each kind's fields; a name two kinds share
    (``member_id``) is one column.
    """
    columns = list(COMMON_FACT_COLUMNS)
    for cls in kinds.by_kind.values():
        for field in attrs.fields(cls):
            if field.name not in columns:
                columns.append(field.name)
    return tuple(columns)


def check_header(path: str, header: Sequence[str], allowed: Sequence[str], required: frozenset[str]) -> None:
    """Raise :class:`PopulationError` for a header with an unknown, repeated or missing column."""
    unknown = [name for name in header if name not in allowed]
    if unknown:
        raise PopulationError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))} in the header; "
            f"the columns are {', '.join(allowed)}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise PopulationError(f"{path}: column(s) {', '.join(map(repr, repeated))} appear more than once in the header")
    missing = sorted(required - set(header))
    if missing:
        raise PopulationError(f"{path}: the header lacks the required column(s) {', '.join(map(repr, missing))}")


def cell_text(value: object) -> str:
    """A value as a CSV cell: blank for absent, ``true``/``false``, ISO dates, ``;``-joined lists."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set | list | tuple):
        return ";".join(sorted(cell_text(item) for item in value))
    return str(value)


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
            member.labour_capacity.value,
            member.health.value,
            member.schooling.value,
        )


def _json_dumper(value: object) -> Callable[[Any], Any]:
    """The function writing a field's value in :meth:`Fact.to_dict` form, chosen by the value's type."""
    if isinstance(value, enum.Enum):
        return _enum_value
    if isinstance(value, dt.date):
        return _isoformat
    if isinstance(value, Decimal):
        return str
    if isinstance(value, frozenset):
        return _sorted_list
    return _same


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _isoformat(value: dt.date) -> str:
    return value.isoformat()


def _sorted_list(value: frozenset[Any]) -> list[Any]:
    return sorted(v.value if isinstance(v, enum.Enum) else v for v in value)


def _same(value: Any) -> Any:
    return value


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_quote: Callable[[str], str] = json.encoder.encode_basestring


def _json_text(value: Any) -> str:
    """The compact JSON text of a field's value in :meth:`Fact.to_dict` form."""
    if type(value) is str:
        return _quote(value)
    if value is None:
        return "null"
    if isinstance(value, enum.Enum):
        return _json_text(value.value)
    if isinstance(value, dt.date):
        return '"' + value.isoformat() + '"'
    if isinstance(value, Decimal):
        return '"' + str(value) + '"'
    if isinstance(value, frozenset):
        return _encode(_sorted_list(value))
    return _encode(value)


def _line_writer(cls: type[Fact]) -> Callable[[Fact], str]:
    """Generated code writing a fact of ``cls`` as one compact JSON line (its ``to_dict()``)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve here: every field the generic way
        hints = {}
    parts = [repr("{" + _quote("kind") + ":" + _quote(cls.kind))]
    for field in attrs.fields(cls):
        key = repr("," + _quote(field.name) + ":")
        hint = hints.get(field.name)
        value = f"fact.{field.name}" if field.name.isidentifier() else f"getattr(fact, {field.name!r})"
        if hint is str:
            parts.append(f"{key} + _quote({value})")
        elif hint is dt.date:
            parts.append(f"{key[:-1]}\"' + {value}.isoformat() + '\"'")
        elif hint is Decimal:
            parts.append(f"{key[:-1]}\"' + str({value}) + '\"'")
        else:
            parts.append(f"{key} + _json_text({value})")
    source = "def line(fact):\n    return " + " + ".join(parts) + " + '}\\n'\n"
    namespace: dict[str, Any] = {"_quote": _quote, "_json_text": _json_text}
    exec(compile(source, f"<relapse_guard JSON line writer of {cls.__name__}>", "exec"), namespace)
    writer: Callable[[Fact], str] = namespace["line"]
    return writer


class FactDumper:
    """Writes facts as :meth:`Fact.to_dict` does, or as cells of a tabular row, faster.

    ``to_dict`` looks up the class's fields and tests each value's type for every fact;
    this caches the field names per class. The result is the same dict (a test checks it).
    """

    def __init__(self, columns: Sequence[str] = (), *, typed: Iterable[str] | None = None) -> None:
        self.columns = tuple(columns)
        self._index = {name: i for i, name in enumerate(self.columns)}
        self._names: dict[type[Fact], tuple[str, ...]] = {}
        self._lines: dict[type[Fact], Callable[[Fact], str]] = {}
        # Text cells ("" for absent) for CSV; for Parquet (typed given) None for absent, and the
        # typed columns keep their dates and booleans.
        self._blank: str | None = "" if typed is None else None
        self._typed = frozenset(self._index[name] for name in typed or () if name in self._index)

    def _fields(self, cls: type[Fact]) -> tuple[str, ...]:
        names = self._names.get(cls)
        if names is None:
            names = self._names[cls] = tuple(field.name for field in attrs.fields(cls))
        return names

    def as_dict(self, fact: Fact) -> dict[str, Any]:
        """``fact.to_dict()``."""
        out: dict[str, Any] = {"kind": fact.kind}
        for name in self._fields(type(fact)):
            value = getattr(fact, name)
            out[name] = value if type(value) is str or value is None else _json_dumper(value)(value)
        return out

    def json_line(self, fact: Fact) -> str:
        """``fact.to_dict()`` as compact JSON, with its newline (the JSON Lines form)."""
        cls = type(fact)
        writer = self._lines.get(cls)
        if writer is None:
            writer = self._lines[cls] = _line_writer(cls)
        return writer(fact)

    def as_cells(self, fact: Fact) -> list[Any]:
        """The row of ``fact`` under :attr:`columns`.

        Raises :class:`PopulationError` when a field of the fact has no column.
        """
        row: list[Any] = [self._blank] * len(self.columns)
        index, typed = self._index, self._typed
        row[index["kind"]] = fact.kind
        for name in self._fields(type(fact)):
            value = getattr(fact, name)
            position = index.get(name)
            if position is None:
                raise PopulationError(f"fact kind {fact.kind!r} has a field {name!r} that the columns lack")
            if value is None:
                continue
            if type(value) is str or position in typed:
                row[position] = value
            else:
                row[position] = cell_text(value)
        return row
