"""Running a what-if: each household under two policies, decisions recorded only where they differ.

See :mod:`relapse_guard.whatif`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

import attrs

from ..decisions import Decision
from ..engine import Engine
from ..entitlements import Money
from ..errors import InvalidArgument
from ..facts import Fact
from ..household import Household
from ..messages import Message, Value
from ..policies import load_policy
from ..policy import Policy
from ..population import BadRow, Partition, Population, as_population
from ..result import HouseholdResult
from ..screening.choice import PolicyLoader, checked_as_of, shared_fact_kinds
from ..screening.fact_ids import Digests
from ..screening.parallel import checked_workers, over_partitions
from ..screening.screen import ProgressCallback, Record, Tally, resolve_engine
from ..screening.summary import Problem
from .comparison import (
    _NONE,
    Comparison,
    DistrictComparison,
    HouseholdComparison,
    Outcome,
    Totals,
    _state,
)
from .reads import ParameterWatch
from .shared import Shared, dated_before, decisions_part, run_outcome

__all__ = ["PartialComparison", "compare", "compare_partition", "compare_population"]


def _first_difference(
    a: Outcome, b: Outcome, since: dt.date | None = None
) -> tuple[Decision | None, Decision | None] | None:
    """The first decisions of ``a``'s and ``b``'s results that say different things (one None
    where the other run made more decisions), or None; ``since`` (:func:`.shared.decisions_part`)
    is the date before which the two runs make the same decisions, which are not compared."""
    if a.result is None or b.result is None:
        return None
    decisions_a, decisions_b = a.result.decisions, b.result.decisions
    if since is not None:
        start = dated_before(decisions_a, since)
        if start == dated_before(decisions_b, since):
            decisions_a, decisions_b = decisions_a[start:], decisions_b[start:]
    # Compare decisions by what they say. Equal decisions explain alike (equality compares all
    # an explanation says), so only decisions that are not equal are explained, which is most
    # of the cost. A decision may name the policy its run is under (a move says which policy
    # the run stays under): the two runs' names are not a difference between them.
    label_a, label_b = a.result.policy, b.result.policy
    for first, second in zip(decisions_a, decisions_b, strict=False):
        if first != second and _said(first, label_a) != _said(second, label_b):
            return first, second
    count_a, count_b = len(decisions_a), len(decisions_b)
    if count_a == count_b:
        return None
    shorter = min(count_a, count_b)
    return (
        decisions_a[shorter] if count_a > shorter else None,
        decisions_b[shorter] if count_b > shorter else None,
    )


def _said(decision: Decision, policy: str) -> str:
    """What ``decision`` explains, the name of the policy it was made under left out where its
    message quotes it (a ``{policy}`` value, at any depth); a fact id or any other text that
    happens to spell the name is kept."""
    message = _unnamed(decision.message, policy)
    if message is not decision.message:
        decision = attrs.evolve(decision, message=message)
    return decision.explain()


def _unnamed(message: Message, policy: str) -> Message:
    """``message`` with each ``{policy}`` value that is ``policy`` written as the placeholder."""
    values: dict[str, Value] = {}
    changed = False
    for name, value in zip(message.names, message.args, strict=True):
        if name == "policy" and value == policy:
            value, changed = "{policy}", True
        elif isinstance(value, Message):
            inner = _unnamed(value, policy)
            value, changed = inner, changed or inner is not value
        values[name] = value
    # the message's own (registered) key, with its values: no new key
    return Message.named(message.key, **values) if changed else message


def compare(
    policy_a: Policy,
    policy_b: Policy,
    population: Iterable[tuple[Household, Sequence[Fact]]],
    *,
    as_of: dt.date | None,
    engine: str = "scalar",
    keep_all: bool = False,
) -> Comparison:
    """Run each household's facts under both policies ``as_of`` a date and compare the outcomes.

    ``population`` yields ``(household, facts)`` pairs, read once. Each household runs on
    engines that record no decisions; a household whose outcomes differ runs again on
    engines that do, for the first decision where its timelines part. Returns a
    :class:`Comparison`: the differing households (:class:`HouseholdComparison`, their
    outcomes without their results) in the population's order, the :class:`Totals` and every
    district's money (:meth:`Comparison.by_district`), all the households counted. ``render()``
    gives it as text.

    ``engine`` is ``scalar`` (the engine for every household), ``columnar`` (the households
    the columnar screen decides exactly are decided in columns, the others run by the engine:
    the same comparison; needs numpy and an ``as_of`` date, docs/columnar.md) or ``auto``
    (columnar when numpy is installed and there is an ``as_of`` date). ``keep_all`` keeps every
    household, each outcome with its result, every household run on engines that record
    decisions: for a small population to look into (:meth:`Comparison.household` of one that
    does not differ); it runs on the scalar engine only. Raises
    :class:`~relapse_guard.errors.InvalidArgument` for another engine (or ``columnar``
    without a date, or with ``keep_all``) and
    :class:`~relapse_guard.errors.BackendUnavailable` for ``columnar`` without numpy.
    """
    if keep_all:
        if engine != "scalar":
            raise InvalidArgument(
                f"compare(keep_all=True) runs every household on the engine: engine='scalar', not {engine!r}"
            )
        return _compare_all(policy_a, policy_b, population, as_of=as_of)
    path = _resolve(engine, as_of)
    gathered = PartialComparison()
    records = ((household, facts, ()) for household, facts in population)
    _compare_records(policy_a, policy_b, records, as_of, path, gathered, Tally())
    return gathered.comparison(policy_a.label, policy_b.label, as_of)


def _resolve(engine: str, as_of: dt.date | None) -> str:
    """``scalar`` or ``columnar``: how a what-if ``as_of`` a date (or not) runs on ``engine``."""
    resolved = resolve_engine(engine)
    if resolved == "columnar" and as_of is None:
        if engine == "columnar":
            raise InvalidArgument("the columnar what-if needs an as-of date")
        return "scalar"
    return resolved


def compare_population(
    policy_a: str | Policy,
    policy_b: str | Policy,
    population: Population | str | os.PathLike[str],
    as_of: dt.date,
    *,
    workers: int = 1,
    engine: str = "scalar",
    progress: ProgressCallback | None = None,
    load: PolicyLoader = load_policy,
) -> Comparison:
    """Compare two policies over every partition of ``population`` (a
    :class:`~relapse_guard.population.Population`, or the path of a population directory) as of
    ``as_of``, as :func:`compare` does (the differing households kept, the others counted).

    The facts read are the kinds of both policies; rows that cannot be read are the
    comparison's ``bad_rows`` (the households read are compared all the same). ``workers=1``
    compares in this process and reports ``progress`` as it goes; more workers use a pool of
    local processes, one partition at a time each, and report ``progress`` as partitions
    finish. Results are merged in partition order: any number of workers gives the comparison
    one worker gives. A policy is given by name (a registered name, or what ``load`` takes:
    :func:`~relapse_guard.cli_policy.load_policy_spec` takes ``path.py:NAME`` too), which each
    worker loads itself, or, with one worker, as a :class:`~relapse_guard.policy.Policy`.
    ``engine`` as for :func:`compare`. Raises :class:`~relapse_guard.errors.InvalidArgument`
    for a policy given as an object to several workers.
    """
    population = as_population(population)
    as_of, workers = checked_as_of(as_of), checked_workers(workers)
    path = _resolve(engine, as_of)  # columnar without numpy fails here, not in each worker
    first, second = _policy(policy_a, load), _policy(policy_b, load)
    several = workers > 1 and len(population.partitions) > 1
    if several and not (isinstance(policy_a, str) and isinstance(policy_b, str)):
        raise InvalidArgument(
            "a what-if in worker processes takes its policies by name (or path.py:NAME), not as objects"
        )
    kinds = shared_fact_kinds("whatif", {"a": first, "b": second})

    def here(partition: Partition, tally: Tally) -> PartialComparison:
        gathered = PartialComparison()
        _compare_records(first, second, partition.records(kinds=kinds), as_of, path, gathered, tally)
        return gathered

    worker = functools.partial(
        compare_partition, policy_a=str(policy_a), policy_b=str(policy_b), as_of=as_of, engine=path, load=load
    )
    gathered = over_partitions(population, PartialComparison(), here, worker, workers=workers, progress=progress)
    return gathered.comparison(first.label, second.label, as_of)


def _policy(policy: str | Policy, load: PolicyLoader) -> Policy:
    return load(policy) if isinstance(policy, str) else policy


def compare_partition(
    partition: Partition,
    policy_a: str,
    policy_b: str,
    as_of: dt.date,
    engine: str = "scalar",
    load: PolicyLoader = load_policy,
) -> PartialComparison:
    """What a worker of :func:`compare_population` makes of one partition: the policies
    loaded by name with ``load``, what the comparison keeps and counts of the partition's
    households (merged in partition order by :func:`compare_population`)."""
    first, second = load(policy_a), load(policy_b)
    kinds = shared_fact_kinds("whatif", {"a": first, "b": second})
    gathered = PartialComparison()
    _compare_records(
        first, second, partition.records(kinds=kinds), as_of, engine, gathered, Tally(partition.households)
    )
    return gathered


@attrs.define
class _District:
    """A district's households and money, summed as they are compared."""

    households: int = 0
    differing: int = 0
    money_a: dict[str, Money] = attrs.field(factory=dict)
    money_b: dict[str, Money] = attrs.field(factory=dict)

    def merge(self, other: _District) -> None:
        self.households += other.households
        self.differing += other.differing
        _add(self.money_a, other.money_a)
        _add(self.money_b, other.money_b)


