"""The Markdown and HTML reports: every section, escaped values, one self-contained HTML file,
and charts when matplotlib is there (a line saying how to get them when it is not)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Engine, Household, Member, Place, load_policy
from relapse_guard.population import synthetic_households
from relapse_guard.reporting import (
    PLOT_HINT,
    ReportData,
    draw_charts,
    have_matplotlib,
    render_html,
    render_markdown,
    write_report,
)
from relapse_guard.reporting.sections import Table, report_sections

from ..conftest import basic_policy
from ..factories import assist, exit_verified, income

D = dt.date
AS_OF = D(2018, 12, 31)
NASTY = "<script>alert(1)</script>|x_y"
SECTIONS = (
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


@pytest.fixture(scope="module")
def data() -> ReportData:
    """A synthetic county under Dazu's policy, plus a relapsing household with hostile names."""
    policy = load_policy("dazu_2016")
    engine = Engine(policy)
    report = ReportData(as_of=AS_OF, policy=policy.label, limit=10)
    for household, facts in synthetic_households(200, seed=3, months=36):
        outcome = engine.run(household, facts, as_of=AS_OF)
        report.add(outcome, household.place, policy.reviews_due(outcome, AS_OF))
    nasty = Household(
        id=NASTY,
        place=Place("Yu<bei>", "A&B|C"),
        members=[Member(id="m1", birth_date=D(1970, 1, 1))],
    )
    facts = [
        income(D(2017, 3, 1), 2000, hid=NASTY),
        assist(D(2017, 3, 5), hid=NASTY),
        income(D(2017, 6, 1), 4000, hid=NASTY),
        exit_verified(D(2017, 6, 1), hid=NASTY),
        income(D(2018, 12, 30), 3000, hid=NASTY, fid="<b>fact</b>"),
    ]
    report.add(Engine(basic_policy()).run(nasty, facts, as_of=AS_OF), nasty.place)
    report.refuse("<i>refused</i>", "exit <verified> before assistance")
    return report


def test_markdown_has_every_section_as_tables_and_escapes_values(data: ReportData) -> None:
    text = render_markdown(data, title="County <1>", charts=None)
    assert text.startswith("# County &lt;1&gt;\n")
    for title in SECTIONS:
        assert f"\n## {title}\n" in text
    assert f"*{PLOT_HINT.replace('[', chr(92) + '[').replace(']', chr(92) + ']')}*" in text
    assert "| households | 201 |" in text
    assert "<script>" not in text
    assert "<i>" not in text
    assert "<b>" not in text
    assert r"&lt;script&gt;alert(1)&lt;/script&gt;\|x\_y" in text
    assert "Yu&lt;bei&gt; / A&amp;B\\|C" in text
    assert "income per capita 3000 &lt; poverty line 3600" in text
    assert "](time_to_relapse.svg)" not in text  # no chart without matplotlib
    # every table row has as many cells as its header
    for block in re.split(r"\n\n", text):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
            assert len(widths) == 1, block


def test_html_is_one_self_contained_file_with_every_value_escaped(data: ReportData) -> None:
    page = render_html(data, title="County <1>", charts=None)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>County &lt;1&gt;</title>" in page
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in page
    assert PLOT_HINT.replace("'", "&#x27;") in page
    assert "<script" not in page
    assert "<i>refused" not in page
    assert "<b>fact" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|x_y" in page
    assert "Yu&lt;bei&gt; / A&amp;B|C" in page
    assert "Content-Security-Policy" in page
    assert not re.search(r"<link|<img|\bsrc=|url\(|@import", page)


def test_money_semantics_are_stated(data: ReportData) -> None:
    text = render_markdown(data, title="County", charts=None)
    assert "monthly in force (per month)" in text
    assert "**total**" in text
    # said for a bureau reader: no names of the library's code
    money = text.split("\n## Money\n", 1)[1].split("\n## ", 1)[0]
    assert not re.search(r"HouseholdResult|money\\?_granted|\(\)|screen command", money), money
    assert "it is never added to the other columns" in money
    for lang in ("en", "zh-CN"):
        (paragraph, *_) = next(section.text for section in report_sections(data, lang) if section.key == "money")
        assert "HouseholdResult" not in paragraph, paragraph
        assert "screen" not in paragraph, paragraph


