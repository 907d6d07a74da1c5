"""Running a what-if: each household under two policies, decisions recorded only where they differ.

Each side of a what-if is a policy or a policy map (or a choice made,
:class:`~relapse_guard.screening.choice.PolicyChoice`): a household runs under side ``a``'s policy
for its place and under side ``b``'s. The households of a pair of policies run together
(:class:`_Pair`), each pair sharing its runs as two single policies do; a pair of one policy
(both maps name it for the place) runs once, nothing differing. A household whose place a map
does not cover is a problem household (:class:`~relapse_guard.screening.summary.Problem`), as
in a screen. See :mod:`relapse_guard.whatif`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from ..decisions import Decision
from ..engine import Engine
from ..entitlements import Money
from ..errors import InvalidArgument, InvalidPolicy, NoPolicyForPlace, WrongType
from ..facts import Fact, FactKinds
from ..household import Household
from ..messages import Message, Value
from ..policies import load_policy
from ..policies.policy_map import PolicyMap
from ..policies.spec import looks_like_file
from ..policy import Policy
from ..population import BadRow, Partition, Population, as_population
from ..result import HouseholdResult
from ..screening.choice import MapChoice, OnePolicy, PolicyChoice, PolicyLoader, checked_as_of
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

__all__ = ["PartialComparison", "Side", "compare", "compare_partition", "compare_population"]

#: What a side of a what-if is given as: a policy; its spec (a registered name, or what the
#: loader takes); a policy map (each household under the policy of its place on the as-of
#: date); or a choice already made (:func:`~relapse_guard.screening.choice.choose`).
Side = Policy | PolicyMap | PolicyChoice | str


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
    policy_a: Side,
    policy_b: Side,
    population: Iterable[tuple[Household, Sequence[Fact]]],
    *,
    as_of: dt.date | None,
    engine: str = "scalar",
    keep_all: bool = False,
    load: PolicyLoader = load_policy,
) -> Comparison:
    """Run each household's facts under both policies ``as_of`` a date and compare the outcomes.

    ``policy_a`` and ``policy_b`` are each a policy, its name (loaded with ``load``), a
    :class:`~relapse_guard.policies.policy_map.PolicyMap` (each household under the policy of
    its place on ``as_of``, which a map needs) or a
    :class:`~relapse_guard.screening.choice.PolicyChoice`. A household whose place a map does
    not cover is one of the comparison's ``problems`` (it is not compared).

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
    without a date, or with ``keep_all``, or a map without a date) and
    :class:`~relapse_guard.errors.BackendUnavailable` for ``columnar`` without numpy.
    """
    if keep_all:
        if engine != "scalar":
            raise InvalidArgument(
                f"compare(keep_all=True) runs every household on the engine: engine='scalar', not {engine!r}"
            )
        return _compare_all(_Pairs.of(policy_a, policy_b, as_of, "scalar", load), population, as_of=as_of)
    path = _resolve(engine, as_of)
    pairs = _Pairs.of(policy_a, policy_b, as_of, path, load)
    gathered = PartialComparison()
    records = ((household, facts, ()) for household, facts in population)
    _compare_records(pairs, records, gathered, Tally())
    return gathered.comparison(pairs.a.label, pairs.b.label, as_of)


def _resolve(engine: str, as_of: dt.date | None) -> str:
    """``scalar`` or ``columnar``: how a what-if ``as_of`` a date (or not) runs on ``engine``."""
    resolved = resolve_engine(engine)
    if resolved == "columnar" and as_of is None:
        if engine == "columnar":
            raise InvalidArgument("the columnar what-if needs an as-of date")
        return "scalar"
    return resolved


def compare_population(
    policy_a: Side,
    policy_b: Side,
    population: Population | str | os.PathLike[str],
    as_of: dt.date,
    *,
    workers: int = 1,
    engine: str = "scalar",
    progress: ProgressCallback | None = None,
    load: PolicyLoader = load_policy,
) -> Comparison:
    """Compare two policies, or policy maps, over every partition of ``population`` (a
    :class:`~relapse_guard.population.Population`, or the path of a population directory) as of
    ``as_of``, as :func:`compare` does (the differing households kept, the others counted).

    The facts read are the kinds of every policy of both sides; rows that cannot be read are
    the comparison's ``bad_rows`` (the households read are compared all the same), and a
    household whose place a map does not cover is one of its ``problems``, as in a screen.
    ``workers=1`` compares in this process and reports ``progress`` as it goes; more workers
    use a pool of local processes, one partition at a time each, and report ``progress`` as
    partitions finish. Results are merged in partition order: any number of workers gives the
    comparison one worker gives.

    A side is a policy given by name (a registered name, or what ``load`` takes:
    :func:`~relapse_guard.cli_policy.load_policy_spec` takes ``path.py:NAME`` too), which each
    worker loads itself; a :class:`~relapse_guard.policies.policy_map.PolicyMap`, which each
    worker is sent as it is (its policies loaded there); or, with one worker, a
    :class:`~relapse_guard.policy.Policy` or a :class:`~relapse_guard.screening.choice.PolicyChoice`.
    ``engine`` as for :func:`compare`. Raises :class:`~relapse_guard.errors.InvalidArgument`
    for a policy or choice given as an object to several workers.
    """
    population = as_population(population)
    as_of, workers = checked_as_of(as_of), checked_workers(workers)
    path = _resolve(engine, as_of)  # columnar without numpy fails here, not in each worker
    several = workers > 1 and len(population.partitions) > 1
    if several and not (_sent(policy_a) and _sent(policy_b)):
        raise InvalidArgument(
            "a what-if in worker processes takes its policies by name (or path.py:NAME) or as policy maps, "
            "not as objects"
        )
    pairs = _Pairs.of(policy_a, policy_b, as_of, path, load)

    def here(partition: Partition, tally: Tally) -> PartialComparison:
        gathered = PartialComparison()
        _compare_records(pairs, partition.records(kinds=pairs.kinds), gathered, tally)
        return gathered

    worker = functools.partial(
        compare_partition,
        policy_a=_as_sent(policy_a),
        policy_b=_as_sent(policy_b),
        as_of=as_of,
        engine=path,
        load=load,
    )
    gathered = over_partitions(population, PartialComparison(), here, worker, workers=workers, progress=progress)
    return gathered.comparison(pairs.a.label, pairs.b.label, as_of)


def _sent(side: Side) -> bool:
    """Whether ``side`` goes to a worker process as it is: a name, or a map (its names)."""
    return isinstance(side, str | PolicyMap)


def _as_sent(side: Side) -> str | PolicyMap:
    """``side`` as a worker is given it (an object stays in this process: one worker only)."""
    return side if isinstance(side, str | PolicyMap) else str(side)


def compare_partition(
    partition: Partition,
    policy_a: str | PolicyMap,
    policy_b: str | PolicyMap,
    as_of: dt.date,
    engine: str = "scalar",
    load: PolicyLoader = load_policy,
) -> PartialComparison:
    """What a worker of :func:`compare_population` makes of one partition: the policies
    loaded by name with ``load`` (a map's by the map), what the comparison keeps and counts of
    the partition's households (merged in partition order by :func:`compare_population`)."""
    pairs = _Pairs.of(policy_a, policy_b, as_of, engine, load)
    gathered = PartialComparison()
    _compare_records(pairs, partition.records(kinds=pairs.kinds), gathered, Tally(partition.households))
    return gathered


def _spec_key(spec: str) -> str:
    """A policy spec as the policies loaded for one what-if are kept by: a relative file made absolute."""
    source, colon, attribute = spec.rpartition(":")
    if colon and looks_like_file(source):
        return f"{Path(source).resolve()}:{attribute}"
    return spec


def _side(side: Side, as_of: dt.date | None, load: PolicyLoader, loaded: dict[str, Policy]) -> PolicyChoice:
    """The choice of ``side``'s policy for each household: a policy's name or a map's policies
    loaded once for the two sides (``loaded``, by spec), so that a policy both sides name is
    one policy, and a household under it on both sides runs once."""
    if isinstance(side, PolicyChoice):
        return side
    if isinstance(side, PolicyMap):
        if as_of is None:
            raise InvalidArgument(
                f"a what-if under {side.label} needs an as-of date: the map gives a place its policy on a date"
            )
        policies = {}
        for name in side.names():
            key = _spec_key(side.spec(name))
            policy = loaded.get(key)
            if policy is None:
                policy = loaded[key] = side.policy_named(name)
            policies[name] = policy
        return MapChoice(side, as_of, record_decisions=False, policies=policies)
    if isinstance(side, str):
        key = _spec_key(side)
        found = loaded.get(key)
        if found is None:
            found = loaded[key] = load(side)
        side = found
    if not isinstance(side, Policy):
        raise WrongType(
            f"a what-if compares policies, policy names, policy maps or policy choices, not {type(side).__name__} "
            f"{side!r}"
        )
    return OnePolicy(Engine(side, record_decisions=False))


def _kinds(label: str, first: FactKinds, second: FactKinds) -> FactKinds:
    """The fact kinds of both sides: one registry when they share it (the usual case).
    :class:`~relapse_guard.errors.InvalidPolicy` when they read one kind as two classes."""
    if first is second:
        return first
    by_kind = dict(first.by_kind)
    for kind, cls in second.by_kind.items():
        if by_kind.setdefault(kind, cls) is not cls:
            raise InvalidPolicy(
                f"{label}: a and b read fact kind {kind!r} as different classes "
                f"({by_kind[kind].__qualname__}, {cls.__qualname__}); one what-if reads each kind one way"
            )
    return FactKinds(by_kind)


class _Pairs:
    """The two sides of a what-if, and the pair of policies (:class:`_Pair`) each household runs under."""

    def __init__(self, a: PolicyChoice, b: PolicyChoice, as_of: dt.date | None, engine: str) -> None:
        self.a, self.b = a, b
        self.as_of = as_of
        self.engine = engine
        self.kinds = _kinds("whatif", a.kinds, b.kinds)
        self._pairs: dict[tuple[int, int], _Pair] = {}
        # One side names every district: two maps may spell one district apart (Dazu, 大足区).
        self._namer = b if b.names_districts and not a.names_districts else a

    @classmethod
    def of(cls, a: Side, b: Side, as_of: dt.date | None, engine: str, load: PolicyLoader) -> _Pairs:
        """The sides given (policies, names, maps, choices), each policy named on both loaded once."""
        loaded: dict[str, Policy] = {}
        return cls(_side(a, as_of, load, loaded), _side(b, as_of, load, loaded), as_of, engine)

    def pair_for(self, household: Household) -> _Pair:
        """The policies of ``household`` under ``a`` and ``b``;
        :class:`~relapse_guard.errors.NoPolicyForPlace` when a map covers not its place."""
        first = self.a.engine_for(household).policy
        second = self.b.engine_for(household).policy
        key = (id(first), id(second))  # the choices hold the policies: their ids stay theirs
        pair = self._pairs.get(key)
        if pair is None:
            pair = self._pairs[key] = _Pair(first, second, self.as_of, self.engine)
        return pair

    def district_name(self, district: str) -> str:
        """The name ``district`` is counted under: as side ``a``'s policy map spells it, or side
        ``b``'s when only ``b`` is a map; as given when neither is."""
        return self._namer.district_name(district)


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
    #: Households whose place a map does not cover (a household a policy refused is compared).
    problems: list[Problem] = attrs.field(factory=list)
    #: A what-if looks for no fact id shared across partitions: here for the screen's merge (``Mergeable``).
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
        self.problems.extend(other.problems)

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
            problems=tuple(self.problems),
            paths=dict(self.paths),
        )


