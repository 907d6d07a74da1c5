"""Checkpoints and ``Engine.resume``: carrying a run on gives what a run of all the facts gives.

For random histories (with identification cases and their decisions) under every shipped
policy, split at a random point, checkpointed as of a random date between the two parts and
kept in the store's compact form: resuming with the rest equals a run of everything, in state,
risks, grants, pending grants, reviews, eliminated risks, open cases, the decisions after the
split and the next checkpoint. A back-dated fact, another policy, a changed household take the
replay path, say why, and still equal the run of everything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from decimal import Decimal

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, Policy, State, load_policy
from relapse_guard.cases import IDENTIFICATION, CaseState, Outcome
from relapse_guard.engine import Checkpoint, Checkpointed, ResumePath
from relapse_guard.engine.checkpoint import split_compact
from relapse_guard.engine.quiet import patch_quiet
from relapse_guard.engine.resume import sort_key
from relapse_guard.errors import (
    InvalidArgument,
    InvalidCheckpoint,
    InvalidFact,
    NeedsHistory,
    RelapseGuardError,
    StaleCheckpoint,
)
from relapse_guard.facts import (
    CaseOpened,
    Fact,
    HouseholdMoved,
    IncomeAssessed,
    MemberDied,
    MemberJoined,
    MemberLeft,
)
from relapse_guard.household import Member, Place
from relapse_guard.testing import histories, households

D = dt.date
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]
START, END, AS_OF = D(2015, 1, 1), D(2019, 12, 31), D(2020, 1, 1)
#: Examples for the properties after the first (at most 100: the first is the one to push).
SECONDARY = min(100, settings().max_examples)


@st.composite
def case_facts(draw: st.DrawFn, household: Household) -> list[Fact]:
    """An identification case of ``household``: opened, then a few of the records its procedure allows."""
    opened_on = draw(st.dates(START, END))
    opening = CaseOpened(
        id=f"{household.id}-c1:open",
        household_id=household.id,
        date=opened_on,
        case_id=f"{household.id}-c1",
        procedure=IDENTIFICATION.name,
    )
    case = CaseState.opened(IDENTIFICATION, opening)
    facts: list[Fact] = [opening]
    on = opened_on
    for _ in range(draw(st.integers(0, 8))):
        on += dt.timedelta(days=draw(st.integers(0, 12)))
        allowed = [o for o in case.allowed(on) if o is not Outcome.ASSIGN]
        if not allowed or on > END:
            break
        fact = case.record(draw(st.sampled_from(allowed)), date=on, actor="cadre", reason="checked")
        case = case.advance(fact)
        facts.append(fact)
    decided = case.decision_facts()
    return [*facts, *decided]


@st.composite
def scenarios(draw: st.DrawFn, policy: Policy) -> tuple[Household, list[Fact]]:
    home = draw(households(household_id="HH-1", born_by=D(2014, 12, 31)))
    facts = draw(histories(home, START, END, policy=policy))
    if draw(st.booleans()):
        facts += draw(case_facts(home))
    if draw(st.integers(0, 3)) == 0:  # a member born, leaving or dying, a move
        facts += draw(household_changes(home))
    return home, sorted(facts, key=sort_key)


@st.composite
def household_changes(draw: st.DrawFn, home: Household) -> list[Fact]:
    out: list[Fact] = []
    for n in range(draw(st.integers(1, 2))):
        on = draw(st.dates(START, END))
        member = draw(st.sampled_from([m.id for m in home.members]))
        fid, hid = f"{home.id}-h{n}", home.id
        choices: list[Fact] = [
            MemberJoined(id=fid, household_id=hid, date=on, member_id=f"{hid}-new{n}", birth_date=on),
            MemberDied(id=fid, household_id=hid, date=on, member_id=member),
            MemberLeft(id=fid, household_id=hid, date=on, member_id=member),
            HouseholdMoved(id=fid, household_id=hid, date=on, district="Dazu"),
        ]
        out.append(draw(st.sampled_from(choices)))
    return out


def _compact(checkpointed: Checkpointed, policy: Policy) -> Checkpoint:
    """The checkpoint as a store keeps it, read back (and the JSON form too: both exact)."""
    checkpoint = checkpointed.checkpoint
    assert Checkpoint.from_dict(checkpoint.to_dict(), kinds=policy.fact_kinds) == checkpoint
    back = Checkpoint.from_bytes(checkpoint.to_bytes(policy), policy)
    assert back == checkpoint
    return back


def _full(engine: Engine, home: Household, facts: Sequence[Fact]) -> Checkpointed | None:
    try:
        return engine.run_checkpointed(home, facts, as_of=AS_OF)
    except RelapseGuardError:  # a history the policy refuses: the resumed run must refuse it too
        return None


@pytest.mark.parametrize("name", POLICIES)
@given(data=st.data())
def test_resuming_a_checkpoint_equals_running_every_fact(name: str, data: st.DataObject) -> None:
    policy = load_policy(name)
    engine = Engine(policy)
    home, facts = data.draw(scenarios(policy))
    split = data.draw(st.integers(0, len(facts)), label="split")
    prefix, suffix = facts[:split], facts[split:]
    low = prefix[-1].date if prefix else START
    high = suffix[0].date if suffix else AS_OF
    checkpoint_as_of = data.draw(st.none() | st.dates(low, high), label="checkpoint as of")
    full = _full(engine, home, facts)
    if full is None:
        try:
            first = engine.run_checkpointed(home, prefix, as_of=checkpoint_as_of)
        except RelapseGuardError:
            return
        with pytest.raises(RelapseGuardError):
            engine.resume(_compact(first, policy), home, suffix, as_of=AS_OF)
        return
    first = engine.run_checkpointed(home, prefix, as_of=checkpoint_as_of)
    resumed = engine.resume(_compact(first, policy), home, suffix, as_of=AS_OF)
    assert resumed.path is ResumePath.RESUMED, resumed.reason
    after_split = full.result.decisions[len(first.result.decisions) :]
    assert resumed.result == attrs.evolve(full.result, decisions=after_split)
    assert resumed.checkpoint == full.checkpoint


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=SECONDARY)  # the replay path is the full run's
@given(data=st.data())
def test_a_late_fact_is_replayed_and_equals_running_every_fact(name: str, data: st.DataObject) -> None:
    policy = load_policy(name)
    engine = Engine(policy, record_decisions=data.draw(st.booleans(), label="decisions"))
    home, facts = data.draw(scenarios(policy).filter(lambda s: len(s[1]) >= 2))
    late = data.draw(st.integers(0, len(facts) - 2), label="late fact")
    known = facts[:late] + facts[late + 1 :]
    full = _full(engine, home, facts)
    try:
        first = engine.run_checkpointed(home, known, as_of=known[-1].date)
    except RelapseGuardError:
        return
    if full is None:
        with pytest.raises(RelapseGuardError):
            engine.resume(first.checkpoint, home, [facts[late]], as_of=AS_OF, history=known)
        return
    with pytest.raises(NeedsHistory, match=facts[late].id):
        engine.resume(first.checkpoint, home, [facts[late]], as_of=AS_OF)
    replayed = engine.resume(first.checkpoint, home, [facts[late]], as_of=AS_OF, history=lambda: known)
    assert replayed.path is ResumePath.REPLAYED
    assert facts[late].id in replayed.reason
    assert replayed.result == full.result
    assert replayed.checkpoint == full.checkpoint


# --- the replay path, each reason -----------------------------------------------------------

HOME = Household(id="HH-9", place=Place(district="Yubei"), members=(Member(id="m1", birth_date=D(1970, 1, 1)),))


def _income(fact_id: str, on: dt.date, amount: int) -> IncomeAssessed:
    return IncomeAssessed(id=fact_id, household_id=HOME.id, date=on, income_per_capita=Decimal(amount))


FIRST = [_income("i1", D(2016, 1, 10), 2000), _income("i2", D(2016, 3, 10), 2500)]
LATER = [_income("i3", D(2016, 6, 10), 2600)]


CLOCK = D(2016, 3, 31)


def _checkpoint(engine: Engine, as_of: dt.date = CLOCK) -> Checkpoint:
    return engine.run_checkpointed(HOME, FIRST, as_of=as_of).checkpoint


def test_another_policy_replays_and_says_which() -> None:
    yubei, dazu = Engine(load_policy("yubei_2016")), Engine(load_policy("dazu_2016"))
    resumed = dazu.resume(_checkpoint(yubei), HOME, LATER, history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert "yubei_2016" in resumed.reason
    assert "dazu_2016" in resumed.reason
    assert resumed.result == dazu.run(HOME, FIRST + LATER)


def test_changed_parameters_replay() -> None:
    policy = load_policy("yubei_2016")
    raised = policy.derive(
        name=policy.name, version=policy.version, parameters={"safety_net.standard": {D(2016, 5, 1): 330}}
    )
    resumed = Engine(raised).resume(_checkpoint(Engine(policy)), HOME, LATER, history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert "parameters" in resumed.reason


def test_a_changed_household_replays() -> None:
    engine = Engine(load_policy("yubei_2016"))
    grown = attrs.evolve(HOME, members=(*HOME.members, Member(id="m2", birth_date=D(2000, 1, 1))))
    resumed = engine.resume(_checkpoint(engine), grown, LATER, history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert "record" in resumed.reason
    assert resumed.result == engine.run(grown, FIRST + LATER)


def test_an_as_of_before_the_clock_replays() -> None:
    engine = Engine(load_policy("yubei_2016"))
    resumed = engine.resume(_checkpoint(engine), HOME, [], as_of=D(2016, 3, 20), history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert "before the checkpoint's clock" in resumed.reason
    assert resumed.result == engine.run(HOME, FIRST, as_of=D(2016, 3, 20))


def test_a_fact_dated_before_the_clock_replays_even_if_it_sorts_after_the_last_fact() -> None:
    engine = Engine(load_policy("yubei_2016"))
    inside = [_income("i3", D(2016, 3, 20), 2600)]  # after i2, before the clock (31 March)
    resumed = engine.resume(_checkpoint(engine), HOME, inside, as_of=D(2016, 4, 30), history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert "clock" in resumed.reason


def test_a_checkpoint_without_decisions_replays_for_an_engine_that_records_them() -> None:
    lean, full = Engine(load_policy("yubei_2016"), record_decisions=False), Engine(load_policy("yubei_2016"))
    resumed = full.resume(_checkpoint(lean), HOME, LATER, history=FIRST)
    assert resumed.path is ResumePath.REPLAYED
    assert resumed.result == full.run(HOME, FIRST + LATER)
    assert lean.resume(_checkpoint(lean), HOME, LATER).path is ResumePath.RESUMED


def test_resumed_decisions_are_numbered_on_from_the_checkpoint() -> None:
    engine = Engine(load_policy("yubei_2016"))
    first = engine.run_checkpointed(HOME, FIRST)
    resumed = engine.resume(first.checkpoint, HOME, [_income("i3", D(2016, 6, 10), 500)])
    numbers = [d.sequence for d in resumed.result.decisions]
    assert numbers == list(range(len(first.result.decisions), len(first.result.decisions) + len(numbers)))
    assert resumed.checkpoint.decisions == len(first.result.decisions) + len(numbers)


def test_resume_refuses_what_is_not_a_checkpoint_or_another_households() -> None:
    engine = Engine(load_policy("yubei_2016"))
    with pytest.raises(TypeError, match="Checkpoint"):
        engine.resume({"state": "new"}, HOME, [])  # type: ignore[arg-type]
    other = attrs.evolve(HOME, id="HH-8")
    with pytest.raises(InvalidArgument, match="HH-9"):
        engine.resume(_checkpoint(engine), other, [])


# --- the encodings --------------------------------------------------------------------------


def test_the_compact_form_is_read_only_under_its_policy() -> None:
    yubei, dazu = load_policy("yubei_2016"), load_policy("dazu_2016")
    checkpoint = _checkpoint(Engine(yubei))
    data = checkpoint.to_bytes(yubei)
    with pytest.raises(StaleCheckpoint, match="dazu_2016"):
        Checkpoint.from_bytes(data, dazu)
    with pytest.raises(InvalidArgument, match="yubei_2016"):
        checkpoint.to_bytes(dazu)
    with pytest.raises(InvalidCheckpoint):
        Checkpoint.from_bytes(b"RGC\x01" + data[4:12] + b"not deflated", yubei)
    with pytest.raises(InvalidCheckpoint):
        Checkpoint.from_bytes(b"junk", yubei)


def test_a_checkpoint_of_another_schema_is_refused_naming_the_field() -> None:
    data = _checkpoint(Engine(load_policy("yubei_2016"))).to_dict()
    with pytest.raises(InvalidCheckpoint, match="schema"):
        Checkpoint.from_dict({**data, "schema": 99})
    with pytest.raises(InvalidCheckpoint, match="state"):
        Checkpoint.from_dict({**data, "state": "asleep"})
    with pytest.raises(InvalidCheckpoint, match="last_fact"):
        Checkpoint.from_dict({**data, "last_fact": ["2016-01-01", "x", 3]})


def test_a_quiet_households_compact_checkpoint_is_small() -> None:
    policy = load_policy("yubei_2016")
    checkpoint = Engine(policy).run_checkpointed(HOME, [_income("i1", D(2016, 1, 10), 9000)]).checkpoint
    assert checkpoint.state is State.NEW
    assert len(checkpoint.to_bytes(policy)) < 160


# --- a quiet month, on the compact form's head ------------------------------------------------


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=SECONDARY)
@given(data=st.data())
def test_a_quiet_month_patched_on_the_head_equals_resuming(name: str, data: st.DataObject) -> None:
    policy = load_policy(name)
    engine = Engine(policy, record_decisions=False)
    home, facts = data.draw(scenarios(policy))
    clock = data.draw(st.dates(facts[-1].date if facts else START, END), label="clock")
    try:
        first = engine.run_checkpointed(home, facts, as_of=clock)
    except RelapseGuardError:
        return
    checkpoint = first.checkpoint
    band = checkpoint.quiet_band
    as_of = data.draw(st.dates(clock, clock + dt.timedelta(days=60)), label="as of")
    days = data.draw(st.lists(st.dates(clock, as_of), max_size=3), label="fact dates")
    extra = data.draw(st.integers(0, 5_000), label="above the band")
    new = sorted(
        (
            IncomeAssessed(
                id=f"q{index}",
                household_id=home.id,
                date=day,
                income_per_capita=(band if band is not None else Decimal(0)) + extra + index,
            )
            for index, day in enumerate(days)
        ),
        key=sort_key,
    )
    data_bytes = checkpoint.to_bytes(policy)
    patched = patch_quiet(data_bytes, home, new, as_of=as_of, fingerprint=engine.fingerprint)
    try:
        resumed = engine.resume(checkpoint, home, new, as_of=as_of, history=facts)
    except InvalidFact:  # facts a household cannot take (it dissolved): never patched quietly
        assert patched is None
        event("refused")
        return
    event("patched" if patched is not None else "not quiet")
    if patched is None:
        return  # not quiet (no band, a band ending, an event due): the usual way is the only way
    assert resumed.path is ResumePath.RESUMED
    assert Checkpoint.from_bytes(patched, policy) == resumed.checkpoint


def _near_the_gate(data: st.DataObject, checkpoint: Checkpoint, index: int) -> Decimal:
    """An income for a quiet month's ``index``-th assessment: with a gate, mostly strictly inside
    it, sometimes on a bound or outside; without one, at or above the band."""
    band = checkpoint.quiet_band if checkpoint.quiet_band is not None else Decimal(0)
    if checkpoint.quiet_gate is None:
        return band + data.draw(st.integers(0, 5_000), label="above the band") + index
    low, high = checkpoint.quiet_gate
    where = data.draw(st.sampled_from(["inside", "inside", "inside", "low", "high", "under", "over"]), label="where")
    if where == "inside":
        return low + (high - low) * data.draw(st.integers(1, 999), label="per mille") / 1000
    return {"low": low, "high": high, "under": max(low - 1, Decimal(0)), "over": high + 1}[where]


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=SECONDARY)
@given(data=st.data())
def test_quiet_months_with_a_running_top_up_patched_equal_resuming(name: str, data: st.DataObject) -> None:
    # Incomes under the line start a safety-net top-up that follows them (or any history:
    # exits, cases, household changes); two months of incomes near its basis are then patched
    # on the head (the second on the first's patch, as a cycle does) or resumed, and each patch
    # must equal resuming.
    policy = load_policy(name)
    engine = Engine(policy, record_decisions=False)
    if data.draw(st.booleans(), label="any history"):
        home, facts = data.draw(scenarios(policy), label="history")
        if not facts:
            return
    else:
        home = data.draw(households(household_id="HH-1", born_by=D(2014, 12, 31)), label="household")
        on = data.draw(st.dates(D(2016, 1, 1), D(2017, 12, 31)), label="start")
        facts = []
        for index, amount in enumerate(data.draw(st.lists(st.integers(0, 4_500), min_size=1, max_size=4))):
            facts.append(
                IncomeAssessed(id=f"i{index}", household_id=home.id, date=on, income_per_capita=Decimal(amount))
            )
            on += dt.timedelta(days=data.draw(st.integers(1, 120), label="gap"))
    clock = data.draw(st.dates(facts[-1].date, facts[-1].date + dt.timedelta(days=90)), label="clock")
    try:
        checkpoint = engine.run_checkpointed(home, facts, as_of=clock).checkpoint
    except RelapseGuardError:
        return
    data_bytes = checkpoint.to_bytes(policy)
    history = list(facts)
    for month in range(2):
        later = data.draw(st.sampled_from([45, 400]), label="days at most")  # a month, or past a re-check
        as_of = data.draw(st.dates(clock, clock + dt.timedelta(days=later)), label=f"as of {month}")
        days = sorted(data.draw(st.lists(st.dates(clock, as_of), max_size=3), label=f"fact dates {month}"))
        new = [
            IncomeAssessed(
                id=f"q{month}-{index}",
                household_id=home.id,
                date=day,
                income_per_capita=_near_the_gate(data, checkpoint, index),
            )
            for index, day in enumerate(days)
        ]
        patched = patch_quiet(data_bytes, home, new, as_of=as_of, fingerprint=engine.fingerprint)
        try:
            resumed = engine.resume(checkpoint, home, new, as_of=as_of, history=history)
        except RelapseGuardError:
            assert patched is None
            return
        gated = checkpoint.quiet_gate is not None
        event(f"month {month}: " + ("not quiet" if patched is None else "patched with a gate" if gated else "patched"))
        if patched is not None:
            assert resumed.path is ResumePath.RESUMED
            assert not resumed.result.decisions
            assert Checkpoint.from_bytes(patched, policy) == resumed.checkpoint
            data_bytes = patched  # a cycle keeps the patch, with the quiet region it was made with
            checkpoint = Checkpoint.from_bytes(patched, policy)
        else:
            checkpoint = resumed.checkpoint
            data_bytes = checkpoint.to_bytes(policy)
        history += new
        clock = as_of


def test_a_quiet_month_is_patched_and_a_loud_one_is_not() -> None:
    policy = load_policy("yubei_2016")
    engine = Engine(policy, record_decisions=False)
    data = engine.run_checkpointed(HOME, [_income("i1", D(2016, 1, 10), 9000)], as_of=CLOCK).checkpoint.to_bytes(policy)
    quiet = [_income("i2", D(2016, 4, 10), 9100)]
    patched = patch_quiet(data, HOME, quiet, as_of=D(2016, 4, 30), fingerprint=engine.fingerprint)
    assert patched is not None
    assert Checkpoint.from_bytes(patched, policy).income == Decimal(9100)
    loud = [_income("i2", D(2016, 4, 10), 100)]  # under the line: identification must be evaluated
    assert patch_quiet(data, HOME, loud, as_of=D(2016, 4, 30), fingerprint=engine.fingerprint) is None
    assert patch_quiet(data, HOME, quiet, as_of=D(2016, 4, 30), fingerprint="0" * 16) is None
    assert (
        patch_quiet(data, HOME, quiet, as_of=D(2016, 4, 30), fingerprint=engine.fingerprint, wake=D(2016, 4, 1)) is None
    )


def test_a_running_top_up_is_patched_inside_its_gate_before_its_re_check() -> None:
    # 1200 a year: a top-up of (300 - 100) x 1 = 200.00 a month on a basis of 1200; the re-check
    # is due six months on (a member able to work), and 20% either way is no obvious change.
    policy = load_policy("yubei_2016")
    engine = Engine(policy, record_decisions=False)
    first = [_income("i1", D(2016, 1, 5), 1200)]
    checkpoint = engine.run_checkpointed(HOME, first, as_of=D(2016, 2, 29)).checkpoint
    assert (checkpoint.quiet_band, checkpoint.quiet_gate) == (Decimal(0), (Decimal(960), Decimal(1440)))
    assert checkpoint.quiet_until == D(2016, 7, 5)
    data = checkpoint.to_bytes(policy)
    assert Checkpoint.from_bytes(data, policy).quiet_gate == checkpoint.quiet_gate
    assert Checkpoint.from_dict(checkpoint.to_dict()).quiet_gate == checkpoint.quiet_gate

    def month(amount: int, on: dt.date) -> tuple[bytes | None, Checkpointed, list[str]]:
        """The month's patch, its resumption and what a run of everything decides that month."""
        new = [_income("i2", on, amount)]
        patched = patch_quiet(data, HOME, new, as_of=on, fingerprint=engine.fingerprint)
        everything = Engine(policy).run(HOME, [*first, *new], as_of=on)
        said = [decision.explanation for decision in everything.decisions if decision.date >= on]
        return patched, engine.resume(checkpoint, HOME, new, as_of=on, history=first), said

    patched, resumed, said = month(1300, D(2016, 3, 10))
    assert patched is not None
    assert not said
    assert Checkpoint.from_bytes(patched, policy) == resumed.checkpoint
    assert Checkpoint.from_bytes(patched, policy).income == Decimal(1300)
    for amount, on, kind in [
        (1440, D(2016, 3, 10), "lowered"),  # on the gate's bound: an obvious change
        (900, D(2016, 3, 10), "raised"),
        (1300, D(2016, 7, 5), "kept"),  # the re-check's day: the amount kept, the next re-check counted from it
    ]:
        patched, resumed, said = month(amount, on)
        assert patched is None, (amount, on)
        assert len(said) == 1
        assert kind in said[0]


