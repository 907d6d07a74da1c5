"""Building facts from decoded rows (dicts, or rows of cells under a header) for a set of fact kinds.

Every row goes the library's one way, :meth:`~relapse_guard.facts.FactKinds.parse`: each
field parsed once by :mod:`relapse_guard.fact_fields`, on the fast path of
:func:`~relapse_guard.fact_plans.fact_plan` when the row is valid, else the explaining way,
whose error (:class:`~relapse_guard.errors.InvalidFact`) names the field. A reader's loop
calls the fast builders of :meth:`FactBuilder.fast_builders` itself (a call per row costs)
and hands a row they do not take to :meth:`FactBuilder.build`. Rows of cells are built by
the same plans, compiled for their header.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ..fact_fields import Parse
from ..fact_plans import NOT_FAST, FactPlan, fact_plan
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds

__all__ = ["FactBuilder", "RowFactBuilder", "fact_builder", "text_converters"]

_F = TypeVar("_F", bound=Fact)
_T = TypeVar("_T")


TEXT_BOOLEANS = {"true": True, "false": False}


def text_bool(value: Any) -> Any:
    return TEXT_BOOLEANS.get(value, value) if type(value) is str else value


def text_list(value: Any) -> Any:
    if type(value) is str:
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def text_converter(hint: object) -> Parse | None:
    """How a field stored as text in a cell becomes its record form (None: the text is that form)."""
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