@attrs.define
class PartialComparison:
    """What a what-if keeps of the households compared so far (one partition's, or all of
    them): the differing households, and every household counted in the totals and districts.
    Partitions' merge, in partition order, into the whole; :meth:`comparison` gives it."""

    kept: list[HouseholdComparison] = attrs.field(factory=list)
    households: int = 0
    differing: int = 0
    states_a: Counter[str] = attrs.field(factory=Counter)
    states_b: Counter[str] = attrs.field(factory=Counter)
    money_a: dict[str, Money] = attrs.field(factory=dict)
    money_b: dict[str, Money] = attrs.field(factory=dict)
    periods: dict[str, str] = attrs.field(factory=dict)
    errors_a: int = 0
    errors_b: int = 0
    districts: dict[str, _District] = attrs.field(factory=dict)
    paths: Counter[str] = attrs.field(factory=Counter)
    bad_rows: list[BadRow] = attrs.field(factory=list)
    #: A what-if has no problem households (a refused household is compared), nor looks for
    #: fact ids shared across partitions: these are here for the screen's merge (``Mergeable``).
    problems: list[Problem] = attrs.field(factory=list)
    fact_id_digests: list[Digests] = attrs.field(factory=list)

    @property
    def households_done(self) -> int:
        """Households compared."""
        return self.households

    def add(self, item: HouseholdComparison, *, differs: bool) -> None:
        """Count ``item`` (kept when it ``differs``, or when a policy refused it: to be listed)."""
        self.households += 1
        district = self.districts.get(item.district)
        if district is None:
            district = self.districts[item.district] = _District()
        district.households += 1
        if differs:
            self.differing += 1
            district.differing += 1
            self.kept.append(item)
        elif item.refused:  # refused alike by both policies: no difference, but named all the same
            self.kept.append(item)
        # A household a policy refused has no money on that side: its money on the other side
        # is left out too, or the budget difference would count the failure as a saving.
        counted = item.a.error is None and item.b.error is None
        for outcome, states, money, in_district in (
            (item.a, self.states_a, self.money_a, district.money_a),
            (item.b, self.states_b, self.money_b, district.money_b),
        ):
            states[_state(outcome) if outcome.error is None else "refused"] += 1
            if counted:
                _add(money, outcome.money)
                _add(in_district, outcome.money)
            for name, period in outcome.periods.items():
                self.periods[name] = period if self.periods.get(name, period) == period else "mixed"
        self.errors_a += item.a.error is not None
        self.errors_b += item.b.error is not None

    def merge(self, other: PartialComparison) -> None:
        """Add ``other``, what the next households (the next partition) made."""
        self.kept.extend(other.kept)
        self.households += other.households
        self.differing += other.differing
        self.states_a.update(other.states_a)
        self.states_b.update(other.states_b)
        _add(self.money_a, other.money_a)
        _add(self.money_b, other.money_b)
        for name, period in other.periods.items():
            self.periods[name] = period if self.periods.get(name, period) == period else "mixed"
        self.errors_a += other.errors_a
        self.errors_b += other.errors_b
        for name, district in other.districts.items():
            mine = self.districts.get(name)
            if mine is None:
                self.districts[name] = district
            else:
                mine.merge(district)
        self.paths.update(other.paths)
        self.bad_rows.extend(other.bad_rows)

    def comparison(self, label_a: str, label_b: str, as_of: dt.date | None) -> Comparison:
        """The comparison of what was gathered."""
        totals = Totals(
            households=self.households,
            differing=self.differing,
            states_a=dict(self.states_a),
            states_b=dict(self.states_b),
            money_a=dict(self.money_a),
            money_b=dict(self.money_b),
            periods=dict(self.periods),
            errors_a=self.errors_a,
            errors_b=self.errors_b,
        )
        districts = {
            name: DistrictComparison(
                district=name,
                households=district.households,
                differing=district.differing,
                money_a=dict(sorted(district.money_a.items())),
                money_b=dict(sorted(district.money_b.items())),
            )
            for name, district in sorted(self.districts.items())
        }
        return Comparison(
            policy_a=label_a,
            policy_b=label_b,
            as_of=as_of,
            households=tuple(self.kept),
            totals=totals,
            districts=districts,
            kept_all=False,
            bad_rows=tuple(self.bad_rows),
            paths=dict(self.paths),
        )


