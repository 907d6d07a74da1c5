"""The serial screen: the engine mapped over a stream of households, as of a date."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence

import attrs

from ..engine import Engine
from ..errors import RelapseGuardError
from ..facts import Fact
from ..household import Household
from ..policy import Policy
from ..population import BadRow
from .summary import HouseholdRow, ScreenResult

__all__ = ["Progress", "ProgressCallback", "screen_records"]


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


def screen_records(
    records: Iterable[Record],
    policy: Policy,
    as_of: dt.date,
    *,
    keep_rows: bool = True,
    progress: ProgressCallback | None = None,
    progress_every: int = 10_000,
    households_total: int | None = None,
    extra_bad_rows: Iterable[BadRow] = (),
) -> ScreenResult:
    """Screen households one at a time, in a single pass: memory stays flat however many.

    A household whose facts the engine refuses (e.g. an exit verified for a household never
    assisted) is listed in ``errors`` with the message, and the screen goes on.
    """
    engine = Engine(policy, record_decisions=False)  # rows need no explanations: explain replays
    result = ScreenResult(as_of=as_of, policy=policy.label)
    result.bad_rows.extend(extra_bad_rows)
    totals = result.totals
    started = time.perf_counter()
    rows_read = 0
    done = 0
    for household, facts, bad in records:
        rows_read += 1 + len(facts) + len(bad)
        result.bad_rows.extend(bad)
        if household is None:
            continue
        done += 1  # screened or refused: done either way
        try:
            outcome = engine.run(household, facts, as_of=as_of)
        except RelapseGuardError as error:
            result.errors[household.id] = str(error)
        else:
            place = household.place
            row = HouseholdRow.from_result(
                outcome, (place.district, place.town, place.village), policy.reviews_due(outcome, as_of)
            )
            totals.add(row)
            if keep_rows:
                result.rows.append(row)
        if progress is not None and done % progress_every == 0:
            progress(Progress(rows_read, done, households_total, time.perf_counter() - started))
    if progress is not None:
        progress(Progress(rows_read, done, households_total, time.perf_counter() - started))
    return result
