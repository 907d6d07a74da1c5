"""What a report says, as plain sections of text and tables, for the Markdown and HTML layouts.

Every figure is formatted here once (counts with thousands separators, money in yuan to the
fen, shares in per cent), so both layouts show the same thing. Cells are plain text; a cell
may hold several lines, separated by ``"\\n"``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..lifecycle import State
from ..text import plural
from .collect import RelapseEntry, ReportData, ReviewEntry
from .ledger import Money, month_label
from .survival import SurvivalCurve

__all__ = [
    "DAYS_PER_MONTH",
    "FLOW_CHART",
    "SURVIVAL_CHART",
    "Section",
    "Table",
    "flow_order",
    "headline",
    "report_sections",
    "survival_months",
]

#: The average length of a month in days: months since exit are days / this.
DAYS_PER_MONTH = 365.25 / 12
#: File names of the charts (written beside the report and inlined in the HTML).
SURVIVAL_CHART = "time_to_relapse.svg"
FLOW_CHART = "state_flow.svg"

_STATE_ORDER = {state.value: index for index, state in enumerate(State)}
_MONTH_GRID = (0, 1, 2, 3, 6, 9, 12, 18, 24, 30, 36, 48, 60, 72, 84, 96, 108, 120)


@attrs.frozen
class Table:
    """A table of text cells; ``numeric`` lists the columns (by index) aligned right, ``dates``
    those kept on one line; ``total`` is a last row summing the others, if any."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    caption: str = ""
    dates: frozenset[int] = frozenset()
    total: tuple[str, ...] | None = None


@attrs.frozen
class Section:
    """A titled part of the report: paragraphs, tables and, when drawn, a chart (by file name)."""

    key: str
    title: str
    text: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    chart: str | None = None
    chart_title: str = ""
    #: How many tables go one under the other in each column of a wide page (default: one each).
    layout: tuple[int, ...] = ()


def count(value: int) -> str:
    """``1,234``."""
    return f"{value:,}"


def yuan(value: Decimal) -> str:
    """``1,234.50``: yuan to the fen."""
    return f"{value:,.2f}"


def share(part: float, whole: float = 1.0) -> str:
    """``12.5%``; ``-`` when ``whole`` is zero."""
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _place(district: str, town: str) -> str:
    return f"{district} / {town}" if town else district or "-"


def _states(counts: Iterable[str]) -> list[str]:
    return sorted(counts, key=lambda name: (_STATE_ORDER.get(name, len(_STATE_ORDER)), name))


def headline(data: ReportData) -> tuple[tuple[str, str], ...]:
    """The figures at the top of the report, as (label, value)."""
    curve = data.survival()
    figures = [
        ("households", count(data.households)),
        ("exits followed", count(curve.observations)),
        ("relapses", count(data.relapses)),
        ("households relapsed", count(data.relapsed_households)),
    ]
    if curve.observations and curve.steps[-1].time >= 12 * DAYS_PER_MONTH:
        figures.append(("still out 12 months after exit", share(curve.at(12 * DAYS_PER_MONTH))))
    figures += [
        ("money to date (yuan)", yuan(data.money_total().total_to_date)),
        ("reviews overdue", count(data.reviews_overdue)),
    ]
    if data.bad_rows or data.problems:
        figures.append(("bad rows / problem households", f"{count(len(data.bad_rows))} / {count(len(data.problems))}"))
    return tuple(figures)


def report_sections(data: ReportData) -> tuple[Section, ...]:
    """The report's sections, in order: where households are, which policy screened each
    district, how they moved, how long exits last, who relapsed and why, risks, money, reviews,
    and what could not be read."""
    return (
        _states_section(data),
        _policies_section(data),
        _flows_section(data),
        _survival_section(data),
        _relapses_section(data),
        _risks_section(data),
        _money_section(data),
        _reviews_section(data),
        _problems_section(data),
    )


# --- 1. states and places -------------------------------------------------------------


