"""A safety net an explicit stop ended is not granted again by the routing of a later risk alone.

MCA dibao review measures 2021 (N1), art. 28: 「未经申请受理、家庭经济状况调查、审核确认等程序，
不得将任何家庭或者个人直接纳入最低生活保障范围」. After an ``EntitlementStopped``, the grant of a
later risk routed to the intervention waits for a decided identification case (the new
decision), with a decision naming the stop; an approved case lifts the stop and grants it, a
rejected one sets it aside. A checkpoint keeps the stops in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind, Grant
from relapse_guard.engine import Checkpoint, ResumePath
from relapse_guard.errors import InvalidCheckpoint
from relapse_guard.facts import CaseDecided, EntitlementStopped, Fact
from relapse_guard.result import HouseholdResult

from .kit.helpers import household

D = dt.date
YUBEI = load_policy("yubei_2016")
STOP = EntitlementStopped(
    id="s1", household_id="H1", date=D(2016, 5, 10), intervention="safety_net", reason="false income declaration"
)


def _income(fid: str, day: dt.date, income: int) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=day, income_per_capita=Decimal(income))


def _case(day: dt.date, outcome: str = "approved", case_id: str = "app") -> CaseDecided:
    return CaseDecided(
        id=f"{case_id}:decision",
        household_id="H1",
        date=day,
        case_id=case_id,
        procedure="identification",
        outcome=outcome,
    )


BEFORE = [_income("i1", D(2016, 1, 10), 2400), STOP, _income("i2", D(2016, 9, 10), 2400)]
NEW_YEAR = _income("i3", D(2017, 1, 15), 2400)


def _nets(result: HouseholdResult) -> list[Grant]:
    return [grant for grant in result.grants if grant.intervention == "safety_net"]


def _run(facts: list[Fact], as_of: dt.date | None = None) -> HouseholdResult:
    return Engine(YUBEI).run(household("H1"), facts, as_of=as_of or D(2017, 12, 31))


def test_the_next_years_risk_does_not_grant_a_stopped_safety_net() -> None:
    result = _run([*BEFORE, NEW_YEAR])
    assert [(g.starts, g.ends) for g in _nets(result)] == [(D(2016, 2, 1), D(2016, 6, 1))]
    assert result.owed(D(2017, 6, 1)).get("safety_net", Decimal(0)) == 0
    (grant,) = result.pending
    assert (grant.risk_key, grant.intervention) == ("income_drop:H1:below:assisted:2017", "safety_net")
    assert grant.amount == Decimal("300.00")
    (pending,) = [d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_PENDING]
    assert pending.date == D(2017, 1, 15)
    assert pending.explanation.startswith(
        "safety_net waits for a decided identification case: stopped on 2016-05-10 (false income declaration),"
        " it is not granted again without a new decision; (300.00 - 200.00) x 3 members"
    )
    assert pending.facts == ("i3", "s1")  # the assessment and the stop it names


def test_a_stop_without_a_reason_is_named_by_its_date() -> None:
    stop = EntitlementStopped(id="s1", household_id="H1", date=D(2016, 5, 10), intervention="safety_net")
    result = _run([BEFORE[0], stop, NEW_YEAR])
    (pending,) = [d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_PENDING]
    assert "stopped on 2016-05-10, it is not granted again without a new decision" in pending.explanation
    assert pending.message.render("zh-CN").startswith("低保待识别认定案件作出决定后发放：已于 2016-05-10 停发")


def test_an_approved_case_grants_it_from_the_next_month_and_lifts_the_stop() -> None:
    result = _run([*BEFORE, NEW_YEAR, _case(D(2017, 3, 6)), _income("i4", D(2018, 1, 15), 2400)], D(2018, 12, 31))
    assert [(g.date, g.starts) for g in _nets(result)] == [
        (D(2016, 1, 10), D(2016, 2, 1)),
        (D(2017, 3, 6), D(2017, 4, 1)),  # the decision's month after
        (D(2018, 1, 15), D(2018, 2, 1)),  # the stop lifted: the next year's risk is routed as before
    ]
    assert not result.pending


def test_a_case_approved_while_nothing_waits_lifts_the_stop() -> None:
    """The household applied again in the autumn: the case approved then is the new decision,
    and the next year's risk is granted at once."""
    result = _run([*BEFORE, _case(D(2016, 11, 2)), NEW_YEAR])
    assert [(g.date, g.starts) for g in _nets(result)] == [
        (D(2016, 1, 10), D(2016, 2, 1)),
        (D(2017, 1, 15), D(2017, 2, 1)),
    ]
    assert not result.pending


