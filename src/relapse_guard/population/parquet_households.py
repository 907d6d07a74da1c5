"""Building the households of Arrow record batches (a Parquet households file: one row per member).

The columns of a batch are converted once (see :mod:`.parquet_columns`): member ids as they are,
dates, places and enum members through tables of distinct values. The checks :meth:`Household.from_dict`
makes (see :mod:`.households`) are made once a batch too: on each distinct place name and
household id, on the member ids of the whole batch (their bounds, and whether any is used
twice), and on each household's size. A household is then made from its rows when it is read,
members and household set straight into their slots, with no check left to make.

Not all of a batch's households at once: objects the batch held would live through the
collector's young generations (a few thousand households, their members and tuples), and
collecting them cost more than the loop of Python code saved.

A household goes through the general way instead (:func:`~.households.fast_household_from_rows`,
as the reader did row by row, so the household or the error is the library's) when any of its
rows is not taken: a blank or unknown cell, an id or a place name beyond the bounds, a place
that differs between its rows, a member id used twice, too many members, a column of a type
read only the general way — and the last household of each batch, which may go on in the next
one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..bounds import MAX_ID_LENGTH, MAX_MEMBERS
from ..fact_fields import parser_for
from ..fact_plans import NOT_FAST, new_object
from ..household import Health, Household, LabourCapacity, Member, Schooling
from .grouping import HouseholdGroup, Rows, member_groups
from .households import PLAIN_HOUSEHOLD, PLAIN_MEMBER, SET_MEMBER, new_household, place, valid_id
from .parquet_columns import ASCII_WHITESPACE, REJECT, BatchColumns, arrow, compute, python_values
from .records import BadRow

__all__ = ["arrow_household_groups"]

_PLACE = ("district", "town", "village")


def _enum_conversion(enum_type: type, default: str | None) -> Callable[[Any], Any]:
    """A cell to the enum member, as a member's dict is read (a blank cell: ``default``; None:
    left blank, as a labour capacity read from the age)."""
    parse = parser_for(enum_type)
    absent = None if default is None else parse(default)

    def convert(value: Any) -> Any:
        if value is None or value == "":
            return absent
        try:
            return parse(value)
        except NOT_FAST:
            return REJECT

    return convert


def _birth(value: Any) -> Any:
    """A birth date: a ``date32`` cell's date, or an ISO date's (not cached: birth dates are many)."""
    if type(value) is dt.date:
        return value
    if type(value) is not str or not value:
        return REJECT  # no birth date, or one the library reads its own way
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return REJECT


def _births(values: list[Any]) -> list[Any]:
    """:func:`_birth` of each value (a ``date32`` column's are dates already, but for days out of
    Python's range, given as text: :func:`~.parquet_columns.day_dates`)."""
    return [value if type(value) is dt.date else _birth(value) for value in values]


def _member_id(value: Any) -> Any:
    """A member id: non-empty text within the bounds (a blank one is the library's to report)."""
    return value if type(value) is str and value and valid_id(value) else REJECT


def _district(value: Any) -> Any:
    """A district: non-empty text within the bounds (a household needs one)."""
    return value if type(value) is str and value and valid_id(value) else REJECT


def _text(value: Any) -> Any:
    """A town or village: text within the bounds, ``""`` for a null cell."""
    return "" if value is None else value if type(value) is str and valid_id(value) else REJECT


_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "birth_date": _birth,
    "labour_capacity": _enum_conversion(LabourCapacity, None),
    "health": _enum_conversion(Health, "healthy"),
    "schooling": _enum_conversion(Schooling, "none"),
    "district": _district,
    "town": _text,
    "village": _text,
}
_MEMBER_FIELDS = ("birth_date", "labour_capacity", "health", "schooling")