def _add(into: dict[str, Money], money: Mapping[str, Money]) -> None:
    """Add ``money`` into ``into`` per intervention (a name first seen goes last)."""
    for name, amount in money.items():
        into[name] = into.get(name, _NONE) + amount


def _compare_records(
    policy_a: Policy,
    policy_b: Policy,
    records: Iterable[Record],
    as_of: dt.date | None,
    engine: str,
    into: PartialComparison,
    tally: Tally,
) -> None:
    """Compare each record's household under both policies on ``engine`` (``scalar`` or
    ``columnar``, resolved) into ``into``, counted in ``tally``: first on engines that record
    no decisions, then, a household whose outcomes differ, on engines that do."""
    quiet_b = Engine(policy_b, record_decisions=False)
    recording: _Engines | None = None
    since = decisions_part(policy_a, policy_b)
    watch = ParameterWatch.of(policy_a, policy_b) if engine == "scalar" else None
    if watch is not None:
        ran = _watched_outcomes(watch, quiet_b, records, as_of, into.paths)
    else:
        quiet_a = Engine(policy_a, record_decisions=False)
        outcomes = _columnar_outcomes if engine == "columnar" else _scalar_outcomes
        ran = outcomes(quiet_a, quiet_b, records, as_of, into.paths, Shared.of(quiet_a, quiet_b, as_of))
    for (household, facts, bad), a, b in ran:
        tally.rows_read += 1 + len(facts) + len(bad)
        into.bad_rows.extend(bad)
        if household is None or a is None or b is None:
            continue
        tally.done += 1
        item = HouseholdComparison(household_id=household.id, a=a, b=b, district=household.place.district)
        differs = item.differs
        if differs:  # run again, recording decisions, for the first one that differs
            if recording is None:
                recording = _recording(policy_a, policy_b, as_of)
            a, b = _outcomes(recording, household, facts, as_of)
            item = attrs.evolve(
                item,
                a=attrs.evolve(a, result=None),
                b=attrs.evolve(b, result=None),
                first_difference=_first_difference(a, b, since),
            )
        into.add(item, differs=differs)
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


