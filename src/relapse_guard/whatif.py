"""What-if: the same facts under two policies, and what differs — state, money, interventions.

>>> import datetime as dt
>>> from relapse_guard.policies import load_policy
>>> yubei = load_policy("yubei_2016")
>>> frozen = yubei.derive(name="yubei_230", parameters={"safety_net.standard": {dt.date(2016, 1, 1): 230}})
>>> compare(yubei, frozen, [], as_of=dt.date(2016, 12, 31)).totals.households
0

Each household's facts run under policy ``a`` and under policy ``b`` (the engine is pure, so
this is all a what-if needs). A household whose facts one policy refuses (an error of the
library, such as :class:`~relapse_guard.errors.InvalidTransition`) is reported with the
error rather than stopping the comparison. Money is compared per intervention as
:meth:`HouseholdResult.money` gives it, three figures apart (:class:`~relapse_guard.entitlements.Money`):
one-off and yearly grants (yuan), the monthly amount in force (yuan a month) and the money
paid to date (yuan).

A what-if keeps what it reports. Each household runs first on engines that record no
decisions; only a household whose outcomes differ runs again on engines that record them, to
find the first decision where its timelines part. The comparison keeps the differing
households (without their results) and counts the others into its totals and its districts,
so its memory follows the differences, not the population (``keep_all=True`` keeps every
household, as it did before). :func:`compare_population` compares a population directory,
partition by partition, in local worker processes if asked, and ``engine="columnar"`` decides
the quiet households in columns (docs/columnar.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

import attrs

from .decisions import Decision, Period
from .engine import Engine
from .entitlements import Money
from .errors import InvalidArgument, NotFound, RelapseGuardError
from .facts import Fact
from .household import Household
from .interface import ntr, plural, tr
from .labels import label
from .lifecycle import State
from .policies import load_policy
from .policy import Policy
from .population import BadRow, Partition, Population
from .result import HouseholdResult
from .screening.choice import PolicyLoader, shared_fact_kinds
from .screening.fact_ids import Digests
from .screening.parallel import over_partitions
from .screening.screen import ProgressCallback, Record, Tally, resolve_engine
from .screening.summary import Problem

__all__ = [
    "FIGURES",
    "Comparison",
    "DistrictComparison",
    "HouseholdComparison",
    "Outcome",
    "PartialComparison",
    "Totals",
    "compare",
    "compare_partition",
    "compare_population",
]

_NONE = Money()

#: The three figures of :class:`~relapse_guard.entitlements.Money`: attribute, label, unit.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("one_off", "one-off", "yuan"),
    ("monthly_in_force", "monthly in force", "yuan a month"),
    ("paid_to_date", "paid to date", "yuan"),
)


@attrs.frozen(kw_only=True)
class Outcome:
    """One household under one policy: its state, money per intervention, what was granted.

    ``periods`` says how each intervention's money is paid (``one_off``, ``yearly``,
    ``monthly``); ``error`` is set, and the rest empty, when the policy refused the facts.
    ``result`` is the result it was made from; the outcomes a :class:`Comparison` keeps carry
    none, unless it kept every household (``compare(..., keep_all=True)``).
    """

    state: State | None
    money: Mapping[str, Money] = attrs.field(factory=dict)
    periods: Mapping[str, str] = attrs.field(factory=dict)
    interventions: frozenset[str] = frozenset()
    error: str | None = None
    result: HouseholdResult | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, result: HouseholdResult) -> Outcome:
        """The outcome a result shows."""
        periods: dict[str, str] = {}
        for grant in result.grants:
            if grant.amount is not None:
                periods[grant.intervention] = _period_text(periods.get(grant.intervention), grant.period)
        return cls(
            state=result.state,
            money=result.money(),
            periods=periods,
            interventions=frozenset(g.intervention for g in result.grants),
            result=result,
        )


def _period_text(seen: str | None, period: Period) -> str:
    if seen is None or seen == period.value:
        return period.value
    return "mixed"


@attrs.frozen(kw_only=True)
class HouseholdComparison:
    """One household under both policies, and how the outcomes differ (``b`` minus ``a``)."""

    household_id: str
    a: Outcome
    b: Outcome
    #: The district of the household's place (``""`` when it was not given).
    district: str = ""
    #: The first decision where the two timelines part (``None`` on a side that has none).
    first_difference: tuple[Decision | None, Decision | None] | None = None

    @property
    def state_differs(self) -> bool:
        """True when the household ends in another state (or one side refused its facts)."""
        return self.a.state is not self.b.state or self.a.error != self.b.error

    @property
    def money_delta(self) -> dict[str, Money]:
        """Money of ``b`` minus money of ``a``, per intervention where any figure differs."""
        return _delta(self.a.money, self.b.money)

    @property
    def interventions_added(self) -> frozenset[str]:
        """Interventions granted under ``b`` only."""
        return self.b.interventions - self.a.interventions

    @property
    def interventions_removed(self) -> frozenset[str]:
        """Interventions granted under ``a`` only."""
        return self.a.interventions - self.b.interventions

    @property
    def differs(self) -> bool:
        """True when state, money or interventions differ."""
        return bool(self.state_differs or self.money_delta or self.interventions_added or self.interventions_removed)

    def render(self, lang: str = "en") -> str:
        """The differences as indented lines (empty when there are none), in ``lang`` (the
        decisions as the engine explains them)."""
        if not self.differs:
            return ""
        lines = [
            tr(
                lang,
                "household {household}: {a} -> {b}",
                household=self.household_id,
                a=_state(self.a, lang),
                b=_state(self.b, lang),
            )
        ]
        for name in self.money_delta:
            period = self.b.periods.get(name) or self.a.periods.get(name, "")
            before, after = self.a.money.get(name, _NONE), self.b.money.get(name, _NONE)
            lines.append(f"  {_named(name, period, lang)}: {_money_change(before, after, lang)}")
        comma = tr(lang, ", ")
        if self.interventions_added:
            added = comma.join(label("intervention", name, lang) for name in sorted(self.interventions_added))
            lines.append(tr(lang, "  granted under b only: {interventions}", interventions=added))
        if self.interventions_removed:
            removed = comma.join(label("intervention", name, lang) for name in sorted(self.interventions_removed))
            lines.append(tr(lang, "  granted under a only: {interventions}", interventions=removed))
        if self.first_difference is not None:
            first_a, first_b = self.first_difference
            none = tr(lang, "(no more decisions)")
            lines.append(tr(lang, "  first difference, a: {decision}", decision=first_a.explain() if first_a else none))
            lines.append(tr(lang, "                    b: {decision}", decision=first_b.explain() if first_b else none))
        return "\n".join(lines)


def _state(outcome: Outcome, lang: str = "en") -> str:
    if outcome.error is not None:
        return tr(lang, "refused ({error})", error=outcome.error)
    return label("state", outcome.state.value, lang) if outcome.state is not None else "-"


def _named(name: str, period: str, lang: str) -> str:
    """``safety_net (monthly)``: an intervention and how it is paid, said in ``lang``."""
    return f"{label('intervention', name, lang)} ({label('period', period, lang)})"


def _figure_label(attribute: str, lang: str = "en") -> str:
    """The label of a money figure of :data:`FIGURES` (by its attribute) in ``lang``."""
    labels = {
        "one_off": tr(lang, "one-off"),
        "monthly_in_force": tr(lang, "monthly in force"),
        "paid_to_date": tr(lang, "paid to date"),
    }
    return labels[attribute]


def _signed(amount: Decimal) -> str:
    return f"+{amount}" if amount > 0 else str(amount)


def _delta(a: Mapping[str, Money], b: Mapping[str, Money]) -> dict[str, Money]:
    """``b`` minus ``a`` by name, where any of the three figures differs."""
    out = {}
    for name in sorted(set(a) | set(b)):
        first, second = a.get(name, _NONE), b.get(name, _NONE)
        if first != second:
            out[name] = Money(
                second.one_off - first.one_off,
                second.monthly_in_force - first.monthly_in_force,
                second.paid_to_date - first.paid_to_date,
            )
    return out


def _money_change(before: Money, after: Money, lang: str = "en") -> str:
    """Each figure that differs, with its unit: ``one-off 3000.00 -> 1200.00 yuan (-1800.00)``."""
    parts = []
    for attribute, _label, unit in FIGURES:
        first, second = getattr(before, attribute), getattr(after, attribute)
        if first != second:
            parts.append(
                f"{_figure_label(attribute, lang)} {first} -> {second} {label('unit', unit, lang)} "
                f"({_signed(second - first)})"
            )
    return tr(lang, "; ").join(parts) or tr(lang, "unchanged")


@attrs.frozen(kw_only=True)
class Totals:
    """The population's totals under each policy."""

    households: int
    differing: int
    states_a: Mapping[str, int]
    states_b: Mapping[str, int]
    money_a: Mapping[str, Money]
    money_b: Mapping[str, Money]
    periods: Mapping[str, str]
    errors_a: int = 0
    errors_b: int = 0

    @property
    def money_delta(self) -> dict[str, Money]:
        """Total money of ``b`` minus ``a``, per intervention where any figure differs."""
        return _delta(self.money_a, self.money_b)


