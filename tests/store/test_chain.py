"""The decisions log: stored with the policy that decided, chained, and verified (every store)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, HouseholdResult, Policy, load_policy
from relapse_guard.store import ChainHead, MemoryStore, VerificationReport, replay
from relapse_guard.store.chain import GENESIS, LogRow, chain_hash, verify_chain

from .helpers import KINDS, StoreLike, Tamper, household, income, make_store, story

AS_OF = dt.date(2019, 6, 30)
YUBEI = load_policy("yubei_2016")


def logged(store: StoreLike, policy: Policy, hids: tuple[str, ...] = ("H1", "H2")) -> list[HouseholdResult]:
    """Store the story of each household, run it and log its decisions."""
    results = []
    for hid in hids:
        h = household(hid)
        store.put_household(h)
        store.append(hid, story(h))
        result = replay(store, hid, policy, as_of=AS_OF)
        store.record_decisions(result)
        results.append(result)
    return results


def test_decisions_are_logged_with_the_policy_label(store: StoreLike, yubei: Policy) -> None:
    first, second = logged(store, yubei)
    entries = store.decisions("H1")
    assert len(entries) == len(first.decisions) > 5
    assert [e.decision for e in entries] == [d.to_dict() for d in first.decisions]
    assert {e.policy for e in entries} == {"yubei_2016@2016.1"}
    assert {e.as_of for e in entries} == {"2019-06-30"}
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    assert store.decisions("H2", policy="yubei_2016@2016.1")[0].sequence == len(entries) + 1
    assert store.decisions("H2", policy="other@1") == []
    report = store.verify()
    assert report.ok, str(report)
    assert report.entries == len(first.decisions) + len(second.decisions)
    assert report.head == store.head()
    assert report.head.hash == store.decisions("H2")[-1].hash
    assert "intact" in str(report)


def test_recording_again_logs_only_what_is_new(store: StoreLike, yubei: Policy) -> None:
    (result,) = logged(store, yubei, ("H1",))
    count = len(result.decisions)
    assert store.record_decisions(result) == 0
    store.append("H1", [income("H1-inc4", dt.date(2019, 3, 1), 2000)])
    later = replay(store, "H1", yubei, as_of=AS_OF)
    assert store.record_decisions(later) == len(later.decisions) - count
    what_if = replay(store, "H1", yubei.derive(name="y230", parameters={"safety_net.standard": {AS_OF: 1}}))
    assert store.record_decisions(what_if) > 0
    assert {e.policy for e in store.decisions("H1")} == {"yubei_2016@2016.1", "y230@1"}
    assert store.verify().ok


def test_an_empty_log_verifies(store: StoreLike) -> None:
    report = store.verify()
    assert report == VerificationReport(entries=0, head=ChainHead(0, GENESIS))
    assert report.ok


# --- tampering: each is found, and where ------------------------------------------------------


@pytest.fixture
def tampered(store: StoreLike, yubei: Policy) -> Tamper:
    logged(store, yubei)
    assert store.verify().ok
    return Tamper(store)


def problems(store: StoreLike) -> list[tuple[str, int]]:
    report = store.verify()
    assert not report.ok
    assert "NOT intact" in str(report)
    return [(p.what, p.sequence) for p in report.problems]


def test_an_edited_entry_is_found(tampered: Tamper) -> None:
    tampered.edit(4)
    assert problems(tampered.store) == [("edited", 4)]
    (problem,) = tampered.store.verify().problems
    assert problem.position == 4
    assert problem.household_id == "H1"
    assert "entry #4 at position 4 (household 'H1')" in str(problem)


def test_an_entry_rewritten_with_its_hash_recomputed_is_found(tampered: Tamper) -> None:
    tampered.rewrite(5)
    assert problems(tampered.store) == [("edited", 5)]


def test_the_last_entry_rewritten_is_found_against_the_recorded_head(tampered: Tamper) -> None:
    last = tampered.store.head().sequence
    tampered.rewrite(last)
    assert problems(tampered.store) == [("edited", last)]


def test_a_deleted_entry_is_found(tampered: Tamper) -> None:
    tampered.delete(3)
    assert problems(tampered.store) == [("deleted", 3)]
    (problem,) = tampered.store.verify().problems
    assert problem.detail == "entry #3 is missing"


def test_entries_deleted_at_the_end_are_found(tampered: Tamper) -> None:
    last = tampered.store.head().sequence
    tampered.delete(last)
    tampered.delete(last - 1)
    assert problems(tampered.store) == [("deleted", last - 1)]
    assert tampered.store.verify().problems[0].detail == f"entries #{last - 1} to #{last} are missing"


def test_reordered_entries_are_found(tampered: Tamper) -> None:
    tampered.swap(2, 6)
    assert problems(tampered.store) == [("reordered", 2), ("reordered", 6)]
    moved = {p.sequence: p for p in tampered.store.verify().problems}
    assert (moved[6].position, moved[2].position) == (2, 6)
    assert moved[2].detail == "out of order: found after entry #5"
    assert moved[6].household_id == "H1"


def test_an_entry_moved_far_is_the_one_found(tampered: Tamper) -> None:
    for seq in range(2, 7):  # entry #2 bubbled down to position 7
        tampered.swap(seq, seq + 1)
    assert problems(tampered.store) == [("reordered", 2)]


def test_an_inserted_copy_is_found(tampered: Tamper) -> None:
    tampered.duplicate(2)
    assert ("inserted", 2) in problems(tampered.store)


def test_an_anchor_kept_elsewhere_finds_a_log_rewritten_whole(store: StoreLike, yubei: Policy) -> None:
    logged(store, yubei, ("H1",))
    anchor = store.head()
    assert store.verify(anchor=anchor).ok
    # A forger who rewrites every entry and recomputes every hash makes a self-consistent log ...
    previous, forged = GENESIS, []
    for seq in range(1, anchor.sequence + 1):
        payload = f'{{"seq":{seq},"household_id":"H1","decision":"forged"}}'
        forged.append(LogRow(payload, previous, chain_hash(previous, payload)))
        previous = forged[-1].hash
    head = ChainHead(anchor.sequence, previous)
    assert verify_chain(lambda: forged, recorded_head=head).ok
    # ... that the anchor kept elsewhere gives away.
    caught = verify_chain(lambda: forged, recorded_head=head, anchor=anchor)
    assert [(p.what, p.sequence) for p in caught.problems] == [("edited", anchor.sequence)]
    truncated = verify_chain(lambda: forged[:-1], anchor=anchor)
    assert [(p.what, p.sequence) for p in truncated.problems] == [("deleted", anchor.sequence)]


@settings(max_examples=30)
@given(
    kind=st.sampled_from(KINDS),
    how=st.sampled_from(["edit", "rewrite", "delete", "swap"]),
    data=st.data(),
)
def test_any_single_tampering_is_found_where_it_happened(kind: str, how: str, data: st.DataObject) -> None:
    store = make_store(kind)
    policy = YUBEI
    for hid in ("H1", "H2"):
        h = household(hid)
        store.put_household(h)
        store.append(hid, story(h))
        store.record_decisions(Engine(policy).run(store.household(hid), store.facts(hid), as_of=AS_OF))
    last = store.head().sequence
    target = data.draw(st.integers(1, last - 1), label="target")
    tamper = Tamper(store)
    if how == "swap":
        other = data.draw(st.integers(target + 1, last), label="other")
        tamper.swap(target, other)
        found = [(p.what, p.sequence) for p in store.verify().problems]
        if other == target + 1:  # which of two neighbours moved cannot be told
            assert len(found) == 1
            assert set(found) <= {("reordered", target), ("reordered", other)}
        else:
            assert found == [("reordered", target), ("reordered", other)]
    else:
        getattr(tamper, how)(target)
        wanted = "deleted" if how == "delete" else "edited"
        assert [(p.what, p.sequence) for p in store.verify().problems] == [(wanted, target)]
    store.close()


def test_memory_log_is_the_list_the_tests_tamper_with() -> None:
    assert MemoryStore()._log == []
