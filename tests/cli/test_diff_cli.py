"""``relapse-guard diff``: the policy a household runs under is given (``--policy``) or its place's
(``--policy-map``), as ``explain`` resolves it, and named in the output; ``--lang`` speaks Chinese.

It ran every household under yubei_2016 when no ``--policy`` was given (a Dazu household under
Yubei's rules, said nowhere), refused ``--policy-map`` and had no ``--lang``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Household, IncomeAssessed
from relapse_guard.cli import EXIT_USAGE, main
from relapse_guard.facts import FactCorrected
from relapse_guard.population import write_population
from relapse_guard.store import SQLiteStore

UTC = dt.UTC
KNOWN = ["--known-on", "2016-03-10", "--known-on", "2016-04-01"]

DAZU = Household.from_dict(
    {
        "id": "DZ-7",
        "place": {"district": "Dazu", "town": "Longshuizhen", "village": "Hubian"},
        "members": [
            {"id": "DZ-7-1", "birth_date": "1975-03-02", "labour_capacity": "full"},
            {"id": "DZ-7-2", "birth_date": "2004-09-01", "labour_capacity": "none"},
        ],
    }
)
WRONG = IncomeAssessed(
    id="inc-1",
    household_id="DZ-7",
    date=dt.date(2016, 2, 20),
    income_per_capita=Decimal(9000),  # 1500 was meant
    recorded_at=dt.datetime(2016, 2, 25, tzinfo=UTC),
)
FIXED = FactCorrected(
    id="fix-1",
    household_id="DZ-7",
    date=dt.date(2016, 3, 15),
    corrects="inc-1",
    replacement=IncomeAssessed(
        id="inc-1", household_id="DZ-7", date=dt.date(2016, 2, 20), income_per_capita=Decimal(1500)
    ),
    recorded_at=dt.datetime(2016, 3, 15, tzinfo=UTC),
)


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = tmp_path / "audit.db"
    with SQLiteStore(path) as opened:
        opened.put_household(DAZU)
        opened.append("DZ-7", [WRONG, FIXED])
    return str(path)


def test_a_policy_or_a_policy_map_must_be_given(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["diff", "DZ-7", "--store", store, *KNOWN])
    assert stopped.value.code == EXIT_USAGE
    assert "one of the arguments --policy --policy-map is required" in capsys.readouterr().err


def test_the_policy_given_is_named(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "DZ-7", "--store", store, *KNOWN, "--policy", "yubei_2016"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "household DZ-7 under yubei_2016@2016.1: as known on 2016-03-10T23:59:59.999999+00:00 "
        "and on 2016-04-01T23:59:59.999999+00:00"
    )
    assert lines[1] == "fact inc-1 (income_assessed, 2016-02-20): v1 -> v2 (by fix-1)"


def test_a_policy_map_runs_the_household_under_its_district_s_policy(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "DZ-7", "--store", store, *KNOWN, "--policy-map", "chongqing"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "policy map chongqing: place 'Dazu/Longshuizhen/Hubian' on 2016-03-15 is under dazu_2016@2016.1"
    assert text[1].startswith("household DZ-7 under dazu_2016@2016.1: as known on ")
    assert any(line.startswith("+ ") and "dazu" not in line for line in text)  # decisions made under Dazu's rules
    under_yubei = main(["diff", "DZ-7", "--store", store, *KNOWN, "--policy", "yubei_2016"])
    assert under_yubei == 0
    assert capsys.readouterr().out.splitlines()[1:] != text[2:]  # Yubei's rules decide otherwise

    # JSON: the document alone on stdout, the map's line on stderr, the policy in the document
    assert main(["diff", "DZ-7", "--store", store, *KNOWN, "--policy-map", "chongqing", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["policy"] == "dazu_2016@2016.1"
    assert "is under dazu_2016@2016.1" in captured.err

    # a population directory holding the household: the same resolution
    population = tmp_path / "county"
    write_population(population, [(DAZU, [WRONG, FIXED])])
    assert main(["diff", "DZ-7", "--population", str(population), *KNOWN, "--policy-map", "chongqing"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == text[:2]


def test_lang_says_it_in_chinese(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["diff", "DZ-7", "--store", store, *KNOWN, "--policy-map", "chongqing", "--lang", "zh-CN"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "政策对照表 chongqing：地点 'Dazu/Longshuizhen/Hubian' 在 2016-03-15 适用 dazu_2016@2016.1"
    assert lines[1].startswith("农户 DZ-7（政策 dazu_2016@2016.1）：截至 2016-03-10T23:59:59.999999+00:00 所知")
    assert lines[2] == "事实 inc-1（income_assessed，2016-02-20）：v1 -> v2（由 fix-1）"
    decisions = [line for line in lines if line.startswith(("+ ", "- "))]
    assert decisions
    assert all("【" in line for line in decisions)  # the decisions in Chinese too


def test_a_household_the_store_does_not_hold_says_what_to_do_on_the_command_line(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "NOBODY", "--store", store, *KNOWN, "--policy", "yubei_2016"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.startswith(f"relapse-guard: error: household 'NOBODY' is not in the store {store}; check the id")
    assert "put_household" not in error
