"""The same facts give the same checkpoints, byte for byte, whenever they are stored.

A fact delivered without ``recorded_at`` is stamped by the store with the moment it stored it, and
a checkpoint kept the household changes (members, moves) and case facts whole, that stamp
included: the same pipeline run twice gave checkpoints differing only in
``household_facts[0].recorded_at``. The engine never reads it (it picks the facts a run is given,
with ``known_on``, before the run), so a checkpoint no longer keeps it; one that does still reads.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from decimal import Decimal

import attrs

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.cases import open_case, procedure_named
from relapse_guard.engine import Checkpoint, ResumePath
from relapse_guard.engine import checkpoint as checkpoint_module
from relapse_guard.engine.checkpoint import join_compact, split_compact
from relapse_guard.facts import Fact, HouseholdMoved, MemberJoined
from relapse_guard.monitoring import Monitor
from relapse_guard.store import MemoryStore

D = dt.date
POLICY = load_policy("yubei_2016")
HOUSEHOLD = Household(
    id="YB-9",
    place=Place("Yubei", "Dashengzhen", "Qinglong"),
    members=[Member(id="YB-9-1", birth_date=D(1970, 4, 2)), Member(id="YB-9-2", birth_date=D(1972, 9, 15))],
)


def _facts() -> list[Fact]:
    case = open_case(
        procedure_named(POLICY.procedures, "identification"),
        case_id="YB-9-ID",
        household_id="YB-9",
        date=D(2016, 11, 20),
        reason="income fell",
        risk_key="income_drop:YB-9:2016-03-01",
    )
    return [
        IncomeAssessed(id="YB-9-i1", household_id="YB-9", date=D(2016, 3, 1), income_per_capita=Decimal(2300)),
        MemberJoined(
            id="YB-9-b1", household_id="YB-9", date=D(2016, 6, 5), member_id="YB-9-3", birth_date=D(2016, 6, 5)
        ),
        HouseholdMoved(id="YB-9-m1", household_id="YB-9", date=D(2016, 9, 1), district="Yubei", town="Longxizhen"),
        case,
    ]


def _cycled() -> bytes:
    store = MemoryStore()
    store.put_household(HOUSEHOLD)
    Monitor(store, POLICY).cycle([fact.to_dict() for fact in _facts()], as_of=D(2016, 12, 31))
    assert all(fact.recorded_at is not None for fact in store.facts("YB-9"))  # stamped on the way in
    return store.checkpoints(["YB-9"])["YB-9"].body


def test_the_same_facts_stored_twice_give_the_same_checkpoint_bytes() -> None:
    first = _cycled()
    checkpoint = Checkpoint.from_bytes(first, POLICY)
    assert checkpoint.household_facts  # the household changes are kept
    assert checkpoint.case_facts  # and the open case's facts
    assert _cycled() == first
    assert "recorded_at" not in json.dumps(checkpoint.to_dict())


def _with_recorded_at(data: dict[str, object], moment: str) -> dict[str, object]:
    """``data`` (a checkpoint's dict) as an earlier version wrote it: its facts with ``recorded_at``."""
    out = dict(data)
    for key in ("household_facts", "case_facts"):
        out[key] = [{**fact, "recorded_at": moment} for fact in data[key]]  # type: ignore[attr-defined]
    return out


def _old_bytes(data: bytes, moment: str) -> bytes:
    """The compact form ``data`` as an earlier version wrote it: the facts of its tail with ``recorded_at``."""
    fingerprint, head, tail = split_compact(data)
    unpacker = zlib.decompressobj(checkpoint_module._WBITS, checkpoint_module._ZDICT)
    body = json.loads(unpacker.decompress(tail) + unpacker.flush())
    packer = zlib.compressobj(
        9, zlib.DEFLATED, checkpoint_module._WBITS, 8, zlib.Z_DEFAULT_STRATEGY, checkpoint_module._ZDICT
    )
    text = json.dumps(_with_recorded_at(body, moment), separators=(",", ":")).encode("utf-8")
    return join_compact(fingerprint, head, packer.compress(text) + packer.flush())


def test_a_checkpoint_with_recorded_at_still_reads_and_resumes_as_a_whole_run() -> None:
    engine = Engine(POLICY, record_decisions=False)
    moment = dt.datetime(2016, 12, 31, 8, tzinfo=dt.UTC)
    stamped = [attrs.evolve(fact, recorded_at=moment) for fact in _facts()]
    made = engine.run_checkpointed(HOUSEHOLD, stamped, as_of=D(2016, 12, 31)).checkpoint
    data = made.to_bytes(POLICY)
    assert b"recorded_at" not in zlib.decompressobj(checkpoint_module._WBITS, checkpoint_module._ZDICT).decompress(
        split_compact(data)[2]
    )
    for old in (
        Checkpoint.from_dict(_with_recorded_at(made.to_dict(), moment.isoformat())),
        Checkpoint.from_bytes(_old_bytes(data, moment.isoformat()), POLICY),
    ):
        assert old == made
        assert old.household_facts[0].recorded_at == moment  # read as it was written
        january = [
            IncomeAssessed(id="YB-9-i2", household_id="YB-9", date=D(2017, 1, 9), income_per_capita=Decimal(2500))
        ]
        resumed = engine.resume(old, HOUSEHOLD, january, as_of=D(2017, 1, 31))
        assert resumed.path is ResumePath.RESUMED
        whole = engine.run_checkpointed(HOUSEHOLD, [*stamped, *january], as_of=D(2017, 1, 31))
        assert resumed.checkpoint == whole.checkpoint
        assert resumed.checkpoint.to_bytes(POLICY) == whole.checkpoint.to_bytes(POLICY)
