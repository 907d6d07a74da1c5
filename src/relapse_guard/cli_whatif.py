"""The ``whatif`` command of ``relapse-guard``: a population directory under two policies, and what differs.

Each household of the population is run under policy ``a`` and policy ``b``
(:func:`relapse_guard.whatif.compare`); a side given as a policy map (``--policy-map``) runs
each household under the map's policy for its place, and a household whose place a map does
not cover is a problem household, as in ``screen``. The command prints the households that differ (with
the first decision where the two timelines part), the totals under each policy, and the
budget difference (``b`` minus ``a``) per intervention and per district (as a side's map names
it), each money figure with its unit. ``--out`` writes the same as ``whatif.csv`` (each row also
naming the policy the household ran under on each side) and ``whatif.html``.

The partitions are compared in this process, or in ``--workers`` local processes
(:func:`relapse_guard.whatif.compare_population`: the same comparison either way), on the
``--engine`` the screen takes (``scalar`` by default; ``columnar`` decides the quiet households
in columns). Each household runs without recording decisions; only a household that differs
runs again to find its first differing decision, and only the differing households (and those a
policy refused) are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from .cli_policy import load_policy_spec
from .cli_screen import check_out, print_problems, progress_bar
from .entitlements import Money
from .errors import InvalidArgument
from .i18n import normalise_language
from .interface import ntr, tr
from .labels import label
from .money import money_text
from .policies.policy_map import PolicyMap, load_policy_map, said_under
from .population import Population, read_population
from .progress_line import ProgressLine, wants_progress
from .whatif import FIGURES, Comparison, HouseholdComparison, Outcome, compare_population
from .whatif.comparison import figure_label

__all__ = [
    "CSV_COLUMNS",
    "WHATIF_FILES",
    "print_runs",
    "render_budget",
    "run_whatif",
    "whatif_sides",
    "write_csv",
    "write_html",
]

#: The files ``whatif --out`` writes.
WHATIF_FILES = ("whatif.csv", "whatif.html")

#: The columns of ``whatif.csv``: one row per differing household, intervention and money figure
#: that differs (``a``, ``b`` and ``difference`` in the figure's ``unit``). ``district`` is the
#: district the household is counted under (a side's policy map's spelling), ``district_as_given``
#: as the household's data writes it; ``policy_a`` and ``policy_b`` are the labels of the policies
#: it ran under on each side (a map's, for its place).
CSV_COLUMNS = (
    "household_id",
    "district",
    "state_a",
    "state_b",
    "intervention",
    "figure",
    "unit",
    "a",
    "b",
    "difference",
    "policy_a",
    "policy_b",
    "district_as_given",
)

_NONE = Money()


def print_runs(paths: Mapping[str, int], lang: str) -> None:
    """Say on stderr how the runs went: in columns or on the engine (a columnar what-if), and
    the second runs spared (see :mod:`relapse_guard.whatif.reads`); nothing when every household
    ran twice on the engine."""
    households = sum(paths.values()) // 2
    if paths.get("columnar"):
        print(
            tr(
                lang,
                "what-if: {columnar} runs decided in columns, {engine} on the engine",
                columnar=f"{paths.get('columnar', 0):,}",
                engine=f"{paths.get('engine', 0):,}",
            ),
            file=sys.stderr,
        )
    if paths.get("same"):
        print(
            tr(
                lang,
                "what-if: {same} of {households} households run once: both sides give their place the same policy",
                same=f"{paths['same']:,}",
                households=f"{households:,}",
            ),
            file=sys.stderr,
        )
    if paths.get("unchanged"):
        print(
            tr(
                lang,
                "what-if: {spared} of {households} households not run again under b: "
                "their run under a asked the changed parameters nothing b answers otherwise",
                spared=f"{paths['unchanged']:,}",
                households=f"{households:,}",
            ),
            file=sys.stderr,
        )


def whatif_sides(sides: Sequence[tuple[str, str]]) -> list[str | PolicyMap]:
    """The sides the command line gives, in order (``--policy`` and ``--policy-map`` as
    :func:`~relapse_guard.argtypes.add_side_options` gathers them): a policy spec as it is, a
    policy map read (:func:`~relapse_guard.policies.policy_map.load_policy_map`)."""
    return [load_policy_map(value) if option == "policy_map" else value for option, value in sides]


def _compare(
    population: Population,
    policies: Sequence[str | PolicyMap],
    as_of: dt.date,
    workers: int,
    scheduler: str | None,
    engine: str,
    line: ProgressLine | None,
    lang: str = "en",
) -> Comparison:
    """The comparison itself: in local processes, or on Dask with a ``scheduler`` (progress said in ``lang``)."""
    progress = progress_bar(line, lang) if line is not None else None
    if scheduler is None:
        return compare_population(
            policies[0],
            policies[1],
            population,
            as_of,
            workers=workers,
            engine=engine,
            progress=progress,
            load=load_policy_spec,
        )
    from .screening.dask_backend import dask_client
    from .whatif import compare_population_dask

    with dask_client(scheduler, workers=workers, what="a what-if") as client:
        return compare_population_dask(
            policies[0],
            policies[1],
            population,
            as_of,
            client=client,
            engine=engine,
            progress=progress,
            load=load_policy_spec,
        )


def run_whatif(
    population_dir: str,
    policies: Sequence[str | PolicyMap],
    as_of: dt.date,
    out: str | None = None,
    *,
    overwrite: bool = False,
    progress: bool = False,
    lang: str = "en",
    workers: int = 1,
    engine: str = "scalar",
    scheduler: str | None = None,
) -> int:
    """Compare two policies over a population directory; print the differences, the totals
    and the budget difference per intervention and per district; write them to ``out``.

    ``workers`` local processes compare its partitions (the comparison is the same with any
    number), or, with ``scheduler``, a Dask cluster (a running scheduler's address, or
    ``"local"`` for a local cluster of ``workers`` processes), on ``engine``: ``scalar``,
    ``columnar`` or ``auto`` (see :func:`~relapse_guard.whatif.compare`).

    ``policies`` is two sides, ``a`` then ``b``: each a policy spec (a registered name,
    ``path.py:NAME`` or ``module:NAME``: see :func:`~relapse_guard.cli_policy.load_policy_spec`)
    or a policy map (each household under the map's policy for its place on ``as_of``; one of
    each compares a policy against a map). The facts read are the kinds of every policy of both.
    Progress is drawn on stderr when it is a terminal, or
    with ``progress``. What is printed, and whatif.html, are said in ``lang`` (whatif.csv keeps its codes).

    Returns 0 when every row was read and every household compared, 1 when there were bad rows
    or problem households, their place not covered by a map (listed on stderr; the households
    read are compared all the same). Raises :class:`~relapse_guard.errors.InvalidArgument`
    unless there are exactly two sides, and a
    :class:`~relapse_guard.errors.RelapseGuardError` for an unknown policy (a map's too), a
    population that cannot be read or an ``out`` that cannot be written (checked before
    any household is run: a file, or a directory holding ``whatif.csv`` or ``whatif.html``
    unless ``overwrite``).
    """
    if len(policies) != 2:
        raise InvalidArgument(
            "whatif compares two policies or policy maps: give --policy twice, --policy-map twice, or one of each "
            f"(a, then b), not {len(policies)}"
        )
    population = read_population(population_dir)
    for side in policies:  # an unknown policy fails before any output is checked or household run
        if isinstance(side, PolicyMap):
            side.policies()
        else:
            load_policy_spec(side)
    directory = check_out(out, WHATIF_FILES, overwrite=overwrite) if out is not None else None
    line = ProgressLine() if wants_progress(progress) else None
    try:
        comparison = _compare(population, policies, as_of, workers, scheduler, engine, line, lang)
    finally:
        if line is not None:
            line.close()
    if directory is not None:  # the files first: a reader of stdout that goes away must not cost them
        directory.mkdir(parents=True, exist_ok=True)
        write_csv(comparison, directory / "whatif.csv")
        write_html(comparison, directory / "whatif.html", lang)
    print(comparison.render(lang))
    print()
    print(render_budget(comparison, lang))
    print_problems(comparison.bad_rows, comparison.problems, lang=lang)
    print_runs(comparison.paths, lang)
    refused = comparison.totals.errors_a + comparison.totals.errors_b
    for item in comparison.households if refused else ():
        if item.refused:
            print(
                tr(
                    lang,
                    "relapse-guard: refused: household {household}: a {a}; b {b}",
                    household=item.household_id,
                    a=item.a.error or tr(lang, "ran"),
                    b=item.b.error or tr(lang, "ran"),
                ),
                file=sys.stderr,
            )
    if refused:
        print(
            tr(
                lang,
                "relapse-guard: a policy refused households (a {a}, b {b}): listed as refused, their money "
                "left out of the totals and the budget difference",
                a=comparison.totals.errors_a,
                b=comparison.totals.errors_b,
            ),
            file=sys.stderr,
        )
    return 1 if comparison.bad_rows or comparison.problems or refused else 0


def _delta_text(delta: Money, lang: str = "en") -> str:
    """The three figures of a difference, each with its unit."""
    return tr(lang, "; ").join(
        f"{figure_label(name, lang)} {money_text(getattr(delta, name), signed=True)} {label('unit', unit, lang)}"
        for name, _label, unit in FIGURES
    )


def render_budget(comparison: Comparison, lang: str = "en") -> str:
    """The budget difference (``b`` minus ``a``) per intervention, then per district (by name):
    each intervention whose money differs, with its three figures and their units; in ``lang``."""
    lines = [tr(lang, "budget difference (b - a), per intervention:")]
    delta = comparison.totals.money_delta
    lines += [f"  {label('intervention', name, lang)}: {_delta_text(money, lang)}" for name, money in delta.items()]
    if not delta:
        lines.append(tr(lang, "  none"))
    lines += ["", tr(lang, "budget difference (b - a), per district:")]
    for district, totals in comparison.by_district().items():
        lines.append(
            ntr(
                lang,
                "  {district}: {households} households, {count} differs",
                "  {district}: {households} households, {count} differ",
                totals.differing,
                district=district or "-",
                households=totals.households,
                count=str(totals.differing),
            )
        )
        changes = totals.money_delta
        lines += [
            f"    {label('intervention', name, lang)}: {_delta_text(money, lang)}" for name, money in changes.items()
        ]
        if not changes:
            lines.append(tr(lang, "    no difference"))
    return "\n".join(lines)


def _state_label(state: str, lang: str) -> str:
    """A state's (or ``refused``'s) name in ``lang``."""
    return label("problem" if state == "refused" else "state", state, lang)


def _state(outcome: Outcome) -> str:
    if outcome.error is not None:
        return "refused"
    return outcome.state.value if outcome.state is not None else ""


def _figure_rows(a: Mapping[str, Money], b: Mapping[str, Money]) -> Iterator[tuple[str, str, str, str, str, str]]:
    """``(intervention, figure, unit, a, b, difference)`` for each figure that differs."""
    for name in sorted(set(a) | set(b)):
        first, second = a.get(name, _NONE), b.get(name, _NONE)
        for attribute, _label, unit in FIGURES:
            x, y = getattr(first, attribute), getattr(second, attribute)
            if x != y:
                yield name, attribute, unit, money_text(x), money_text(y), money_text(y - x)


def _household_rows(item: HouseholdComparison) -> Iterator[list[str]]:
    head = [item.household_id, item.district, _state(item.a), _state(item.b)]
    tail = [item.policy_a, item.policy_b, item.district_as_given]
    # a household a policy refused: its money is compared on neither side (never a saving)
    rows = [] if item.refused else list(_figure_rows(item.a.money, item.b.money))
    if not rows:  # the state or the interventions differ, not the money
        yield [*head, "", "", "", "", "", "", *tail]
    for row in rows:
        yield [*head, *row, *tail]


def write_csv(comparison: Comparison, path: Path) -> None:
    """Write the differing households to ``path`` as CSV, in the long form of :data:`CSV_COLUMNS`:
    a row per household, intervention and money figure that differs (``figure`` is
    ``one_off``, ``monthly_in_force`` or ``paid_to_date``); a household whose money does not
    differ (its state or interventions do), or that a policy refused, has one row with the
    money columns empty. Each row names the policy the household ran under on each side
    (``policy_a``, ``policy_b``) and its district as its data writes it (``district_as_given``)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_COLUMNS)
        for item in comparison.differences:
            writer.writerows(_household_rows(item))


