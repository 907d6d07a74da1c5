"""The monthly cycle over a store: twelve months of a generated county, delivered month by
month with late reports, end where a full replay of every fact ends; a cycle run twice
changes nothing; a cycle killed part way and run again counts nothing twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.errors import InvalidArgument, WrongType
from relapse_guard.monitoring import AlertKind, CycleReport, Monitor, OnePolicy
from relapse_guard.monitoring.rescreen import Rescreener
from relapse_guard.store import IngestReport, MemoryStore, SQLiteStore, Store

from .county import MONTHS, county, month_end, monthly_batches, records, stored

HERE = Path(__file__).resolve().parent
POLICY = "yubei_2016"


def _checkpoints(store: Store) -> dict[str, Checkpoint]:
    policy = load_policy(POLICY)
    found = store.checkpoints(store.household_ids())
    return {hid: Checkpoint.from_bytes(row.body, policy) for hid, row in found.items()}


def _twelve_months(store: Store, **options: object) -> list[object]:
    people = county()
    stored(store, people)
    monitor = Monitor(store, POLICY, chunk_size=25, **options)  # type: ignore[arg-type]
    return [
        monitor.cycle(records(batch), as_of=month_end(month)) for month, batch in enumerate(monthly_batches(people))
    ]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_twelve_monthly_cycles_end_where_a_full_replay_ends(kind: str, tmp_path: Path) -> None:
    store: Store = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "county.db")
    reports = _twelve_months(store)
    engine = Engine(load_policy(POLICY), record_decisions=False)
    final = month_end(MONTHS - 1)
    people = county()
    checkpoints = _checkpoints(store)
    for household, facts in people:
        if not facts:
            continue
        assert checkpoints[household.id] == engine.run_checkpointed(household, facts, as_of=final).checkpoint
    assert sum(r.resumed for r in reports) > 0  # type: ignore[attr-defined]
    assert sum(r.replayed for r in reports) > 0  # type: ignore[attr-defined]  # the late reports
    assert "late fact" in set().union(*(r.replay_reasons for r in reports))  # type: ignore[attr-defined]
    assert not store.pending_households()


def test_a_cycle_run_twice_changes_nothing_and_gives_the_same_alerts(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "county.db")
    people = county(60)
    stored(store, people)
    batches = monthly_batches(people)
    monitor = Monitor(store, POLICY, chunk_size=10)
    for month in range(3):
        monitor.cycle(records(batches[month]), as_of=month_end(month))
    before = {hid: row.body for hid, row in store.checkpoints(store.household_ids()).items()}
    alerts = monitor.alerts(month_end(2))
    again = monitor.cycle(records(batches[2]), as_of=month_end(2))
    assert again.ingest.stored == 0
    assert again.rescreened == 0
    assert {hid: row.body for hid, row in store.checkpoints(store.household_ids()).items()} == before
    assert monitor.alerts(month_end(2)) == alerts
    assert sum(again.alert_counts.values()) == len(alerts)


def test_households_with_nothing_new_are_rescreened_when_their_clock_falls_due() -> None:
    store = MemoryStore()
    people = county(80)
    stored(store, people)
    batches = monthly_batches(people, late_share=0)
    monitor = Monitor(store, POLICY)
    for month in range(MONTHS):
        monitor.cycle(records(batches[month]), as_of=month_end(month))
    # Next year no facts at all: the exited households start their transition period on 1 January.
    exited = [hid for hid, c in _checkpoints(store).items() if c.state.value == "exited"]
    assert exited
    due = set(store.due_households(dt.date(2017, 1, 31)))  # before the cycle moves their clocks on
    january = monitor.cycle([], as_of=dt.date(2017, 1, 31))
    assert january.picked == len(due | set(exited))
    changed = {a.household_id for a in monitor.alerts(dt.date(2017, 1, 31), kinds=[AlertKind.STATE_CHANGED])}
    assert set(exited) <= changed
    assert all(_checkpoints(store)[hid].state.value == "monitored" for hid in exited)


def test_two_workers_give_what_one_gives(tmp_path: Path) -> None:
    one, two = SQLiteStore(tmp_path / "one.db"), SQLiteStore(tmp_path / "two.db")
    _twelve_months(one)
    _twelve_months(two, workers=2, open_store=two.opener())
    assert {h: r.body for h, r in one.checkpoints(one.household_ids()).items()} == {
        h: r.body for h, r in two.checkpoints(two.household_ids()).items()
    }
    for month in range(MONTHS):
        assert sorted(one.alerts(month_end(month).isoformat())) == sorted(two.alerts(month_end(month).isoformat()))


def test_a_cycle_killed_part_way_and_run_again_counts_nothing_twice(tmp_path: Path) -> None:
    path, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    for target in (path, clean):
        with SQLiteStore(target) as store:
            _twelve_months_prefix(store, months=2)
    command = [sys.executable, str(HERE / "cycle_worker.py"), str(path), "2"]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.split()[0] == "chunk" and int(line.split()[1]) >= 2:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with SQLiteStore(path) as killed, SQLiteStore(clean) as whole:
        assert killed.pending_households()  # some chunks were not done
        people = county()
        batch = monthly_batches(people)[2]
        rerun = Monitor(killed, POLICY, chunk_size=10).cycle(records(batch), as_of=month_end(2))
        full = Monitor(whole, POLICY, chunk_size=10).cycle(records(batch), as_of=month_end(2))
        assert rerun.ingest.stored == 0  # the killed run had stored the month's facts
        assert 0 < rerun.rescreened < full.rescreened
        assert {h: r.body for h, r in killed.checkpoints(killed.household_ids()).items()} == {
            h: r.body for h, r in whole.checkpoints(whole.household_ids()).items()
        }
        assert sorted(killed.alerts(month_end(2).isoformat())) == sorted(whole.alerts(month_end(2).isoformat()))
        assert rerun.alert_counts == full.alert_counts
        # the lock died with the killed run; its record stayed, with what it had done
        first, second = Monitor(killed, POLICY).runs(month_end(2))
        assert (first["finished"], second["finished"], second["run"]) == (False, True, 2)
        assert first["ingest"]["stored"] == full.ingest.stored
        assert first["rescreened"] + second["rescreened"] == full.rescreened


def _twelve_months_prefix(store: Store, *, months: int) -> None:
    people = county()
    stored(store, people)
    monitor = Monitor(store, POLICY, chunk_size=10)
    for month, batch in enumerate(monthly_batches(people)[:months]):
        monitor.cycle(records(batch), as_of=month_end(month))


def test_monitor_refuses_what_it_cannot_use() -> None:
    store = MemoryStore()
    with pytest.raises(WrongType, match="policy map"):
        Monitor(store, 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="chunk_size"):
        Monitor(store, POLICY, chunk_size=0)
    with pytest.raises(InvalidArgument, match="open_store"):
        Monitor(store, POLICY, workers=2)
    with pytest.raises(WrongType, match="as_of"):
        Monitor(store, POLICY).cycle([], as_of="2016-01-31")  # type: ignore[arg-type]


#: Alerts a cycle gives from the date alone, with no new fact (a household picked again gives them again).
FALLING_DUE = {
    AlertKind.REVIEW_DUE,
    AlertKind.REVIEW_OVERDUE,
    AlertKind.CASE_STEP_DUE,
    AlertKind.CASE_STEP_OVERDUE,
    AlertKind.TRANSITION_ENDING,
}


@pytest.mark.parametrize("record_decisions", [False, True])
def test_a_cycle_run_again_does_not_repeat_the_alerts_of_a_household_still_pending(record_decisions: bool) -> None:
    # A fact dated after the cycle's date keeps its household pending: each run of the cycle
    # picks it again, and must not store its reviews overdue a second time.
    store = MemoryStore()
    people = county(60)
    stored(store, people)
    monitor = Monitor(store, "dazu_2016", record_decisions=record_decisions)
    monitor.cycle(records([fact for _, facts in people for fact in facts]), as_of=month_end(MONTHS - 1))
    january = dt.date(2017, 1, 31)
    monitor.cycle([], as_of=january)
    due = sorted({alert.household_id for alert in monitor.alerts(january) if alert.kind in FALLING_DUE})
    assert due, "the county has reviews overdue in January"
    hid = due[0]
    later = next(fact for household, facts in people if household.id == hid for fact in facts)
    future = {**later.to_dict(), "id": f"{hid}-future", "date": "2017-03-05"}
    before = monitor.alerts(january)
    for _ in range(2):
        again = monitor.cycle([future], as_of=january)
        assert hid in store.pending_households()  # its March fact waits for March's cycle
        assert monitor.alerts(january) == before
        assert sum(again.alert_counts.values()) == len(before)


def test_a_cycle_recording_decisions_replays_checkpoints_made_without_them_and_says_so() -> None:
    store = MemoryStore()
    people = county(30)
    stored(store, people)
    batches = monthly_batches(people, late_share=0)
    Monitor(store, POLICY).cycle(records(batches[0]), as_of=month_end(0))
    report = Monitor(store, POLICY, record_decisions=True).cycle(records(batches[1]), as_of=month_end(1))
    assert report.replayed == report.rescreened > 0
    assert report.replay_reasons == {"decisions wanted": report.replayed}


def test_a_cycle_dated_before_the_last_cycle_is_refused_and_changes_nothing() -> None:
    store = MemoryStore()
    people = county(30)
    stored(store, people)
    batches = monthly_batches(people, late_share=0)
    monitor = Monitor(store, POLICY)
    monitor.cycle(records(batches[0] + batches[1]), as_of=month_end(1))
    before = {hid: row.body for hid, row in store.checkpoints(store.household_ids()).items()}
    with pytest.raises(InvalidArgument, match=r"2016-01-31 is before the last cycle, as of 2016-02-29"):
        monitor.cycle(records(batches[2]), as_of=month_end(0))
    assert {hid: row.body for hid, row in store.checkpoints(store.household_ids()).items()} == before
    assert not store.pending_households()  # nothing was ingested either
    monitor.cycle([], as_of=month_end(1))  # the same date again is a run repeated, not refused


def test_a_household_whose_checkpoint_is_later_than_the_cycle_is_refused_not_rewound() -> None:
    # A cycle killed part way by a version that recorded a run only when it finished left no
    # record of its date; its households' checkpoints are later than an earlier cycle run after
    # it, which must not rewind them (the facts it dropped would be counted as seen, and never applied).
    store = MemoryStore()
    people = county(30)
    stored(store, people)
    batches = monthly_batches(people, late_share=0)
    hid = people[0][0].id
    rescreener = Rescreener(store, OnePolicy(POLICY), as_of=month_end(1), cycle=month_end(1).isoformat())
    store.ingest(records(batches[0] + batches[1]))
    rescreener.chunk([hid])  # February's cycle, killed after this household
    before = store.checkpoints([hid])[hid]
    january = Rescreener(store, OnePolicy(POLICY), as_of=month_end(0), cycle=month_end(0).isoformat())
    outcome = january.chunk([hid])
    (problem,) = outcome.problems
    assert (problem.household_id, problem.kind) == (hid, "refused")
    assert "cycles run in date order" in problem.message
    assert store.checkpoints([hid])[hid] == before


class _Switch:
    """Yubei's policy until June 2016, then the same rules with the safety-net standard at 330."""

    def __init__(self) -> None:
        self.before = load_policy(POLICY)
        self.after = self.before.derive(
            name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}}
        )

    def policy_for(self, place: object, on: dt.date) -> object:
        return self.before if on < dt.date(2016, 7, 1) else self.after

    def policies(self) -> dict[str, object]:
        return {policy.name: policy for policy in (self.before, self.after)}