def _add(into: dict[str, Money], money: Mapping[str, Money]) -> None:
    """Add ``money`` into ``into`` per intervention (a name first seen goes last)."""
    for name, amount in money.items():
        into[name] = into.get(name, _NONE) + amount


def _compare_records(pairs: _Pairs, records: Iterable[Record], into: PartialComparison, tally: Tally) -> None:
    """Compare each record's household under its pair of policies into ``into``, counted in
    ``tally``: first on engines that record no decisions, then, a household whose outcomes
    differ, on engines that do. A household whose place a map does not cover is a problem."""
    for record, ran in _dispatched(pairs, records, into.paths):
        household, facts, bad = record
        tally.rows_read += 1 + len(facts) + len(bad)
        into.bad_rows.extend(bad)
        if household is None or ran is None:
            continue
        tally.done += 1
        if isinstance(ran, Problem):
            into.problems.append(ran)
        else:
            pair, a, b = ran
            item = pair.comparison(household, a, b, pairs.district_name(household.place.district))
            differs = item.differs
            if differs:  # run again, recording decisions, for the first one that differs
                a, b = _outcomes(pair.recording(), household, facts, pair.as_of)
                item = attrs.evolve(
                    item,
                    a=attrs.evolve(a, result=None),
                    b=attrs.evolve(b, result=None),
                    first_difference=_first_difference(a, b, pair.since),
                )
            into.add(item, differs=differs)
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


