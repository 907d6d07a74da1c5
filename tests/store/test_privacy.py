"""Personal ids: stored as keyed hashes when asked, and never printed whole in messages or logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from relapse_guard import Engine, Household, IllnessReported, JobLost, Policy
from relapse_guard.errors import ConflictingFact, InvalidFact
from relapse_guard.facts import Fact, FactCorrected, parse_fact
from relapse_guard.store import HASH_PREFIX, SQLiteStore, replay
from relapse_guard.store.privacy import Pseudonymizer, is_hashed, scrub

from .helpers import KEY, StoreLike, household, make_store, story

AS_OF = dt.date(2019, 6, 30)


@pytest.fixture
def hashing(store_kind: str, tmp_path: Path) -> StoreLike:
    return make_store(store_kind, tmp_path / "private.db", id_key=KEY)


def test_member_ids_are_stored_hashed_and_the_engine_still_works(hashing: StoreLike, yubei: Policy) -> None:
    h = household()
    hashing.put_household(h)
    hashing.append(h.id, story(h))
    stored = hashing.household(h.id)
    assert all(is_hashed(m.id) and m.id.startswith(HASH_PREFIX) for m in stored.members)
    illness = next(f for f in hashing.facts(h.id) if f.kind == "illness_reported")
    assert isinstance(illness, IllnessReported)
    assert illness.member_id == stored.members[0].id
    p = Pseudonymizer(KEY)
    result = replay(hashing, h.id, yubei, as_of=AS_OF)
    assert result == Engine(yubei).run(p.household(h), [p.fact(f) for f in story(h)], as_of=AS_OF)
    assert result.money_granted() == Engine(yubei).run(h, story(h), as_of=AS_OF).money_granted()
    # Facts read back are hashed already: writing them again changes nothing.
    assert hashing.append(h.id, hashing.facts(h.id)) == len(story(h))
    assert hashing.append(h.id, story(h)) == len(story(h))


def test_the_same_key_gives_the_same_hash_another_key_another(tmp_path: Path) -> None:
    h = household()
    with SQLiteStore(tmp_path / "a.db", id_key=KEY) as store:
        store.put_household(h)
    with SQLiteStore(tmp_path / "a.db", id_key=KEY) as store:
        store.append(h.id, story(h))
        illness = store.facts(h.id)[4]
        assert isinstance(illness, IllnessReported)
        assert illness.member_id == store.household(h.id).members[0].id
    other = Pseudonymizer(b"another key, 16 bytes or more")
    assert other.personal_id(h.members[0].id) != Pseudonymizer(KEY).personal_id(h.members[0].id)


def test_without_a_key_ids_are_stored_as_given(store: StoreLike) -> None:
    h = household()
    store.put_household(h)
    assert store.household(h.id) == h


def test_decisions_logged_from_raw_ids_are_hashed(hashing: StoreLike, yubei: Policy) -> None:
    h = household()
    raw = Engine(yubei).run(h, story(h), as_of=AS_OF)
    hashing.record_decisions(raw)
    text = json.dumps([e.decision for e in hashing.decisions(h.id)])
    for member in h.members:
        assert member.id not in text
    hashed = Pseudonymizer(KEY).personal_id(h.members[0].id)
    assert f'"member_id": "{hashed}"' in text
    assert f"illness:{hashed}:2017-04-03" in text
    # A replay from the store gives the same entries: nothing new to log.
    hashing.put_household(h)
    hashing.append(h.id, story(h))
    assert hashing.record_decisions(replay(hashing, h.id, yubei, as_of=AS_OF)) == 0
    assert hashing.verify().ok


def test_no_full_member_id_reaches_the_sqlite_file(tmp_path: Path, yubei: Policy) -> None:
    h = household()
    path = tmp_path / "private.db"
    with SQLiteStore(path, id_key=KEY) as store:
        store.put_household(h)
        store.ingest([f.to_dict() for f in story(h)])
        bad = {"kind": "job_lost", "id": "j", "household_id": h.id, "date": "2016-01-01", "member_id": 5}
        store.ingest([bad, {**story(h)[4].to_dict(), "self_paid_cost": "1"}])  # a bad record and a conflict
        store.record_decisions(Engine(yubei).run(h, story(h), as_of=AS_OF))
        assert len(store.quarantined()) == 2
        files = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the database, its WAL and index
    assert files
    for member in h.members:
        assert member.id.encode() not in files


def _corrected_story() -> tuple[Household, list[Fact], FactCorrected]:
    """The story of a household, and a correction of its illness (a member id in its replacement)."""
    h = household()
    facts = story(h)
    ill = next(f for f in facts if isinstance(f, IllnessReported))
    fix = FactCorrected(
        id="fix",
        household_id=h.id,
        date=dt.date(2017, 5, 1),
        corrects=ill.id,
        replacement=attrs.evolve(ill, self_paid_cost=Decimal("20000")),
    )
    return h, facts, fix


def test_a_corrections_replacement_is_stored_hashed_and_runs(tmp_path: Path, yubei: Policy) -> None:
    # The replacement fact kept the member id as given: a national id in the append-only facts
    # table, and a member id no stored member had, so the household failed every cycle.
    h, facts, fix = _corrected_story()
    raw = {**fix.to_dict(), "id": "fix-raw", "date": "2017-05-02"}  # as a month's file gives it
    path = tmp_path / "private.db"
    with SQLiteStore(path, id_key=KEY) as store:
        store.put_household(h)
        store.append(h.id, [*facts, fix])
        store.ingest([raw, {**raw, "id": "bad", "replacement": {**raw["replacement"], "self_paid_cost": -1}}])
        assert [q.fact_id for q in store.quarantined()] == ["bad"]
        stored = store.household(h.id)
        corrections = [f for f in store.facts(h.id) if isinstance(f, FactCorrected)]
        assert [c.id for c in corrections] == ["fix", "fix-raw"]
        for correction in corrections:
            assert isinstance(correction.replacement, IllnessReported)
            assert correction.replacement.member_id == stored.members[0].id
        result = replay(store, h.id, yubei, as_of=AS_OF)
    expected = Engine(yubei).run(h, [*facts, fix, parse_fact(raw)], as_of=AS_OF)
    assert result.money_granted() == expected.money_granted()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for member in h.members:
        assert member.id.encode() not in files


def test_a_replacement_stored_unhashed_by_an_earlier_version_is_read_hashed(
    tmp_path: Path, yubei: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, facts, fix = _corrected_story()
    path = tmp_path / "private.db"
    hashing = Pseudonymizer.fact

    def top_level_only(self: Pseudonymizer, fact: Fact) -> Fact:  # as earlier versions hashed
        return fact if isinstance(fact, FactCorrected) else hashing(self, fact)

    with monkeypatch.context() as patched:
        patched.setattr(Pseudonymizer, "fact", top_level_only)
        with SQLiteStore(path, id_key=KEY) as store:
            store.put_household(h)
            store.append(h.id, [*facts, fix])
    with SQLiteStore(path, id_key=KEY) as store:
        stored = store.household(h.id)
        (correction,) = [f for f in store.facts(h.id) if isinstance(f, FactCorrected)]
        assert isinstance(correction.replacement, IllnessReported)
        assert correction.replacement.member_id == stored.members[0].id
        (_, after), *_ = store.facts_after({h.id: 0}).values()
        assert correction in after
        result = replay(store, h.id, yubei, as_of=AS_OF)  # it failed: a member the household lacked
    assert result.money_granted() == Engine(yubei).run(h, [*facts, fix], as_of=AS_OF).money_granted()


def test_messages_and_logs_never_show_a_full_member_id(
    store: StoreLike, hashing: StoreLike, yubei: Policy, caplog: pytest.LogCaptureFixture
) -> None:
    h = household()
    member = h.members[1].id
    records: list[dict[str, object]] = [
        {"kind": "job_lost", "id": "j1", "household_id": h.id, "date": "2016-01-01", "member_id": [member]},
        {"kind": "job_lost", "id": "j5", "household_id": h.id, "date": "2016-01-01", "member_id": int(member)},
        # an income fact has no member_id field: the record is refused, naming the extra field
        {"kind": "income_assessed", "id": "i1", "household_id": h.id, "date": "2016-01-01",
         "income_per_capita": "1", "member_id": member},
    ]  # fmt: skip
    caplog.set_level(logging.DEBUG)
    for s in (store, hashing):
        s.put_household(h)
        s.append(h.id, [JobLost(id="j2", household_id=h.id, date=dt.date(2016, 1, 1), member_id=member)])
        s.ingest(records)
        with pytest.raises(ConflictingFact) as info:
            s.append(h.id, [JobLost(id="j2", household_id=h.id, date=dt.date(2016, 1, 1), member_id=member + "0")])
        assert member not in str(info.value)
        with pytest.raises(InvalidFact) as refused:  # the engine, on a member the household does not have
            Engine(yubei).run(
                h, [JobLost(id="j4", household_id=h.id, date=dt.date(2016, 1, 1), member_id="9" + member)]
            )
        assert member not in str(refused.value)
        reasons = [q.reason for q in s.quarantined()]
        assert len(reasons) == 3
        shown = "\n".join([*reasons, caplog.text])
        assert member not in shown
        assert member[:3] + "***" + member[-2:] in shown
    assert member not in json.dumps([q.record for q in hashing.quarantined()])


def test_scrub_and_pseudonymizer_details() -> None:
    assert scrub("id 500112198001011234 and 500112198001011234", ["500112198001011234"]) == "id 500***34 and 500***34"
    assert scrub("short m1", ["m1"]) == "short m1"
    p = Pseudonymizer(KEY)
    assert p.personal_id("m1") == p.personal_id(p.personal_id("m1"))
    assert len(p.personal_id("m1")) == len(HASH_PREFIX) + 64
    # Only whole ids are replaced in decisions: "m1" is not touched inside "m10" or "fm1".
    entry = {"risk": {"member_id": "m1", "key": "illness:m1:2016-01-01", "other": "m10 fm1 m1"}}
    hashed = p.decision(entry, {"m1"})
    h = p.personal_id("m1")
    assert hashed == {"risk": {"member_id": h, "key": f"illness:{h}:2016-01-01", "other": f"m10 fm1 {h}"}}
    with pytest.raises(ValueError, match="16"):
        Pseudonymizer(b"too short")
