"""The interface in Simplified Chinese: the report of the built-in example, the demo's frame, the
command lines' summary lines, and ``--lang`` / ``RELAPSE_GUARD_LANG`` choosing it."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from relapse_guard.cli_check import summary
from relapse_guard.cli_policy import load_policy_spec
from relapse_guard.demo import render_demo
from relapse_guard.population import generate_population
from relapse_guard.reporting import ReportData, collect_example, render_html, render_markdown, write_report
from relapse_guard.screening.summary import Problem, problem_summary
from relapse_guard.testing.tables import summary_line

#: The English section titles of a report: none may remain in the Chinese one.
ENGLISH_SECTIONS = (
    "Households by state and place",
    "Policies by district",
    "State flows",
    "Time to relapse",
    "Relapses and why",
    "Risks by kind",
    "Money",
    "Reviews due or overdue",
    "Problems",
)
CHINESE_SECTIONS = (
    "按状态和地点统计的农户",
    "各区县适用的政策",
    "状态流转",
    "返贫时间",
    "返贫及原因",
    "按类型统计的风险",
    "资金",
    "到期或逾期的复核",
    "问题",
)
#: English words of headings, columns and captions that must not be left in the Chinese report.
ENGLISH_WORDS = re.compile(
    r"\b(households|district|town|share|relapses|intervention|total to date|one-off|monthly|"
    r"By district|By town|By intervention|By place|By month|months after exit|still out|followed|"
    r"rule|why|household|place|from|to|transitions|figure|value|Policy)\b"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def example() -> ReportData:
    return collect_example(lang="zh-CN")


def _headings_html(page: str) -> list[str]:
    return re.findall(r"<(?:h1|h2|h3|th|figcaption)[^>]*>([^<]*)<", page) + re.findall(
        r'<div class="label">([^<]*)<', page
    )


def test_the_example_report_in_chinese_has_chinese_headings_and_no_english_one(example: ReportData) -> None:
    page = render_html(example, title="防返贫监测报告：示例", charts=None)
    assert '<html lang="zh-CN">' in page
    for title in CHINESE_SECTIONS:
        assert f"<h2>{title}</h2>" in page
    for title in ENGLISH_SECTIONS:
        assert f">{title}<" not in page
    headings = _headings_html(page)
    assert len(headings) > 60
    for text in headings:
        assert not ENGLISH_WORDS.search(text), text
    # the names of things: states, interventions, risk kinds; money in yuan
    for term in ("帮扶中", "稳定脱贫", "返贫", "低保", "医疗救助", "临时救助", "危房改造", "因病", "累计已发（元）"):
        assert term in page, term
    assert "图表需要 matplotlib" in page


def test_the_example_report_in_chinese_as_markdown(example: ReportData) -> None:
    text = render_markdown(example, title="示例", charts=None)
    for title in CHINESE_SECTIONS:
        assert f"\n## {title}\n" in text
    for title in ENGLISH_SECTIONS:
        assert f"## {title}\n" not in text
    assert "| 指标 | 数值 |" in text
    assert "| 户数 | 4 |" in text
    header_rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert header_rows
    for line in re.findall(r"^\*\*(.*)\*\*$", text, flags=re.MULTILINE):  # captions
        assert _CJK.search(line), line
    assert "政策 yubei\\_2016@2016.1，统计日期 2019-06-30。" in text


def test_the_same_data_renders_in_english_too(example: ReportData) -> None:
    page = render_html(example, title="Example", charts=None, lang="en")
    assert '<html lang="en">' in page
    for title in ENGLISH_SECTIONS:
        assert f"<h2>{title}</h2>" in page
    # the decisions quoted were rendered when the data was gathered, in its language
    assert not _CJK.search(render_html(collect_example(lang="en"), title="Example", charts=None, lang="en"))


def test_the_chinese_report_quotes_decisions_in_chinese(example: ReportData) -> None:
    english = render_html(collect_example(lang="en"), title="Example", charts=None, lang="en")
    chinese = render_html(example, title="示例", charts=None, lang="zh-CN")
    assert "income per capita" in english
    assert "income per capita" not in chinese  # the decisions a report quotes, said in Chinese


def test_charts_speak_chinese(example: ReportData, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = write_report(example, tmp_path, title="示例")
    assert {path.name for path in written} >= {"report.html", "time_to_relapse.svg", "state_flow.svg"}
    assert "脱贫后月数" in (tmp_path / "time_to_relapse.svg").read_text(encoding="utf-8")
    assert "过渡期监测 \u2192 返贫" in (tmp_path / "state_flow.svg").read_text(encoding="utf-8")


def test_the_demo_frame_in_chinese() -> None:
    text = render_demo(lang="zh-CN")
    assert text.startswith("relapse_guard 示例：4 户，政策 yubei_2016，截至 2019-06-30\n")
    assert "## YB-001: 2015年脱贫，三年过渡期，2019年起稳定脱贫" in text
    assert "  按月发放（元/月）：低保 " in text
    assert text.endswith("各状态户数：帮扶中 3，稳定脱贫 1")
    english = render_demo()
    assert english.endswith("states: assisted 3, stable 1")


def test_summary_lines_in_chinese() -> None:
    assert summary_line(3, 1, "zh-CN") == "通过 3 个案例，失败 1 个"
    assert summary_line(1, 0, "zh-CN") == "通过 1 个案例"
    english = summary(load_policy_spec("yubei_2016"), (), "en")
    checks = english.rsplit("(", 1)[1].split()[0]  # "... no findings (11 checks run)"
    assert (
        summary(load_policy_spec("yubei_2016"), (), "zh-CN")
        == f"yubei_2016@2016.1：未发现问题（已运行 {checks} 项检查）"
    )
    problem = Problem(household_id="h", kind="refused", error="InvalidTransition", message="m")
    assert (
        problem_summary(2, [problem], lang="zh-CN") == "2 行错误数据；1 户问题农户：1 事实被拒绝（InvalidTransition）"
    )


def _cli(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("RELAPSE_GUARD_LANG", None)
    env["LC_ALL"] = env["LANG"] = "C.UTF-8"
    if lang_env is not None:
        env["RELAPSE_GUARD_LANG"] = lang_env
    return subprocess.run(
        [sys.executable, "-m", "relapse_guard", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("zh") / "county"
    generate_population(directory, households=60, months=36, seed=3, processes=1)
    return directory


def test_report_lang_zh_cn_writes_the_chinese_report(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(
        "report", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31", "--out", str(out), "--lang", "zh-CN"
    )
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "<h1>防返贫监测报告：county</h1>" in page
    assert "## 返贫及原因" in (out / "report.md").read_text(encoding="utf-8")


def test_the_language_comes_from_the_environment(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(
        "report",
        str(county),
        "--policy",
        "dazu_2016",
        "--as-of",
        "2018-12-31",
        "--out",
        str(out),
        lang_env="zh_CN.UTF-8",
    )
    assert done.returncode == 0, done.stderr
    assert '<html lang="zh-CN">' in (out / "report.html").read_text(encoding="utf-8")
    english = _cli(
        "report", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31", "--out", str(tmp_path / "en")
    )
    assert '<html lang="en">' in (tmp_path / "en" / "report.html").read_text(encoding="utf-8"), english.stderr


def test_a_language_not_spoken_is_a_usage_error(county: Path, tmp_path: Path) -> None:
    done = _cli("screen", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31", "--lang", "fr")
    assert done.returncode == 2
    assert "language 'fr' is not spoken" in done.stderr


def test_a_bad_value_is_reported_in_chinese(county: Path) -> None:
    done = _cli("screen", str(county), "--policy", "dazu_2016", "--as-of", "2018/12/31", "--lang", "zh-CN")
    assert done.returncode == 2
    assert "'2018/12/31' 不是 ISO 日期（YYYY-MM-DD）" in done.stderr
    no_day = _cli("screen", str(county), "--policy", "dazu_2016", "--as-of", "2018-13-45", "--lang", "zh-CN")
    assert no_day.returncode == 2
    assert "'2018-13-45' 不是有效日期：月份须在 1 到 12 之间" in no_day.stderr  # not Python's "month must be in 1..12"


def test_cycle_and_whatif_summaries_in_chinese(county: Path, tmp_path: Path) -> None:
    cycle = _cli(
        "cycle", str(tmp_path / "store.sqlite"), "--population", str(county), "--policy", "dazu_2016",
        "--as-of", "2018-12-31", "--lang", "zh-CN",
    )  # fmt: skip
    assert cycle.returncode == 0, cycle.stderr
    assert cycle.stdout.startswith("监测周期 2018-12-31：存入 ")
    whatif = _cli(
        "whatif", str(county), "--policy", "dazu_2016", "--policy", "yubei_2016", "--as-of", "2018-12-31",
        "--lang", "zh-CN",
    )  # fmt: skip
    assert whatif.returncode == 0, whatif.stderr
    assert whatif.stdout.startswith("政策比较（截至 2018-12-31）：a = dazu_2016@2016.1，b = yubei_2016@2016.1\n")
    assert "预算差额（b - a），按帮扶措施：" in whatif.stdout
    assert "合计：" in whatif.stdout


def test_whatif_page_in_chinese(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    whatif = _cli(
        "whatif", str(county), "--policy", "dazu_2016", "--policy", "yubei_2016", "--as-of", "2018-12-31",
        "--out", str(out), "--lang", "zh-CN",
    )  # fmt: skip
    assert whatif.returncode == 0, whatif.stderr
    page = (out / "whatif.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "<h1>政策比较（截至 2018-12-31）：dazu_2016@2016.1 对比 yubei_2016@2016.1</h1>" in page
    for heading in ("合计", "各项帮扶措施的资金", "各区县预算差额", "结果不同的农户"):
        assert f"<h2>{heading}</h2>" in page
    for english in ("Totals", "Money per intervention", "Budget difference per district", "<th>intervention</th>"):
        assert english not in page
    assert "<td>低保</td>" in page  # the interventions by their names in Chinese
    # the CSV keeps its codes in every language
    assert (out / "whatif.csv").read_text(encoding="utf-8").startswith("household_id,")


def test_generate_says_what_it_wrote_in_chinese(tmp_path: Path) -> None:
    done = _cli("generate", str(tmp_path / "p"), "--households", "5", "--processes", "1", "--lang", "zh-CN")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已将 5 户和 ")


def test_dates_in_the_report_stay_iso(example: ReportData) -> None:
    assert example.as_of == dt.date(2019, 6, 30)
    assert "2019-06-30" in render_markdown(example, title="示例", charts=None)


def test_a_policy_map_is_said_once_in_the_chinese_report(example: ReportData) -> None:
    # The header read "政策 政策对照表 chongqing": the map's name begins with the word "policy" already.
    mapped = attrs.evolve(example, policy="policy map chongqing")
    text = render_markdown(mapped, title="示例", charts=None)
    page = render_html(mapped, title="示例", charts=None)
    assert "\n政策对照表 chongqing，统计日期 2019-06-30。\n" in text
    assert "<p>政策对照表 chongqing，统计日期 2019-06-30。</p>" in page
    assert "按政策对照表 chongqing 截至 2019-06-30 筛查了 4 户。" in page
    for rendered in (text, page):
        assert "政策 政策对照表" not in rendered
        assert "按政策 政策对照表" not in rendered
    # English as it was, and a single policy as it was
    english = attrs.evolve(collect_example(lang="en"), policy="policy map chongqing")
    assert "\nUnder policy map chongqing, as of 2019-06-30.\n" in render_markdown(english, title="E", charts=None)
    assert "4 households screened under policy map chongqing as of 2019-06-30." in render_html(
        english, title="E", charts=None
    )
    assert "政策 yubei\\_2016@2016.1，统计日期 2019-06-30。" in render_markdown(example, title="示例", charts=None)
