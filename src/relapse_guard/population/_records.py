"""What reading a population yields: one record per household, and the bad rows met on the way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple, TypeVar

import attrs

from ..facts import Fact
from ..household import Household

__all__ = ["BadRow", "PopulationRecord", "chunks"]

_T = TypeVar("_T")


@attrs.frozen
class BadRow:
    """A row that could not be read, and why; reading went on without it.

    ``file`` is the path of the file as it was opened, ``line`` the 1-based line of the row
    (for CSV the line the row starts on, counting the header as line 1; for Parquet the
    1-based row number), ``field`` the field at fault (``"json"`` or ``"row"`` when the row
    itself is unreadable). ``message`` says what was wrong and what was expected; it never
    shows a member id (a personal id) in full.
    """

    file: str
    line: int
    field: str
    message: str
    household_id: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class PopulationRecord(NamedTuple):
    """One household of a population with its facts, as read from the files.

    A named tuple, so ``for household, facts, bad_rows in records`` works. ``household`` is
    ``None`` when there is no household to screen: its row was invalid, it appeared twice,
    or the record only carries bad rows that belong to no household of the file (facts of a
    household the households file does not have). ``facts`` are the household's valid facts
    in file order; ``bad_rows`` the rows of this household, or of this place in the files,
    that could not be read.
    """

    household: Household | None
    facts: tuple[Fact, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()

    @property
    def household_id(self) -> str | None:
        """The household's id; for a skipped household the id its rows named, if they named one."""
        if self.household is not None:
            return self.household.id
        for row in self.bad_rows:
            if row.household_id is not None:
                return row.household_id
        return None

    @property
    def skipped(self) -> bool:
        """True when there is no household to screen (see :attr:`household`)."""
        return self.household is None


def chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """Lists of ``size`` items from ``items`` (the last may be shorter), read lazily.

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
