"""A command's standard output that a reader may leave (``relapse-guard ... | head -1``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO, cast

__all__ = ["GuardedStdout", "guarded_stdout", "to_null"]


class GuardedStdout:
    """``sys.stdout`` while a command runs: a reader that goes away (``relapse-guard ... | head -1``)
    does not stop the work.

    The first write or flush that meets a closed pipe points the stream's file at the null device
    (so that no later flush, the interpreter's last one included, fails again) and drops whatever
    is written after it: the command goes on, writes its ``--out`` files and its messages on
    stderr, and exits with the code it earned. Everything else is the stream's own.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self.gone = True
        to_null(self.stream)

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def to_null(stream: TextIO) -> None:
    """Point the file under ``stream`` at the null device (a stream without one is left as it is)."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


@contextmanager
def guarded_stdout() -> Iterator[GuardedStdout]:
    """``sys.stdout`` guarded by :class:`GuardedStdout` while the block runs, flushed at its end
    (a closed pipe shows there, not at the interpreter's exit) and given back after."""
    stdout = GuardedStdout(sys.stdout)
    sys.stdout = cast(TextIO, stdout)
    try:
        yield stdout
    finally:
        stdout.flush()
        if sys.stdout is cast(TextIO, stdout):
            sys.stdout = stdout.stream
