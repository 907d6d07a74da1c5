"""Each reason the engine gives for replaying a checkpoint is counted under its own name in a
cycle's report (``replay_reasons``), as docs/monitoring.md lists them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.engine.resume import refusal
from relapse_guard.facts import CaseStepRecorded, Fact
from relapse_guard.messages import Message
from relapse_guard.monitoring.rescreen import reason_kind

D = dt.date
HOUSEHOLD = Household(
    id="h1",
    place=Place("Yubei", "Dashengzhen", "Qinglong"),
    members=[Member(id="h1-1", birth_date=D(1975, 3, 2)), Member(id="h1-2", birth_date=D(1977, 8, 19))],
)


def _income(fact_id: str, on: dt.date) -> IncomeAssessed:
    return IncomeAssessed(id=fact_id, household_id="h1", date=on, income_per_capita=Decimal(5000))


@pytest.fixture(scope="module")
def checkpoint() -> Checkpoint:
    engine = Engine(load_policy("yubei_2016"), record_decisions=False)
    facts = [_income("i1", D(2016, 3, 5)), _income("i2", D(2016, 6, 5))]
    return engine.run_checkpointed(HOUSEHOLD, facts, as_of=D(2016, 6, 30)).checkpoint


def _why(checkpoint: Checkpoint, **changes: object) -> Message | None:
    """The reason ``refusal`` gives (None when it gives none)."""
    arguments: dict[str, object] = {
        "policy": checkpoint.policy,
        "fingerprint": checkpoint.fingerprint,
        "household": checkpoint.household,
        "new_facts": [],
        "as_of": D(2016, 7, 31),
        "records_decisions": False,
    }
    arguments.update(changes)
    return refusal(checkpoint, **arguments)  # type: ignore[arg-type]


STEP = CaseStepRecorded(
    id="c1:001", household_id="h1", date=D(2016, 7, 2), case_id="c1", step="household_verification", outcome="approve"
)
CASES: list[tuple[str, dict[str, object]]] = [
    ("late fact", {"new_facts": [_income("i0", D(2016, 6, 1))]}),  # sorts before the last fact applied
    ("late fact", {"new_facts": [_income("i9", D(2016, 6, 20))]}),  # dated before the clock
    ("policy changed", {"policy": "yubei_2016@2017.1"}),
    ("policy changed", {"fingerprint": "0" * 16}),
    ("household changed", {"household": "0" * 16}),
    ("decisions wanted", {"records_decisions": True}),
    ("case reopened", {"new_facts": [STEP]}),
    ("other", {"as_of": D(2016, 6, 1)}),
]


@pytest.mark.parametrize(("kind", "changes"), CASES, ids=[f"{kind}-{n}" for n, (kind, _) in enumerate(CASES)])
def test_each_replay_reason_is_counted_under_its_name(
    checkpoint: Checkpoint, kind: str, changes: dict[str, object]
) -> None:
    why = _why(checkpoint, **changes)
    assert why is not None, "the checkpoint must be refused"
    assert reason_kind(why) == kind, why


def test_a_checkpoint_resumable_has_no_reason(checkpoint: Checkpoint) -> None:
    new: list[Fact] = [_income("i3", D(2016, 7, 5))]
    assert _why(checkpoint, new_facts=new) is None
