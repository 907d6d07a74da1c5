"""A command's standard output and standard error, which a reader may leave (``relapse-guard ... | head -1``,
``relapse-guard ... 2>&1 | tee log`` with ``tee`` killed)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, TextIO, cast

__all__ = ["GuardedStdout", "GuardedStream", "guarded_output", "guarded_stderr", "guarded_stdout", "to_null"]


class GuardedStream:
    """``sys.stdout`` or ``sys.stderr`` while a command runs: a reader that goes away
    (``relapse-guard ... | head -1``, a ``tee`` of stderr killed) does not stop the work.

    The first write or flush that meets a closed pipe points the stream's file at the null device
    (so that no later flush, the interpreter's last one included, fails again) and drops whatever
    is written after it: the command goes on, writes its ``--out`` files and its messages on
    the other stream, and exits with the code it earned. Everything else is the stream's own.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        """Write ``text``, or drop it once the reader has gone; its length either way."""
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        """Flush the stream, unless its reader has gone."""
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


#: The name the guard had when it guarded stdout alone.
GuardedStdout = GuardedStream


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
def _guarded(name: Literal["stdout", "stderr"]) -> Iterator[GuardedStream]:
    guarded = GuardedStream(cast(TextIO, getattr(sys, name)))
    setattr(sys, name, cast(TextIO, guarded))
    try:
        yield guarded
    finally:
        guarded.flush()
        if getattr(sys, name) is cast(TextIO, guarded):
            setattr(sys, name, guarded.stream)


@contextmanager
def guarded_stdout() -> Iterator[GuardedStream]:
    """``sys.stdout`` guarded by :class:`GuardedStream` while the block runs, flushed at its end
    (a closed pipe shows there, not at the interpreter's exit) and given back after."""
    with _guarded("stdout") as stdout:
        yield stdout


@contextmanager
def guarded_stderr() -> Iterator[GuardedStream]:
    """``sys.stderr`` guarded by :class:`GuardedStream` while the block runs, as :func:`guarded_stdout`
    guards stdout: a reader of stderr that goes away (``... 2>&1 | tee log``, ``tee`` killed) changes
    neither the work nor the exit code."""
    with _guarded("stderr") as stderr:
        yield stderr


@contextmanager
def guarded_output() -> Iterator[tuple[GuardedStream, GuardedStream]]:
    """Both ``sys.stdout`` and ``sys.stderr`` guarded while the block runs: ``(stdout, stderr)``.

    stderr is guarded first and given back last, so that what is said on it while stdout is
    flushed at the end is guarded too."""
    with guarded_stderr() as stderr, guarded_stdout() as stdout:
        yield stdout, stderr
