"""A member who joins with no labour capacity recorded: blank, read from the age and health on
each date (an adult can work, a child cannot); a capacity given, ``none`` included, is kept.

Every reader and writer of facts keeps a blank blank and ``none`` as ``none``; a fact stored
when a join without a capacity meant ``none`` keeps it, and the same record given again is that fact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Household, load_policy
from relapse_guard.errors import ConflictingFact
from relapse_guard.facts import IncomeAssessed, JobLost, JoinReason, MemberJoined, parse_fact
from relapse_guard.household import LabourCapacity
from relapse_guard.population import fact_records, write_facts, write_population
from relapse_guard.store.codec import decode_fact, encode_fact, same_fact
from relapse_guard.store.memory import MemoryStore
from relapse_guard.store.sqlite import SQLiteStore

D = dt.date
CHONGQING = load_policy("chongqing_2016")
CAPACITIES = [None, *LabourCapacity]


def _home() -> Household:
    # Wanzhou: the son (full) and his mother (none, 66 in 2016).
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Wanzhou", "town": "T", "village": "V"},
            "members": [
                {"id": "H1-0", "birth_date": "1980-01-01", "labour_capacity": "full"},
                {"id": "H1-1", "birth_date": "1950-01-01", "labour_capacity": "none"},
            ],
        }
    )


def _joined(
    born: dt.date, reason: JoinReason, capacity: LabourCapacity | None = None, *, fid: str = "m1"
) -> MemberJoined:
    if capacity is None:  # left out, as a record without it gives it
        return MemberJoined(
            id=fid, household_id="H1", date=D(2016, 3, 1), member_id="H1-2", birth_date=born, reason=reason
        )
    return MemberJoined(
        id=fid,
        household_id="H1",
        date=D(2016, 3, 1),
        member_id="H1-2",
        birth_date=born,
        reason=reason,
        labour_capacity=capacity,
    )


@pytest.mark.parametrize(
    ("born", "reason", "capacity", "severity", "relief"),
    [
        # a wife of 25 marries in, capacity not given: another member who can work
        (D(1990, 6, 1), JoinReason.MARRIAGE_IN, None, "HIGH", []),
        # the same with "none" given: kept, no other member can work
        (D(1990, 6, 1), JoinReason.MARRIAGE_IN, LabourCapacity.NONE, "SEVERE", [Decimal("2700.00")]),
        # a newborn, capacity not given: cannot work
        (D(2016, 3, 1), JoinReason.BIRTH, None, "SEVERE", [Decimal("2700.00")]),
    ],
)
def test_an_adult_joining_with_no_capacity_given_counts_as_a_member_who_can_work(
    born: dt.date, reason: JoinReason, capacity: LabourCapacity | None, severity: str, relief: list[Decimal]
) -> None:
    # The son loses his job on 10 May 2016. With no other member who can work the unemployment
    # risk is severe and temporary relief is paid: min(3 months x 300 x 3 members, cap 3000) = 2700.00.
    facts = [
        IncomeAssessed(id="i1", household_id="H1", date=D(2016, 1, 10), income_per_capita=Decimal(3000)),
        _joined(born, reason, capacity),
        JobLost(id="j1", household_id="H1", date=D(2016, 5, 10), member_id="H1-0"),
    ]
    result = Engine(CHONGQING).run(_home(), facts, as_of=D(2016, 12, 31))
    (risk,) = [r for r in result.risks if r.kind == "unemployment"]
    assert risk.severity.name == severity
    assert [g.amount for g in result.grants if g.intervention == "temporary_relief"] == relief


def test_a_child_joining_with_no_capacity_can_work_from_sixteen() -> None:
    # a nephew of 15 comes to live with them: no capacity until his 16th birthday, then full
    joined = _joined(D(2001, 4, 1), JoinReason.OTHER)
    member = joined.member()
    assert member.labour_capacity is None
    assert not member.can_work_on(D(2016, 3, 31))
    assert member.can_work_on(D(2017, 4, 1))


@given(capacity=st.sampled_from(CAPACITIES))
def test_a_blank_capacity_stays_blank_and_none_stays_none_through_every_form(capacity: LabourCapacity | None) -> None:
    fact = _joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN, capacity)
    data = fact.to_dict()
    assert data["labour_capacity"] == (None if capacity is None else capacity.value)
    assert parse_fact(data) == fact
    body = encode_fact(fact)
    back = decode_fact(body, CHONGQING.fact_kinds)
    assert back == fact
    assert back.labour_capacity is capacity
    # a record leaving it out is a blank one
    if capacity is None:
        assert parse_fact({k: v for k, v in data.items() if k != "labour_capacity"}) == fact


@pytest.mark.parametrize("file_format", ["jsonl", "csv", "parquet"])
def test_population_files_keep_a_blank_capacity_blank(file_format: str, tmp_path: Path) -> None:
    if file_format == "parquet":
        pytest.importorskip("pyarrow")  # the parquet extra
    facts = [
        _joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN, capacity, fid=f"m{index}")
        for index, capacity in enumerate(CAPACITIES)
    ]
    population = write_population(tmp_path / "county", [(_home(), facts)], format=file_format)
    (record,) = list(population.iter_records())
    assert [f.labour_capacity for f in record.facts] == CAPACITIES  # type: ignore[attr-defined]
    path = tmp_path / f"month.{file_format}"
    write_facts(path, facts)
    assert [parse_fact(r) for r in fact_records(path)] == facts


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_fact_stored_under_the_old_default_keeps_none_and_is_the_same_record_given_again(
    kind: str, tmp_path: Path
) -> None:
    # What a version in which a join without a capacity meant "none" stored for such a record:
    # the same text as the fact with "none" given.
    blank = _joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN)
    stored_then = _joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN, LabourCapacity.NONE)
    assert same_fact(encode_fact(stored_then), blank)  # the record given again: the stored fact
    assert not same_fact(encode_fact(blank), stored_then)  # a blank stored is not "none" given
    store = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "store.db")
    with store:
        store.put_household(_home())
        store.append("H1", [stored_then])
        assert store.append("H1", [blank]) == 1  # a duplicate: nothing added
        assert store.ingest([blank.to_dict()]).stored == 0
        (read,) = store.facts("H1")
        assert read.labour_capacity is LabourCapacity.NONE  # type: ignore[attr-defined]
        # a fact stored blank, given again with "none": another fact under the same id
        store.append("H1", [_joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN, fid="m2")])
        with pytest.raises(ConflictingFact):
            store.append("H1", [_joined(D(1990, 6, 1), JoinReason.MARRIAGE_IN, LabourCapacity.NONE, fid="m2")])
