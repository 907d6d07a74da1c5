"""What a what-if reports: each household's outcome under two policies, what differs, the totals.

:class:`Comparison` is what :func:`~relapse_guard.whatif.compare` and
:func:`~relapse_guard.whatif.compare_population` return; it renders itself as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from ..decisions import Decision, Period
from ..entitlements import Money
from ..errors import NotFound
from ..interface import ntr, plural, tr
from ..labels import label
from ..lifecycle import State
from ..money import money_text
from ..policies.policy_map import said_under
from ..population import BadRow
from ..result import HouseholdResult
from ..screening.summary import Problem

__all__ = ["FIGURES", "Comparison", "DistrictComparison", "HouseholdComparison", "Outcome", "Totals", "figure_label"]

_NONE = Money()

#: The three figures of :class:`~relapse_guard.entitlements.Money`: attribute, label, unit.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("one_off", "one-off and yearly", "yuan"),
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
    #: The district the household is counted under (``""`` when its place gives none): as its
    #: place gives it, or as a side's policy map spells it (:meth:`Comparison.by_district`).
    district: str = ""
    #: The labels (``name@version``) of the policies the household ran under on side ``a`` and on
    #: side ``b``: the side's policy, or the one a side's policy map gives its place (``""``: not said).
    policy_a: str = ""
    policy_b: str = ""
    #: The district as the household's place gives it (``大足区`` where ``district`` is a map's
    #: ``Dazu``); by default ``district``.
    district_as_given: str = attrs.field(default=attrs.Factory(lambda item: item.district, takes_self=True))
    #: The first decision where the two timelines part (``None`` on a side that has none).
    first_difference: tuple[Decision | None, Decision | None] | None = None

    @property
    def state_differs(self) -> bool:
        """True when the household ends in another state (or one side refused its facts)."""
        return self.a.state is not self.b.state or self.a.error != self.b.error

    @property
    def refused(self) -> bool:
        """True when a policy refused the household (its money is then compared on neither side)."""
        return self.a.error is not None or self.b.error is not None

    @property
    def money_delta(self) -> dict[str, Money]:
        """Money of ``b`` minus money of ``a``, per intervention where any figure differs; empty
        when a policy refused the household (a failure is never a saving nor a cost)."""
        return {} if self.refused else _delta(self.a.money, self.b.money)

    @property
    def interventions_added(self) -> frozenset[str]:
        """Interventions granted under ``b`` only (none when a policy refused the household)."""
        return frozenset() if self.refused else self.b.interventions - self.a.interventions

    @property
    def interventions_removed(self) -> frozenset[str]:
        """Interventions granted under ``a`` only (none when a policy refused the household)."""
        return frozenset() if self.refused else self.a.interventions - self.b.interventions

    @property
    def differs(self) -> bool:
        """True when state, money or interventions differ."""
        return bool(self.state_differs or self.money_delta or self.interventions_added or self.interventions_removed)

    def render(self, lang: str = "en") -> str:
        """The differences as indented lines (empty when there are none), in ``lang``, the first
        decisions that differ explained in it too."""
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
        if self.refused:
            lines.append(tr(lang, "  money not compared: a policy refused the household"))
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
            said_a = first_a.explain(lang) if first_a else none
            said_b = first_b.explain(lang) if first_b else none
            lines.append(tr(lang, "  first difference, a: {decision}", decision=said_a))
            lines.append(tr(lang, "                    b: {decision}", decision=said_b))
        return "\n".join(lines)


def _state(outcome: Outcome, lang: str = "en") -> str:
    if outcome.error is not None:
        return tr(lang, "refused ({error})", error=outcome.error)
    return label("state", outcome.state.value, lang) if outcome.state is not None else "-"


def _named(name: str, period: str, lang: str) -> str:
    """``safety_net (monthly)``: an intervention and how it is paid, said in ``lang``."""
    return f"{label('intervention', name, lang)} ({label('period', period, lang)})"


def figure_label(attribute: str, lang: str = "en") -> str:
    """The label of a money figure of :data:`FIGURES` (by its attribute) in ``lang``."""
    labels = {
        "one_off": tr(lang, "one-off and yearly"),
        "monthly_in_force": tr(lang, "monthly in force"),
        "paid_to_date": tr(lang, "paid to date"),
    }
    return labels[attribute]


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
    """Each figure that differs, with its unit: ``one-off and yearly 3000.00 -> 1200.00 yuan (-1800.00)``."""
    parts = []
    for attribute, _label, unit in FIGURES:
        first, second = getattr(before, attribute), getattr(after, attribute)
        if first != second:
            parts.append(
                f"{figure_label(attribute, lang)} {money_text(first)} -> {money_text(second)} "
                f"{label('unit', unit, lang)} ({money_text(second - first, signed=True)})"
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
    #: Whether ``households`` holds every household, or only those that differ (and those a
    #: policy refused, to be named).
    kept_all: bool = True
    #: Input rows that could not be read (:func:`compare_population`; :func:`compare` reads nothing).
    bad_rows: tuple[BadRow, ...] = ()
    #: Households not compared: their place a policy map does not cover (as a screen's problem
    #: households); in none of the totals.
    problems: tuple[Problem, ...] = ()
    #: The runs of a household under a policy, by the way they went (``columnar``, ``engine``:
    #: see docs/columnar.md; ``unchanged``: the second policy's run was the first one's, not run
    #: again, :mod:`relapse_guard.whatif.reads`; ``same``: both sides gave the household one
    #: policy, run once), two a household; not part of the comparison's equality.
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
        """Every household grouped by the district it is counted under (sorted by name), with
        each district's money per intervention under ``a`` and ``b`` (a household either policy
        refused adds no money on either side: the difference would count the failure as a saving)."""
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
                money_a=_sum(item.a.money for item in items if _both_ran(item)),
                money_b=_sum(item.b.money for item in items if _both_ran(item)),
            )
        return out

    def render(self, lang: str = "en") -> str:
        """A readable report: the households that differ, then the totals (in ``lang``)."""
        totals = self.totals
        a, b = said_under(self.policy_a, lang), said_under(self.policy_b, lang)
        if self.as_of:
            head = tr(lang, "what-if as of {date}: a = {a}, b = {b}", date=self.as_of, a=a, b=b)
        else:
            head = tr(lang, "what-if: a = {a}, b = {b}", a=a, b=b)
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
            lines.append(
                tr(
                    lang,
                    "  refused: a {a}, b {b} (their money is left out of both sides)",
                    a=totals.errors_a,
                    b=totals.errors_b,
                )
            )
        for name in sorted(set(totals.money_a) | set(totals.money_b)):
            before, after = totals.money_a.get(name, _NONE), totals.money_b.get(name, _NONE)
            named = _named(name, totals.periods.get(name, ""), lang)
            if before == after:
                lines.append(f"  {named}: {_figures(after, lang)}")
            else:
                lines.append(f"  {named}: {_money_change(before, after, lang)}")
        return "\n".join(lines)


def _both_ran(item: HouseholdComparison) -> bool:
    """Whether both policies ran ``item``'s household (neither refused it)."""
    return item.a.error is None and item.b.error is None


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
        "one-off and yearly {one_off} yuan; monthly in force {monthly} yuan a month; paid to date {paid} yuan",
        one_off=money_text(money.one_off),
        monthly=money_text(money.monthly_in_force),
        paid=money_text(money.paid_to_date),
    )


def _counts(counts: Mapping[str, int], lang: str = "en") -> str:
    said = tr(lang, ", ").join(f"{label('state', state, lang)} {count}" for state, count in sorted(counts.items()))
    return said or tr(lang, "none")
