"""Explicit plug-in registries, filled in code and from entry points.

A :class:`Registry` maps names to factories (a class or a function returning the plug-in).
Built-ins are declared where the registry is made; third-party packages add theirs by
entry point (``relapse_guard.triggers``, ``relapse_guard.interventions``,
``relapse_guard.policies``), loaded on first use. Nothing registers itself on import.

A plug-in whose import raises (a missing dependency, a bug in the package) does not stop the
others: using it raises :class:`~relapse_guard.errors.BrokenPlugin` with the reason, and
:meth:`Registry.broken` lists every such plug-in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from .errors import BrokenPlugin, InvalidArgument, UnknownPlugin, WrongType

__all__ = ["Registry"]

T = TypeVar("T")


def _import(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    found = importlib.import_module(module_name.strip())
    for part in attribute.strip().split(".") if attribute.strip() else ():
        found = getattr(found, part)
    return found


def reason(error: BaseException) -> str:
    """An error as a one-line reason: its type and message."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Registry(Generic[T]):
    """Named factories of one plug-in kind.

    ``builtins`` maps names to ``"module:attribute"`` paths, imported only when asked for.
    """

    def __init__(self, kind: str, group: str, builtins: Mapping[str, str] | None = None) -> None:
        self.kind = kind
        self.group = group
        self._paths: dict[str, str] = dict(builtins or {})
        self._factories: dict[str, Callable[..., T]] = {}
        self._broken: dict[str, BrokenPlugin] = {}
        self._entry_points_loaded = False

    def register(self, name: str, factory: Callable[..., T], *, replace: bool = False) -> None:
        """Register ``factory`` under ``name``; a taken name needs ``replace=True``. ``factory`` is
        a class or a function that builds the plug-in: a plug-in itself (a policy made already)
        is refused with :class:`~relapse_guard.errors.WrongType` saying to register
        ``lambda: value`` instead."""
        if not callable(factory):
            raise WrongType(
                f"{self.kind} {name!r}: register() takes a class or a function that builds the {self.kind}, not a "
                f"{type(factory).__name__} (register({name!r}, lambda: value) registers a value made already)"
            )
        if not replace and name in self.names():
            raise InvalidArgument(f"{self.kind} {name!r} is already registered (pass replace=True to replace it)")
        self._factories[name] = factory
        self._paths.pop(name, None)
        self._broken.pop(name, None)

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
        """The factory registered as ``name``; :class:`UnknownPlugin` lists the known names,
        :class:`~relapse_guard.errors.BrokenPlugin` says why a registered one cannot be loaded."""
        if not isinstance(name, str):
            raise WrongType(f"a {self.kind} name must be text, not {type(name).__name__} {name!r}")
        if name not in self._factories:
            if name in self._broken:
                raise self._broken[name]
            self._load_entry_points()
            path = self._paths.get(name)
            if path is None:
                raise UnknownPlugin(self.kind, name, self.names())
            try:
                self._factories[name] = _import(path)
            except Exception as error:  # a plug-in's import may raise anything: say which and why
                broken = BrokenPlugin(self.kind, name, path, reason(error))
                broken.__cause__ = error
                self._broken[name] = broken
                raise broken from error
        return self._factories[name]

    def broken(self) -> dict[str, BrokenPlugin]:
        """Every registered plug-in that cannot be loaded, by name, with the reason (each is imported to know)."""
        found: dict[str, BrokenPlugin] = {}
        for name in self.names():
            try:
                self.factory(name)
            except BrokenPlugin as error:
                found[name] = error
        return found

    def source(self, name: str) -> str:
        """Where ``name`` comes from: its ``"module:attribute"`` path, or the registered factory's name."""
        self._load_entry_points()
        path = self._paths.get(name)
        if path is not None:
            return path
        factory = self._factories.get(name)
        if factory is None:
            raise UnknownPlugin(self.kind, name, self.names())
        qualname = getattr(factory, "__qualname__", None)
        return f"{getattr(factory, '__module__', '?')}:{qualname or type(factory).__qualname__ + ' object'}"

    def create(self, name: str, /, **config: Any) -> T:
        """Call the factory registered as ``name`` with ``config``."""
        return self.factory(name)(**config)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