def test_after_a_policy_change_the_alerts_compare_with_the_checkpoint_made_under_the_old_one() -> None:
    store = MemoryStore()
    people = county(80)
    stored(store, people)
    batches = monthly_batches(people, late_share=0)
    switch = _Switch()
    monitor = Monitor(store, switch, chunk_size=20)  # type: ignore[arg-type]
    for month in range(6):
        monitor.cycle(records(batches[month]), as_of=month_end(month))
    june = {
        hid: Checkpoint.from_bytes(row.body, switch.before)
        for hid, row in store.checkpoints(store.household_ids()).items()
    }
    july = monitor.cycle(records(batches[6]), as_of=month_end(6))
    assert july.replayed == len(june)  # every checkpoint was made under the old policy
    alerts = monitor.alerts(month_end(6))
    new_risks = [alert for alert in alerts if alert.kind is AlertKind.NEW_RISK]
    changed = {alert.household_id for alert in alerts if alert.kind is AlertKind.STATE_CHANGED}
    now = {
        hid: Checkpoint.from_bytes(row.body, switch.after)
        for hid, row in store.checkpoints(store.household_ids()).items()
    }
    # A risk known in June is not new in July, and a state is compared with June's.
    assert all(alert.subject not in june[alert.household_id].risk_keys for alert in new_risks)
    assert changed == {hid for hid in june if now[hid].state is not june[hid].state}
    assert any(june[hid].risk_keys for hid in june)  # there were risks to announce again


