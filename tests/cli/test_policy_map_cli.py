"""``--policy-map`` on the command line: screen, report and explain each household under its place's policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relapse_guard.population import generate_population

from .helpers import cli

AS_OF = "2016-12-31"

#: Yubei and Dazu under their own policies, Dazu's Longshuizhen under Chongqing's; no Bishan, no default.
COUNTY = """# relapse_guard policy map
[[place]]
district = "Yubei"
policy = "yubei_2016"
[[place]]
district = "Dazu"
policy = "dazu_2016"
[[place]]
district = "Dazu"
town = "Longshuizhen"
policy = "chongqing_2016"
"""

OWN = {"Yubei": "yubei_2016@2016.1", "Dazu": "dazu_2016@2016.1", "Bishan": "bishan_2016@2016.1"}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli-map") / "county"
    generate_population(directory, households=240, partitions=2, seed=5, processes=1)
    return directory


@pytest.fixture(scope="module")
def map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maps") / "county.toml"
    path.write_text(COUNTY, encoding="utf-8")
    return path


def _rows(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "households.jsonl").read_text(encoding="utf-8").splitlines()]


def test_screen_with_the_built_in_map_screens_each_district_under_its_own_policy(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = cli("screen", str(county), "--policy-map", "chongqing", "--as-of", AS_OF, "--out", str(out))
    assert done.returncode == 0, done.stderr
    totals = json.loads(done.stdout)
    assert totals["policy"] == "policy map chongqing"
    assert totals["households"] == 240
    rows = _rows(out)
    assert len(rows) == 240
    for row in rows:
        assert row["policy"] == OWN[str(row["district"])], row
    for district, figures in totals["by_district"].items():
        assert figures["policies"] == {OWN[district]: figures["households"]}
        assert figures["in_force"] == [OWN[district]]
    assert json.loads((out / "totals.json").read_text(encoding="utf-8"))["by_district"] == totals["by_district"]


def test_an_uncovered_place_is_a_problem_row_naming_it(county: Path, map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = cli("screen", str(county), "--policy-map", str(map_file), "--as-of", AS_OF, "--out", str(out))
    assert done.returncode == 1, done.stderr
    totals = json.loads(done.stdout)
    rows = _rows(out)
    for row in rows:
        expected = "chongqing_2016@2016.1" if row["town"] == "Longshuizhen" else OWN[str(row["district"])]
        assert row["policy"] == expected, row
    assert {row["district"] for row in rows} == {"Yubei", "Dazu"}
    assert set(totals["by_district"]) == {"Yubei", "Dazu"}
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert problems
    assert len(problems) + totals["households"] == 240
    for problem in problems:
        assert (problem["kind"], problem["error"]) == ("no_policy", "NoPolicyForPlace")
        assert "no policy for place 'Bishan/" in problem["message"]
    assert "no_policy (NoPolicyForPlace)" in done.stderr
    fast = cli("screen", str(county), "--policy-map", str(map_file), "--as-of", AS_OF, "--fail-fast")
    assert fast.returncode == 1
    assert "stopped at the first problem household: no_policy" in fast.stderr


def test_two_workers_give_the_same_screen_with_a_map(county: Path, map_file: Path) -> None:
    one = cli("screen", str(county), "--policy-map", str(map_file), "--as-of", AS_OF)
    two = cli("screen", str(county), "--policy-map", str(map_file), "--as-of", AS_OF, "--workers", "2")
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)


def test_one_policy_still_names_itself_in_every_district(county: Path) -> None:
    done = cli("screen", str(county), "--policy", "dazu_2016", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    totals = json.loads(done.stdout)
    assert totals["policy"] == "dazu_2016@2016.1"
    assert {d["in_force"][0] for d in totals["by_district"].values()} == {"dazu_2016@2016.1"}


def test_policy_and_policy_map_are_one_or_the_other(county: Path, map_file: Path) -> None:
    both = cli("screen", str(county), "--policy", "yubei_2016", "--policy-map", str(map_file), "--as-of", AS_OF)
    assert both.returncode == 2
    assert "not allowed with" in both.stderr
    for command in (["screen", str(county)], ["report", str(county), "--out", "x"], ["explain", "H", "--store", "x"]):
        neither = cli(*command, "--as-of", AS_OF)
        assert neither.returncode == 2
        assert "one of the arguments --policy --policy-map is required" in neither.stderr
    for name in ("screen", "report", "explain"):
        assert "--policy-map FILE|chongqing" in cli(name, "--help").stdout


def test_a_bad_map_is_a_usage_error_naming_the_file_and_entry(county: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2061"\n', encoding="utf-8")
    done = cli("screen", str(county), "--policy-map", str(bad), "--as-of", AS_OF)
    assert done.returncode == 2
    assert f"policy map {bad}: [[place]] #1 (district 'Yubei'): policy = 'yubei_2061' refused" in done.stderr
    assert "did you mean yubei_2016?" in done.stderr
    missing = cli("screen", str(county), "--policy-map", str(tmp_path / "none.toml"), "--as-of", AS_OF)
    assert missing.returncode == 2
    assert "none.toml: no such file, and not a built-in map (chongqing)" in missing.stderr


def test_report_with_a_map_lists_each_district_s_policy(county: Path, map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    done = cli("report", str(county), "--policy-map", str(map_file), "--as-of", AS_OF, "--out", str(out))
    assert done.returncode == 1, done.stderr  # the Bishan households are problems
    text = (out / "report.md").read_text(encoding="utf-8")
    section = text.split("## Policies by district", 1)[1].split("\n## ", 1)[0]
    assert "policy map " in section
    dazu = next(line for line in section.splitlines() if line.startswith("| Dazu |"))
    assert "dazu\\_2016@2016.1 (" in dazu
    assert "chongqing\\_2016@2016.1 in Longshuizhen" in dazu
    assert "no\\_policy" in text


def test_explain_with_a_map_says_which_policy_the_place_has(county: Path, map_file: Path) -> None:
    files = sorted(county.glob("households-*.jsonl"))
    homes = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    dazu = next(h for h in homes if h["place"]["district"] == "Dazu" and h["place"]["town"] != "Longshuizhen")
    bishan = next(h for h in homes if h["place"]["district"] == "Bishan")
    done = cli("explain", dazu["id"], "--population", str(county), "--policy-map", "chongqing", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first.startswith("policy map chongqing: place 'Dazu/")
    assert first.endswith(f"on {AS_OF} is under dazu_2016@2016.1")
    assert second.startswith(f"household {dazu['id']} under dazu_2016@2016.1:")
    latest = cli("explain", dazu["id"], "--population", str(county), "--policy-map", "chongqing")
    assert latest.returncode == 0, latest.stderr
    assert " on 2016-" in latest.stdout.splitlines()[0]  # the date of its last fact
    nowhere = cli("explain", bishan["id"], "--population", str(county), "--policy-map", str(map_file))
    assert nowhere.returncode == 2
    assert "no policy for place 'Bishan/" in nowhere.stderr


def test_explain_a_stored_household_under_its_place_s_policy(tmp_path: Path) -> None:
    from relapse_guard.demo import demo_households
    from relapse_guard.store import SQLiteStore

    path = tmp_path / "county.db"
    with SQLiteStore(path) as store:
        for _, household, facts in demo_households():
            store.put_household(household)
            store.append(household.id, facts)
    done = cli("explain", "YB-002", "--store", str(path), "--policy-map", "chongqing", "--as-of", "2019-06-30")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    assert first == "policy map chongqing: place 'Yubei/Dashengzhen/Qinglong' on 2019-06-30 is under yubei_2016@2016.1"
    assert second == "household YB-002 under yubei_2016@2016.1:"
    nobody = cli("explain", "NOBODY", "--store", str(path), "--policy-map", "chongqing")
    assert nobody.returncode == 2
    assert "NOBODY" in nobody.stderr
