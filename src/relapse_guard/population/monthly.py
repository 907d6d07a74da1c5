"""The next month of facts for a population: what the departments send in a month, drawn and written.

:func:`month_facts` streams a population directory (one household at a time, as any reader)
and draws each household's new facts of a month (see :mod:`.monthly_draws`);
:func:`next_month` writes them to one facts file, in the population's order, as a
population's facts file is written. The same directory, month, seed and shares give the same
bytes; read the file back with :func:`~.fact_files.fact_records`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from ..facts import Fact
from ..writable import check_file_place
from .directory import Partition, Population, read_population
from .fact_files import open_fact_writer
from .layout import check_format, suffix_format
from .monthly_draws import MonthDrawer, MonthlyShares
from .records import BadRow, PopulationError, PopulationRecord
from .synthetic import process_context
from .synthetic_draws import Distributions, add_months, period_end

__all__ = ["MonthFile", "month_facts", "next_month", "parse_month"]

_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-\d{2})?")
#: Households between two calls of a progress callback.
_PROGRESS_EVERY = 1000


def parse_month(value: str | dt.date) -> dt.date:
    """The first day of a month given as ``"YYYY-MM"``, an ISO date or a date.

    >>> parse_month("2017-02"), parse_month("2017-02-15"), parse_month(dt.date(2017, 2, 15))
    (datetime.date(2017, 2, 1), datetime.date(2017, 2, 1), datetime.date(2017, 2, 1))

    Raises :class:`ValueError` for anything else.
    """
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, str) and _MONTH.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value if len(value) > 7 else value + "-01")
        except ValueError:
            pass
        else:
            return day.replace(day=1)
    raise ValueError(f"{value!r} is not a month: expected YYYY-MM (or an ISO date in the month)")


def _population(population: str | Path | Population) -> Population:
    return population if isinstance(population, Population) else read_population(population)


def _generated(population: Population) -> tuple[Distributions, dt.date | None, dt.date | None]:
    """The distributions a generated population was drawn from, its first month and its last (the first day
    of each): defaults and None for data of one's own, whose months its facts tell household by household."""
    generator: Mapping[str, Any] = population.generator or {}
    try:
        distributions = Distributions.from_dict(generator.get("distributions") or {})
        start = generator.get("start")
        day = dt.date.fromisoformat(start) if isinstance(start, str) else None
        months = generator.get("months")
        if months is not None and (isinstance(months, bool) or not isinstance(months, int) or months < 1):
            raise ValueError(f"'months' is {months!r}, not a number of months")
    except (TypeError, ValueError) as error:
        where = population.directory if population.directory is not None else "the population"
        raise PopulationError(f"{where}: the manifest's generator cannot be read: {error}") from None
    if day is None:
        return distributions, None, None
    last = None if months is None else parse_month(period_end(day, months) - dt.timedelta(days=1))
    return distributions, parse_month(day), last


@attrs.frozen
class _Plan:
    """What the draws of a month depend on but the households: small and picklable, for worker processes."""

    seed: int
    month: dt.date
    distributions: Distributions
    shares: MonthlyShares
    #: The first day of the population's last month, when its manifest says.
    covered: dt.date | None

    def drawer(self) -> MonthDrawer:
        return MonthDrawer(self.seed, self.month, self.distributions, self.shares, self.covered)


def _plan(population: Population, month: str | dt.date, seed: int, shares: MonthlyShares | None) -> _Plan:
    """The plan of ``month``'s draws; :class:`PopulationError` for a month before the population's first
    or one of its months."""
    first_day = parse_month(month)
    distributions, first, last = _generated(population)
    if first is not None and first_day < first:
        raise PopulationError(
            f"month {first_day:%Y-%m} is before the population's first month ({first:%Y-%m}): "
            "new facts come after a population's start"
        )
    if last is not None and first_day <= last:
        months = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} to {last:%Y-%m}"
        raise PopulationError(
            f"month {first_day:%Y-%m} is one of the population's months ({months}), whose facts it holds: "
            f"new facts come after them, from {add_months(last, 1, 1):%Y-%m}"
        )
    return _Plan(seed, first_day, distributions, shares or MonthlyShares(), last)


def _partition_records(drawer: MonthDrawer, partition: Partition) -> Iterator[PopulationRecord]:
    """The records of a partition with their new facts."""
    for household, facts, bad_rows in partition.records():
        if household is None:
            yield PopulationRecord(None, (), bad_rows)
            continue
        yield PopulationRecord(household, tuple(drawer.facts(household, facts)), bad_rows)


def month_facts(
    population: str | Path | Population,
    month: str | dt.date,
    *,
    seed: int = 0,
    shares: MonthlyShares | None = None,
) -> Iterator[PopulationRecord]:
    """One record per household of ``population`` (a directory, or a :class:`Population`) with its new
    facts of ``month`` (``"YYYY-MM"`` or a date in it), streamed in the population's order.

    Each record's ``facts`` are the household's facts in the month's file (sorted as the engine
    applies them; often none), its ``bad_rows`` those met reading the household in the
    population; a household that could not be read (``household=None``) gets no facts. The
    facts are dated in ``month``, but for the late reports (``shares.late_share`` of the
    events), dated one to three months earlier, never in a month the population covers (see
    :mod:`.monthly_draws`: a generated population's months, from its manifest, and those up to
    each household's last fact), whose events are the population's; so no event of the
    population is drawn again, and the files of a run of months deliver each event once.
    Their ids start with ``m<YYYY-MM>-<household id>-`` (the month of the event) and are
    unique across months. Incomes are drawn around each household's last assessment before
    the event's month, read from its facts.

    The same population, month, seed and shares give the same facts; a household's depend on
    the household and its facts only (not on the other households, their order or the
    partitions). Raises :class:`PopulationError` for a population that cannot be read, or for
    a month before its first or one of its months (a generated population's, from its
    manifest), :class:`ValueError` for a month that is not one.
    """
    population = _population(population)
    return _records(population, _plan(population, month, seed, shares))