@attrs.frozen(kw_only=True)
class DistrictComparison:
    """One district's households and their money under each policy (see :meth:`Comparison.by_district`)."""

    district: str
    households: int
    differing: int
    money_a: Mapping[str, Money]
    money_b: Mapping[str, Money]

    @property
    def money_delta(self) -> dict[str, Money]:
        """The district's money of ``b`` minus ``a``, per intervention where any figure differs."""
        return _delta(self.money_a, self.money_b)


@attrs.frozen(kw_only=True)
class Comparison:
    """Two policies over one population: the households that differ, and the totals.

    ``households`` holds the households that differ, in the population's order (every
    household when ``kept_all``: see :func:`compare`); the others are only counted, in
    :class:`Totals` and in ``districts``.
    """

    policy_a: str
    policy_b: str
    as_of: dt.date | None
    households: tuple[HouseholdComparison, ...]
    totals: Totals
    #: Every district's households and money, summed over every household as it was compared;
    #: None when ``households`` holds them all (:meth:`by_district` then sums them).
    districts: Mapping[str, DistrictComparison] | None = None
    #: Whether ``households`` holds every household, or only those that differ.
    kept_all: bool = True
    #: Input rows that could not be read (:func:`compare_population`; :func:`compare` reads nothing).
    bad_rows: tuple[BadRow, ...] = ()
    #: The runs of a household under a policy, by the way they went (``columnar``,
    #: ``engine``: see docs/columnar.md), two a household; not part of the comparison's equality.
    paths: Mapping[str, int] = attrs.field(factory=dict, eq=False)

    @property
    def differences(self) -> tuple[HouseholdComparison, ...]:
        """The households whose outcome differs."""
        return tuple(h for h in self.households if h.differs)

    def household(self, household_id: str) -> HouseholdComparison:
        """The comparison of one household; ``NotFound`` (a ``KeyError``) naming it when it is not
        in the population, or, unless every household was kept, when it does not differ."""
        for item in self.households:
            if item.household_id == household_id:
                return item
        if not self.kept_all:
            raise NotFound(
                f"household {household_id!r} is not among the differing households of this comparison "
                "(it does not differ, or is not in the population; compare(..., keep_all=True) keeps every household)"
            )
        raise NotFound(f"household {household_id!r} is not in this comparison")

    def by_district(self) -> dict[str, DistrictComparison]:
        """Every household grouped by district (sorted by name), with each district's money per
        intervention under ``a`` and ``b`` (a household a policy refused adds no money on that side)."""
        if self.districts is not None:
            return {district: self.districts[district] for district in sorted(self.districts)}
        grouped: dict[str, list[HouseholdComparison]] = {}
        for item in self.households:
            grouped.setdefault(item.district, []).append(item)
        out = {}
        for district in sorted(grouped):
            items = grouped[district]
            out[district] = DistrictComparison(
                district=district,
                households=len(items),
                differing=sum(1 for item in items if item.differs),
                money_a=_sum(item.a.money for item in items),
                money_b=_sum(item.b.money for item in items),
            )
        return out

    def render(self, lang: str = "en") -> str:
        """A readable report: the households that differ, then the totals (in ``lang``)."""
        totals = self.totals
        if self.as_of:
            head = tr(lang, "what-if as of {date}: a = {a}, b = {b}", date=self.as_of, a=self.policy_a, b=self.policy_b)
        else:
            head = tr(lang, "what-if: a = {a}, b = {b}", a=self.policy_a, b=self.policy_b)
        lines = [
            head,
            ntr(
                lang,
                "{households}, {count} differs",
                "{households}, {count} differ",
                totals.differing,
                households=plural(totals.households, "household", grouped=False, lang=lang),
                count=str(totals.differing),
            ),
        ]
        lines += ["", *(h.render(lang) for h in self.differences)] if self.differences else []
        lines += ["", tr(lang, "totals:")]
        lines.append(tr(lang, "  states a: {states}", states=_counts(totals.states_a, lang)))
        lines.append(tr(lang, "  states b: {states}", states=_counts(totals.states_b, lang)))
        if totals.errors_a or totals.errors_b:
            lines.append(tr(lang, "  refused: a {a}, b {b}", a=totals.errors_a, b=totals.errors_b))
        for name in sorted(set(totals.money_a) | set(totals.money_b)):
            before, after = totals.money_a.get(name, _NONE), totals.money_b.get(name, _NONE)
            named = _named(name, totals.periods.get(name, ""), lang)
            if before == after:
                lines.append(f"  {named}: {_figures(after, lang)}")
            else:
                lines.append(f"  {named}: {_money_change(before, after, lang)}")
        return "\n".join(lines)


