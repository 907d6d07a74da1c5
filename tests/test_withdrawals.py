"""Withdrawing a correction or a retraction: a retraction that names one undoes it.

A retraction of a retraction (``r2`` retracting ``r1``, which retracted ``i1``) was refused
as "not one of the household's facts" (it is one): the household was a problem household in
every later cycle, and nothing an operator could send unfroze it. A retraction of a correction
or retraction made before it now withdraws it (the facts resolve as if it had not been made), a
retraction of such a retraction withdraws it in turn, and a correction of one is refused,
saying what to send instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.diff import decisions_between
from relapse_guard.errors import CorrectionOfChange, InvalidFact, UnknownCorrectedFact
from relapse_guard.facts import Fact, FactCorrected, FactRetracted
from relapse_guard.versions import known_by, resolve, version_of

D = dt.date
START = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
JAN10, FEB1 = D(2016, 1, 10), D(2016, 2, 1)
ENGINE = Engine(load_policy("yubei_2016"))
HOME = Household.from_dict(
    {
        "id": "H1",
        "place": {"district": "Yubei", "town": "T", "village": "V"},
        "members": [{"id": "H1-1", "birth_date": "1970-01-01"}],
    }
)


def at(day: int) -> dt.datetime:
    """A moment ``day`` days after 1 January 2016, UTC."""
    return START + dt.timedelta(days=day)


def income(fid: str, amount: int = 2400, on: dt.date = JAN10, recorded: int | None = None) -> IncomeAssessed:
    return IncomeAssessed(
        id=fid,
        household_id="H1",
        date=on,
        income_per_capita=Decimal(amount),
        recorded_at=None if recorded is None else at(recorded),
    )


def retract(rid: str, target: str, on: dt.date = FEB1, recorded: int | None = None) -> FactRetracted:
    return FactRetracted(
        id=rid, household_id="H1", date=on, retracts=target, recorded_at=None if recorded is None else at(recorded)
    )


def correct(cid: str, fact: Fact, on: dt.date = FEB1, recorded: int | None = None, **changes: Any) -> Fact:
    return FactCorrected(
        id=cid,
        household_id="H1",
        date=on,
        corrects=fact.id,
        replacement=attrs.evolve(fact, recorded_at=None, **changes),
        recorded_at=None if recorded is None else at(recorded),
    )


# --- worked cases -----------------------------------------------------------------------------------


def test_a_retraction_of_a_retraction_brings_the_fact_back_and_a_third_withdraws_it_again() -> None:
    first = income("i1")
    r1 = retract("r1", "i1", D(2016, 2, 1))
    r2 = retract("r2", "r1", D(2016, 3, 1))
    back = resolve("H1", [first, r1, r2])
    assert back.facts == [first]
    assert (back.retracted, back.withdrawn, back.versions) == ({}, {"r1": "r2"}, {})
    again = resolve("H1", [first, r1, r2, retract("r3", "r2", D(2016, 4, 1))])
    assert again.facts == []
    assert (again.retracted, again.withdrawn) == ({"i1": "r1"}, {"r2": "r3"})
    assert ENGINE.run(HOME, [first, r1, r2]) == ENGINE.run(HOME, [first])


def test_a_withdrawn_correction_counts_for_nothing_and_the_one_before_it_is_in_force_again() -> None:
    first = income("i1", 9000)
    c1 = correct("c1", first, D(2016, 2, 1), income_per_capita=Decimal(2000))
    c2 = correct("c2", first, D(2016, 3, 1), income_per_capita=Decimal(1000))
    withdrawn = resolve("H1", [first, c1, c2, retract("w", "c2", D(2016, 4, 1))])
    assert withdrawn.facts == [attrs.evolve(first, income_per_capita=Decimal(2000))]
    assert (withdrawn.versions, withdrawn.withdrawn) == ({"i1": (2, "c1")}, {"c2": "w"})
    only = resolve("H1", [first, c1, retract("w", "c1", D(2016, 4, 1))])
    assert (only.facts, only.versions) == ([first], {})  # as first recorded: version 1
    assert version_of("i1", [first, c1, retract("w", "c1")]) == 1
    assert version_of("i1", [first, c1]) == 2


def test_a_correction_of_a_correction_or_retraction_is_refused_saying_what_to_send() -> None:
    first = income("i1", 9000)
    c1 = correct("c1", first, income_per_capita=Decimal(2000))
    bad = _correction_of("c2", "c1", first)
    with pytest.raises(CorrectionOfChange) as error:
        resolve("H1", [first, c1, bad])
    found = error.value
    assert (found.household_id, found.field, found.value, found.fact_id) == ("H1", "corrects", "c1", "c2")
    assert (found.kind, found.of) == ("fact_corrected", "i1")
    assert "to change fact 'i1', correct it (corrects='i1')" in str(found)
    assert "to undo 'c1', retract it (a fact_retracted with retracts='c1')" in str(found)
    assert isinstance(found, InvalidFact)
    back = pickle.loads(pickle.dumps(found))
    assert (str(back), back.kind, back.of) == (str(found), "fact_corrected", "i1")
    # stored by an earlier version, it is mended by retracting it
    mended = resolve("H1", [first, c1, bad, retract("w", "c2", D(2016, 4, 1))])
    assert mended.facts == [attrs.evolve(first, income_per_capita=Decimal(2000))]
    assert mended.withdrawn == {"c2": "w"}
    # of a retraction, through a withdrawal: the fact at the end of the chain is named
    chain = [first, retract("r1", "i1"), retract("r2", "r1", D(2016, 3, 1)), _correction_of("c9", "r2", first)]
    with pytest.raises(CorrectionOfChange, match="'r2' is a retraction of fact 'i1'"):
        resolve("H1", chain)


def _correction_of(cid: str, target: str, fact: IncomeAssessed) -> Fact:
    """A correction naming ``target`` (a correction or retraction), as a record of an earlier
    version reads back: its replacement carries the target's id."""
    return FactCorrected(
        id=cid,
        household_id="H1",
        date=D(2016, 3, 1),
        corrects=target,
        replacement=attrs.evolve(fact, id=target, income_per_capita=Decimal(5)),
    )