#: The engines under ``a`` and ``b``, and how their runs are shared (None: each from the start).
_Engines = tuple[Engine, Engine, Shared | None]


def _recording(policy_a: Policy, policy_b: Policy, as_of: dt.date | None) -> _Engines:
    """What the second runs of a household that differs run on: engines that record decisions,
    sharing its facts before the policies part where they can (:class:`.Shared`)."""
    engine_a, engine_b = Engine(policy_a), Engine(policy_b)
    return engine_a, engine_b, Shared.of(engine_a, engine_b, as_of)


def _outcomes(
    engines: _Engines, household: Household, facts: Sequence[Fact], as_of: dt.date | None
) -> tuple[Outcome, Outcome]:
    """The household's outcomes on ``engines``: shared where they say, else each run from the start."""
    engine_a, engine_b, shared = engines
    if shared is not None:
        return shared.outcomes(household, facts)
    return run_outcome(engine_a, household, facts, as_of), run_outcome(engine_b, household, facts, as_of)


#: Each record with its outcome under ``a`` and under ``b`` (None for a record without a household).
_Outcomes = Iterator[tuple[Record, Outcome | None, Outcome | None]]


def _scalar_outcomes(
    engine_a: Engine,
    engine_b: Engine,
    records: Iterable[Record],
    as_of: dt.date | None,
    paths: Counter[str],
    shared: Shared | None = None,
) -> _Outcomes:
    """Each record's outcomes on the engines: their runs before the policies part shared when
    ``shared`` says how (:mod:`.shared`), the same outcomes."""
    engines = engine_a, engine_b, shared
    for record in records:
        household, facts, _bad = record
        if household is None:
            yield record, None, None
            continue
        paths["engine"] += 2
        yield (record, *_outcomes(engines, household, facts, as_of))


