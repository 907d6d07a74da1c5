"""ReportData: what one household adds, and merging partitions gives what one pass gives."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Fact, Household, HouseholdResult, Place, load_policy
from relapse_guard.entitlements import Money as EntitlementMoney
from relapse_guard.entitlements import total as entitlement_total
from relapse_guard.population import BadRow, synthetic_households
from relapse_guard.reporting import ReportData, collect_records
from relapse_guard.reviews import ReviewStatus

from ..conftest import basic_policy, make_household
from ..factories import assist, exit_verified, income

D = dt.date
AS_OF = D(2016, 12, 31)


def relapsing(hid: str) -> list[Fact]:
    # identified 2015-03-01, assisted, exited 2015-06-01, monitored from 2016, relapses 2016-05-01
    return [
        income(D(2015, 3, 1), 2000, hid=hid),
        assist(D(2015, 3, 5), hid=hid),
        income(D(2015, 6, 1), 4000, hid=hid),
        exit_verified(D(2015, 6, 1), hid=hid, fid=f"{hid}-exit"),
        income(D(2016, 5, 1), 3000, hid=hid, fid=f"{hid}-low"),
    ]


def staying_out(hid: str) -> list[Fact]:
    return [*relapsing(hid)[:4], income(D(2016, 5, 1), 5000, hid=hid)]


def test_a_relapse_is_counted_explained_and_timed() -> None:
    policy = basic_policy()
    engine = Engine(policy)
    data = ReportData(as_of=AS_OF, policy=policy.label)
    histories: list[tuple[str, list[Fact]]] = [
        ("a", relapsing("a")),
        ("b", staying_out("b")),
        ("c", [income(D(2016, 3, 1), 9000, hid="c")]),
    ]
    for hid, facts in histories:
        household = make_household(hid)
        data.add(engine.run(household, facts, as_of=AS_OF), household.place)
    assert data.households == 3
    assert data.by_state == Counter({"relapsed": 1, "monitored": 1, "new": 1})
    assert data.by_place == {("Yubei", "Town"): Counter({"relapsed": 1, "monitored": 1, "new": 1})}
    assert data.flows[("monitored", "relapsed")] == 1
    assert data.flows[("assisted", "exited")] == 2
    # a relapse 335 days after the exit (2015-06-01 to 2016-05-01, February 2016 has 29 days);
    # the other exit is censored at the as-of date, 579 days after it
    assert data.exit_spells == Counter({(335, True): 1, (579, False): 1})
    assert (data.relapses, data.relapsed_households) == (1, 1)
    assert data.relapse_rules == Counter({"relapse.relapse_rule": 1})
    assert data.relapse_risk_kinds == Counter({"": 1})  # no trigger in this policy: no risk found
    (entry,) = data.relapse_list
    assert (entry.household_id, entry.date, entry.from_state, entry.exited_on) == (
        "a",
        D(2016, 5, 1),
        "monitored",
        D(2015, 6, 1),
    )
    assert entry.explanation == "income per capita 3000 < poverty line 3600"
    assert entry.facts == ("a-low",)
    curve = data.survival()
    assert curve.at(334) == 1.0
    assert curve.at(335) == 0.5


def test_risks_money_and_reviews_of_a_shipped_policy() -> None:
    policy = load_policy("dazu_2016")
    engine = Engine(policy)
    data = ReportData(as_of=AS_OF, policy=policy.label, limit=3)
    screened = EntitlementMoney()
    for household, facts in synthetic_households(150, seed=5, months=12):
        outcome = engine.run(household, facts, as_of=AS_OF)
        data.add(outcome, household.place, policy.reviews_due(outcome, AS_OF))
        screened = screened + entitlement_total(outcome.money(AS_OF))
    total = data.money_total()
    # the report's figures are the result's (and the screen's): one-off, in force, to date
    assert (total.granted, total.monthly_in_force, total.total_to_date) == (
        screened.one_off,
        screened.monthly_in_force,
        screened.paid_to_date,
    )
    assert sum((m.total_to_date for _, m in data.money_by_month()), Decimal(0)) == total.total_to_date
    assert sum((m.total_to_date for m in data.money_by_place.values()), Decimal(0)) == total.total_to_date
    months = data.money_by_month()
    assert months[-1][1].monthly_to_date == total.monthly_in_force  # the as-of month: the amounts in force
    assert sum(data.risks_detected.values()) >= sum(data.risks_open.values()) > 0
    assert all(data.risk_households[kind] <= n for kind, n in data.risks_detected.items())
    assert data.reviews_overdue + data.reviews_due == sum(data.reviews.values()) > 3
    assert len(data.review_list) == 3
    keys = [entry.sort_key() for entry in data.review_list]
    assert keys == sorted(keys)
    assert data.review_list[0].days_overdue == max(entry.days_overdue for entry in data.review_list)


def test_refused_households_and_bad_rows_are_kept() -> None:
    records: list[tuple[Household | None, list[Fact], list[BadRow]]] = [
        (make_household("a"), relapsing("a"), []),
        (make_household("b"), [exit_verified(D(2016, 3, 1), hid="b")], [BadRow("facts.jsonl", 7, "date", "bad")]),
        (None, [], [BadRow("households.jsonl", 3, "id", "twice")]),
    ]
    data = collect_records(records, basic_policy(), AS_OF)
    assert data.households == 1
    assert list(data.refused) == ["b"]
    assert [row.line for row in data.bad_rows] == [7, 3]


def test_reports_of_other_dates_or_policies_do_not_merge() -> None:
    data = ReportData(as_of=AS_OF, policy="p@1")
    with pytest.raises(ValueError, match="cannot merge"):
        data.merge(ReportData(as_of=D(2017, 1, 1), policy="p@1"))
    with pytest.raises(ValueError, match="cannot merge"):
        data.merge(ReportData(as_of=AS_OF, policy="p@1", limit=3))


# --- merging ----------------------------------------------------------------------------

Item = tuple[HouseholdResult, Place, Sequence[ReviewStatus]]
MERGE_AS_OF = D(2018, 12, 31)


def _items() -> list[Item]:
    policy = load_policy("dazu_2016")
    engine = Engine(policy)
    out: list[Item] = []
    for household, facts in synthetic_households(160, seed=11, months=36):
        outcome = engine.run(household, facts, as_of=MERGE_AS_OF)
        out.append((outcome, household.place, policy.reviews_due(outcome, MERGE_AS_OF)))
    return out


ITEMS = _items()


def gathered(items: Sequence[Item], limit: int) -> ReportData:
    data = ReportData(as_of=MERGE_AS_OF, policy="dazu_2016@2016.1", limit=limit)
    for outcome, place, reviews in items:
        data.add(outcome, place, reviews)
    return data


def test_the_merge_sample_has_relapses_reviews_and_money() -> None:
    whole = gathered(ITEMS, 5)
    assert whole.relapses >= 2
    assert whole.reviews_overdue > 5
    assert whole.money_total().total_to_date > 0


@given(st.integers(0, len(ITEMS)), st.integers(0, 8))
def test_merging_two_halves_gives_the_whole(split: int, limit: int) -> None:
    merged = gathered(ITEMS[:split], limit)
    merged.merge(gathered(ITEMS[split:], limit))
    assert merged == gathered(ITEMS, limit)


@given(st.lists(st.integers(0, len(ITEMS)), min_size=2, max_size=2), st.integers(0, 4))
def test_merging_in_any_grouping_gives_the_whole(cuts: list[int], limit: int) -> None:
    first, second = sorted(cuts)
    a, b, c = (gathered(part, limit) for part in (ITEMS[:first], ITEMS[first:second], ITEMS[second:]))
    b.merge(c)
    a.merge(b)
    assert a == gathered(ITEMS, limit)
