"""``relapse-guard cycle``: one month of monitoring over a SQLite store (see docs/monitoring.md)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .cli_policy import load_policy_spec
from .cli_screen import check_out, print_problems
from .errors import InvalidArgument, StoreError
from .facts import Fact
from .household import Household
from .interface import ntr, progress_text, tr
from .monitoring import (
    Alert,
    AlertKind,
    CycleProgress,
    CycleReport,
    FactAhead,
    Monitor,
    OnePolicy,
    PolicyChooser,
    cycle_dates,
)
from .policies.policy_map import PolicyMap, district_matcher
from .population import BadRow, FactRecords, Population, PopulationError, fact_records, read_population
from .population.layout import suffix_format
from .progress_line import ProgressLine, wants_progress
from .screening.summary import Problem
from .store import QuarantinedRecord, SQLiteStore
from .store.codec import canonical_json, digest

__all__ = ["AHEAD", "CYCLE_FILES", "check_not_ahead", "run_alerts", "run_cycle", "run_quarantined"]

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
    month); ``facts`` are the month's facts files (``.jsonl``, ``.csv``, ``.parquet``: another
    suffix is refused). With ``out`` writes its alerts, its record and its problems there, then
    prints the cycle's summary (the files first: a reader of stdout that goes away does not
    cost them). Progress is drawn on stderr when it is a terminal, or with ``progress``. Each
    fact dated more than a year after ``as_of`` is named on stderr, a warning (a mistyped year?).
    Returns 0, or 1 when rows could not be read, households could not be screened or the store
    quarantined records (listed, with the command that lists every quarantined record). The
    summary and the lines on stderr are said in ``lang``. Unless ``future``, an ``as_of`` more
    than :data:`AHEAD` after ``today`` (default: the machine's date) is refused
    (:func:`check_not_ahead`) before the store is opened; so is an ``out`` that cannot be made or
    written (:func:`~relapse_guard.cli_screen.check_out`: it is made then, before anything is ingested).
    """
    if not future:
        check_not_ahead(as_of, dt.date.today() if today is None else today)
    chooser: PolicyChooser = policies if isinstance(policies, PolicyMap) else OnePolicy(policies, load=load_policy_spec)
    chooser.policies()  # an unknown policy fails before any work
    bad_rows: list[BadRow] = []
    # A missing population directory or facts file fails before any work (the store is not made).
    stored_population = read_population(population) if population is not None else None
    readers = [_facts_file(path, lang) for path in facts]
    # --out made and proved writable before the store is opened: refused, it leaves the store untouched
    directory = check_out(out, CYCLE_FILES, overwrite=overwrite) if out is not None else None
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
        # where each came from: the files read again, only when the store quarantined some
        origins = _origins(quarantined, facts, stored_population) if quarantined else {}
        # the files first: a reader of stdout that goes away (``| head -1``) must not cost them
        if directory is not None:
            with (directory / "alerts.jsonl").open("w", encoding="utf-8") as file:
                for alert in monitor.alerts(as_of):
                    file.write(json.dumps(alert.to_dict(), ensure_ascii=False) + "\n")
            # with the rows no record came from: the report counts only what reached the store
            written = _said(report, store_path, "en")  # the files are in English, whatever --lang
            summary = {**written.to_dict(), "bad_rows": len(bad_rows)}
            (directory / "cycle.json").write_text(
                json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            with (directory / "problems.jsonl").open("w", encoding="utf-8") as file:
                for bad in bad_rows:
                    file.write(json.dumps(bad.to_dict(), ensure_ascii=False) + "\n")
                for problem in written.problems:
                    file.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
                for record in quarantined:
                    file.write(json.dumps(_quarantined(record, origins), ensure_ascii=False) + "\n")
    said = _said(report, store_path, lang)
    # In Chinese a map's district is named by its Chinese name, when the map gives one
    spell = functools.partial(policies.district_name, lang=lang) if isinstance(policies, PolicyMap) else None
    print(said.summary(lang, district_name=spell))
    print_problems(bad_rows, said.problems, lang=lang)
    _print_quarantined(quarantined, store_path, lang, origins)
    _print_ahead(said.ahead, as_of, lang)
    return 1 if bad_rows or report.problems or quarantined else 0


def _facts_file(path: str, lang: str) -> FactRecords:
    """The records of a ``--facts`` file; a name whose suffix says no format is refused in the
    command line's words (the library's message says what a Python caller can do)."""
    if suffix_format(Path(path)) is None:
        raise PopulationError(
            tr(
                lang,
                "--facts {path}: cannot tell the file format from its name; give the file a name ending "
                "in .jsonl, .csv or .parquet",
                path=path,
            )
        )
    return fact_records(path)


def _said(report: CycleReport, store_path: str, lang: str) -> CycleReport:
    """``report`` with its problems said for a user of the command line, in ``lang``."""
    if not any(problem.error == "UnknownHousehold" for problem in report.problems):
        return report
    return attrs.evolve(report, problems=tuple(_problem_said(problem, store_path, lang) for problem in report.problems))


def _problem_said(problem: Problem, store_path: str, lang: str) -> Problem:
    """A problem household said for a user of the command line: facts of a household the store
    has no record of wait there until a population directory holding it is given to a cycle."""
    if problem.error != "UnknownHousehold":
        return problem
    return attrs.evolve(
        problem,
        parts=(),  # said in ``lang`` here, not anew from the library's parts
        message=tr(
            lang,
            "household {household} is not in the store: its facts wait there until its household is stored, "
            "by a cycle given a population directory holding it (relapse-guard cycle {store} --population DIR)",
            household=repr(problem.household_id),
            store=store_path,
        ),
    )


def _print_ahead(ahead: Sequence[FactAhead], as_of: dt.date, lang: str) -> None:
    """Say on stderr each fact of the cycle dated more than a year after ``as_of``: stored, it keeps its
    household pending until its date (a mistyped year?)."""
    for fact in ahead:
        print(
            tr(
                lang,
                "relapse-guard: warning: household {household}, fact {fact}: dated {date}, more than a year after "
                "the cycle's date {as_of} (a mistyped year?); it is stored, and its household is rescreened by "
                "every cycle until that date",
                household=fact.household_id,
                fact=fact.fact_id,
                date=fact.date.isoformat(),
                as_of=as_of.isoformat(),
            ),
            file=sys.stderr,
        )


#: Where a record came from: the file (as given) and its line (for CSV the line its row starts
#: on, for Parquet its row number), as a bad row names them.
Origin = tuple[str, int]


def _origins(
    quarantined: Sequence[QuarantinedRecord], facts: Sequence[str], population: Population | None
) -> dict[str, Origin]:
    """Where each of ``quarantined`` came from, by key: the first row of the cycle's files (the
    population's facts files, then ``facts``) whose record is the one quarantined (the same
    content: its :attr:`~QuarantinedRecord.key`). The files are read again, for these alone."""
    wanted = {record.key for record in quarantined}
    ids = {record.fact_id for record in quarantined}
    files: list[tuple[str, str | None]] = [
        (str(partition.facts_path), partition.format) for partition in (population.partitions if population else ())
    ]
    files.extend((path, None) for path in facts)
    found: dict[str, Origin] = {}
    for path, fmt in files:
        records = fact_records(path, format=fmt, lines=True)
        for record in records:
            if record.get("id") in ids and (key := digest(canonical_json(record))) in wanted and key not in found:
                assert records.line is not None  # read with lines=True
                found[key] = (path, records.line)
                if len(found) == len(wanted):
                    return found
    return found


def _quarantined(record: QuarantinedRecord, origins: Mapping[str, Origin] | None = None) -> dict[str, Any]:
    """A record the store quarantined, as ``problems.jsonl`` lists it; given ``origins`` (a cycle's),
    with the file and line it came from (None when they are not known). The store does not keep
    them: the ``quarantined`` command lists its records without."""
    said: dict[str, Any] = {
        "kind": "quarantined",
        "household_id": record.household_id,
        "fact_id": record.fact_id,
        "error": record.error,
        "message": record.reason,
    }
    if origins is not None:
        origin = origins.get(record.key)
        said["file"], said["line"] = (None, None) if origin is None else origin
    return said


def _quarantined_line(record: QuarantinedRecord, lang: str, origin: Origin | None = None) -> str:
    """A record the store quarantined, in a line: where it came from when known (``file:line:``, as
    a bad row says it), its household, fact, error and why."""
    said = tr(
        lang,
        "household {household}, fact {fact}: {error}: {reason}",
        household=record.household_id,
        fact=record.fact_id,
        error=record.error,
        reason=record.reason,
    )
    return said if origin is None else f"{origin[0]}:{origin[1]}: {said}"


def _print_quarantined(
    quarantined: list[QuarantinedRecord], store_path: str, lang: str, origins: Mapping[str, Origin] | None = None
) -> None:
    """Say on stderr which records this cycle quarantined (the first 20), where each came from, how
    many, and how to list them."""
    for record in quarantined[:20]:
        line = _quarantined_line(record, lang, (origins or {}).get(record.key))
        print(tr(lang, "relapse-guard: quarantined: {record}", record=line), file=sys.stderr)
    if quarantined:
        print(
            ntr(
                lang,
                "relapse-guard: {count} record quarantined (kept out of the store; "
                "relapse-guard quarantined {store} lists it)",
                "relapse-guard: {count} records quarantined (kept out of the store; "
                "relapse-guard quarantined {store} lists them)",
                len(quarantined),
                store=store_path,
            ),
            file=sys.stderr,
        )


def run_quarantined(
    store_path: str, *, household: str | None = None, output_format: str = "text", lang: str = "en"
) -> int:
    """The ``quarantined`` command: list the records a store quarantined (of one ``household`` when
    given), oldest first; 0. Text: a line each and a count; ``json``: one JSON object a line, as
    ``problems.jsonl`` lists them, with the ``record`` as the store keeps it.

    The store is opened read-only; :class:`~relapse_guard.errors.StoreError` for a file that is
    missing or not a store.
    """
    if not Path(store_path).is_file():
        raise StoreError(f"no store file at {store_path}")
    with SQLiteStore(store_path, read_only=True) as store:  # listing writes nothing
        records = store.quarantined(household)
    if output_format == "json":
        for record in records:
            print(json.dumps({**_quarantined(record), "record": record.record}, ensure_ascii=False))
        return 0
    for record in records:
        print(_quarantined_line(record, lang))
    print(ntr(lang, "{count} record quarantined", "{count} records quarantined", len(records)))
    return 0


def run_alerts(
    store_path: str,
    *,
    cycle: dt.date | None = None,
    household: str | None = None,
    kinds: Sequence[str] = (),
    district: str | None = None,
    policy_map: PolicyMap | None = None,
    output_format: str = "text",
    lang: str = "en",
    town: str | None = None,
    village: str | None = None,
    new: bool = False,
) -> int:
    """The ``alerts`` command: list the alerts a cycle stored (the one as of ``cycle``, default the
    last), by household, of one ``household``, of ``kinds`` (alert kinds' values) and of one
    ``district`` when given: by its name without case and spaces, or by any other name
    ``policy_map`` gives the district (default: the built-in ``chongqing`` map's, which names
    Yubei, Dazu and Bishan in Chinese too: :func:`~relapse_guard.policies.policy_map.district_matcher`); 0.

    Only those of one ``town`` and one ``village`` (each compared without case) when given, and
    only those new this cycle with ``new``. Text: a line each,
    :meth:`~relapse_guard.monitoring.Alert.line` in ``lang`` (``date household town/village
    [kind] new: detail``), and a line counting them; ``jsonl``: one
    :meth:`~relapse_guard.monitoring.Alert.to_dict` a line, its ``detail`` in ``lang``. The
    store is opened read-only;
    :class:`~relapse_guard.errors.StoreError` for a file that is missing or not a store, or a
    store without the cycle asked (or without any); :class:`~relapse_guard.errors.InvalidArgument`
    for a kind that is not an alert kind's.
    """
    if not Path(store_path).is_file():
        raise StoreError(f"no store file at {store_path}")
    known = {kind.value: kind for kind in AlertKind}
    unknown = [kind for kind in kinds if kind not in known]
    if unknown:
        raise InvalidArgument(f"kinds: {unknown[0]!r} is not an alert kind (known: {', '.join(known)})")
    wanted = {known[kind] for kind in kinds}
    with SQLiteStore(store_path, read_only=True) as store:  # listing writes nothing
        dates = cycle_dates(store)
        if not dates:
            raise StoreError(
                tr(lang, "the store at {store} has no cycle yet (relapse-guard cycle runs one)", store=store_path)
            )
        as_of = dates[-1] if cycle is None else cycle
        if as_of not in dates:
            raise StoreError(
                tr(
                    lang,
                    "the store at {store} has no cycle as of {date} (its last cycle is as of {last})",
                    store=store_path,
                    date=as_of.isoformat(),
                    last=dates[-1].isoformat(),
                )
            )
        bodies = store.alerts(as_of.isoformat(), household)
    in_place = district_matcher(district, policy_map) if district is not None else None
    found = [
        alert
        for alert in (Alert.from_json(body) for _, body in bodies)
        if (not wanted or alert.kind in wanted) and (in_place is None or in_place(alert.district))
    ]
    found = [alert for alert in found if _named(alert.town, town) and _named(alert.village, village)]
    if new:
        found = [alert for alert in found if alert.is_new]
    if output_format == "jsonl":
        for alert in found:
            print(json.dumps({**alert.to_dict(), "detail": alert.render(lang)}, ensure_ascii=False))
        return 0
    for alert in found:
        print(alert.line(lang))
    print(
        ntr(
            lang,
            "{count} alert of the cycle as of {cycle}",
            "{count} alerts of the cycle as of {cycle}",
            len(found),
            cycle=as_of.isoformat(),
        )
    )
    return 0


def _named(name: str, wanted: str | None) -> bool:
    """Whether a town or village ``name`` is the one ``wanted`` (None: any), without case or the
    spaces around it."""
    return wanted is None or name.strip().casefold() == wanted.strip().casefold()