def test_a_record_is_withdrawn_only_by_one_made_after_it_and_a_bad_record_can_always_be_withdrawn() -> None:
    first = income("i1")
    early = retract("r0", "r1", D(2016, 1, 20))  # made before r1: it withdraws nothing
    r1 = retract("r1", "i1", D(2016, 2, 1))
    with pytest.raises(UnknownCorrectedFact) as error:
        resolve("H1", [first, early, r1])
    assert (error.value.field, error.value.value, error.value.fact_id) == ("retracts", "r1", "r0")
    assert "made after it" in str(error.value)
    assert resolve("H1", [first, early, r1, retract("r2", "r0", D(2016, 3, 1))]).facts == []
    # a retraction of no fact at all is withdrawn the same way
    stray = retract("s1", "nope")
    with pytest.raises(UnknownCorrectedFact, match="or of a correction or retraction"):
        resolve("H1", [first, stray])
    assert resolve("H1", [first, stray, retract("s2", "s1", D(2016, 3, 1))]).facts == [first]
    # recorded_at orders before the date: one recorded later withdraws one recorded earlier
    late = retract("a", "i1", D(2016, 5, 1), recorded=10)
    undo = retract("b", "a", D(2016, 2, 1), recorded=20)
    assert resolve("H1", [first, late, undo]).facts == [first]


def test_known_on_sees_the_withdrawal_only_once_it_is_recorded() -> None:
    first = income("i1", recorded=5)
    r1 = retract("r1", "i1", D(2016, 2, 1), recorded=30)
    r2 = retract("r2", "r1", D(2016, 3, 1), recorded=60)
    facts = [first, r1, r2]
    assert resolve("H1", facts, at(45)).facts == []
    assert resolve("H1", facts, at(70)).facts == [first]
    assert [version_of("i1", facts, at(day)) for day in (1, 45, 70)] == [0, 0, 1]
    change = decisions_between(ENGINE, HOME, facts, at(45), at(70))
    assert [(f.fact_id, f.before, f.after, f.by) for f in change.facts] == [("i1", 0, 1, ("r2",))]
    assert change.added
    assert not change.dropped


