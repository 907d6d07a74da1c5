"""verify() on a small store tampered with, row by row: a single-row edit (of every column),
deletion and swap of neighbours, in the facts, the decisions log, the checkpoint log and the
checkpoints in force, is found and named by sequence number and household, and nothing else is.

The store: three households (two ingested together in two transactions, the third appended), 15
facts, their decisions logged, and two cycles' checkpoints (the second replacing two of the first).
Each kind of tampering is tried on every column, on the rows where the logs change hands (the
first and last, a household's first and last, a transaction's first and last); a hypothesis test
of each log tries any row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, HouseholdResult, load_policy
from relapse_guard.store import ChainHead, ChainProblem, MemoryStore, SQLiteStore, StoredCheckpoint, StoreHeads
from relapse_guard.store.linked import GENESIS_BYTES, fact_payload

from .helpers import KINDS, ChainTamper, StoreLike, Tamper, household, make_store, story

S = TypeVar("S", MemoryStore, SQLiteStore)
AS_OF = dt.date(2019, 6, 30)
HIDS = ("H1", "H2", "H3")
HOMES = [household(hid) for hid in HIDS]
FACTS = {h.id: story(h) if h.id != "H3" else story(h)[:3] for h in HOMES}
RESULTS: list[HouseholdResult] = [Engine(load_policy("yubei_2016")).run(h, FACTS[h.id], as_of=AS_OF) for h in HOMES]


def build(store: S) -> S:
    store.put_households(HOMES)
    # H1's and H2's facts mixed, ingested 8 to a transaction; H3's appended
    records = [fact.to_dict() for pair in zip(FACTS["H1"], FACTS["H2"], strict=True) for fact in pair]
    store.ingest(records, batch_size=8)
    store.append("H3", FACTS["H3"])
    for result in RESULTS:
        store.record_decisions(result)
    store.save_checkpoints(
        "c1", [(StoredCheckpoint(hid, "p@1", store.version(hid), None, f"{hid}-1".encode()), []) for hid in HIDS]
    )
    store.save_checkpoints(
        "c2",
        [
            (StoredCheckpoint(hid, "p@1", store.version(hid), dt.date(2020, 1, 1), f"{hid}-2".encode()), ["{}"])
            for hid in ("H1", "H2")
        ],
    )
    return store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tampering") / "store.db"
    build(SQLiteStore(path)).close()
    return path


@pytest.fixture(params=KINDS)
def small(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Iterator[StoreLike]:
    """The small store, fresh for each test: in memory, or a copy of the template file."""
    if request.param == "memory":
        store: StoreLike = build(MemoryStore())
    else:
        path = tmp_path / "store.db"
        shutil.copyfile(template, path)
        store = SQLiteStore(path)
    yield store
    store.close()


def _facts_households() -> list[str]:
    store = build(MemoryStore())
    return [row[2] for row in store._fact_log]


#: The household of each fact, by sequence number (from 1).
OWNER = ["", *_facts_households()]
FACT_COUNT = len(OWNER) - 1
DECISION_COUNT = sum(len(result.decisions) for result in RESULTS)
#: The checkpoint log: c1 logs H1, H2, H3 (#1-#3), c2 replaces H1's and H2's (#4, #5).
LOG_OWNER = ["", "H1", "H2", "H3", "H1", "H2"]
LATEST = {"H1": 4, "H2": 5, "H3": 3}


def found(store: StoreLike) -> list[tuple[str, str, int, str | None]]:
    report = store.verify()
    assert not report.ok
    assert "NOT intact" in str(report)
    return [(p.log, p.what, p.sequence, p.household_id) for p in report.problems]


def first(store: StoreLike) -> ChainProblem:
    problem = store.verify().first()
    assert problem is not None
    return problem


def test_the_small_store_is_what_the_tests_expect(small: StoreLike) -> None:
    report = small.verify()
    assert report.ok, str(report)
    assert (report.facts, report.entries, report.checkpoints) == (FACT_COUNT, DECISION_COUNT, 5)
    assert FACT_COUNT == 15
    assert OWNER[1:] == ["H1"] * 4 + ["H2"] * 4 + ["H1", "H1", "H2", "H2"] + ["H3"] * 3
    assert report.heads == small.heads()
    assert str(report).startswith(f"store intact: 15 facts (head #15 {report.fact_head.hash[:16]}), ")
    assert small.verify(anchor=small.heads()).ok


# --- facts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_ingest_and_append_make_the_same_chain(kind: str) -> None:
    """Ingest chains its rows in a loop of its own (for speed): the chain is the one append makes."""
    when = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # recorded at the same moment both ways
    facts = {hid: [attrs.evolve(fact, recorded_at=when) for fact in FACTS[hid]] for hid in ("H1", "H2")}
    records = [fact.to_dict() for pair in zip(facts["H1"], facts["H2"], strict=True) for fact in pair]
    ingested, appended = make_store(kind), make_store(kind)
    for each in (ingested, appended):
        each.put_households([household("H1"), household("H2")])
    ingested.ingest(records, batch_size=5)
    for start in range(0, 12, 5):
        for hid in ("H1", "H2"):  # ingest stores a batch's facts in household order
            ids = {r["id"] for r in records[start : start + 5] if r["household_id"] == hid}
            if ids:
                appended.append(hid, [fact for fact in facts[hid] if fact.id in ids])
    assert ingested.heads().facts != ChainHead()
    assert ingested.verify().ok
    assert appended.verify().ok
    assert [row[:7] for row in _rows(ingested)] == [row[:7] for row in _rows(appended)]
    assert ingested.heads().facts == appended.heads().facts


def _rows(store: StoreLike) -> list[tuple[object, ...]]:
    if isinstance(store, MemoryStore):
        return [tuple(row) for row in store._fact_log]
    return store.connection.execute("SELECT * FROM facts ORDER BY seq").fetchall()


EDITABLE_FACT_COLUMNS = ("fact_id", "household_id", "position", "kind", "date", "body", "link", "link_prefix")
#: The facts each single-row change is tried on: the first, the last of the first transaction,
#: the first of the second, the first appended and the last (test_any_single_change_to_the_facts...
#: tries any).
FACT_ROWS = (1, 8, 9, 13, 15)
#: Neighbours swapped: within a household, across households and transactions, the last two.
FACT_NEIGHBOURS = (1, 4, 8, 12, 14)


@pytest.mark.parametrize("column", EDITABLE_FACT_COLUMNS)
@pytest.mark.parametrize("seq", FACT_ROWS)
def test_every_column_of_a_fact_edited_is_named(small: StoreLike, seq: int, column: str) -> None:
    ChainTamper(small).edit("facts", seq, column)
    assert found(small) == [("facts", "edited", seq, OWNER[seq])]


@pytest.mark.parametrize("seq", FACT_ROWS)
def test_a_fact_rewritten_with_its_prefix_recomputed_is_named(small: StoreLike, seq: int) -> None:
    """Its content and its prefix changed together: the next fact's link (or the head) gives it away."""
    tamper = ChainTamper(small)
    _, _, _, position, _, _, body, link = tamper.row("facts", seq)
    forged = body.replace('"date":"', '"date":"1', 1).replace('"date":"12', '"date":"20', 1)
    tamper.set("facts", seq, "body", forged)
    tamper.set("facts", seq, "link", link[:32] + _after(link[:32], fact_payload(position, forged))[:8])
    problems = found(small)
    assert problems[0] == ("facts", "edited", seq, OWNER[seq])
    assert {p[2] for p in problems} == {seq}


