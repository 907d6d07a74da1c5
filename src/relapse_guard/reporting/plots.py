"""The report's charts as SVG text, drawn with matplotlib (the ``plot`` extra).

matplotlib is imported only when a chart is drawn, and never through ``pyplot``: each figure
is a plain :class:`matplotlib.figure.Figure` on its own Agg canvas, so no display is needed
and no global backend is changed. Without matplotlib, :func:`draw_charts` returns None and
the report keeps its tables.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..interface import is_english, tr
from ..labels import label
from .collect import ReportData
from .sections import DAYS_PER_MONTH, FLOW_CHART, SURVIVAL_CHART, flow_order
from .survival import SurvivalCurve

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["PLOT_HINT", "draw_charts", "flow_svg", "have_matplotlib", "plot_hint", "survival_svg"]


def plot_hint(lang: str = "en") -> str:
    """The line a report shows when matplotlib is not installed, in ``lang``."""
    return tr(lang, "Charts need matplotlib: pip install 'relapse-guard[plot]'")


#: The line a report shows when matplotlib is not installed (in English: :func:`plot_hint` says it in a language).
PLOT_HINT = plot_hint()

_STATE_COLOURS = {
    "identified": "#c98a1b",
    "assisted": "#3b78b0",
    "exited": "#4c9a5b",
    "monitored": "#6a8f3a",
    "relapsed": "#c0392b",
    "stable": "#2e7d6b",
}
_STYLE: Any = {  # rcParams (typed loosely: matplotlib types the keys as literals)
    "svg.hashsalt": "relapse_guard",  # stable ids: the same data gives the same file
    "svg.fonttype": "none",  # text stays text, in the page's font
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def have_matplotlib() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


# Fonts with Chinese glyphs, tried after matplotlib's own when a chart speaks Chinese: matplotlib
# measures the text with them where installed. The page's own fonts draw the text (it stays text).
_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")


def _style(lang: str) -> Any:  # rcParams, typed loosely as _STYLE is
    if is_english(lang):
        return dict(_STYLE)
    import matplotlib

    return {**_STYLE, "font.sans-serif": [*matplotlib.rcParams["font.sans-serif"], *_CJK_FONTS]}


def _svg(draw: Callable[[Figure], None], size: tuple[float, float], lang: str = "en") -> str:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style(lang)), warnings.catch_warnings():
        # without a Chinese font matplotlib measures Chinese text roughly, and says so; the page draws it
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        figure = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # no XML declaration or DOCTYPE: ready to inline


def survival_svg(curve: SurvivalCurve, lang: str = "en") -> str | None:
    """The time-to-relapse curve as an SVG element (None when there is no exit), its words in ``lang``."""
    if not curve.steps:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        times = [0.0] + [step.time / DAYS_PER_MONTH for step in curve.steps]
        shares = [1.0] + [step.survival for step in curve.steps]
        axes.step(times, shares, where="post", color="#3b78b0", linewidth=2, label=tr(lang, "still out of poverty"))
        censored = [(step.time / DAYS_PER_MONTH, step.survival) for step in curve.steps if step.censored]
        if censored:
            axes.plot(
                [t for t, _ in censored],
                [s for _, s in censored],
                linestyle="none",
                marker="|",
                markersize=7,
                color="#555555",
                label=tr(lang, "followed to the as-of date (censored)"),
            )
        lowest = min(shares)
        axes.set_ylim(min(0.5, max(0.0, math.floor(lowest * 10) / 10 - 0.1)), 1.02)
        axes.set_xlim(0, max(times[-1], 1.0))
        axes.yaxis.set_major_formatter(lambda value, _position: f"{value:.0%}")
        axes.set_xlabel(tr(lang, "months since exit"))
        axes.set_ylabel(tr(lang, "share still out of poverty"))
        axes.grid(True, color="#dddddd", linewidth=0.6)
        axes.legend(loc="lower left", frameon=False)

    return _svg(draw, (7.0, 3.6), lang)


def flow_svg(flows: Mapping[tuple[str, str], int], lang: str = "en") -> str | None:
    """The transitions ``{(from state, to state): count}`` as a horizontal bar chart (None when
    none), the states by their labels in ``lang``."""
    ordered = flow_order(flows)
    if not ordered:
        return None

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        labels = [
            f"{label('state', source, lang)} \u2192 {label('state', target, lang)}" for (source, target), _ in ordered
        ]
        values = [n for _, n in ordered]
        colours = [_STATE_COLOURS.get(target, "#888888") for (_, target), _ in ordered]
        positions = list(range(len(ordered)))
        axes.barh(positions, values, color=colours)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlabel(tr(lang, "transitions"))
        axes.set_xlim(0, max(values) * 1.15)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                f"{value:,}",
                (value, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        axes.grid(True, axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)

    return _svg(draw, (7.0, 0.9 + 0.32 * len(ordered)), lang)


def draw_charts(data: ReportData, lang: str | None = None) -> dict[str, str] | None:
    """The report's charts by file name (those with data to draw), or None without matplotlib;
    their words in ``lang`` (default: the language ``data`` was gathered in)."""
    if not have_matplotlib():
        return None
    lang = data.lang if lang is None else lang
    charts = {SURVIVAL_CHART: survival_svg(data.survival(), lang), FLOW_CHART: flow_svg(data.flows, lang)}
    return {name: svg for name, svg in charts.items() if svg is not None}