_CSS = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
    "th,td{border:1px solid #bbb;padding:0.2em 0.6em;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "pre{background:#f4f4f4;padding:0.5em;white-space:pre-wrap}"
)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: int) -> str:
    """An HTML table; the last ``numeric`` columns right-aligned. Every cell is escaped."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    out = [f"<table><thead><tr>{cells}</tr></thead><tbody>"]
    first_numeric = len(head) - numeric
    for row in rows:
        tds = "".join(
            f'<td class="n">{html.escape(cell)}</td>' if i >= first_numeric else f"<td>{html.escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        out.append(f"<tr>{tds}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _money_rows(a: Mapping[str, Money], b: Mapping[str, Money], lang: str = "en") -> list[list[str]]:
    """Every figure of every intervention: ``(intervention, figure, unit, a, b, difference)``."""
    rows = []
    for name in sorted(set(a) | set(b)):
        first, second = a.get(name, _NONE), b.get(name, _NONE)
        for attribute, _figure, unit in FIGURES:
            x, y = getattr(first, attribute), getattr(second, attribute)
            rows.append(
                [
                    label("intervention", name, lang),
                    figure_label(attribute, lang),
                    label("unit", unit, lang),
                    money_text(x),
                    money_text(y),
                    money_text(y - x, signed=True),
                ]
            )
    return rows


def write_html(comparison: Comparison, path: Path, lang: str = "en") -> None:
    """Write the comparison to ``path`` as one self-contained HTML page (no scripts, no links):
    the totals, the money per intervention, the budget difference per district, and the
    differing households with the first decision where each one's timelines part. The page's
    headings, tables, labels and each household's account are in ``lang``."""
    totals = comparison.totals
    a, b = said_under(comparison.policy_a, lang), said_under(comparison.policy_b, lang)
    if comparison.as_of:
        title = tr(lang, "What-if as of {date}: {a} against {b}", date=comparison.as_of, a=a, b=b)
    else:
        title = tr(lang, "What-if: {a} against {b}", a=a, b=b)
    states = sorted(set(totals.states_a) | set(totals.states_b))
    money_head = (
        tr(lang, "intervention"),
        tr(lang, "figure"),
        tr(lang, "unit"),
        "a",
        "b",
        "b - a",
    )
    district_rows = []
    for district, item in comparison.by_district().items():
        head = [district, str(item.households), str(item.differing)]
        changed = item.money_delta
        rows = _money_rows(
            {name: item.money_a.get(name, _NONE) for name in changed},
            {name: item.money_b.get(name, _NONE) for name in changed},
            lang,
        )
        district_rows += [[*head, *row] for row in rows] or [[*head, tr(lang, "no difference"), "", "", "", "", ""]]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(normalise_language(lang))}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>a = {html.escape(a)}, b = {html.escape(b)}.</p>",
        f"<h2>{html.escape(tr(lang, 'Totals'))}</h2>",
        "<p>"
        + html.escape(
            tr(lang, "Households, and households by state at the as-of date (refused: the policy refused the facts).")
        )
        + "</p>",
        _table(
            ("", "a", "b"),
            [
                [tr(lang, "households"), str(totals.households), str(totals.households)],
                [tr(lang, "differing households"), str(totals.differing), str(totals.differing)],
                *(
                    [_state_label(state, lang), str(totals.states_a.get(state, 0)), str(totals.states_b.get(state, 0))]
                    for state in states
                ),
            ],
            numeric=2,
        ),
        f"<h2>{html.escape(tr(lang, 'Money per intervention'))}</h2>",
        _table(money_head, _money_rows(totals.money_a, totals.money_b, lang), numeric=3),
        f"<h2>{html.escape(tr(lang, 'Budget difference per district'))}</h2>",
        "<p>"
        + html.escape(tr(lang, "Each intervention whose money differs in the district, every figure with its unit."))
        + "</p>",
        _table(
            (tr(lang, "district"), tr(lang, "households"), tr(lang, "differing"), *money_head),
            district_rows,
            numeric=3,
        ),
        f"<h2>{html.escape(tr(lang, 'Households that differ'))}</h2>",
    ]
    differences = comparison.differences
    if differences:
        parts.append("<ul>")
        parts += [f"<li><pre>{html.escape(item.render(lang))}</pre></li>" for item in differences]
        parts.append("</ul>")
    else:
        parts.append(f"<p>{html.escape(tr(lang, 'No household differs.'))}</p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
