"""Reading a shipped policy's parameter file, which lives beside its module."""

from __future__ import annotations

from importlib import resources

from ..parameters import ParameterTree

__all__ = ["load_parameters"]


def load_parameters(package: str, filename: str = "parameters.toml") -> ParameterTree:
    """The parameter tree in ``filename`` inside ``package`` (works from wheels and zips)."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return ParameterTree.from_toml(text, source=f"{package}/{filename}")
