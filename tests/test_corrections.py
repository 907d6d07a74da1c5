"""Two times on every fact, corrections and retractions, runs "as known on" and their diff."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.bounds import STORED
from relapse_guard.cli import main
from relapse_guard.diff import decisions_between
from relapse_guard.errors import (
    ConflictingFact,
    CorrectionOfOtherHousehold,
    InvalidFact,
    NeedsHistory,
    RelapseGuardError,
    UnknownCorrectedFact,
    WrongType,
)
from relapse_guard.facts import (
    AssistanceGranted,
    ExitVerified,
    Fact,
    FactCorrected,
    FactRetracted,
    IllnessReported,
    parse_fact,
)
from relapse_guard.monitoring.rescreen import reason_kind
from relapse_guard.result import HouseholdResult
from relapse_guard.store import MemoryStore, SQLiteStore, replay
from relapse_guard.testing.strategies import histories
from relapse_guard.versions import known_by, resolve

YUBEI = load_policy("yubei_2016")
ENGINE = Engine(YUBEI)
D = dt.date
START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def at(day: int, hour: int = 12) -> dt.datetime:
    """A moment ``day`` days after 1 January 2015, UTC."""
    return START + dt.timedelta(days=day, hours=hour)


HOME = Household.from_dict(
    {
        "id": "H1",
        "place": {"district": "Yubei", "town": "T", "village": "V"},
        "members": [
            {"id": f"m{i}", "birth_date": "1970-01-01", "labour_capacity": "full" if i < 1 else "none"}
            for i in range(3)
        ],
    }
)


def income(fid: str, on: dt.date, amount: int, recorded: dt.datetime | None = None) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(amount), recorded_at=recorded)


def correct(cid: str, fact: Fact, recorded: dt.datetime | None = None, **changes: Any) -> FactCorrected:
    return FactCorrected(
        id=cid,
        household_id=fact.household_id,
        date=D(2017, 1, 1),
        corrects=fact.id,
        replacement=attrs.evolve(fact, recorded_at=None, **changes),
        recorded_at=recorded,
    )


def retract(rid: str, fact: Fact, recorded: dt.datetime | None = None, reason: str = "entered twice") -> FactRetracted:
    return FactRetracted(
        id=rid,
        household_id=fact.household_id,
        date=D(2017, 1, 1),
        retracts=fact.id,
        reason=reason,
        recorded_at=recorded,
    )


def outcome(facts: list[Fact], known_on: dt.datetime | None = None) -> HouseholdResult | str:
    """The run's result, or its error's class and message (both sides of a property raise alike)."""
    try:
        return ENGINE.run(HOME, facts, as_of=D(2019, 12, 31), known_on=known_on)
    except RelapseGuardError as error:
        return f"{type(error).__name__}: {error}"


def without_decisions(result: HouseholdResult | str) -> HouseholdResult | str:
    return result if isinstance(result, str) else attrs.evolve(result, decisions=())


# --- the two times ------------------------------------------------------------------------------


def test_recorded_at_round_trips_and_is_not_part_of_the_fact() -> None:
    recorded = dt.datetime(2016, 3, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    fact = income("f1", D(2016, 3, 1), 3000, recorded)
    assert fact.recorded_at == dt.datetime(2016, 3, 10, 1, 30, tzinfo=dt.UTC)  # kept in UTC
    data = fact.to_dict()
    assert data["recorded_at"] == "2016-03-10T01:30:00+00:00"
    back = parse_fact(json.loads(json.dumps(data)))
    assert back.recorded_at == fact.recorded_at
    assert back == income("f1", D(2016, 3, 1), 3000)  # not compared
    assert hash(back) == hash(income("f1", D(2016, 3, 1), 3000))
    assert back.sort_key() == income("f1", D(2016, 3, 1), 3000).sort_key()
    assert "recorded_at" not in income("f1", D(2016, 3, 1), 3000).to_dict()  # records as before


def test_a_naive_recorded_at_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidFact) as error:
        income("f1", D(2016, 3, 1), 3000, dt.datetime(2016, 3, 10))
    assert error.value.field == "recorded_at"
    with pytest.raises(InvalidFact, match="recorded_at"):
        parse_fact({**income("f1", D(2016, 3, 1), 3000).to_dict(), "recorded_at": "2016-03-10T09:00"})


def test_recorded_at_changes_no_result() -> None:
    plain = [
        income("f1", D(2016, 3, 1), 2000),
        AssistanceGranted(id="a1", household_id="H1", date=D(2016, 4, 1), measure="m"),
    ]
    stamped = [attrs.evolve(fact, recorded_at=at(500 - index)) for index, fact in enumerate(plain)]
    assert ENGINE.run(HOME, stamped) == ENGINE.run(HOME, plain)


# --- corrections and retractions: worked cases ----------------------------------------------------


def test_a_correction_is_applied_at_the_corrected_facts_date_and_named_in_decisions() -> None:
    wrong = income("f1", D(2016, 3, 1), 9000, at(430))
    fixed = correct("c1", wrong, at(440), income_per_capita=Decimal(1500))
    before = ENGINE.run(HOME, [wrong])
    after = ENGINE.run(HOME, [wrong, fixed])
    plain = ENGINE.run(HOME, [attrs.evolve(wrong, income_per_capita=Decimal(1500))])
    assert attrs.evolve(after, decisions=tuple(attrs.evolve(d, versions=()) for d in after.decisions)) == plain
    assert before.state.value != after.state.value  # identified on the corrected income only
    used = [decision for decision in after.decisions if "f1" in decision.facts]
    assert used
    assert all(decision.versions == (("f1", 2),) for decision in used)
    assert "f1 (v2)" in used[0].explain()
    assert used[0].to_dict()["versions"] == [["f1", 2]]
    assert all("versions" not in decision.to_dict() for decision in [*before.decisions, *plain.decisions])


def test_the_latest_correction_wins_and_a_retraction_withdraws_the_fact() -> None:
    first = income("f1", D(2016, 3, 1), 1000, at(430))
    two = correct("c1", first, at(440), income_per_capita=Decimal(2000))
    three = correct("c0", first, at(450), income_per_capita=Decimal(9000))  # later, though its id sorts first
    resolved = resolve("H1", [three, first, two])
    assert [fact.income_per_capita for fact in resolved.facts] == [Decimal(9000)]  # type: ignore[attr-defined]
    assert resolved.versions == {"f1": (3, "c0")}
    gone = resolve("H1", [first, two, retract("r1", first, at(460))])
    assert gone.facts == []
    assert gone.retracted == {"f1": "r1"}
    # as known between the two corrections: version 2
    assert resolve("H1", [first, two, three], at(445)).versions == {"f1": (2, "c1")}


def test_every_kind_can_be_corrected_even_its_date() -> None:
    ill = IllnessReported(id="i1", household_id="H1", date=D(2016, 5, 1), member_id="m1", self_paid_cost=Decimal(40000))
    moved = correct("c1", ill, date=D(2016, 7, 1), self_paid_cost=Decimal(100))
    resolved = resolve("H1", [ill, moved])
    assert resolved.facts == [attrs.evolve(ill, date=D(2016, 7, 1), self_paid_cost=Decimal(100))]
    parsed = parse_fact(json.loads(json.dumps(moved.to_dict())))
    assert parsed == moved
    assert isinstance(parsed, FactCorrected)
    assert parsed.replacement.date == D(2016, 7, 1)


def test_a_correction_must_carry_the_same_id_and_household() -> None:
    fact = income("f1", D(2016, 3, 1), 1000)
    with pytest.raises(InvalidFact) as error:
        FactCorrected(
            id="c1", household_id="H1", date=D(2016, 4, 1), corrects="f1", replacement=attrs.evolve(fact, id="f2")
        )
    assert (error.value.field, error.value.value) == ("replacement.id", "f2")
    with pytest.raises(InvalidFact, match=r"replacement\.household_id"):
        FactCorrected(
            id="c1",
            household_id="H1",
            date=D(2016, 4, 1),
            corrects="f1",
            replacement=attrs.evolve(fact, household_id="H2"),
        )
    with pytest.raises(InvalidFact, match=r"replacement\.income_per_capita"):
        parse_fact(
            {
                "kind": "fact_corrected",
                "id": "c1",
                "household_id": "H1",
                "date": "2016-04-01",
                "corrects": "f1",
                "replacement": {**fact.to_dict(), "income_per_capita": "-5"},
            }
        )


def test_a_correction_of_an_unknown_fact_is_a_typed_error_naming_field_household_and_value() -> None:
    stray = retract("r1", income("nope", D(2016, 3, 1), 1000))
    with pytest.raises(UnknownCorrectedFact) as error:
        ENGINE.run(HOME, [income("f1", D(2016, 3, 1), 1000), stray])
    assert (error.value.household_id, error.value.field, error.value.value, error.value.fact_id) == (
        "H1",
        "retracts",
        "nope",
        "r1",
    )
    back = pickle.loads(pickle.dumps(error.value))
    assert str(back) == str(error.value)
    assert back.value == "nope"
    # a fact recorded after the knowledge date is not known then: its correction is refused as of then
    late = income("f1", D(2016, 3, 1), 1000, at(500))
    with pytest.raises(UnknownCorrectedFact, match="recorded by"):
        resolve("H1", [late, correct("c1", late, None, income_per_capita=Decimal(5))], at(400))


def test_a_correction_of_another_households_fact_is_refused_by_the_store() -> None:
    store = MemoryStore()
    store.put_households([HOME, attrs.evolve(HOME, id="H2")])
    theirs = IncomeAssessed(id="g1", household_id="H2", date=D(2016, 3, 1), income_per_capita=Decimal(1000))
    store.append("H2", [theirs])
    mine = FactRetracted(id="r1", household_id="H1", date=D(2016, 4, 1), retracts="g1")
    with pytest.raises(CorrectionOfOtherHousehold) as error:
        store.append("H1", [mine])
    assert (error.value.household_id, error.value.field, error.value.value, error.value.owner) == (
        "H1",
        "retracts",
        "g1",
        "H2",
    )
    assert "H2" in str(error.value)
    back = pickle.loads(pickle.dumps(error.value))
    assert (str(back), back.owner) == (str(error.value), "H2")


def test_ids_of_corrections_are_fact_ids_too() -> None:
    fact = income("f1", D(2016, 3, 1), 1000)
    with pytest.raises(ConflictingFact):
        resolve("H1", [fact, income("c1", D(2016, 3, 2), 5), correct("c1", fact)])
    with pytest.raises(InvalidFact, match="retracts"):  # a retraction of itself: refused where it is made
        FactRetracted(id="r1", household_id="H1", date=D(2016, 3, 1), retracts="r1")
    with pytest.raises(InvalidFact, match="retracts"):  # of no fact
        FactRetracted(id="r1", household_id="H1", date=D(2016, 3, 1), retracts=" ")
    token = STORED.set(True)  # as a store written by an earlier version reads it back
    try:
        itself = FactRetracted(id="r1", household_id="H1", date=D(2016, 3, 1), retracts="r1")
    finally:
        STORED.reset(token)
    with pytest.raises(UnknownCorrectedFact, match="retracts"):  # not one of the facts
        resolve("H1", [fact, itself])


# --- as known on --------------------------------------------------------------------------------------


def test_known_on_sees_only_what_was_recorded_by_then_in_its_version_of_then() -> None:
    wrong = income("f1", D(2016, 3, 1), 9000, at(430))
    fixed = correct("c1", wrong, at(440), income_per_capita=Decimal(1500))
    facts = [wrong, fixed]
    assert ENGINE.run(HOME, facts, known_on=at(435)) == ENGINE.run(HOME, [wrong])
    assert ENGINE.run(HOME, facts, known_on=at(445)) == ENGINE.run(HOME, facts)
    assert ENGINE.run(HOME, facts, known_on=at(10)).decisions == ()
    unstamped = income("f0", D(2016, 1, 1), 9000)  # no recorded_at: known from the start
    assert known_by(unstamped, at(-1000))


def test_known_on_must_be_timezone_aware() -> None:
    with pytest.raises(WrongType, match="timezone-aware"):
        ENGINE.run(HOME, [], known_on=dt.datetime(2016, 3, 10))
    with pytest.raises(WrongType, match="datetime"):
        ENGINE.run(HOME, [], known_on=D(2016, 3, 10))  # type: ignore[arg-type]


def test_replay_from_a_store_as_known_on() -> None:
    with SQLiteStore(":memory:") as store:
        store.put_household(HOME)
        wrong = income("f1", D(2016, 3, 1), 9000, at(430))
        store.append("H1", [wrong])
        store.append("H1", [correct("c1", wrong, at(440), income_per_capita=Decimal(1500))])
        stored = store.facts("H1")
        assert [fact.recorded_at for fact in stored] == [at(430), at(440)]  # kept as given
        assert replay(store, "H1", YUBEI, known_on=at(435)) == ENGINE.run(HOME, [wrong])
        assert replay(store, "H1", YUBEI) == ENGINE.run(HOME, stored)
        assert len(stored) == 2  # nothing overwritten


def test_the_store_stamps_recorded_at_when_absent() -> None:
    store = MemoryStore()
    store.put_household(HOME)
    before = dt.datetime.now(dt.UTC)
    store.append("H1", [income("f1", D(2016, 3, 1), 1000)])
    store.ingest([{**income("f2", D(2016, 4, 1), 1000).to_dict()}])
    after = dt.datetime.now(dt.UTC)
    stamps = [fact.recorded_at for fact in store.facts("H1")]
    assert all(stamp is not None and before <= stamp <= after for stamp in stamps)
    store.append("H1", [income("f1", D(2016, 3, 1), 1000)])  # again: a duplicate, nothing new
    assert [fact.recorded_at for fact in store.facts("H1")] == stamps


# --- the resume path -----------------------------------------------------------------------------


def test_a_correction_among_a_resumes_new_facts_replays_and_says_why() -> None:
    wrong = income("f1", D(2016, 3, 1), 9000)
    done = ENGINE.run_checkpointed(HOME, [wrong], as_of=D(2016, 6, 30))
    fixed = correct("c1", wrong, income_per_capita=Decimal(1500))
    with pytest.raises(NeedsHistory, match="corrects fact 'f1'"):
        ENGINE.resume(done.checkpoint, HOME, [fixed], as_of=D(2016, 7, 31))
    again = ENGINE.resume(done.checkpoint, HOME, [fixed], as_of=D(2016, 7, 31), history=[wrong])
    assert again.path.value == "replayed"
    assert "corrects fact 'f1'" in again.reason
    assert again.why is not None
    assert reason_kind(again.why) == "fact corrected"
    assert again.result == ENGINE.run(HOME, [wrong, fixed], as_of=D(2016, 7, 31))
    gone = ENGINE.resume(done.checkpoint, HOME, [retract("r1", wrong)], as_of=D(2016, 7, 31), history=[wrong])
    assert gone.why is not None
    assert reason_kind(gone.why) == "fact corrected"
    assert gone.result.decisions == ()


# --- properties ----------------------------------------------------------------------------------------


@st.composite
def recorded_histories(draw: st.DrawFn) -> list[Fact]:
    """A history with recorded_at on most facts, some corrected (income, costs) or retracted later."""
    facts = draw(histories(HOME, D(2015, 1, 1), D(2019, 6, 30), policy=YUBEI, max_episodes=8))
    out: list[Fact] = []
    for fact in facts:
        day = (fact.date - D(2015, 1, 1)).days + draw(st.integers(0, 120))
        out.append(attrs.evolve(fact, recorded_at=draw(st.none() | st.just(at(day)))))
    changes: list[Fact] = []
    for index, fact in enumerate(out):
        what = draw(st.sampled_from(["keep", "keep", "correct", "retract"]))
        if what == "keep":
            continue
        base = fact.recorded_at or START
        recorded = base + dt.timedelta(days=draw(st.integers(0, 400)))
        if what == "retract" and not isinstance(fact, AssistanceGranted | ExitVerified):
            changes.append(retract(f"x{index}", fact, recorded))
        elif isinstance(fact, IncomeAssessed):
            amount = Decimal(draw(st.integers(0, 12_000)))
            changes.append(correct(f"x{index}", fact, recorded, income_per_capita=amount))
    return out + changes


@settings(max_examples=60, deadline=None)
@given(facts=recorded_histories(), day=st.integers(0, 2000))
def test_as_known_on_any_instant_equals_a_live_run_of_the_facts_recorded_by_then(facts: list[Fact], day: int) -> None:
    moment = at(day)
    seen = [fact for fact in facts if known_by(fact, moment)]
    assert outcome(facts, moment) == outcome(seen)


@settings(max_examples=60, deadline=None)
@given(facts=recorded_histories(), order=st.randoms(use_true_random=False))
def test_corrections_and_retractions_commute_with_the_order_of_ingest(facts: list[Fact], order: object) -> None:
    shuffled = list(facts)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert outcome(shuffled) == outcome(facts)
    store = MemoryStore()
    store.put_household(HOME)
    for fact in shuffled:
        store.append("H1", [fact])
    assert outcome(store.facts("H1")) == outcome(facts)


@settings(max_examples=60, deadline=None)
@given(facts=recorded_histories(), extra=st.integers(0, 1500), cost=st.integers(0, 90_000))
def test_adding_then_retracting_a_fact_gives_the_result_of_never_adding_it(
    facts: list[Fact], extra: int, cost: int
) -> None:
    added = IllnessReported(
        id="added",
        household_id="H1",
        date=D(2015, 1, 1) + dt.timedelta(days=extra),
        member_id="m1",
        self_paid_cost=Decimal(cost),
    )
    withdrawn = retract("withdrawn", added)
    assert without_decisions(outcome([*facts, added, withdrawn])) == without_decisions(outcome(facts))


# --- diff and the command line ---------------------------------------------------------------------


def _audit_facts() -> list[Fact]:
    wrong = income("f1", D(2016, 2, 20), 9000, dt.datetime(2016, 2, 25, tzinfo=dt.UTC))
    return [
        wrong,
        correct("c1", wrong, dt.datetime(2016, 3, 15, tzinfo=dt.UTC), income_per_capita=Decimal(1500)),
    ]


def test_decisions_between_two_knowledge_dates_name_the_facts_that_made_the_difference() -> None:
    facts = _audit_facts()
    march10, april = dt.datetime(2016, 3, 10, tzinfo=dt.UTC), dt.datetime(2016, 4, 1, tzinfo=dt.UTC)
    change = decisions_between(ENGINE, HOME, facts, march10, april)
    assert [(f.fact_id, f.before, f.after, f.by) for f in change.facts] == [("f1", 1, 2, ("c1",))]
    assert change.added
    assert not change.same
    assert all(decision.versions == (("f1", 2),) for decision in change.added if "f1" in decision.facts)
    lines = change.lines()
    assert "fact f1 (income_assessed, 2016-02-20): v1 -> v2 (by c1)" in lines
    assert any(line.startswith("+ ") for line in lines)
    assert json.loads(json.dumps(change.to_dict()))["facts"][0]["after"] == 2
    same = decisions_between(ENGINE, HOME, facts, april, april)
    assert same.same
    assert same.facts == ()
    assert "no decision differs" in same.lines()


def _store(tmp_path: Path) -> str:
    path = str(tmp_path / "audit.sqlite")
    with SQLiteStore(path) as store:
        store.put_household(HOME)
        store.append("H1", _audit_facts())
    return path


def test_explain_known_on_shows_what_was_known_then(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _store(tmp_path)
    assert main(["explain", "H1", "--store", path, "--policy", "yubei_2016", "--known-on", "2016-03-10"]) == 0
    then = capsys.readouterr().out
    assert main(["explain", "H1", "--store", path, "--policy", "yubei_2016", "--known-on", "2016-04-01"]) == 0
    later = capsys.readouterr().out
    assert then != later
    assert "f1 (v2)" in later
    assert "(v2)" not in then


def test_diff_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _store(tmp_path)
    args = ["diff", "H1", "--store", path, "--known-on", "2016-03-10", "--known-on", "2016-04-01T00:00:00+08:00"]
    args += ["--policy", "yubei_2016"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "fact f1 (income_assessed, 2016-02-20): v1 -> v2 (by c1)" in out
    assert "\n+ " in out
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["facts"][0]["by"] == ["c1"]


def test_diff_command_needs_two_knowledge_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "H1", "--store", _store(tmp_path), "--known-on", "2016-03-10", "--policy", "yubei_2016"]) != 0
    assert "twice" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["diff", "H1", "--store", "x", "--known-on", "March", "--policy", "yubei_2016"])


def test_a_retraction_mends_a_fact_that_fails_before_the_run_reaches_the_retraction() -> None:
    wrong_exit = ExitVerified(id="e1", household_id="H1", date=D(2016, 3, 1))  # never assisted: refused alone
    assert outcome([wrong_exit]).startswith("InvalidTransition")  # type: ignore[union-attr]
    mended = outcome([wrong_exit, retract("r1", wrong_exit)])
    assert isinstance(mended, HouseholdResult)
    assert mended.decisions == ()


def test_of_two_corrections_recorded_together_the_one_made_later_wins_whatever_their_ids() -> None:
    # By id alone "fix-10" sorted before "fix-9": the February correction won over March's, and
    # the same facts appended one at a time (stamped apart) gave the other answer.
    first = income("f1", D(2016, 1, 10), 2400)
    february = attrs.evolve(correct("fix-9", first, income_per_capita=Decimal(1200)), date=D(2016, 2, 1))
    march = attrs.evolve(correct("fix-10", first, income_per_capita=Decimal(3000)), date=D(2016, 3, 1))
    for facts in ([first, february, march], [first, march, february]):
        resolved = resolve("H1", facts)
        assert resolved.facts == [attrs.evolve(first, income_per_capita=Decimal(3000))]
        assert resolved.versions == {"f1": (3, "fix-10")}
    stamped = resolve("H1", [first, attrs.evolve(february, recorded_at=at(3)), attrs.evolve(march, recorded_at=at(2))])
    assert stamped.versions == {"f1": (3, "fix-9")}  # recorded later: recorded_at comes first
