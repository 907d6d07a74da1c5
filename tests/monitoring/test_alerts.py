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
OLD = _checkpoint(
    grants=(OLD_NET, _grant("temporary_relief", D(2016, 12, 1), amount=Decimal("500.00"))),
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
    ),
    open_cases=(
        OpenCase(case_id="YB-7-ID", procedure="identification", step="household_verification", due_on=D(2017, 3, 1)),
        OpenCase(case_id="YB-7-RE", procedure="risk_elimination", step="village_deliberation", due_on=D(2017, 3, 9)),
    ),
)

#: What each alert said before alerts kept their message, word for word.
ENGLISH = [
    (AlertKind.REPLAYED, f"history replayed: {REASON}"),
    (
        AlertKind.NEW_RISK,
        "illness risk (severe) found on 2017-01-28: self_paid_cost 30000; hospitalised yes; household_status on "
        "file (monitored); reason self-paid cost 30000 > alert amount 6000 for households on file",
    ),
    (AlertKind.NEW_RISK, "disaster risk (low) found on 2017-02-10"),
    (AlertKind.STATE_CHANGED, "exited -> monitored since 2017-01-01"),
    (AlertKind.GRANT_ENDED, "safety_net of 216.66 yuan a month ends on 2017-02-01"),
    (AlertKind.GRANT_STARTED, "safety_net granted: 600.00 yuan a month from 2017-02-01"),
    (AlertKind.GRANT_STARTED, "medical_aid granted: 18000.00 yuan one-off"),
    (AlertKind.GRANT_STARTED, "micro_insurance granted: 100.00 yuan yearly"),
    (AlertKind.GRANT_STARTED, "job_training granted: service free skills training"),
    (AlertKind.GRANT_ENDED, "temporary_relief granted on 2016-12-01 no longer stands"),
    (AlertKind.TRANSITION_ENDING, "transition period ends on 2017-03-20 (monitored since 2017-01-01)"),
    (AlertKind.REVIEW_OVERDUE, "review income_account due 2017-03-01 is 3 days overdue (village cadre)"),
    (AlertKind.REVIEW_OVERDUE, "review my_visit due 2017-03-03 is 1 day overdue"),
    (AlertKind.REVIEW_DUE, "review joint_review due 2017-03-03 (paired helper)"),
    (AlertKind.REVIEW_DUE, "review holiday_visit due 2017-03-04"),
    (AlertKind.CASE_STEP_OVERDUE, "identification case YB-7-ID: step household_verification was due 2017-03-01"),
    (AlertKind.CASE_STEP_DUE, "risk_elimination case YB-7-RE: step village_deliberation due 2017-03-09"),
]

#: The same in Chinese.
CHINESE = [
    "已按全部历史重新计算：事实 'YB-7-ill' 的日期为 2017-01-28，早于检查点时钟（2017-01-31）",
    "2017-01-28 发现风险“因病”（严重）：个人自付费用：30000；住院：是；家庭状态：已建档（过渡期监测）；"
    "理由：个人自付费用 30000 超过已建档户预警金额 6000",
    "2017-02-10 发现风险“因灾”（低）",
    "自 2017-01-01 起由已脱贫转为过渡期监测",
    "216.66 元/月的低保于 2017-02-01 停发",
    "给予低保：600.00 元/月，自 2017-02-01 起发放",
    "给予医疗救助：一次性 18000.00 元",
    "给予小额保险：100.00 元/年",
    "给予技能培训：服务：免费技能培训",
    "2016-12-01 给予的临时救助已不再成立",
    "过渡期将于 2017-03-20 结束（自 2017-01-01 起监测）",
    "复核“收入核算”应于 2017-03-01 完成，已逾期 3 天（村干部）",
    "复核“my_visit”应于 2017-03-03 完成，已逾期 1 天",
    "复核“部门联审”于 2017-03-03 到期（结对帮扶责任人）",
    "复核“节日走访”于 2017-03-04 到期",
    "识别认定案件 YB-7-ID：办理环节“入户核实”应于 2017-03-01 完成，已逾期",
    "风险消除案件 YB-7-RE：办理环节“村级民主评议”于 2017-03-09 到期",
]


def _alerts() -> list[Alert]:
    return alerts_for(OLD, NEW, policy=POLICY, as_of=AS_OF, district="Yubei", replayed=REASON)


def test_each_kind_says_in_english_what_it_always_said() -> None:
    found = _alerts()
    assert [(alert.kind, alert.detail) for alert in found] == ENGLISH
    assert {kind for kind, _ in ENGLISH} == set(AlertKind)
    for alert in found:
        assert alert.render() == alert.render("en") == alert.message.english() == alert.detail
        assert alert.message.key != UNTRANSLATED
        assert str(alert) == f"{alert.date.isoformat()} YB-7 [{alert.kind.value}] {alert.detail}"


def test_each_kind_says_in_chinese_what_it_says_with_no_english_word() -> None:
    found = _alerts()
    assert [alert.render("zh-CN") for alert in found] == CHINESE
    for said in CHINESE:
        assert english_words(said) == [], said


def test_a_first_screened_household_is_compared_with_new() -> None:
    (changed,) = [
        a for a in alerts_for(None, NEW, policy=POLICY, as_of=AS_OF, district="Y") if a.kind.value == "state_changed"
    ]
    assert changed.detail == "new -> monitored since 2017-01-01"
    assert changed.render("zh-CN") == "自 2017-01-01 起由未识别转为过渡期监测"


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
    "fact 'c1' corrects fact 'i4' (now dated 2017-02-09): the household is replayed from that fact": (
        "事实 'c1' 更正了事实 'i4'（现日期为 2017-02-09）：该户从该事实起重新计算"
    ),
    "fact 'YB-7-r1' retracts fact 'YB-7-i4': the household is replayed without it": (
        "事实 'YB-7-r1' 撤回了事实 'YB-7-i4'：该户不计该事实重新计算"
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
        policy=draw(_TEXT),
        date=draw(st.dates()),
        subject=draw(_TEXT),
        detail=message.english(),
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
