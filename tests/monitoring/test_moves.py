"""A household that moves: the cycle announces it where it concerns.

To another district: one ``moved`` alert in the worklist of the district moved to (take its file
over), naming where it came from and the date, and one in the worklist of the district left (hand
it over and close it: 转移接续). Within one district: one alert, at the place moved to. Each move
once, however the household is rescreened after it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, load_policy
from relapse_guard.cli_cycle import run_alerts
from relapse_guard.facts import Fact, HouseholdMoved, IncomeAssessed
from relapse_guard.household import LabourCapacity, Member, Place
from relapse_guard.monitoring import Alert, AlertKind, Monitor
from relapse_guard.monitoring.alerts import MOVED_IN, MOVED_OUT, MOVED_WITHIN, alerts_for
from relapse_guard.monitoring.moves import moves_since
from relapse_guard.policies.policy_map import load_policy_map
from relapse_guard.store import SQLiteStore

D = dt.date
DECEMBER, JANUARY, FEBRUARY = D(2016, 12, 31), D(2017, 1, 31), D(2017, 2, 28)
YUBEI = load_policy("yubei_2016")


def _home(hid: str, district: str = "Yubei", town: str = "Dashengzhen", village: str = "Qinglong") -> Household:
    worker = Member(id=f"{hid}-0", birth_date=D(1975, 3, 2), labour_capacity=LabourCapacity.FULL)
    return Household(id=hid, place=Place(district, town, village), members=[worker])


def _income(hid: str, day: dt.date, amount: int, n: int) -> IncomeAssessed:
    return IncomeAssessed(id=f"{hid}-i{n}", household_id=hid, date=day, income_per_capita=Decimal(amount))


def _moved(hid: str, day: dt.date, district: str, town: str, village: str, n: int = 1) -> HouseholdMoved:
    return HouseholdMoved(id=f"{hid}-mv{n}", household_id=hid, date=day, district=district, town=town, village=village)


def _records(facts: Sequence[Fact]) -> list[dict[str, object]]:
    return [fact.to_dict() for fact in facts]


def _said(alerts: list[Alert]) -> list[tuple[str, str, str, str, str, str]]:
    return [(a.household_id, a.district, a.town, a.village, a.subject, a.detail) for a in alerts]


def test_a_cycle_announces_a_move_in_the_districts_moved_to_and_left_and_one_within_a_district_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "county.db"
    with SQLiteStore(path) as store:
        for hid in ("YB-1", "YB-2", "YB-3"):
            store.put_household(_home(hid))
        monitor = Monitor(store, load_policy_map("chongqing"))
        monitor.cycle(_records([_income(h, D(2016, 3, 1), 2500, 1) for h in ("YB-1", "YB-2", "YB-3")]), as_of=DECEMBER)
        january = [
            # to Dazu, spelled as the data spells it: the map's other name of Dazu
            _moved("YB-1", D(2017, 1, 15), "大足区", "Longshuizhen", "Fengshou"),
            # within Yubei, to another town
            _moved("YB-2", D(2017, 1, 20), "Yubei", "Shuangfengqiao", "Xiwan"),
            _income("YB-3", D(2017, 1, 10), 2600, 2),
        ]
        report = monitor.cycle(_records(january), as_of=JANUARY)
        moved = monitor.alerts(JANUARY, kinds=["moved"])
        assert _said(moved) == [
            (
                "YB-1",
                "Dazu",
                "Longshuizhen",
                "Fengshou",
                MOVED_IN,
                "moved in from Yubei/Dashengzhen/Qinglong on 2017-01-15 (YB-1-mv1): take its file over",
            ),
            (
                "YB-1",
                "Yubei",
                "Dashengzhen",
                "Qinglong",
                MOVED_OUT,
                "moved away to Dazu/Longshuizhen/Fengshou on 2017-01-15 (YB-1-mv1): hand its file over and close "
                "it here",
            ),
            (
                "YB-2",
                "Yubei",
                "Shuangfengqiao",
                "Xiwan",
                MOVED_WITHIN,
                "moved within Yubei from Dashengzhen/Qinglong to Shuangfengqiao/Xiwan on 2017-01-20 (YB-2-mv1)",
            ),
        ]
        assert {a.date for a in moved} == {D(2017, 1, 15), D(2017, 1, 20)}
        assert all(a.kind is AlertKind.MOVED and a.is_new for a in moved)
        # screened under the policy of the place on its record (see docs/monitoring.md, "A household that moves")
        assert {a.policy for a in moved} == {"yubei_2016@2016.1"}
        assert report.alert_counts["moved"] == 3
        assert "3 moved" in report.summary()
        assert "3 迁移" in report.summary("zh-CN")
        # each in its district's worklist, by any of its names
        assert _said(monitor.alerts(JANUARY, kinds=["moved"], district="大足")) == _said(moved[:1])
        assert _said(monitor.alerts(JANUARY, kinds=["moved"], district="yubei")) == _said(moved[1:])
        # round trip, and Chinese
        for alert in moved:
            assert Alert.from_dict(alert.to_dict()) == alert
            assert Alert.from_json(alert.to_json()) == alert
        assert [a.render("zh-CN") for a in moved] == [
            "于 2017-01-15 由 Yubei/Dashengzhen/Qinglong 迁入（YB-1-mv1）：请接收其档案（转移接续）",
            "于 2017-01-15 迁往 Dazu/Longshuizhen/Fengshou（YB-1-mv1）：请办理转移接续，移交档案后在本地销档",
            "于 2017-01-20 在 Yubei 内由 Dashengzhen/Qinglong 迁至 Shuangfengqiao/Xiwan（YB-2-mv1）",
        ]
        # January run again: nothing added
        monitor.cycle(_records(january), as_of=JANUARY)
        assert _said(monitor.alerts(JANUARY, kinds=["moved"])) == _said(moved)
        # February: YB-1 resumed with an income, YB-2 replayed for a late report of January: no move again
        february = [_income("YB-1", D(2017, 2, 10), 2700, 3), _income("YB-2", D(2017, 1, 5), 2550, 2)]
        report = monitor.cycle(_records(february), as_of=FEBRUARY)
        assert report.replayed == 1
        assert monitor.alerts(FEBRUARY, kinds=["moved"]) == []
        assert "moved" not in report.alert_counts
    # the alerts command: a district by its other name, a town, a village, in Chinese

    def listed(*, lang: str = "en", **options: object) -> list[str]:
        assert run_alerts(str(path), cycle=JANUARY, lang=lang, **options) == 0  # type: ignore[arg-type]
        return capsys.readouterr().out.splitlines()

    assert listed(kinds=["moved"]) == [*(str(a) for a in moved), "3 alerts of the cycle as of 2017-01-31"]
    assert listed(district="大足区")[:-1] == [str(moved[0])]
    assert listed(kinds=["moved"], town="dashengzhen")[:-1] == [str(moved[1])]
    assert listed(village=" Xiwan", lang="zh-CN")[:-1] == [moved[2].line("zh-CN")]
    assert "[迁移]" in moved[2].line("zh-CN")
    as_json = listed(kinds=["moved"], output_format="jsonl")
    assert [Alert.from_dict(json.loads(line)) for line in as_json] == moved


def test_a_household_first_screened_is_told_of_a_move_of_the_cycles_month_only() -> None:
    home = _home("YB-1")
    facts: list[Fact] = [
        _income("YB-1", D(2016, 3, 1), 2500, 1),
        _moved("YB-1", D(2016, 6, 1), "Yubei", "Shuangfengqiao", "Xiwan", 1),
        _moved("YB-1", D(2016, 12, 5), "Bishan", "Guangpuzhen", "Shuanghe", 2),
    ]
    first = Engine(YUBEI).run_checkpointed(home, facts, as_of=DECEMBER).checkpoint
    (move,) = moves_since(None, first, home.place, DECEMBER)
    assert (move.fact, move.before, move.after) == (
        "YB-1-mv2",
        Place("Yubei", "Shuangfengqiao", "Xiwan"),  # from where the first move took it
        Place("Bishan", "Guangpuzhen", "Shuanghe"),
    )
    assert move.between_districts


def test_a_move_to_where_the_record_says_the_household_is_moves_nothing() -> None:
    # the record updated to the new place after the move: the move is no news
    home = _home("YB-1", "Dazu", "Longshuizhen", "Fengshou")
    facts = [
        _income("YB-1", D(2017, 1, 1), 2500, 1),
        _moved("YB-1", D(2017, 1, 15), "dazu", "longshuizhen ", "Fengshou"),
    ]
    checkpoint = Engine(YUBEI).run_checkpointed(home, facts, as_of=JANUARY).checkpoint
    assert moves_since(None, checkpoint, Place("Dazu", "Longshuizhen", "Fengshou"), JANUARY, spell=str.title) == []


PLACES = [
    Place("Yubei", "Dashengzhen", "Qinglong"),
    Place("Yubei", "Shuangfengqiao", "Xiwan"),
    Place("Dazu", "Longshuizhen", "Fengshou"),
    Place("Bishan", "Guangpuzhen", "Shuanghe"),
]


@settings(max_examples=40, deadline=None)
@given(
    places=st.lists(st.sampled_from(PLACES), min_size=1, max_size=5),
    days=st.lists(st.integers(0, 58), min_size=5, max_size=5, unique=True),
    cut=st.integers(0, 58),
)
def test_every_move_is_announced_once_where_it_concerns_whatever_the_cycles(
    places: list[Place], days: list[int], cut: int
) -> None:
    # December's cycle screens the household first; the moves of January and February come to
    # a cycle as of any day between, then to February's.
    home = _home("YB-1")
    start = D(2017, 1, 1)
    dates = sorted(start + dt.timedelta(days=n) for n in days[: len(places)])
    moves = [
        _moved("YB-1", day, place.district, place.town, place.village, n)
        for n, (day, place) in enumerate(zip(dates, places, strict=False))
    ]
    income = _income("YB-1", D(2016, 12, 1), 2500, 1)
    engine, between = Engine(YUBEI), start + dt.timedelta(days=cut)
    first = engine.run_checkpointed(home, [income], as_of=DECEMBER).checkpoint
    early = [move for move in moves if move.date <= between]
    second = engine.resume(first, home, early, as_of=between).checkpoint
    third = engine.resume(second, home, moves[len(early) :], as_of=FEBRUARY).checkpoint
    found = [
        alert
        for old, new, as_of in ((None, first, DECEMBER), (first, second, between), (second, third, FEBRUARY))
        for alert in alerts_for(
            old, new, policy=YUBEI, as_of=as_of, district="Yubei", town="Dashengzhen", village="Qinglong"
        )
    ]
    said = [(a.date, a.subject, Place(a.district, a.town, a.village)) for a in found if a.kind is AlertKind.MOVED]
    expected: list[tuple[dt.date, str, Place]] = []
    here = home.place
    for move in moves:
        there = move.place
        if there.district != here.district:
            expected += [(move.date, MOVED_IN, there), (move.date, MOVED_OUT, here)]
        elif there != here:
            expected.append((move.date, MOVED_WITHIN, there))
        here = there
    assert said == expected
