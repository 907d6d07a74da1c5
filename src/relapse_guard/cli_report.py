"""The ``report`` command of ``relapse-guard``: a population directory or a store in, a Markdown and HTML report out."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .cli_policy import load_policy_spec
from .cli_screen import check_out, print_paths, print_problems, progress_bar
from .errors import InvalidArgument, RelapseGuardError, StoreError
from .interface import tr
from .population import read_population
from .progress_line import ProgressLine, wants_progress
from .reporting import (
    DEFAULT_LIMIT,
    HTML_NAME,
    MARKDOWN_NAME,
    collect_population,
    have_matplotlib,
    plot_hint,
    write_report,
)
from .reporting.from_store import collect_store
from .screening.choice import PolicySource

__all__ = ["run_report"]


def run_report(
    population_dir: str | None,
    policy_name: PolicySource,
    as_of: dt.date,
    out: str,
    workers: int = 1,
    limit: int = DEFAULT_LIMIT,
    *,
    fail_fast: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    lang: str = "en",
    engine: str = "scalar",
    store: str | None = None,
) -> int:
    """Screen a population directory and write ``report.md``, ``report.html`` (and charts) to ``out``.

    With ``store`` (and no ``population_dir``), report on the households and facts a monitoring
    store holds instead (:func:`~relapse_guard.reporting.from_store.collect_store`).

    ``lang`` is the language of the report and of the lines printed (``en`` or ``zh-CN``).
    ``engine`` is ``scalar``, ``columnar`` or ``auto`` (docs/columnar.md): the figures are the
    same; a columnar gathering says on stderr how many households went each way.

    ``policy_name`` is a policy spec (see :func:`~relapse_guard.cli_check.load_policy_spec`) or
    a policy map, each household then under the policy its place has on ``as_of``. Progress is
    drawn on stderr when it is a terminal, or with ``progress``.

    Prints the files written. Returns 0 when every row was read and every household screened,
    1 when there were bad rows or problem households (listed on stderr, and in the report);
    raises :class:`RelapseGuardError` for unusable input or an output directory that cannot
    be written (checked before the screen: a file, a directory with a report in it unless
    ``overwrite``), and with ``fail_fast``
    :class:`~relapse_guard.screening.screen.StoppedAtProblem` at the first problem household.
    """
    if limit < 0:
        raise InvalidArgument(f"--limit must not be negative, not {limit}")
    if (population_dir is None) == (store is None):
        raise InvalidArgument(
            "report needs a population directory or --store FILE, not both"
            if store is not None
            else "report needs a population directory or --store FILE"
        )
    population = read_population(population_dir) if population_dir is not None else None
    if store is not None and not Path(store).is_file():
        raise StoreError(f"no store file at {store}")
    if isinstance(policy_name, str):
        load_policy_spec(policy_name)
    check_out(out, (MARKDOWN_NAME, HTML_NAME), overwrite=overwrite)
    line = ProgressLine() if wants_progress(progress) else None
    try:
        bar = progress_bar(line, lang) if line is not None else None
        if population is not None:
            data = collect_population(
                population,
                policy_name,
                as_of,
                workers=workers,
                limit=limit,
                progress=bar,
                fail_fast=fail_fast,
                load=load_policy_spec,
                lang=lang,
                engine=engine,
            )
        else:
            assert store is not None
            data = collect_store(
                store,
                policy_name,
                as_of,
                workers=workers,
                limit=limit,
                progress=bar,
                fail_fast=fail_fast,
                load=load_policy_spec,
                lang=lang,
                engine=engine,
            )
    finally:
        if line is not None:
            line.close()
    source = population_dir if population_dir is not None else store
    title = tr(lang, "Relapse report: {name}", name=Path(str(source)).resolve().name)
    try:
        written = write_report(data, out, title=title, lang=lang)
    except OSError as error:
        raise RelapseGuardError(f"cannot write the report to {out}: {error}") from error
    for path in written:
        print(path)
    if not have_matplotlib():
        print(f"relapse-guard: {plot_hint(lang)}", file=sys.stderr)
    print_paths(data.paths, lang)
    print_problems(data.bad_rows, data.problems, lang=lang)
    return 1 if data.bad_rows or data.problems else 0
