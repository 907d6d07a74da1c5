"""pyarrow (the ``parquet`` extra), imported on first use so the rest of the package works without it."""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import MissingDependency

__all__ = ["arrow", "compute", "pyarrow_modules"]


def pyarrow_modules() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``; :class:`MissingDependency` naming the extra when not installed."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise MissingDependency("pyarrow", "parquet", "reading and writing Parquet files") from None


def arrow() -> Any:
    """The ``pyarrow`` module (see :func:`pyarrow_modules`)."""
    return pyarrow_modules()[0]


def compute() -> Any:
    """The ``pyarrow.compute`` module (see :func:`pyarrow_modules`)."""
    pyarrow_modules()
    return importlib.import_module("pyarrow.compute")
