"""The alerts as a caseworker's worklist: each names the household's town and village; what falls
due stays listed each cycle until it is done, marked as open since the first cycle that listed it,
not as new; the same facts and cycles mark the same."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import ExitVerified, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.facts import BasicNeedsChecked, Fact, ReviewCompleted
from relapse_guard.monitoring import Alert, AlertKind, Monitor
from relapse_guard.monitoring.alerts import STANDING_KINDS, still_open
from relapse_guard.policies.policy_map import load_policy_map
from relapse_guard.reviews import Review
from relapse_guard.store import MemoryStore

from .county import county, month_end, monthly_batches, records, stored

D = dt.date
REVIEWS = frozenset({AlertKind.REVIEW_DUE, AlertKind.REVIEW_OVERDUE})


def _months(count: int) -> tuple[MemoryStore, list[list[Alert]], dict[str, Place]]:
    """A county of the three districts under their policies (Dazu's reviews are monthly), its
    first ``count`` months each a cycle: the store, each cycle's alerts, each household's place."""
    people = county(90, seed=7)
    store = MemoryStore()
    stored(store, people)
    monitor = Monitor(store, load_policy_map("chongqing"), chunk_size=20)
    batches = monthly_batches(people)
    found = []
    for month in range(count):
        monitor.cycle(records(batches[month]), as_of=month_end(month))
        found.append(monitor.alerts(month_end(month)))
    return store, found, {household.id: household.place for household, _ in people}


def test_each_alert_names_the_town_and_village_of_its_household() -> None:
    _, cycles, places = _months(2)
    assert all(cycles)
    for alert in (alert for alerts in cycles for alert in alerts):
        place = places[alert.household_id]
        assert (alert.district, alert.town, alert.village) == (place.district, place.town, place.village)
        assert alert.town
        assert alert.village
        assert str(alert).startswith(f"{alert.date.isoformat()} {alert.household_id} {place.town}/{place.village} [")


def test_what_falls_due_is_listed_each_cycle_until_done_and_new_only_in_the_first() -> None:
    _, cycles, _ = _months(4)
    carried = 0
    for month in range(1, 4):
        before: dict[str, list[Alert]] = defaultdict(list)
        for alert in cycles[month - 1]:
            before[alert.household_id].append(alert)
        for alert in cycles[month]:
            if alert.kind not in STANDING_KINDS:
                assert alert.is_new, alert  # a change is announced once: always new
                continue
            # the same review (by name: its due date moves on when it recurs), or the same case step
            # or transition period (the same date), listed by the cycle before
            same = [
                earlier
                for earlier in before[alert.household_id]
                if (earlier.kind, earlier.subject) == (alert.kind, alert.subject)
                and (alert.kind in REVIEWS or earlier.date == alert.date)
            ]
            if not same:
                assert alert.is_new, alert
                continue
            (earlier,) = same
            # open since the first of the cycles in a row that listed it
            assert alert.open_since == (earlier.open_since or month_end(month - 1)), alert
            carried += 1
    assert carried
    # a review overdue from the second cycle on, never done, is still open since it two cycles later
    assert any(alert.open_since == month_end(1) for alert in cycles[3])
    # once reviews are overdue, most of a month's are the ones still open, not new
    overdue = [sum(alert.kind is AlertKind.REVIEW_OVERDUE for alert in alerts) for alerts in cycles]
    new = [sum(alert.kind is AlertKind.REVIEW_OVERDUE and alert.is_new for alert in alerts) for alerts in cycles]
    assert all(n < o for n, o in zip(new[2:], overdue[2:], strict=True)), (new, overdue)


def test_a_review_done_closes_it_and_the_next_one_due_is_new() -> None:
    policy = load_policy("yubei_2016").derive(
        name="visits", reviews=[Review.monthly("home_visit", grace_days=5, responsible="village cadre")]
    )
    household = Household(
        id="YB-7",
        place=Place("Yubei", "Dashengzhen", "Qinglong"),
        members=[Member(id="YB-7-1", birth_date=D(1966, 4, 2))],
    )
    store = MemoryStore()
    store.put_household(household)
    monitor = Monitor(store, policy)
    facts: list[Fact] = [
        IncomeAssessed(id="i1", household_id="YB-7", date=D(2016, 1, 5), income_per_capita=Decimal(2300)),
        IncomeAssessed(id="i2", household_id="YB-7", date=D(2016, 10, 3), income_per_capita=Decimal(5200)),
        BasicNeedsChecked(id="n1", household_id="YB-7", date=D(2016, 10, 3)),
        ExitVerified(id="e1", household_id="YB-7", date=D(2016, 10, 20)),
    ]

    def visits(as_of: dt.date, new: Sequence[Fact] = ()) -> list[Alert]:
        monitor.cycle([fact.to_dict() for fact in new], as_of=as_of)
        return [alert for alert in monitor.alerts(as_of) if alert.subject == "home_visit"]

    (december,) = visits(D(2016, 12, 31), facts)
    assert (december.kind, december.date, december.open_since) == (AlertKind.REVIEW_OVERDUE, D(2016, 12, 1), None)
    assert december.line() == (
        "2016-12-01 YB-7 Dashengzhen/Qinglong [review_overdue] new: review home_visit due 2016-12-01: "
        "deadline 2016-12-06, 25 days past it (village cadre)"
    )
    # January: not done; the visit due 1 January is the one still to do, open since December's cycle
    (january,) = visits(D(2017, 1, 31))
    assert (january.kind, january.date, january.open_since) == (
        AlertKind.REVIEW_OVERDUE,
        D(2017, 1, 1),
        D(2016, 12, 31),
    )
    assert january.line("zh-CN") == (
        "2017-01-01 YB-7 Dashengzhen/Qinglong [复核逾期] 自 2016-12-31 起未办结：复核“home_visit”于 2017-01-01 到期，"
        "办结时限 2017-01-06，已逾期 25 天（村干部）"
    )
    # February: still not done, still open since December
    (february,) = visits(D(2017, 2, 28))
    assert (february.date, february.open_since) == (D(2017, 2, 1), D(2016, 12, 31))
    # done on 3 March; the visit of April is overdue by the end of April: new, not open since December
    assert (
        visits(D(2017, 3, 31), [ReviewCompleted(id="v1", household_id="YB-7", date=D(2017, 3, 3), review="home_visit")])
        == []
    )
    (april,) = visits(D(2017, 4, 30))
    assert (april.kind, april.date, april.open_since) == (AlertKind.REVIEW_OVERDUE, D(2017, 4, 1), None)
    # run again, the month marks the same
    assert visits(D(2017, 4, 30)) == [april]


# --- still_open, for any alerts ----------------------------------------------------------------------

_SUBJECTS = st.sampled_from(["income_account", "joint_review", "C1", "transition", ""])
_DATES = st.dates(min_value=D(2016, 1, 1), max_value=D(2017, 12, 31))


@st.composite
def _alert(draw: st.DrawFn) -> Alert:
    return Alert(
        kind=draw(st.sampled_from(AlertKind)),
        household_id="H1",
        district="Yubei",
        town="Dashengzhen",
        village="Qinglong",
        policy="p",
        date=draw(_DATES),
        subject=draw(_SUBJECTS),
        detail="said",
        open_since=draw(st.none() | _DATES),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_alert(), max_size=6),
    st.lists(_alert(), max_size=6),
    _DATES,
    st.dictionaries(_SUBJECTS, _DATES, max_size=3),
)
def test_still_open_marks_exactly_what_the_cycle_before_listed_and_is_not_done(
    found: list[Alert], earlier: list[Alert], cycle: dt.date, done: dict[str, dt.date]
) -> None:
    # what a cycle finds is new: alerts_for makes every alert so
    found = [attrs.evolve(alert, open_since=None) for alert in found]
    marked = still_open(found, earlier, cycle, done)
    assert len(marked) == len(found)
    for alert, said in zip(found, marked, strict=True):
        assert attrs.evolve(said, open_since=None) == alert  # nothing else changes
        same = [
            e
            for e in earlier
            if e.kind in STANDING_KINDS
            and (e.kind, e.subject) == (alert.kind, alert.subject)
            and (
                e.date == alert.date if e.kind not in REVIEWS else not (e.subject in done and done[e.subject] >= e.date)
            )
        ]
        if alert.kind not in STANDING_KINDS or not same:
            assert said.is_new
        else:
            # the last one listed of the same item says since when (a cycle lists an item once)
            assert said.open_since == (same[-1].open_since or cycle)
    # the same alerts mark the same; nothing before, nothing marked
    assert still_open(found, earlier, cycle, done) == marked
    assert still_open(found, [], cycle, done) == found
