"""``relapse-guard report``, run as a user would: a subprocess, its files and its exit code."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from relapse_guard.cli import main
from relapse_guard.population import generate_population, read_population
from relapse_guard.reporting import PLOT_HINT
from relapse_guard.store import SQLiteStore

from ..places import respelled, spelt
from .helpers import cli, with_a_bad_date

AS_OF = "2018-12-31"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # three years from 2016, so that exited households have time to relapse; two partitions
    directory = tmp_path_factory.mktemp("report") / "county"
    generate_population(directory, households=200, months=36, seed=3, partitions=2, processes=1)
    return directory


@pytest.fixture(scope="module")
def report(county: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("report") / "out"
    return cli("report", str(county), "--policy", "dazu_2016", "--as-of", AS_OF, "--out", str(out)), out


def test_report_writes_markdown_and_html(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, out = report
    assert done.returncode == 0, done.stderr
    # no progress bar when stderr is not a terminal, no problem; the hint when charts cannot be drawn,
    # and the columnar screen's count of households each way when numpy is installed
    said = [line for line in done.stderr.splitlines() if not line.startswith("columnar screen: ")]
    assert said in ([], [f"relapse-guard: {PLOT_HINT}"])
    assert (out / "report.md").is_file()
    assert (out / "report.html").is_file()
    assert str(out / "report.md") in done.stdout.splitlines()
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Relapse report: county\n")
    assert "Policy dazu\\_2016@2016.1, as of 2018-12-31." in text
    assert "| households | 200 |" in text
    for title in ("Households by state and place", "Relapses and why", "Risks by kind", "Money"):
        assert f"\n## {title}\n" in text
    for title in ("Reviews due or overdue", "Time to relapse", "State flows", "Problems"):
        assert f"\n## {title}\n" in text
    assert "| monitored | relapsed |" in text  # a state flow
    assert "Dazu joint meeting of departments" in text  # who is responsible for an overdue review
    assert "relapse.relapse\\_rule" in text  # the rule behind each relapse
    assert "Every row was read and every household screened." in text
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<h2>Relapses and why</h2>" in page
    assert not re.search(r"<link|<img|<script|\bsrc=|@import", page)


def test_charts_are_files_and_inline_svg(report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    pytest.importorskip("matplotlib")
    _, out = report
    assert (out / "time_to_relapse.svg").read_text(encoding="utf-8").startswith("<svg")
    assert (out / "state_flow.svg").is_file()
    assert (out / "report.html").read_text(encoding="utf-8").count("<svg") == 2
    assert "![Share still out of poverty after exit](time_to_relapse.svg)" in (out / "report.md").read_text(
        encoding="utf-8"
    )


def test_workers_give_the_same_report(county: Path, report: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, serial = report
    out = serial.parent / "two"
    done = cli("report", str(county), "--policy", "dazu_2016", "--as-of", AS_OF, "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    for name in ("report.md", "report.html"):
        assert (out / name).read_bytes() == (serial / name).read_bytes()


def test_report_engines_write_the_same_report(county: Path, tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    said = {}
    for engine in ("scalar", "columnar"):
        out = tmp_path / engine
        done = cli(
            "report", str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out), "--engine", engine
        )
        assert done.returncode == 0, done.stderr
        said[engine] = done.stderr
    for name in ("report.md", "report.html"):
        assert (tmp_path / "scalar" / name).read_bytes() == (tmp_path / "columnar" / name).read_bytes()
    assert "decided in columns" in said["columnar"]
    assert "decided in columns" not in said["scalar"]


def test_bad_rows_are_listed_reported_and_exit_1(county: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    facts = with_a_bad_date(county, broken)
    out = tmp_path / "out"
    done = cli("report", str(broken), "--policy", "yubei_2016", "--as-of", "2016-12-31", "--out", str(out))
    assert done.returncode == 1
    assert f"{facts.name}:3: date:" in done.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "1 row could not be read" in text
    assert "2016-13-45" in text


def test_usage_and_input_errors_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    missing = cli("report", str(tmp_path / "nowhere"), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", out)
    assert missing.returncode == 2
    assert "relapse-guard: error:" in missing.stderr
    assert not (tmp_path / "out").exists()
    unknown = main(["report", str(tmp_path), "--policy", "atlantis_2016", "--as-of", AS_OF, "--out", out])
    assert unknown == 2
    with pytest.raises(SystemExit) as usage:
        main(["report", str(tmp_path), "--policy", "yubei_2016", "--as-of", "2016-02-30", "--out", out])
    assert usage.value.code == 2


def test_report_has_help() -> None:
    done = cli("report", "--help")
    assert done.returncode == 0
    assert "usage: relapse-guard report" in done.stdout
    for option in ("--policy", "--as-of", "--out", "--workers", "--limit"):
        assert option in done.stdout


def test_without_matplotlib_the_command_says_how_to_get_charts(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    out = tmp_path / "out"
    assert main(["report", str(county), "--policy", "yubei_2016", "--as-of", AS_OF, "--out", str(out)]) == 0
    assert "pip install 'relapse-guard[plot]'" in capsys.readouterr().err
    assert sorted(path.name for path in out.iterdir()) == ["report.html", "report.md"]
    assert "relapse-guard\\[plot\\]" in (out / "report.md").read_text(encoding="utf-8")


# --- districts the data writes two ways ---------------------------------------------------


@pytest.fixture(scope="module")
def respelt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county whose data writes some Dazu households 大足区 and some Yubei ones yubei."""
    return respelled(tmp_path_factory.mktemp("respelt") / "county", households=200, months=36, partitions=2)


