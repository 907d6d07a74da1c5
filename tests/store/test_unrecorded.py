"""Facts of a household with no record: refused, and those an earlier version kept mended.

A fact filed under a mistyped household id (``H11`` for ``H1``) was stored: the household had no
record, so every later cycle listed it as a problem household (``UnknownHousehold``) and exited 1;
the fact delivered again under the right household was quarantined (its id "is stored for
household 'H11'"); a retraction filed under ``H11`` did not help; and the message advised storing
``H11``'s record, which would have made a phantom household.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import IncomeAssessed, load_policy
from relapse_guard.errors import ConflictingFact, FactOfUnknownHousehold, UnknownHousehold
from relapse_guard.facts import FactRetracted
from relapse_guard.monitoring import CycleProgress, Monitor
from relapse_guard.store import MemoryStore, SQLiteStore

from .helpers import StoreLike, household, recorded
from .test_ingest import record
from .test_migration import copied

D = dt.date(2016, 2, 10)


def typo(fid: str = "i2", hid: str = "H11") -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id=hid, date=D, income_per_capita=Decimal(2400))


def withdrawal(rid: str, target: str, hid: str = "H11") -> FactRetracted:
    return FactRetracted(id=rid, household_id=hid, date=dt.date(2016, 3, 1), retracts=target)


def kept_by_an_earlier_version(store: StoreLike, *facts: IncomeAssessed) -> None:
    """``facts`` stored for their household with no record, as a version that took them left them."""
    hid = facts[0].household_id
    store.put_household(household(hid))
    store.append(hid, facts)
    if isinstance(store, MemoryStore):
        del store._tables.households[hid]
    else:
        store.connection.execute("DELETE FROM households WHERE household_id = ?", (hid,))
    assert hid not in store.households([hid])


# --- refused at ingest and append --------------------------------------------------------------------


def test_a_fact_of_a_household_with_no_record_is_quarantined_naming_it_and_a_close_id(store: StoreLike) -> None:
    recorded(store, "H1")
    report = store.ingest([typo().to_dict(), record("ok")])
    assert (report.stored, report.quarantined) == (1, 1)
    (refused,) = store.quarantined()
    assert (refused.error, refused.household_id, refused.fact_id) == ("FactOfUnknownHousehold", "H11", "i2")
    assert refused.reason.startswith("fact 'i2' of household 'H11': field 'household_id' has value 'H11'")
    assert "(did you mean 'H1'?)" in refused.reason
    assert "if 'H11' is a new household, store its record first (put_household() in Python" in refused.reason
    assert "relapse-guard cycle --population" in refused.reason
    assert (store.version("H11"), store.household_ids(), store.pending_households()) == (0, ["H1"], ["H1"])
    again = store.ingest([typo().to_dict()])  # a cycle run again lists it again; the store keeps it once
    assert again.quarantined_keys == (refused.key,)
    assert len(store.quarantined()) == 1
    # a household that really is new: its record first, then its facts
    store.put_household(household("H11"))
    assert store.ingest([typo().to_dict()]).stored == 1
    assert store.pending_households() == ["H1", "H11"]


def test_no_id_is_suggested_when_none_is_one_edit_away(store: StoreLike) -> None:
    recorded(store, "YB0000123", "YB0000777")
    store.ingest(
        [typo(hid="ZZ").to_dict(), typo("i3", hid="YB0000132").to_dict(), typo("i4", hid="YB000777").to_dict()]
    )
    reasons = {q.household_id: q.reason for q in store.quarantined()}
    assert "did you mean" not in reasons["ZZ"]
    assert "(did you mean 'YB0000123'?)" in reasons["YB0000132"]  # two digits swapped
    assert "(did you mean 'YB0000777'?)" in reasons["YB000777"]  # one missing


def test_append_refuses_a_fact_of_a_household_with_no_record(store: StoreLike) -> None:
    recorded(store, "H1")
    with pytest.raises(FactOfUnknownHousehold) as info:
        store.append("H11", [typo()])
    found = info.value
    assert (found.household_id, found.field, found.value, found.fact_id, found.suggestion) == (
        "H11",
        "household_id",
        "H11",
        "i2",
        "H1",
    )
    back = pickle.loads(pickle.dumps(found))
    assert (str(back), back.suggestion) == (str(found), "H1")
    assert store.version("H11") == 0
    assert store.append("H11", []) == 0  # nothing to keep: nothing refused


def test_the_population_flow_stores_each_household_before_its_facts(store: StoreLike) -> None:
    homes = [household(f"P{n}") for n in range(30)]
    store.put_households(homes)
    report = store.ingest([record(f"p{n}", hid=home.id) for n, home in enumerate(homes)], batch_size=7)
    assert (report.stored, report.quarantined) == (30, 0)


# --- the facts an earlier version kept: a retraction mends them ----------------------------------------


def test_a_retraction_of_a_fact_kept_for_a_household_with_no_record_is_taken(store: StoreLike) -> None:
    recorded(store, "H1")
    kept_by_an_earlier_version(store, typo())
    report = store.ingest(
        [withdrawal("r-i2", "i2").to_dict(), withdrawal("r-x", "nope").to_dict(), typo("i9").to_dict()]
    )
    assert (report.stored, report.quarantined) == (1, 2)
    assert [q.fact_id for q in store.quarantined()] == ["r-x", "i9"]
    assert {q.error for q in store.quarantined()} == {"FactOfUnknownHousehold"}
    assert store.append("H11", [withdrawal("r-r", "r-i2")]) == 3  # a withdrawal of that retraction too
    with pytest.raises(FactOfUnknownHousehold):
        store.append("H11", [withdrawal("r-y", "i1")])  # i1 is not a fact of H11


def test_the_fact_delivered_again_under_the_right_household_is_told_what_to_do(store: StoreLike) -> None:
    recorded(store, "H1")
    kept_by_an_earlier_version(store, typo())
    store.ingest([typo(hid="H1").to_dict()])
    (refused,) = store.quarantined()
    assert refused.error == "ConflictingFact"
    assert "it is stored for household 'H11', and a fact id names one fact for good" in refused.reason
    assert "send this fact under a new id" in refused.reason
    assert "a fact_retracted of household 'H11' with retracts='i2'" in refused.reason
    with pytest.raises(ConflictingFact, match="send this fact under a new id"):
        store.append("H1", [typo(hid="H1")])


def test_a_cycle_no_longer_lists_a_household_whose_kept_facts_are_all_retracted(store: StoreLike) -> None:
    recorded(store, "H1")
    kept_by_an_earlier_version(store, typo(), typo("i3"))
    monitor = Monitor(store, load_policy("yubei_2016"))
    first = monitor.cycle([], as_of=dt.date(2016, 2, 29))
    (problem,) = first.problems
    assert (problem.household_id, problem.error) == ("H11", "UnknownHousehold")
    assert problem.message.startswith("household 'H11' has facts stored ('i2', 'i3') but no record in the store")
    assert "if 'H11' is a mistyped household id (did you mean 'H1'?), retract each of them" in problem.message
    assert "if it is a new household, store its household record first" in problem.message
    half = monitor.cycle([withdrawal("r-i2", "i2").to_dict()], as_of=dt.date(2016, 3, 31))
    assert [p.message.split(" but ")[0] for p in half.problems] == ["household 'H11' has facts stored ('i3')"]
    seen: list[CycleProgress] = []
    done = monitor.cycle([withdrawal("r-i3", "i3").to_dict()], as_of=dt.date(2016, 4, 30), progress=seen.append)
    assert (done.problems, done.picked, done.rescreened, done.settled) == ((), 1, 0, 1)
    assert "\n  settled: 1 household with no record and every fact retracted (nothing to screen)" in done.summary()
    assert "已了结" in done.summary("zh-CN")
    assert done.to_dict()["settled"] == 1
    assert (seen[-1].households_done, seen[-1].households_total) == (1, 1)  # settled: done with
    assert store.pending_households() == []
    later = monitor.cycle([], as_of=dt.date(2016, 5, 31))
    assert (later.picked, later.problems) == (0, ())
    assert store.verify().ok


def test_settle_takes_out_of_pending_only_a_household_with_no_facts_since(store: StoreLike) -> None:
    recorded(store, "H1", "H2")
    store.append("H1", [typo("a", "H1")])
    store.append("H2", [typo("b", "H2")])
    assert store.settle({"H1": 1, "H2": 0}) == ["H1"]  # H2 has had a fact since the version read
    assert store.pending_households() == ["H2"]
    assert store.settle({}) == []


def test_unknown_household_pickles_with_what_it_says() -> None:
    error = UnknownHousehold("H11", fact_ids=["i2"], suggestion="H1")
    back = pickle.loads(pickle.dumps(error))
    assert (str(back), back.fact_ids, back.suggestion) == (str(error), ("i2",), "H1")
    assert json.dumps(str(UnknownHousehold("H11"))).count("put_household") == 1


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_store_an_earlier_version_wrote_is_mended_by_retracting_the_facts(version: int, tmp_path: Path) -> None:
    # The fixture stores hold H9's fact f9 and no record for H9, as the versions that wrote them took it.
    with SQLiteStore(copied(version, tmp_path)) as store:
        monitor = Monitor(store, load_policy("yubei_2016"))
        (problem,) = monitor.cycle([], as_of=dt.date(2018, 1, 31)).problems
        assert problem.message.startswith("household 'H9' has facts stored ('f9') but no record in the store")
        mend = FactRetracted(id="r9", household_id="H9", date=dt.date(2018, 2, 1), retracts="f9")
        report = monitor.cycle([mend.to_dict()], as_of=dt.date(2018, 2, 28))
        assert (report.ingest.stored, report.problems) == (1, ())
        assert "H9" not in store.pending_households()
        assert store.verify().ok
