"""Progress on stderr, as the command lines draw it.

A command draws progress when stderr is a terminal, or when asked with ``--progress``
(:func:`wants_progress`). On a terminal, :class:`ProgressLine` rewrites one line in place;
elsewhere (a log file, CI) it writes whole lines, at most one every few seconds, and the
last one when closed.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressLine", "wants_progress"]

#: Seconds between two lines written to a stream that is not a terminal.
LOG_INTERVAL = 5.0
#: Seconds between two redraws on a terminal.
TERMINAL_INTERVAL = 0.1


def wants_progress(asked: bool, stream: TextIO | None = None) -> bool:
    """Whether to draw progress: ``asked`` (``--progress``), or ``stream`` (default stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    return asked or stream.isatty()


class ProgressLine:
    """Progress text on ``stream`` (default stderr): one line rewritten in place on a terminal,
    whole lines at most every ``interval`` seconds elsewhere. :meth:`close` shows the last
    text if it was held back, and ends the line."""

    def __init__(self, stream: TextIO | None = None, *, interval: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self.interval = interval if interval is not None else TERMINAL_INTERVAL if self.terminal else LOG_INTERVAL
        self.started = time.perf_counter()
        self._shown_at: float | None = None
        self._held: str | None = None
        self._drawn = False

    @property
    def seconds(self) -> float:
        """Seconds since the line was made."""
        return time.perf_counter() - self.started

    def show(self, text: str, *, now: bool = False) -> None:
        """Show ``text``, or hold it back until the interval has passed (unless ``now``)."""
        at = time.perf_counter()
        if not now and self._shown_at is not None and at - self._shown_at < self.interval:
            self._held = text
            return
        self._write(text)
        self._shown_at = at

    def _write(self, text: str) -> None:
        self._held = None
        self._drawn = True
        self.stream.write(f"\r{text}\x1b[K" if self.terminal else text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Show the text held back, if any, and end the line on a terminal."""
        if self._held is not None:
            self._write(self._held)
        if self.terminal and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False
