"""``relapse-guard cycle``: one month of monitoring over a SQLite store (see docs/monitoring.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .cli_policy import load_policy_spec
from .cli_screen import check_out, print_problems
from .errors import InvalidArgument
from .facts import Fact
from .household import Household
from .interface import ntr, progress_text, tr
from .monitoring import CycleProgress, Monitor, OnePolicy, PolicyChooser
from .policies.policy_map import PolicyMap
from .population import BadRow, Population, fact_records, read_population
from .progress_line import ProgressLine, wants_progress
from .store import QuarantinedRecord, SQLiteStore

__all__ = ["AHEAD", "CYCLE_FILES", "check_not_ahead", "run_cycle"]

#: What ``--out`` holds after a cycle.
CYCLE_FILES = ("alerts.jsonl", "cycle.json", "problems.jsonl")

#: How far after today a cycle's date may be without ``--future``: a month's last day, run a few
#: days before it, passes; a mistyped year does not.
AHEAD = dt.timedelta(days=31)


def check_not_ahead(as_of: dt.date, today: dt.date) -> None:
    """Refuse a cycle's date more than :data:`AHEAD` after ``today``: the store records each
    cycle's date and refuses a cycle before the last one, so a cycle run as of a mistyped year
    (2107 for 2017) would refuse every real cycle after it."""
    if as_of > today + AHEAD:
        raise InvalidArgument(
            f"--as-of {as_of.isoformat()} is more than {AHEAD.days} days after today ({today.isoformat()}): "
            "the store would refuse every cycle before it, so a mistyped date would stop the monthly cycle; "
            "give --future to run it anyway"
        )


def _bar(line: ProgressLine, lang: str = "en") -> Callable[[CycleProgress], None]:
    """A progress callback showing the households rescreened of those picked, and the time left, on
    ``line``, in ``lang``."""

    def draw(progress: CycleProgress) -> None:
        done, total = progress.households_done, progress.households_total
        line.show(
            progress_text(done, total or None, "household", seconds=progress.seconds, what="rescreened", lang=lang)
        )

    return draw


def _population_records(
    population: Population, store: SQLiteStore, bad_rows: list[BadRow]
) -> Iterator[Mapping[str, Any]]:
    """Every fact of a population directory as records; its households are stored on the way,
    each before its facts: a read that fails part way (a file that cannot be read) leaves no
    fact of a household whose record is not stored (such a household was pending, unscreenable,
    in every later cycle), and running the cycle again completes what it stored."""
    households: list[Household] = []
    facts: list[Fact] = []
    for partition in population.partitions:
        for household, partition_facts, bad in partition.records():
            bad_rows.extend(bad)
            if household is not None:
                households.append(household)
            facts.extend(partition_facts)
            if len(households) >= 5_000:
                store.put_households(households)
                households.clear()
                yield from (fact.to_dict() for fact in facts)
                facts.clear()
    store.put_households(households)
    yield from (fact.to_dict() for fact in facts)


def run_cycle(
    store_path: str,
    policies: str | PolicyMap,
    as_of: dt.date,
    *,
    facts: Sequence[str] = (),
    population: str | None = None,
    out: str | None = None,
    overwrite: bool = False,
    workers: int = 1,
    chunk_size: int = 2_000,
    progress: bool = False,
    lang: str = "en",
    future: bool = False,
    today: dt.date | None = None,
) -> int:
    """Run the cycle as of ``as_of`` on the store at ``store_path`` (created if missing).

    ``population`` stores a population directory's households and facts first (the first
    month); ``facts`` are the month's facts files. Prints the cycle's summary; with ``out``
    writes its alerts, its record and its problems there. Progress is drawn on stderr when it
    is a terminal, or with ``progress``. Returns 0, or 1 when rows could not be read,
    households could not be screened or the store quarantined records (listed). The summary is
    said in ``lang``. Unless ``future``, an ``as_of`` more than :data:`AHEAD` after ``today``
    (default: the machine's date) is refused (:func:`check_not_ahead`) before the store is opened.
    """
    if not future:
        check_not_ahead(as_of, dt.date.today() if today is None else today)
    directory = check_out(out, CYCLE_FILES, overwrite=overwrite) if out is not None else None
    chooser: PolicyChooser = policies if isinstance(policies, PolicyMap) else OnePolicy(policies, load=load_policy_spec)
    chooser.policies()  # an unknown policy fails before any work
    bad_rows: list[BadRow] = []
    # A missing population directory or facts file fails before any work (the store is not made).
    stored_population = read_population(population) if population is not None else None
    readers = [fact_records(path) for path in facts]
    with SQLiteStore(store_path) as store:
        sources: list[Iterable[Mapping[str, Any]]] = []
        if stored_population is not None:
            sources.append(_population_records(stored_population, store, bad_rows))
        sources.extend(readers)
        monitor = Monitor(
            store,
            chooser,
            workers=workers,
            chunk_size=chunk_size,
            open_store=store.opener() if workers > 1 else None,
        )
        line = ProgressLine() if wants_progress(progress) else None
        try:
            report = monitor.cycle(
                itertools.chain.from_iterable(sources),
                as_of=as_of,
                progress=_bar(line, lang) if line is not None else None,
            )
        finally:
            if line is not None:
                line.close()
        for reader in readers:
            bad_rows.extend(reader.bad_rows)
        # this cycle's records the store quarantined, those it had quarantined before included
        mine = set(report.ingest.quarantined_keys)
        quarantined = [record for record in store.quarantined() if record.key in mine] if mine else []
        print(report.summary(lang))
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            with (directory / "alerts.jsonl").open("w", encoding="utf-8") as file:
                for alert in monitor.alerts(as_of):
                    file.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")
            # with the rows no record came from: the report counts only what reached the store
            summary = {**report.to_dict(), "bad_rows": len(bad_rows)}
            (directory / "cycle.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            with (directory / "problems.jsonl").open("w", encoding="utf-8") as file:
                for bad in bad_rows:
                    file.write(json.dumps(bad.to_dict(), ensure_ascii=False) + "\n")
                for problem in report.problems:
                    file.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
                for record in quarantined:
                    file.write(json.dumps(_quarantined(record), ensure_ascii=False) + "\n")
    print_problems(bad_rows, report.problems, lang=lang)
    _print_quarantined(quarantined, lang)
    return 1 if bad_rows or report.problems or quarantined else 0


def _quarantined(record: QuarantinedRecord) -> dict[str, Any]:
    """A record the store quarantined, as ``problems.jsonl`` lists it."""
    return {
        "kind": "quarantined",
        "household_id": record.household_id,
        "fact_id": record.fact_id,
        "error": record.error,
        "message": record.reason,
    }


def _print_quarantined(quarantined: list[QuarantinedRecord], lang: str) -> None:
    """Say on stderr which records this cycle quarantined (the first 20), and how many."""
    for record in quarantined[:20]:
        print(
            tr(
                lang,
                "relapse-guard: quarantined: household {household}, fact {fact}: {error}: {reason}",
                household=record.household_id,
                fact=record.fact_id,
                error=record.error,
                reason=record.reason,
            ),
            file=sys.stderr,
        )
    if quarantined:
        print(
            ntr(
                lang,
                "relapse-guard: {count} record quarantined (kept out of the store; store.quarantined() lists it)",
                "relapse-guard: {count} records quarantined (kept out of the store; store.quarantined() lists them)",
                len(quarantined),
            ),
            file=sys.stderr,
        )