def _states_section(data: ReportData) -> Section:
    states = _states(data.by_state)
    overall = Table(
        ("state", "households", "share"),
        tuple((name, count(data.by_state[name]), share(data.by_state[name], data.households)) for name in states),
        numeric=frozenset({1, 2}),
    )
    districts: dict[str, Counter[str]] = {}
    for (district, _town), counts in data.by_place.items():
        districts.setdefault(district, Counter()).update(counts)
    by_district = Table(
        ("district", "households", *states),
        tuple(
            (district or "-", count(counts.total()), *(count(counts[s]) for s in states))
            for district, counts in sorted(districts.items())
        ),
        numeric=frozenset(range(1, 2 + len(states))),
        caption="By district",
    )
    by_town = Table(
        ("district", "town", "households", *states),
        tuple(
            (district or "-", town or "-", count(counts.total()), *(count(counts[s]) for s in states))
            for (district, town), counts in sorted(data.by_place.items())
        ),
        numeric=frozenset(range(2, 3 + len(states))),
        caption="By town",
    )
    text = (f"{plural(data.households, 'household')} screened under {data.policy} as of {data.as_of.isoformat()}.",)
    return Section("states", "Households by state and place", text, (overall, by_district, by_town), layout=(1, 2))


# --- policies by district -----------------------------------------------------------


def _policies_section(data: ReportData) -> Section:
    title = "Policies by district"
    if not data.by_district:
        return Section("policies", title, ("No household was screened.",))
    text = (
        f"Each household was screened under the policy its place has on {data.as_of.isoformat()} "
        f"({data.policy}). \u201cIn force\u201d lists every policy the district (or a town of it) had from its "
        "households' first fact to that date: a district that switched policy in the period lists both.",
    )
    table = Table(
        ("district", "households", "screened under", "in force", "first fact"),
        tuple(
            (
                name or "-",
                count(district.households),
                "\n".join(f"{label} ({count(n)})" for label, n in sorted(district.by_policy.items())),
                "\n".join(district.in_force) or "-",
                district.first_fact.isoformat() if district.first_fact is not None else "-",
            )
            for name, district in sorted(data.by_district.items())
        ),
        numeric=frozenset({1}),
        dates=frozenset({4}),
    )
    return Section("policies", title, text, (table,))


# --- 2. relapses ----------------------------------------------------------------------


def _relapse_row(entry: RelapseEntry) -> tuple[str, ...]:
    why = entry.explanation + (f"\nfacts: {', '.join(entry.facts)}" if entry.facts else "")
    risks = "\n".join(
        f"{note.date.isoformat()} {note.kind} ({note.severity}, fact {note.fact_id}): {note.explanation}"
        for note in entry.risks
    )
    return (
        entry.household_id,
        _place(entry.district, entry.town),
        entry.date.isoformat(),
        entry.from_state,
        entry.exited_on.isoformat() if entry.exited_on else "-",
        entry.rule,
        why,
        risks or "none found",
    )


def _relapses_section(data: ReportData) -> Section:
    if not data.relapses:
        return Section("relapses", "Relapses and why", ("No household relapsed by the as-of date.",))
    shown = len(data.relapse_list)
    text = [
        f"{plural(data.relapses, 'relapse')} (moves to relapsed) in {plural(data.relapsed_households, 'household')}. "
        "Each names the rule and the facts that decided it, and the risks found from the exit to the relapse day."
    ]
    if shown < data.relapses:
        text.append(f"The {count(shown)} most recent of {plural(data.relapses, 'relapse')} are listed.")
    by_kind = Table(
        ("risk found between exit and relapse", "relapses"),
        tuple(
            (kind or "none found", count(n))
            for kind, n in sorted(data.relapse_risk_kinds.items(), key=lambda item: (-item[1], item[0]))
        ),
        numeric=frozenset({1}),
        caption="By the risks found since the exit (a relapse counts once for each kind found)",
    )
    by_rule = Table(
        ("rule", "relapses"),
        tuple((rule, count(n)) for rule, n in sorted(data.relapse_rules.items(), key=lambda i: (-i[1], i[0]))),
        numeric=frozenset({1}),
        caption="By the rule that decided the relapse",
    )
    listing = Table(
        ("household", "place", "relapsed on", "from", "exited on", "rule", "why", "risks since the exit"),
        tuple(_relapse_row(entry) for entry in data.relapse_list),
        dates=frozenset({2, 4}),
        caption=f"Relapses, most recent first ({count(shown)} of {count(data.relapses)})",
    )
    return Section("relapses", "Relapses and why", tuple(text), (by_kind, by_rule, listing))


# --- 3. risks -------------------------------------------------------------------------


