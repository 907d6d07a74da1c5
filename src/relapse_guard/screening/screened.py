"""What a screen runs through: the records read, what each became, and the tally of rows and households.

Shared by the serial screen (:mod:`.screen`) and the columnar one (:mod:`.columnar`), and
re-exported by :mod:`.screen`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import attrs

from ..facts import Fact
from ..household import Household
from ..policy import Policy
from ..population import BadRow
from ..result import HouseholdResult
from .summary import Problem

__all__ = ["Outcome", "Progress", "ProgressCallback", "Record", "Screened", "Tally"]


@attrs.frozen
class Progress:
    """How far a screen has got: rows read, households done, rate and the time left if known."""

    rows_read: int
    households_done: int
    households_total: int | None
    seconds: float

    @property
    def rate(self) -> float:
        """Households per second so far."""
        return self.households_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current rate, when the total is known."""
        if self.households_total is None or self.rate == 0:
            return None
        return max(self.households_total - self.households_done, 0) / self.rate


ProgressCallback = Callable[[Progress], None]

#: A household with its facts and the bad rows met while reading it; the household is None
#: when only bad rows are left of it (see :class:`relapse_guard.population.PopulationRecord`).
Record = tuple[Household | None, Sequence[Fact], Sequence[BadRow]]


@attrs.define
class Tally:
    """Rows read and households done so far in one screen, across its partitions, and
    ``progress`` told of them every ``every`` households."""

    households_total: int | None = None
    progress: ProgressCallback | None = None
    every: int = 10_000
    rows_read: int = 0
    done: int = 0
    started: float = attrs.field(factory=time.perf_counter)

    def report(self) -> None:
        """Tell ``progress`` how far the screen has got."""
        if self.progress is not None:
            seconds = time.perf_counter() - self.started
            self.progress(Progress(self.rows_read, self.done, self.households_total, seconds))


#: What the engine made of a household: its result, or the problem that stopped it.
Outcome = HouseholdResult | Problem


class Screened(NamedTuple):
    """One record, run: the household (None when only bad rows are left of it), what the engine
    made of it (None then too), the bad rows met reading it, and for a result the policy it
    ran under and the date of its earliest fact (None without facts)."""

    household: Household | None
    outcome: Outcome | None
    bad: Sequence[BadRow]
    policy: Policy | None = None
    first_fact: dt.date | None = None
