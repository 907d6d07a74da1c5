"""Building facts from decoded rows, cheaply and exactly as the library would.

Reading a province means parsing about 12 million facts, so the cost per row decides the
screen's time. :meth:`~relapse_guard.facts.FactKinds.parse` converts every field and then
constructs the fact, whose ``__attrs_post_init__`` converts and checks every field again.
:class:`FactBuilder` converts each field once (with caches for dates and enums) and sets the
converted values on a new instance, skipping the second pass — but only for fact classes
whose sole validation is :class:`~relapse_guard.facts.Fact`'s own (no validators,
converters or ``__attrs_post_init__`` of their own), and only for rows it accepts whole.

Anything else — an unknown kind, a class of a policy's own, a missing or extra field, a value
the fast converters do not accept — goes through the library's ``FactKinds.parse``, so the
result and the error (:class:`~relapse_guard.errors.InvalidFact`) are the library's own. The
fast converters are never more lenient than the library's: the tests check that for every
built-in kind.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ._convert import (
    DATES,
    MISSING,
    NOT_FAST,
    REJECT,
    Parse,
    amount_value,
    converter,
    date_value,
    field_setter,
    new_object,
    text_converters,
)

__all__ = ["FactBuilder", "RowFactBuilder", "fact_builder"]

_F = TypeVar("_F", bound=Fact)
_T = TypeVar("_T")
_FieldPlan = tuple[str, Parse, bool, object, bool]  # name, converter, required, default, is_str


class _KindPlan:
    """How to build one fact class fast: its fields with their converters and defaults.

    The builders are generated code (as attrs generates ``__init__``): one straight-line
    function per kind and row shape, with no loop and no call for string fields, because
    this runs once per fact of a province.
    """

    __slots__ = ("build", "cls", "fields", "setters")

    def __init__(self, cls: type[Fact], fields: tuple[_FieldPlan, ...]) -> None:
        self.cls = cls
        self.fields = fields
        self.setters = tuple(field_setter(cls, field[0]) for field in fields)
        self.build: Callable[[Mapping[str, Any]], Fact] = self.compile(None, None)

    def compile(self, columns: Mapping[str, int] | None, text: Mapping[str, Parse] | None) -> Callable[..., Fact]:
        """A builder from a dict (``columns`` None) or from a row of cells (``build(row, filled)``).

        For rows, ``columns`` gives each field's cell; a blank cell (``""`` or ``None``) is an
        absent field, ``text`` converts the cells of fields stored as text (booleans, lists)
        first, and ``filled`` is the number of non-blank cells (to detect an extra one).
        """
        namespace: dict[str, Any] = {"new_object": new_object, "_cls": self.cls, "MISSING": MISSING}
        namespace.update(REJECT=REJECT, _dates=DATES, _Decimal=Decimal)
        lines = ["def build(data):", "    get = data.get"] if columns is None else ["def build(row, filled):"]
        lines.append("    fact = new_object(_cls)")
        present = 1 + sum(1 for field in self.fields if field[2])  # "kind" and the required fields
        optional = False
        for index, (name, convert, required, default, is_str) in enumerate(self.fields):
            namespace[f"_convert{index}"] = convert
            namespace[f"_default{index}"] = default
            namespace[f"_set{index}"] = self.setters[index]
            value = f"v_{name}"
            # Fetch the raw value; a missing required field rejects the row.
            if columns is None:
                fetch = f"data[{name!r}]" if required else f"get({name!r}, MISSING)"
                missing = "raw is MISSING"
            elif name in columns:
                fetch = f"row[{columns[name]}]"
                missing = "raw is None or raw == ''"
            else:
                fetch = "MISSING"
                missing = "raw is MISSING"
            lines.append(f"    raw = {fetch}")
            indent = "    "
            if required and columns is not None:
                lines.append(f"    if {missing}: raise REJECT")
            elif not required:
                optional = True
                lines += [
                    f"    if {missing}:",
                    f"        {value} = _default{index}",
                    "    else:",
                    "        present += 1",
                ]
                indent = "        "
            if columns is not None and text is not None and name in text:
                namespace[f"_text{index}"] = text[name]
                lines.append(f"{indent}raw = _text{index}(raw)")
            # Convert it: strings are checked in place, dates come from the cache first, and an
            # amount of ASCII digits only (whole yuan) is a valid amount as it is.
            if is_str:
                lines += [f"{indent}if type(raw) is not str: raise REJECT", f"{indent}{value} = raw"]
            elif convert is date_value:
                lines += [
                    f"{indent}{value} = _dates.get(raw)",
                    f"{indent}if {value} is None: {value} = _convert{index}(raw)",
                ]
            elif convert is amount_value:
                lines += [
                    f"{indent}if type(raw) is str and raw.isascii() and raw.isdigit(): {value} = _Decimal(raw)",
                    f"{indent}else: {value} = _convert{index}(raw)",
                ]
            else:
                lines.append(f"{indent}{value} = _convert{index}(raw)")
            lines.append(f"    _set{index}(fact, {value})")
        count = "len(data)" if columns is None else "filled"
        if optional:
            lines.insert(2 if columns is None else 1, f"    present = {present}")
            check = f"present != {count}"
        else:
            check = f"{present} != {count}"
        lines.append(f"    if {check} or not v_id.strip() or not v_household_id.strip():")
        lines.append("        raise REJECT  # an extra field, or an empty id: the library words the error")
        lines.append("    return fact")
        exec(compile("\n".join(lines), f"<relapse_guard fast builder of {self.cls.__name__}>", "exec"), namespace)
        builder: Callable[..., Fact] = namespace["build"]
        return builder


def _plan(cls: type[Fact]) -> _KindPlan | None:
    """A fast plan for ``cls``, or None when its construction does more than Fact's checks."""
    if getattr(cls, "__attrs_post_init__", None) is not Fact.__attrs_post_init__:
        return None
    if hasattr(cls, "__attrs_pre_init__"):
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve here: the library resolves its own way
        return None
    fields: list[_FieldPlan] = []
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None or not field.init or field.alias != field.name:
            return None
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return None
        hint = hints.get(field.name)
        convert = converter(hint)
        if convert is None or not field.name.isidentifier():
            return None
        fields.append((field.name, convert, field.default is attrs.NOTHING, field.default, hint is str))
    return _KindPlan(cls, tuple(fields))


