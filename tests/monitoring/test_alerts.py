"""What an alert says: a message that renders in English exactly as its detail always read, and
in Chinese with no English word left; its JSON form, read back whole, and read from a store
written before alerts kept their message."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.interface.test_chinese_commands import english_words

from relapse_guard import load_policy
from relapse_guard import message_keys as keys
from relapse_guard.decisions import Grant, Period, Risk, Severity
from relapse_guard.engine import Checkpoint
from relapse_guard.engine.checkpoint import OpenCase
from relapse_guard.errors import InvalidInput
from relapse_guard.facts import HouseholdMoved
from relapse_guard.lifecycle import State
from relapse_guard.messages import UNTRANSLATED, Join, Message, Term, Value, as_message
from relapse_guard.monitoring import Alert, AlertKind, Monitor, replay_reason
from relapse_guard.monitoring.alerts import alerts_for
from relapse_guard.reviews import Review
from relapse_guard.store import MemoryStore, SQLiteStore, Store

from .county import county, month_end, monthly_batches, records, stored

D = dt.date
AS_OF = D(2017, 3, 4)
POLICY = load_policy("yubei_2016").derive(
    name="alerts",
    reviews=[
        Review.monthly("income_account", responsible="village cadre"),  # overdue, by someone
        Review.monthly("my_visit", day=3),  # overdue by 1 day, by nobody named
        Review.monthly("joint_review", day=3, grace_days=5, responsible="paired helper"),  # due, by someone
        Review.monthly("holiday_visit", day=4),  # due today, by nobody named
    ],
)
REASON = "fact 'YB-7-ill' is dated 2017-01-28, before the checkpoint's clock (2017-01-31)"
_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


def _checkpoint(**fields: Any) -> Checkpoint:
    base = Checkpoint(
        household_id="YB-7",
        policy=POLICY.label,
        fingerprint="f",
        household="h",
        clock=AS_OF,
        last_fact=None,
        decisions=None,
        state=State.EXITED,
        state_since=D(2016, 10, 20),
    )
    return attrs.evolve(base, **fields)


def _grant(intervention: str, date: dt.date, **fields: Any) -> Grant:
    return Grant(intervention=intervention, household_id="YB-7", date=date, risk_key="r", **fields)


OLD_NET = _grant("safety_net", D(2016, 1, 5), amount=Decimal("216.66"), period=Period.MONTHLY, starts=D(2016, 2, 1))
OLD_AID = _grant("education_aid", D(2016, 8, 20), amount=Decimal("100.00"), period=Period.MONTHLY, starts=D(2016, 9, 1))
OLD = _checkpoint(
    grants=(OLD_NET, _grant("temporary_relief", D(2016, 12, 1), amount=Decimal("500.00")), OLD_AID),
)
NEW = _checkpoint(
    state=State.MONITORED,
    state_since=D(2017, 1, 1),
    monitoring_start=D(2017, 1, 1),
    monitoring_end=D(2017, 3, 20),
    risks=(
        Risk(
            kind="illness",
            household_id="YB-7",
            date=D(2017, 1, 28),
            severity=Severity.SEVERE,
            trigger="illness",
            fact_id="YB-7-ill",
            key="illness:YB-7-1:2017-01-28",
            evidence=(
                ("self_paid_cost", "30000"),
                ("hospitalised", "yes"),
                ("household_status", "on file (monitored)"),
                ("reason", Message(keys.COST_OVER_ALERT, Decimal(30000), Decimal(6000), Term("households on file"))),
            ),
        ),
        Risk(
            kind="disaster",
            household_id="YB-7",
            date=D(2017, 2, 10),
            severity=Severity.LOW,
            trigger="disaster",
            fact_id="YB-7-dis",
            key="disaster:YB-7:2017-02-10",
        ),
    ),
    grants=(
        attrs.evolve(OLD_NET, ends=D(2017, 2, 1)),
        _grant("safety_net", D(2017, 1, 28), amount=Decimal("600.00"), period=Period.MONTHLY, starts=D(2017, 2, 1)),
        _grant("medical_aid", D(2017, 1, 28), amount=Decimal("18000.00")),
        _grant("micro_insurance", D(2017, 1, 1), amount=Decimal("100.00"), period=Period.YEARLY),
        _grant("job_training", D(2017, 1, 28), service="free skills training"),
        attrs.evolve(OLD_AID, ends=D(2017, 3, 1)),
    ),
    # a re-check past its deadline (2017-02-27, 30 days after it fell due), one within it
    rechecks=(("education_aid", D(2017, 1, 28)), ("safety_net", D(2017, 2, 28))),
    open_cases=(
        OpenCase(case_id="YB-7-ID", procedure="identification", step="household_verification", due_on=D(2017, 3, 1)),
        OpenCase(case_id="YB-7-RE", procedure="risk_elimination", step="village_deliberation", due_on=D(2017, 3, 9)),
    ),
    household_facts=(
        HouseholdMoved(
            id="YB-7-mv",
            household_id="YB-7",
            date=D(2017, 2, 15),
            district="Bishan",
            town="Guangpuzhen",
            village="Shuanghe",
        ),
    ),
)
#: Where the household moved to: the place of the alert in the worklist of the district moved to.
MOVED_TO = ("Bishan", "Guangpuzhen", "Shuanghe")

#: What each alert says in English, word for word (as it said before alerts kept their message,
#: but for the amount changed, said as one alert, and the reviews and case steps naming their deadline).
ENGLISH = [
    (AlertKind.REPLAYED, f"history replayed: {REASON}"),
    (
        AlertKind.NEW_RISK,
        "illness risk (severe) found on 2017-01-28: self_paid_cost 30000 yuan; hospitalised yes; household_status on "
        "file (monitored); reason self-paid cost 30000 > alert amount 6000 for households on file",
    ),
    (AlertKind.NEW_RISK, "disaster risk (low) found on 2017-02-10"),
    (AlertKind.STATE_CHANGED, "exited -> monitored since 2017-01-01"),
    (
        AlertKind.GRANT_CHANGED,
        "safety_net changed from 216.66 to 600.00 yuan a month from 2017-02-01 (raised by 383.34)",
    ),
    (AlertKind.GRANT_STARTED, "medical_aid granted: 18000.00 yuan one-off"),
    (AlertKind.GRANT_STARTED, "micro_insurance granted: 100.00 yuan yearly"),
    (AlertKind.GRANT_STARTED, "job_training granted: service free skills training"),
    (AlertKind.GRANT_ENDED, "education_aid of 100.00 yuan a month ends on 2017-03-01"),
    (AlertKind.GRANT_ENDED, "temporary_relief granted on 2016-12-01 no longer stands"),
    (AlertKind.MOVED, "moved in from Yubei/Dashengzhen/Qinglong on 2017-02-15 (YB-7-mv): take its file over"),
    (
        AlertKind.MOVED,
        "moved away to Bishan/Guangpuzhen/Shuanghe on 2017-02-15 (YB-7-mv): hand its file over and close it here",
    ),
    (AlertKind.TRANSITION_ENDING, "transition period ends on 2017-03-20 (monitored since 2017-01-01)"),
    (
        AlertKind.REVIEW_OVERDUE,
        "review income_account due 2017-03-01: deadline 2017-03-01, 3 days past it (village cadre)",
    ),
    (AlertKind.REVIEW_OVERDUE, "review my_visit due 2017-03-03: deadline 2017-03-03, 1 day past it"),
    (AlertKind.REVIEW_DUE, "review joint_review due 2017-03-03: deadline 2017-03-08 (paired helper)"),
    (AlertKind.REVIEW_DUE, "review holiday_visit due 2017-03-04: deadline 2017-03-04"),
    (
        AlertKind.RECHECK_OVERDUE,
        "education_aid re-check due 2017-01-28: deadline 2017-02-27, 5 days past it (still paid until it is done)",
    ),
    (AlertKind.RECHECK_DUE, "safety_net re-check due 2017-02-28: deadline 2017-03-30"),
    (
        AlertKind.CASE_STEP_OVERDUE,
        "identification case YB-7-ID: step household_verification past its deadline 2017-03-01",
    ),
    (AlertKind.CASE_STEP_DUE, "risk_elimination case YB-7-RE: step village_deliberation, deadline 2017-03-09"),
]

#: The same in Chinese.
CHINESE = [
    "已按全部历史重新计算：事实 'YB-7-ill' 的日期为 2017-01-28，早于检查点时钟（2017-01-31）",
    "2017-01-28 发现风险“因病”（严重）：个人自付费用：30000 元；住院：是；家庭状态：已建档（过渡期监测）；"
    "理由：个人自付费用 30000 超过已建档户预警金额 6000",
    "2017-02-10 发现风险“因灾”（低）",
    "自 2017-01-01 起由已脱贫转为过渡期监测",
    "低保自 2017-02-01 起由 216.66 元/月调整为 600.00 元/月（提高 383.34 元）",
    "给予医疗救助：一次性 18000.00 元",
    "给予小额保险：100.00 元/年",
    "给予技能培训：服务：免费技能培训",
    "100.00 元/月的教育救助于 2017-03-01 停发",
    "2016-12-01 给予的临时救助已不再成立",
    "于 2017-02-15 由 Yubei/Dashengzhen/Qinglong 迁入（YB-7-mv）：请接收其档案（转移接续）",
    "于 2017-02-15 迁往 Bishan/Guangpuzhen/Shuanghe（YB-7-mv）：请办理转移接续，移交档案后在本地销档",
    "过渡期将于 2017-03-20 结束（自 2017-01-01 起监测）",
    "复核“收入核算”于 2017-03-01 到期，办结时限 2017-03-01，已逾期 3 天（村干部）",
    "复核“my_visit”于 2017-03-03 到期，办结时限 2017-03-03，已逾期 1 天",
    "复核“部门联审”于 2017-03-03 到期，办结时限 2017-03-08（结对帮扶责任人）",
    "复核“节日走访”于 2017-03-04 到期，办结时限 2017-03-04",
    "教育救助核查于 2017-01-28 到期，办结时限 2017-02-27，已逾期 5 天（核查办结前照常发放）",
    "低保核查于 2017-02-28 到期，办结时限 2017-03-30",
    "识别认定案件 YB-7-ID：办理环节“入户核实”已超过办结时限 2017-03-01",
    "风险消除案件 YB-7-RE：办理环节“村级民主评议”，办结时限 2017-03-09",
]


def _alerts() -> list[Alert]:
    return alerts_for(
        OLD, NEW, policy=POLICY, as_of=AS_OF, district="Yubei", town="Dashengzhen", village="Qinglong", replayed=REASON
    )


def test_each_kind_says_in_english_what_it_said() -> None:
    found = _alerts()
    assert [(alert.kind, alert.detail) for alert in found] == ENGLISH
    assert {kind for kind, _ in ENGLISH} == set(AlertKind)
    for alert in found:
        assert alert.render() == alert.render("en") == alert.message.english() == alert.detail
        assert alert.message.key != UNTRANSLATED
        moved_in = alert.subject == "moved_in"  # in the worklist of the district moved to
        place = MOVED_TO if moved_in else ("Yubei", "Dashengzhen", "Qinglong")
        assert (alert.district, alert.town, alert.village, alert.open_since) == (*place, None)
        assert (
            str(alert)
            == f"{alert.date.isoformat()} YB-7 {place[1]}/{place[2]} [{alert.kind.value}] new: {alert.detail}"
        )


def test_each_kind_says_in_chinese_what_it_says_with_no_english_word() -> None:
    found = _alerts()
    assert [alert.render("zh-CN") for alert in found] == CHINESE
    for said in CHINESE:
        assert english_words(said) == [], said


# --- a household first screened ---------------------------------------------------------------


def _said(found: list[Alert], kind: AlertKind | None = None) -> list[tuple[str, str]]:
    return [(a.detail, a.render("zh-CN")) for a in found if kind is None or a.kind is kind]


def test_a_first_screened_household_is_told_its_state_not_a_change_from_new() -> None:
    found = alerts_for(None, NEW, policy=POLICY, as_of=AS_OF, district="Y")
    assert _said(found, AlertKind.STATE_CHANGED) == [
        ("first screened: monitored since 2017-01-01", "首次筛查：自 2017-01-01 起为过渡期监测")
    ]
    # one not on file (never identified) has no state to be told
    assert (
        _said(
            alerts_for(None, attrs.evolve(NEW, state=State.NEW), policy=POLICY, as_of=AS_OF, district="Y"),
            AlertKind.STATE_CHANGED,
        )
        == []
    )


def test_a_first_screened_household_is_told_only_its_grants_in_force_or_to_come() -> None:
    later = _grant("safety_net", D(2017, 3, 2), amount=Decimal("50.00"), period=Period.MONTHLY, starts=D(2017, 4, 1))
    relief = _grant("temporary_relief", D(2017, 3, 1), amount=Decimal("800.00"))
    new = attrs.evolve(NEW, grants=(*NEW.grants, later, relief))
    found = alerts_for(None, new, policy=POLICY, as_of=AS_OF, district="Y")
    # not the top-up that ended on 2017-02-01, nor the education aid ended on 2017-03-01, nor the
    # one-off and yearly grants of January: those of the top-up running, the one to come, the
    # relief of the cycle's month
    assert [a.detail for a in found if a.kind.value.startswith("grant_")] == [
        "safety_net granted: 600.00 yuan a month from 2017-02-01",
        "safety_net granted: 50.00 yuan a month from 2017-04-01",
        "temporary_relief granted: 500.00 yuan one-off".replace("500.00", "800.00"),
    ]
    # compared with a checkpoint, every grant it did not have is announced: the top-up that ended as
    # the change to what followed it, the education aid's end too
    found = alerts_for(attrs.evolve(OLD, grants=()), new, policy=POLICY, as_of=AS_OF, district="Y")
    kinds = [a.kind for a in found if a.kind.value.startswith("grant_")]
    assert (kinds.count(AlertKind.GRANT_STARTED), kinds.count(AlertKind.GRANT_CHANGED)) == (7, 1)
    assert kinds.count(AlertKind.GRANT_ENDED) == 1


def test_a_first_screened_household_is_told_only_its_open_risks() -> None:
    (illness, disaster) = NEW.risks
    new = attrs.evolve(NEW, eliminated=((disaster.key, D(2017, 2, 20)),))
    found = alerts_for(None, new, policy=POLICY, as_of=AS_OF, district="Y")
    assert [a.subject for a in found if a.kind is AlertKind.NEW_RISK] == [illness.key]
    # compared with a checkpoint, a risk new to it is announced, eliminated or not
    found = alerts_for(OLD, new, policy=POLICY, as_of=AS_OF, district="Y")
    assert [a.subject for a in found if a.kind is AlertKind.NEW_RISK] == [illness.key, disaster.key]


# --- a monthly amount changed, replaced, never owed ------------------------------------------------


def _net(date: dt.date, amount: str, starts: dt.date, ends: dt.date | None = None) -> Grant:
    return _grant("safety_net", date, amount=Decimal(amount), period=Period.MONTHLY, starts=starts, ends=ends)


RUNNING = _net(D(2016, 5, 3), "219.75", D(2016, 6, 1))
APRIL = D(2017, 4, 1)


MARCH_END = D(2017, 3, 31)


def _grant_alerts(old: Checkpoint | None, new: Checkpoint, as_of: dt.date = MARCH_END) -> list[tuple[str, str]]:
    found = alerts_for(old, new, policy=POLICY, as_of=as_of, district="Y")
    return [(a.kind.value, a.detail) for a in found if a.kind.value.startswith("grant_")]


def test_a_piece_replaced_before_it_was_owed_is_not_announced() -> None:
    # the audit's household: 369.51 from April, replaced on the same day by 593.55, never owed
    never = _net(D(2017, 3, 10), "369.51", APRIL, ends=APRIL)
    new = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), never, _net(D(2017, 3, 20), "593.55", APRIL)))
    assert _grant_alerts(_checkpoint(grants=(RUNNING,)), new) == [
        ("grant_changed", "safety_net changed from 219.75 to 593.55 yuan a month from 2017-04-01 (raised by 373.80)")
    ]
    # first screened as of March: the amount in force, then its change from April; nothing of the
    # piece never owed
    assert _grant_alerts(None, new) == [
        ("grant_started", "safety_net granted: 219.75 yuan a month from 2016-06-01"),
        ("grant_changed", "safety_net changed from 219.75 to 593.55 yuan a month from 2017-04-01 (raised by 373.80)"),
    ]
    assert _grant_alerts(None, new, APRIL) == [
        ("grant_started", "safety_net granted: 593.55 yuan a month from 2017-04-01")
    ]
    # a piece never owed, without another to follow: neither started nor ended
    alone = _checkpoint(grants=(never,))
    assert _grant_alerts(_checkpoint(), alone) == _grant_alerts(None, alone) == []
    # a piece never owed in either checkpoint is not announced as ending when its end moves
    assert _grant_alerts(alone, _checkpoint(grants=(attrs.evolve(never, ends=D(2017, 3, 1)),))) == []
    # nor as no longer standing
    assert _grant_alerts(alone, _checkpoint()) == []


def test_a_piece_announced_then_replaced_before_it_was_owed_is_a_change_of_it() -> None:
    # the month before said 219.75 changed to 369.51 from April; now 369.51 is replaced by 593.55
    announced = _net(D(2017, 3, 10), "369.51", APRIL)
    old = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), announced))
    new = _checkpoint(
        grants=(
            attrs.evolve(RUNNING, ends=APRIL),
            attrs.evolve(announced, ends=APRIL),
            _net(D(2017, 4, 2), "300.00", APRIL),
        )
    )
    assert _grant_alerts(old, new, D(2017, 4, 30)) == [
        ("grant_changed", "safety_net changed from 369.51 to 300.00 yuan a month from 2017-04-01 (lowered by 69.51)")
    ]
    # not replaced: its end is a stop of what was announced
    ended = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), attrs.evolve(announced, ends=APRIL)))
    assert _grant_alerts(old, ended, D(2017, 4, 30)) == [
        ("grant_ended", "safety_net of 369.51 yuan a month ends on 2017-04-01")
    ]


def test_an_amount_changed_is_one_alert_and_one_carried_on_none() -> None:
    old = _checkpoint(grants=(RUNNING,))
    lower = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), _net(D(2017, 3, 5), "200.00", APRIL)))
    (changed,) = [
        a
        for a in alerts_for(old, lower, policy=POLICY, as_of=D(2017, 3, 31), district="Y")
        if a.kind.value.startswith("grant_")
    ]
    assert (changed.kind, changed.date, changed.subject) == (AlertKind.GRANT_CHANGED, D(2017, 3, 5), "safety_net")
    assert changed.detail == "safety_net changed from 219.75 to 200.00 yuan a month from 2017-04-01 (lowered by 19.75)"
    assert changed.render("zh-CN") == "低保自 2017-04-01 起由 219.75 元/月调整为 200.00 元/月（降低 19.75 元）"
    assert changed.render("zh-CN") == Alert.from_json(changed.to_json()).render("zh-CN")
    same = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), _net(D(2017, 3, 5), "219.75", APRIL)))
    assert _grant_alerts(old, same) == []
    # a stop, and a new grant of the intervention from another day: a stop and a start
    gap = _checkpoint(grants=(attrs.evolve(RUNNING, ends=APRIL), _net(D(2017, 3, 5), "200.00", D(2017, 5, 1))))
    assert _grant_alerts(old, gap) == [
        ("grant_ended", "safety_net of 219.75 yuan a month ends on 2017-04-01"),
        ("grant_started", "safety_net granted: 200.00 yuan a month from 2017-05-01"),
    ]


@st.composite
def _chains(draw: st.DrawFn) -> tuple[Checkpoint, Checkpoint]:
    """Two checkpoints of monthly pieces (each of its own amount) of two interventions, on a few
    days: the new one holds some of the old pieces, some given an end (or another end), and new ones."""
    days = [D(2017, month, 1) for month in range(1, 6)]
    amounts = iter(draw(st.lists(st.integers(1, 999), min_size=16, max_size=16, unique=True)))

    def piece(ends_too: bool) -> Grant:
        starts = draw(st.sampled_from(days))
        ends = draw(st.sampled_from([None, *days])) if ends_too else None
        return _grant(
            draw(st.sampled_from(["safety_net", "education_aid"])),
            starts - dt.timedelta(days=20),
            amount=Decimal(next(amounts)),
            period=Period.MONTHLY,
            starts=starts,
            ends=ends,
        )

    old = [piece(draw(st.booleans())) for _ in range(draw(st.integers(0, 5)))]
    kept = [
        attrs.evolve(grant, ends=draw(st.sampled_from([grant.ends, *days]))) for grant in old if draw(st.booleans())
    ]
    added = [piece(draw(st.booleans())) for _ in range(draw(st.integers(0, 5)))]
    return _checkpoint(grants=tuple(old)), _checkpoint(grants=tuple(draw(st.permutations([*kept, *added]))))


def _owed(grant: Grant) -> bool:
    return grant.ends is None or grant.ends > grant.first_day


@settings(max_examples=300, deadline=None)
@given(_chains(), st.booleans())
def test_no_alert_announces_a_piece_never_owed_and_a_change_says_its_two_pieces(
    pair: tuple[Checkpoint, Checkpoint], first: bool
) -> None:
    old, new = pair
    found = alerts_for(None if first else old, new, policy=POLICY, as_of=D(2017, 1, 31), district="Y")
    by_amount = {grant.amount: grant for grant in new.grants}
    announced = {grant.amount for grant in old.grants if _owed(grant)} if not first else set()
    for alert in found:
        message = alert.message
        if alert.kind is AlertKind.GRANT_CHANGED:
            before, after = by_amount[message.get("before")], by_amount[message.get("after")]  # type: ignore[index]
            assert (before.intervention, after.intervention) == (alert.subject, alert.subject)
            assert before.ends == after.first_day == message.get("first_day")
            assert _owed(after)
            assert _owed(before) or before.amount in announced
            assert before.amount != after.amount
            change = message.get("change")
            assert isinstance(change, Message)
            raised = after.amount > before.amount  # type: ignore[operator]
            assert change.key == (keys.ALERT_RAISED_BY if raised else keys.ALERT_LOWERED_BY)
            assert change.get("amount") == abs(after.amount - before.amount)  # type: ignore[operator]
        elif alert.kind is AlertKind.GRANT_STARTED:
            what = message.get("what")
            assert isinstance(what, Message)
            assert _owed(by_amount[what.get("amount")])  # type: ignore[index]
        elif alert.kind is AlertKind.GRANT_ENDED and message.key == keys.ALERT_GRANT_ENDS:
            grant = by_amount[message.get("amount")]  # type: ignore[index]
            assert _owed(grant) or grant.amount in announced
    # every piece owed that the old checkpoint did not have is announced once: started or changed to
    if not first:
        told = [a.message.get("after") for a in found if a.kind is AlertKind.GRANT_CHANGED]
        told += [a.message.get("what").get("amount") for a in found if a.kind is AlertKind.GRANT_STARTED]  # type: ignore[union-attr]
        held = {(g.intervention, g.date, g.amount, g.first_day) for g in old.grants}
        fresh = [
            g.amount for g in new.grants if _owed(g) and (g.intervention, g.date, g.amount, g.first_day) not in held
        ]
        assert sorted(told) == sorted(fresh)  # type: ignore[type-var]


# --- a relapse -------------------------------------------------------------------------------------


def _moved(before: State, after: State, since: dt.date, **fields: Any) -> list[tuple[str, str]]:
    old = _checkpoint(
        state=before, state_since=D(2017, 1, 1), monitoring_start=D(2017, 1, 1), monitoring_end=D(2019, 12, 31)
    )
    new = _checkpoint(state=after, state_since=since, **fields)
    return _said(alerts_for(old, new, policy=POLICY, as_of=D(2017, 2, 28), district="Y"), AlertKind.STATE_CHANGED)


def test_a_relapse_is_said_as_one() -> None:
    # relapsed and assisted the same day: the word relapsed (返贫) is said
    assert _moved(State.MONITORED, State.ASSISTED, D(2017, 2, 20)) == [
        ("monitored -> relapsed -> assisted since 2017-02-20", "由过渡期监测返贫，自 2017-02-20 起转为帮扶中")
    ]
    assert (
        _moved(State.EXITED, State.ASSISTED, D(2017, 2, 20))[0][0] == "exited -> relapsed -> assisted since 2017-02-20"
    )
    # relapsed, assisted and exited again in the month
    assert (
        _moved(State.MONITORED, State.EXITED, D(2017, 2, 25))[0][0]
        == "monitored -> relapsed -> exited since 2017-02-25"
    )
    # relapsed, not yet assisted: the state says it
    assert _moved(State.MONITORED, State.RELAPSED, D(2017, 2, 20)) == [
        ("monitored -> relapsed since 2017-02-20", "自 2017-02-20 起由过渡期监测转为返贫")
    ]


def test_what_is_no_relapse_is_not_said_as_one() -> None:
    # a history replayed without its exit (retracted): assisted since before the exit
    assert _moved(State.MONITORED, State.ASSISTED, D(2016, 6, 1))[0][0] == "monitored -> assisted since 2016-06-01"
    # the transition period over (stable), then identified anew and assisted: no relapse is known
    old = _checkpoint(
        state=State.MONITORED, state_since=D(2017, 1, 1), monitoring_start=D(2017, 1, 1), monitoring_end=D(2017, 2, 1)
    )
    new = _checkpoint(state=State.ASSISTED, state_since=D(2017, 2, 15))
    (said,) = _said(alerts_for(old, new, policy=POLICY, as_of=D(2017, 2, 28), district="Y"), AlertKind.STATE_CHANGED)
    assert said[0] == "monitored -> assisted since 2017-02-15"
    assert _moved(State.MONITORED, State.STABLE, D(2019, 12, 31))[0][0] == "monitored -> stable since 2019-12-31"
    assert _moved(State.ASSISTED, State.EXITED, D(2017, 2, 25))[0][0] == "assisted -> exited since 2017-02-25"


# --- why a history was replayed -------------------------------------------------------------

REASONS = {
    "the checkpoint was made under yubei_2016@2016.1, this run is under dazu_2016@2016.1": (
        "检查点按 yubei_2016@2016.1 生成，本次按 dazu_2016@2016.1 运行"
    ),
    "the parameters or parts of yubei_2016@2016.1 changed since the checkpoint (fingerprint 3f9a0c)": (
        "自检查点生成以来，yubei_2016@2016.1 的参数或组成部分已变更（指纹 3f9a0c）"
    ),
    "the household's record (place or members) changed since the checkpoint": (
        "自检查点生成以来，农户记录（住址或成员）已变更"
    ),
    "the checkpoint was made without decisions, and this run records them": (
        "检查点生成时未记录决定，本次运行须记录决定"
    ),
    "as of 2017-01-31 is before the checkpoint's clock (2017-02-28)": (
        "统计日期 2017-01-31 早于检查点时钟（2017-02-28）"
    ),
    "fact 'm2017-01-BS0000063-inc' (income_assessed, 2017-01-01) sorts before the checkpoint's last fact "
    "('m2017-02-BS0000063-inc', 2017-02-01)": (
        "事实 'm2017-01-BS0000063-inc'（收入评估，2017-01-01）排在检查点的最后一条事实"
        "（'m2017-02-BS0000063-inc'，2017-02-01）之前"
    ),
    REASON: "事实 'YB-7-ill' 的日期为 2017-01-28，早于检查点时钟（2017-01-31）",
    "fact 's2' records a step of case 'C1', which the checkpoint does not hold (decided for good, or not opened "
    "before it)": "事实 's2' 记录了案件 'C1' 的办理环节，而检查点中没有该案件（已最终决定，或在检查点之前未受理）",
    "fact 'E1:opened' (case_opened) is of case 'E1', whose start condition is checked on the household's whole "
    "history": "事实 'E1:opened'（案件受理）属于案件 'E1'，该案件的启动条件须按该户全部历史核查",
    "fact 'c1' corrects fact 'i4' (now dated 2017-02-09): the household is replayed from that fact": (
        "事实 'c1' 更正了事实 'i4'（现日期为 2017-02-09）：该户从该事实起重新计算"
    ),
    "fact 'YB-7-r1' retracts fact 'YB-7-i4': the household is replayed without it": (
        "事实 'YB-7-r1' 撤回了事实 'YB-7-i4'：该户不计该事实重新计算"
    ),
    "fact 'YB-7-mel' says member YB-7-1 who died on 2017-02-03 was the main earner: the household is replayed "
    "with the earner's share of the income leaving with them": (
        "事实 'YB-7-mel' 表明于 2017-02-03 死亡的成员 YB-7-1 是主要劳动力：该户重新计算，其所占收入份额随之减去"
    ),
    "the checkpoint was made under yubei_2016@2016.1 with other parts or parameters than yubei_2016@2016.2": (
        "检查点按 yubei_2016@2016.1 生成，其组成部分或参数与 yubei_2016@2016.2 不同"
    ),
}


def test_each_replay_reason_the_engine_gives_is_said_in_chinese() -> None:
    assert len(REASONS) == len(keys.REPLAY_REASONS)
    for reason, chinese in REASONS.items():
        message = replay_reason(reason)
        assert message.key in keys.REPLAY_REASONS, reason
        assert message.english() == reason
        assert message.render("zh-CN") == chinese
        assert english_words(chinese) == [], chinese
    assert {replay_reason(reason).key for reason in REASONS} == set(keys.REPLAY_REASONS)


def test_a_reason_not_known_is_said_as_it_is() -> None:
    for reason in ("a reason of a plug-in", "fact 'x' is dated soon", ""):
        message = replay_reason(reason)
        assert message.key == UNTRANSLATED
        assert message.render("zh-CN") == message.english() == reason


#: Values as the engine writes them: ids quoted (any text in them), dates ISO, a kind of fact.
_HELD: dict[str, st.SearchStrategy[Value]] = {
    **dict.fromkeys(("fact", "target", "last", "case"), _TEXT.map(repr)),
    **dict.fromkeys(("date", "last_date", "as_of", "clock"), st.dates().map(dt.date.isoformat)),
    "kind": st.sampled_from(keys.FACT_KINDS).map(Term),
}


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_any_reason_is_read_back(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(keys.REPLAY_REASONS))
    values = {
        name: data.draw(_HELD.get(name, st.from_regex(r"[\w@.]+", fullmatch=True))) for name in Message(key).names
    }
    message = Message.named(key, **values)
    assert replay_reason(message.english()) == message


# --- the JSON form ---------------------------------------------------------------------------


def test_the_json_form_keeps_the_message_and_reads_it_back() -> None:
    for alert in _alerts():
        data = alert.to_dict()
        assert data["detail"] == alert.detail
        assert data["message"] == alert.message.to_dict()
        assert Alert.from_dict(data) == alert
        assert Alert.from_json(alert.to_json()) == alert
        assert Alert.from_dict(json.loads(alert.to_json())).render("zh-CN") == alert.render("zh-CN")


def test_an_alert_stored_without_its_message_says_its_detail_in_every_language() -> None:
    alert = _alerts()[4]
    old = {key: value for key, value in alert.to_dict().items() if key != "message"}
    read = Alert.from_dict(old)
    assert read.message == Message(UNTRANSLATED, alert.detail)
    assert read.render("zh-CN") == read.render() == alert.detail
    assert read != alert  # what it says is not the same data
    assert attrs.evolve(read, message=alert.message) == alert
    assert Alert.from_dict(read.to_dict()) == read
    made = Alert(**{key: value for key, value in attrs.asdict(alert, recurse=False).items() if key != "message"})
    assert made == read


@pytest.mark.parametrize("message", [[], "text", {"values": {}}, {"key": "{a}", "values": []}])
def test_a_message_that_is_not_one_names_the_field(message: object) -> None:
    data = {**_alerts()[0].to_dict(), "message": message}
    with pytest.raises(InvalidInput, match="message"):
        Alert.from_dict(data)


_VALUES: st.SearchStrategy[Value] = st.recursive(
    st.one_of(
        _TEXT,
        st.integers(),
        st.decimals(allow_nan=False, allow_infinity=False, places=2),
        st.dates(),
        st.sampled_from([*keys.STATES, *keys.INTERVENTIONS, "my_own_name"]).map(Term),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: Join(items, "; ")),
        st.tuples(inner, inner).map(lambda pair: Message("{first}; {second}", *pair)),
    ),
    max_leaves=6,
)
_KEYS = [key for name, key in vars(keys).items() if name.startswith(("ALERT_", "REPLAY_")) and isinstance(key, str)]


@st.composite
def _messages(draw: st.DrawFn) -> Message:
    key = draw(st.sampled_from(_KEYS))
    return Message(key, *(draw(_VALUES) for _ in Message(key).names))


@st.composite
def _generated(draw: st.DrawFn) -> Alert:
    message = draw(_messages())
    alert = Alert(
        kind=draw(st.sampled_from(AlertKind)),
        household_id=draw(_TEXT),
        district=draw(_TEXT),
        town=draw(_TEXT),
        village=draw(_TEXT),
        policy=draw(_TEXT),
        date=draw(st.dates()),
        subject=draw(_TEXT),
        detail=message.english(),
        open_since=draw(st.none() | st.dates()),
    )
    # an alert made now, or one read from a store written before alerts kept their message
    return attrs.evolve(alert, message=message) if draw(st.booleans()) else alert


@settings(max_examples=150, deadline=None)
@given(_generated())
def test_any_alert_is_read_back_from_its_json_form(alert: Alert) -> None:
    assert Alert.from_dict(alert.to_dict()) == alert
    assert Alert.from_json(alert.to_json()) == alert
    assert Alert.from_json(alert.to_json()).render("zh-CN") == alert.render("zh-CN")


# --- the cycle --------------------------------------------------------------------------------


def _as_written_before(body: str) -> str:
    """An alert's stored body as a version that kept no message wrote it: its detail, no message."""
    said = Alert.from_json(body).to_dict()
    return json.dumps({k: v for k, v in said.items() if k != "message"})


