"""Errors of population files: a file or a directory that cannot be read at all.

A bad *row* is not an error: it becomes a :class:`~relapse_guard.population.BadRow` and
reading goes on. These are for what stops a whole file: a missing file, a CSV header
with an unknown column, a manifest of an unknown format version, a missing extra.
"""

from __future__ import annotations

from ..errors import RelapseGuardError

__all__ = ["MissingDependency", "PopulationError"]


class PopulationError(RelapseGuardError, ValueError):
    """A population directory, manifest or file cannot be read or written as a whole."""


class MissingDependency(PopulationError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs {package}, which is not installed: pip install 'relapse-guard[{extra}]' "
            f"(or pip install {package})"
        )
