"""Grouping the fact rows of a tabular file (CSV, Parquet) by household, batch after batch.

The readers build the facts of a batch of rows first, then hand the batch here: the rows'
household ids, their lines, and for each row its fact or why it could not be built. A run of
rows naming the same household is a group; a row that names no household (a blank or null
``household_id``) joins the group it sits in. Groups go on across batches, so a batch may end
in the middle of a household.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ..facts import Fact
from ._merge import FactGroup
from ._records import BadRow

__all__ = ["FactRuns", "Failure", "Results", "Run", "runs_of"]


class Failure(NamedTuple):
    """A row that could not be built: the field at fault and the message of its bad row."""

    field: str
    message: str


#: The results of rows ``start:end`` of a batch, which name household ``hid`` (or None): each row's
#: fact, or the failure of a row that has none.
Results = Callable[[int, int, Any], list[Any]]
#: ``(household id or None, start, end)``: rows ``start:end`` of a batch, of one household
#: (None: rows that name none, which join the group they sit in).
Run = tuple[str | None, int, int]


def runs_of(hids: Sequence[str | None]) -> list[Run]:
    """The runs of ``hids``: consecutive rows naming the same household (a falsy id names none)."""
    runs: list[Run] = []
    current: str | None = None
    start = 0
    for index, hid in enumerate(hids):
        if hid != current:
            if index:
                runs.append((current or None, start, index))
            current, start = hid, index
    if hids:
        runs.append((current or None, start, len(hids)))
    return runs


class FactRuns:
    """Collects the built rows of a facts file, batch after batch, into one group per household.

    :meth:`add` takes a batch and yields the groups it completes; :meth:`close` yields the last.
    A group is ``(household id, facts, bad rows, first line, last line)`` (see
    :data:`~._merge.FactGroup`), its bad rows naming the group's household.
    """

    __slots__ = ("_bad", "_facts", "_first", "_last", "current", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.current: str | None = None
        self._facts: list[Fact] = []
        self._bad: list[BadRow] = []
        self._first = self._last = 0

    def add(self, runs: Sequence[Run], lines: Sequence[int], results: Results, *, clean: bool) -> Iterator[FactGroup]:
        """Add a batch: its ``runs``, each row's line, and ``results(start, end, hid)``: the fact of each
        row of the run ``start:end`` naming ``hid`` (or the :class:`Failure` of a row that has none;
        ``clean``: no row has one)."""
        for hid, start, end in runs:
            if hid is not None and hid != self.current:
                if self._facts or self._bad:
                    yield self.current, self._facts, self._bad, self._first, self._last
                    self._facts, self._bad = [], []
                self.current, self._first = hid, lines[start]
            elif not (self._facts or self._bad):
                self._first = lines[start]
            self._last = lines[end - 1]
            made = results(start, end, hid)
            if clean:
                self._facts += made
                continue
            for index, result in enumerate(made, start):
                if type(result) is Failure:
                    self._bad.append(BadRow(self.name, lines[index], result.field, result.message, self.current))
                else:
                    self._facts.append(result)

    def close(self) -> Iterator[FactGroup]:
        """The last group, if any."""
        if self._facts or self._bad:
            yield self.current, self._facts, self._bad, self._first, self._last
            self._facts, self._bad = [], []
