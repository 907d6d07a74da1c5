"""The report as Markdown: the same sections and tables as the HTML, with links to the charts.

Every value is escaped for Markdown (and for the HTML a Markdown renderer passes through),
so a household id or a message cannot break a table or inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from ..interface import tr
from .collect import ReportData
from .plots import plot_hint
from .sections import Section, Table, headline, policy_line, report_sections

__all__ = ["escape_markdown", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def escape_markdown(text: str) -> str:
    """``text`` safe in a Markdown paragraph or table cell; line breaks become ``<br>``.

    >>> escape_markdown("a|b_c <x>")
    'a\\\\|b\\\\_c &lt;x&gt;'
    """
    escaped = _SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return "<br>".join(line.strip() for line in escaped.splitlines()) if "\n" in escaped else escaped


def _row(cells: tuple[str, ...], *, bold: bool = False) -> str:
    """A table row; a total's or a subtotal's in bold (an empty cell stays empty)."""
    said = (escape_markdown(cell) for cell in cells)
    return "| " + " | ".join(f"**{cell}**" if bold and cell else cell for cell in said) + " |"


def _table(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines += [f"**{escape_markdown(table.caption)}**", ""]
    lines.append("| " + " | ".join(escape_markdown(column) for column in table.columns) + " |")
    lines.append(
        "|" + "|".join("---:" if index in table.numeric else "---" for index in range(len(table.columns))) + "|"
    )
    for index, row in enumerate(table.rows):
        lines.append(_row(row, bold=index in table.subtotals))
    if table.total is not None:
        lines.append(_row(table.total, bold=True))
    lines.append("")
    return lines


def _section(section: Section, charts: Mapping[str, str] | None) -> list[str]:
    lines = [f"## {escape_markdown(section.title)}", ""]
    for paragraph in section.text:
        lines += [escape_markdown(paragraph), ""]
    if section.chart is not None and charts is not None and section.chart in charts:
        lines += [f"![{escape_markdown(section.chart_title)}]({section.chart})", ""]
    for table in section.tables:
        lines += _table(table)
    return lines


def render_markdown(
    data: ReportData, *, title: str, charts: Mapping[str, str] | None = None, lang: str | None = None
) -> str:
    """The report as Markdown. ``charts`` maps the chart files written beside the report to
    their SVG (None: matplotlib is missing, and the report says so in one line). ``lang`` is
    the language of its words (default: the one ``data`` was gathered in)."""
    lang = data.lang if lang is None else lang
    lines = [
        f"# {escape_markdown(title)}",
        "",
        escape_markdown(policy_line(data, lang)),
        "",
    ]
    if charts is None:
        lines += [f"*{escape_markdown(plot_hint(lang))}*", ""]
    lines += [f"| {escape_markdown(tr(lang, 'figure'))} | {escape_markdown(tr(lang, 'value'))} |", "|---|---:|"]
    lines += [f"| {escape_markdown(label)} | {escape_markdown(value)} |" for label, value in headline(data, lang)]
    lines.append("")
    for section in report_sections(data, lang):
        lines += _section(section, charts)
    return "\n".join(lines).rstrip("\n") + "\n"
