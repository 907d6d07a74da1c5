"""The monthly monitoring cycle over a store: ingest the month's facts, rescreen only the
households that need it, keep their checkpoints, and say what needs attention.

A cycle as of a date

1. **ingests** the month's records (idempotent; bad records quarantined, as
   :meth:`~relapse_guard.store.base.Store.ingest` does), which marks the households given
   new facts as *pending*;
2. **picks** the households to rescreen through the store's indexes, never a scan of every
   household: the pending ones, and those whose checkpoint's next event (a transition
   period starting or ending, or to be announced, a review or a case step falling due) is
   on or before the date;
3. **rescreens** them chunk by chunk, each resumed from its checkpoint with its new facts
   (or replayed from its whole history when a fact came late, its policy or its record
   changed), and writes each chunk's new checkpoints and alerts in one transaction, which
   also clears the chunk's households from *pending*.

So a cycle run twice changes nothing the second time and gives the same alerts, and a cycle
killed part way and run again finishes the households not done, none counted twice. A cycle
run again with more records (a corrected file) rescreens each household it rescreened before
from the checkpoint the household had before the cycle (its base, kept by the store), so the
store ends, alerts included, as one run with every record would leave it. The alerts of a
cycle stay in the store under its date (:meth:`Monitor.alerts`), and the record of each run of
it, in order (:meth:`Monitor.runs`). A store runs one cycle at a time: a cycle holds the store's
cycle lock while it runs, and another asked for meanwhile is refused
(:class:`~relapse_guard.errors.CycleRunning`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from ..errors import InvalidArgument, WrongType, typed_repr
from ..facts import Fact, FactKinds
from ..interface import is_english, ntr, plural, tr
from ..labels import label
from ..policies.policy_map import PolicyMap, district_matcher
from ..policy import Policy
from ..screening.choice import checked_as_of
from ..screening.summary import Problem
from ..store._args import check_iterable
from ..store.base import BatchReport, IngestReport, Store
from .alerts import Alert, AlertKind
from .choosers import OnePolicy, PolicyChooser, fact_kinds_of
from .rescreen import ChunkOutcome, Rescreener

__all__ = ["FAR_AHEAD", "CycleProgress", "CycleReport", "FactAhead", "Monitor", "cycle_dates", "last_cycle"]

#: How far after a cycle's date a fact may be dated before the cycle names it (:class:`FactAhead`).
FAR_AHEAD = relativedelta(years=1)


@attrs.frozen
class CycleProgress:
    """How far a cycle has got: households rescreened of those picked, and the time so far."""

    households_done: int
    households_total: int
    seconds: float

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the rate so far, once there is a rate."""
        if not self.households_done or self.seconds <= 0:
            return None
        rate = self.households_done / self.seconds
        return max(self.households_total - self.households_done, 0) / rate


@attrs.frozen
class FactAhead:
    """A fact a cycle took that is dated more than :data:`FAR_AHEAD` after the cycle's date: a
    mistyped year (2071 for 2017), or a fact recorded that early on purpose. It is stored as any
    other, and applied by the first cycle on or after its date: until then its household is
    rescreened by every cycle. ``date`` is the fact's date (a correction's: the later of its own
    and its replacement's)."""

    household_id: str
    fact_id: str
    date: dt.date

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"household_id": self.household_id, "fact_id": self.fact_id, "date": self.date.isoformat()}


def _record_date(value: object, limit: dt.date, limit_text: str) -> dt.date | None:
    """The date ``value`` (a record's ``date``: ISO text or a date) when it is after ``limit``, else None."""
    if type(value) is str:
        if value <= limit_text:  # ISO dates of four-digit years sort as text
            return None
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:  # not a date: the store says so
            return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return None
    return value if value > limit else None


#: A record dated far ahead, as it went by: the fact named, and the record's own kind and date.
_Ahead = tuple[FactAhead, object, object]


