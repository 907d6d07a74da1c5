"""``explain`` and ``demo`` with ``--lang zh-CN``: the decisions themselves in Chinese (text and
JSON), with their margins; English stays the default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from relapse_guard.demo import render_demo

from .helpers import cli

AS_OF = "2019-06-30"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from relapse_guard.demo import demo_households
    from relapse_guard.store import SQLiteStore

    path = tmp_path_factory.mktemp("explain-lang") / "county.db"
    with SQLiteStore(path) as opened:
        for _, household, facts in demo_households():
            opened.put_household(household)
            opened.append(household.id, facts)
    return path


def _explain(store: Path, *more: str, env: dict[str, str] | None = None) -> str:
    args = ["explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF, *more]
    if env is None:
        done = cli(*args)
    else:
        import subprocess
        import sys

        done = subprocess.run(
            [sys.executable, "-m", "relapse_guard", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, **env},
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_explain_in_chinese_says_each_decision_in_chinese(store: Path) -> None:
    text = _explain(store, "--lang", "zh-CN")
    assert "状态转换【identification.income_below_line】人均收入 2500 低于贫困线 2760" in text
    assert "发现风险【trigger.illness】因病（高）：" in text
    assert "给予帮扶【intervention.medical_aid】" in text
    assert "差距：差 260 元/人/年达到贫困线（2760）" in text
    assert "过渡期还剩 13 个月（共 36 个月）" in text
    english = _explain(store)
    assert "transition [identification.income_below_line] income per capita 2500 < poverty line 2760" in english
    assert "margins: 13 months left of 36 (transition period)" in english
    assert "人均收入" not in english


def test_the_language_comes_from_the_environment_too(store: Path) -> None:
    assert "人均收入 2500 低于贫困线 2760" in _explain(store, env={"RELAPSE_GUARD_LANG": "zh_CN.UTF-8"})


def test_explain_json_in_chinese_carries_each_message_and_its_margins(store: Path) -> None:
    document = json.loads(_explain(store, "--format", "json", "--lang", "zh-CN"))
    english = json.loads(_explain(store, "--format", "json"))
    assert (document["language"], english["language"]) == ("zh-CN", "en")
    first, first_en = document["decisions"][0], english["decisions"][0]
    assert first["text"] == "人均收入 2500 低于贫困线 2760"
    assert first_en["text"] == "income per capita 2500 < poverty line 2760"
    assert (
        first["message"]
        == first_en["message"]
        == {
            "key": "income per capita {income} < poverty line {line}",
            "values": {"income": "2500", "line": "2760"},
        }
    )
    assert first["margins"] == [
        {
            "amount": "260",
            "unit": "yuan/person/year",
            "direction": "below",
            "threshold": "2760",
            "value": "2500",
            "against": "poverty line",
            "near": True,
        }
    ]
    for decision, in_english in zip(document["decisions"], english["decisions"], strict=True):
        del decision["text"], in_english["text"]
        assert decision == in_english


def test_the_demo_in_chinese_says_its_decisions_in_chinese() -> None:
    chinese = render_demo(lang="zh-CN")
    assert "状态转换【lifecycle.start_monitoring】过渡期自 2016-01-01 开始，至 2019-01-01 结束" in chinese
    assert "transition [" not in chinese
    done = cli("demo", "--lang", "zh-CN")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n") == chinese