def _risks_section(data: ReportData) -> Section:
    if not data.risks_detected:
        return Section("risks", "Risks by kind", ("No risk was found.",))
    table = Table(
        ("risk kind", "risks found", "households", "open (not eliminated)"),
        tuple(
            (kind, count(n), count(data.risk_households[kind]), count(data.risks_open[kind]))
            for kind, n in sorted(data.risks_detected.items(), key=lambda item: (-item[1], item[0]))
        ),
        numeric=frozenset({1, 2, 3}),
    )
    return Section("risks", "Risks by kind", (), (table,))


# --- 4. money -------------------------------------------------------------------------

_MONEY_COLUMNS = ("one-off and yearly", "monthly in force (per month)", "monthly to date", "total to date")


def _money_cells(money: Money) -> tuple[str, ...]:
    return (yuan(money.granted), yuan(money.monthly_in_force), yuan(money.monthly_to_date), yuan(money.total_to_date))


def _money_section(data: ReportData) -> Section:
    text = (
        "Yuan. One-off and yearly grants count once, in the month of their date. A monthly grant (an "
        "entitlement) counts in every month it is in force, from its start (the month after approval, for the "
        "safety net) to its end, up to the as-of month. \u201cMonthly in force\u201d is yuan a month owed on the "
        "as-of date: one-off and yearly plus monthly in force is what HouseholdResult.money_granted() adds up, "
        "a sum of mixed units that the tables never make. \u201cTotal to date\u201d is what the screen command "
        "calls paid to date. Services and grants waiting for a case decision count nothing.",
    )
    if not data.money_by_intervention:
        return Section("money", "Money", (*text, "No money was granted."))
    total = data.money_total()
    by_intervention = Table(
        ("intervention", *_MONEY_COLUMNS),
        tuple(
            (name, *_money_cells(money))
            for name, money in sorted(data.money_by_intervention.items(), key=lambda i: (-i[1].total_to_date, i[0]))
        ),
        numeric=frozenset({1, 2, 3, 4}),
        caption="By intervention",
        total=("total", *_money_cells(total)),
    )
    by_place = Table(
        ("district", "town", *_MONEY_COLUMNS),
        tuple(
            (district or "-", town or "-", *_money_cells(money))
            for (district, town), money in sorted(data.money_by_place.items())
        ),
        numeric=frozenset({2, 3, 4, 5}),
        caption="By place",
    )
    by_month = Table(
        ("month", "one-off and yearly", "monthly", "total"),
        tuple(
            (month_label(month), yuan(money.granted), yuan(money.monthly_to_date), yuan(money.total_to_date))
            for month, money in data.money_by_month()
        ),
        numeric=frozenset({1, 2, 3}),
        caption="By month (the month of the grant's date; monthly grants in each month in force)",
    )
    return Section("money", "Money", text, (by_intervention, by_place, by_month))


# --- 5. reviews -----------------------------------------------------------------------


def _review_row(entry: ReviewEntry) -> tuple[str, ...]:
    return (
        entry.household_id,
        _place(entry.district, entry.town),
        entry.review,
        entry.state,
        entry.due_on.isoformat(),
        count(entry.days_overdue),
        entry.responsible or "-",
    )


def _reviews_section(data: ReportData) -> Section:
    total = data.reviews_due + data.reviews_overdue
    if not total:
        return Section("reviews", "Reviews due or overdue", ("No review is due or overdue.",))
    grouped: dict[tuple[str, str], Counter[str]] = {}
    for (review, state, responsible), n in data.reviews.items():
        grouped.setdefault((review, responsible), Counter())[state] += n
    counts = Table(
        ("review", "responsible", "due", "overdue"),
        tuple(
            (review, responsible or "-", count(states["due"]), count(states["overdue"]))
            for (review, responsible), states in sorted(grouped.items())
        ),
        numeric=frozenset({2, 3}),
        caption="By review and who is responsible",
    )
    shown = len(data.review_list)
    listing = Table(
        ("household", "place", "review", "state", "due on", "days overdue", "responsible"),
        tuple(_review_row(entry) for entry in data.review_list),
        numeric=frozenset({5}),
        dates=frozenset({4}),
        caption=f"Most overdue first ({count(shown)} of {count(total)})",
    )
    text = (
        f"{plural(data.reviews_overdue, 'review')} overdue and {count(data.reviews_due)} due (within their grace days) "
        f"as of {data.as_of.isoformat()}, from the policy's scheduled reviews.",
    )
    return Section("reviews", "Reviews due or overdue", text, (counts, listing))