class _Columns:
    """The member columns of one batch as codes and tables, its households' runs, and which go the general way."""

    def __init__(self, batch: BatchColumns, header: Sequence[str], offset: int) -> None:
        self.batch, self.header, self.offset = batch, header, offset
        self.runs, same = _runs(batch)
        self.bad: set[int] = set()  # the runs that go the general way
        self.ids: list[str] = []
        self.codes: dict[str, Sequence[int]] = {}
        self.tables: dict[str, list[Any]] = {}
        self.members: tuple[Any, ...] = ()
        self.places: list[tuple[Sequence[int], list[Any]]] = []
        self.usable = self._convert(batch, same)

    def _convert(self, batch: BatchColumns, same: Any) -> bool:
        """Convert the columns and find the runs that go the general way; False when no household of the
        batch can be made here."""
        if not (PLAIN_MEMBER and PLAIN_HOUSEHOLD) or same is None or "member_id" not in batch.columns:
            return False
        refused = []
        ids = batch.values("member_id", strip=False, limit=MAX_ID_LENGTH)
        if ids is not None:
            self.ids = ids[0]
            refused.append(ids[1])
            refused.append(_unbounded(batch.columns["member_id"], self.ids))
        else:  # a blank member id (the library words the error), or not a plain text column
            table = batch.table("member_id", "member_id", _member_id, functools.partial(_each, _member_id))
            if table is None:
                return False
            self.ids = [table.values[code] for code in batch.codes("member_id")]
            refused.append(batch.rejected("member_id", "member_id"))
        for name, convert in _CONVERSIONS.items():
            if name not in batch.columns:
                value = convert(None)
                if value is REJECT:
                    return False
                self.codes[name], self.tables[name] = [0] * batch.length, [value]
                continue
            if convert is not _birth:
                convert_all: Callable[[list[Any]], list[Any]] = functools.partial(_each, convert)
            else:  # a date32 column's distinct values are dates already, but for days out of Python's range
                convert_all = _births
            table = batch.table(name, name, convert, convert_all)
            if table is None:
                return False
            self.codes[name], self.tables[name] = batch.codes(name), table.values
            refused.append(batch.rejected(name, name))
            if name in _PLACE:
                changed = _against_previous(batch.encoded(name)[0], compute().not_equal)  # type: ignore[index]
                refused.append(compute().and_(changed, same))  # a place that differs within a household
        # What making a household reads: ids, then codes and table of each member field; of each place column.
        self.members = (self.ids, *(x for name in _MEMBER_FIELDS for x in (self.codes[name], self.tables[name])))
        self.places = [(self.codes[name], self.tables[name]) for name in _PLACE]
        refused.append(_unfit_keys(batch))
        pc = compute()
        starts = [start for _, start, _ in self.runs]
        for mask in refused:
            if mask is not None and pc.any(mask).as_py():
                self.bad.update(bisect.bisect_right(starts, row) - 1 for row in pc.indices_nonzero(mask).to_pylist())
        self._check_runs()
        return True

    def _check_runs(self) -> None:
        """Add to the runs that go the general way those of more members than a household may have, or
        with a member id used twice: the checks Household makes that no column's take on."""
        runs, ids = self.runs, self.ids
        self.bad.update(index for index, (_, start, end) in enumerate(runs) if end - start > MAX_MEMBERS)
        if len(set(ids)) != len(ids):  # a member id used twice in the batch: maybe in a household
            self.bad.update(
                index for index, (_, start, end) in enumerate(runs) if len(set(ids[start:end])) != end - start
            )

    def rows(self, start: int, end: int) -> Rows:
        """Rows ``start:end`` as ``(line, cells)`` in the header's order, as the general way reads them."""
        return _rows(self.batch, self.header, start, end, self.offset + 1)

    def unreadable(self, start: int, end: int) -> list[BadRow]:
        """None: every row of a Parquet file can be read."""
        return []

    def line(self, start: int) -> int:
        """The 1-based row number of row ``start``."""
        return self.offset + start + 1

    def household(self, index: int) -> Household | None:
        """The household of run ``index``, or None when it goes the general way (checked in :meth:`_convert`)."""
        if not self.usable or index in self.bad:
            return None
        key, start, end = self.runs[index]
        ids, births, birth_table, labour, labour_table, health, health_table, schooling, schooling_table = self.members
        set_id, set_birth, set_labour, set_health, set_schooling = SET_MEMBER
        members = []
        for row in range(start, end):
            member = new_object(Member)
            set_id(member, ids[row])
            set_birth(member, birth_table[births[row]])
            set_labour(member, labour_table[labour[row]])
            set_health(member, health_table[health[row]])
            set_schooling(member, schooling_table[schooling[row]])
            members.append(member)
        (district, districts), (town, towns), (village, villages) = self.places
        where = place(districts[district[start]], towns[town[start]], villages[village[start]])
        return new_household(key, where, tuple(members))


def _unfit_keys(batch: BatchColumns) -> Any:
    """Which rows' household id Household refuses (blank, with spaces around it, or beyond the bounds): a
    boolean array. Checked in Arrow on the column's distinct values (for a dictionary-encoded column;
    on each row's otherwise), and as Household checks it for those that are not short ASCII text with
    a character other than whitespace."""
    pa, pc = arrow(), compute()
    column = batch.columns.get("household_id")
    if column is None:  # no household id in the batch: every one blank
        return pa.array([True] * batch.length)
    dictionary = pa.types.is_dictionary(column.type)
    values = column.dictionary if dictionary else column
    fit = pc.and_(
        pc.and_(pc.string_is_ascii(values), pc.less_equal(pc.binary_length(values), MAX_ID_LENGTH)),
        pc.and_(pc.equal(pc.ascii_trim(values, characters=ASCII_WHITESPACE), values), pc.not_equal(values, "")),
    )
    unfit = [
        index
        for index in pc.indices_nonzero(pc.invert(pc.fill_null(fit, False))).to_pylist()
        if not _fit_key(values[index].as_py())
    ]
    if not dictionary:
        found = _mask(len(values), unfit)
    elif unfit:
        found = pc.fill_null(pc.is_in(column.indices, value_set=pa.array(unfit, column.indices.type)), False)
    else:
        found = None
    nulls = column.is_null()  # a null cell: a blank id
    return nulls if found is None else pc.or_(found, nulls)