@pytest.mark.parametrize("seq", FACT_ROWS)
def test_a_link_rewritten_with_its_prefix_recomputed_is_named(small: StoreLike, seq: int) -> None:
    tamper = ChainTamper(small)
    _, _, _, position, _, _, body, link = tamper.row("facts", seq)
    other = bytes(32) if link[:32] != bytes(32) else b"\x01" * 32
    tamper.set("facts", seq, "link", other + _after(other, fact_payload(position, body))[:8])
    assert found(small) == [("facts", "edited", seq, OWNER[seq])]


@pytest.mark.parametrize("seq", FACT_ROWS)
def test_a_fact_deleted_is_named_with_its_household(small: StoreLike, seq: int) -> None:
    ChainTamper(small).delete("facts", seq)
    problems = small.verify().problems
    assert [(p.log, p.what, p.sequence, p.household_id) for p in problems] == [("facts", "deleted", seq, OWNER[seq])]
    assert problems[0].detail == f"fact #{seq} is missing (household {OWNER[seq]!r} lacks it)"


@pytest.mark.parametrize("seq", FACT_NEIGHBOURS)
def test_two_neighbouring_facts_swapped_are_named(small: StoreLike, seq: int) -> None:
    ChainTamper(small).swap("facts", seq, seq + 1)
    # which of two neighbours moved cannot be told: the first place is named, with the fact found there
    assert found(small) == [("facts", "reordered", seq, OWNER[seq + 1])]
    assert small.verify().problems[0].detail.startswith("it is out of order: found ")