def test_a_withdrawn_correction_is_named_in_the_diff_even_when_the_version_number_comes_back() -> None:
    first = income("i1", 9000, recorded=5)
    c1 = correct("c1", first, recorded=20, income_per_capita=Decimal(2000))
    w = retract("w", "c1", D(2016, 3, 1), recorded=40)
    c2 = correct("c2", first, D(2016, 3, 2), recorded=41, income_per_capita=Decimal(1000))
    change = decisions_between(ENGINE, HOME, [first, c1, w, c2], at(30), at(50))
    assert [(f.fact_id, f.before, f.after, f.by) for f in change.facts] == [("i1", 2, 2, ("c2", "w"))]
    assert "fact i1 (income_assessed, 2016-01-10): v2 -> another v2 (by c2, w)" in change.lines()


def test_explain_names_the_version_in_force() -> None:
    first = income("i1", 9000)
    c1 = correct("c1", first, income_per_capita=Decimal(2000))
    corrected = ENGINE.run(HOME, [first, c1]).decisions[0]
    assert "facts: i1 (v2)" in corrected.explain()
    withdrawn = ENGINE.run(HOME, [first, c1, retract("w", "c1", D(2016, 3, 1))])
    assert withdrawn == ENGINE.run(HOME, [first])  # as if it had not been made: v1, named as i1
    assert all("(v" not in decision.explain() for decision in withdrawn.decisions)


# --- any history: a reference model -------------------------------------------------------------------


_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def _key(change: Fact) -> tuple[dt.datetime, dt.date, str]:
    return (change.recorded_at or _NEVER, change.date, change.id)


def _target(change: Fact) -> str:
    if isinstance(change, FactCorrected):
        return change.corrects
    assert isinstance(change, FactRetracted)
    return change.retracts


def model(facts: list[Fact], known_on: dt.datetime | None) -> dict[str, Any] | str:
    """What the facts resolve to, said as the rules read: a change is in force unless a retraction
    in force, made after it, names it; the latest change in force of a fact wins; its version is 1
    plus the corrections of it in force. ``"refused"`` when a change in force names a fact that is
    not there (for a retraction: nor a change made before it), or a correction names a change."""
    known = [fact for fact in facts if known_on is None or fact.recorded_at is None or fact.recorded_at <= known_on]
    plain = {fact.id: fact for fact in known if not isinstance(fact, FactCorrected | FactRetracted)}
    changes = {fact.id: fact for fact in known if isinstance(fact, FactCorrected | FactRetracted)}

    @functools.cache
    def in_force(cid: str) -> bool:
        withdrawing = [
            other
            for other in changes.values()
            if isinstance(other, FactRetracted) and other.retracts == cid and _key(other) > _key(changes[cid])
        ]
        return not any(in_force(other.id) for other in withdrawing)

    forced = [change for change in changes.values() if in_force(change.id)]
    for change in forced:
        target = _target(change)
        if isinstance(change, FactCorrected):
            if target not in plain:
                return "refused"
        elif target not in plain and not (target in changes and _key(changes[target]) < _key(change)):
            return "refused"
    applied: dict[str, Fact] = {}
    versions: dict[str, tuple[int, str]] = {}
    retracted: dict[str, str] = {}
    for fid, fact in plain.items():
        mine = sorted((change for change in forced if _target(change) == fid), key=_key)
        corrections = [change for change in mine if isinstance(change, FactCorrected)]
        latest = mine[-1] if mine else None
        if isinstance(latest, FactRetracted):
            retracted[fid] = latest.id
        elif isinstance(latest, FactCorrected):
            applied[fid] = latest.replacement
            versions[fid] = (1 + len(corrections), latest.id)
        else:
            applied[fid] = fact
    withdrawn = {
        cid: max(
            (o for o in forced if isinstance(o, FactRetracted) and o.retracts == cid and _key(o) > _key(change)),
            key=_key,
        ).id
        for cid, change in changes.items()
        if not in_force(cid)
    }
    return {"facts": applied, "versions": versions, "retracted": retracted, "withdrawn": withdrawn}


