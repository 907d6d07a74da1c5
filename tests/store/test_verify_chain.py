"""verify_chain on synthetic logs: any deletion or reordering is reported exactly, never as something else."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.store.chain import GENESIS, ChainHead, LogRow, chain_hash, entry_payload, verify_chain


def log(n: int) -> list[LogRow]:
    rows, previous = [], GENESIS
    for seq in range(1, n + 1):
        payload = entry_payload(seq, f"H{seq % 3}", "p@1", None, {"n": seq})
        rows.append(LogRow(payload, previous, chain_hash(previous, payload)))
        previous = rows[-1].hash
    return rows


def head(rows: list[LogRow]) -> ChainHead:
    return ChainHead(len(rows), rows[-1].hash if rows else GENESIS)


@given(st.integers(0, 40))
def test_an_untouched_log_verifies(n: int) -> None:
    rows = log(n)
    report = verify_chain(lambda: rows, recorded_head=head(rows), anchor=head(rows))
    assert report.ok
    assert (report.entries, report.head) == (n, head(rows))


@given(st.data())
def test_deleted_entries_are_reported_as_missing_runs(data: st.DataObject) -> None:
    rows = log(data.draw(st.integers(1, 40)))
    gone = data.draw(st.sets(st.integers(1, len(rows)), min_size=1))
    kept = [row for seq, row in enumerate(rows, 1) if seq not in gone]
    report = verify_chain(lambda: kept, recorded_head=head(rows))
    assert {p.what for p in report.problems} == {"deleted"}
    missing: set[int] = set()
    for problem in report.problems:  # "entry #3 is missing", "entries #5 to #7 are missing"
        numbers = [int(n) for n in re.findall(r"#(\d+)", problem.detail)]
        assert numbers[0] == problem.sequence
        missing.update(range(numbers[0], numbers[-1] + 1))
    assert missing == gone
    assert all(p.sequence - 1 not in gone for p in report.problems)  # one problem per run


@given(st.data())
def test_reordered_entries_are_reported_and_nothing_else(data: st.DataObject) -> None:
    rows = log(data.draw(st.integers(2, 40)))
    order = data.draw(st.permutations(range(len(rows))))
    shuffled = [rows[i] for i in order]
    report = verify_chain(lambda: shuffled, recorded_head=head(rows))
    moved = [i + 1 for position, i in enumerate(order) if i != position]
    if not moved:
        assert report.ok
        return
    assert report.problems
    assert {p.what for p in report.problems} == {"reordered"}
    # The entries named are few (never more than those off their place) and enough: without
    # them, the log is in order again.
    named = {p.sequence for p in report.problems}
    assert len(named) <= len(moved)
    rest = [i + 1 for i in order if i + 1 not in named]
    assert rest == sorted(rest)
    for problem in report.problems:
        assert problem.position is not None
        assert order[problem.position - 1] + 1 == problem.sequence
        assert problem.household_id == f"H{problem.sequence % 3}"