def _fit_key(key: Any) -> bool:
    """True for a household id Household takes: text, not blank, no spaces around it, within the bounds."""
    return type(key) is str and bool(key) and key.strip() == key and valid_id(key)


def _unbounded(column: Any, ids: list[str]) -> Any | None:
    """Which member ids are not within Household's bounds but for their length (checked on the column):
    a boolean array, or None. Only text that is not ASCII is looked at."""
    pc = compute()
    ascii_ = pc.string_is_ascii(column)
    if pc.all(ascii_).as_py():
        return None
    return _mask(len(ids), [row for row in pc.indices_nonzero(pc.invert(ascii_)).to_pylist() if not valid_id(ids[row])])


def _mask(length: int, rows: list[int]) -> Any | None:
    """A boolean array of ``length`` true at ``rows`` (None when there are none)."""
    if not rows:
        return None
    flags = [False] * length
    for row in rows:
        flags[row] = True
    return arrow().array(flags)


def _each(convert: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``convert`` of each value."""
    return [convert(value) for value in values]


def _runs(batch: BatchColumns) -> tuple[list[tuple[str, int, int]], Any | None]:
    """The runs of rows with the same ``household_id`` cell (a null cell is ``""``): ``(key, start, end)``.

    And which rows go on with the household of the row before: a boolean array (None for a
    column of a type read only the general way).
    """
    pa, pc = arrow(), compute()
    column = batch.columns.get("household_id")
    if column is None:
        return [("", 0, batch.length)], pa.array([False] + [True] * (batch.length - 1))
    encoded = batch.encoded("household_id") if batch.text("household_id") else None
    if encoded is None:
        keys = [value or "" for value in column.to_pylist()]
        runs, start = [], 0
        for row in range(1, len(keys) + 1):
            if row == len(keys) or keys[row] != keys[start]:
                runs.append((keys[start], start, row))
                start = row
        return runs, None
    codes, names = encoded
    names = [*names, ""]
    if "" in names[:-1]:  # a null cell and an empty one name the same household
        codes = pc.if_else(pc.equal(codes, len(names) - 1), names.index(""), codes)
    encoded = pc.run_end_encode(codes)
    ends = encoded.run_ends.to_pylist()
    found = list(zip(map(names.__getitem__, encoded.values.to_pylist()), [0, *ends][:-1], ends, strict=True))
    return found, _against_previous(codes, pc.equal)


def _against_previous(codes: Any, compare: Callable[[Any, Any], Any]) -> Any:
    """``compare`` of each row's code with the code of the row before (False for the first row)."""
    pa = arrow()
    if len(codes) < 2:
        return pa.array([False] * len(codes))
    return pa.concat_arrays([pa.array([False]), compare(codes.slice(1), codes.slice(0, len(codes) - 1))])


def _rows(batch: BatchColumns, header: Sequence[str], start: int, end: int, first_line: int) -> Rows:
    """Rows ``start:end`` as ``(line, cells)`` in ``header``'s order, as the general way reads them."""
    cells = {name: python_values(array.slice(start, end - start)) for name, array in batch.columns.items()}
    columns = [cells.get(name) for name in header]
    return [
        (first_line + row, [None if values is None else values[row - start] for values in columns])
        for row in range(start, end)
    ]


def arrow_household_groups(
    name: str, header: Sequence[str], batches: Iterable[BatchColumns]
) -> Iterator[HouseholdGroup]:
    """The households in ``batches``, the member rows of file ``name`` with ``header``.

    One ``(id, household, bad rows, line)`` each, grouped as every tabular file's are
    (:func:`~.grouping.member_groups`).
    """
    column = {key: index for index, key in enumerate(header)}
    return member_groups(name, column, _member_batches(header, batches))


def _member_batches(header: Sequence[str], batches: Iterable[BatchColumns]) -> Iterator[_Columns]:
    """Each batch's member columns, converted (a :class:`~.grouping.MemberBatch`)."""
    offset = 0
    for batch in batches:
        columns = _Columns(batch, header, offset)
        yield columns
        offset += batch.length
        del batch, columns  # before the next batch is read: one batch at a time in memory