def test_the_summary_groups_counts_by_thousands_in_english_and_chinese() -> None:
    report = CycleReport(
        cycle="2017-01-31",
        as_of=dt.date(2017, 1, 31),
        ingest=IngestReport(records=1_250_000, stored=1_234_567, duplicates=15_433, quarantined=1_000, batches=3),
        picked=1_002_003,
        rescreened=1_002_000,
        started=2_000,
        resumed=1_000_000,
        quiet=912_345,
        replayed=3_456,
        replay_reasons={"late fact": 3_456},
        districts={("Yubei", "yubei_2016@2016.1"): 1_002_000},
        problems=(),
        alert_counts={"new_risk": 12_345},
        seconds=61.0,
    )
    assert report.summary().splitlines() == [
        "cycle 2017-01-31: 1,234,567 facts stored (15,433 duplicates, 1,000 quarantined); 1,002,003 households "
        "picked, 1,002,000 rescreened (1,000,000 resumed, 912,345 of them quiet, 3,456 replayed, 2,000 first "
        "screened) in 61.0 s",
        "  replayed: 3,456 late fact",
        "  Yubei under yubei_2016@2016.1: 1,002,000 households",
        "  alerts: 12,345 new risk",
    ]
    chinese = report.summary("zh-CN")
    for grouped in ("1,234,567", "912,345", "3,456", "1,002,000", "12,345"):
        assert grouped in chinese
    assert "3,456 迟报事实" in chinese  # the reason was said in English: "3,456 late fact"
    assert "late fact" not in chinese


