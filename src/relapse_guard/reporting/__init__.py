"""Reports over a screened population: Markdown and self-contained HTML, with charts.

A report gathers, one household result at a time (:class:`ReportData`, mergeable across
partitions), the households by state and place, the relapses and why, risks by kind, money
by intervention, place and month, the reviews due or overdue with who is responsible, a
time-to-relapse curve (:func:`kaplan_meier`) and the flows between states; then writes
``report.md`` and ``report.html`` (:func:`write_report`). Charts need matplotlib, the
``plot`` extra; without it the report has every table and says how to get the charts.

>>> import datetime as dt, tempfile
>>> from relapse_guard.population import generate_population
>>> with tempfile.TemporaryDirectory() as folder:
...     population = generate_population(folder + "/county", households=100, seed=1, processes=1)
...     data = collect_population(population, "yubei_2016", dt.date(2016, 12, 31))
...     files = write_report(data, folder + "/report", title="County", charts=False)
...     [path.name for path in files]
['report.md', 'report.html']
>>> data.households
100
"""

from .collect import DEFAULT_LIMIT, RelapseEntry, ReportData, ReviewEntry, RiskNote
from .example import EXAMPLE_POLICY, collect_example
from .html import render_html
from .ledger import HouseholdMoney, Money, household_money, month_index, month_label
from .markdown import render_markdown
from .plots import PLOT_HINT, draw_charts, have_matplotlib, plot_hint
from .sections import DAYS_PER_MONTH, Section, Table, report_sections
from .stream import Progress, ProgressCallback, collect_partition, collect_population, collect_records
from .survival import SurvivalCurve, SurvivalStep, kaplan_meier, kaplan_meier_counts
from .write import HTML_NAME, MARKDOWN_NAME, write_report

__all__ = [
    "DAYS_PER_MONTH",
    "DEFAULT_LIMIT",
    "EXAMPLE_POLICY",
    "HTML_NAME",
    "MARKDOWN_NAME",
    "PLOT_HINT",
    "HouseholdMoney",
    "Money",
    "Progress",
    "ProgressCallback",
    "RelapseEntry",
    "ReportData",
    "ReviewEntry",
    "RiskNote",
    "Section",
    "SurvivalCurve",
    "SurvivalStep",
    "Table",
    "collect_example",
    "collect_partition",
    "collect_population",
    "collect_records",
    "draw_charts",
    "have_matplotlib",
    "household_money",
    "kaplan_meier",
    "kaplan_meier_counts",
    "month_index",
    "month_label",
    "plot_hint",
    "render_html",
    "render_markdown",
    "report_sections",
    "write_report",
]
