"""The figures of a report, gathered one household result at a time.

:class:`ReportData` holds counts, sums and at most ``limit`` listed households per list —
never the results themselves — so a province is gathered in flat memory. Two ``ReportData``
merge (:meth:`ReportData.merge`) into what one pass over both would give, so partitions can
be gathered by separate processes and merged in any grouping.

Lists keep the ``limit`` first entries in a fixed order (the most recent relapses, the most
overdue reviews), which is what makes merging exact.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ..decisions import Decision, DecisionKind
from ..errors import InvalidArgument
from ..household import Place
from ..lifecycle import State
from ..population import BadRow
from ..result import HouseholdResult
from ..reviews import ReviewState, ReviewStatus
from ..screening.fact_ids import Digests
from ..screening.summary import DistrictTotals, Problem
from .ledger import Money, household_money, month_index
from .survival import SurvivalCurve, kaplan_meier_counts

__all__ = ["DEFAULT_LIMIT", "RelapseEntry", "ReportData", "ReviewEntry", "RiskNote"]

#: How many households each list of a report shows by default.
DEFAULT_LIMIT = 50

_ENDS_EXIT = frozenset({State.RELAPSED, State.IDENTIFIED})


@attrs.frozen
class RiskNote:
    """A risk found between a household's exit and its relapse, from its ``risk_detected`` decision."""

    date: dt.date
    kind: str
    severity: str
    fact_id: str
    explanation: str


@attrs.frozen
class RelapseEntry:
    """One relapse: when, from which state, by which rule and facts, and the risks found since the
    exit; ``district`` and ``town`` as the household's data gives them."""

    household_id: str
    district: str
    town: str
    date: dt.date
    from_state: str
    rule: str
    explanation: str
    facts: tuple[str, ...]
    exited_on: dt.date | None
    risks: tuple[RiskNote, ...]

    def sort_key(self) -> tuple[int, str, str]:
        """Most recent first, then by household id."""
        return (-self.date.toordinal(), self.household_id, self.rule)


@attrs.frozen
class ReviewEntry:
    """A review due or overdue as of the report's date, with who is responsible for it;
    ``district`` and ``town`` as the household's data gives them."""

    household_id: str
    district: str
    town: str
    review: str
    state: str
    due_on: dt.date
    days_overdue: int
    responsible: str

    def sort_key(self) -> tuple[int, int, str, str]:
        """Most overdue first, then the oldest due date, the household and the review."""
        return (-self.days_overdue, self.due_on.toordinal(), self.household_id, self.review)


_T = TypeVar("_T")


def _first(kept: list[_T], new: list[_T], limit: int, key: Callable[[_T], tuple[Any, ...]]) -> list[_T]:
    """The ``limit`` first of ``kept`` (already the first, in order) and ``new``, by ``key``."""
    if not new or limit <= 0:
        return kept[: max(limit, 0)]
    if len(kept) >= limit and min(key(entry) for entry in new) >= key(kept[-1]):
        return kept
    return sorted([*kept, *new], key=key)[:limit]


def _add_money(into: dict[str, Money], key: str, money: Money) -> None:
    into[key] = into.get(key, Money()) + money


def _add_decimal(into: dict[int, Decimal], key: int, amount: Decimal) -> None:
    into[key] = into.get(key, Decimal(0)) + amount


