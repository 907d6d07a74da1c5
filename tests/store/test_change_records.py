"""Corrections and retractions naming a correction or retraction, in the store.

A retraction of one is a withdrawal and is stored; a correction of one is refused where the
store can see it (the record it names stored, or given with it), saying what to send instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from relapse_guard import Engine, IllnessReported, load_policy
from relapse_guard.errors import CorrectionOfChange
from relapse_guard.facts import Fact, FactCorrected, FactRetracted
from relapse_guard.store import replay
from relapse_guard.versions import resolve

from .helpers import KEY, StoreLike, household, income, make_store, national_id, recorded

D = dt.date(2016, 3, 1)


def correction(cid: str, fact: Fact, **changes: Any) -> FactCorrected:
    return FactCorrected(
        id=cid, household_id=fact.household_id, date=D, corrects=fact.id, replacement=attrs.evolve(fact, **changes)
    )


def retraction(rid: str, target: str, on: dt.date = D) -> FactRetracted:
    return FactRetracted(id=rid, household_id="H1", date=on, retracts=target)


def of_change(cid: str, target: str) -> FactCorrected:
    """A correction naming ``target``, a correction or retraction (its replacement carries the id)."""
    return FactCorrected(id=cid, household_id="H1", date=D, corrects=target, replacement=income(target, D, 5))


def test_a_correction_of_a_stored_correction_or_retraction_is_quarantined_and_nothing_stored(
    store: StoreLike,
) -> None:
    recorded(store)
    first = income("i1", D, 9000)
    store.append("H1", [first, correction("c1", first, income_per_capita=Decimal(2000)), retraction("r1", "i1")])
    report = store.ingest([of_change("c2", "c1").to_dict(), of_change("c3", "r1").to_dict()])
    assert (report.stored, report.quarantined) == (0, 2)
    refused = store.quarantined()
    assert [(q.error, q.fact_id) for q in refused] == [("CorrectionOfChange", "c2"), ("CorrectionOfChange", "c3")]
    assert "'c1' is a correction of fact 'i1'): to change fact 'i1', correct it (corrects='i1')" in refused[0].reason
    assert "to undo 'r1', retract it (a fact_retracted with retracts='r1')" in refused[1].reason
    with pytest.raises(CorrectionOfChange) as info:
        store.append("H1", [of_change("c2", "c1")])
    assert (info.value.household_id, info.value.field, info.value.value, info.value.fact_id) == (
        "H1",
        "corrects",
        "c1",
        "c2",
    )
    assert store.version("H1") == 3


def test_the_fact_a_chain_of_withdrawals_changes_is_named(store: StoreLike) -> None:
    recorded(store)
    store.append("H1", [income("i1", D, 9000), retraction("r1", "i1"), retraction("r2", "r1", dt.date(2016, 4, 1))])
    store.ingest([of_change("c9", "r2").to_dict()])
    (refused,) = store.quarantined()
    assert "('r2' is a retraction of fact 'i1'): to change fact 'i1', correct it" in refused.reason


def test_a_correction_of_a_correction_given_with_it_is_refused_too(store: StoreLike) -> None:
    recorded(store)
    first = income("i1", D, 9000)
    fix = correction("c1", first, income_per_capita=Decimal(2000))
    report = store.ingest([first.to_dict(), fix.to_dict(), of_change("c2", "c1").to_dict()])
    assert (report.stored, report.quarantined) == (2, 1)
    with pytest.raises(CorrectionOfChange, match="'c3' is a correction of fact 'i1'"):
        store.append("H1", [of_change("c4", "c3"), correction("c3", first, income_per_capita=Decimal(1))])


def test_a_retraction_of_a_stored_correction_or_retraction_is_stored_and_withdraws_it(store: StoreLike) -> None:
    recorded(store)
    first = income("i1", D, 9000)
    store.append("H1", [first, retraction("r1", "i1")])
    report = store.ingest([retraction("r2", "r1", dt.date(2016, 4, 1)).to_dict()])
    assert (report.stored, report.quarantined) == (1, 0)
    resolved = resolve("H1", store.facts("H1"))
    assert resolved.facts == [first]
    assert resolved.withdrawn == {"r1": "r2"}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_withdrawal_in_a_store_that_hashes_member_ids(kind: str) -> None:
    # the fields naming fact ids (corrects, retracts) are kept as given; member ids are hashed,
    # a correction's replacement's too, and the household read back still matches its facts
    policy = load_policy("yubei_2016")
    home = household("H1")
    member = home.members[1].id
    assert member == national_id(1000 * (sum(map(ord, "H1")) % 9) + 1)
    bill = IllnessReported(id="b1", household_id="H1", date=D, member_id=member, self_paid_cost=Decimal(30000))
    with make_store(kind, id_key=KEY) as store:
        store.put_household(home)
        store.append("H1", [bill, correction("c1", bill, self_paid_cost=Decimal(10))])
        store.append("H1", [retraction("w1", "c1", dt.date(2016, 4, 1))])
        stored = store.facts("H1")
        assert [fact.retracts for fact in stored if isinstance(fact, FactRetracted)] == ["c1"]
        (applied,) = resolve("H1", stored).facts
        assert isinstance(applied, IllnessReported)
        assert applied.member_id.startswith("h:")
        assert applied.self_paid_cost == Decimal(30000)  # the first version, back
        hashed = store.household("H1")
        assert replay(store, "H1", policy) == Engine(policy).run(
            hashed, [attrs.evolve(bill, member_id=applied.member_id)]
        )
