"""Writing a report to a directory: ``report.md``, ``report.html`` and the charts as SVG files."""

from __future__ import annotations

from pathlib import Path

from .collect import ReportData
from .html import render_html
from .markdown import render_markdown
from .plots import draw_charts

__all__ = ["HTML_NAME", "MARKDOWN_NAME", "write_report"]

MARKDOWN_NAME = "report.md"
HTML_NAME = "report.html"


def write_report(
    data: ReportData, directory: str | Path, *, title: str, charts: bool = True, lang: str | None = None
) -> tuple[Path, ...]:
    """Write the report of ``data`` into ``directory`` (made if missing); return the files written.

    ``lang`` is the language of the report's words, charts included (default: the one ``data``
    was gathered in: :attr:`ReportData.lang <relapse_guard.reporting.ReportData>`).

    With matplotlib installed (the ``plot`` extra) and ``charts``, the charts are written as
    SVG files beside the report, linked from the Markdown and inlined in the HTML, which
    stays one self-contained file. Without matplotlib both files say how to get them.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    lang = data.lang if lang is None else lang
    drawn = draw_charts(data, lang) if charts else {}
    written = []
    for name, svg in sorted((drawn or {}).items()):
        path = folder / name
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    for name, text in (
        (MARKDOWN_NAME, render_markdown(data, title=title, charts=drawn, lang=lang)),
        (HTML_NAME, render_html(data, title=title, charts=drawn, lang=lang)),
    ):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return tuple(written)