def _money_tables(data: ReportData, lang: str = "en") -> tuple[Table, Table]:
    (section,) = [section for section in report_sections(data, lang) if section.key == "money"]
    by_intervention, by_place, _ = section.tables
    return by_intervention, by_place


def test_money_by_place_has_a_subtotal_per_district_and_a_total_equal_to_the_screen_s(data: ReportData) -> None:
    by_intervention, by_place = _money_tables(data)
    assert by_place.total is not None
    assert by_intervention.total is not None
    assert by_place.total == ("total", "", *by_intervention.total[1:])  # the same figures as by intervention
    screen = data.money_total()  # the figures a screen prints: total to date is its paid to date
    assert by_place.total[2:] == tuple(
        f"{amount:,.2f}"
        for amount in (screen.granted, screen.monthly_in_force, screen.monthly_to_date, screen.total_to_date)
    )
    districts = sorted({district or "-" for district, _ in data.money_by_place})
    subtotals = [by_place.rows[index] for index in sorted(by_place.subtotals)]
    assert [row[:2] for row in subtotals] == [(district, "subtotal") for district in districts]
    for index in sorted(by_place.subtotals):  # each sums its district's towns, the rows just above it
        district = by_place.rows[index][0]
        towns = [money for (name, _), money in data.money_by_place.items() if (name or "-") == district]
        summed = sum((money.total_to_date for money in towns), Decimal(0))
        assert by_place.rows[index][5] == f"{summed:,.2f}"
        assert all(row[0] == district for row in by_place.rows[index - len(towns) : index])
    assert len(by_place.rows) == len(data.money_by_place) + len(districts)
    # the same rows, in bold, in both layouts and both languages
    text = render_markdown(data, title="County", charts=None)
    assert "| **Dazu** | **subtotal** | " in text
    assert re.search(r"\| \*\*total\*\* \|  \| \*\*[\d,]+\.\d\d\*\* \|", text)
    page = render_html(data, title="County", charts=None)
    assert page.count('<tr class="subtotal">') == len(districts)
    assert page.count('<tr class="total">') == 2  # by intervention and by place
    chinese = render_markdown(data, title="County", charts=None, lang="zh-CN")
    assert "| **Dazu** | **小计** | " in chinese
    assert "| **合计** |  | " in chinese


def test_an_empty_report_still_renders() -> None:
    empty = ReportData(as_of=AS_OF, policy="p@1")
    text = render_markdown(empty, title="Nothing", charts={})
    assert "No household exited by the as-of date." in text
    assert "No household relapsed by the as-of date." in text
    assert "No money was granted." in text
    assert "<h2>Money</h2>" in render_html(empty, title="Nothing", charts={})


def test_charts_are_written_and_inlined(data: ReportData, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = write_report(data, tmp_path, title="County")
    assert sorted(path.name for path in written) == [
        "report.html",
        "report.md",
        "state_flow.svg",
        "time_to_relapse.svg",
    ]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2
    assert "<?xml" not in page
    assert "<!DOCTYPE svg" not in page
    assert PLOT_HINT.replace("'", "&#x27;") not in page
    # the only links in the page are to its own sections and to the SVGs' own elements
    assert all(target.startswith("#") for target in re.findall(r'href="([^"]*)"', page))
    assert not re.search(r"<link|<img|<script|\bsrc=|url\(http|@import", page)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "](time_to_relapse.svg)" in text
    assert "](state_flow.svg)" in text
    svg = (tmp_path / "time_to_relapse.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "months since exit" in svg
    assert "monitored \u2192 relapsed" in (tmp_path / "state_flow.svg").read_text(encoding="utf-8")
    # the same figures draw the same files
    assert draw_charts(data) == {
        path.name: path.read_text(encoding="utf-8") for path in written if path.suffix == ".svg"
    }


def test_without_matplotlib_the_report_has_every_table_and_says_how_to_get_charts(
    data: ReportData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    assert not have_matplotlib()
    assert draw_charts(data) is None
    written = write_report(data, tmp_path, title="County")
    assert [path.name for path in written] == ["report.md", "report.html"]
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "pip install &#x27;relapse-guard\\[plot\\]&#x27;" not in text  # markdown keeps quotes as they are
    assert "pip install 'relapse-guard\\[plot\\]'" in text
    assert "pip install &#x27;relapse-guard[plot]&#x27;" in page
    assert "<svg" not in page
    for title in SECTIONS:
        assert f"## {title}" in text
        assert f"<h2>{title}</h2>" in page
