"""Explicit plug-in registries, filled in code and from entry points.

A :class:`Registry` maps names to factories (a class or a function returning the plug-in).
Built-ins are declared where the registry is made; third-party packages add theirs by
entry point (``relapse_guard.triggers``, ``relapse_guard.interventions``,
``relapse_guard.policies``), loaded on first use. Nothing registers itself on import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from .errors import InvalidArgument, UnknownPlugin

__all__ = ["Registry"]

T = TypeVar("T")


def _import(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


class Registry(Generic[T]):
    """Named factories of one plug-in kind.

    ``builtins`` maps names to ``"module:attribute"`` paths, imported only when asked for.
    """

    def __init__(self, kind: str, group: str, builtins: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.group = group
        self._paths: dict[str, str] = dict(builtins or {})
        self._factories: dict[str, Callable[..., T]] = {}
        self._entry_points_loaded = False

    def register(self, name: str, factory: Callable[..., T], *, replace: bool = False) -> None:
        """Register ``factory`` under ``name``; a taken name needs ``replace=True``."""
        if not replace and name in self.names():
            raise InvalidArgument(f"{self.kind} {name!r} is already registered (pass replace=True to replace it)")
        self._factories[name] = factory
        self._paths.pop(name, None)

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for entry_point in entry_points(group=self.group):
            if entry_point.name not in self._factories:
                self._paths.setdefault(entry_point.name, entry_point.value)

    def names(self) -> tuple[str, ...]:
        """Every registered name, sorted (built-ins, code and entry points)."""
        self._load_entry_points()
        return tuple(sorted(set(self._paths) | set(self._factories)))

    def factory(self, name: str) -> Callable[..., T]:
        """The factory registered as ``name``; :class:`UnknownPlugin` lists the known names."""
        if name not in self._factories:
            self._load_entry_points()
            path = self._paths.get(name)
            if path is None:
                raise UnknownPlugin(self.kind, name, self.names())
            self._factories[name] = _import(path)
        return self._factories[name]

    def create(self, name: str, /, **config: Any) -> T:
        """Call the factory registered as ``name`` with ``config``."""
        return self.factory(name)(**config)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
