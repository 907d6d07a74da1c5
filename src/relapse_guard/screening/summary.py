"""What a screen returns: one row per household and totals that merge across partitions.

Totals are sums keyed by state, risk kind, intervention and place, so the totals of two
partitions merged give the totals of the whole; merging in partition order makes a
parallel screen give exactly what the serial screen gives.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..lifecycle import State
from ..population import BadRow
from ..result import HouseholdResult
from ..reviews import ReviewState, ReviewStatus

__all__ = ["BadRow", "HouseholdRow", "ScreenResult", "ScreenTotals"]


@attrs.frozen(kw_only=True)
class HouseholdRow:
    """One household as of the screen's date."""

    household_id: str
    district: str
    town: str
    village: str
    state: State
    open_risks: tuple[str, ...]
    pending_interventions: tuple[str, ...]
    reviews_due: tuple[str, ...]
    reviews_overdue: tuple[str, ...]
    money: Mapping[str, Decimal]

    @classmethod
    def from_result(
        cls, result: HouseholdResult, place: tuple[str, str, str], reviews: Iterable[ReviewStatus]
    ) -> HouseholdRow:
        """The row of ``result``; ``place`` is (district, town, village)."""
        # A screen makes a row for every household: the empty cases (most households) skip
        # the comprehensions.
        statuses = reviews if type(reviews) is tuple else tuple(reviews)
        due: tuple[str, ...] = ()
        overdue: tuple[str, ...] = ()
        if statuses:
            due = tuple([s.review for s in statuses if s.state is _DUE])
            overdue = tuple([s.review for s in statuses if s.state is _OVERDUE])
        risks = result.open_risks
        pending = result.pending
        return cls(
            household_id=result.household_id,
            district=place[0],
            town=place[1],
            village=place[2],
            state=result.state,
            open_risks=tuple(sorted({risk.kind for risk in risks})) if risks else (),
            pending_interventions=tuple([grant.intervention for grant in pending]) if pending else (),
            reviews_due=due,
            reviews_overdue=overdue,
            money=result.money_granted(),
        )

    @property
    def money_total(self) -> Decimal:
        """All money granted to the household (monthly grants as the monthly amount in force)."""
        return sum(self.money.values(), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "household_id": self.household_id,
            "district": self.district,
            "town": self.town,
            "village": self.village,
            "state": self.state.value,
            "open_risks": list(self.open_risks),
            "pending_interventions": list(self.pending_interventions),
            "reviews_due": list(self.reviews_due),
            "reviews_overdue": list(self.reviews_overdue),
            "money": {name: str(amount) for name, amount in sorted(self.money.items())},
        }


_DUE, _OVERDUE = ReviewState.DUE, ReviewState.OVERDUE
_ZERO = Decimal(0)


def _add(into: dict[str, Decimal], key: str, amount: Decimal) -> None:
    into[key] = into.get(key, _ZERO) + amount


@attrs.define
class ScreenTotals:
    """Counts and money, by state, risk kind, intervention and place. Mutable while adding."""

    households: int = 0
    by_state: Counter[str] = attrs.field(factory=Counter)
    by_risk: Counter[str] = attrs.field(factory=Counter)
    by_place_state: Counter[str] = attrs.field(factory=Counter)
    money_by_intervention: dict[str, Decimal] = attrs.field(factory=dict)
    money_by_place: dict[str, Decimal] = attrs.field(factory=dict)
    reviews_overdue: int = 0
    pending_interventions: int = 0

    def add(self, row: HouseholdRow) -> None:
        """Count one household's row."""
        self.households += 1
        state = row.state._value_  # .value, without the descriptor's call: this runs for every household
        by_state, by_place_state = self.by_state, self.by_place_state
        by_state[state] = by_state.get(state, 0) + 1
        place = f"{row.district}/{row.town}"
        key = f"{place}|{state}"
        by_place_state[key] = by_place_state.get(key, 0) + 1
        if row.open_risks:
            by_risk = self.by_risk
            for kind in row.open_risks:
                by_risk[kind] = by_risk.get(kind, 0) + 1
        if row.money:
            by_intervention, by_place = self.money_by_intervention, self.money_by_place
            for name, amount in row.money.items():
                by_intervention[name] = by_intervention.get(name, _ZERO) + amount
                by_place[place] = by_place.get(place, _ZERO) + amount
        self.reviews_overdue += len(row.reviews_overdue)
        self.pending_interventions += len(row.pending_interventions)

    def merge(self, other: ScreenTotals) -> None:
        """Add ``other``'s counts and money to these."""
        self.households += other.households
        self.by_state.update(other.by_state)
        self.by_risk.update(other.by_risk)
        self.by_place_state.update(other.by_place_state)
        for name, amount in other.money_by_intervention.items():
            _add(self.money_by_intervention, name, amount)
        for place, amount in other.money_by_place.items():
            _add(self.money_by_place, place, amount)
        self.reviews_overdue += other.reviews_overdue
        self.pending_interventions += other.pending_interventions

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with sorted keys (stable output)."""
        return {
            "households": self.households,
            "by_state": dict(sorted(self.by_state.items())),
            "by_risk": dict(sorted(self.by_risk.items())),
            "by_place_state": dict(sorted(self.by_place_state.items())),
            "money_by_intervention": {k: str(v) for k, v in sorted(self.money_by_intervention.items())},
            "money_by_place": {k: str(v) for k, v in sorted(self.money_by_place.items())},
            "reviews_overdue": self.reviews_overdue,
            "pending_interventions": self.pending_interventions,
        }


@attrs.define
class ScreenResult:
    """The result of a screen: totals, the rows kept (if asked), errors and bad input rows."""

    as_of: dt.date
    policy: str
    totals: ScreenTotals = attrs.field(factory=ScreenTotals)
    rows: list[HouseholdRow] = attrs.field(factory=list)
    bad_rows: list[BadRow] = attrs.field(factory=list)
    #: Households whose facts the engine refused (an impossible move, a conflicting fact): id -> message.
    errors: dict[str, str] = attrs.field(factory=dict)

    @property
    def households_done(self) -> int:
        """Households screened or refused."""
        return self.totals.households + len(self.errors)

    def merge(self, other: ScreenResult) -> None:
        """Append ``other`` (the next partition) to this result."""
        self.totals.merge(other.totals)
        self.rows.extend(other.rows)
        self.bad_rows.extend(other.bad_rows)
        self.errors.update(other.errors)
