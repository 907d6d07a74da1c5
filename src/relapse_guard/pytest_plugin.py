"""The pytest plug-in: files of worked cases (policy test tables) collected as tests, one per case.

Installed with relapse_guard, the plug-in is active in every pytest run (the entry point
``relapse_guard`` of the group ``pytest11``): ``-p no:relapse_guard`` turns it off, and
``-p relapse_guard`` turns it on where plug-ins are not loaded automatically
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD``). It needs pytest, of the ``test`` extra.

A file named ``test_*.toml`` that has a ``[[case]]`` table is a case file (see
:mod:`relapse_guard.testing.tables`); every other TOML file is left alone. Each case is a test
item named by the case. A failing case shows each field that differs, expected against got, and
the household's explained timeline (not with ``--tb=short``, ``line`` or ``no``); a file that
cannot be read is a collection error naming the file, the case, the field and the value.

Each file runs under the policy it names at its top (a registered name, ``path.py:NAME`` relative
to the file, or ``package.module:NAME``), or under ``--relapse-guard-policy POLICY`` for every
file of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .errors import RelapseGuardError

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from .engine import Engine
    from .policy import Policy
    from .testing.tables import CaseOutcome, WorkedCase

__all__ = ["CaseFailed", "CaseFileCollector", "CaseItem", "pytest_addoption", "pytest_collect_file"]

#: The policies given with ``--relapse-guard-policy``, loaded once a run.
_POLICIES = pytest.StashKey[dict[str, "Policy"]]()
#: The styles of ``--tb`` that ask for short failures: no timeline then.
_SHORT = ("short", "line", "no")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--relapse-guard-policy POLICY``: run every case file under this policy."""
    group = parser.getgroup("relapse_guard", "relapse_guard policy test tables")
    group.addoption(
        "--relapse-guard-policy",
        metavar="POLICY",
        default=None,
        help="run every case file (test_*.toml) under this policy instead of the one it names: a registered "
        "name, path/to/file.py:NAME or package.module:NAME",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFileCollector | None:
    """A collector for a ``test_*.toml`` file that has a ``[[case]]`` table."""
    if file_path.suffix != ".toml" or not file_path.name.startswith("test_"):
        return None
    from .testing.tables import has_cases

    try:
        text = file_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # not a case file of ours: one would be UTF-8 text
    if not has_cases(text):
        return None
    collector: CaseFileCollector = CaseFileCollector.from_parent(parent, path=file_path)
    return collector


class CaseFailed(AssertionError):
    """A case whose result is not what it expects; ``outcome`` says how."""

    def __init__(self, outcome: CaseOutcome) -> None:
        super().__init__(outcome.report())
        self.outcome = outcome


class CaseFileCollector(pytest.File):
    """A case file: one :class:`CaseItem` per case, run with one engine of the file's policy."""

    def collect(self) -> Iterator[CaseItem]:
        """The file's cases, read under its policy (or ``--relapse-guard-policy``)."""
        from .cli_policy import load_policy_spec
        from .engine import Engine
        from .testing.tables import load_case_file

        spec = self.config.getoption("relapse_guard_policy", default=None)
        policy = None
        if spec is not None:
            loaded = self.config.stash.setdefault(_POLICIES, {})
            if spec not in loaded:
                loaded[spec] = load_policy_spec(spec)
            policy = loaded[spec]
        case_file = load_case_file(
            self.path,
            policy=policy,
            load=load_policy_spec,
            source=self._source(),
            policy_option="--relapse-guard-policy",
        )
        engine = Engine(case_file.policy)
        for case in case_file.cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, engine=engine)

    def _source(self) -> str:
        """The file as reports name it: relative to the root directory when it is inside it."""
        try:
            return self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            return str(self.path)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        """A file that cannot be read: the library's message (file, case, field, value), no traceback."""
        if isinstance(excinfo.value, RelapseGuardError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class CaseItem(pytest.Item):
    """One worked case, run through the engine; it fails with the differences from what it expects."""

    def __init__(self, *, case: WorkedCase, engine: Engine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.engine = engine

    def runtest(self) -> None:
        """Run the case; raise :class:`CaseFailed` when it does not pass."""
        from .testing.tables import run_case

        outcome = run_case(self.case, self.engine)
        if not outcome.passed:
            raise CaseFailed(outcome)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        """The differences, expected against got, and the household's timeline (unless ``--tb`` is short)."""
        if isinstance(excinfo.value, CaseFailed):
            short = self.config.getoption("tbstyle", default="auto") in _SHORT
            return excinfo.value.outcome.report(explain=not short)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the case is: its file and its label (``case #2 'name'``)."""
        return self.path, None, self.case.label