def _records(population: Population, plan: _Plan) -> Iterator[PopulationRecord]:
    drawer = plan.drawer()
    for partition in population.partitions:
        yield from _partition_records(drawer, partition)


#: What is written for some households: their new facts, how many households, the bad rows met.
_Chunk = tuple[Sequence[Fact], int, Sequence[BadRow]]


def _drawn_partition(task: tuple[_Plan, Partition]) -> _Chunk:
    """A partition's new facts, drawn in a worker process."""
    plan, partition = task
    facts: list[Fact] = []
    bad_rows: list[BadRow] = []
    households = 0
    for household, new, bad in _partition_records(plan.drawer(), partition):
        bad_rows.extend(bad)
        facts.extend(new)
        households += int(household is not None)
    return facts, households, bad_rows


def _in_workers(tasks: list[tuple[_Plan, Partition]], workers: int) -> Iterator[_Chunk]:
    """Each task's partition drawn by ``workers`` processes, in order (at most two a worker ahead)."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=process_context()) as pool:
        waiting = iter(tasks)
        pending = deque(pool.submit(_drawn_partition, task) for task in itertools.islice(waiting, 2 * workers))
        while pending:
            chunk = pending.popleft().result()
            task = next(waiting, None)
            if task is not None:
                pending.append(pool.submit(_drawn_partition, task))
            yield chunk


def _chunks(population: Population, plan: _Plan, processes: int | None) -> Iterator[_Chunk]:
    """The new facts of the population's households, household by household in this process, or partition
    by partition in worker processes (when there are several partitions)."""
    workers = min(processes or os.cpu_count() or 1, len(population.partitions))
    if workers > 1:
        yield from _in_workers([(plan, partition) for partition in population.partitions], workers)
        return
    for household, facts, bad_rows in _records(population, plan):
        yield facts, int(household is not None), bad_rows


@attrs.frozen
class MonthFile:
    """A month's facts file as :func:`next_month` wrote it."""

    path: Path
    #: The first day of the month.
    month: dt.date
    format: str
    #: Households drawn (those of the population that could be read), and facts written.
    households: int
    facts: int
    #: Facts dated before the month: late reports.
    late: int
    #: Facts written by kind.
    by_kind: Mapping[str, int]
    #: The rows of the population that could not be read (their households got no facts).
    bad_rows: tuple[BadRow, ...] = ()


def _out_format(out: Path, format: str | None) -> str:
    """The format of the file ``out``: ``format``, or from its suffix; the two must agree."""
    from_suffix = suffix_format(out)
    if format is None:
        if from_suffix is None:
            raise PopulationError(f"{out}: cannot tell the file format from the suffix; use .jsonl, .csv or .parquet")
        return from_suffix
    check_format(format)
    if from_suffix is not None and from_suffix != format:
        raise PopulationError(f"{out}: the suffix says {from_suffix}, the format asked for is {format}")
    return format


def next_month(
    population: str | Path | Population,
    month: str | dt.date,
    out: str | Path,
    *,
    seed: int = 0,
    shares: MonthlyShares | None = None,
    format: str | None = None,
    processes: int | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MonthFile:
    """Write the new facts of ``month`` for the households of ``population`` to the facts file ``out``.

    The facts are those of :func:`month_facts` (same arguments), household after household in
    the population's order, written as a population's facts file in ``format`` (``jsonl``,
    ``csv`` or ``parquet``; by default from the suffix of ``out``). Partitions are drawn by
    ``processes`` worker processes (default: as many as cores, at most one per partition; 1
    draws in this process); the same arguments give the same bytes however many. ``progress``,
    if given, is called with the households done and the total (0 when the population does not
    say) every 1,000 households (or partition) and at the end.

    The file is written under a temporary name and renamed when complete. Raises
    :class:`PopulationError` for a population that cannot be read, a month before its first or
    one of its months, an ``out`` that exists (unless ``overwrite``) or whose suffix and
    ``format`` disagree.
    """
    out = Path(out)
    fmt = _out_format(out, format)
    if out.is_dir():
        raise PopulationError(f"{out} is a directory; give the path of the facts file to write")
    if out.exists() and not overwrite:
        raise PopulationError(f"{out} exists; choose another file, or replace it (overwrite=True; --overwrite)")
    check_file_place(out, "facts file", error=PopulationError)  # before any household is drawn
    population = _population(population)
    plan = _plan(population, month, seed, shares)
    total = population.households or 0
    temporary = out.with_name(out.name + ".tmp")
    households = facts = late = 0
    reported = 0
    kinds: Counter[str] = Counter()
    bad_rows: list[BadRow] = []
    writer = open_fact_writer(temporary, format=fmt)
    try:
        try:
            for new, count, bad in _chunks(population, plan, processes):
                bad_rows.extend(bad)
                facts += writer.write(new)
                for fact in new:
                    kinds[fact.kind] += 1
                    late += fact.date < plan.month
                households += count
                if progress is not None and households - reported >= _PROGRESS_EVERY:
                    progress(households, total)
                    reported = households
        finally:
            writer.close()
        temporary.replace(out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(households, total)
    return MonthFile(out, plan.month, fmt, households, facts, late, dict(sorted(kinds.items())), tuple(bad_rows))
