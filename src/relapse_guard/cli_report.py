"""The ``report`` command of ``relapse-guard``: a population directory in, a Markdown and HTML report out."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .cli_screen import progress_bar
from .errors import RelapseGuardError
from .population import read_population
from .reporting import DEFAULT_LIMIT, PLOT_HINT, collect_population, have_matplotlib, write_report

__all__ = ["run_report"]


def run_report(
    population_dir: str,
    policy_name: str,
    as_of: dt.date,
    out: str,
    workers: int = 1,
    limit: int = DEFAULT_LIMIT,
) -> int:
    """Screen a population directory and write ``report.md``, ``report.html`` (and charts) to ``out``.

    Prints the files written. Returns 0 when every row was read and every household screened,
    1 when there were bad rows or refused households (listed on stderr, and in the report);
    raises :class:`RelapseGuardError` for unusable input or an output directory that cannot
    be written.
    """
    if limit < 0:
        raise RelapseGuardError(f"--limit must not be negative, not {limit}")
    population = read_population(population_dir)
    progress = progress_bar if sys.stderr.isatty() else None
    data = collect_population(population, policy_name, as_of, workers=workers, limit=limit, progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    title = f"Relapse report: {Path(population_dir).resolve().name}"
    try:
        written = write_report(data, out, title=title)
    except OSError as error:
        raise RelapseGuardError(f"cannot write the report to {out}: {error}") from error
    for path in written:
        print(path)
    if not have_matplotlib():
        print(f"relapse-guard: {PLOT_HINT}", file=sys.stderr)
    for bad in data.bad_rows:
        print(f"relapse-guard: bad row: {bad}", file=sys.stderr)
    for household_id, message in sorted(data.refused.items()):
        print(f"relapse-guard: household {household_id!r} refused: {message}", file=sys.stderr)
    return 1 if data.bad_rows or data.refused else 0