def _first_cells(text: str) -> Counter[str]:
    """How many rows of the Markdown tables begin with each district name (their first cell)."""
    return Counter(line.split(" | ")[0].removeprefix("| ") for line in text.splitlines() if line.startswith("| "))


def test_under_a_policy_map_a_district_the_data_writes_two_ways_is_one(respelt: Path, tmp_path: Path) -> None:
    given = spelt(respelt)
    written = Counter(given.values())
    assert min(written["大足区"], written["Dazu"], written["yubei"]) > 0
    dazu, yubei = written["Dazu"] + written["大足区"], written["Yubei"] + written["yubei"]
    out = tmp_path / "map"
    common = ("--as-of", AS_OF, "--limit", "1000")
    done = cli("report", str(respelt), "--policy-map", "chongqing", *common, "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "Each district is counted under the name the policy map gives it" in text
    # by district, by town, by policy and money: one Dazu, one Yubei
    assert f"| Dazu | {dazu} | " in text
    assert f"| Dazu | {dazu} | dazu\\_2016@2016.1 ({dazu}) | dazu\\_2016@2016.1 | " in text
    assert f"| Yubei | {yubei} | yubei\\_2016@2016.1 ({yubei}) | yubei\\_2016@2016.1 | " in text
    assert text.count("| **Dazu** | **subtotal** |") == 1
    cells = _first_cells(text)
    assert cells["大足区"] == cells["yubei"] == 0
    # the lists name each household's place as its data writes it
    listed = re.findall(r"^\| (DZ\d+) \| (\S+) / ", text, flags=re.MULTILINE)
    assert listed
    assert all(district == given[household] for household, district in listed)
    assert {district for _household, district in listed} == {"Dazu", "大足区"}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<td>Dazu</td>" in page
    assert "<td>大足区</td>" not in page
    assert "<td>大足区 / " in page
    # the report of a store holding the same households and facts is the same report
    path = tmp_path / "county.db"
    with SQLiteStore(path) as store:
        for household, facts, _bad in read_population(respelt).iter_records():
            assert household is not None
            store.put_household(household)
            store.append(household.id, facts)
    stored = tmp_path / "store"
    done = cli("report", "--store", str(path), "--policy-map", "chongqing", *common, "--out", str(stored))
    assert done.returncode == 0, done.stderr
    again = (stored / "report.md").read_text(encoding="utf-8")
    assert again.splitlines()[1:] == text.splitlines()[1:]  # but for the title's name


def test_under_one_policy_a_report_keeps_the_data_s_names(respelt: Path, tmp_path: Path) -> None:
    written = Counter(spelt(respelt).values())
    out = tmp_path / "policy"
    done = cli("report", str(respelt), "--policy", "dazu_2016", "--as-of", AS_OF, "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "Each district is counted under" not in text
    for name in ("Dazu", "大足区", "Yubei", "yubei"):
        assert f"| {name} | {written[name]} | dazu\\_2016@2016.1 ({written[name]}) | " in text