@pytest.mark.parametrize(("a", "b"), [(1, 15), (2, 9), (5, 12), (3, 6)])
def test_two_facts_far_apart_swapped_are_both_named(small: StoreLike, a: int, b: int) -> None:
    ChainTamper(small).swap("facts", a, b)
    assert found(small) == [("facts", "reordered", a, OWNER[b]), ("facts", "reordered", b, OWNER[a])]


@pytest.mark.parametrize("seq", [1, 7, 14])
def test_a_fact_moved_past_the_end_is_named_where_it_is_and_where_it_belongs(small: StoreLike, seq: int) -> None:
    ChainTamper(small).move("facts", seq, 99)
    (problem,) = small.verify().problems
    assert (problem.what, problem.sequence, problem.household_id) == ("reordered", 99, OWNER[seq])
    belongs = "its link puts it first" if seq == 1 else f"its link puts it after fact #{seq - 1}"
    assert problem.detail.endswith(belongs)


def test_two_facts_of_a_household_swapped_in_its_stream_are_both_named(small: StoreLike) -> None:
    tamper = ChainTamper(small)
    tamper.set("facts", 2, "position", 100)
    tamper.set("facts", 1, "position", 2)
    tamper.set("facts", 2, "position", 1)
    assert found(small) == [("facts", "edited", 1, "H1"), ("facts", "edited", 2, "H1")]


def test_a_fact_added_past_the_head_is_found_even_when_chained(small: StoreLike) -> None:
    tamper = ChainTamper(small)
    last = tamper.row("facts", 15)
    forged_body = last[6].replace("H3-inc2", "H3-forged")
    previous = _after(last[7][:32], fact_payload(last[3], last[6]))
    link = previous + _after(previous, fact_payload(4, forged_body))[:8]
    tamper.add("facts", (16, "H3-forged", "H3", 4, last[4], last[5], forged_body, link))
    assert found(small) == [("facts", "inserted", 16, None)]


def test_the_last_facts_deleted_are_found_against_the_recorded_head(small: StoreLike) -> None:
    tamper = ChainTamper(small)
    tamper.delete("facts", 15)
    tamper.delete("facts", 14)
    (problem,) = small.verify().problems
    assert (problem.what, problem.sequence, problem.household_id) == ("deleted", 14, "H3")
    assert problem.detail == "facts #14 to #15 are missing (household 'H3' lacks it)"


