"""The command line, run as a user would: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import cli, with_a_bad_date


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "county"
    done = cli("generate", str(directory), "--households", "300", "--seed", "3")
    assert done.returncode == 0, done.stderr
    return directory


def test_screen_prints_totals_and_writes_rows(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = cli("screen", str(county), "--policy", "yubei_2016", "--as-of", "2016-12-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    totals = json.loads(done.stdout)
    assert totals["policy"] == "yubei_2016@2016.1"
    assert totals["households"] == 300
    assert sum(totals["by_state"].values()) == 300
    rows = (out / "households.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 300
    assert json.loads((out / "totals.json").read_text(encoding="utf-8")) == {
        k: v for k, v in totals.items() if k not in ("policy", "as_of")
    }


def test_screen_with_workers_gives_the_same_totals(county: Path) -> None:
    one = cli("screen", str(county), "--policy", "dazu_2016", "--as-of", "2016-12-31")
    two = cli("screen", str(county), "--policy", "dazu_2016", "--as-of", "2016-12-31", "--workers", "2")
    assert one.returncode == two.returncode == 0
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_screen_engines_give_the_same_totals_and_rows(county: Path, tmp_path: Path) -> None:
    pytest.importorskip("numpy")  # the columnar screen needs it (the fast extra)
    done = {}
    for engine in ("scalar", "columnar"):
        out = tmp_path / engine
        screened = cli(
            "screen",
            str(county),
            "--policy",
            "yubei_2016",
            "--as-of",
            "2016-12-31",
            "--out",
            str(out),
            "--engine",
            engine,
        )
        assert screened.returncode == 0, screened.stderr
        rows = (out / "households.jsonl").read_text(encoding="utf-8")
        done[engine] = (json.loads(screened.stdout), rows, screened.stderr)
    assert done["scalar"][:2] == done["columnar"][:2]
    assert "handed to the engine" in done["columnar"][2]
    assert "handed to the engine" not in done["scalar"][2]


def test_bad_rows_are_listed_with_file_line_and_field_and_exit_1(county: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    facts = with_a_bad_date(county, broken)
    done = cli("screen", str(broken), "--policy", "yubei_2016", "--as-of", "2016-12-31")
    assert done.returncode == 1
    assert f"{facts.name}:3: date:" in done.stderr
    assert json.loads(done.stdout)["households"] >= 299


def test_usage_and_input_errors_exit_2(tmp_path: Path) -> None:
    missing = cli("screen", str(tmp_path / "nowhere"), "--policy", "yubei_2016", "--as-of", "2016-12-31")
    assert missing.returncode == 2
    assert "relapse-guard: error:" in missing.stderr
    bad_date = cli("screen", str(tmp_path), "--policy", "yubei_2016", "--as-of", "2016-02-30")
    assert bad_date.returncode == 2
    assert "'2016-02-30' is not a date: day is out of range for month" in bad_date.stderr
    unknown_policy = cli("demo", "--policy", "atlantis_2016")
    assert unknown_policy.returncode == 2
    assert "yubei_2016" in unknown_policy.stderr


def test_explain_prints_the_timeline(county: Path) -> None:
    households = sorted(county.glob("households-*.jsonl"))[0]
    first = json.loads(households.read_text(encoding="utf-8").splitlines()[0])["id"]
    done = cli("explain", first, "--population", str(county), "--policy", "yubei_2016", "--as-of", "2016-12-31")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"household {first} under yubei_2016@2016.1:")
    assert "=> " in done.stdout
    nobody = cli("explain", "NOBODY", "--population", str(county), "--policy", "yubei_2016")
    assert nobody.returncode == 2
    assert "'NOBODY' is not in" in nobody.stderr


def test_a_file_given_as_the_population_is_said_to_be_a_file(tmp_path: Path) -> None:
    (tmp_path / "district.py").write_text("", encoding="utf-8")
    done = cli("screen", "district.py", "--policy", "yubei_2016", "--as-of", "2016-12-31", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "relapse-guard: error: district.py is a file, not a population directory; a policy file goes after "
        "--policy, as --policy district.py:NAME\n"
    )


def test_explain_replays_a_household_from_a_store(tmp_path: Path) -> None:
    from relapse_guard.demo import demo_households
    from relapse_guard.store import SQLiteStore

    path = tmp_path / "county.db"
    with SQLiteStore(path) as store:
        for _, household, facts in demo_households():
            store.put_household(household)
            store.append(household.id, facts)
    done = cli("explain", "YB-002", "--store", str(path), "--policy", "yubei_2016", "--as-of", "2019-06-30")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("household YB-002 under yubei_2016@2016.1:")
    assert "medical_aid" in done.stdout
    assert "relapsed" in done.stdout
    nobody = cli("explain", "NOBODY", "--store", str(path), "--policy", "yubei_2016")
    assert nobody.returncode == 2
    # what a user of the command line can do, not a Python call (put_household() in Python)
    assert nobody.stderr == (
        f"relapse-guard: error: household 'NOBODY' is not in the store {path}; check the id (a cycle given a "
        f"population directory stores its households: relapse-guard cycle {path} --population DIR)\n"
    )
    assert (
        "Python"
        not in cli("explain", "NOBODY", "--store", str(path), "--policy", "yubei_2016", "--lang", "zh-CN").stderr
    )
    missing = cli("explain", "YB-002", "--store", str(tmp_path / "none.db"), "--policy", "yubei_2016")
    assert missing.returncode == 2
    assert "none.db" in missing.stderr
    assert not (tmp_path / "none.db").exists()  # never created by asking
    both = cli("explain", "YB-002", "--store", str(path), "--population", str(tmp_path), "--policy", "yubei_2016")
    assert both.returncode == 2
    assert "not allowed with" in both.stderr


@pytest.mark.parametrize("command", ["demo", "screen", "explain", "generate", "generate-month", "diagram", "policies"])
def test_every_command_has_help(command: str) -> None:
    done = cli(command, "--help")
    assert done.returncode == 0
    assert "usage:" in done.stdout


def test_diagram_and_policies() -> None:
    from relapse_guard.diagrams import mermaid

    assert cli("diagram").stdout == mermaid()
    listed = cli("policies").stdout.splitlines()
    assert any(line.startswith("bishan_2016\tbishan_2016@2016.1") for line in listed)


def test_generate_month_writes_the_next_month_of_a_generated_county(county: Path, tmp_path: Path) -> None:
    from relapse_guard.population import MonthlyShares, fact_records, month_facts

    out = tmp_path / "2017-01.jsonl"
    done = cli("generate-month", str(county), "--month", "2017-01", "--out", str(out), "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote ")
    assert "for 300 households" in done.stdout
    assert done.stderr == ""
    records = list(fact_records(out))
    assert records == [f.to_dict() for r in month_facts(county, "2017-01", seed=7) for f in r.facts]
    again = cli("generate-month", str(county), "--month", "2017-01", "--out", str(out), "--seed", "7", "--overwrite")
    assert again.returncode == 0
    assert list(fact_records(out)) == records
    assert cli("generate-month", str(county), "--month", "2017-01", "--out", str(out)).returncode == 2
    bad_month = cli("generate-month", str(county), "--month", "2017-13", "--out", str(tmp_path / "x.jsonl"))
    assert bad_month.returncode == 2
    assert "not a month" in bad_month.stderr
    early = cli("generate-month", str(county), "--month", "2015-06", "--out", str(tmp_path / "x.jsonl"))
    assert (early.returncode, early.stderr.startswith("relapse-guard: error: month 2015-06 is before")) == (2, True)
    assert not list(tmp_path.glob("x.*"))
    shown = cli("generate-month", "--help").stdout
    assert f"(default {MonthlyShares().late_share})" in " ".join(shown.split())
