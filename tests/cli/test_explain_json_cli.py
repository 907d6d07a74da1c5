"""``relapse-guard explain ... --format json``: the household's result as one JSON document of
the documented form, from a population directory or a store, under a policy or a policy map."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.demo import demo_households
from relapse_guard.explanation import to_json_dict
from relapse_guard.population import generate_population, read_population

from .helpers import cli

AS_OF = "2019-06-30"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from relapse_guard.store import SQLiteStore

    path = tmp_path_factory.mktemp("explain-json") / "county.db"
    with SQLiteStore(path) as opened:
        for _, household, facts in demo_households():
            opened.put_household(household)
            opened.append(household.id, facts)
    return path


def _expected(household_id: str, policy_name: str, as_of: str) -> dict[str, object]:
    policy = load_policy(policy_name)
    for _, household, facts in demo_households():
        if household.id == household_id:
            return to_json_dict(Engine(policy).run(household, facts, as_of=dt.date.fromisoformat(as_of)), policy)
    raise AssertionError(household_id)


def test_json_from_a_store_is_the_library_s_document(store: Path) -> None:
    done = cli(
        "explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document == _expected("YB-002", "yubei_2016", AS_OF)
    assert document["schema_version"] == 1
    assert document["policy"] == "yubei_2016@2016.1"
    assert done.stderr == ""


def test_text_stays_the_default(store: Path) -> None:
    done = cli("explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("household YB-002 under yubei_2016@2016.1:")
    text = cli(
        "explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF, "--format", "text"
    )
    assert text.stdout == done.stdout


def test_with_a_policy_map_stdout_is_the_document_alone(store: Path) -> None:
    done = cli(
        "explain", "YB-002", "--store", str(store), "--policy-map", "chongqing", "--as-of", AS_OF, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == _expected("YB-002", "yubei_2016", AS_OF)
    said = "policy map chongqing: place 'Yubei/Dashengzhen/Qinglong' on 2019-06-30 is under yubei_2016@2016.1"
    assert done.stderr.strip() == said


def test_json_from_a_population_directory(tmp_path: Path) -> None:
    directory = tmp_path / "county"
    generate_population(directory, households=30, seed=2, processes=1)
    household, facts, _ = next(read_population(directory).partitions[0].records())
    assert household is not None
    done = cli("explain", household.id, "--population", str(directory), "--policy", "dazu_2016", "--format", "json")
    assert done.returncode == 0, done.stderr
    policy = load_policy("dazu_2016")
    assert json.loads(done.stdout) == to_json_dict(Engine(policy).run(household, facts), policy)


def test_an_unknown_format_or_household_exits_2(store: Path) -> None:
    unknown = cli("explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--format", "yaml")
    assert unknown.returncode == 2
    assert "invalid choice: 'yaml'" in unknown.stderr
    nobody = cli("explain", "NOBODY", "--store", str(store), "--policy", "yubei_2016", "--format", "json")
    assert nobody.returncode == 2
    assert nobody.stdout == ""
    assert "NOBODY" in nobody.stderr


def test_the_functions_refuse_an_unknown_format(store: Path) -> None:
    from relapse_guard.cli_screen import explain_household, explain_stored
    from relapse_guard.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="one of text, json, not 'yaml'"):
        explain_stored(str(store), "YB-002", "yubei_2016", None, output_format="yaml")
    with pytest.raises(InvalidArgument, match="one of text, json"):
        explain_household(str(store.parent), "YB-002", "yubei_2016", None, output_format="yaml")


def test_explain_lists_the_households_bad_rows_and_exits_1(tmp_path: Path) -> None:
    # It explained the household without them, said nothing and exited 0: a fact that could not
    # be read (here its exit) silently changed the timeline.

    generate_population(tmp_path / "pop", households=30, seed=2, format="csv", processes=1)
    facts = tmp_path / "pop" / "facts-00000.csv"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    target = lines[1].split(",")[0]
    lines[2] = lines[2].replace(",20", ",2O", 1)  # a date that does not parse
    facts.write_text("".join(lines), encoding="utf-8")
    done = cli("explain", target, "--population", str(tmp_path / "pop"), "--policy", "yubei_2016")
    assert done.returncode == 1, done.stderr
    assert f"{target}" in done.stdout
    assert f"relapse-guard: bad row: {facts}:3: date: " in done.stderr
    households = tmp_path / "pop" / "households-00000.csv"
    rows = households.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = rows[1].split(",")
    bad[5] = "1970-13-01"  # its member's birth date
    households.write_text("".join([rows[0], ",".join(bad), *rows[2:]]), encoding="utf-8")
    gone = cli("explain", target, "--population", str(tmp_path / "pop"), "--policy", "yubei_2016")
    assert gone.returncode == 2, gone.stderr
    assert f"relapse-guard: bad row: {households}:2: birth_date: " in gone.stderr
    assert f"household '{target}' of {tmp_path / 'pop'} could not be read: its rows above are bad" in gone.stderr


def test_a_derived_value_is_explained_with_its_own_source_not_the_base_s(store: Path, tmp_path: Path) -> None:
    # The 330 of a derived policy was cited with the base's "seed: Yubei item 5 ... from 230 to 300".
    spec = tmp_path / "yubei_330.py"
    spec.write_text(
        "import datetime as dt\n"
        "from relapse_guard.policies import load_policy\n"
        'yubei_330 = load_policy("yubei_2016").derive(\n'
        '    name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}}\n'
        ")\n",
        encoding="utf-8",
    )
    done = cli(
        "explain",
        "YB-002",
        "--store",
        str(store),
        "--policy",
        f"{spec}:yubei_330",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    cited = {
        (p["value"], p["effective_from"], p["reference"])
        for decision in json.loads(done.stdout)["decisions"]
        for p in decision["parameters"]
        if p["name"] == "safety_net.standard"
    }
    assert ("330", "2016-07-01", "set by policy yubei_330@1 (derived from yubei_2016@2016.1)") in cited
    assert all(not reference.startswith("seed") for value, _, reference in cited if value == "330")


def test_explain_says_the_household_s_money_as_the_demo_does(store: Path) -> None:
    # explain printed no money: an auditor added up the grants by hand.
    from relapse_guard.demo import render_demo

    done = cli("explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    state = lines.index("  => assisted since 2017-12-01")
    money = [
        "  one-off and yearly (yuan): industry_funds_exited 2000.00, medical_aid 5400.00, micro_insurance 450.00",
        "  monthly in force (yuan a month): safety_net 425.01",
        "  paid to date (yuan): 17950.28",
    ]
    assert lines[state + 1 : state + 4] == money
    demo = render_demo().split("## YB-002", 1)[1].split("\n## ", 1)[0]
    assert "\n".join(money) in demo  # the demo's lines, made by the same code


def test_json_carries_the_money_by_intervention_and_in_all(store: Path) -> None:
    done = cli(
        "explain", "YB-002", "--store", str(store), "--policy", "yubei_2016", "--as-of", AS_OF, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    money = json.loads(done.stdout)["money"]
    assert money["total"] == {"one_off": "7850.00", "monthly_in_force": "425.01", "paid_to_date": "17950.28"}
    assert [line["intervention"] for line in money["by_intervention"]] == [
        "industry_funds_exited",
        "medical_aid",
        "micro_insurance",
        "safety_net",
    ]
    assert money["by_intervention"][3] == {
        "intervention": "safety_net",
        "one_off": "0.00",
        "monthly_in_force": "425.01",
        "paid_to_date": "10100.28",
    }
