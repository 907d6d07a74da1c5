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


def write_report(data: ReportData, directory: str | Path, *, title: str, charts: bool = True) -> tuple[Path, ...]:
    """Write the report of ``data`` into ``directory`` (made if missing); return the files written.

    With matplotlib installed (the ``plot`` extra) and ``charts``, the charts are written as
    SVG files beside the report, linked from the Markdown and inlined in the HTML, which
    stays one self-contained file. Without matplotlib both files say how to get them.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    drawn = draw_charts(data) if charts else {}
    written = []
    for name, svg in sorted((drawn or {}).items()):
        path = folder / name
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    for name, text in (
        (MARKDOWN_NAME, render_markdown(data, title=title, charts=drawn)),
        (HTML_NAME, render_html(data, title=title, charts=drawn)),
    ):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return tuple(written)