def test_a_rejected_case_sets_it_aside_and_the_stop_stays() -> None:
    facts = [*BEFORE, NEW_YEAR, _case(D(2017, 3, 6), "rejected"), _income("i4", D(2018, 1, 15), 2400)]
    result = _run(facts, D(2018, 12, 31))
    assert len(_nets(result)) == 1
    (grant,) = result.pending  # 2018's risk waits too
    assert grant.risk_key == "income_drop:H1:below:assisted:2018"


def test_a_stop_holds_whatever_the_decision_required() -> None:
    """A policy whose safety net waits for a case anyway: the pending decision names the stop."""
    policy = YUBEI.derive(name="cases", decision_required={"safety_net"})
    result = Engine(policy).run(household("H1"), [*BEFORE, NEW_YEAR], as_of=D(2017, 12, 31))
    pending = [d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_PENDING]
    assert [d.date for d in pending] == [D(2016, 1, 10), D(2017, 1, 15)]
    assert "stopped on 2016-05-10" in pending[-1].explanation
    assert "stopped on" not in pending[0].explanation


def test_a_checkpoint_keeps_the_stop() -> None:
    engine = Engine(YUBEI)
    home = household("H1")
    first = engine.run_checkpointed(home, BEFORE, as_of=D(2016, 12, 31))
    assert first.checkpoint.stops == (STOP,)
    assert first.checkpoint.to_dict()["stops"] == [STOP.to_dict()]
    assert Checkpoint.from_dict(first.checkpoint.to_dict()) == first.checkpoint
    assert Checkpoint.from_bytes(first.checkpoint.to_bytes(YUBEI), YUBEI) == first.checkpoint
    resumed = engine.resume(first.checkpoint, home, [NEW_YEAR], as_of=D(2017, 12, 31))
    assert resumed.path is ResumePath.RESUMED
    assert resumed.checkpoint == engine.run_checkpointed(home, [*BEFORE, NEW_YEAR], as_of=D(2017, 12, 31)).checkpoint
    assert resumed.result.pending
    assert len(_nets(resumed.result)) == 1
    # a checkpoint written before stops were kept reads as holding none
    older = first.checkpoint.to_dict()
    del older["stops"]
    assert Checkpoint.from_dict(older).stops == ()
    # once lifted, the checkpoint holds none
    lifted = engine.run_checkpointed(home, [*BEFORE, NEW_YEAR, _case(D(2017, 3, 6))], as_of=D(2017, 12, 31))
    assert lifted.checkpoint.stops == ()


def test_a_checkpoint_whose_stops_hold_another_fact_is_refused() -> None:
    first = Engine(YUBEI).run_checkpointed(household("H1"), BEFORE, as_of=D(2016, 12, 31))
    data = first.checkpoint.to_dict()
    data["stops"] = [BEFORE[0].to_dict()]
    with pytest.raises(InvalidCheckpoint, match="stops"):
        Engine(YUBEI).resume(Checkpoint.from_dict(data), household("H1"), [NEW_YEAR], as_of=D(2017, 12, 31))


_LEVELS = st.sampled_from([1500, 2400, 3599, 3600, 4500, 9000])


@settings(max_examples=40, deadline=None)
@given(
    incomes=st.lists(_LEVELS, min_size=2, max_size=30),
    stop_month=st.integers(1, 12),
    decided=st.none() | st.tuples(st.integers(1, 30), st.sampled_from(["approved", "rejected"])),
)
def test_after_a_stop_only_an_approved_case_grants_the_safety_net(
    incomes: list[int], stop_month: int, decided: tuple[int, str] | None
) -> None:
    """Monthly assessments from January 2016, a stop in 2016, perhaps a case decided: no safety
    net is granted after the stop before an identification case approved after it, none waits
    once one is, and the prefiltered run is the one evaluating every fact."""
    facts: list[Fact] = [_income(f"i{n:02}", D(2016 + n // 12, n % 12 + 1, 15), v) for n, v in enumerate(incomes)]
    stop = EntitlementStopped(id="s1", household_id="H1", date=D(2016, stop_month, 20), intervention="safety_net")
    facts.append(stop)
    approved_on = None
    if decided is not None:
        month, outcome = decided
        day = D(2016 + month // 12, month % 12 + 1, 25)
        facts.append(_case(day, outcome))
        approved_on = day if outcome == "approved" else None
    as_of = D(2018, 12, 31)
    result = _run(facts, as_of)
    assert result == Engine(YUBEI, prefilter=False).run(household("H1"), facts, as_of=as_of)
    after = [grant for grant in _nets(result) if grant.date > stop.date]
    lifted = approved_on is not None and approved_on > stop.date
    if not lifted:
        assert after == []
    else:
        assert approved_on is not None
        assert all(grant.date >= approved_on for grant in after)
        assert [grant for grant in result.pending if grant.intervention == "safety_net"] == []
