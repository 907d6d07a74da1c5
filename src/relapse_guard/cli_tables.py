"""The ``test`` command of ``relapse-guard``: run files of worked cases (policy test tables).

Each file runs under the policy it names at its top, or under ``--policy`` (a registered name,
``path/to/file.py:NAME`` or ``package.module:NAME``, as :func:`~relapse_guard.cli_policy.load_policy_spec`
reads it); with no file, the cases a registered ``--policy`` ships are run. Each failing case
is printed with its differences, expected against got, then a summary line; the exit code is 0
when every case passes and 1 when one fails. See :mod:`relapse_guard.testing.tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .cli_policy import load_policy_spec
from .errors import RelapseGuardError, UnknownPlugin
from .policy import Policy
from .testing.tables import CaseFile, load_case_file, policy_cases, summary_line

__all__ = ["run_tables"]


def run_tables(
    files: Sequence[str],
    policy: str | None = None,
    *,
    explain: bool = False,
    verbose: bool = False,
    lang: str = "en",
) -> int:
    """Run the worked cases of ``files`` and print the failures and a summary; return the exit code.

    ``policy`` (a spec) runs every file under it instead of the policy the file names; with no
    ``files``, the cases the registered policy ``policy`` ships are run. ``explain`` prints each
    failing case's timeline too, ``verbose`` a line for each case that passes. The report's own
    words and the summary line are said in ``lang``.

    Every file is read before any case runs: one that cannot be read raises
    :class:`~relapse_guard.errors.InvalidCaseFile` (the command line's exit code 2), naming the
    file, the case, the field and the value.
    """
    load = _loader()
    given = load(policy) if policy is not None else None
    case_files = [load_case_file(path, policy=given, load=load) for path in files] if files else [_shipped(policy)]
    passed = failed = 0
    for case_file in case_files:
        for outcome in case_file.run():
            if outcome.passed:
                passed += 1
                if verbose:
                    print(outcome.report(lang=lang))
            else:
                failed += 1
                print(outcome.report(explain=explain, lang=lang))
                print()
    print(summary_line(passed, failed, lang))
    return 1 if failed else 0


def _loader() -> Callable[[str], Policy]:
    """:func:`load_policy_spec`, loading each spec once in a run (files naming one policy share it)."""
    loaded: dict[str, Policy] = {}

    def load(spec: str) -> Policy:
        if spec not in loaded:
            loaded[spec] = load_policy_spec(spec)
        return loaded[spec]

    return load


def _shipped(policy: str | None) -> CaseFile:
    """The cases the registered policy ``policy`` ships, or an error saying to give case files."""
    if policy is None:
        raise RelapseGuardError("give case files to run (FILE...), or --policy NAME to run the cases it ships")
    try:
        found = policy_cases(policy)
    except UnknownPlugin:
        found = None
    if found is None:
        raise RelapseGuardError(f"policy {policy!r} ships no cases; give case files to run (FILE...)")
    return found