def test_a_top_up_carried_on_at_the_same_amount_is_not_announced_as_ended_and_started() -> None:
    # A re-check that sets the amount again (the same) ends the piece in force and starts one of
    # the same amount from the next month: nothing a caseworker acts on. A new amount is one
    # change, from the old amount to the new.
    import attrs

    from relapse_guard.monitoring.alerts import alerts_for

    policy = load_policy(POLICY)
    people = county(40)
    engine = Engine(policy)
    june = dt.date(2016, 6, 30)
    old = next(
        checkpoint
        for household, facts in people
        if (checkpoint := engine.run_checkpointed(household, facts, as_of=june).checkpoint).grants
        and any(g.is_entitlement and g.ends is None for g in checkpoint.grants)
    )
    index, piece = next((i, g) for i, g in enumerate(old.grants) if g.is_entitlement and g.ends is None)
    assert piece.amount is not None
    same, more = piece.amount, piece.amount + 1
    july = dt.date(2016, 7, 1)

    def carried_on(amount: Decimal) -> list[tuple[AlertKind, str]]:
        ended = piece.with_term(starts=piece.starts, ends=july, prorated=piece.prorated)
        new = attrs.evolve(piece, date=dt.date(2016, 6, 20), amount=amount, starts=july)
        grants = (*old.grants[:index], ended, *old.grants[index + 1 :], new)
        found = alerts_for(old, attrs.evolve(old, grants=grants), policy=policy, as_of=june, district="Yubei")
        return [(a.kind, a.detail) for a in found if a.kind.value.startswith("grant_")]

    assert carried_on(same) == []
    assert carried_on(more) == [
        (
            AlertKind.GRANT_CHANGED,
            f"{piece.intervention} changed from {same} to {more} yuan a month from 2016-07-01 (raised by 1.00)",
        ),
    ]
