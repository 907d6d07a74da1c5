"""Building the facts of Arrow record batches (a Parquet facts file), column by column.

A batch's columns are converted at once, not row by row: strings as they are, every other
column through a table of its distinct values, each converted once (see :mod:`.parquet_columns`).
Which rows each fact kind takes is found on whole columns too. The facts are then made
household by household as the records are read (so that none outlives its household's
record for long) by a function generated for the batch's kinds, which sets each field
straight into its slot: no row becomes a dict or a list of cells.

A row goes through the library instead (:class:`~.rows.RowFactBuilder`, as the reader did
row by row, so the fact or the error is the library's) when any of its cells is not taken:
a kind without a fast path, a required cell that is blank, a value a fast converter refuses,
a blank ``id`` or ``household_id``, a cell in a column its kind does not have, or a column
of a type read only the general way.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any

from ..bounds import valid_text
from ..fact_fields import AMOUNT_DIGITS, TEXT_LIMITS, Parse
from ..fact_plans import NOT_FAST, new_object
from .grouping import Failure, Results, Run, runs_of
from .parquet_columns import REJECT, BatchColumns, arrow, compute, python_values
from .records import describe_failure, fact_field_names
from .rows import FactBuilder, text_converters

__all__ = ["ArrowFactBuilder", "household_runs"]


class _Field(typing.NamedTuple):
    """A field of a kind built fast: how a column's values become its values."""

    name: str
    is_str: bool
    strip: bool  # id and household_id must not be blank once stripped (Fact's own check)
    limit: int  # the most characters a text field takes
    key: Hashable  # fields with the same key convert a column's values the same way
    convert: Callable[[Any], Any]  # a cell's value (None: null) -> the field's value or REJECT
    table: Callable[[list[Any]], list[Any]]  # convert, for the distinct values of a column


def _conversion(
    convert: Parse, text: Parse | None, required: bool, default: object, is_str: bool, strip: bool
) -> Callable[[Any], Any]:
    """A cell's value to the field's, as the generated row builders of :mod:`relapse_guard.fact_plans` convert it."""
    limit = TEXT_LIMITS.get(convert, 0)

    def conversion(value: Any) -> Any:
        if value is None or value == "":  # a blank cell: an absent field
            return REJECT if required else default
        if text is not None:
            value = text(value)
        if is_str:
            if type(value) is not str or not valid_text(value, limit):
                return REJECT
            return value if not strip or (value and value.strip() == value) else REJECT
        try:
            return convert(value)
        except NOT_FAST:
            return REJECT

    return conversion


def _text_table(conversion: Callable[[Any], Any], strip: bool, limit: int) -> Callable[[list[Any]], list[Any]]:
    """The table of a text field: the values themselves, but for blank or (``strip``) blank-looking ones,
    and those that are not short ASCII text (which :func:`_conversion` checks)."""

    def table(values: list[Any]) -> list[Any]:
        if strip:
            return [
                v if type(v) is str and v.isascii() and len(v) <= limit and v and v.strip() == v else conversion(v)
                for v in values
            ]
        return [v if type(v) is str and v.isascii() and 0 < len(v) <= limit else conversion(v) for v in values]

    return table


