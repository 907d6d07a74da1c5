"""Facts delivered in any order, some before their date: after every cycle, each household's
checkpoint is the one a full run of its stored facts as of the cycle's date gives.

A fact dated after the cycle used to hold back every fact stored after it: a January file
giving February's assessment before January's applied neither, and a mistyped year (2106)
froze a household's money until then, with no alert.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import Fact, FactCorrected, FactRetracted
from relapse_guard.monitoring import Monitor
from relapse_guard.store import MemoryStore, Store
from relapse_guard.versions import resolve

from .county import county, month_end, records, stored

POLICY = "yubei_2016"
MONTHS = 6
PEOPLE = [(household, [f for f in facts if f.date <= month_end(MONTHS - 1)]) for household, facts in county(24, seed=7)]
ENGINE = Engine(load_policy(POLICY), record_decisions=False)


def _checkpoints(store: Store) -> dict[str, Checkpoint]:
    policy = load_policy(POLICY)
    return {
        hid: Checkpoint.from_bytes(row.body, policy) for hid, row in store.checkpoints(store.household_ids()).items()
    }


def _in_force(facts: list[Fact]) -> list[dt.date]:
    """The dates of the facts' versions in force (a retracted fact has none)."""
    return [fact.date for fact in resolve(facts[0].household_id, facts).facts] if facts else []


def _full_runs(store: Store, households: dict[str, Household], as_of: dt.date) -> dict[str, Checkpoint]:
    """Each household's full run of its stored facts as of its checkpoint's clock (a household
    with nothing new or due is not rescreened): none has a stored fact after its clock, up to
    ``as_of``, that its checkpoint does not include."""
    runs = {}
    for hid, checkpoint in _checkpoints(store).items():
        facts = store.facts(hid)
        clock = checkpoint.clock
        assert clock is not None
        assert clock == as_of or not [day for day in _in_force(facts) if clock < day <= as_of], hid
        runs[hid] = ENGINE.run_checkpointed(households[hid], facts, as_of=clock).checkpoint
    return runs


def _changed(rng: random.Random, fact: IncomeAssessed, month: int) -> Fact:
    """A correction of ``fact`` (its income, or its date moved back or ahead, maybe past the
    last cycle), or its retraction, made on a day of month ``month`` or later."""
    made = month_end(month) - dt.timedelta(days=rng.randint(-40, 20))
    if rng.random() < 0.3:
        return FactRetracted(id=f"{fact.id}-r", household_id=fact.household_id, date=made, retracts=fact.id)
    moved = fact.date + dt.timedelta(days=rng.choice([0, 0, -35, 40, 200, 40_000]))
    replacement = attrs.evolve(fact, date=moved, income_per_capita=fact.income_per_capita + rng.randint(-3000, 3000))
    return FactCorrected(
        id=f"{fact.id}-c", household_id=fact.household_id, date=made, corrects=fact.id, replacement=replacement
    )


def _withdrawn(change: Fact, month: int) -> FactRetracted:
    """A retraction of the correction or retraction ``change``, made in month ``month`` after it."""
    made = max(month_end(month) - dt.timedelta(days=5), change.date + dt.timedelta(days=1))
    return FactRetracted(id=f"{change.id}-w", household_id=change.household_id, date=made, retracts=change.id)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    early=st.floats(0.0, 0.3),
    late=st.floats(0.0, 0.3),
    changed=st.floats(0.0, 0.2),
)
def test_every_cycle_ends_where_a_full_run_of_the_stored_facts_ends(
    seed: int, early: float, late: float, changed: float
) -> None:
    rng = random.Random(seed)
    batches: list[list[Fact]] = [[] for _ in range(MONTHS)]
    for _, facts in PEOPLE:
        for fact in facts:
            month = (fact.date.year - 2016) * 12 + fact.date.month - 1
            draw = rng.random()
            if draw < early:  # delivered before its date: the cycle must wait for it, and only for it
                month -= rng.randint(1, 2)
            elif draw < early + late:
                month += rng.randint(1, 2)
            month = min(max(month, 0), MONTHS - 1)
            batches[month].append(fact)
            if isinstance(fact, IncomeAssessed) and fact.income_per_capita > 3000 and rng.random() < changed:
                later = min(month + rng.randint(0, 2), MONTHS - 1)
                change = _changed(rng, fact, later)
                batches[later].append(change)
                if rng.random() < 0.5:  # withdrawn later: the fact as it was before the change
                    after = min(later + rng.randint(0, 2), MONTHS - 1)
                    batches[after].append(_withdrawn(change, after))
    store = MemoryStore()
    stored(store, PEOPLE)
    monitor = Monitor(store, POLICY, chunk_size=5)
    households = {household.id: household for household, _ in PEOPLE}
    for month, batch in enumerate(batches):
        rng.shuffle(batch)  # in any order within the file
        report = monitor.cycle(records(batch), as_of=month_end(month))
        assert not report.problems
        assert _checkpoints(store) == _full_runs(store, households, month_end(month)), month