def test_a_facts_chain_rewritten_whole_is_found_by_the_heads_kept_elsewhere(small: StoreLike) -> None:
    anchor = small.heads()
    tamper = ChainTamper(small)
    previous = GENESIS_BYTES
    for seq in range(1, FACT_COUNT + 1):  # every fact's content changed, every link recomputed
        _, _, _, position, _, _, body, _ = tamper.row("facts", seq)
        forged = body.replace('"2015-', '"2014-')
        after = _after(previous, fact_payload(position, forged))
        tamper.set("facts", seq, "body", forged)
        tamper.set("facts", seq, "date", tamper.row("facts", seq)[5].replace("2015-", "2014-"))
        tamper.set("facts", seq, "link", previous + after[:8])
        previous = after
    _set_head(small, "facts", ChainHead(FACT_COUNT, previous.hex()))
    assert small.verify().ok  # a forger who can rewrite the whole file ...
    caught = small.verify(anchor=anchor)  # ... is given away by the heads kept elsewhere
    assert [(p.log, p.what, p.sequence) for p in caught.problems] == [("facts", "edited", FACT_COUNT)]
    only_decisions = small.verify(anchor=anchor.decisions)  # a decisions head alone checks the decisions
    assert only_decisions.ok


# --- the decisions log ----------------------------------------------------------------------------

DECISION_COLUMNS = ("household_id", "policy", "digest", "payload", "previous_hash", "hash")


def _decision_owner(seq: int) -> str:
    counts = [len(result.decisions) for result in RESULTS]
    for hid, count in zip(HIDS, counts, strict=True):
        if seq <= count:
            return hid
        seq -= count
    raise AssertionError