#: After this many households, a watch that spared fewer than :data:`_WORTH` of the second
#: runs stops, and the runs are shared before the policies part instead (:mod:`.shared`). The
#: households a watch spares are the cheap ones (nothing happens to them), so it pays only when
#: it spares nearly all: on 3,000 generated households (benchmarks/whatif_changes.py) sparing
#: 97-99% (a grant raised) gave 1.56-1.82x and sharing 1.01-1.15x, but sparing 66% (the
#: safety-net standard raised) gave 1.00x and sharing 1.17x.
_TRIAL, _WORTH = 500, 0.85


def _watched_outcomes(
    watch: ParameterWatch, engine_b: Engine, records: Iterable[Record], as_of: dt.date | None, paths: Counter[str]
) -> _Outcomes:
    """The outcomes under ``a`` on the watch's engine and under ``b``: ``b``'s is ``a``'s, not run,
    where the run under ``a`` asked its changed parameters nothing ``b`` answers otherwise."""
    iterator = iter(records)
    watched = spared = 0
    for record in iterator:
        household, facts, _bad = record
        if household is None:
            yield record, None, None
            continue
        watch.start()
        a = run_outcome(watch.engine, household, facts, as_of)
        watched += 1
        if a.error is None and watch.same_answers():
            spared += 1
            paths["engine"] += 1
            paths["unchanged"] += 1
            yield record, a, a
        else:
            paths["engine"] += 2
            yield record, a, run_outcome(engine_b, household, facts, as_of)
        if watched == _TRIAL and spared < _WORTH * watched:
            break
    else:
        return
    engine_a = Engine(watch.first, record_decisions=False)
    yield from _scalar_outcomes(engine_a, engine_b, iterator, as_of, paths, Shared.of(engine_a, engine_b, as_of))


