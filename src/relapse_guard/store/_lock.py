"""The store's cycle lock: one monitoring cycle at a time on a store.

A SQLite store's lock is an OS lock (``flock``) on a file beside the database, ``<file>.cycle-lock``:
it dies with the process holding it (a cycle killed with ``kill -9`` leaves nothing locked), and
it is taken only by the process running the cycle, never by opening the store, so the worker
processes of a cycle (``--workers``) open the store as before. The file holds what the holder says
of itself (its cycle, since when, its process id), for the message of a cycle refused; it stays
when the lock is released, and its presence means nothing. A store in memory holds the lock in
the process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import CycleRunning, StoreError

__all__ = ["LOCK_SUFFIX", "InProcessLock", "file_lock"]

#: What the lock file's name adds to the database file's.
LOCK_SUFFIX = ".cycle-lock"

# What a holder says of itself is short: reading this much of the file is enough.
_SAID = 4096


def _since() -> str:
    """The moment a cycle takes the lock: wall clock, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _holder(said: object) -> dict[str, Any]:
    """The keyword arguments of :class:`CycleRunning` from what a holder said of itself (nothing
    that does not read as such: a holder may be writing it)."""
    if not isinstance(said, dict):
        return {}
    cycle, since, pid = said.get("cycle"), said.get("since"), said.get("pid")
    return {
        "cycle": cycle if isinstance(cycle, str) else None,
        "since": since if isinstance(since, str) else None,
        "pid": pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
    }


class InProcessLock:
    """The cycle lock of a store living in one process (a :class:`~.memory.MemoryStore`, an
    in-memory SQLite store): a cycle run while another runs — from another thread, or from inside
    it, a progress callback's — is refused."""

    def __init__(self, store: str) -> None:
        self._store = store
        self._guard = threading.Lock()
        self._holder: dict[str, Any] | None = None

    @contextmanager
    def hold(self, cycle: str) -> Iterator[None]:
        """Hold the lock for a run of ``cycle``; :class:`CycleRunning` at once when it is held."""
        with self._guard:
            if self._holder is not None:
                raise CycleRunning(self._store, cycle, **_holder(self._holder))
            self._holder = {"cycle": cycle, "since": _since(), "pid": os.getpid()}
        try:
            yield
        finally:
            with self._guard:
                self._holder = None


@contextmanager
def file_lock(path: str, store: str, cycle: str) -> Iterator[None]:
    """Hold the OS lock on the file ``path`` for a run of ``cycle`` of ``store``; :class:`CycleRunning`
    at once when another holds it, :class:`StoreError` when the file cannot be opened."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StoreError(f"store {store!r}: cannot open its cycle lock file {path!r}: {error}") from error
    try:
        if not _try_lock(fd):
            raise CycleRunning(store, cycle, **_holder(_read_said(fd)))
        said = json.dumps({"cycle": cycle, "since": _since(), "pid": os.getpid()}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, said, 0)
        yield  # closing the file releases the lock
    finally:
        os.close(fd)


def _read_said(fd: int) -> object:
    try:
        return json.loads(os.pread(fd, _SAID, 0))
    except (OSError, ValueError):
        return None


if sys.platform == "win32":  # pragma: no cover - the project runs on POSIX; a lock all the same
    import msvcrt

    def _try_lock(fd: int) -> bool:
        """Lock a byte far past what the holder writes (a locked range cannot be read on Windows)."""
        os.lseek(fd, 1 << 20, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        """Take the lock without waiting: False when another open file holds it (any process, this one too)."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
