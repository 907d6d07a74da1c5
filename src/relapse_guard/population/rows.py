"""Facts and households as rows of a file, both ways: written as cells or JSON lines, and read back.

Writing: :class:`FactDumper` writes a fact as :meth:`Fact.to_dict` does (a JSON line) or as the
cells of a tabular row (:func:`cell_text`: blank for absent, ``true``/``false``, ISO dates,
lists joined by ``;``); :func:`household_rows` gives a household's member rows.

Reading: :class:`FactBuilder` turns decoded rows into facts for a set of kinds, the library's
one way (:meth:`~relapse_guard.facts.FactKinds.parse`: each field parsed once by
:mod:`relapse_guard.fact_fields`, on the fast path of :mod:`relapse_guard.fact_plans` when the
row is valid, else the explaining way whose :class:`~relapse_guard.errors.InvalidFact` names
the field). A reader's loop calls the fast builders of :meth:`FactBuilder.fast_builders`
itself (a call per row costs) and hands a row they do not take to :meth:`FactBuilder.build`.
:class:`RowFactBuilder` builds rows of cells under a header with the same plans, the cells of
booleans and lists decoded first (:func:`text_converters`).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ..fact_fields import Parse
from ..fact_plans import NOT_FAST, FactPlan, fact_plan
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from .records import PopulationError

__all__ = [
    "FactBuilder",
    "FactDumper",
    "RowFactBuilder",
    "cell_text",
    "fact_builder",
    "fact_json",
    "text_converters",
    "text_fact",
]

_F = TypeVar("_F", bound=Fact)
_T = TypeVar("_T")


# --- writing ----------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A value as a CSV cell: blank for absent, ``true``/``false``, ISO dates, ``;``-joined lists,
    a fact (a correction's replacement) as the JSON object of its :meth:`Fact.to_dict`."""
    if value is None:
        return ""
    if isinstance(value, Fact):
        return fact_json(value)
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


def fact_json(fact: Fact) -> str:
    """A fact as the compact JSON object of its :meth:`Fact.to_dict`: a correction's replacement in a
    table's cell, read back by :func:`text_fact` (as a JSON line carries it)."""
    return _encode(fact.to_dict())


def _fact_dict(value: Fact) -> dict[str, Any]:
    return value.to_dict()


def _json_dumper(value: object) -> Callable[[Any], Any]:
    """The function writing a field's value in :meth:`Fact.to_dict` form, chosen by the value's type."""
    if isinstance(value, Fact):
        return _fact_dict
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
    if isinstance(value, Fact):
        return fact_json(value)
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
        if field.name == "recorded_at":  # left out when None, as to_dict leaves it
            parts.append(f"('' if {value} is None else {key} + _json_text({value}))")
        elif hint is str:
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
            if value is None and name == "recorded_at":
                continue  # left out, as to_dict leaves it
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


# --- reading ----------------------------------------------------------------------------------


TEXT_BOOLEANS = {"true": True, "false": False}


def text_bool(value: Any) -> Any:
    return TEXT_BOOLEANS.get(value, value) if type(value) is str else value


def text_list(value: Any) -> Any:
    if type(value) is str:
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def text_fact(value: Any) -> Any:
    """A cell holding a fact (a correction's replacement): its JSON object as a record, which the
    library parses as it parses a JSON line's; a cell that is not a JSON object stays as it is, for
    the bad row to name its value."""
    if type(value) is str:
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return value
        return decoded if isinstance(decoded, dict) else value
    return value


def text_converter(hint: object) -> Parse | None:
    """How a field stored as text in a cell becomes its record form (None: the text is that form)."""
    if hint is bool:
        return text_bool
    if isinstance(hint, type) and issubclass(hint, Fact):
        return text_fact
    origin = typing.get_origin(hint)
    if origin is frozenset:
        return text_list
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return text_converter(inner[0])
    return None


def text_converters(cls: type[Fact]) -> dict[str, Parse]:
    """For the fields of ``cls`` stored in text cells, the converter of the cell to the record form."""
    hints = typing.get_type_hints(cls)
    out = {}
    for field in attrs.fields(cls):
        converter = text_converter(hints[field.name])
        if converter is not None:
            out[field.name] = converter
    return out


