"""pyarrow (imported on first use), and the columns of an Arrow record batch as Python values.

pyarrow is the ``parquet`` extra: it is imported when first used (:func:`pyarrow_modules`), so
the rest of the package works without it.

Converting cell by cell is what costs when reading Parquet (pyarrow makes a ``date`` object
per cell in microseconds; a ``Decimal`` costs as much). So a column is dictionary-encoded
(Parquet stores most string columns so already, and then nothing is hashed again): each row
has a **code**, read straight from Arrow's memory, and each distinct value is converted once
into a **table** the codes index. Dates are made from their day number. The last entry of a
table is the value of a null cell.

A conversion that does not take a value puts :data:`REJECT` in the table: the rows with that
code are left to the library's own parsing (which words the error).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import sys
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

from .records import MissingDependency

__all__ = [
    "ASCII_WHITESPACE",
    "REJECT",
    "BatchColumns",
    "Table",
    "arrow",
    "changed_by_strip",
    "compute",
    "day_dates",
    "int32_view",
    "midnight_dates",
    "pyarrow_modules",
    "python_values",
    "python_whitespace",
]


def pyarrow_modules() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``; :class:`MissingDependency` naming the extra when not installed."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise MissingDependency("pyarrow", "parquet", "reading and writing Parquet files") from None


def arrow() -> Any:
    """The ``pyarrow`` module (see :func:`pyarrow_modules`)."""
    return pyarrow_modules()[0]


def compute() -> Any:
    """The ``pyarrow.compute`` module (see :func:`pyarrow_modules`)."""
    pyarrow_modules()
    return importlib.import_module("pyarrow.compute")


class _Reject:
    """The marker of a value a conversion does not take."""

    def __repr__(self) -> str:
        return "REJECT"


REJECT: Any = _Reject()

_EPOCH = dt.date(1970, 1, 1).toordinal()


def day_dates(days: Sequence[int]) -> list[dt.date | str]:
    """The dates of day numbers since 1970-01-01 (Arrow's ``date32``): a column's distinct days.

    A day Python's dates cannot hold (before year 1 or after 9999: ``date32`` reaches far
    wider) is given as text saying so, which a date field refuses: its rows are bad rows, and
    the file is read on (it used to stop reading the whole file)."""
    from_ordinal = dt.date.fromordinal
    return [
        from_ordinal(_EPOCH + day)
        if _FIRST <= _EPOCH + day <= _LAST
        else f"day {day} after 1970-01-01 (year {_year(day)})"
        for day in days
    ]


_FIRST, _LAST = dt.date.min.toordinal(), dt.date.max.toordinal()


def midnight_dates(array: Any) -> Any:
    """A timestamp column whose every time is midnight (its own zone's, for one with a zone) as a
    ``date32`` one: pandas writes a column of dates so. One with times of day is given as ISO
    text instead, a midnight as its date and any other time as date and time, which the date
    field refuses, row by row. Any other column as it is."""
    pa, pc = arrow(), compute()
    if not pa.types.is_timestamp(array.type):
        return array
    local = pc.local_timestamp(array) if array.type.tz else array
    dates = local.cast(pa.date32())
    at_midnight = pc.or_kleene(pc.equal(dates.cast(local.type), local), pc.is_null(local))
    if pc.all(at_midnight).as_py():
        return dates
    return pc.if_else(at_midnight, pc.strftime(local, "%Y-%m-%d"), pc.strftime(local, "%Y-%m-%dT%H:%M:%S"))


def python_values(array: Any) -> list[Any]:
    """The values of an Arrow array as Python values (``to_pylist``), a ``date32`` one's days as
    :func:`day_dates` gives them: Arrow raises for a day Python's dates cannot hold."""
    pa = arrow()
    if not pa.types.is_date32(array.type):
        return list(array.to_pylist())
    days = array.cast(pa.int32()).to_pylist()
    return [None if day is None else day_dates([day])[0] for day in days]


def _year(day: int) -> int:
    """The year of ``day`` days after 1970-01-01, roughly: for a message about a day out of range."""
    return 1970 + round(day / 365.2425)


@functools.cache
def python_whitespace() -> str:
    """Every character ``str.isspace`` (and so ``str.strip``) takes for whitespace, in this Python."""
    return "".join(char for char in map(chr, range(sys.maxunicode + 1)) if char.isspace())


#: What ``str.strip`` strips of ASCII text: more than Arrow's ASCII whitespace (also \x1c to \x1f).
ASCII_WHITESPACE = "".join(char for char in map(chr, range(128)) if char.isspace())


def changed_by_strip(array: Any) -> Any:
    """Which strings of ``array`` (text without nulls) ``str.strip`` changes: blank ones, and those
    with whitespace around them (an id so is no id). A boolean array.

    A column of ASCII text is trimmed of ASCII's whitespace: :func:`python_whitespace` looks at
    every character there is, a tenth of a second in each process, for text that is not ASCII.
    """
    pc = compute()
    if pc.all(pc.string_is_ascii(array)).as_py():
        return pc.not_equal(pc.ascii_trim(array, characters=ASCII_WHITESPACE), array)
    return pc.not_equal(pc.utf8_trim(array, characters=python_whitespace()), array)


def int32_view(array: Any) -> Sequence[int]:
    """The values of an Arrow ``int32`` array without nulls, read in place (no list is made)."""
    view = memoryview(array.buffers()[1]).cast("i")
    return view[array.offset : array.offset + len(array)]


def _is_text(type_: Any) -> bool:
    """True for Arrow's string types."""
    pa = arrow()
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


def _codable(type_: Any) -> bool:
    """Types whose distinct values are exactly their cells' values (no float: -0.0 and 0.0 are one)."""
    pa = arrow()
    return bool(
        _is_text(type_)
        or pa.types.is_date32(type_)
        or pa.types.is_boolean(type_)
        or pa.types.is_integer(type_)
        or pa.types.is_decimal(type_)
    )


class Table(NamedTuple):
    """A column's distinct values converted: ``values[code]`` (the last: a null cell), and the codes of REJECT."""

    values: list[Any]
    rejected: list[int]


class BatchColumns:
    """The columns of one record batch by name (all-null ones are left out), with per-batch caches."""

    def __init__(self, columns: dict[str, Any], length: int) -> None:
        self.length = length
        self.columns = {name: array for name, array in columns.items() if array.null_count < length}
        self._cache: dict[Hashable, Any] = {}

    def _cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, made once a batch for ``key``."""
        try:
            return self._cache[key]
        except KeyError:
            found = self._cache[key] = make()
            return found

    def text(self, name: str) -> bool:
        """True when column ``name`` holds strings (plain or dictionary-encoded)."""
        type_ = self.columns[name].type
        pa = arrow()
        return _is_text(type_) or (pa.types.is_dictionary(type_) and _is_text(type_.value_type))

    def filled(self, name: str) -> Any:
        """Which cells of column ``name`` hold a value (not null, and not ``""``): a boolean array."""

        def make() -> Any:
            array = self.columns[name]
            pa, pc = arrow(), compute()
            found = array.is_valid()
            if self.text(name):
                dictionary = pa.types.is_dictionary(array.type)
                values = array.dictionary if dictionary else array
                if pc.any(pc.equal(values, "")).as_py():
                    # Of a dictionary: compared value by value, then taken for each row (no row decoded).
                    text = pc.not_equal(values, "").take(array.indices) if dictionary else pc.not_equal(array, "")
                    found = pc.and_(found, pc.fill_null(text, False))
            return found

        return self._cached(("filled", name), make)

    def values(self, name: str, *, strip: bool, limit: int) -> tuple[list[str], Any | None] | None:
        """The strings of a plain (not dictionary-encoded) text column without blank cells, as a list.

        Also which cells are refused (a boolean array; None: none): those longer than ``limit``
        characters and, with ``strip``, those ``str.strip`` changes (blank, or with spaces around
        them). None when the column is not
        plain text or has a blank cell (null or ``""``).
        """

        def make() -> tuple[list[str], Any | None] | None:
            array = self.columns[name]
            if not _is_text(array.type) or array.null_count:
                return None
            pc = compute()
            if pc.any(pc.equal(array, "")).as_py():
                return None
            refused = pc.greater(pc.utf8_length(array), limit)
            if strip:
                refused = pc.or_(refused, changed_by_strip(array))
            values: list[str] = array.to_pylist()
            return values, refused if pc.any(refused).as_py() else None

        return self._cached(("values", name, strip, limit), make)  # type: ignore[no-any-return]

    def encoded(self, name: str) -> tuple[Any, list[Any]] | None:
        """``(codes, distinct values)`` of column ``name``: an ``int32`` array (a null cell's code is the
        number of values) and a list. None for a column of a type this does not encode (its rows go
        through the library)."""

        def make() -> tuple[Any, list[Any]] | None:
            found = self._dictionary(name)
            if found is None:
                return None
            indices, values = found
            if indices.null_count:
                indices = indices.fill_null(len(values))
            return indices, values

        return self._cached(("encoded", name), make)  # type: ignore[no-any-return]

    def _dictionary(self, name: str) -> tuple[Any, list[Any]] | None:
        """:meth:`encoded`, but for the codes of null cells: null (no array of codes is made)."""

        def make() -> tuple[Any, list[Any]] | None:
            array = self.columns[name]
            pa = arrow()
            if pa.types.is_dictionary(array.type) and _codable(array.type.value_type):
                indices, dictionary = array.indices, array.dictionary
            elif _codable(array.type):
                encoded = array.dictionary_encode()
                indices, dictionary = encoded.indices, encoded.dictionary
            else:
                return None
            if pa.types.is_date32(dictionary.type):
                values: list[Any] = day_dates(dictionary.cast(pa.int32()).to_pylist())
            else:
                values = dictionary.to_pylist()
            if indices.type != pa.int32():
                indices = indices.cast(pa.int32())
            return indices, values

        return self._cached(("dictionary", name), make)  # type: ignore[no-any-return]

    def codes(self, name: str, *, nulls: bool = True) -> Sequence[int]:
        """Each row's code in column ``name`` (which :meth:`encoded` took), read in place.

        Without ``nulls``, for rows whose null cells are never read: a null cell's code is
        undefined, and no array of codes is made.
        """
        if not nulls:
            return self._cached(("codes", name, False), lambda: int32_view(self._dictionary(name)[0]))  # type: ignore[index, no-any-return]
        return self._cached(("codes", name), lambda: int32_view(self.encoded(name)[0]))  # type: ignore[index, no-any-return]

    def table(
        self, name: str, key: Hashable, convert: Callable[[Any], Any], convert_all: Callable[[list[Any]], list[Any]]
    ) -> Table | None:
        """The distinct values of column ``name`` converted (once a batch for each ``key``); None as :meth:`encoded`.

        ``convert`` takes a value (None for a null cell) and returns its conversion or
        :data:`REJECT`; ``convert_all`` does so for the list of distinct values.
        """

        def make() -> Table | None:
            found = self._dictionary(name)
            if found is None:
                return None
            values = convert_all(found[1])
            values.append(convert(None))
            return Table(values, [code for code, value in enumerate(values) if value is REJECT])

        return self._cached(("table", name, key), make)  # type: ignore[no-any-return]

    def rejected(self, name: str, key: Hashable) -> Any | None:
        """Which rows have a code :meth:`table` (already made for ``key``) rejects: a boolean array, or None."""

        def make() -> Any | None:
            table = self._cache[("table", name, key)]
            rejected = table.rejected  # ascending: a null cell's code, the greatest, comes last
            if not rejected:
                return None
            pa, pc = arrow(), compute()
            found = None
            if rejected[-1] == len(table.values) - 1:  # a null cell's conversion is rejected (a required field)
                found = self.columns[name].is_null()
                rejected = rejected[:-1]
            if rejected:
                indices = self._dictionary(name)[0]  # type: ignore[index]
                if len(rejected) == 1:  # an int32 scalar: no cast of the codes
                    mask = pc.equal(indices, pa.scalar(rejected[0], pa.int32()))
                else:
                    mask = pc.is_in(indices, value_set=pa.array(rejected, pa.int32()))
                mask = pc.fill_null(mask, False)  # a null cell's code is not one of these
                found = mask if found is None else pc.or_(found, mask)
            return found

        return self._cached(("rejected", name, key), make)