#: The records the columnar first pass holds at a time: each policy's screen runs over them in turn.
_CHUNK = 1_000


def _columnar_outcomes(
    engine_a: Engine,
    engine_b: Engine,
    records: Iterable[Record],
    as_of: dt.date | None,
    paths: Counter[str],
    shared: Shared | None = None,
) -> _Outcomes:
    """The outcomes of a batch of records at a time, under each policy through the columnar
    screen. A household it hands to the engine under both policies runs as ``shared`` says
    (:mod:`.shared`), when it says; one it could not run (a problem) runs again on the engine,
    in turn, so that its error reads (or is raised) as on the scalar engine."""
    from ..screening.columnar import run_columnar

    assert as_of is not None
    iterator = iter(records)
    defer = shared is not None
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        ran_a = [item.outcome for item in run_columnar(chunk, engine_a, as_of, Tally(), paths, defer=defer)]
        ran_b = [item.outcome for item in run_columnar(chunk, engine_b, as_of, Tally(), paths, defer=defer)]
        for record, first, second in zip(chunk, ran_a, ran_b, strict=True):
            household, facts, _bad = record
            if household is None:
                yield record, None, None
                continue
            if shared is not None and first is None and second is None:
                yield (record, *shared.outcomes(household, facts))
                continue
            a = (
                Outcome.of(first)
                if isinstance(first, HouseholdResult)
                else run_outcome(engine_a, household, facts, as_of)
            )
            b = (
                Outcome.of(second)
                if isinstance(second, HouseholdResult)
                else run_outcome(engine_b, household, facts, as_of)
            )
            yield record, a, b


def _compare_all(
    policy_a: Policy,
    policy_b: Policy,
    population: Iterable[tuple[Household, Sequence[Fact]]],
    *,
    as_of: dt.date | None,
) -> Comparison:
    """Every household run on engines that record decisions, and kept with its results."""
    engine_a, engine_b = Engine(policy_a), Engine(policy_b)
    since = decisions_part(policy_a, policy_b)
    households: list[HouseholdComparison] = []
    states_a: Counter[str] = Counter()
    states_b: Counter[str] = Counter()
    money_a: dict[str, Money] = {}
    money_b: dict[str, Money] = {}
    periods: dict[str, str] = {}
    for household, facts in population:
        a = run_outcome(engine_a, household, facts, as_of)
        b = run_outcome(engine_b, household, facts, as_of)
        counted = a.error is None and b.error is None  # a refusal on one side leaves both out
        for outcome, states, money in ((a, states_a, money_a), (b, states_b, money_b)):
            states[_state(outcome) if outcome.error is None else "refused"] += 1
            for name, amount in outcome.money.items() if counted else ():
                money[name] = money.get(name, _NONE) + amount
            for name, period in outcome.periods.items():
                periods[name] = period if periods.get(name, period) == period else "mixed"
        households.append(
            HouseholdComparison(
                household_id=household.id,
                a=a,
                b=b,
                district=household.place.district,
                first_difference=_first_difference(a, b, since),
            )
        )
    totals = Totals(
        households=len(households),
        differing=sum(1 for h in households if h.differs),
        states_a=dict(states_a),
        states_b=dict(states_b),
        money_a=money_a,
        money_b=money_b,
        periods=periods,
        errors_a=sum(1 for h in households if h.a.error is not None),
        errors_b=sum(1 for h in households if h.b.error is not None),
    )
    return Comparison(
        policy_a=policy_a.label,
        policy_b=policy_b.label,
        as_of=as_of,
        households=tuple(households),
        totals=totals,
        paths={"engine": 2 * len(households)},
    )
