"""Where a command will write, proved writable before any work: an ``--out`` that cannot be written
is refused at once, naming it, rather than after a cycle is committed or a county screened."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .errors import RelapseGuardError

__all__ = ["check_file_place", "make_directory"]


def _why(error: OSError) -> str:
    """An OS error in words, with the path it met when that is known."""
    reason = error.strerror or str(error)
    return f"{reason}: {error.filename}" if error.filename is not None else reason


def _probe(directory: Path) -> None:
    """Write (and remove) a temporary file in ``directory``: what permission bits alone cannot tell
    (a read-only file system, ``/proc``, a root-owned directory seen by root) shows here."""
    with tempfile.TemporaryFile(dir=directory):
        pass


def make_directory(
    path: str | Path, what: str = "--out", *, error: type[RelapseGuardError] = RelapseGuardError
) -> Path:
    """The directory ``path``, made (with its parents) if missing and proved writable by writing a
    temporary file in it. Raises ``error`` naming ``what`` and the path when it cannot be made or
    written (a file in the way, no such parent on a file system that cannot make one, no permission)."""
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise error(f"{what} {path} cannot be made: {_why(problem)}") from None
    try:
        _probe(directory)
    except OSError as problem:
        raise error(f"{what} {path} cannot be written in: {problem.strerror or problem}") from None
    return directory


def check_file_place(
    path: str | Path, what: str = "--out", *, error: type[RelapseGuardError] = RelapseGuardError
) -> None:
    """Refuse, with ``error`` naming ``what`` and the path, a file ``path`` whose directory is missing,
    not a directory, or cannot be written in (a temporary file is written there and removed)."""
    parent = Path(path).absolute().parent
    if not parent.is_dir():
        missing = "is not a directory" if parent.exists() else "does not exist"
        raise error(f"{what} {path} cannot be written: its directory {parent} {missing}")
    try:
        _probe(parent)
    except OSError as problem:
        raise error(
            f"{what} {path} cannot be written: cannot write in {parent}: {problem.strerror or problem}"
        ) from None
