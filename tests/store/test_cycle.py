"""The monthly cycle's store: checkpoints, the pending and due indexes, alerts and cycles (every store)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.errors import CheckpointAhead, InvalidArgument, StoreError, WrongType
from relapse_guard.facts import DEFAULT_FACT_KINDS
from relapse_guard.monitoring import cycle_dates, last_cycle
from relapse_guard.store import SQLiteStore, StoredCheckpoint

from .helpers import KEY, KINDS, StoreLike, household, income, make_store, story
from .test_ingest import record

D = dt.date(2016, 3, 1)


@pytest.fixture
def store(store: StoreLike) -> StoreLike:
    """The shared store, holding the records of the households these tests give facts of (H0 to H4):
    a store keeps no fact of a household without its record."""
    store.put_households(household(f"H{i}") for i in range(5))
    return store


def checkpoint(hid: str, seen: int, event: dt.date | None = None, body: bytes = b"state") -> StoredCheckpoint:
    return StoredCheckpoint(hid, "yubei_2016@2016.1", seen, event, body)


def facts(hid: str, *numbers: int) -> list[Any]:
    return [income(f"{hid}-{n}", D + dt.timedelta(days=n), 3000 + n, hid) for n in numbers]


def alert(text: str) -> str:
    return json.dumps({"risk": text})


# --- the pending index ----------------------------------------------------------------------


def test_appended_and_ingested_households_are_pending(store: StoreLike) -> None:
    assert store.pending_households() == []
    store.append("H2", facts("H2", 1, 2))
    store.ingest([record("f1", hid="H1"), record("f2", hid="H3"), record("bad", hid="H4", amount=-1)])
    store.put_household(household("H5"))  # a record, no facts: nothing to screen
    assert store.pending_households() == ["H1", "H2", "H3"]
    assert store.pending_households(limit=2) == ["H1", "H2"]
    assert store.pending_households(limit=0) == []


def test_duplicates_only_change_nothing_and_leave_a_household_settled(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1, 2))
    store.save_checkpoints("2016-03", [(checkpoint("H1", 2), [])])
    assert store.pending_households() == []
    store.append("H1", facts("H1", 1, 2))  # the same facts again: no new fact
    store.ingest([f.to_dict() for f in facts("H1", 2)])
    assert store.pending_households() == []
    store.ingest([f.to_dict() for f in facts("H1", 3)])
    assert store.pending_households() == ["H1"]


def test_a_checkpoint_of_every_stored_fact_settles_a_household_one_behind_keeps_it(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1, 2, 3))
    store.append("H2", facts("H2", 1, 2))
    store.save_checkpoints("2016-03", [(checkpoint("H1", 3), []), (checkpoint("H2", 1), [])])
    assert store.pending_households() == ["H2"]
    store.save_checkpoints("2016-03", [(checkpoint("H2", 2), [])])
    assert store.pending_households() == []


def test_facts_stored_while_a_household_is_screened_keep_it_pending(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1, 2))
    version, read = store.facts_after({"H1": 0})["H1"]
    store.append("H1", facts("H1", 3))  # arrives while the cycle runs
    store.save_checkpoints("2016-03", [(checkpoint("H1", version), [])])
    assert (version, len(read)) == (2, 2)
    assert store.pending_households() == ["H1"]
    assert store.facts_after({"H1": version})["H1"][0] == 3


def test_an_older_checkpoint_puts_a_household_back_in_the_pending_index(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1, 2))
    store.save_checkpoints("c1", [(checkpoint("H1", 2), [])])
    store.save_checkpoints("c1", [(checkpoint("H1", 1), [])])
    assert store.pending_households() == ["H1"]


def test_a_checkpoint_of_a_household_without_facts_is_kept_and_not_pending(store: StoreLike) -> None:
    store.save_checkpoints("c1", [(checkpoint("H9", 0, D), [])])
    assert store.pending_households() == []
    assert store.checkpoints(["H9"])["H9"].facts_seen == 0


# --- the due index --------------------------------------------------------------------------


def test_due_households_at_the_boundaries(store: StoreLike) -> None:
    day = dt.date(2016, 6, 30)
    store.save_checkpoints(
        "c1",
        [
            (checkpoint("H3", 0, day), []),
            (checkpoint("H1", 0, day - dt.timedelta(days=1)), []),
            (checkpoint("H2", 0, day + dt.timedelta(days=1)), []),
            (checkpoint("H4", 0, None), []),
            (checkpoint("H0", 0, dt.date(1, 1, 1)), []),
            (checkpoint("H5", 0, dt.date(9999, 12, 31)), []),
        ],
    )
    assert store.due_households(day) == ["H0", "H1", "H3"]  # on the day itself too, sorted by id
    assert store.due_households(day - dt.timedelta(days=1)) == ["H0", "H1"]
    assert store.due_households(dt.date(1, 1, 1)) == ["H0"]
    assert store.due_households(dt.date.max) == ["H0", "H1", "H2", "H3", "H5"]  # never H4: no event
    assert store.due_households(day, limit=2) == ["H0", "H1"]


def test_a_replaced_checkpoint_moves_in_the_due_index(store: StoreLike) -> None:
    store.save_checkpoints("c1", [(checkpoint("H1", 0, D), []), (checkpoint("H2", 0, D), [])])
    store.save_checkpoints("c2", [(checkpoint("H1", 0, D + dt.timedelta(days=31)), [])])
    assert store.due_households(D) == ["H2"]
    store.save_checkpoints("c2", [(checkpoint("H2", 0, None), [])])
    assert store.due_households(D) == []
    assert store.due_households(D + dt.timedelta(days=31)) == ["H1"]


# --- reads ----------------------------------------------------------------------------------


def test_checkpoints_read_back_as_stored(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1))
    stored = [checkpoint("H1", 1, D, bytes(range(256)) * 10), checkpoint("H2", 0, None, b"")]
    store.save_checkpoints("c1", [(c, []) for c in stored])
    assert store.checkpoints(["H1", "H2", "H3"]) == {"H1": stored[0], "H2": stored[1]}
    assert store.checkpoints([]) == {}
    assert (store.checkpoint_count(), store.checkpoint_bytes()) == (2, 2560)
    replaced = StoredCheckpoint("H1", "yubei_2016@2017.1", 1, None, b"x")
    store.save_checkpoints("c2", [(replaced, [])])
    assert store.checkpoints(["H1"]) == {"H1": replaced}
    assert (store.checkpoint_count(), store.checkpoint_bytes()) == (2, 1)


def test_households_are_read_in_batches(store: StoreLike) -> None:
    homes = [household(f"H{n:04d}", size=1 + n % 3) for n in range(1200)]
    store.put_households(homes)
    wanted = [h.id for h in homes[::2]] + ["nobody"]
    assert store.households(wanted) == {h.id: h for h in homes[::2]}
    assert store.households(set()) == {}


def test_households_are_read_back_hashed_when_the_store_hashes_ids(store_kind: str) -> None:
    with make_store(store_kind, id_key=KEY) as store:
        store.put_household(household("H1"))
        (read,) = store.households(["H1"]).values()
        assert read == store.household("H1")
        assert read.members[0].id.startswith("h:")


def test_facts_after_a_position_with_the_version_in_batches(store: StoreLike) -> None:
    h = household("H1")
    store.append("H1", story(h))
    many = {f"M{n:04d}": n % 3 for n in range(1100)}
    store.put_households(household(hid, size=1) for hid in many)
    store.ingest([record(f"{hid}-{k}", hid=hid) for hid in many for k in range(2)])
    found = store.facts_after({"H1": 4, "H2": 0, **many})
    assert found["H1"] == (6, story(h)[4:])
    assert found["H2"] == (0, [])
    assert set(found) == {"H1", "H2", *many}
    for hid, position in many.items():
        version, read = found[hid]
        assert version == 2
        assert [f.id for f in read] == [f"{hid}-{k}" for k in range(2)][position:]
    assert store.facts_after({"H1": 6}) == {"H1": (6, [])}
    assert store.facts_after({"H1": 60}) == {"H1": (6, [])}
    assert store.facts_after({}) == {}


def test_facts_after_reads_through_the_kinds_given(store: StoreLike) -> None:
    store.append("H1", story(household("H1")))
    no_kinds = type(DEFAULT_FACT_KINDS)({})
    with pytest.raises(ValueError, match="kind"):
        store.facts_after({"H1": 0}, kinds=no_kinds)


# --- alerts and cycles ----------------------------------------------------------------------


def test_a_cycle_saving_a_household_again_replaces_its_alerts(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1))
    store.append("H2", facts("H2", 1))
    store.save_checkpoints("2016-03", [(checkpoint("H2", 1), [alert("b1")]), (checkpoint("H1", 1), [alert("a1")])])
    # saved again by the cycle (run again): what it found now is the whole of the cycle's
    store.save_checkpoints("2016-03", [(checkpoint("H1", 1), [alert("a2"), alert("a3")])])
    assert store.alerts("2016-03") == [("H1", alert("a2")), ("H1", alert("a3")), ("H2", alert("b1"))]
    store.save_checkpoints("2016-03", [(checkpoint("H1", 1), [])])
    assert store.alerts("2016-03") == [("H2", alert("b1"))]
    # one household twice in one call: its last update
    store.save_checkpoints("2016-03", [(checkpoint("H2", 0), [alert("b2")]), (checkpoint("H2", 1), [alert("b3")])])
    assert store.alerts("2016-03", "H2") == [("H2", alert("b3"))]
    assert store.checkpoints(["H2"])["H2"].facts_seen == 1
    store.save_checkpoints("2016-04", [(checkpoint("H1", 1), [alert("x")])])
    assert store.alerts("2016-04") == [("H1", alert("x"))]
    assert store.alerts("2016-03") == [("H2", alert("b3"))]  # another cycle's alerts stay
    assert store.alerts("2016-05") == []
    assert store.pending_households() == []


def test_a_household_s_base_is_its_checkpoint_before_the_cycle_saved_last(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1, 2))
    store.append("H2", facts("H2", 1))
    march = checkpoint("H1", 1, body=b"march")
    store.save_checkpoints("2016-03", [(march, [])])
    assert store.cycle_bases("2016-03", ["H1", "H2"]) == {"H1": None}  # it had none before March
    store.save_checkpoints("2016-04", [(checkpoint("H1", 2, body=b"april"), []), (checkpoint("H2", 1), [])])
    store.save_checkpoints("2016-04", [(checkpoint("H1", 2, body=b"april, again"), [])])
    assert store.cycle_bases("2016-04", ["H1", "H2", "H9"]) == {"H1": march, "H2": None}
    assert store.cycle_bases("2016-03", ["H1"]) == {}  # only the cycle saved last keeps its bases
    assert store.checkpoints(["H1"])["H1"].body == b"april, again"
    with pytest.raises(WrongType, match="household_ids"):
        store.cycle_bases("2016-04", "H1")
    with pytest.raises(InvalidArgument, match="cycle"):
        store.cycle_bases("", ["H1"])


def test_alert_positions_are_stored_from_one(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        store.save_checkpoints("c", [(checkpoint("H1", 0), [alert("a"), alert("b")])])
        rows = store.connection.execute("SELECT position, body FROM alerts ORDER BY position").fetchall()
        assert rows == [(1, alert("a")), (2, alert("b"))]
        store.save_checkpoints("c", [(checkpoint("H1", 0), [alert("c")])])
        rows = store.connection.execute("SELECT position, body FROM alerts ORDER BY position").fetchall()
        assert rows == [(1, alert("c"))]


def test_the_dates_of_the_cycles_and_the_last(store: StoreLike) -> None:
    assert (cycle_dates(store), last_cycle(store)) == ([], None)
    for name in ("2017-01-31", "2016-12-31", "my-own-record", "2017-02-28"):  # a name of another program's
        store.put_cycle(name, "{}")
    assert cycle_dates(store) == [dt.date(2016, 12, 31), dt.date(2017, 1, 31), dt.date(2017, 2, 28)]
    assert last_cycle(store) == dt.date(2017, 2, 28)


# --- all or nothing -------------------------------------------------------------------------


def _snapshot(store: StoreLike) -> tuple[object, ...]:
    ids = ["H1", "H2", "H3"]
    return (store.checkpoints(ids), store.pending_households(), store.alerts("c"), store.due_households(dt.date.max))


def test_a_checkpoint_ahead_of_its_stream_is_refused_and_nothing_of_the_call_is_stored(store: StoreLike) -> None:
    store.append("H1", facts("H1", 1))
    store.append("H2", facts("H2", 1, 2))
    store.append("H3", facts("H3", 1))
    store.save_checkpoints("c", [(checkpoint("H3", 1, D), [alert("old")])])
    before = _snapshot(store)
    updates = [
        (checkpoint("H1", 1, D), [alert("a")]),
        (checkpoint("H2", 3, D), [alert("b")]),  # the stream holds 2
        (checkpoint("H3", 1, None), [alert("c")]),
    ]
    with pytest.raises(CheckpointAhead) as info:
        store.save_checkpoints("c", updates)
    assert isinstance(info.value, StoreError)
    assert (info.value.household_id, info.value.facts_seen, info.value.version) == ("H2", 3, 2)
    assert "'H2'" in str(info.value)
    assert _snapshot(store) == before
    with pytest.raises(CheckpointAhead):
        store.save_checkpoints("c", [(checkpoint("H9", 1), [])])  # no facts at all


def test_a_failure_inside_save_checkpoints_stores_nothing(store_kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(store_kind)
    store.put_households([household("H1"), household("H2")])
    store.append("H1", facts("H1", 1))
    store.append("H2", facts("H2", 1))
    module = importlib.import_module(f"relapse_guard.store.{store_kind}")
    before = _snapshot(store)

    def explode(self: object, rows: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module._Writer, "insert_alerts", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_checkpoints("c", [(checkpoint("H1", 1, D), [alert("a")]), (checkpoint("H2", 1, D), [])])
    monkeypatch.undo()
    assert _snapshot(store) == before
    assert store.pending_households() == ["H1", "H2"]
    store.close()


def test_a_batch_ingested_and_rolled_back_leaves_the_pending_index(
    store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(store_kind)
    module = importlib.import_module(f"relapse_guard.store.{store_kind}")

    def explode(self: object, rows: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module._Writer, "quarantine", explode)
    with pytest.raises(RuntimeError):
        store.ingest([record("a"), record("bad", amount=-1)])
    monkeypatch.undo()
    assert store.pending_households() == []
    store.close()


# --- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda s: s.pending_households(limit=-1), InvalidArgument, "limit"),
        (lambda s: s.pending_households(limit="3"), WrongType, "limit"),
        (lambda s: s.due_households("2016-03-01"), WrongType, "as_of"),
        (lambda s: s.due_households(dt.datetime(2016, 3, 1, 12)), WrongType, "as_of"),
        (lambda s: s.due_households(D, limit=True), WrongType, "limit"),
        (lambda s: s.checkpoints("H1"), WrongType, "household_ids"),
        (lambda s: s.checkpoints([1]), WrongType, "household_ids"),
        (lambda s: s.households(None), WrongType, "household_ids"),
        (lambda s: s.households(["H\ud800"]), InvalidArgument, "household_ids"),
        (lambda s: s.facts_after(["H1"]), WrongType, "positions"),
        (lambda s: s.facts_after({"H1": -1}), InvalidArgument, "positions['H1']"),
        (lambda s: s.facts_after({"H1": 1.0}), WrongType, "positions['H1']"),
        (lambda s: s.facts_after({2: 1}), WrongType, "positions"),
        (lambda s: s.save_checkpoints("", []), InvalidArgument, "cycle"),
        (lambda s: s.save_checkpoints(3, []), WrongType, "cycle"),
        (lambda s: s.save_checkpoints("c", checkpoint("H1", 0)), WrongType, "updates"),
        (lambda s: s.save_checkpoints("c", [checkpoint("H1", 0)]), WrongType, "updates[0]"),
        (lambda s: s.save_checkpoints("c", [({"household_id": "H1"}, [])]), WrongType, "updates[0]"),
        (lambda s: s.save_checkpoints("c", [(checkpoint("H1", 0), "alert")]), WrongType, "updates[0] alerts"),
        (lambda s: s.save_checkpoints("c", [(checkpoint("H1", 0), [b"{}"])]), WrongType, "updates[0] alerts[0]"),
        (lambda s: s.save_checkpoints("c", [(checkpoint("H1", 0), ["\ud800"])]), InvalidArgument, "alerts[0]"),
        (lambda s: s.alerts(None), WrongType, "cycle"),
        (lambda s: s.alerts("c", 5), WrongType, "household_id"),
        (lambda s: s.put_cycle("c", {"as_of": "2016"}), WrongType, "body"),
        (lambda s: s.put_cycle("c\ud800", "{}"), InvalidArgument, "cycle"),
        (lambda s: s.cycle(b"c"), WrongType, "cycle"),
    ],
)
def test_wrong_arguments_raise_library_errors_naming_them(store: StoreLike, call: Any, error: type, words: str) -> None:
    with pytest.raises(error) as info:
        call(store)
    assert words in str(info.value)
    assert store.checkpoint_count() == 0
    assert store.cycles() == []


@pytest.mark.parametrize(
    ("fields", "error", "words"),
    [
        ({"household_id": ""}, InvalidArgument, "household_id"),
        ({"household_id": 7}, WrongType, "household_id"),
        ({"policy": None}, WrongType, "policy"),
        ({"facts_seen": -1}, InvalidArgument, "facts_seen"),
        ({"facts_seen": True}, WrongType, "facts_seen"),
        ({"next_event": "2016-03-01"}, WrongType, "next_event"),
        ({"next_event": dt.datetime(2016, 3, 1)}, WrongType, "next_event"),
        ({"body": "text"}, WrongType, "body"),
        ({"body": bytearray(b"x")}, WrongType, "body"),
    ],
)
def test_a_checkpoint_refuses_wrong_values(fields: dict[str, object], error: type, words: str) -> None:
    good: dict[str, object] = {"household_id": "H1", "policy": "p@1", "facts_seen": 0, "next_event": D, "body": b""}
    with pytest.raises(error, match=words):
        StoredCheckpoint(**(good | fields))  # type: ignore[arg-type]


def test_a_checkpoint_shows_its_size_not_its_bytes() -> None:
    assert "<3 bytes>" in repr(checkpoint("H1", 0, body=b"abc"))


# --- the pending index under any interleaving ------------------------------------------------

HOUSEHOLDS = ("H1", "H2", "H3")
appends = st.tuples(st.just("append"), st.sampled_from(HOUSEHOLDS), st.integers(1, 3))
saves = st.tuples(st.just("save"), st.lists(st.sampled_from(HOUSEHOLDS), min_size=1, max_size=3), st.integers(0, 3))


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(KINDS), steps=st.lists(st.one_of(appends, saves), max_size=12))
def test_the_pending_index_is_the_households_with_facts_beyond_their_checkpoint(
    kind: str, steps: list[tuple[Any, ...]]
) -> None:
    counter = 0
    with make_store(kind) as store:
        store.put_households(household(hid) for hid in HOUSEHOLDS)
        for step in steps:
            if step[0] == "append":
                _, hid, count = step
                store.append(hid, facts(hid, *range(counter, counter + count)))
                counter += count
            else:
                _, hids, behind = step
                # each checkpoint includes the facts read, less some ("behind"), as a slow screen would
                read = store.facts_after(dict.fromkeys(hids, 0))
                updates = [(checkpoint(hid, max(0, read[hid][0] - behind)), [alert(hid)]) for hid in hids]
                store.save_checkpoints("c", updates)
            stored = store.checkpoints(HOUSEHOLDS)
            expected = [
                hid for hid in HOUSEHOLDS if store.version(hid) > (stored[hid].facts_seen if hid in stored else 0)
            ]
            assert store.pending_households() == expected