def _watch_ahead(
    records: Iterable[Mapping[str, Any]], as_of: dt.date, found: list[_Ahead]
) -> Iterator[Mapping[str, Any]]:
    """``records`` as they are, each record dated more than :data:`FAR_AHEAD` after ``as_of``
    (a correction: or its replacement) added to ``found`` as it goes by."""
    limit = as_of + FAR_AHEAD
    limit_text = limit.isoformat()
    for record in records:
        try:
            own = record.get("date")
            ahead = _record_date(own, limit, limit_text)
            replacement = record.get("replacement")
            if isinstance(replacement, Mapping):
                later = _record_date(replacement.get("date"), limit, limit_text)
                if later is not None and (ahead is None or later > ahead):
                    ahead = later
        except AttributeError:  # not a mapping: the store quarantines it
            ahead = None
        if ahead is not None:
            fact = FactAhead(str(record.get("household_id")), str(record.get("id")), ahead)
            found.append((fact, record.get("kind"), own))
        yield record


def _same_date(stored: dt.date, given: object) -> bool:
    return stored.isoformat() == given if isinstance(given, str) else stored == given


@attrs.frozen(kw_only=True)
class CycleReport:
    """What one run of a cycle did.

    ``rescreened`` households were picked and done (``started`` screened for the first time,
    ``resumed`` from their checkpoints, ``quiet`` of them with a quiet month that only their
    checkpoint's head recorded, ``replayed`` from their whole history, for the
    ``replay_reasons`` counted); ``problems`` could not be screened and stay pending; ``settled``
    households had no record and every fact of theirs retracted, so there was nothing to screen
    and they left *pending* (:meth:`~relapse_guard.store.base.Store.settle`). Counts
    are of this run, the cycle's ``run``-th (the store keeps every run's record:
    :meth:`Monitor.runs`); ``alert_counts`` counts every alert stored for the cycle (a run that
    finishes one killed part way counts the first run's alerts too), by kind.
    ``districts`` counts the households rescreened by district and the policy label used.
    ``ahead`` are the facts of the cycle's records dated more than :data:`FAR_AHEAD` after
    ``as_of`` (stored as any other: a mistyped year keeps its household pending until that date).
    """

    cycle: str
    as_of: dt.date
    ingest: IngestReport
    picked: int
    rescreened: int
    started: int
    resumed: int
    quiet: int
    replayed: int
    replay_reasons: Mapping[str, int]
    districts: Mapping[tuple[str, str], int]
    problems: tuple[Problem, ...]
    alert_counts: Mapping[str, int]
    seconds: float
    #: Of ``seconds``, the time the ingest took.
    ingest_seconds: float = 0.0
    #: The facts dated more than :data:`FAR_AHEAD` after ``as_of``, in the order of the records.
    ahead: tuple[FactAhead, ...] = ()
    #: Households picked with no record and every fact retracted: taken out of pending, not screened.
    settled: int = 0
    #: Which run of the cycle this is, from 1 (the store keeps each run's record: :meth:`Monitor.runs`).
    run: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what the store keeps of the cycle)."""
        return {
            "cycle": self.cycle,
            "as_of": self.as_of.isoformat(),
            "ingest": attrs.asdict(self.ingest, filter=lambda field, _: field.name != "quarantined_keys"),
            "picked": self.picked,
            "rescreened": self.rescreened,
            "started": self.started,
            "resumed": self.resumed,
            "quiet": self.quiet,
            "replayed": self.replayed,
            "replay_reasons": dict(self.replay_reasons),
            "districts": [[d, p, n] for (d, p), n in sorted(self.districts.items())],
            "problems": [attrs.asdict(problem, filter=_stored) for problem in self.problems],
            "alert_counts": dict(self.alert_counts),
            "seconds": round(self.seconds, 3),
            "ingest_seconds": round(self.ingest_seconds, 3),
            "facts_far_ahead": len(self.ahead),
            "settled": self.settled,
            "run": self.run,
        }

    def summary(self, lang: str = "en", *, district_name: Callable[[str], str] | None = None) -> str:
        """A few lines for a terminal, in ``lang`` (the problems' messages as written); each
        district named by ``district_name`` when given (a policy map's
        :meth:`~relapse_guard.policies.policy_map.PolicyMap.district_name` in ``lang``: its
        Chinese name)."""
        ingest = self.ingest
        lines = [
            tr(
                lang,
                "cycle {cycle}: {facts} stored ({duplicates}, {quarantined} quarantined); {households} picked, "
                "{rescreened} rescreened ({resumed} resumed, {quiet} of them quiet, {replayed} replayed, "
                "{started} first screened) in {seconds} s",
                cycle=self.cycle,
                facts=plural(ingest.stored, "fact", lang=lang),
                duplicates=plural(ingest.duplicates, "duplicate", lang=lang),
                quarantined=f"{ingest.quarantined:,}",
                households=plural(self.picked, "household", lang=lang),
                rescreened=f"{self.rescreened:,}",
                resumed=f"{self.resumed:,}",
                quiet=f"{self.quiet:,}",
                replayed=f"{self.replayed:,}",
                started=f"{self.started:,}",
                seconds=f"{self.seconds:.1f}",
            ),
        ]
        comma = tr(lang, ", ")
        if self.replay_reasons:
            reasons = comma.join(
                f"{n:,} {label('replay_reason', why, lang)}" for why, n in sorted(self.replay_reasons.items())
            )
            lines.append(tr(lang, "  replayed: {reasons}", reasons=reasons))
        if self.settled:
            lines.append(
                tr(
                    lang,
                    "  settled: {households} with no record and every fact retracted (nothing to screen)",
                    households=plural(self.settled, "household", lang=lang),
                )
            )
        for (district, policy), count in sorted(self.districts.items()):
            lines.append(
                tr(
                    lang,
                    "  {district} under {policy}: {households}",
                    district=(district_name(district) if district_name and district else district)
                    or tr(lang, "(no district)"),
                    policy=policy,
                    households=plural(count, "household", lang=lang),
                )
            )
        if self.alert_counts:
            alerts = comma.join(f"{n:,} {_alert_name(kind, lang)}" for kind, n in sorted(self.alert_counts.items()))
            lines.append(tr(lang, "  alerts: {alerts}", alerts=alerts))
        if self.problems:
            lines.append(
                ntr(
                    lang,
                    "  {count} household could not be screened (they stay pending):",
                    "  {count} households could not be screened (they stay pending):",
                    len(self.problems),
                    count=f"{len(self.problems):,}",
                )
            )
            lines.extend(
                f"    {p.household_id}: {p.error}: {p.message}"
                if is_english(lang)
                else tr(
                    lang,
                    "    {household}: {kind} ({error}): {message}",
                    household=p.household_id,
                    kind=label("problem", p.kind, lang),
                    error=p.error,
                    message=p.message_said(lang),
                )
                for p in self.problems[:20]
            )
        if self.ahead:
            lines.append(
                ntr(
                    lang,
                    "  {count} fact dated more than a year after {date} (a mistyped year?): stored, its household "
                    "rescreened by every cycle until that date",
                    "  {count} facts dated more than a year after {date} (a mistyped year?): stored, their households "
                    "rescreened by every cycle until those dates",
                    len(self.ahead),
                    date=self.as_of.isoformat(),
                )
            )
        return "\n".join(lines)


def _stored(field: attrs.Attribute[object], _: object) -> bool:
    """The fields of a problem a cycle's report stores: not its message's parts (said from the message)."""
    return field.name != "parts"


def _alert_name(kind: str, lang: str) -> str:
    """An alert kind as the summary says it: ``new risk`` in English, its label in another language."""
    return kind.replace("_", " ") if is_english(lang) else label("alert", kind, lang)


def cycle_dates(store: Store) -> list[dt.date]:
    """The dates of the cycles ``store`` has a record of, earliest first (a record kept under a
    name that is not an ISO date, by another program, is not a cycle's)."""
    dates = []
    for name in store.cycles():
        try:
            dates.append(dt.date.fromisoformat(name))
        except ValueError:
            continue
    return sorted(dates)


def last_cycle(store: Store) -> dt.date | None:
    """The date of the latest cycle ``store`` has a record of; None before the first."""
    dates = cycle_dates(store)
    return dates[-1] if dates else None


ProgressCallback = Callable[[CycleProgress], None]
#: Opens the store in a worker process (it must pickle: e.g. ``functools.partial(SQLiteStore, path)``).
StoreOpener = Callable[[], Store]


class Monitor:
    """Runs monitoring cycles over ``store``, each household under the policy ``policies`` gives.

    ``policies`` is a :class:`~relapse_guard.policy.Policy`, a registered policy's name, or a
    chooser by place such as :class:`~relapse_guard.policies.policy_map.PolicyMap`.
    ``workers`` > 1 rescreens in that many local processes, each opening the store with
    ``open_store`` (required then: a picklable function, for a SQLite store
    ``store.opener()``); ``chunk_size`` households are written per transaction.
    ``record_decisions`` also appends each rescreen's decisions to the store's chained log.
    """

    def __init__(
        self,
        store: Store,
        policies: Policy | str | PolicyChooser,
        *,
        workers: int = 1,
        chunk_size: int = 2_000,
        open_store: StoreOpener | None = None,
        record_decisions: bool = False,
    ) -> None:
        if isinstance(policies, Policy | str):
            policies = OnePolicy(policies)
        if not isinstance(policies, PolicyChooser):
            raise WrongType(
                f"Monitor needs a Policy, a policy name or a policy map, not {type(policies).__name__} {policies!r}"
            )
        if not isinstance(store, Store):
            raise WrongType(f"Monitor needs a Store (MemoryStore, SQLiteStore), not {typed_repr(store)}")
        for name, value in (("workers", workers), ("chunk_size", chunk_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgument(f"Monitor: {name} must be an int >= 1, not {value!r}")
        if workers > 1 and open_store is None:
            raise InvalidArgument("Monitor: workers > 1 needs open_store, a picklable function opening the store")
        self.store = store
        self.policies = policies
        self.workers = workers
        self.chunk_size = chunk_size
        self.open_store = open_store
        self.record_decisions = record_decisions

    def cycle(
        self,
        records: Iterable[Mapping[str, Any]] = (),
        *,
        as_of: dt.date,
        batch_size: int = 10_000,
        progress: ProgressCallback | None = None,
    ) -> CycleReport:
        """Run the cycle as of ``as_of`` with the month's ``records`` (see the module docstring).

        Holds the store's cycle lock while it runs: while another cycle runs on the store, raises
        :class:`~relapse_guard.errors.CycleRunning` at once, storing nothing. The run is recorded
        in the store as it goes (:meth:`runs`), after the records of the cycle's earlier runs."""
        as_of = checked_as_of(as_of)
        check_iterable("Monitor.cycle", "records (dicts)", records)
        cycle = as_of.isoformat()
        with self.store.lock_cycle(cycle):
            last = self.last_cycle()
            if last is not None and as_of < last:
                raise InvalidArgument(
                    f"a cycle as of {as_of.isoformat()} is before the last cycle, as of {last.isoformat()}: cycles "
                    f"run in date order (run the cycle as of {last.isoformat()} again, or a later one)"
                )
            return self._run(records, as_of, batch_size, progress)

    def _run(
        self,
        records: Iterable[Mapping[str, Any]],
        as_of: dt.date,
        batch_size: int,
        progress: ProgressCallback | None,
    ) -> CycleReport:
        """A run of the cycle as of ``as_of``, under the store's cycle lock, recorded as it goes."""
        before = [day for day in cycle_dates(self.store) if day < as_of]
        previous = before[-1] if before else None
        run = _Run(self.store, as_of.isoformat(), as_of)
        ahead: list[_Ahead] = []
        kinds = fact_kinds_of(self.policies)
        run.ingest = self.store.ingest(
            _watch_ahead(records, as_of, ahead), kinds=kinds, batch_size=batch_size, progress=run.ingested
        )
        run.ingest_seconds = time.perf_counter() - run.clock
        picked = sorted(set(self.store.pending_households()) | set(self.store.due_households(as_of)))
        run.picked = len(picked)
        chunks = [picked[i : i + self.chunk_size] for i in range(0, len(picked), self.chunk_size)]
        for outcome in self._rescreen(chunks, as_of, run.cycle, previous):
            run.rescreened(outcome)
            if progress is not None:
                total = run.total
                done = total.households + len(total.problems) + total.settled
                progress(CycleProgress(done, len(picked), time.perf_counter() - run.clock))
        counts = Counter(kind for kind in self._alert_kinds(run.cycle))
        return run.finished(dict(sorted(counts.items())), self._stored(ahead, kinds))

    def runs(self, as_of: dt.date) -> list[dict[str, Any]]:
        """The store's record of each run of the cycle as of ``as_of``, in the order run (empty before
        its first): each :meth:`CycleReport.to_dict` of that run alone, with ``finished`` (false: the
        run was killed part way, or still runs; it counts what it had done at its last batch or
        chunk recorded), and ``started_at`` and ``finished_at``, wall-clock UTC times."""
        return [json.loads(body) for body in self.store.cycle_runs(checked_as_of(as_of).isoformat())]

    def _stored(self, ahead: list[_Ahead], kinds: FactKinds) -> tuple[FactAhead, ...]:
        """The facts dated far ahead that the store holds (an ingest quarantines a record that
        conflicts with a stored fact: it is not one), by their id, kind and own date; each once."""
        if not ahead:
            return ()
        held: dict[str, dict[str, Fact]] = {}
        for fact, _, _ in ahead:
            if fact.household_id not in held:
                held[fact.household_id] = {f.id: f for f in self.store.facts(fact.household_id, kinds=kinds)}
        kept: dict[tuple[str, str], FactAhead] = {}  # a fact named once, given twice or not
        for fact, kind, own in ahead:
            stored = held[fact.household_id].get(fact.fact_id)
            if stored is not None and stored.kind == kind and _same_date(stored.date, own):
                kept.setdefault((fact.household_id, fact.fact_id), fact)
        return tuple(kept.values())

    def last_cycle(self) -> dt.date | None:
        """The date of the latest cycle the store has a record of (None before the first)."""
        return last_cycle(self.store)

    def alerts(
        self, as_of: dt.date, *, kinds: Iterable[AlertKind | str] | None = None, district: str | None = None
    ) -> list[Alert]:
        """The alerts stored for the cycle as of ``as_of`` (of ``kinds`` when given: alert kinds or
        their values, ``"new_risk"``; of ``district`` when given: by its name in any case, or by
        another name the monitor's policy map, else the built-in ``chongqing`` map, gives it:
        :func:`~relapse_guard.policies.policy_map.district_matcher`), by household."""
        as_of = checked_as_of(as_of)
        wanted = None if kinds is None else {_alert_kind(kind) for kind in kinds}
        chosen = self.policies if isinstance(self.policies, PolicyMap) else None
        in_place = None if district is None else district_matcher(district, chosen)
        found = (Alert.from_json(body) for _, body in self.store.alerts(as_of.isoformat()))
        return [
            alert
            for alert in found
            if (wanted is None or alert.kind in wanted) and (in_place is None or in_place(alert.district))
        ]

    def _alert_kinds(self, cycle: str) -> Iterator[str]:
        for _, body in self.store.alerts(cycle):
            yield json.loads(body)["kind"]

    def _rescreen(
        self, chunks: Sequence[list[str]], as_of: dt.date, cycle: str, previous: dt.date | None
    ) -> Iterator[ChunkOutcome]:
        if self.workers == 1 or len(chunks) <= 1:
            rescreener = Rescreener(
                self.store,
                self.policies,
                as_of=as_of,
                cycle=cycle,
                record_decisions=self.record_decisions,
                previous=previous,
            )
            for chunk in chunks:
                yield rescreener.chunk(chunk)
            return
        context = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=functools.partial(
                _start_worker, self.open_store, self.policies, as_of, cycle, self.record_decisions, previous
            ),
        ) as pool:
            yield from pool.map(_worker_chunk, chunks)


def _wall_clock() -> str:
    """Now, UTC, to the second: when a run started or finished (not part of any reproducible output)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class _Run:
    """A run of a cycle as it goes: what it has done so far, recorded in the store as a run of the
    cycle when it starts, after each batch ingested and each chunk rescreened, and when it finishes,
    so that a run killed part way leaves the record of what it had done."""

    def __init__(self, store: Store, cycle: str, as_of: dt.date) -> None:
        self.store = store
        self.cycle = cycle
        self.as_of = as_of
        self.clock = time.perf_counter()
        self.started_at = _wall_clock()
        self.ingest = IngestReport()
        self.ingest_seconds = 0.0
        self.picked = 0
        self.total = Totals()
        self.run = len(store.cycle_runs(cycle)) + 1  # under the cycle lock: no other run is recorded meanwhile
        store.put_cycle(cycle, self._body(self.report({}, ()), finished=False))

    def ingested(self, batch: BatchReport) -> None:
        """Count a batch the ingest committed in, and record the run so far."""
        self.ingest = self.ingest.add(batch)
        self._record()

    def rescreened(self, outcome: ChunkOutcome) -> None:
        """Count a chunk written in, and record the run so far."""
        self.total.add(outcome)
        self._record()

    def finished(self, alert_counts: Mapping[str, int], ahead: tuple[FactAhead, ...]) -> CycleReport:
        """The run's report, recorded as finished."""
        report = self.report(alert_counts, ahead)
        self.store.put_cycle(self.cycle, self._body(report, finished=True), run=self.run)
        return report

    def report(self, alert_counts: Mapping[str, int], ahead: tuple[FactAhead, ...]) -> CycleReport:
        """What the run has done so far (the alerts of the cycle and the facts far ahead as given)."""
        total = self.total
        return CycleReport(
            cycle=self.cycle,
            as_of=self.as_of,
            ingest=self.ingest,
            picked=self.picked,
            rescreened=total.households,
            started=total.started,
            resumed=total.resumed,
            quiet=total.quiet,
            replayed=total.replayed,
            replay_reasons=dict(total.reasons),
            districts=dict(total.districts),
            problems=tuple(total.problems),
            alert_counts=alert_counts,
            seconds=time.perf_counter() - self.clock,
            ingest_seconds=self.ingest_seconds,
            ahead=ahead,
            settled=total.settled,
            run=self.run,
        )

    def _record(self) -> None:
        self.store.put_cycle(self.cycle, self._body(self.report({}, ()), finished=False), run=self.run)

    def _body(self, report: CycleReport, *, finished: bool) -> str:
        times = {"started_at": self.started_at, **({"finished_at": _wall_clock()} if finished else {})}
        return json.dumps({**report.to_dict(), "finished": finished, **times}, ensure_ascii=False, sort_keys=True)


@attrs.define
class Totals:
    """Chunk outcomes added up."""

    households: int = 0
    started: int = 0
    resumed: int = 0
    quiet: int = 0
    replayed: int = 0
    reasons: Counter[str] = attrs.Factory(Counter)
    districts: Counter[tuple[str, str]] = attrs.Factory(Counter)
    problems: list[Problem] = attrs.Factory(list)
    settled: int = 0

    def add(self, outcome: ChunkOutcome) -> None:
        """Count ``outcome`` in."""
        self.households += outcome.households
        self.started += outcome.started
        self.resumed += outcome.resumed
        self.quiet += outcome.quiet
        self.replayed += outcome.replayed
        self.reasons.update(dict(outcome.replay_reasons))
        for district, policy, count in outcome.districts:
            self.districts[(district, policy)] += count
        self.problems.extend(outcome.problems)
        self.settled += outcome.settled


_worker: Rescreener | None = None


def _start_worker(
    open_store: StoreOpener | None,
    chooser: PolicyChooser,
    as_of: dt.date,
    cycle: str,
    record_decisions: bool,
    previous: dt.date | None,
) -> None:
    global _worker
    assert open_store is not None, "workers > 1 need open_store"
    _worker = Rescreener(
        open_store(), chooser, as_of=as_of, cycle=cycle, record_decisions=record_decisions, previous=previous
    )


def _worker_chunk(household_ids: list[str]) -> ChunkOutcome:
    assert _worker is not None, "the worker was not started"
    return _worker.chunk(household_ids)


def _alert_kind(kind: object) -> AlertKind:
    """``kind`` as an :class:`AlertKind` (or its value); else :class:`InvalidArgument` naming the known ones."""
    try:
        return AlertKind(kind)
    except ValueError:
        known = ", ".join(repr(k.value) for k in AlertKind)
        raise InvalidArgument(f"kinds: {kind!r} is not an alert kind (known: {known})") from None