def _each_table(conversion: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """The table of a field of another type than text: each distinct value converted."""

    def table(values: list[Any]) -> list[Any]:
        return [conversion(value) for value in values]

    return table


def _amount_table(conversion: Callable[[Any], Any], digits: int) -> Callable[[list[Any]], list[Any]]:
    """The table of an amount field: text of a few ASCII digits only (whole yuan, within the bound) is a
    valid amount as it is."""

    def table(values: list[Any]) -> list[Any]:
        return [
            Decimal(value)
            if type(value) is str and len(value) <= digits and value.isascii() and value.isdigit()
            else conversion(value)
            for value in values
        ]

    return table


class _Kind:
    """One fact kind built fast: its class, its fields and their slot setters."""

    def __init__(self, builder: FactBuilder, kind: str) -> None:
        plan = builder.plan(kind)
        assert plan is not None
        self.kind = kind
        self.cls = plan.cls
        self.setters = plan.setters
        text = text_converters(plan.cls)
        self.fields: list[_Field] = []
        for name, convert, required, default, is_str in plan.fields:
            strip = name in ("id", "household_id")
            key = (convert, text.get(name), required, id(default), is_str, strip)
            conversion = _conversion(convert, text.get(name), required, default, is_str, strip)
            digits = AMOUNT_DIGITS.get(convert)
            if is_str:
                table = _text_table(conversion, strip, TEXT_LIMITS.get(convert, 0))
            else:
                table = _each_table(conversion) if digits is None else _amount_table(conversion, digits)
            self.fields.append(_Field(name, is_str, strip, TEXT_LIMITS.get(convert, 0), key, conversion, table))
        self.names = frozenset(field.name for field in self.fields) | {"kind"}


#: How a fact's field gets its value in a row ``r``: ``("v", a)`` is ``A<a>[r]`` (a column's
#: values), ``("c", a, b)`` is ``A<b>[A<a>[r]]`` (a table indexed by a column's codes),
#: ``("k", a)`` is ``A<a>`` (one value for every row: the column is absent) and ``("h",)`` is
#: the household id of the rows asked for (the same in each, or they are not built here).
_Source = tuple[Any, ...]
#: What the code making the facts of a batch depends on: each kind built fast, with its fields' sources.
_Shape = tuple[tuple[str, tuple[_Source, ...]], ...]


class _Arguments:
    """The values the code making a batch's facts reads, numbered; a column is passed once."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._columns: dict[tuple[str, str], int] = {}

    def add(self, value: Any) -> int:
        """Pass ``value``; its number."""
        self.values.append(value)
        return len(self.values) - 1

    def column(self, mode: str, name: str, get: Callable[[], Any]) -> int:
        """Pass column ``name`` as ``get()`` gives it (once for each ``mode``); its number."""
        found = self._columns.get((mode, name))
        if found is None:
            found = self._columns[(mode, name)] = self.add(get())
        return found


def household_runs(batch: BatchColumns) -> list[Run]:
    """The runs of rows of one household in ``batch`` (see :func:`~.grouping.runs_of`).

    Every row of a run has the same ``household_id`` cell: the one the run names.
    """
    if "household_id" not in batch.columns:
        return [(None, 0, batch.length)]
    encoded = batch.encoded("household_id") if batch.text("household_id") else None
    if encoded is None:
        return runs_of([value or None for value in batch.columns["household_id"].to_pylist()])
    codes, names = encoded
    runs = compute().run_end_encode(codes)
    names = [*names, None]
    found: list[Run] = []
    start = 0
    for end, code in zip(runs.run_ends.to_pylist(), runs.values.to_pylist(), strict=True):
        found.append((names[code] or None, start, end))
        start = end
    return found


def _compile(shape: _Shape, kinds: dict[str, _Kind], count: int) -> Callable[..., Results]:
    """The factory of the function making the facts of rows ``start:end`` (naming ``hid``) of a batch of ``shape``.

    Generated code (as attrs generates ``__init__``): a loop over the rows with a branch per
    kind, most frequent first, each setting the fields straight into their slots.
    """
    namespace: dict[str, Any] = {"new": new_object}
    arguments = ", ".join(f"A{index}" for index in range(count))
    lines = [
        f"def factory(part, slow, {arguments}):" if count else "def factory(part, slow):",
        "    def make(start, end, hid):",
        "        out = []",
        "        append = out.append",
        "        for r in range(start, end):",
        "            p = part[r]",
    ]
    for index, (name, sources) in enumerate(shape):
        kind = kinds[name]
        namespace[f"cls{index}"] = kind.cls
        lines += [
            f"            {'if' if index == 0 else 'elif'} p == {index}:",
            f"                fact = new(cls{index})",
        ]
        for field, source in enumerate(sources):
            namespace[f"set{index}_{field}"] = kind.setters[field]
            if source[0] == "h":
                value = "hid"
            elif source[0] == "v":
                value = f"A{source[1]}[r]"
            elif source[0] == "c":
                value = f"A{source[2]}[A{source[1]}[r]]"
            else:
                value = f"A{source[1]}"
            lines.append(f"                set{index}_{field}(fact, {value})")
    if shape:
        lines += ["            else:", "                fact = slow[r]"]
    else:
        lines.append("            fact = slow[r]")
    lines += ["            append(fact)", "        return out", "    return make"]
    exec(compile("\n".join(lines), "<relapse_guard column builder of facts>", "exec"), namespace)
    factory: Callable[..., Results] = namespace["factory"]
    return factory


class ArrowFactBuilder:
    """Builds the facts of record batches of a facts file with ``header``, as ``builder`` would build its rows."""

    def __init__(self, builder: FactBuilder, header: Sequence[str]) -> None:
        self.header = list(header)
        self.rows = builder.for_rows(self.header)
        self._field_names = fact_field_names(builder.kinds)
        self._kinds: dict[str, _Kind] = {}
        for kind in builder.fast_kinds():
            try:
                self._kinds[kind] = _Kind(builder, kind)
            except Exception:  # an annotation that does not resolve here: its rows go through the library
                continue
        self._factories: dict[tuple[_Shape, int], Callable[..., Results]] = {}

    def prepare(self, batch: BatchColumns) -> tuple[Results, bool]:
        """``(make, clean)``: ``make(start, end, hid)`` gives the fact of each row ``start:end`` of a run of
        :func:`household_runs` naming ``hid`` (or why a row has none), made when asked for; ``clean`` is
        True when every row of the batch has a fact.

        The columns are converted here, once for the batch; the facts are made household by
        household as they are read, so each lives no longer than its household's record.
        """
        pa, pc = arrow(), compute()
        arguments = _Arguments()
        shape: list[tuple[str, tuple[_Source, ...]]] = []
        encoded = batch.encoded("kind") if "kind" in batch.columns and batch.text("kind") else None
        if encoded is None:
            part = pa.array([-1] * batch.length, pa.int32())
        else:
            codes, names = encoded
            found = []
            for code, name in enumerate(names):
                kind = self._kinds.get(name)
                if kind is not None:
                    mask = pc.equal(codes, pa.scalar(code, pa.int32()))  # an int32 scalar: no cast of the codes
                    count = mask.true_count
                    if count:
                        found.append((count, code, kind, mask))
            mapping = [-1] * (len(names) + 1)
            rejected = []
            for _, code, kind, mask in sorted(found, key=lambda item: -item[0]):  # the most frequent first
                sources, refused = self._sources(kind, batch, arguments)
                if sources is None:
                    continue
                mapping[code] = len(shape)
                shape.append((kind.kind, sources))
                if refused is not None:
                    rejected.append(pc.and_(mask, refused))
            part = pa.array(mapping, pa.int32()).take(codes)
            if rejected:
                part = pc.if_else(functools.reduce(pc.or_, rejected), -1, part)
        slow, failed = self._build_slowly(batch, pc.indices_nonzero(pc.equal(part, -1)).to_pylist())
        key = (tuple(shape), len(arguments.values))
        factory = self._factories.get(key)
        if factory is None:
            factory = self._factories[key] = _compile(key[0], self._kinds, key[1])
        return factory(part.to_pylist(), slow, *arguments.values), not failed

    @staticmethod
    def _sources(kind: _Kind, batch: BatchColumns, arguments: _Arguments) -> tuple[tuple[_Source, ...] | None, Any]:
        """Where each field of ``kind`` gets its value in ``batch``, and which rows are refused (None: none).

        ``(None, None)`` when no row of the kind can be built here (a required column is absent, or
        of a type read only the library's way).
        """
        pc = compute()
        refused = [batch.filled(name) for name in batch.columns if name not in kind.names]  # cells of other kinds
        sources: list[_Source] = []
        for field in kind.fields:
            name = field.name
            if name not in batch.columns:
                value = field.convert(None)
                if value is REJECT:
                    return None, None
                sources.append(("k", arguments.add(value)))
                continue
            values = batch.values(name, strip=field.strip, limit=field.limit) if field.is_str else None
            table = None if values is not None else batch.table(name, field.key, field.convert, field.table)
            if values is None and table is None:
                return None, None
            refused.append(values[1] if values is not None else batch.rejected(name, field.key))
            if name == "household_id":  # the rows built have the id of their run (see household_runs)
                sources.append(("h",))
            elif values is not None:
                sources.append(("v", arguments.column("v", name, lambda values=values: values[0])))  # type: ignore[misc]
            elif table is not None:
                # A null cell the field does not take sends its row the slow way: its code is never read.
                nulls = field.convert(None) is not REJECT
                codes = arguments.column(f"c{nulls}", name, functools.partial(batch.codes, name, nulls=nulls))
                sources.append(("c", codes, arguments.add(table.values)))
        found = [mask for mask in refused if mask is not None]
        return tuple(sources), functools.reduce(pc.or_, found) if found else None

    def _build_slowly(self, batch: BatchColumns, positions: list[int]) -> tuple[dict[int, Any], bool]:
        """The rows at ``positions`` built the library's way, by position; and True when one has no fact."""
        if not positions:
            return {}, False
        pa = arrow()
        taken = pa.array(positions, pa.int64())
        index = {name: column for column, name in enumerate(self.header)}
        cells = [(index[name], python_values(array.take(taken))) for name, array in batch.columns.items()]
        built: dict[int, Any] = {}
        failed = False
        for j, position in enumerate(positions):
            row: list[Any] = [None] * len(self.header)
            for column, values in cells:
                row[column] = values[j]
            try:
                built[position] = self.rows.build(row)
            except (ValueError, TypeError) as error:
                built[position] = Failure(*describe_failure(error, self._field_names))
                failed = True
        return built, failed
