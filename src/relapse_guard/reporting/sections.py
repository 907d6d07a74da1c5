"""What a report says, as plain sections of text and tables, for the Markdown and HTML layouts.

Every figure is formatted here once (counts with thousands separators, money in yuan to the
fen, shares in per cent), so both layouts show the same thing. Cells are plain text; a cell
may hold several lines, separated by ``"\\n"``.

Every heading, column, caption and sentence is said in the report's language (``lang``, by
default the one its :class:`~relapse_guard.reporting.ReportData` was gathered in), through the
interface's catalogue (:mod:`relapse_guard.interface`); states, risk kinds and interventions by
their labels (:func:`relapse_guard.labels.label`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..interface import plural, tr
from ..labels import Kind, label
from ..lifecycle import State
from ..money import money_text
from ..policies.policy_map import said_under
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
    "policy_line",
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
    those kept on one line, ``wide`` those of long text (given room); ``total`` is a last row
    summing the others, if any, and ``subtotals`` the rows (by index) that sum the rows above
    them of one group (a district's towns), shown as the total is."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    caption: str = ""
    dates: frozenset[int] = frozenset()
    total: tuple[str, ...] | None = None
    wide: frozenset[int] = frozenset()
    subtotals: frozenset[int] = frozenset()


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
    """``1,234.50``: yuan to the fen, never rounded (:func:`~relapse_guard.money.money_text`)."""
    return money_text(value, grouped=True)


def share(part: float, whole: float = 1.0) -> str:
    """``12.5%``; ``-`` when ``whole`` is zero."""
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _place(district: str, town: str) -> str:
    return f"{district} / {town}" if town else district or "-"


def _states(counts: Iterable[str]) -> list[str]:
    return sorted(counts, key=lambda name: (_STATE_ORDER.get(name, len(_STATE_ORDER)), name))


def _lang(data: ReportData, lang: str | None) -> str:
    return data.lang if lang is None else lang


def _labelled(kind: Kind, names: Iterable[str], lang: str) -> tuple[str, ...]:
    return tuple(label(kind, name, lang) for name in names)


def _is_map(policy: str) -> bool:
    """True when ``policy`` is a policy map's label (``policy map chongqing``), not a policy's."""
    return policy.startswith("policy map ")


def policy_line(data: ReportData, lang: str) -> str:
    """The report's line under its title: what it was screened under, and its date, in ``lang``.

    A policy map is said in its own words, not after the word "policy" again: "Under policy
    map chongqing" (in Chinese the map's name begins with it: 政策对照表 chongqing).
    """
    under = said_under(data.policy, lang)
    date = data.as_of.isoformat()
    if _is_map(data.policy):
        return tr(lang, "Under {map}, as of {date}.", map=under, date=date)
    return tr(lang, "Policy {policy}, as of {date}.", policy=under, date=date)


def headline(data: ReportData, lang: str | None = None) -> tuple[tuple[str, str], ...]:
    """The figures at the top of the report, as (label, value), in ``lang`` (default: the data's)."""
    lang = _lang(data, lang)
    curve = data.survival()
    figures = [
        (tr(lang, "households"), count(data.households)),
        (tr(lang, "exits followed"), count(curve.observations)),
        (tr(lang, "relapses"), count(data.relapses)),
        (tr(lang, "households relapsed"), count(data.relapsed_households)),
    ]
    if curve.observations and curve.steps[-1].time >= 12 * DAYS_PER_MONTH:
        figures.append((tr(lang, "still out 12 months after exit"), share(curve.at(12 * DAYS_PER_MONTH))))
    figures += [
        (tr(lang, "money to date (yuan)"), yuan(data.money_total().total_to_date)),
        (tr(lang, "reviews overdue"), count(data.reviews_overdue)),
    ]
    if data.bad_rows or data.problems:
        figures.append(
            (tr(lang, "bad rows / problem households"), f"{count(len(data.bad_rows))} / {count(len(data.problems))}")
        )
    return tuple(figures)


def report_sections(data: ReportData, lang: str | None = None) -> tuple[Section, ...]:
    """The report's sections, in order: where households are, which policy screened each
    district, how they moved, how long exits last, who relapsed and why, risks, money, reviews,
    and what could not be read; said in ``lang`` (default: the language the data was gathered in)."""
    lang = _lang(data, lang)
    return (
        _states_section(data, lang),
        _policies_section(data, lang),
        _flows_section(data, lang),
        _survival_section(data, lang),
        _relapses_section(data, lang),
        _risks_section(data, lang),
        _money_section(data, lang),
        _reviews_section(data, lang),
        _problems_section(data, lang),
    )


# --- 1. states and places -------------------------------------------------------------


def _states_section(data: ReportData, lang: str) -> Section:
    states = _states(data.by_state)
    named = _labelled("state", states, lang)
    overall = Table(
        (tr(lang, "state"), tr(lang, "households"), tr(lang, "share")),
        tuple(
            (label("state", name, lang), count(data.by_state[name]), share(data.by_state[name], data.households))
            for name in states
        ),
        numeric=frozenset({1, 2}),
    )
    districts: dict[str, Counter[str]] = {}
    for (district, _town), counts in data.by_place.items():
        districts.setdefault(district, Counter()).update(counts)
    by_district = Table(
        (tr(lang, "district"), tr(lang, "households"), *named),
        tuple(
            (district or "-", count(counts.total()), *(count(counts[s]) for s in states))
            for district, counts in sorted(districts.items())
        ),
        numeric=frozenset(range(1, 2 + len(states))),
        caption=tr(lang, "By district"),
    )
    by_town = Table(
        (tr(lang, "district"), tr(lang, "town"), tr(lang, "households"), *named),
        tuple(
            (district or "-", town or "-", count(counts.total()), *(count(counts[s]) for s in states))
            for (district, town), counts in sorted(data.by_place.items())
        ),
        numeric=frozenset(range(2, 3 + len(states))),
        caption=tr(lang, "By town"),
    )
    households = plural(data.households, "household", lang=lang)
    under, date = said_under(data.policy, lang), data.as_of.isoformat()
    if _is_map(data.policy):
        text: tuple[str, ...] = (
            tr(lang, "{households} screened under {map} as of {date}.", households=households, map=under, date=date),
            tr(
                lang,
                "Each district is counted under the name the policy map gives it, with the households whose data "
                "writes it in another case or by another name the map gives it; the lists of households give each "
                "household's place as its data writes it.",
            ),
        )
    else:
        text = (
            tr(
                lang,
                "{households} screened under {policy} as of {date}.",
                households=households,
                policy=under,
                date=date,
            ),
        )
    title = tr(lang, "Households by state and place")
    return Section("states", title, text, (overall, by_district, by_town), layout=(1, 2))


# --- policies by district -----------------------------------------------------------


def _policies_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Policies by district")
    if not data.by_district:
        return Section("policies", title, (tr(lang, "No household was screened."),))
    text = (
        tr(
            lang,
            "Each household was screened under the policy its place has on {date} ({policy}). \u201cIn force\u201d "
            "lists every policy the district (or a town of it) had from its households' first fact to that date: "
            "a district that switched policy in the period lists both.",
            date=data.as_of.isoformat(),
            policy=said_under(data.policy, lang),
        ),
    )
    table = Table(
        (
            tr(lang, "district"),
            tr(lang, "households"),
            tr(lang, "screened under"),
            tr(lang, "in force"),
            tr(lang, "first fact"),
        ),
        tuple(
            (
                name or "-",
                count(district.households),
                "\n".join(f"{policy} ({count(n)})" for policy, n in sorted(district.by_policy.items())),
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


def _relapse_row(entry: RelapseEntry, lang: str) -> tuple[str, ...]:
    facts = tr(lang, "facts: {facts}", facts=", ".join(entry.facts))
    why = entry.explanation + (f"\n{facts}" if entry.facts else "")
    risks = "\n".join(
        tr(
            lang,
            "{date} {kind} ({severity}, fact {fact}): {explanation}",
            date=note.date.isoformat(),
            kind=label("risk", note.kind, lang),
            severity=label("severity", note.severity, lang),
            fact=note.fact_id,
            explanation=note.explanation,
        )
        for note in entry.risks
    )
    return (
        entry.household_id,
        _place(entry.district, entry.town),
        entry.date.isoformat(),
        label("state", entry.from_state, lang),
        entry.exited_on.isoformat() if entry.exited_on else "-",
        entry.rule,
        why,
        risks or tr(lang, "none found"),
    )


def _relapses_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Relapses and why")
    if not data.relapses:
        return Section("relapses", title, (tr(lang, "No household relapsed by the as-of date."),))
    shown = len(data.relapse_list)
    text = [
        tr(
            lang,
            "{relapses} (moves to relapsed) in {households}. Each names the rule and the facts that decided it, "
            "and the risks found from the exit to the relapse day.",
            relapses=plural(data.relapses, "relapse", lang=lang),
            households=plural(data.relapsed_households, "household", lang=lang),
        )
    ]
    if shown < data.relapses:
        text.append(
            tr(
                lang,
                "The {shown} most recent of {relapses} are listed.",
                shown=count(shown),
                relapses=plural(data.relapses, "relapse", lang=lang),
            )
        )
    by_kind = Table(
        (tr(lang, "risk found between exit and relapse"), tr(lang, "relapses")),
        tuple(
            (label("risk", kind, lang) if kind else tr(lang, "none found"), count(n))
            for kind, n in sorted(data.relapse_risk_kinds.items(), key=lambda item: (-item[1], item[0]))
        ),
        numeric=frozenset({1}),
        caption=tr(lang, "By the risks found since the exit (a relapse counts once for each kind found)"),
    )
    by_rule = Table(
        (tr(lang, "rule"), tr(lang, "relapses")),
        tuple((rule, count(n)) for rule, n in sorted(data.relapse_rules.items(), key=lambda i: (-i[1], i[0]))),
        numeric=frozenset({1}),
        caption=tr(lang, "By the rule that decided the relapse"),
    )
    listing = Table(
        (
            tr(lang, "household"),
            tr(lang, "place"),
            tr(lang, "relapsed on"),
            tr(lang, "from"),
            tr(lang, "exited on"),
            tr(lang, "rule"),
            tr(lang, "why"),
            tr(lang, "risks since the exit"),
        ),
        tuple(_relapse_row(entry, lang) for entry in data.relapse_list),
        dates=frozenset({2, 4}),
        caption=tr(
            lang, "Relapses, most recent first ({shown} of {total})", shown=count(shown), total=count(data.relapses)
        ),
        wide=frozenset({6, 7}),
    )
    return Section("relapses", title, tuple(text), (by_kind, by_rule, listing))


# --- 3. risks -------------------------------------------------------------------------


def _risks_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Risks by kind")
    if not data.risks_detected:
        return Section("risks", title, (tr(lang, "No risk was found."),))
    table = Table(
        (tr(lang, "risk kind"), tr(lang, "risks found"), tr(lang, "households"), tr(lang, "open (not eliminated)")),
        tuple(
            (label("risk", kind, lang), count(n), count(data.risk_households[kind]), count(data.risks_open[kind]))
            for kind, n in sorted(data.risks_detected.items(), key=lambda item: (-item[1], item[0]))
        ),
        numeric=frozenset({1, 2, 3}),
    )
    return Section("risks", title, (), (table,))


# --- 4. money -------------------------------------------------------------------------


def _money_columns(lang: str) -> tuple[str, ...]:
    return (
        tr(lang, "one-off and yearly"),
        tr(lang, "monthly in force (per month)"),
        tr(lang, "monthly to date"),
        tr(lang, "total to date"),
    )


def _money_cells(money: Money) -> tuple[str, ...]:
    return (yuan(money.granted), yuan(money.monthly_in_force), yuan(money.monthly_to_date), yuan(money.total_to_date))


def _money_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Money")
    text = (
        tr(
            lang,
            "Yuan. One-off and yearly grants count once, in the month of their date. A monthly grant (the "
            "safety-net top-up, say) counts in every month it is in force, from its start (the month after "
            "approval, for the safety net) to its end, up to the as-of month. \u201cMonthly in force\u201d is "
            "what the monthly grants in force on the as-of date pay each month, in yuan a month: it is never added "
            "to the other columns. \u201cTotal to date\u201d is the one-off and yearly grants and the monthly grants "
            "paid up to the as-of month: the money paid to date. By place, each district's towns are followed by "
            "the district's subtotal, and the last row is the total of every place. Services and grants waiting "
            "for a case decision count nothing.",
        ),
    )
    if not data.money_by_intervention:
        return Section("money", title, (*text, tr(lang, "No money was granted.")))
    total = data.money_total()
    columns = _money_columns(lang)
    total_row = (tr(lang, "total"), *_money_cells(total))
    by_intervention = Table(
        (tr(lang, "intervention"), *columns),
        tuple(
            (label("intervention", name, lang), *_money_cells(money))
            for name, money in sorted(data.money_by_intervention.items(), key=lambda i: (-i[1].total_to_date, i[0]))
        ),
        numeric=frozenset({1, 2, 3, 4}),
        caption=tr(lang, "By intervention"),
        total=total_row,
    )
    place_rows, subtotals = _place_rows(data.money_by_place, lang)
    by_place = Table(
        (tr(lang, "district"), tr(lang, "town"), *columns),
        place_rows,
        numeric=frozenset({2, 3, 4, 5}),
        caption=tr(lang, "By place"),
        total=(total_row[0], "", *total_row[1:]),
        subtotals=subtotals,
    )
    by_month = Table(
        (tr(lang, "month"), tr(lang, "one-off and yearly"), tr(lang, "monthly"), tr(lang, "total")),
        tuple(
            (month_label(month), yuan(money.granted), yuan(money.monthly_to_date), yuan(money.total_to_date))
            for month, money in data.money_by_month()
        ),
        numeric=frozenset({1, 2, 3}),
        caption=tr(lang, "By month (the month of the grant's date; monthly grants in each month in force)"),
    )
    return Section("money", title, text, (by_intervention, by_place, by_month))


def _place_rows(
    money_by_place: Mapping[tuple[str, str], Money], lang: str
) -> tuple[tuple[tuple[str, ...], ...], frozenset[int]]:
    """The rows of the table by place: each district's towns, then the district's subtotal; and
    the indexes of the subtotal rows."""
    rows: list[tuple[str, ...]] = []
    subtotals: set[int] = set()
    districts: dict[str, list[tuple[str, Money]]] = {}
    for (district, town), money in sorted(money_by_place.items()):
        districts.setdefault(district, []).append((town, money))
    for district, towns in districts.items():
        rows += [(district or "-", town or "-", *_money_cells(money)) for town, money in towns]
        subtotal = Money()
        for _, money in towns:
            subtotal = subtotal + money
        subtotals.add(len(rows))
        rows.append((district or "-", tr(lang, "subtotal"), *_money_cells(subtotal)))
    return tuple(rows), frozenset(subtotals)


# --- 5. reviews -----------------------------------------------------------------------


def _review_row(entry: ReviewEntry, lang: str) -> tuple[str, ...]:
    return (
        entry.household_id,
        _place(entry.district, entry.town),
        label("review_name", entry.review, lang),
        label("review", entry.state, lang),
        entry.due_on.isoformat(),
        count(entry.days_overdue),
        label("responsible", entry.responsible, lang) if entry.responsible else "-",
    )


def _reviews_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Reviews due or overdue")
    total = data.reviews_due + data.reviews_overdue
    if not total:
        return Section("reviews", title, (tr(lang, "No review is due or overdue."),))
    grouped: dict[tuple[str, str], Counter[str]] = {}
    for (review, state, responsible), n in data.reviews.items():
        grouped.setdefault((review, responsible), Counter())[state] += n
    counts = Table(
        (tr(lang, "review"), tr(lang, "responsible"), label("review", "due", lang), label("review", "overdue", lang)),
        tuple(
            (
                label("review_name", review, lang),
                label("responsible", responsible, lang) if responsible else "-",
                count(states["due"]),
                count(states["overdue"]),
            )
            for (review, responsible), states in sorted(grouped.items())
        ),
        numeric=frozenset({2, 3}),
        caption=tr(lang, "By review and who is responsible"),
    )
    shown = len(data.review_list)
    listing = Table(
        (
            tr(lang, "household"),
            tr(lang, "place"),
            tr(lang, "review"),
            tr(lang, "state"),
            tr(lang, "due on"),
            tr(lang, "days past grace period"),
            tr(lang, "responsible"),
        ),
        tuple(_review_row(entry, lang) for entry in data.review_list),
        numeric=frozenset({5}),
        dates=frozenset({4}),
        caption=tr(lang, "Most overdue first ({shown} of {total})", shown=count(shown), total=count(total)),
    )
    text = (
        tr(
            lang,
            "{overdue} overdue and {due} due (within their grace days) as of {date}, from the policy's scheduled "
            "reviews.",
            overdue=plural(data.reviews_overdue, "review", lang=lang),
            due=count(data.reviews_due),
            date=data.as_of.isoformat(),
        ),
    )
    return Section("reviews", title, text, (counts, listing))


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


def _survival_section(data: ReportData, lang: str) -> Section:
    curve = data.survival()
    title = tr(lang, "Time to relapse")
    if not curve.observations:
        return Section("survival", title, (tr(lang, "No household exited by the as-of date."),))
    text = (
        tr(
            lang,
            "Share of exits still out of poverty by months since the exit (Kaplan\u2013Meier estimate) over {exits}: "
            "{events} ended in a relapse (or, after stable, a new identification) and {censored} had not by the "
            "as-of date, so count as followed up to it (censored). A month is {days} days.",
            exits=plural(curve.observations, "exit", lang=lang),
            events=count(curve.events),
            censored=count(curve.censored),
            days=DAYS_PER_MONTH,
        ),
    )
    table = Table(
        (tr(lang, "months after exit"), tr(lang, "followed"), tr(lang, "relapsed by then"), tr(lang, "still out")),
        tuple(
            (str(months), count(followed), count(relapsed), share(survival))
            for months, followed, relapsed, survival in survival_months(curve)
        ),
        numeric=frozenset({0, 1, 2, 3}),
    )
    chart_title = tr(lang, "Share still out of poverty after exit")
    return Section("survival", title, text, (table,), SURVIVAL_CHART, chart_title)


# --- 7. state flows -------------------------------------------------------------------


def flow_order(flows: Mapping[tuple[str, str], int]) -> list[tuple[tuple[str, str], int]]:
    """Flows in lifecycle order (by the state left, then the state entered)."""
    return sorted(
        flows.items(),
        key=lambda item: (_STATE_ORDER.get(item[0][0], 99), _STATE_ORDER.get(item[0][1], 99), item[0]),
    )


def _flows_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "State flows")
    if not data.flows:
        return Section("flows", title, (tr(lang, "No transition was taken."),))
    table = Table(
        (tr(lang, "from"), tr(lang, "to"), tr(lang, "transitions")),
        tuple(
            (label("state", source, lang), label("state", target, lang), count(n))
            for (source, target), n in flow_order(data.flows)
        ),
        numeric=frozenset({2}),
    )
    text = (tr(lang, "Transitions taken by all households up to the as-of date (a household may make several)."),)
    return Section("flows", title, text, (table,), FLOW_CHART, tr(lang, "Transitions between states"))


# --- problems -------------------------------------------------------------------------


def _problems_section(data: ReportData, lang: str) -> Section:
    title = tr(lang, "Problems")
    if not data.bad_rows and not data.problems:
        return Section("problems", title, (tr(lang, "Every row was read and every household screened."),))
    limit = data.limit
    tables = []
    if data.bad_rows:
        tables.append(
            Table(
                (tr(lang, "file"), tr(lang, "line"), tr(lang, "field"), tr(lang, "message")),
                tuple((row.file, str(row.line), row.field, row.message) for row in data.bad_rows[:limit]),
                numeric=frozenset({1}),
                caption=tr(
                    lang,
                    "Rows that could not be read ({shown} of {total})",
                    shown=count(min(limit, len(data.bad_rows))),
                    total=count(len(data.bad_rows)),
                ),
                wide=frozenset({3}),
            )
        )
    if data.problems:
        problems = sorted(data.problems, key=lambda problem: problem.household_id)[:limit]
        tables.append(
            Table(
                (
                    tr(lang, "household"),
                    tr(lang, "problem"),
                    tr(lang, "error"),
                    tr(lang, "rule or plug-in"),
                    tr(lang, "message"),
                ),
                tuple(
                    (p.household_id, label("problem", p.kind, lang), p.error, p.plugin or "", p.message)
                    for p in problems
                ),
                caption=tr(
                    lang,
                    "Households that could not be screened ({shown} of {total})",
                    shown=count(len(problems)),
                    total=count(len(data.problems)),
                ),
                wide=frozenset({4}),
            )
        )
    counted = sum(1 for problem in data.problems if problem.counted)
    rows = plural(len(data.bad_rows), "row", lang=lang)
    households = plural(len(data.problems), "household", lang=lang)
    if counted:
        sentence = tr(
            lang,
            "{rows} could not be read and {households} could not be screened; they are left out of every figure "
            "above, except {counted} that share a fact id with a household of another partition.",
            rows=rows,
            households=households,
            counted=count(counted),
        )
    else:
        sentence = tr(
            lang,
            "{rows} could not be read and {households} could not be screened; they are left out of every figure above.",
            rows=rows,
            households=households,
        )
    return Section("problems", title, (sentence,), tuple(tables))