def _sum(moneys: Iterable[Mapping[str, Money]]) -> dict[str, Money]:
    """Money summed per intervention, sorted by name."""
    out: dict[str, Money] = {}
    for money in moneys:
        for name, amount in money.items():
            out[name] = out.get(name, _NONE) + amount
    return dict(sorted(out.items()))


def _figures(money: Money, lang: str = "en") -> str:
    return tr(
        lang,
        "one-off {one_off} yuan; monthly in force {monthly} yuan a month; paid to date {paid} yuan",
        one_off=money.one_off,
        monthly=money.monthly_in_force,
        paid=money.paid_to_date,
    )


def _counts(counts: Mapping[str, int], lang: str = "en") -> str:
    said = tr(lang, ", ").join(f"{label('state', state, lang)} {count}" for state, count in sorted(counts.items()))
    return said or tr(lang, "none")


def _run(engine: Engine, household: Household, facts: Sequence[Fact], as_of: dt.date | None) -> Outcome:
    try:
        return Outcome.of(engine.run(household, facts, as_of=as_of))
    except RelapseGuardError as error:
        return Outcome(state=None, error=f"{type(error).__name__}: {error}")


def _first_difference(a: Outcome, b: Outcome) -> tuple[Decision | None, Decision | None] | None:
    if a.result is None or b.result is None:
        return None
    # Policies have different labels; compare decisions by what they say, not by their policy.
    # Equal decisions explain alike (equality compares all an explanation says), so only
    # decisions that are not equal are explained, which is most of the cost.
    for first, second in zip(a.result.decisions, b.result.decisions, strict=False):
        if first != second and first.explain() != second.explain():
            return first, second
    count_a, count_b = len(a.result.decisions), len(b.result.decisions)
    if count_a == count_b:
        return None
    shorter = min(count_a, count_b)
    return (
        a.result.decisions[shorter] if count_a > shorter else None,
        b.result.decisions[shorter] if count_b > shorter else None,
    )


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
    population: Population,
    as_of: dt.date,
    *,
    workers: int = 1,
    engine: str = "scalar",
    progress: ProgressCallback | None = None,
    load: PolicyLoader = load_policy,
) -> Comparison:
    """Compare two policies over every partition of ``population`` as of ``as_of``, as
    :func:`compare` does (the differing households kept, the others counted).

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
        """Count ``item`` (kept when it ``differs``)."""
        self.households += 1
        district = self.districts.get(item.district)
        if district is None:
            district = self.districts[item.district] = _District()
        district.households += 1
        if differs:
            self.differing += 1
            district.differing += 1
            self.kept.append(item)
        for outcome, states, money, in_district in (
            (item.a, self.states_a, self.money_a, district.money_a),
            (item.b, self.states_b, self.money_b, district.money_b),
        ):
            states[_state(outcome) if outcome.error is None else "refused"] += 1
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
    quiet_a, quiet_b = Engine(policy_a, record_decisions=False), Engine(policy_b, record_decisions=False)
    recording: tuple[Engine, Engine] | None = None
    outcomes = _columnar_outcomes if engine == "columnar" else _scalar_outcomes
    for (household, facts, bad), a, b in outcomes(quiet_a, quiet_b, records, as_of, into.paths):
        tally.rows_read += 1 + len(facts) + len(bad)
        into.bad_rows.extend(bad)
        if household is None or a is None or b is None:
            continue
        tally.done += 1
        item = HouseholdComparison(household_id=household.id, a=a, b=b, district=household.place.district)
        differs = item.differs
        if differs:  # run again, recording decisions, for the first one that differs
            if recording is None:
                recording = Engine(policy_a), Engine(policy_b)
            a = _run(recording[0], household, facts, as_of)
            b = _run(recording[1], household, facts, as_of)
            item = attrs.evolve(
                item,
                a=attrs.evolve(a, result=None),
                b=attrs.evolve(b, result=None),
                first_difference=_first_difference(a, b),
            )
        into.add(item, differs=differs)
        if tally.done % tally.every == 0:
            tally.report()
    tally.report()


#: Each record with its outcome under ``a`` and under ``b`` (None for a record without a household).
_Outcomes = Iterator[tuple[Record, Outcome | None, Outcome | None]]


def _scalar_outcomes(
    engine_a: Engine, engine_b: Engine, records: Iterable[Record], as_of: dt.date | None, paths: Counter[str]
) -> _Outcomes:
    for record in records:
        household, facts, _bad = record
        if household is None:
            yield record, None, None
            continue
        paths["engine"] += 2
        yield record, _run(engine_a, household, facts, as_of), _run(engine_b, household, facts, as_of)


#: The records the columnar first pass holds at a time: each policy's screen runs over them in turn.
_CHUNK = 1_000


def _columnar_outcomes(
    engine_a: Engine, engine_b: Engine, records: Iterable[Record], as_of: dt.date | None, paths: Counter[str]
) -> _Outcomes:
    """The outcomes of a batch of records at a time, under each policy through the columnar
    screen. A household it could not run (a problem) runs again on the engine, in turn, so
    that its error reads (or is raised) as on the scalar engine."""
    from .screening.columnar import run_columnar

    assert as_of is not None
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        ran_a = [item.outcome for item in run_columnar(chunk, engine_a, as_of, Tally(), paths)]
        ran_b = [item.outcome for item in run_columnar(chunk, engine_b, as_of, Tally(), paths)]
        for record, first, second in zip(chunk, ran_a, ran_b, strict=True):
            household, facts, _bad = record
            if household is None:
                yield record, None, None
                continue
            a = Outcome.of(first) if isinstance(first, HouseholdResult) else _run(engine_a, household, facts, as_of)
            b = Outcome.of(second) if isinstance(second, HouseholdResult) else _run(engine_b, household, facts, as_of)
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
    households: list[HouseholdComparison] = []
    states_a: Counter[str] = Counter()
    states_b: Counter[str] = Counter()
    money_a: dict[str, Money] = {}
    money_b: dict[str, Money] = {}
    periods: dict[str, str] = {}
    for household, facts in population:
        a = _run(engine_a, household, facts, as_of)
        b = _run(engine_b, household, facts, as_of)
        for outcome, states, money in ((a, states_a, money_a), (b, states_b, money_b)):
            states[_state(outcome) if outcome.error is None else "refused"] += 1
            for name, amount in outcome.money.items():
                money[name] = money.get(name, _NONE) + amount
            for name, period in outcome.periods.items():
                periods[name] = period if periods.get(name, period) == period else "mixed"
        households.append(
            HouseholdComparison(
                household_id=household.id,
                a=a,
                b=b,
                district=household.place.district,
                first_difference=_first_difference(a, b),
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
