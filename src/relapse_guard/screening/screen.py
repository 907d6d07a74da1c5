"""The serial screen: the engine mapped over a stream of households, as of a date."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import attrs

from ..engine import Engine
from ..errors import RelapseGuardError
from ..facts import Fact
from ..household import Household
from ..policy import Policy
from ..population import BadRow
from ..result import HouseholdResult
from .summary import HouseholdRow, ScreenResult

__all__ = ["Outcome", "Progress", "ProgressCallback", "Record", "Tally", "run_records", "screen_records"]


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


#: What the engine made of a household: its result, or the error it refused the facts with.
Outcome = HouseholdResult | RelapseGuardError


def run_records(
    records: Iterable[Record], engine: Engine, as_of: dt.date, tally: Tally
) -> Iterator[tuple[Household | None, Outcome | None, Sequence[BadRow]]]:
    """Each record's household, what the engine made of it (None when only bad rows are left
    of the household) and its bad rows, counted in ``tally``, which reports as it goes and
    at the end."""
    for household, facts, bad in records:
        tally.rows_read += 1 + len(facts) + len(bad)
        if household is None:
            yield None, None, bad
            continue
        tally.done += 1  # screened or refused: done either way
        outcome: Outcome
        try:
            outcome = engine.run(household, facts, as_of=as_of)
        except RelapseGuardError as error:
            outcome = error
        yield household, outcome, bad
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


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
    tally: Tally | None = None,
) -> ScreenResult:
    """Screen households one at a time, in a single pass: memory stays flat however many.

    A household whose facts the engine refuses (e.g. an exit verified for a household never
    assisted) is listed in ``errors`` with the message, and the screen goes on. ``progress``
    is called every ``progress_every`` households and at the end; a screen of several
    partitions passes one ``tally`` instead, which counts and reports across them.
    """
    engine = Engine(policy, record_decisions=False)  # rows need no explanations: explain replays
    result = ScreenResult(as_of=as_of, policy=policy.label)
    result.bad_rows.extend(extra_bad_rows)
    totals = result.totals
    if tally is None:
        tally = Tally(households_total, progress, progress_every)
    for household, outcome, bad in run_records(records, engine, as_of, tally):
        result.bad_rows.extend(bad)
        if household is None or outcome is None:
            continue
        if isinstance(outcome, RelapseGuardError):
            result.errors[household.id] = str(outcome)
        else:
            place = household.place
            row = HouseholdRow.from_result(
                outcome, (place.district, place.town, place.village), policy.reviews_due(outcome, as_of)
            )
            totals.add(row)
            if keep_rows:
                result.rows.append(row)
    return result
