"""A household's row and the totals are what a plain reference makes, for every household of a screen.

The reference is written the slow way: each row from the result's own fields, its money month
by month through ``owed``, and each total through ``Counter`` and ``Money() +``. Compared: the
rows, the order of their money, the totals and the order of their keys (a dict's order shows
in iteration).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs
import pytest

from relapse_guard import Engine, HouseholdResult, load_policy
from relapse_guard.decisions import Period
from relapse_guard.entitlements import Money, month_index
from relapse_guard.errors import RelapseGuardError
from relapse_guard.population import synthetic_households
from relapse_guard.reviews import ReviewState, ReviewStatus
from relapse_guard.screening import DistrictTotals, HouseholdRow, ScreenTotals


def _money(result: HouseholdResult) -> dict[str, Money]:
    """The money by intervention, month by month: one-off grants to the as-of date, entitlements
    in force on it, and what every month up to it owed."""
    as_of = result.as_of
    assert as_of is not None
    one_off: dict[str, Decimal] = {}
    in_force: dict[str, Decimal] = {}
    for grant in result.grants:
        if grant.amount is None:
            continue
        if grant.period is not Period.MONTHLY:
            if grant.date <= as_of:
                one_off[grant.intervention] = one_off.get(grant.intervention, Decimal(0)) + grant.amount
        elif grant.in_force(as_of):
            in_force[grant.intervention] = in_force.get(grant.intervention, Decimal(0)) + grant.amount
    first = min((month_index(min(g.date, g.first_day)) for g in result.grants), default=month_index(as_of))
    paid: dict[str, Decimal] = {}
    for index in range(first, month_index(as_of) + 1):
        for name, amount in result.owed(index).items():
            paid[name] = paid.get(name, Decimal(0)) + amount
    names = sorted(set(one_off) | set(in_force) | {name for name, amount in paid.items() if amount})
    zero = Decimal(0)
    return {name: Money(one_off.get(name, zero), in_force.get(name, zero), paid.get(name, zero)) for name in names}


def _row(result: HouseholdResult, place: tuple[str, str, str], reviews: Iterable[ReviewStatus]) -> HouseholdRow:
    statuses = list(reviews)
    open_risks = tuple(risk for risk in result.risks if risk.key not in result.eliminated_risks)
    return HouseholdRow(
        household_id=result.household_id,
        district=place[0],
        town=place[1],
        village=place[2],
        state=result.state,
        open_risks=tuple(sorted({risk.kind for risk in open_risks})),
        pending_interventions=tuple(grant.intervention for grant in result.pending),
        reviews_due=tuple(s.review for s in statuses if s.state is ReviewState.DUE),
        reviews_overdue=tuple(s.review for s in statuses if s.state is ReviewState.OVERDUE),
        money=_money(result) if result.grants else {},
        policy=result.policy,
    )


def _add(totals: ScreenTotals, row: HouseholdRow) -> None:
    def add(into: dict[str, Money], key: str, amount: Money) -> None:
        into[key] = into.get(key, Money()) + amount

    totals.households += 1
    district = totals.by_district.setdefault(row.district, DistrictTotals())
    district.households += 1
    district.by_policy[row.policy] += 1
    totals.by_state[row.state.value] += 1
    totals.by_place_state[f"{row.district}/{row.town}|{row.state.value}"] += 1
    for kind in row.open_risks:
        totals.by_risk[kind] += 1
    for name, amount in row.money.items():
        add(totals.money_by_intervention, name, amount)
        add(totals.money_by_place, f"{row.district}/{row.town}", amount)
    totals.reviews_overdue += len(row.reviews_overdue)
    totals.pending_interventions += len(row.pending_interventions)


def _exactly(totals: ScreenTotals) -> list[Any]:
    """Every total, its keys in their order and its amounts as text."""
    return [
        totals.households,
        totals.reviews_overdue,
        totals.pending_interventions,
        *(list(counts.items()) for counts in (totals.by_state, totals.by_risk, totals.by_place_state)),
        *(list(money.items()) for money in (totals.money_by_intervention, totals.money_by_place)),
    ]


@pytest.mark.parametrize(
    ("policy_name", "as_of"),
    [
        ("yubei_2016", dt.date(2016, 12, 31)),
        ("yubei_2016", dt.date(2016, 12, 1)),  # the income account due that day
        ("dazu_2016", dt.date(2017, 6, 30)),
        ("chongqing_2016", dt.date(2016, 9, 1)),
    ],
)
def test_rows_and_totals_as_before(policy_name: str, as_of: dt.date) -> None:
    policy = load_policy(policy_name)
    engine = Engine(policy, record_decisions=False)
    found, expected = ScreenTotals(), ScreenTotals()
    screened = 0
    for household, facts in synthetic_households(600, seed=7):
        try:
            result = engine.run(household, facts, as_of=as_of)
        except RelapseGuardError:
            continue
        screened += 1
        place = (household.place.district, household.place.town, household.place.village)
        assert list(result.open_risks) == [r for r in result.risks if r.key not in result.eliminated_risks]
        assert list(result.money().items()) == list(_money(result).items()) if result.grants else True
        row = HouseholdRow.from_result(result, place, policy.reviews_due(result, as_of))
        before = _row(result, place, iter(policy.reviews_due(result, as_of)))  # any iterable, as before
        assert row == before
        assert type(row) is HouseholdRow
        assert list(row.money) == list(before.money)
        found.add(row)
        _add(expected, before)
    assert screened > 500
    assert _exactly(found) == _exactly(expected)
    assert found.to_dict() == expected.to_dict()
    assert found.by_state.total() == screened


def test_a_row_of_a_subclass_is_made_by_its_constructor() -> None:
    class Row(HouseholdRow):
        pass

    policy = load_policy("yubei_2016")
    household, facts = next(iter(synthetic_households(1, seed=3)))
    result = Engine(policy).run(household, facts, as_of=dt.date(2016, 12, 31))
    row = Row.from_result(result, ("d", "t", "v"), ())
    assert type(row) is Row
    assert row == Row(**{name: getattr(row, name) for name in (f.name for f in attrs.fields(HouseholdRow))})


def test_pending_grants_eliminated_risks_and_every_review_state() -> None:
    """What a synthetic screen lacks: grants waiting for a case, risks a case closed, reviews due or done."""
    policy = load_policy("yubei_2016")
    engine = Engine(policy)
    as_of = dt.date(2016, 12, 31)
    results = [engine.run(h, f, as_of=as_of) for h, f in synthetic_households(200, seed=5)]
    result = next(r for r in results if len(r.risks) > 1 and len(r.grants) > 1)
    changed = attrs.evolve(result, pending=result.grants[:2], eliminated_risks={result.risks[0].key: as_of})
    statuses = [
        ReviewStatus(
            household_id=result.household_id,
            review=f"review {state.value}",
            due_on=as_of,
            state=state,
            days_overdue=3 if state is ReviewState.OVERDUE else 0,
            responsible="",
            last_done=None,
            next_due=as_of,
        )
        for state in (ReviewState.DUE, ReviewState.OVERDUE, ReviewState.DONE, ReviewState.DUE)
    ]
    for each in (result, changed):
        assert list(each.open_risks) == [r for r in each.risks if r.key not in each.eliminated_risks]
        for reviews in ((), statuses, tuple(statuses)):
            row = HouseholdRow.from_result(each, ("d", "t", "v"), iter(reviews) if reviews else reviews)
            assert row == _row(each, ("d", "t", "v"), reviews)
    row = HouseholdRow.from_result(changed, ("d", "t", "v"), statuses)
    assert row.pending_interventions == tuple(grant.intervention for grant in result.grants[:2])
    assert row.reviews_due == ("review due", "review due")
    assert row.reviews_overdue == ("review overdue",)
