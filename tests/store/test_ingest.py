"""Ingesting plain records in batches: valid facts stored, bad ones quarantined with the reason."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from relapse_guard.facts import (
    DEFAULT_FACT_KINDS,
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    DisasterReported,
    EntitlementStopped,
    ExitVerified,
    Fact,
    FactCorrected,
    FactRetracted,
    HouseAppraised,
    HouseholdMoved,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    JoinReason,
    LeaveReason,
    MainEarnerLost,
    MemberDied,
    MemberJoined,
    MemberLeft,
    ReviewCompleted,
    SchoolEnrolled,
    Source,
)
from relapse_guard.household import Health, LabourCapacity, Schooling
from relapse_guard.store import BatchReport, IngestReport, SQLiteStore
from relapse_guard.store.codec import canonical_json

from .helpers import KEY, StoreLike, household, make_store

D = dt.date(2016, 3, 1)
#: The households these tests give facts of: a store keeps no fact of a household without its record.
RECORDED = [household(f"H{i}") for i in range(4)]


@pytest.fixture
def store(store: StoreLike) -> StoreLike:
    """The shared store, holding the records of :data:`RECORDED`."""
    store.put_households(RECORDED)
    return store


def record(fid: str, hid: str = "H1", amount: object = "3000", **extra: object) -> dict[str, Any]:
    return {
        "kind": "income_assessed",
        "id": fid,
        "household_id": hid,
        "date": "2016-03-01",
        "income_per_capita": amount,
        **extra,
    }


def test_ingest_stores_batches_grouped_per_household(store: StoreLike) -> None:
    records = [record(f"f{i}", hid=f"H{i % 3}") for i in range(10)]
    batches: list[BatchReport] = []
    report = store.ingest(records, batch_size=4, progress=batches.append)
    assert report == IngestReport(records=10, stored=10, duplicates=0, quarantined=0, batches=3)
    assert [b.number for b in batches] == [1, 2, 3]
    assert [b.records for b in batches] == [4, 4, 2]
    assert [store.version(f"H{i}") for i in range(3)] == [4, 3, 3]
    assert [f.id for f in store.facts("H1")] == ["f1", "f4", "f7"]


def test_bad_records_are_quarantined_with_their_reason_never_dropped(store: StoreLike) -> None:
    records: list[Any] = [
        record("ok1"),
        record("neg", amount=-5),
        record("float", amount=3000.5),
        {"kind": "no_such_kind", "id": "k", "household_id": "H1", "date": "2016-01-01"},
        record("nodate") | {"date": "yesterday"},
        ["not", "a", "mapping"],
        record("ok2"),
    ]
    report = store.ingest(records, batch_size=100)
    assert (report.records, report.stored, report.quarantined) == (7, 2, 5)
    assert report.records == report.stored + report.duplicates + report.quarantined
    assert [f.id for f in store.facts("H1")] == ["ok1", "ok2"]
    quarantined = store.quarantined()
    assert [q.fact_id for q in quarantined] == ["neg", "float", "k", "nodate", None]
    assert {q.error for q in quarantined} == {"InvalidFact"}
    assert "'income_per_capita' has value -5" in quarantined[0].reason
    assert "never float" in quarantined[1].reason
    assert "'kind'" in quarantined[2].reason
    assert json.loads(quarantined[0].record)["income_per_capita"] == -5
    assert quarantined[4].household_id is None
    assert "mapping" in quarantined[4].reason
    assert store.quarantined("H1") == quarantined[:4]


def test_the_report_lists_the_records_it_quarantined_those_quarantined_before_included(store: StoreLike) -> None:
    # A cycle run again with a bad record counted it ("1 quarantined") but listed nothing: the
    # command line could only tell the records new to the store.
    records: list[Any] = [record("neg", amount=-5), record("ok"), record("neg", amount=-5), record("float", amount=1.5)]
    first = store.ingest(records, batch_size=2)
    assert first.quarantined == 3
    keys = [q.key for q in store.quarantined()]
    assert len(keys) == 2
    assert first.quarantined_keys == tuple(keys)  # once each, across batches, in order
    again = store.ingest(records[::-1], batch_size=10)
    assert again.quarantined_keys == tuple(keys[::-1])
    assert [q.key for q in store.quarantined()] == keys  # still held once
    assert store.ingest([record("ok")]).quarantined_keys == ()


def test_duplicates_are_skipped_and_conflicts_quarantined_while_the_rest_is_stored(store: StoreLike) -> None:
    store.ingest([record("f1"), record("f2")])
    report = store.ingest([record("f1"), record("f2", amount="9999"), record("f3"), record("f3")])
    assert (report.stored, report.duplicates, report.quarantined) == (1, 2, 1)
    assert [f.id for f in store.facts("H1")] == ["f1", "f2", "f3"]
    (conflict,) = store.quarantined()
    assert (conflict.error, conflict.fact_id, conflict.household_id) == ("ConflictingFact", "f2", "H1")
    assert "'f2'" in conflict.reason
    assert json.loads(conflict.record)["income_per_capita"] == "9999"


def test_a_fact_id_used_by_two_households_in_one_batch_is_quarantined_for_both(store: StoreLike) -> None:
    report = store.ingest([record("f1", hid="H1"), record("f1", hid="H2")])
    assert (report.stored, report.quarantined) == (0, 2)
    assert [(q.error, q.household_id) for q in store.quarantined()] == [
        ("ConflictingVersions", "H1"),
        ("ConflictingVersions", "H2"),
    ]  # tests/store/test_delivery.py says more


def test_a_batch_that_fails_stores_nothing_not_even_its_quarantine(
    store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(store_kind)
    store.put_households(RECORDED[1:3])
    store.ingest([record("first")])
    module = importlib.import_module(f"relapse_guard.store.{store_kind}")

    def explode(self: object, rows: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(module._Writer, "quarantine", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.ingest([record("a"), record("b", hid="H2"), record("bad", amount=-1)])
    assert (store.version("H1"), store.version("H2")) == (1, 0)
    monkeypatch.undo()
    assert store.quarantined() == []
    store.close()


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_batch_size_must_be_positive(store: StoreLike, size: object) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        store.ingest([record("f1")], batch_size=size)  # type: ignore[arg-type]


# --- what the batched path stores, and when it must compare facts ---------------------------------


def test_stored_rows_are_the_canonical_json_of_each_fact_s_dict(tmp_path: Path) -> None:
    from relapse_guard.population import synthetic_households

    known = "2017-01-02T03:04:05+00:00"  # recorded_at given: kept as given
    records = [
        fact.to_dict() | {"recorded_at": known} for _, facts in synthetic_households(40, seed=5) for fact in facts
    ]
    random.Random(3).shuffle(records)  # households mixed, as a month's feed comes
    with SQLiteStore(tmp_path / "s.db") as store:
        store.put_households(household for household, _ in synthetic_households(40, seed=5))
        report = store.ingest(records, batch_size=97)
        assert report.stored == len(records)
        rows = store.connection.execute(
            "SELECT fact_id, household_id, position, kind, date, body FROM facts ORDER BY household_id, position"
        ).fetchall()
    expected, positions = [], dict[str, int]()
    for record in records:  # each household's facts in the order they come
        fact = DEFAULT_FACT_KINDS.parse(record)
        hid = fact.household_id
        positions[hid] = positions.get(hid, 0) + 1
        expected.append(
            (fact.id, hid, positions[hid], fact.kind, fact.date.isoformat(), canonical_json(fact.to_dict()))
        )
    assert rows == sorted(expected, key=lambda row: (row[1], row[2]))


def test_a_batch_with_one_stored_id_is_sorted_out_and_leaves_nothing_of_its_first_try(store: StoreLike) -> None:
    store.ingest([record("f1", hid="H1"), record("f2", hid="H2")])
    batch = [record(f"n{i}", hid=f"H{i % 3}") for i in range(250)] + [
        record("f2", hid="H2"),  # stored, the same: a duplicate
        record("f1", hid="H3"),  # stored for H1: a conflict
    ]
    report = store.ingest(batch)
    assert (report.stored, report.duplicates, report.quarantined) == (250, 1, 1)
    assert [store.version(f"H{i}") for i in range(4)] == [84, 84, 84, 0]
    assert [f.id for f in store.facts("H1")] == ["f1", *(f"n{i}" for i in range(1, 250, 3))]
    (conflict,) = store.quarantined()
    assert (conflict.error, conflict.household_id, conflict.fact_id) == ("ConflictingFact", "H3", "f1")
    again = store.ingest(batch)  # everything again: nothing new
    assert (again.stored, again.duplicates, again.quarantined) == (0, 251, 1)
    assert store.version("H1") == 84


def test_ingest_with_hashed_ids_compares_facts_as_stored(store_kind: str) -> None:
    with make_store(store_kind, id_key=KEY) as store:
        store.put_households(RECORDED)
        illness = record("f1") | {"kind": "job_lost", "member_id": "500112198001011234"}
        illness.pop("income_per_capita")
        assert store.ingest([illness]).stored == 1
        assert store.ingest([illness, record("f2")]).duplicates == 1
        assert store.facts("H1")[0].member_id.startswith("h:")  # type: ignore[attr-defined]


def _sample_records() -> list[dict[str, Any]]:
    """One record of each shipped fact kind, every field given."""
    samples = [
        IncomeAssessed(id="s0", household_id="H1", date=D, income_per_capita=Decimal("3000.50")),
        ExitVerified(id="s1", household_id="H1", date=D, source=Source.SELF_DECLARED),
        AssistanceGranted(id="s2", household_id="H1", date=D, measure="m", amount=Decimal(5)),
        IllnessReported(
            id="s3", household_id="H1", date=D, member_id="m1", self_paid_cost=Decimal(9), hospitalised=True
        ),
        DisasterReported(id="s4", household_id="H1", date=D, hazard="flood", loss=Decimal(1)),
        JobLost(id="s5", household_id="H1", date=D, member_id="m1"),
        MainEarnerLost(id="s6", household_id="H1", date=D, member_id="m1", cause="death"),
        SchoolEnrolled(
            id="s7", household_id="H1", date=D, member_id="m1", level=Schooling.PRIMARY, annual_cost=Decimal(1)
        ),
        HouseAppraised(id="s8", household_id="H1", date=D, grade=HousingGrade.B),
        BasicNeedsChecked(id="s9", household_id="H1", date=D, unmet=frozenset({BasicNeed.SAFE_HOUSING})),
        ReviewCompleted(id="s10", household_id="H1", date=D, review="annual", responsible="cadre"),
        CaseOpened(id="s11", household_id="H1", date=D, case_id="c", procedure="p", reason="r", risk_key="k"),
        CaseStepRecorded(id="s12", household_id="H1", date=D, case_id="c", step="s", outcome="approve", actor="a"),
        CaseDecided(id="s13", household_id="H1", date=D, case_id="c", procedure="p", outcome="approved", risk_key="k"),
        EntitlementStopped(id="s14", household_id="H1", date=D, intervention="safety_net", reason="moved away"),
        MemberJoined(
            id="s15",
            household_id="H1",
            date=D,
            member_id="m9",
            birth_date=D,
            reason=JoinReason.MARRIAGE_IN,
            labour_capacity=LabourCapacity.FULL,
            health=Health.CHRONIC_ILLNESS,
            schooling=Schooling.NONE,
        ),
        MemberLeft(id="s16", household_id="H1", date=D, member_id="m1", reason=LeaveReason.MARRIAGE_OUT),
        MemberDied(id="s17", household_id="H1", date=D, member_id="m2"),
        HouseholdMoved(id="s18", household_id="H1", date=D, district="Dazu", town="T", village="V"),
        FactCorrected(
            id="s19",
            household_id="H1",
            date=D,
            corrects="s0",
            replacement=IncomeAssessed(id="s0", household_id="H1", date=D, income_per_capita=Decimal(2)),
            reason="typo",
            recorded_at=dt.datetime(2016, 3, 10, 9, 30, tzinfo=dt.UTC),
        ),
        FactRetracted(id="s20", household_id="H1", date=D, retracts="s1", reason="entered twice"),
    ]
    assert {type(s) for s in samples} == set(DEFAULT_FACT_KINDS.by_kind.values())
    return [s.to_dict() for s in samples]


SAMPLES = _sample_records()


@pytest.mark.parametrize(
    ("sample", "field"),
    [(sample, field) for sample in SAMPLES for field in [*sample, "extra"]],
    ids=lambda value: value["kind"] if isinstance(value, dict) else value,
)
def test_lone_surrogates_in_any_field_of_any_kind_are_refused_naming_the_field(
    store: StoreLike, sample: dict[str, Any], field: str
) -> None:
    bad = sample | {field: "x\ud800"}
    valued = sample | {field: ["x\ud800"]} if isinstance(sample.get(field), list) else bad
    for each in (bad, valued):
        report = store.ingest([each, record("ok")])
        assert report.quarantined == 1
        entry = store.quarantined()[-1]
        assert (entry.error, entry.household_id) == ("InvalidFact", "x\\ud800" if field == "household_id" else "H1")
        assert "UTF-8" in entry.reason, entry.reason
        assert f"field '{field}" in entry.reason
    assert store.version("H1") == 1  # only "ok"


def test_a_lone_surrogate_in_a_key_is_refused_naming_it(store: StoreLike) -> None:
    report = store.ingest([SAMPLES[0] | {"x\udfff": 1}])
    assert report.quarantined == 1
    reason = store.quarantined()[0].reason
    assert "field 'x\\\\udfff'" in reason  # the key, shown escaped
    assert "UTF-8" in reason


class Lenient(enum.Enum):
    """An enum that takes any value it does not know as its first member."""

    ANY = "any"

    @classmethod
    def _missing_(cls, value: object) -> Lenient:
        return cls.ANY


@attrs.frozen(kw_only=True)
class Tagged(Fact):
    kind: ClassVar[str] = "tagged"
    tags: frozenset[str] = frozenset()
    mood: Lenient = Lenient.ANY


def test_custom_kinds_whose_parsers_take_any_text_are_looked_through(store: StoreLike) -> None:
    kinds = DEFAULT_FACT_KINDS.with_kind(Tagged)
    base = {"kind": "tagged", "household_id": "H1", "date": "2016-03-01"}
    assert DEFAULT_FACT_KINDS.with_kind(Tagged).parse(base | {"id": "t0", "tags": ["a\ud800"]})  # parses...
    report = store.ingest(
        [base | {"id": "t1", "tags": ["ok", "a\ud800"]}, base | {"id": "t2", "mood": "\udfff"}, base | {"id": "t3"}],
        kinds=kinds,
    )
    assert (report.stored, report.quarantined) == (1, 2)  # ...and is refused all the same
    assert [q.reason.split(";")[0] for q in store.quarantined()] == [
        "fact 't1' of household 'H1': field 'tags[1]' has value 'a\\ud800'",
        "fact 't2' of household 'H1': field 'mood' has value '\\udfff'",
    ]