@attrs.define
class ReportData:
    """Counts, money and short lists over the households of a report, as of ``as_of``.

    Add each household's result with :meth:`add`, a household that could not be screened
    with :meth:`add_problem` (or :meth:`refuse`) and bad input rows with :meth:`add_bad_rows`; combine partitions with
    :meth:`merge`. Places are ``(district, town)``, each district under the name it is counted
    under (a policy map's spelling, when the report is gathered under a map; the lists of
    relapses and reviews keep each household's place as its data gives it); states, risk kinds
    and interventions are their names. ``policy`` is what the report was gathered under (a
    policy's label, or a policy map's); ``by_district`` counts each district's households by
    the policy used and names the policies in force there
    (:class:`~relapse_guard.screening.summary.DistrictTotals`).
    ``lang`` is the language the decisions' explanations are kept in, and the report's
    language unless its rendering says another.
    """

    as_of: dt.date
    policy: str
    limit: int = DEFAULT_LIMIT
    lang: str = "en"
    households: int = 0
    by_state: Counter[str] = attrs.field(factory=Counter)
    by_place: dict[tuple[str, str], Counter[str]] = attrs.field(factory=dict)
    #: Transitions taken, as ``(from state, to state)``.
    flows: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    relapses: int = 0
    relapsed_households: int = 0
    relapse_rules: Counter[str] = attrs.field(factory=Counter)
    #: Relapses by the kinds of risk found between the exit and the relapse ("" when none was).
    relapse_risk_kinds: Counter[str] = attrs.field(factory=Counter)
    #: The ``limit`` most recent relapses.
    relapse_list: list[RelapseEntry] = attrs.field(factory=list)
    #: Risks found by kind; households with one; those not eliminated by a case.
    risks_detected: Counter[str] = attrs.field(factory=Counter)
    risk_households: Counter[str] = attrs.field(factory=Counter)
    risks_open: Counter[str] = attrs.field(factory=Counter)
    #: Money by intervention and by place (see :mod:`~relapse_guard.reporting.ledger` for what counts).
    money_by_intervention: dict[str, Money] = attrs.field(factory=dict)
    money_by_place: dict[tuple[str, str], Money] = attrs.field(factory=dict)
    #: One-off and yearly grants by month, and the monthly amounts' changes (read :meth:`money_by_month`).
    granted_by_month: dict[int, Decimal] = attrs.field(factory=dict)
    monthly_changes: dict[int, Decimal] = attrs.field(factory=dict)
    #: Reviews due or overdue, as ``(review, state, responsible)``.
    reviews: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)
    #: The ``limit`` most overdue reviews.
    review_list: list[ReviewEntry] = attrs.field(factory=list)
    #: Exits followed, as ``(days, ended by a relapse)``: how many of each (censored at ``as_of``).
    exit_spells: Counter[tuple[int, bool]] = attrs.field(factory=Counter)
    bad_rows: list[BadRow] = attrs.field(factory=list)
    #: Households that could not be screened (policy code raised, facts refused, a shared fact id).
    problems: list[Problem] = attrs.field(factory=list)
    #: Each partition's fact ids as 64-bit digests, until shared ids are looked for.
    fact_id_digests: list[Digests] = attrs.field(factory=list, eq=False, repr=False)
    #: Each district's households by the policy used, and the policies in force there.
    by_district: dict[str, DistrictTotals] = attrs.field(factory=dict)
    #: The households of each path (docs/columnar.md): ``columnar``, ``engine``
    #: (every household, on the engine alone). Not part of the figures.
    paths: Counter[str] = attrs.field(factory=Counter, eq=False, repr=False)

    # --- adding -------------------------------------------------------------------------

    def add(
        self,
        result: HouseholdResult,
        place: Place,
        reviews: Iterable[ReviewStatus] = (),
        *,
        first_fact: dt.date | None = None,
        district: str | None = None,
    ) -> None:
        """Count one household's result; ``reviews`` are its statuses (``policy.reviews_due``),
        ``first_fact`` the date of its earliest fact (where its district's period starts).

        ``district`` is the name the household is counted under, by district and by place (a
        policy map's spelling of ``place.district``:
        :meth:`~relapse_guard.screening.choice.PolicyChoice.district_name`); None: the district
        as ``place`` gives it. The lists of relapses and reviews name the household's place as
        ``place`` gives it, whatever it is counted under.
        """
        given, town = place.district, place.town
        district = given if district is None else district
        self.households += 1
        self.by_district.setdefault(district, DistrictTotals()).add(result.policy, first_fact)
        self.by_state[result.state.value] += 1
        self.by_place.setdefault((district, town), Counter())[result.state.value] += 1
        self._add_lifecycle(result, given, town)
        open_keys = {risk.key for risk in result.open_risks}
        for kind in sorted({risk.kind for risk in result.risks}):
            self.risk_households[kind] += 1
        for risk in result.risks:
            self.risks_detected[risk.kind] += 1
            if risk.key in open_keys:
                self.risks_open[risk.kind] += 1
        money = household_money(result, self.as_of)
        for name, amount in money.by_intervention.items():
            _add_money(self.money_by_intervention, name, amount)
            place_money = self.money_by_place.get((district, town), Money())
            self.money_by_place[(district, town)] = place_money + amount
        for month, value in money.granted_by_month.items():
            _add_decimal(self.granted_by_month, month, value)
        for month, value in money.monthly_changes.items():
            _add_decimal(self.monthly_changes, month, value)
        entries = []
        for status in reviews:
            if status.state is ReviewState.DONE:
                continue
            self.reviews[(status.review, status.state.value, status.responsible)] += 1
            entries.append(
                ReviewEntry(
                    household_id=result.household_id,
                    district=given,
                    town=town,
                    review=status.review,
                    state=status.state.value,
                    due_on=status.due_on,
                    days_overdue=status.days_overdue,
                    responsible=status.responsible,
                )
            )
        if entries:
            self.review_list = _first(self.review_list, entries, self.limit, ReviewEntry.sort_key)

    def _add_lifecycle(self, result: HouseholdResult, district: str, town: str) -> None:
        exited_on: dt.date | None = None
        relapsed = False
        entries = []
        for decision in result.transitions:
            assert decision.from_state is not None
            assert decision.to_state is not None
            self.flows[(decision.from_state.value, decision.to_state.value)] += 1
            if decision.to_state is State.EXITED:
                exited_on = decision.date
            elif decision.to_state in _ENDS_EXIT and exited_on is not None:
                self.exit_spells[((decision.date - exited_on).days, True)] += 1
            if decision.to_state is State.RELAPSED:
                relapsed = True
                risks = _risks_between(result, exited_on, decision.date, self.lang)
                self.relapses += 1
                self.relapse_rules[decision.rule] += 1
                for kind in sorted({note.kind for note in risks}) or [""]:
                    self.relapse_risk_kinds[kind] += 1
                entries.append(
                    RelapseEntry(
                        household_id=result.household_id,
                        district=district,
                        town=town,
                        date=decision.date,
                        from_state=decision.from_state.value,
                        rule=decision.rule,
                        explanation=_decision_text(decision, self.lang),
                        facts=decision.facts,
                        exited_on=exited_on,
                        risks=risks,
                    )
                )
            if decision.to_state in _ENDS_EXIT:
                exited_on = None
        if exited_on is not None:
            self.exit_spells[(max(0, (self.as_of - exited_on).days), False)] += 1
        if relapsed:
            self.relapsed_households += 1
            self.relapse_list = _first(self.relapse_list, entries, self.limit, RelapseEntry.sort_key)

    def refuse(self, household_id: str, message: str) -> None:
        """Record a household whose facts the engine refused."""
        self.problems.append(
            Problem(household_id=household_id, kind="refused", error="RelapseGuardError", message=message)
        )

    def add_problem(self, problem: Problem) -> None:
        """Record a household that could not be screened."""
        self.problems.append(problem)

    @property
    def refused(self) -> dict[str, str]:
        """The problem households' messages by household id."""
        return {problem.household_id: problem.message for problem in self.problems}

    def add_bad_rows(self, rows: Iterable[BadRow]) -> None:
        """Record input rows that could not be read."""
        self.bad_rows.extend(rows)

    @property
    def households_done(self) -> int:
        """Households gathered, or not gathered (problems)."""
        return self.households + sum(1 for problem in self.problems if not problem.counted)

    def merge(self, other: ReportData) -> None:
        """Add ``other`` (e.g. the next partition) to this report's figures."""
        if (other.as_of, other.policy, other.limit, other.lang) != (self.as_of, self.policy, self.limit, self.lang):
            raise InvalidArgument(
                f"cannot merge a report as of {other.as_of} under {other.policy} (limit {other.limit}, "
                f"language {other.lang}) into one as of {self.as_of} under {self.policy} (limit {self.limit}, "
                f"language {self.lang})"
            )
        self.households += other.households
        self.by_state.update(other.by_state)
        for place, counts in other.by_place.items():
            self.by_place.setdefault(place, Counter()).update(counts)
        self.flows.update(other.flows)
        self.relapses += other.relapses
        self.relapsed_households += other.relapsed_households
        self.relapse_rules.update(other.relapse_rules)
        self.relapse_risk_kinds.update(other.relapse_risk_kinds)
        self.relapse_list = _first(self.relapse_list, other.relapse_list, self.limit, RelapseEntry.sort_key)
        self.risks_detected.update(other.risks_detected)
        self.risk_households.update(other.risk_households)
        self.risks_open.update(other.risks_open)
        for name, money in other.money_by_intervention.items():
            _add_money(self.money_by_intervention, name, money)
        for place, money in other.money_by_place.items():
            self.money_by_place[place] = self.money_by_place.get(place, Money()) + money
        for month, value in other.granted_by_month.items():
            _add_decimal(self.granted_by_month, month, value)
        for month, value in other.monthly_changes.items():
            _add_decimal(self.monthly_changes, month, value)
        self.reviews.update(other.reviews)
        self.review_list = _first(self.review_list, other.review_list, self.limit, ReviewEntry.sort_key)
        self.exit_spells.update(other.exit_spells)
        self.bad_rows.extend(other.bad_rows)
        self.problems.extend(other.problems)
        self.fact_id_digests.extend(other.fact_id_digests)
        self.paths.update(other.paths)
        for name, district in other.by_district.items():
            self.by_district.setdefault(name, DistrictTotals()).merge(district)

    # --- reading ------------------------------------------------------------------------

    def money_by_month(self) -> list[tuple[int, Money]]:
        """Money per calendar month (by :func:`~relapse_guard.reporting.ledger.month_index`), oldest first.

        A month's ``monthly_to_date`` and ``monthly_in_force`` are both the monthly amounts
        in force in that month; the months run from the first grant to the as-of month.
        """
        months = set(self.granted_by_month) | set(self.monthly_changes)
        if not months:
            return []
        last = max(month_index(self.as_of), *months)
        running = Decimal(0)
        out = []
        for month in range(min(months), last + 1):
            running += self.monthly_changes.get(month, Decimal(0))
            granted = self.granted_by_month.get(month, Decimal(0))
            out.append((month, Money(granted, running, running)))
        return out

    def money_total(self) -> Money:
        """All the money of the report (the sum over interventions)."""
        total = Money()
        for money in self.money_by_intervention.values():
            total = total + money
        return total

    def survival(self) -> SurvivalCurve:
        """The Kaplan-Meier curve of exit spells, in days since the exit (censored at the as-of date)."""
        return kaplan_meier_counts({(float(days), event): n for (days, event), n in self.exit_spells.items()})

    @property
    def reviews_due(self) -> int:
        """Reviews due (within their grace days) as of the report's date."""
        return sum(n for (_, state, _), n in self.reviews.items() if state == ReviewState.DUE.value)

    @property
    def reviews_overdue(self) -> int:
        """Reviews overdue as of the report's date."""
        return sum(n for (_, state, _), n in self.reviews.items() if state == ReviewState.OVERDUE.value)


def _decision_text(decision: Decision, lang: str) -> str:
    """What a report says of ``decision`` in ``lang``: the one place a report renders a decision
    (its message in that language; a decision of a policy's own text says it as written)."""
    return decision.render(lang)


def _risks_between(result: HouseholdResult, since: dt.date | None, until: dt.date, lang: str) -> tuple[RiskNote, ...]:
    """The risks found from ``since`` (the exit; None: any time) to ``until``, both days included."""
    notes = []
    for decision in result.decisions:
        risk = decision.risk
        if decision.kind is not DecisionKind.RISK_DETECTED or risk is None:
            continue
        if (since is None or risk.date >= since) and risk.date <= until:
            notes.append(
                RiskNote(risk.date, risk.kind, risk.severity.name.lower(), risk.fact_id, _decision_text(decision, lang))
            )
    return tuple(notes)