def _decision_rows() -> tuple[int, ...]:
    """Each household's first and last decision, and the one in the middle of the log."""
    rows, last = {(DECISION_COUNT + 1) // 2}, 0
    for result in RESULTS:
        rows |= {last + 1, last + len(result.decisions)}
        last += len(result.decisions)
    return tuple(sorted(rows))


#: The decisions each single-row change is tried on (test_any_single_change_to_the_decisions...
#: tries any).
DECISION_ROWS = _decision_rows()


@pytest.mark.parametrize("column", DECISION_COLUMNS)
@pytest.mark.parametrize("seq", DECISION_ROWS)
def test_every_column_of_a_decision_edited_is_named(small: StoreLike, seq: int, column: str) -> None:
    ChainTamper(small).edit_decision(seq, column)
    assert found(small) == [("decisions", "edited", seq, _decision_owner(seq))]


@pytest.mark.parametrize("seq", DECISION_ROWS)
def test_a_decision_deleted_is_named(small: StoreLike, seq: int) -> None:
    Tamper(small).delete(seq)
    assert found(small) == [("decisions", "deleted", seq, None)]


@pytest.mark.parametrize("seq", [seq for seq in DECISION_ROWS if seq < DECISION_COUNT])
def test_two_neighbouring_decisions_swapped_are_named(small: StoreLike, seq: int) -> None:
    Tamper(small).swap(seq, seq + 1)
    (problem,) = found(small)
    assert problem[:2] == ("decisions", "reordered")
    assert problem[2] in (seq, seq + 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_change_to_the_decisions_is_found_where_it_happened(small: StoreLike, data: st.DataObject) -> None:
    # each example tampers with a fresh store: the fixture's is only the first
    store: StoreLike = build(MemoryStore()) if data.draw(st.booleans(), label="memory") else _copy_sqlite(small)
    how = data.draw(st.sampled_from(["edit", "delete", "swap"]), label="how")
    seq = data.draw(st.integers(1, DECISION_COUNT), label="seq")
    if how == "edit":
        ChainTamper(store).edit_decision(seq, data.draw(st.sampled_from(DECISION_COLUMNS), label="column"))
        assert found(store) == [("decisions", "edited", seq, _decision_owner(seq))]
    elif how == "delete":
        Tamper(store).delete(seq)
        assert found(store) == [("decisions", "deleted", seq, None)]
    else:
        first = min(seq, DECISION_COUNT - 1)
        Tamper(store).swap(first, first + 1)
        (problem,) = found(store)
        assert problem[:2] == ("decisions", "reordered")
        assert problem[2] in (first, first + 1)
    store.close()


# --- the checkpoint log and the checkpoints in force ---------------------------------------------

LOG_COLUMNS = ("household_id", "cycle", "digest", "link", "link_prefix")


@pytest.mark.parametrize("column", LOG_COLUMNS)
@pytest.mark.parametrize("seq", range(1, 6))
def test_every_column_of_every_checkpoint_entry_edited_is_named(small: StoreLike, seq: int, column: str) -> None:
    ChainTamper(small).edit("checkpoint_log", seq, column)
    problems = found(small)
    if column == "household_id" and LATEST[LOG_OWNER[seq]] != seq:
        # an entry since replaced, its household changed: nothing else says whose it was
        assert problems == [("checkpoints", "edited", seq, LOG_OWNER[seq] + "-x")]
    else:
        assert problems == [("checkpoints", "edited", seq, LOG_OWNER[seq])]


@pytest.mark.parametrize("seq", range(1, 6))
def test_every_checkpoint_entry_deleted_is_named(small: StoreLike, seq: int) -> None:
    ChainTamper(small).delete("checkpoint_log", seq)
    # the entry of a checkpoint in force is named with its household; an entry since replaced is not
    owner = LOG_OWNER[seq] if LATEST[LOG_OWNER[seq]] == seq else None
    assert found(small) == [("checkpoints", "deleted", seq, owner)]


@pytest.mark.parametrize("seq", range(1, 5))
def test_every_two_neighbouring_checkpoint_entries_swapped_are_named(small: StoreLike, seq: int) -> None:
    ChainTamper(small).swap("checkpoint_log", seq, seq + 1)
    problems = found(small)
    assert problems[0][:3] == ("checkpoints", "reordered", seq)
    assert {p[2] for p in problems} <= {seq, seq + 1}


CHECKPOINT_COLUMNS = ("policy", "facts_seen", "next_event", "body", "seq")


@pytest.mark.parametrize("column", CHECKPOINT_COLUMNS)
@pytest.mark.parametrize("hid", HIDS)
def test_every_column_of_every_checkpoint_in_force_edited_is_named(small: StoreLike, hid: str, column: str) -> None:
    tamper = ChainTamper(small)
    if column == "seq":
        tamper.set_checkpoint(hid, (*tamper.checkpoint(hid)[:5], LATEST[hid] - 1))
        wanted = LATEST[hid] - 1
    else:
        tamper.edit_checkpoint(hid, column)
        wanted = LATEST[hid]
    assert found(small) == [("checkpoints", "edited", wanted, hid)]


@pytest.mark.parametrize("hid", HIDS)
def test_every_checkpoint_in_force_deleted_is_named(small: StoreLike, hid: str) -> None:
    ChainTamper(small).delete_checkpoint(hid)
    assert found(small) == [("checkpoints", "deleted", LATEST[hid], hid)]


def test_an_older_checkpoint_put_back_is_found(small: StoreLike) -> None:
    tamper = ChainTamper(small)
    tamper.set_checkpoint("H1", ("H1", "p@1", 6, None, b"H1-1", 1))  # exactly what cycle c1 saved
    (problem,) = small.verify().problems
    assert (problem.log, problem.what, problem.sequence, problem.household_id) == ("checkpoints", "edited", 1, "H1")
    assert "its latest is #4" in problem.detail


def test_two_households_checkpoints_exchanged_are_both_found(small: StoreLike) -> None:
    tamper = ChainTamper(small)
    one, two = tamper.checkpoint("H1"), tamper.checkpoint("H2")
    tamper.set_checkpoint("H1", ("H1", *two[1:]))
    tamper.set_checkpoint("H2", ("H2", *one[1:]))
    assert found(small) == [("checkpoints", "edited", 4, "H2"), ("checkpoints", "edited", 5, "H1")]


# --- any one change, anywhere (hypothesis) --------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_change_to_the_facts_is_found_where_it_happened(small: StoreLike, data: st.DataObject) -> None:
    # each example tampers with a fresh store: the fixture's is only the first
    store: StoreLike = build(MemoryStore()) if data.draw(st.booleans(), label="memory") else _copy_sqlite(small)
    tamper = ChainTamper(store)
    how = data.draw(st.sampled_from(["edit", "delete", "swap", "move"]), label="how")
    seq = data.draw(st.integers(1, FACT_COUNT), label="seq")
    if how == "edit":
        tamper.edit("facts", seq, data.draw(st.sampled_from(EDITABLE_FACT_COLUMNS), label="column"))
        wanted = ("edited", seq)
    elif how == "delete":
        tamper.delete("facts", seq)
        wanted = ("deleted", seq)
    elif how == "swap":
        other = data.draw(st.integers(1, FACT_COUNT).filter(lambda n: n != seq), label="other")
        tamper.swap("facts", seq, other)
        wanted = ("reordered", min(seq, other))
    else:
        tamper.move("facts", seq, 1000)
        # the last fact renumbered is still where its link puts it: its number was edited
        wanted = ("edited", 1000) if seq == FACT_COUNT else ("reordered", 1000)
    report = store.verify()
    problem = report.first()
    assert problem is not None
    assert (problem.log, problem.what, problem.sequence) == ("facts", *wanted)
    assert {p.log for p in report.problems} == {"facts"}
    store.close()


def _copy_sqlite(small: StoreLike) -> SQLiteStore:
    if isinstance(small, SQLiteStore):
        copy = SQLiteStore(":memory:")
        small.connection.backup(copy.connection)
        return copy
    return build(SQLiteStore(":memory:"))


# --- helpers ----------------------------------------------------------------------------------------


def _after(previous: bytes, payload: str) -> bytes:
    import hashlib

    return hashlib.sha256(previous + payload.encode()).digest()


def _set_head(store: StoreLike, name: str, head: ChainHead) -> None:
    if isinstance(store, SQLiteStore):
        sql = "UPDATE chain_heads SET seq = ?, hash = ? WHERE name = ?"
        store.connection.execute(sql, (head.sequence, head.hash, name))
    else:
        store._tables.fact_head = head


def test_heads_type_is_checked(small: StoreLike) -> None:
    with pytest.raises(TypeError, match="anchor"):
        small.verify(anchor="abc")  # type: ignore[arg-type]
    assert small.verify(anchor=StoreHeads()).ok


# --- values of another type -----------------------------------------------------------------------

OTHER_TYPES = (3, 2.5, b"\x00\x01", "text", "")
COLUMNS_OF = {
    "facts": ("seq", "fact_id", "household_id", "position", "kind", "date", "body", "link"),
    "checkpoint_log": ("seq", "household_id", "cycle", "digest", "link"),
    "checkpoints": ("household_id", "policy", "facts_seen", "next_event", "body", "seq"),
}


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, columns in COLUMNS_OF.items() for c in columns])
def test_a_column_given_a_value_of_another_type_is_found_and_never_crashes_verify(
    template: Path, tmp_path: Path, table: str, column: str
) -> None:
    where = {"facts": "seq = 2", "checkpoint_log": "seq = 2", "checkpoints": "household_id = 'H2'"}[table]
    for number, value in enumerate(OTHER_TYPES):
        path = tmp_path / f"{number}.db"
        shutil.copyfile(template, path)
        with SQLiteStore(path) as store:
            ChainTamper(store)
            db = store.connection
            (before,) = db.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchone()
            if before == value and type(before) is type(value):
                continue
            try:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value,))
            except sqlite3.IntegrityError:
                continue  # a constraint refuses it: the table never holds it
            report = store.verify()
            assert not report.ok, (column, value)
            assert {p.log for p in report.problems} == {"checkpoints" if table != "facts" else "facts"}
