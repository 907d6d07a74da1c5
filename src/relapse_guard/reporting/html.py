"""The report as one self-contained HTML file: inline CSS, charts inlined as SVG, no script.

Nothing is fetched: no stylesheet, font, script or image from elsewhere, and a content
security policy forbids it. Every value is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from ..i18n import normalise_language
from .collect import ReportData
from .plots import plot_hint
from .sections import Section, Table, headline, policy_line, report_sections

__all__ = ["render_html"]

_CSS = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --band: #f4f6f9; --accent: #3b78b0; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
    "Microsoft YaHei", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
.hint { margin: 12px 0 0; padding: 8px 12px; background: #fff7e0; border-left: 4px solid #e0a800; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 20px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--band); }
.figure .value { font-size: 18px; font-weight: 600; white-space: nowrap; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
nav { margin: 8px 0 4px; font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
section { margin-top: 30px; }
h2 { font-size: 19px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 14px; margin: 18px 0 6px; color: var(--muted); }
p { margin: 6px 0; max-width: 90ch; }
.blocks { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 4px 36px; }
.block { max-width: 100%; overflow-x: auto; }
.block.full { flex: 1 1 100%; }
.block.full table { width: 100%; }
.block.full th { white-space: normal; }
table { border-collapse: collapse; margin: 4px 0 8px; font-size: 13px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date { white-space: nowrap; }
td.wide { min-width: 180px; font-size: 12px; }
tr.total td { font-weight: 600; border-top: 2px solid var(--line); }
tr.subtotal td { font-weight: 600; }
figure { margin: 10px 0 14px; flex: 0 1 580px; min-width: 320px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_WIDE_COLUMNS = frozenset({"why", "risks since the exit", "message", "refused because"})


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cell(text: str) -> str:
    return "<br>".join(_e(line) for line in text.splitlines()) if "\n" in text else _e(text)


def _wide(table: Table, index: int) -> bool:
    return index in table.wide or table.columns[index] in _WIDE_COLUMNS


def _table(table: Table) -> list[str]:
    full = len(table.columns) > 7 or any(_wide(table, index) for index in range(len(table.columns)))
    out = ['<div class="block full">' if full else '<div class="block">']
    if table.caption:
        out.append(f"<h3>{_e(table.caption)}</h3>")
    out.append("<table>")
    head = "".join(
        f'<th class="num">{_e(name)}</th>' if index in table.numeric else f"<th>{_e(name)}</th>"
        for index, name in enumerate(table.columns)
    )
    out.append(f"<thead><tr>{head}</tr></thead><tbody>")
    rows = [(row, ' class="subtotal"' if index in table.subtotals else "") for index, row in enumerate(table.rows)]
    if table.total is not None:
        rows.append((table.total, ' class="total"'))
    for row, row_class in rows:
        cells = []
        for index, value in enumerate(row):
            if index in table.numeric:
                cells.append(f'<td class="num">{_cell(value)}</td>')
            elif index in table.dates:
                cells.append(f'<td class="date">{_cell(value)}</td>')
            elif _wide(table, index):
                cells.append(f'<td class="wide">{_cell(value)}</td>')
            else:
                cells.append(f"<td>{_cell(value)}</td>")
        out.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    out.append("</tbody></table></div>")
    return out


def _section(section: Section, charts: Mapping[str, str] | None) -> list[str]:
    out = [f'<section id="{_e(section.key)}">', f"<h2>{_e(section.title)}</h2>"]
    out.extend(f"<p>{_e(paragraph)}</p>" for paragraph in section.text)
    out.append('<div class="blocks">')
    if section.chart is not None and charts is not None and section.chart in charts:
        # the SVG is drawn by matplotlib from the report's own figures; it escapes its text
        out.append(f"<figure>{charts[section.chart]}<figcaption>{_e(section.chart_title)}</figcaption></figure>")
    tables = list(section.tables)
    for size in section.layout:
        column, tables = tables[:size], tables[size:]
        out.append('<div class="block">')
        for table in column:
            out.extend(_table(table))
        out.append("</div>")
    for table in tables:
        out.extend(_table(table))
    out += ["</div>", "</section>"]
    return out


def render_html(
    data: ReportData, *, title: str, charts: Mapping[str, str] | None = None, lang: str | None = None
) -> str:
    """The report as one HTML document. ``charts`` maps chart names to SVG elements to inline
    (None: matplotlib is missing, and the report says so in one line). ``lang`` is the language
    of its words (default: the one ``data`` was gathered in), also declared by ``<html lang>``."""
    lang = normalise_language(data.lang if lang is None else lang)
    sections = report_sections(data, lang)
    figures = "".join(
        f'<div class="figure"><div class="value">{_e(value)}</div><div class="label">{_e(label)}</div></div>'
        for label, value in headline(data, lang)
    )
    nav = "".join(f'<a href="#{_e(section.key)}">{_e(section.title)}</a>' for section in sections)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body><main>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(policy_line(data, lang))}</p>",
    ]
    if charts is None:
        out.append(f'<p class="hint">{_e(plot_hint(lang))}</p>')
    out += ["</header>", f'<div class="figures">{figures}</div>', f"<nav>{nav}</nav>"]
    for section in sections:
        out.extend(_section(section, charts))
    out += ["</main></body>", "</html>"]
    return "\n".join(out) + "\n"