#: What a household came to: its pair and outcomes under ``a`` and ``b``, or the problem that
#: stopped it (its place not covered); None for a record without a household.
_Ran = tuple["_Pair", Outcome, Outcome] | Problem | None


def _dispatched(pairs: _Pairs, records: Iterable[Record], paths: Counter[str]) -> Iterator[tuple[Record, _Ran]]:
    """Each record, in order, with what its household came to: :data:`_CHUNK` records at a time,
    the households of each pair of policies run together (a pair's runs keep their order)."""
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        ran: list[_Ran] = [None] * len(chunk)
        groups: dict[int, tuple[_Pair, list[int]]] = {}
        for index, (household, _facts, _bad) in enumerate(chunk):
            if household is None:
                continue
            try:
                pair = pairs.pair_for(household)
            except NoPolicyForPlace as error:
                ran[index] = Problem.from_exception(household.id, error)
                continue
            groups.setdefault(id(pair), (pair, []))[1].append(index)
        for pair, indices in groups.values():
            outcomes = pair.outcomes([chunk[index] for index in indices], paths)
            for index, (_record, a, b) in zip(indices, outcomes, strict=True):
                assert a is not None  # every record given has a household
                assert b is not None
                ran[index] = (pair, a, b)
        yield from zip(chunk, ran, strict=True)