def _strip_messages(store: Store, path: Path | None) -> None:
    """Make the stored alerts read as a store written before alerts kept their message."""
    if path is None:
        assert isinstance(store, MemoryStore)
        for households in store._tables.alerts.values():
            for bodies in households.values():
                bodies[:] = [_as_written_before(b) for b in bodies]
        return
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT rowid, body FROM alerts").fetchall()
        db.executemany("UPDATE alerts SET body = ? WHERE rowid = ?", [(_as_written_before(b), r) for r, b in rows])


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_store_written_before_alerts_kept_their_message_runs_on(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "county.db" if kind == "sqlite" else None
    store: Store = MemoryStore() if path is None else SQLiteStore(path)
    control = MemoryStore()
    people = county(40, seed=5)
    batches = monthly_batches(people)
    monitors = []
    for where in (store, control):
        stored(where, people)
        monitor = Monitor(where, "yubei_2016", chunk_size=10)
        for month in range(2):
            monitor.cycle(records(batches[month]), as_of=month_end(month))
        monitors.append(monitor)
    old, fresh = monitors
    made = fresh.alerts(month_end(1))
    _strip_messages(store, path)
    assert all("message" not in json.loads(body) for _, body in store.alerts(month_end(1).isoformat()))
    read = old.alerts(month_end(1))
    assert [(a.kind, a.household_id, a.detail) for a in read] == [(a.kind, a.household_id, a.detail) for a in made]
    assert all(a.message.key == UNTRANSLATED and a.render("zh-CN") == a.detail for a in read)
    # the month run again announces nothing anew; the next month says what a store of this version says
    again = old.cycle(records(batches[1]), as_of=month_end(1))
    assert (again.rescreened, sum(again.alert_counts.values())) == (0, len(made))
    assert old.alerts(month_end(1)) == read
    old.cycle(records(batches[2]), as_of=month_end(2))
    fresh.cycle(records(batches[2]), as_of=month_end(2))
    assert old.alerts(month_end(2)) == fresh.alerts(month_end(2))
    assert all(a.message.key != UNTRANSLATED for a in old.alerts(month_end(2)))
    if isinstance(store, SQLiteStore):
        assert store.verify().ok
        store.close()


def test_an_alert_stored_before_it_named_its_place_and_whether_new_reads_with_none_and_as_new() -> None:
    (alert, *_) = _alerts()
    stored = {k: v for k, v in alert.to_dict().items() if k not in ("town", "village", "open_since")}
    read = Alert.from_dict(stored)
    assert (read.town, read.village, read.open_since, read.is_new) == ("", "", None, True)
    assert read.line().startswith(f"{alert.date.isoformat()} YB-7 - [{alert.kind.value}] new: ")
    assert Alert.from_dict({**stored, "town": None, "village": None}) == read
    with pytest.raises(InvalidInput, match="open_since"):
        Alert.from_dict({**stored, "open_since": "last month"})


def test_a_store_keeps_an_alert_s_words_once() -> None:
    # the English detail is the message in English: the stored body holds the message alone
    said = Message(keys.ALERT_GRANT_ENDS, Term("safety_net"), Decimal("498.42"), dt.date(2017, 2, 1))
    alert = Alert(
        kind=AlertKind.GRANT_ENDED,
        household_id="BS0000028",
        district="Bishan",
        policy="bishan_2016@2016.1",
        date=dt.date(2017, 2, 1),
        subject="safety_net",
        detail=said.english(),
        message=said,
    )
    body = alert.to_json()
    assert "detail" not in json.loads(body)
    assert Alert.from_json(body) == alert
    # alerts.jsonl keeps both
    assert alert.to_dict()["detail"] == "safety_net of 498.42 yuan a month ends on 2017-02-01"
    untranslated = attrs.evolve(alert, message=as_message(alert.detail))
    assert Alert.from_json(untranslated.to_json()) == untranslated


# --- a review past its grace period ---------------------------------------------------------------


def test_a_review_overdue_names_its_deadline_the_grace_period_s_last_day_and_counts_days_past_it() -> None:
    # 74 days past the deadline is what days_overdue counts (89 days after the due date, 15 of grace)
    policy = POLICY.derive(name="grace", reviews=[Review.quarterly("inspection", grace_days=15)])
    found = alerts_for(None, NEW, policy=policy, as_of=D(2017, 3, 31), district="Y")
    (overdue,) = [a for a in found if a.kind is AlertKind.REVIEW_OVERDUE]
    assert overdue.detail == "review inspection due 2017-01-01: deadline 2017-01-16, 74 days past it"
    assert overdue.render("zh-CN") == "复核“督查”于 2017-01-01 到期，办结时限 2017-01-16，已逾期 74 天"
    # within its grace period the review is due, and names the same deadline
    found = alerts_for(None, NEW, policy=policy, as_of=D(2017, 1, 16), district="Y")
    (due,) = [a for a in found if a.kind is AlertKind.REVIEW_DUE]
    assert due.detail == "review inspection due 2017-01-01: deadline 2017-01-16"
    assert due.render("zh-CN") == "复核“督查”于 2017-01-01 到期，办结时限 2017-01-16"
    # an alert stored with the words of before says what it said in Chinese
    for key, chinese in zip(
        keys.ALERT_REVIEW_OVERDUE_STORED,
        (
            "复核“督查”应于 2017-01-01 完成，已超过宽限期 74 天",
            "复核“督查”应于 2017-01-01 完成，已超过宽限期 74 天（村干部）",
            "复核“督查”应于 2017-01-01 完成，已超过宽限期 74 天",
            "复核“督查”应于 2017-01-01 完成，已超过宽限期 74 天（村干部）",
        ),
        strict=True,
    ):
        values: list[Value] = [Term("inspection"), D(2017, 1, 1), keys.count(74, "day"), Term("village cadre")]
        stored = Message(key, *values[: len(Message(key).names)])
        assert "74 days" in stored.english()
        assert (
            Alert.from_json(attrs.evolve(overdue, detail=stored.english(), message=stored).to_json()).render("zh-CN")
            == chinese
        )


def test_each_review_case_step_and_recheck_alert_names_its_deadline_in_both_languages() -> None:
    for alert in _alerts():
        if alert.kind in {AlertKind.REVIEW_DUE, AlertKind.REVIEW_OVERDUE} | {
            AlertKind.CASE_STEP_DUE,
            AlertKind.CASE_STEP_OVERDUE,
            AlertKind.RECHECK_DUE,
            AlertKind.RECHECK_OVERDUE,
        }:
            deadline = alert.message.get("deadline")
            assert isinstance(deadline, dt.date), alert
            assert f"deadline {deadline.isoformat()}" in alert.line()
            assert f"办结时限 {deadline.isoformat()}" in alert.line("zh-CN")
    # the words of before, stored, still render in Chinese (they named the due date alone)
    stored = Message(
        keys.ALERT_DUE_STORED[2], Term("identification"), "C1", Term("household_verification"), D(2017, 4, 1)
    )
    assert stored.render("zh-CN") == "识别认定案件 C1：办理环节“入户核实”应于 2017-04-01 完成，已逾期"


def test_a_disaster_s_alert_names_the_kind_of_its_hazard_in_chinese() -> None:
    """The department's data word the flood ``洪灾``: the alert keeps the word and names the kind, 洪涝,
    from a checkpoint as the store keeps it (its evidence as text)."""
    flood = Risk(
        kind="disaster",
        household_id="YB-7",
        date=D(2017, 2, 10),
        severity=Severity.LOW,
        trigger="disaster",
        fact_id="YB-7-dis",
        key="disaster:YB-7-dis",
        evidence=(("hazard", "洪灾"), ("hazard_kind", "flood"), ("loss", "1500")),
    )
    found = alerts_for(OLD, _checkpoint(risks=(flood,)), policy=POLICY, as_of=AS_OF, district="Y")
    assert _said(found, AlertKind.NEW_RISK) == [
        (
            "disaster risk (low) found on 2017-02-10: hazard 洪灾; hazard_kind flood; loss 1500 yuan",
            "2017-02-10 发现风险“因灾”（低）：所报灾害：洪灾；灾种：洪涝；损失：1500 元",
        )
    ]