# --- 6. time to relapse ---------------------------------------------------------------


def survival_months(curve: SurvivalCurve) -> list[tuple[int, int, int, float]]:
    """(months since exit, still followed, relapses by then, share still out) at the usual months."""
    if not curve.steps:
        return []
    longest = curve.steps[-1].time / DAYS_PER_MONTH
    rows = []
    for months in _MONTH_GRID:
        if months > longest:
            break
        days = months * DAYS_PER_MONTH
        relapsed = sum(step.events for step in curve.steps if step.time <= days)
        rows.append((months, curve.at_risk(days), relapsed, curve.at(days)))
    return rows


def _survival_section(data: ReportData) -> Section:
    curve = data.survival()
    title = "Time to relapse"
    if not curve.observations:
        return Section("survival", title, ("No household exited by the as-of date.",))
    text = (
        f"Share of exits still out of poverty by months since the exit (Kaplan\u2013Meier estimate) over "
        f"{plural(curve.observations, 'exit')}: {count(curve.events)} ended in a relapse (or, after stable, a new "
        f"identification) and {count(curve.censored)} had not by the as-of date, so count as followed up to it "
        f"(censored). A month is {DAYS_PER_MONTH} days.",
    )
    table = Table(
        ("months after exit", "followed", "relapsed by then", "still out"),
        tuple(
            (str(months), count(followed), count(relapsed), share(survival))
            for months, followed, relapsed, survival in survival_months(curve)
        ),
        numeric=frozenset({0, 1, 2, 3}),
    )
    return Section("survival", title, text, (table,), SURVIVAL_CHART, "Share still out of poverty after exit")


# --- 7. state flows -------------------------------------------------------------------


def flow_order(flows: Mapping[tuple[str, str], int]) -> list[tuple[tuple[str, str], int]]:
    """Flows in lifecycle order (by the state left, then the state entered)."""
    return sorted(
        flows.items(),
        key=lambda item: (_STATE_ORDER.get(item[0][0], 99), _STATE_ORDER.get(item[0][1], 99), item[0]),
    )


def _flows_section(data: ReportData) -> Section:
    if not data.flows:
        return Section("flows", "State flows", ("No transition was taken.",))
    table = Table(
        ("from", "to", "transitions"),
        tuple((source, target, count(n)) for (source, target), n in flow_order(data.flows)),
        numeric=frozenset({2}),
    )
    text = ("Transitions taken by all households up to the as-of date (a household may make several).",)
    return Section("flows", "State flows", text, (table,), FLOW_CHART, "Transitions between states")


# --- problems -------------------------------------------------------------------------


def _problems_section(data: ReportData) -> Section:
    if not data.bad_rows and not data.problems:
        return Section("problems", "Problems", ("Every row was read and every household screened.",))
    limit = data.limit
    tables = []
    if data.bad_rows:
        tables.append(
            Table(
                ("file", "line", "field", "message"),
                tuple((row.file, str(row.line), row.field, row.message) for row in data.bad_rows[:limit]),
                numeric=frozenset({1}),
                caption=f"Rows that could not be read ({count(min(limit, len(data.bad_rows)))} of "
                f"{count(len(data.bad_rows))})",
            )
        )
    if data.problems:
        problems = sorted(data.problems, key=lambda problem: problem.household_id)[:limit]
        tables.append(
            Table(
                ("household", "problem", "error", "rule or plug-in", "message"),
                tuple((p.household_id, p.kind, p.error, p.plugin or "", p.message) for p in problems),
                caption=f"Households that could not be screened ({count(len(problems))} of "
                f"{count(len(data.problems))})",
            )
        )
    counted = sum(1 for problem in data.problems if problem.counted)
    text = (
        f"{plural(len(data.bad_rows), 'row')} could not be read and {plural(len(data.problems), 'household')} could "
        "not be screened; they are left out of every figure above"
        + (
            f", except {count(counted)} that share a fact id with a household of another partition." if counted else "."
        ),
    )
    return Section("problems", "Problems", text, tuple(tables))