def test_a_mistyped_future_date_holds_back_no_other_fact_and_its_retraction_frees_the_household() -> None:
    policy = load_policy(POLICY)
    household = Household(
        id="H1",
        place=Place("Yubei", "T", "V"),
        members=(Member(id="m1", birth_date=dt.date(1975, 1, 1)), Member(id="m2", birth_date=dt.date(1977, 1, 1))),
    )

    def income(fid: str, on: dt.date, amount: int) -> IncomeAssessed:
        return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(amount))

    store = MemoryStore()
    store.put_household(household)
    monitor = Monitor(store, policy)
    monitor.cycle(records([income("i1", dt.date(2016, 1, 10), 2400)]), as_of=dt.date(2016, 1, 31))
    monitor.cycle(records([income("typo", dt.date(2106, 2, 10), 2400)]), as_of=dt.date(2016, 2, 29))
    march = monitor.cycle(records([income("i3", dt.date(2016, 3, 10), 9000)]), as_of=dt.date(2016, 3, 31))
    assert (march.resumed, march.replayed) == (1, 0)  # i3 is new: applied on the checkpoint
    (row,) = store.checkpoints(["H1"]).values()
    assert Checkpoint.from_bytes(row.body, policy).income == Decimal(9000)  # it was still 2400
    assert store.pending_households() == ["H1"]  # the mistyped fact waits for its date
    retracted = FactRetracted(id="ret", household_id="H1", date=dt.date(2016, 4, 5), retracts="typo")
    april = monitor.cycle(records([retracted]), as_of=dt.date(2016, 4, 30))
    assert april.replay_reasons == {"fact corrected": 1}
    assert store.pending_households() == []  # a retracted fact holds nothing back
    (row,) = store.checkpoints(["H1"]).values()
    expected = ENGINE.run_checkpointed(household, store.facts("H1"), as_of=dt.date(2016, 4, 30)).checkpoint
    assert Checkpoint.from_bytes(row.body, policy) == expected


def _yubei_household() -> Household:
    return Household(
        id="H1", place=Place("Yubei", "T", "V"), members=(Member(id="m1", birth_date=dt.date(1970, 1, 1)),)
    )


def test_a_retraction_of_a_retraction_brings_the_fact_back_in_the_cycle() -> None:
    # r2 retracting r1 (which retracted i1) was refused as "not one of the household's facts":
    # every later cycle failed the household, and nothing sent could unfreeze it.
    policy, household = load_policy(POLICY), _yubei_household()
    store = MemoryStore()
    store.put_household(household)
    monitor = Monitor(store, policy)
    first = IncomeAssessed(id="i1", household_id="H1", date=dt.date(2016, 1, 10), income_per_capita=Decimal(2400))
    monitor.cycle(records([first]), as_of=dt.date(2016, 1, 31))
    r1 = FactRetracted(id="r1", household_id="H1", date=dt.date(2016, 2, 1), retracts="i1")
    monitor.cycle(records([r1]), as_of=dt.date(2016, 2, 29))
    r2 = FactRetracted(id="r2", household_id="H1", date=dt.date(2016, 3, 1), retracts="r1")
    march = monitor.cycle(records([r2]), as_of=dt.date(2016, 3, 31))
    assert march.problems == ()
    assert (march.replayed, march.replay_reasons) == (1, {"fact corrected": 1})
    assert store.pending_households() == []
    (row,) = store.checkpoints(["H1"]).values()
    assert Checkpoint.from_bytes(row.body, policy) == (
        ENGINE.run_checkpointed(household, [first], as_of=dt.date(2016, 3, 31)).checkpoint
    )
    kinds = {alert.kind.value for alert in monitor.alerts(dt.date(2016, 3, 31))}
    assert {"replayed", "state_changed"} <= kinds
    april = monitor.cycle([], as_of=dt.date(2016, 4, 30))
    assert (april.problems, april.picked) == ((), 0)


def test_a_withdrawal_waits_for_the_date_of_the_version_it_brings_back() -> None:
    # i1 was typed in March; corrected to January in January; the correction withdrawn in
    # February: i1 is back in March, so the household waits (pending) until the March cycle.
    policy, household = load_policy(POLICY), _yubei_household()
    store = MemoryStore()
    store.put_household(household)
    monitor = Monitor(store, policy)
    typed = IncomeAssessed(id="i1", household_id="H1", date=dt.date(2016, 3, 10), income_per_capita=Decimal(2400))
    moved = FactCorrected(
        id="c1",
        household_id="H1",
        date=dt.date(2016, 1, 20),
        corrects="i1",
        replacement=attrs.evolve(typed, date=dt.date(2016, 1, 10)),
    )
    monitor.cycle(records([typed, moved]), as_of=dt.date(2016, 1, 31))
    assert store.pending_households() == []
    undone = FactRetracted(id="w", household_id="H1", date=dt.date(2016, 2, 5), retracts="c1")
    deliveries: list[tuple[dt.date, list[Fact]]] = [(dt.date(2016, 2, 29), [undone]), (dt.date(2016, 3, 31), [])]
    for month, delivered in deliveries:
        report = monitor.cycle(records(delivered), as_of=month)
        assert report.problems == ()
        (row,) = store.checkpoints(["H1"]).values()
        expected = ENGINE.run_checkpointed(household, store.facts("H1"), as_of=month).checkpoint
        assert Checkpoint.from_bytes(row.body, policy) == expected, month
        # in February the version brought back (10 March) is still to come: the household waits for it
        assert store.pending_households() == (["H1"] if month.month == 2 else [])
    (row,) = store.checkpoints(["H1"]).values()
    assert Checkpoint.from_bytes(row.body, policy).income == Decimal(2400)