class FactBuilder:
    """Builds facts from decoded rows (dicts in :meth:`Fact.to_dict` form) for a set of kinds.

    :meth:`build` returns what :meth:`FactKinds.parse` returns, and raises what it raises
    (:class:`~relapse_guard.errors.InvalidFact`), three to four times as fast for valid
    rows of the built-in kinds.
    """

    def __init__(self, kinds: FactKinds = DEFAULT_FACT_KINDS) -> None:
        self.kinds = kinds
        self._rows: dict[tuple[tuple[str, ...], bool], RowFactBuilder] = {}
        self._memo: dict[Hashable, Any] = {}
        self._plans: dict[str, _KindPlan] = {}
        for kind, cls in kinds.by_kind.items():
            plan = _plan(cls)
            if plan is not None:
                self._plans[kind] = plan

    def build(self, data: Mapping[str, Any]) -> Fact:
        """The fact ``data`` describes; :class:`InvalidFact` when it describes none."""
        kind = data.get("kind")
        plan = self._plans.get(kind) if type(kind) is str else None
        if plan is not None:
            try:
                return plan.build(data)
            except NOT_FAST:
                pass
        return self.kinds.parse(data)

    def make(self, cls: type[_F], /, **values: Any) -> _F:
        """``cls(**values)`` with every field converted and checked once (the generator's constructor).

        Raises what ``cls(**values)`` raises for values it refuses.
        """
        plan = self._plans.get(cls.kind)
        if plan is not None and plan.cls is cls:
            values["kind"] = cls.kind
            try:
                return plan.build(values)  # type: ignore[return-value]
            except NOT_FAST:
                del values["kind"]
        return cls(**values)

    def fast_builders(self) -> Mapping[str, Callable[[Mapping[str, Any]], Fact]]:
        """The fast builder of each kind that has one (for a reader's loop; they raise :data:`NOT_FAST`
        on a row they do not take, which then goes to :meth:`build`)."""
        return {kind: plan.build for kind, plan in self._plans.items()}

    def plan(self, kind: str) -> _KindPlan | None:
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