class FactBuilder:
    """Builds facts from decoded rows (dicts in :meth:`Fact.to_dict` form) for a set of kinds.

    :meth:`build` is :meth:`FactKinds.parse`: it returns what that returns and raises what it
    raises (:class:`~relapse_guard.errors.InvalidFact`).
    """

    def __init__(self, kinds: FactKinds = DEFAULT_FACT_KINDS) -> None:
        self.kinds = kinds
        self._rows: dict[tuple[tuple[str, ...], bool], RowFactBuilder] = {}
        self._memo: dict[Hashable, Any] = {}
        self._plans: dict[str, FactPlan] = {}
        for kind, cls in kinds.by_kind.items():
            plan = fact_plan(cls)
            if plan is not None:
                self._plans[kind] = plan

    def build(self, data: Mapping[str, Any]) -> Fact:
        """The fact ``data`` describes; :class:`InvalidFact` when it describes none."""
        return self.kinds.parse(data)

    def make(self, cls: type[_F], /, **values: Any) -> _F:
        """``cls(**values)`` with every field converted and checked once (the generator's constructor).

        Raises what ``cls(**values)`` raises for values it refuses.
        """
        plan = self._plans.get(cls.kind)
        if plan is not None and plan.cls is cls:
            values["kind"] = cls.kind
            try:
                made: _F = plan.build(values)
                return made
            except NOT_FAST:
                del values["kind"]
        return cls(**values)

    def fast_builders(self) -> Mapping[str, Callable[[Mapping[str, Any]], Fact]]:
        """The fast builder of each kind that has one (for a reader's loop; they raise :data:`NOT_FAST`
        on a row they do not take, which then goes to :meth:`build`)."""
        return {kind: plan.build for kind, plan in self._plans.items()}

    def plan(self, kind: str) -> FactPlan | None:
        """How facts of ``kind`` are built fast (``cls``, ``fields``, ``setters``), or None when they are not."""
        return self._plans.get(kind)

    def fast_kinds(self) -> frozenset[str]:
        """The kinds built on the fast path (the others go through ``FactKinds.parse``)."""
        return frozenset(self._plans)

    def for_rows(self, header: list[str], *, nulls: bool = True) -> RowFactBuilder:
        """A builder of facts from rows of cells under ``header`` (CSV rows; with ``nulls``, Parquet rows).

        Made once for a header (the partitions of a population share theirs).
        """
        key = (tuple(header), nulls)
        found = self._rows.get(key)
        if found is None:
            if len(self._rows) >= _HEADERS_KEPT:
                self._rows.clear()
            found = self._rows[key] = RowFactBuilder(self, header, nulls=nulls)
        return found

    def memo(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """What ``make()`` returns, made once for this builder and ``key`` (a reader's own builders by header)."""
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= _HEADERS_KEPT:
                self._memo.clear()
            found = self._memo[key] = make()
        return found


#: Row builders (and readers' builders) kept by header: a population's partitions share one.
_HEADERS_KEPT = 16
_BUILDERS: dict[int, tuple[FactKinds, FactBuilder]] = {}


def fact_builder(kinds: FactKinds = DEFAULT_FACT_KINDS) -> FactBuilder:
    """The :class:`FactBuilder` of ``kinds``, made once (while ``kinds`` is one of the last few used)."""
    found = _BUILDERS.get(id(kinds))
    if found is None or found[0] is not kinds:
        if len(_BUILDERS) >= _HEADERS_KEPT:
            _BUILDERS.clear()
        found = _BUILDERS[id(kinds)] = (kinds, FactBuilder(kinds))
    return found[1]


class RowFactBuilder:
    """Builds facts from rows of cells (a blank cell, ``""`` or ``None``, is an absent field).

    Cells of booleans hold ``true``/``false`` (or a boolean), cells of lists hold the items
    separated by ``;`` (or a list); every other cell holds the JSON form's string (or, from
    Parquet, a date or a number the library accepts).
    """

    def __init__(self, builder: FactBuilder, header: list[str], *, nulls: bool = True) -> None:
        self.header = header
        self.nulls = nulls  # whether a cell may be None (Parquet), besides "" (CSV)
        self.kinds = builder.kinds
        self.kind_column = header.index("kind")
        columns = {name: index for index, name in enumerate(header)}
        self._text: dict[str, dict[str, Parse]] = {}
        self._builders: dict[str, Callable[..., Fact]] = {}
        for kind, cls in builder.kinds.by_kind.items():
            try:
                text = text_converters(cls)
            except Exception:  # an annotation that does not resolve: rows of this kind go through the library
                text = {}
            self._text[kind] = text
            plan = builder._plans.get(kind)
            if plan is not None:
                self._builders[kind] = plan.compile(columns, text)

    def build(self, row: Sequence[Any]) -> Fact:
        """The fact in ``row``; :class:`InvalidFact` when it holds none."""
        kind = row[self.kind_column]
        build = self._builders.get(kind) if type(kind) is str else None
        if build is not None:
            filled = len(row) - row.count("")
            if self.nulls:
                filled -= row.count(None)
            try:
                return build(row, filled)
            except NOT_FAST:
                pass
        return self.kinds.parse(self.as_dict(row))

    def fast_builders(self) -> Mapping[str, Callable[[Sequence[Any], int], Fact]]:
        """The fast builder of each kind that has one: ``build(row, filled)``, ``filled`` being the number
        of non-blank cells (for a reader's loop; they raise :data:`NOT_FAST` on a row they do not take,
        which then goes to :meth:`parse`)."""
        return dict(self._builders)

    def parse(self, row: Sequence[Any]) -> Fact:
        """The fact in ``row`` the library's way (:meth:`FactKinds.parse`); :class:`InvalidFact` when it holds none."""
        return self.kinds.parse(self.as_dict(row))

    def as_dict(self, row: Sequence[Any]) -> dict[str, Any]:
        """The row as a dict in :meth:`Fact.to_dict` form: non-blank cells, text converted."""
        kind = row[self.kind_column]
        text = self._text.get(kind, {}) if isinstance(kind, str) else {}
        data: dict[str, Any] = {}
        for name, cell in zip(self.header, row, strict=True):
            if cell is None or cell == "":
                continue
            convert = text.get(name)
            data[name] = cell if convert is None else convert(cell)
        return data
