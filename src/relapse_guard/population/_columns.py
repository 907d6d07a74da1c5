"""The columns of an Arrow record batch as Python values, each distinct value converted once.

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
import sys
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple

from ._arrow import arrow, compute

__all__ = ["REJECT", "BatchColumns", "Table", "day_dates", "int32_view", "python_whitespace"]


class _Reject:
    """The marker of a value a conversion does not take."""

    def __repr__(self) -> str:
        return "REJECT"


REJECT: Any = _Reject()

_EPOCH = dt.date(1970, 1, 1).toordinal()


def day_dates(days: Sequence[int]) -> list[dt.date]:
    """The dates of day numbers since 1970-01-01 (Arrow's ``date32``): a column's distinct days."""
    from_ordinal = dt.date.fromordinal
    return [from_ordinal(_EPOCH + day) for day in days]


@functools.cache
def python_whitespace() -> str:
    """Every character ``str.isspace`` (and so ``str.strip``) takes for whitespace, in this Python."""
    return "".join(char for char in map(chr, range(sys.maxunicode + 1)) if char.isspace())


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
                values = array.dictionary if pa.types.is_dictionary(array.type) else array
                if pc.any(pc.equal(values, "")).as_py():
                    found = pc.and_(found, pc.fill_null(pc.not_equal(array, ""), False))
            return found

        return self._cached(("filled", name), make)

    def values(self, name: str, *, strip: bool) -> tuple[list[str], Any | None] | None:
        """The strings of a plain (not dictionary-encoded) text column without blank cells, as a list.

        With ``strip``, also which cells are blank once stripped (a boolean array; None: none).
        None when the column is not plain text or has a blank cell (null or ``""``).
        """

        def make() -> tuple[list[str], Any | None] | None:
            array = self.columns[name]
            if not _is_text(array.type) or array.null_count:
                return None
            pc = compute()
            if pc.any(pc.equal(array, "")).as_py():
                return None
            blank = None
            if strip:
                blank = pc.equal(pc.utf8_ltrim(array, characters=python_whitespace()), "")
                if not pc.any(blank).as_py():
                    blank = None
            values: list[str] = array.to_pylist()
            return values, blank

        return self._cached(("values", name, strip), make)  # type: ignore[no-any-return]

    def encoded(self, name: str) -> tuple[Any, list[Any]] | None:
        """``(codes, distinct values)`` of column ``name``: an ``int32`` array (a null cell's code is the
        number of values) and a list. None for a column of a type this does not encode (its rows go
        through the library)."""

        def make() -> tuple[Any, list[Any]] | None:
            array = self.columns[name]
            pa = arrow()
            if pa.types.is_dictionary(array.type) and _codable(array.type.value_type):
                return self._decoded(array.indices, array.dictionary)
            if _codable(array.type):
                encoded = array.dictionary_encode()
                return self._decoded(encoded.indices, encoded.dictionary)
            return None

        return self._cached(("encoded", name), make)  # type: ignore[no-any-return]

    @staticmethod
    def _decoded(indices: Any, dictionary: Any) -> tuple[Any, list[Any]]:
        """The codes (``int32``, a null cell's: the number of values) and the Python values of a dictionary."""
        pa = arrow()
        if pa.types.is_date32(dictionary.type):
            values: list[Any] = day_dates(dictionary.cast(pa.int32()).to_pylist())
        else:
            values = dictionary.to_pylist()
        if indices.type != pa.int32():
            indices = indices.cast(pa.int32())
        if indices.null_count:
            indices = indices.fill_null(len(values))
        return indices, values

    def codes(self, name: str) -> Sequence[int]:
        """Each row's code in column ``name`` (which :meth:`encoded` took), read in place."""
        return self._cached(("codes", name), lambda: int32_view(self.encoded(name)[0]))  # type: ignore[index, no-any-return]

    def table(
        self, name: str, key: Hashable, convert: Callable[[Any], Any], convert_all: Callable[[list[Any]], list[Any]]
    ) -> Table | None:
        """The distinct values of column ``name`` converted (once a batch for each ``key``); None as :meth:`encoded`.

        ``convert`` takes a value (None for a null cell) and returns its conversion or
        :data:`REJECT`; ``convert_all`` does so for the list of distinct values.
        """

        def make() -> Table | None:
            encoded = self.encoded(name)
            if encoded is None:
                return None
            values = convert_all(encoded[1])
            values.append(convert(None))
            return Table(values, [code for code, value in enumerate(values) if value is REJECT])

        return self._cached(("table", name, key), make)  # type: ignore[no-any-return]

    def rejected(self, name: str, key: Hashable) -> Any | None:
        """Which rows have a code :meth:`table` (already made for ``key``) rejects: a boolean array, or None."""

        def make() -> Any | None:
            table = self._cache[("table", name, key)]
            if not table.rejected:
                return None
            pa, pc = arrow(), compute()
            codes = self.encoded(name)[0]  # type: ignore[index]
            return pc.is_in(codes, value_set=pa.array(table.rejected, pa.int32()))

        return self._cached(("rejected", name, key), make)
