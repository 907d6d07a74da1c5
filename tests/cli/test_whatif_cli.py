"""``relapse-guard whatif``, run as a user would: Yubei 2016 against the same rules with a safety-net
standard of 330 from July 2016, over a generated county of three districts."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard.cli_whatif import CSV_COLUMNS
from relapse_guard.population import generate_population, read_population
from relapse_guard.whatif import Comparison, compare, compare_population

from ..places import respelled, spelt
from .helpers import cli

AS_OF = "2017-12-31"
D = dt.date.fromisoformat

POLICY_FILE = """\
import datetime as dt

from relapse_guard.policies import load_policy

yubei_330 = load_policy("yubei_2016").derive(
    name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}}
)
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("whatif") / "county"
    generate_population(directory, households=150, months=24, seed=1, partitions=2, processes=1)
    return directory


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "yubei_330.py"
    path.write_text(POLICY_FILE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def expected(county: Path, policy_file: Path) -> Comparison:
    """The same comparison made with the library."""
    from relapse_guard.cli_policy import load_policy_spec

    a, b = load_policy_spec("yubei_2016"), load_policy_spec(f"{policy_file}:yubei_330")
    records = [(h, facts) for h, facts, _bad in read_population(county).iter_records() if h is not None]
    return compare(a, b, records, as_of=dt.date.fromisoformat(AS_OF))


@pytest.fixture(scope="module")
def run(
    county: Path, policy_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("whatif") / "out"
    args = ("--policy", "yubei_2016", "--policy", f"{policy_file}:yubei_330", "--as-of", AS_OF, "--out", str(out))
    return cli("whatif", str(county), *args), out


def test_prints_the_differences_and_the_totals(
    run: tuple[subprocess.CompletedProcess[str], Path], expected: Comparison
) -> None:
    done, _out = run
    assert done.returncode == 0, done.stderr
    # the two policies differ only in the standard: the households whose run under a asked nothing
    # of it that b answers otherwise are not run again, and stderr says how many
    spared = expected.paths["unchanged"]
    assert 0 < spared < 150
    assert done.stderr == (
        f"what-if: {spared} of 150 households not run again under b: "
        "their run under a asked the changed parameters nothing b answers otherwise\n"
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "what-if as of 2017-12-31: a = yubei_2016@2016.1, b = yubei_330@1"
    assert lines[1] == f"150 households, {expected.totals.differing} differ"
    assert expected.totals.differing > 0
    first = expected.differences[0]
    assert f"household {first.household_id}: " in done.stdout
    assert "  first difference, a: " in done.stdout
    assert "safety_net.standard = 330 (from 2016-07-01)" in done.stdout
    # a higher standard pays more safety net, month by month and to date
    delta = expected.totals.money_delta["safety_net"]
    assert delta.monthly_in_force > 0
    assert (
        f"  safety_net: one-off and yearly 0.00 yuan; monthly in force +{delta.monthly_in_force} yuan a month; "
        f"paid to date +{delta.paid_to_date} yuan"
    ) in lines
    assert "budget difference (b - a), per intervention:" in lines
    totals = lines[lines.index("totals:") :]
    before, after = expected.totals.money_a["safety_net"], expected.totals.money_b["safety_net"]
    assert any(
        line.startswith(
            f"  safety_net (monthly): monthly in force {before.monthly_in_force} -> {after.monthly_in_force} "
            f"yuan a month (+{delta.monthly_in_force}); paid to date {before.paid_to_date} -> {after.paid_to_date} yuan"
        )
        for line in totals
    )
    assert totals[1] == "  states a: " + ", ".join(f"{s} {n}" for s, n in sorted(expected.totals.states_a.items()))


def test_prints_the_budget_difference_per_district(
    run: tuple[subprocess.CompletedProcess[str], Path], expected: Comparison
) -> None:
    done, _out = run
    text = done.stdout.split("budget difference (b - a), per district:\n", 1)[1]
    districts = expected.by_district()
    assert sorted(districts) == ["Bishan", "Dazu", "Yubei"]
    headings = re.findall(r"^  (\w+): (\d+) households, (\d+) differs?$", text, flags=re.MULTILINE)
    assert [(d, int(n), int(k)) for d, n, k in headings] == [
        (d, item.households, item.differing) for d, item in districts.items()
    ]
    monthly = re.findall(r"^    safety_net: .*monthly in force ([+-]?[\d.]+) yuan a month", text, flags=re.MULTILINE)
    assert sum(Decimal(m) for m in monthly) == expected.totals.money_delta["safety_net"].monthly_in_force


def test_writes_the_differing_households_as_csv(
    run: tuple[subprocess.CompletedProcess[str], Path], expected: Comparison
) -> None:
    _done, out = run
    with (out / "whatif.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
        assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["household_id"] for row in rows} == {h.household_id for h in expected.differences}
    first = expected.differences[0]
    for row in rows:
        if row["figure"]:
            assert Decimal(row["b"]) - Decimal(row["a"]) == Decimal(row["difference"]) != 0
    units = {row["figure"]: row["unit"] for row in rows if row["figure"]}
    assert units["monthly_in_force"] == "yuan a month"
    assert units["paid_to_date"] == "yuan"
    mine = [row for row in rows if row["household_id"] == first.household_id]
    assert {row["district"] for row in mine} == {first.district}
    # two single policies: each row names them, and the district is as the data writes it
    assert {(row["policy_a"], row["policy_b"]) for row in rows} == {("yubei_2016@2016.1", "yubei_330@1")}
    assert all(row["district_as_given"] == row["district"] for row in rows)
    for name, change in first.money_delta.items():
        paid = [row for row in mine if row["intervention"] == name and row["figure"] == "paid_to_date"]
        if change.paid_to_date:
            assert Decimal(paid[0]["difference"]) == change.paid_to_date
    total = sum(
        Decimal(row["difference"])
        for row in rows
        if row["intervention"] == "safety_net" and row["figure"] == "paid_to_date"
    )
    assert total == expected.totals.money_delta["safety_net"].paid_to_date


def test_writes_a_self_contained_html_page(
    run: tuple[subprocess.CompletedProcess[str], Path], expected: Comparison
) -> None:
    _done, out = run
    page = (out / "whatif.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for title in ("Totals", "Money per intervention", "Budget difference per district", "Households that differ"):
        assert f"<h2>{title}</h2>" in page
    assert page.count("<table>") == 3
    assert "<td>Dazu</td>" in page
    assert "yuan a month" in page
    assert page.count("<li><pre>") == len(expected.differences)
    assert "&gt;" in page  # the households' "a -> b" lines, escaped
    assert not re.search(r"<link|<img|<script|\bsrc=|@import", page)


def test_refuses_to_overwrite(
    run: tuple[subprocess.CompletedProcess[str], Path], county: Path, policy_file: Path
) -> None:
    _done, out = run
    args = ("--policy", "yubei_2016", "--policy", f"{policy_file}:yubei_330", "--as-of", AS_OF, "--out", str(out))
    refused = cli("whatif", str(county), *args)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "already holds whatif.csv, whatif.html" in refused.stderr
    assert "Traceback" not in refused.stderr
    again = cli("whatif", str(county), *args, "--overwrite")
    assert again.returncode == 0, again.stderr


def test_an_unknown_policy_exits_2(county: Path) -> None:
    done = cli("whatif", str(county), "--policy", "yubei_2016", "--policy", "nope", "--as-of", AS_OF)
    assert done.returncode == 2
    assert "unknown policy 'nope'" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("--policy", "yubei_2016"),
        ("--policy", "yubei_2016", "--policy", "dazu_2016", "--policy", "bishan_2016"),
        ("--policy-map", "chongqing"),
        ("--policy-map", "chongqing", "--policy", "dazu_2016", "--policy-map", "chongqing"),
    ],
)
def test_exactly_two_policies(county: Path, args: tuple[str, ...]) -> None:
    done = cli("whatif", str(county), *args, "--as-of", AS_OF)
    assert done.returncode == 2
    said = "give --policy twice, --policy-map twice, or one of each (a, then b), not"
    assert f"{said} {len(args) // 2}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_policy_is_required(county: Path) -> None:
    done = cli("whatif", str(county), "--as-of", AS_OF)
    assert done.returncode == 2
    assert "--policy" in done.stderr


@pytest.mark.parametrize("engine", ["scalar", "columnar"])
def test_workers_and_engines_print_and_write_the_same(
    run: tuple[subprocess.CompletedProcess[str], Path],
    county: Path,
    policy_file: Path,
    tmp_path: Path,
    engine: str,
) -> None:
    if engine == "columnar":
        pytest.importorskip("numpy")
    done, out = run
    args = ("--policy", "yubei_2016", "--policy", f"{policy_file}:yubei_330", "--as-of", AS_OF)
    again = cli("whatif", str(county), *args, "--out", str(tmp_path), "--workers", "2", "--engine", engine)
    assert again.returncode == 0, again.stderr
    assert again.stdout == done.stdout
    if engine == "columnar":  # each household's two runs, in columns or on the engine
        found = re.search(r"what-if: ([\d,]+) runs decided in columns, ([\d,]+) on the engine", again.stderr)
        assert found is not None, again.stderr
        assert sum(int(n.replace(",", "")) for n in found.groups()) == 2 * 150
    else:
        assert again.stderr == done.stderr
    for name in ("whatif.csv", "whatif.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_a_what_if_on_a_local_dask_cluster_prints_and_writes_the_same(
    run: tuple[subprocess.CompletedProcess[str], Path], county: Path, policy_file: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    done, out = run
    args = ("--policy", "yubei_2016", "--policy", f"{policy_file}:yubei_330", "--as-of", AS_OF)
    again = cli("whatif", str(county), *args, "--out", str(tmp_path), "--scheduler", "local", "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert again.stdout == done.stdout
    assert again.stderr == done.stderr
    for name in ("whatif.csv", "whatif.html"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


FAILING_FILE = """\
import attrs
from relapse_guard.interventions import MedicalAid
from relapse_guard.policies import load_policy


@attrs.frozen(kw_only=True)
class BrokenMedicalAid(MedicalAid):
    def grant(self, risk, ctx):
        raise RuntimeError("the medical aid service is down")


failing = load_policy("yubei_2016").derive(name="failing", interventions=[BrokenMedicalAid()])
"""


def test_households_a_policy_refuses_are_left_out_of_the_budget_and_exit_1(county: Path, tmp_path: Path) -> None:
    # Their money under the policy that ran them used to count as a saving of the other.
    from relapse_guard.cli_policy import load_policy_spec

    path = tmp_path / "failing.py"
    path.write_text(FAILING_FILE, encoding="utf-8")
    a, b = load_policy_spec("yubei_2016"), load_policy_spec(f"{path}:failing")
    records = [(h, facts) for h, facts, _bad in read_population(county).iter_records() if h is not None]
    comparison = compare(a, b, records, as_of=dt.date.fromisoformat(AS_OF), keep_all=True)
    refused = [h for h in comparison.households if h.b.error is not None]
    assert refused, "the population has illness risks routed to medical aid"
    assert comparison.totals.errors_b == len(refused)
    assert all(h.b.error.startswith("PluginFailed: ") for h in refused)  # type: ignore[union-attr]
    ran = [h for h in comparison.households if h.b.error is None]
    for name in ("medical_aid", "safety_net"):
        expected_a = sum((h.a.money[name].paid_to_date for h in ran if name in h.a.money), Decimal(0))
        got_a = comparison.totals.money_a.get(name)
        assert (got_a.paid_to_date if got_a else Decimal(0)) == expected_a
    streamed = compare_population(
        "yubei_2016", f"{path}:failing", county, dt.date.fromisoformat(AS_OF), load=load_policy_spec
    )
    assert streamed.totals == comparison.totals
    assert {d: (c.money_a, c.money_b) for d, c in streamed.by_district().items()} == {
        d: (c.money_a, c.money_b) for d, c in comparison.by_district().items()
    }
    out = tmp_path / "out"
    done = cli(
        "whatif",
        str(county),
        "--policy",
        "yubei_2016",
        "--policy",
        f"{path}:failing",
        "--as-of",
        AS_OF,
        "--out",
        str(out),
    )
    assert done.returncode == 1, done.stderr
    assert f"refused: a 0, b {len(refused)} (their money is left out of both sides)" in done.stdout
    assert f"a policy refused households (a 0, b {len(refused)})" in done.stderr
    # Household by household too: a refused household's money is compared on neither side, so
    # the CSV's differences add up to the budget difference.
    assert all(not h.money_delta and not h.interventions_removed for h in refused)
    assert done.stdout.count("money not compared: a policy refused the household") == len(refused)
    with (out / "whatif.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["household_id"] for row in rows if row["state_b"] == "refused"} == {h.household_id for h in refused}
    assert all(row["difference"] == "" for row in rows if row["state_b"] == "refused")
    summed: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        if row["difference"]:
            key = (row["intervention"], row["figure"])
            summed[key] = summed.get(key, Decimal(0)) + Decimal(row["difference"])
    totals = comparison.totals
    for name in set(totals.money_a) | set(totals.money_b):
        for figure in ("one_off", "monthly_in_force", "paid_to_date"):
            zero = Decimal(0)
            before = getattr(totals.money_a[name], figure) if name in totals.money_a else zero
            after = getattr(totals.money_b[name], figure) if name in totals.money_b else zero
            assert summed.get((name, figure), zero) == after - before, (name, figure)


def test_households_both_policies_refuse_are_named_on_stderr(tmp_path: Path) -> None:
    # "listed as refused", said stderr, but a household both policies refused alike differs in
    # nothing: it was named nowhere, on stdout, stderr, in whatif.csv or whatif.html.
    (tmp_path / "households-a.jsonl").write_text(
        "".join(
            f'{{"id": "{hid}", "place": {{"district": "Yubei", "town": "T", "village": "V"}}, '
            f'"members": [{{"id": "{hid}-1", "birth_date": "1970-01-01"}}]}}\n'
            for hid in ("YB1", "YB2")
        ),
        encoding="utf-8",
    )
    (tmp_path / "facts-a.jsonl").write_text(
        '{"kind": "income_assessed", "id": "YB1-i1", "household_id": "YB1", "date": "2016-03-01", '
        '"income_per_capita": "3000"}\n'
        '{"kind": "exit_verified", "id": "YB2-x", "household_id": "YB2", "date": "2016-03-01"}\n',
        encoding="utf-8",
    )
    done = cli("whatif", str(tmp_path), "--policy", "yubei_2016", "--policy", "dazu_2016", "--as-of", AS_OF)
    assert done.returncode == 1
    (line,) = [line for line in done.stderr.splitlines() if "refused: household" in line]
    assert line.startswith("relapse-guard: refused: household YB2: a InvalidTransition: household 'YB2'")
    assert "; b InvalidTransition" in line
    comparison = compare_population("yubei_2016", "dazu_2016", tmp_path, dt.date.fromisoformat(AS_OF))
    assert comparison.household("YB2").refused
    assert [h.household_id for h in comparison.differences] == ["YB1"]  # a refusal alike is no difference


RAISED_MAP = """\
# Chongqing's districts, Yubei's safety-net standard at 330 from July 2016
default = "chongqing_2016"

[[place]]
district = "Yubei"
policy = "policies/yubei_330.py:yubei_330"

[[place]]
district = "Dazu"
policy = "dazu_2016"
"""


@pytest.fixture(scope="module")
def raised_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A policy map beside the policy file it names by a relative path."""
    directory = tmp_path_factory.mktemp("maps")
    (directory / "policies").mkdir()
    (directory / "policies" / "yubei_330.py").write_text(POLICY_FILE, encoding="utf-8")
    (directory / "raised.toml").write_text(RAISED_MAP, encoding="utf-8")
    return directory / "raised.toml"


@pytest.fixture(scope="module")
def by_maps(county: Path, raised_map: Path) -> subprocess.CompletedProcess[str]:
    # run from another directory: the map reads its policy file from its own
    return cli("whatif", str(county), "--policy-map", "chongqing", "--policy-map", str(raised_map), "--as-of", AS_OF)


def test_two_policy_maps_compare_each_district_under_its_own_policies(
    by_maps: subprocess.CompletedProcess[str], county: Path, raised_map: Path
) -> None:
    from relapse_guard.policies.policy_map import load_policy_map
    from relapse_guard.whatif import compare_population

    assert by_maps.returncode == 0, by_maps.stderr
    expected = compare_population(load_policy_map("chongqing"), load_policy_map(raised_map), county, D(AS_OF))
    assert expected.policy_b == f"policy map {raised_map}"
    assert by_maps.stdout.startswith(f"what-if as of {AS_OF}: a = policy map chongqing, b = policy map {raised_map}\n")
    text = by_maps.stdout.split("budget difference (b - a), per district:\n", 1)[1]
    headings = re.findall(r"^  (\w+): (\d+) households, (\d+) differs?$", text, flags=re.MULTILINE)
    districts = expected.by_district()
    assert [(d, int(n), int(k)) for d, n, k in headings] == [
        (d, item.households, item.differing) for d, item in districts.items()
    ]
    # Dazu is under dazu_2016 in both maps: no difference, and its households run once; Yubei's
    # standard differs; Bishan is under bishan_2016 in one map and the default in the other
    assert districts["Dazu"].differing == 0
    assert districts["Yubei"].money_delta["safety_net"].monthly_in_force > 0
    assert districts["Bishan"].differing > 0
    dazu = districts["Dazu"].households
    assert f"what-if: {dazu} of 150 households run once: both sides give their place the same policy" in (
        by_maps.stderr
    )


def test_two_policy_maps_in_two_workers_print_the_same(
    by_maps: subprocess.CompletedProcess[str], county: Path, raised_map: Path, tmp_path: Path
) -> None:
    args = ("--policy-map", "chongqing", "--policy-map", str(raised_map), "--as-of", AS_OF)
    again = cli("whatif", str(county), *args, "--workers", "2", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == by_maps.stdout
    assert again.stderr == by_maps.stderr


def test_a_policy_against_a_policy_map_in_the_order_given(county: Path, raised_map: Path) -> None:
    done = cli("whatif", str(county), "--policy-map", str(raised_map), "--policy", "yubei_2016", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"what-if as of {AS_OF}: a = policy map {raised_map}, b = yubei_2016@2016.1\n")


def test_a_place_a_map_does_not_cover_is_a_problem_household_and_exits_1(county: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial.toml"
    partial.write_text('[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2016"\n', encoding="utf-8")
    done = cli("whatif", str(county), "--policy-map", "chongqing", "--policy-map", str(partial), "--as-of", AS_OF)
    assert done.returncode == 1, done.stderr
    problems = re.findall(r"^relapse-guard: problem household: no_policy: household '(\w+)'", done.stderr, re.M)
    counted = re.search(r"^  Yubei: (\d+) households", done.stdout, flags=re.MULTILINE)
    assert counted is not None
    assert len(problems) == 150 - int(counted.group(1))
    assert f"relapse-guard: {len(problems)} problem households: {len(problems)} no_policy (NoPolicyForPlace)" in (
        done.stderr
    )
    assert re.findall(r"^  (\w+): \d+ households", done.stdout, flags=re.MULTILINE) == ["Yubei"]


def test_a_map_s_policy_file_that_does_not_load_exits_2_naming_the_map_and_place(county: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(RAISED_MAP.replace("yubei_330.py", "yubei_331.py"), encoding="utf-8")
    done = cli("whatif", str(county), "--policy-map", "chongqing", "--policy-map", str(broken), "--as-of", AS_OF)
    assert done.returncode == 2
    missing = tmp_path / "policies" / "yubei_331.py"
    assert done.stderr == (
        f"relapse-guard: error: policy map {broken}: [[place]] #1 (district 'Yubei'): "
        f"policy file '{missing}' does not exist (policy '{missing}:yubei_330')\n"
    )
    assert done.stdout == ""


def test_the_maps_are_named_in_chinese(county: Path, raised_map: Path) -> None:
    args = ("--policy-map", "chongqing", "--policy", "yubei_2016", "--as-of", AS_OF, "--lang", "zh-CN")
    done = cli("whatif", str(county), *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"政策比较（截至 {AS_OF}）：a = 政策对照表 chongqing，b = yubei_2016@2016.1\n")
    assert "户只运行一次：a、b 两边为其所在地给出同一政策" in done.stderr


# --- districts the data writes two ways, and each household's policies ---------------------

#: A county's own map in Chinese: Dazu and Yubei by their Chinese names, Yubei's standard raised.
CHINESE_MAP = """\
default = "chongqing_2016"

[[place]]
district = "大足区"
district_aliases = ["Dazu"]
policy = "dazu_2016"

[[place]]
district = "渝北区"
district_aliases = ["Yubei"]
policy = "policies/yubei_330.py:yubei_330"
"""


@pytest.fixture(scope="module")
def respelt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county whose data writes some Dazu households 大足区 and some Yubei ones yubei."""
    return respelled(tmp_path_factory.mktemp("respelt") / "county", households=150, months=24, partitions=2)


def _districts(stdout: str) -> dict[str, tuple[int, int]]:
    """The budget difference's districts: households and households that differ, by name."""
    text = stdout.split("budget difference (b - a), per district:\n", 1)[1]
    found = re.findall(r"^  (\S+): (\d+) households, (\d+) differs?$", text, flags=re.MULTILINE)
    return {name: (int(households), int(differing)) for name, households, differing in found}


def _csv(out: Path) -> list[dict[str, str]]:
    with (out / "whatif.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_a_district_the_data_writes_two_ways_is_one_district_under_a_map(respelt: Path, tmp_path: Path) -> None:
    written = Counter(spelt(respelt).values())
    assert min(written["大足区"], written["Dazu"], written["yubei"]) > 0
    out = tmp_path / "map"
    done = cli(
        "whatif",
        str(respelt),
        "--policy-map",
        "chongqing",
        "--policy",
        "bishan_2016",
        "--as-of",
        AS_OF,
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    districts = _districts(done.stdout)
    assert {name: households for name, (households, _) in districts.items()} == {
        "Bishan": written["Bishan"],
        "Dazu": written["Dazu"] + written["大足区"],
        "Yubei": written["Yubei"] + written["yubei"],
    }
    page = (out / "whatif.html").read_text(encoding="utf-8")
    assert "<td>Dazu</td>" in page
    assert "<td>大足区</td>" not in page
    assert "<td>yubei</td>" not in page
    rows = _csv(out)
    given = spelt(respelt)
    assert {row["district"] for row in rows} <= {"Bishan", "Dazu", "Yubei"}
    assert all(row["district_as_given"] == given[row["household_id"]] for row in rows)
    assert {row["district_as_given"] for row in rows if row["district"] == "Dazu"} == {"Dazu", "大足区"}
    # each row names the policy its place has in the map, and b's one policy
    policies = {"Bishan": "bishan_2016@2016.1", "Dazu": "dazu_2016@2016.1", "Yubei": "yubei_2016@2016.1"}
    assert all(row["policy_a"] == policies[row["district"]] for row in rows)
    assert {row["policy_b"] for row in rows} == {"bishan_2016@2016.1"}
    # without a map, the data's names as they are (as a screen under one policy counts them)
    plain = cli("whatif", str(respelt), "--policy", "dazu_2016", "--policy", "bishan_2016", "--as-of", AS_OF)
    assert plain.returncode == 0, plain.stderr
    assert {name: households for name, (households, _) in _districts(plain.stdout).items()} == dict(written)


def test_two_maps_that_spell_a_district_apart_count_it_as_side_a_spells_it(
    respelt: Path, raised_map: Path, tmp_path: Path
) -> None:
    chinese = raised_map.parent / "chinese.toml"
    chinese.write_text(CHINESE_MAP, encoding="utf-8")
    written = Counter(spelt(respelt).values())
    yubei, dazu = written["Yubei"] + written["yubei"], written["Dazu"] + written["大足区"]
    out = tmp_path / "maps"
    done = cli(
        "whatif",
        str(respelt),
        "--policy-map",
        "chongqing",
        "--policy-map",
        str(chinese),
        "--as-of",
        AS_OF,
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    districts = _districts(done.stdout)
    assert {name: households for name, (households, _) in districts.items()} == {
        "Bishan": written["Bishan"],
        "Dazu": dazu,
        "Yubei": yubei,
    }
    assert districts["Dazu"][1] == 0  # dazu_2016 on both sides
    assert districts["Yubei"][1] > 0  # the standard raised on b's side
    rows = _csv(out)
    assert {(row["district"], row["policy_a"], row["policy_b"]) for row in rows} >= {
        ("Yubei", "yubei_2016@2016.1", "yubei_330@1"),
    }
    assert {row["district"] for row in rows} <= {"Bishan", "Yubei"}  # Dazu's households differ in nothing
    swapped = cli("whatif", str(respelt), "--policy-map", str(chinese), "--policy-map", "chongqing", "--as-of", AS_OF)
    assert swapped.returncode == 0, swapped.stderr
    assert {name: households for name, (households, _) in _districts(swapped.stdout).items()} == {
        "Bishan": written["Bishan"],
        "大足区": dazu,
        "渝北区": yubei,
    }