@st.composite
def changed_histories(draw: st.DrawFn) -> list[Fact]:
    """A household's incomes with corrections, retractions, withdrawals of those (most of one made
    before, some of one made after, which is refused) and bad records (a correction of a change, a
    retraction of no fact) that a later withdrawal may mend; most recorded one after the other."""
    count = draw(st.integers(1, 4))
    facts: list[IncomeAssessed] = [
        income(
            f"f{n}",
            draw(st.integers(0, 9000)),
            D(2016, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300))),
            draw(st.none() | st.integers(0, 30)),
        )
        for n in range(count)
    ]
    changes: list[Fact] = []
    for n in range(draw(st.integers(0, 8))):
        # mostly one after the other; now and then one recorded before the last, or with no recorded_at
        recorded = None if draw(st.integers(0, 9)) == 0 else draw(st.integers(30 + 10 * n - 4, 30 + 10 * n + 12))
        on = D(2016, 2, 1) + dt.timedelta(days=draw(st.integers(0, 60)))
        what = draw(st.sampled_from(["correct", "correct", "retract", "retract", *["withdraw"] * 5, "bad", "stray"]))
        if what in ("withdraw", "bad") and changes:
            target = draw(st.sampled_from(changes))
            if what == "withdraw":
                changes.append(retract(f"x{n}", target.id, on, recorded))
            else:
                fact = draw(st.sampled_from(facts))
                changes.append(
                    attrs.evolve(
                        _correction_of(f"x{n}", target.id, fact),
                        date=on,
                        recorded_at=None if recorded is None else at(recorded),
                    )
                )
        elif what == "stray":
            changes.append(retract(f"x{n}", "nope", on, recorded))
        else:
            fact = draw(st.sampled_from(facts))
            if what == "retract":
                changes.append(retract(f"x{n}", fact.id, on, recorded))
            else:
                amount = Decimal(draw(st.integers(0, 9000)))
                changes.append(correct(f"x{n}", fact, on, recorded, income_per_capita=amount))
    return [*facts, *changes]


def _resolved(facts: list[Fact], known_on: dt.datetime | None) -> dict[str, Any] | str:
    try:
        found = resolve("H1", facts, known_on)
    except InvalidFact:
        return "refused"
    return {
        "facts": {fact.id: fact for fact in found.facts},
        "versions": found.versions,
        "retracted": found.retracted,
        "withdrawn": found.withdrawn,
    }


@settings(max_examples=500, deadline=None)
@given(facts=changed_histories(), known=st.none() | st.integers(0, 130), order=st.randoms(use_true_random=False))
def test_resolve_is_the_reference_model_in_any_input_order(facts: list[Fact], known: int | None, order: Any) -> None:
    known_on = None if known is None else at(known)
    expected = model(facts, known_on)
    shuffled = list(facts)
    order.shuffle(shuffled)
    assert _resolved(facts, known_on) == expected
    assert _resolved(shuffled, known_on) == expected
    if isinstance(expected, dict) and expected["withdrawn"]:
        # as if never made: without the records withdrawn and the retractions withdrawing them, the same facts
        withdrawn = set(expected["withdrawn"])
        gone = withdrawn | {f.id for f in facts if isinstance(f, FactRetracted) and f.retracts in withdrawn}
        assert _resolved([fact for fact in facts if fact.id not in gone], known_on) == {**expected, "withdrawn": {}}


def test_the_reference_model_is_not_resolve_by_another_name() -> None:
    first = income("i1")
    facts: list[Fact] = [first, retract("r1", "i1"), retract("r2", "r1", D(2016, 3, 1))]
    assert model(facts, None) == {"facts": {"i1": first}, "versions": {}, "retracted": {}, "withdrawn": {"r1": "r2"}}
    assert known_by(first, None)
    assert json.loads(json.dumps([fact.to_dict() for fact in facts]))[2]["retracts"] == "r1"