def test_a_top_up_ending_after_a_gradual_exit_is_never_patched() -> None:
    # Ended by an income above the standard, it is paid three months more; an income under it
    # in that time cancels the end: no income is quiet while the end is pending.
    policy = load_policy("yubei_2016").derive(
        name="gradual", parameters={"safety_net.gradual_exit_months": {D(2015, 1, 1): 3}}
    )
    engine = Engine(policy, record_decisions=False)
    first = [_income("i1", D(2016, 1, 5), 1200), _income("i2", D(2016, 3, 10), 5000)]
    checkpoint = engine.run_checkpointed(HOME, first, as_of=D(2016, 4, 15)).checkpoint
    assert checkpoint.quiet_band is None
    assert checkpoint.quiet_gate is None
    new = [_income("i3", D(2016, 4, 20), 1200)]
    data = checkpoint.to_bytes(policy)
    assert patch_quiet(data, HOME, new, as_of=D(2016, 4, 25), fingerprint=engine.fingerprint) is None
    everything = Engine(policy).run(HOME, [*first, *new], as_of=D(2016, 4, 25))
    assert "its end cancelled" in everything.decisions[-1].explanation


def test_a_compact_head_without_a_gate_reads_as_none_and_a_bad_gate_is_refused() -> None:
    policy = load_policy("yubei_2016")
    checkpoint = Engine(policy).run_checkpointed(HOME, [_income("i1", D(2016, 1, 5), 1200)], as_of=D(2016, 2, 29))
    gated = checkpoint.checkpoint
    assert gated.quiet_gate is not None
    # As a checkpoint written before gates were kept: its head has one field fewer.
    before = attrs.evolve(gated, quiet_gate=None, quiet_band=None, quiet_until=None)
    data = before.to_bytes(policy)
    assert json.loads(split_compact(data)[1])[-1] is None  # quiet_until, the last field
    assert Checkpoint.from_bytes(data, policy).quiet_gate is None
    assert len(before.to_bytes(policy)) < len(gated.to_bytes(policy))
    body = gated.to_dict()
    for bad in (["1440", "960"], ["960"], [960, 1440], ["960", "NaN"], "960-1440"):
        with pytest.raises(InvalidCheckpoint, match="quiet_gate"):
            Checkpoint.from_dict({**body, "quiet_gate": bad})


def test_a_policys_fingerprint_is_the_same_in_every_process() -> None:
    import subprocess
    import sys

    code = "from relapse_guard import load_policy; from relapse_guard.engine import policy_fingerprint; "
    code += f"print(*(policy_fingerprint(load_policy(n)) for n in {POLICIES!r}))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1


def test_a_tail_reused_gives_the_bytes_of_encoding_it_again() -> None:
    policy = load_policy("yubei_2016")
    engine = Engine(policy, record_decisions=False)
    first = engine.run_checkpointed(HOME, FIRST, as_of=CLOCK).checkpoint
    data = first.to_bytes(policy)
    same_tail = engine.resume(first, HOME, [_income("i3", D(2016, 6, 10), 9000)], as_of=D(2016, 6, 30)).checkpoint
    assert same_tail.to_bytes(policy, like=(first, data)) == same_tail.to_bytes(policy)
    new_risk = engine.resume(first, HOME, [_income("i3", D(2016, 6, 10), 100)], as_of=D(2016, 6, 30)).checkpoint
    assert new_risk.to_bytes(policy, like=(first, data)) == new_risk.to_bytes(policy)