#: The engines under ``a`` and ``b``, and how their runs are shared (None: each from the start).
_Engines = tuple[Engine, Engine, Shared | None]


def _outcomes(
    engines: _Engines, household: Household, facts: Sequence[Fact], as_of: dt.date | None
) -> tuple[Outcome, Outcome]:
    """The household's outcomes on ``engines``: shared where they say, else each run from the
    start; one run when both engines are one (a policy both sides give the household)."""
    engine_a, engine_b, shared = engines
    if shared is not None:
        return shared.outcomes(household, facts)
    a = run_outcome(engine_a, household, facts, as_of)
    return a, a if engine_b is engine_a else run_outcome(engine_b, household, facts, as_of)


#: Each record with its outcome under ``a`` and under ``b`` (None for a record without a household).
_Outcomes = Iterator[tuple[Record, Outcome | None, Outcome | None]]


#: After this many households, a watch that spared fewer than :data:`_WORTH` of the second
#: runs stops, and the runs are shared before the policies part instead (:mod:`.shared`). The
#: households a watch spares are the cheap ones (nothing happens to them), so it pays only when
#: it spares nearly all: on 3,000 generated households (benchmarks/whatif_changes.py) sparing
#: 97-99% (a grant raised) gave 1.56-1.82x and sharing 1.01-1.15x, but sparing 66% (the
#: safety-net standard raised) gave 1.00x and sharing 1.17x.
_TRIAL, _WORTH = 500, 0.85

#: The records a what-if holds at a time: the households of each pair of policies among them
#: run together, and each policy's columnar screen runs over a pair's in turn.
_CHUNK = 1_000


class _Pair:
    """Two policies a what-if runs households under (``a``'s and ``b``'s for their place), and
    how: with two single policies, every household's pair. Its first runs are on engines that
    record no decisions, ``b``'s spared where a watch of the changed parameters says they would
    be ``a``'s (:mod:`.reads`: for a trial of :data:`_TRIAL` households, kept if it spares
    enough), else shared before the policies part (:mod:`.shared`). One policy on both sides
    runs once: nothing can differ. Its state lasts the what-if (or the partition)."""

    def __init__(self, policy_a: Policy, policy_b: Policy, as_of: dt.date | None, engine: str) -> None:
        self.policy_a, self.policy_b = policy_a, policy_b
        self.as_of = as_of
        self.engine = engine
        self.same = policy_a is policy_b
        self.since = decisions_part(policy_a, policy_b)
        self.quiet_b = Engine(policy_b, record_decisions=False)
        self.quiet_a = self.quiet_b if self.same else None
        self.watch = ParameterWatch.of(policy_a, policy_b) if engine == "scalar" and not self.same else None
        self.shared: Shared | None = None
        self.watched = self.spared = 0
        self._recording: _Engines | None = None
        if self.watch is None and not self.same:
            self._stop_watching()

    def _stop_watching(self) -> None:
        """Run ``a`` on its own engine from now on, the runs shared before the policies part."""
        self.watch = None
        self.quiet_a = Engine(self.policy_a, record_decisions=False)
        self.shared = Shared.of(self.quiet_a, self.quiet_b, self.as_of)

    def comparison(self, household: Household, a: Outcome, b: Outcome, district: str) -> HouseholdComparison:
        """``household``'s outcomes under this pair, counted under ``district``, each side's policy named."""
        return HouseholdComparison(
            household_id=household.id,
            a=a,
            b=b,
            district=district,
            policy_a=self.policy_a.label,
            policy_b=self.policy_b.label,
            district_as_given=household.place.district,
        )

    def recording(self) -> _Engines:
        """What the second runs of a household that differs run on: engines that record decisions,
        sharing its facts before the policies part where they can (:class:`.Shared`)."""
        if self._recording is None:
            engine_a = Engine(self.policy_a)
            engine_b = engine_a if self.same else Engine(self.policy_b)
            shared = None if self.same else Shared.of(engine_a, engine_b, self.as_of)
            self._recording = engine_a, engine_b, shared
        return self._recording

    def outcomes(self, records: Sequence[Record], paths: Counter[str]) -> _Outcomes:
        """Each record's outcomes under ``a`` and ``b``, in order (every record has a household)."""
        if self.same:
            yield from self._same(records, paths)
            return
        if self.watch is not None:
            yield from self._watched(records, paths)
            return
        assert self.quiet_a is not None
        outcomes = _columnar_outcomes if self.engine == "columnar" else _scalar_outcomes
        yield from outcomes(self.quiet_a, self.quiet_b, records, self.as_of, paths, self.shared)

    def _same(self, records: Sequence[Record], paths: Counter[str]) -> _Outcomes:
        """One run a household, ``b``'s outcome ``a``'s (paths: ``same``)."""
        engine, as_of = self.quiet_b, self.as_of
        if self.engine == "columnar":
            from ..screening.columnar import run_columnar

            assert as_of is not None
            ran = [item.outcome for item in run_columnar(records, engine, as_of, Tally(), paths)]
        else:
            ran = [None] * len(records)
            paths["engine"] += len(records)
        for record, first in zip(records, ran, strict=True):
            household, facts, _bad = record
            assert household is not None
            paths["same"] += 1
            if isinstance(first, HouseholdResult):
                a = Outcome.of(first)
            else:  # the engine's, or a problem the engine runs again for its error
                a = run_outcome(engine, household, facts, as_of)
            yield record, a, a

    def _watched(self, records: Sequence[Record], paths: Counter[str]) -> _Outcomes:
        """The outcomes under ``a`` on the watch's engine and under ``b``: ``b``'s is ``a``'s, not run,
        where the run under ``a`` asked its changed parameters nothing ``b`` answers otherwise."""
        as_of = self.as_of
        for at, record in enumerate(records):
            watch = self.watch
            if watch is None:  # the trial spared too few: the rest share their runs
                assert self.quiet_a is not None
                rest = records[at:]
                yield from _scalar_outcomes(self.quiet_a, self.quiet_b, rest, as_of, paths, self.shared)
                return
            household, facts, _bad = record
            assert household is not None
            watch.start()
            a = run_outcome(watch.engine, household, facts, as_of)
            self.watched += 1
            if a.error is None and watch.same_answers():
                self.spared += 1
                paths["engine"] += 1
                paths["unchanged"] += 1
                yield record, a, a
            else:
                paths["engine"] += 2
                yield record, a, run_outcome(self.quiet_b, household, facts, as_of)
            if self.watched == _TRIAL and self.spared < _WORTH * self.watched:
                self._stop_watching()


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
    pairs: _Pairs,
    population: Iterable[tuple[Household, Sequence[Fact]]],
    *,
    as_of: dt.date | None,
) -> Comparison:
    """Every household run on engines that record decisions, and kept with its results."""
    households: list[HouseholdComparison] = []
    problems: list[Problem] = []
    states_a: Counter[str] = Counter()
    states_b: Counter[str] = Counter()
    money_a: dict[str, Money] = {}
    money_b: dict[str, Money] = {}
    periods: dict[str, str] = {}
    for household, facts in population:
        try:
            pair = pairs.pair_for(household)
        except NoPolicyForPlace as error:
            problems.append(Problem.from_exception(household.id, error))
            continue
        engine_a, engine_b, _shared = pair.recording()
        a = run_outcome(engine_a, household, facts, as_of)
        b = a if engine_b is engine_a else run_outcome(engine_b, household, facts, as_of)
        counted = a.error is None and b.error is None  # a refusal on one side leaves both out
        for outcome, states, money in ((a, states_a, money_a), (b, states_b, money_b)):
            states[_state(outcome) if outcome.error is None else "refused"] += 1
            for name, amount in outcome.money.items() if counted else ():
                money[name] = money.get(name, _NONE) + amount
            for name, period in outcome.periods.items():
                periods[name] = period if periods.get(name, period) == period else "mixed"
        item = pair.comparison(household, a, b, pairs.district_name(household.place.district))
        households.append(attrs.evolve(item, first_difference=_first_difference(a, b, pair.since)))
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
        policy_a=pairs.a.label,
        policy_b=pairs.b.label,
        as_of=as_of,
        households=tuple(households),
        totals=totals,
        problems=tuple(problems),
        paths={"engine": 2 * len(households)},
    )
