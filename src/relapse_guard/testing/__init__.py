"""The policy-testing kit: strategies, a stateful harness, the library's invariants and test tables.

- :mod:`relapse_guard.testing.strategies`: :func:`households`, :func:`members`,
  :func:`facts_of`, :func:`histories`, :func:`incomes`, :func:`amounts`;
- :mod:`relapse_guard.testing.stateful`: :class:`PolicyStateMachine`, the harness a test
  suite subclasses with its policy;
- :mod:`relapse_guard.testing.invariants`: each invariant as a function, and
  :func:`check_result` to run them on one result (all but ``history_is_append_only``, which
  compares two results);
- :mod:`relapse_guard.testing.tables`: worked cases written as TOML (policy test tables),
  run through the engine, each failure shown as a diff of what was expected and what came;
- :func:`vectorised_matches_engine`: the columnar screen against the engine, row by row, for
  a policy's vectorised forms (needs numpy: the ``fast`` extra; docs/columnar.md).

The strategies and the harness need hypothesis (``pip install 'relapse-guard[test]'``); the
invariants and the test tables do not. The names here load their module on first use, so
that importing :mod:`relapse_guard.testing.tables` (``relapse-guard test``, the pytest
plug-in) works without hypothesis.

See ``docs/testing-your-policy.md``.
"""

from __future__ import annotations

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing`; type checkers take any ``TYPE_CHECKING`` to be true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from ..screening.columnar.check import VectorisedCheck, vectorised_matches_engine
    from .invariants import DEADLINE_PARAMETER, INVARIANTS, Violation, check_result
    from .stateful import PolicyStateMachine, harness_settings
    from .strategies import amounts, facts_of, histories, households, incomes, members

__all__ = [
    "DEADLINE_PARAMETER",
    "INVARIANTS",
    "PolicyStateMachine",
    "VectorisedCheck",
    "Violation",
    "amounts",
    "check_result",
    "facts_of",
    "harness_settings",
    "histories",
    "households",
    "incomes",
    "members",
    "vectorised_matches_engine",
]

#: Each name with the module that defines it, loaded on first use.
_LAZY = {
    "DEADLINE_PARAMETER": "invariants",
    "INVARIANTS": "invariants",
    "Violation": "invariants",
    "check_result": "invariants",
    "PolicyStateMachine": "stateful",
    "harness_settings": "stateful",
    "amounts": "strategies",
    "facts_of": "strategies",
    "histories": "strategies",
    "households": "strategies",
    "incomes": "strategies",
    "members": "strategies",
    # the columnar screen's own check (it needs numpy), loaded from the screening layer on first use
    "VectorisedCheck": "relapse_guard.screening.columnar.check",
    "vectorised_matches_engine": "relapse_guard.screening.columnar.check",
}

if not TYPE_CHECKING:  # type checkers see the imports above; an unknown name stays an error for them

    def __getattr__(name: str) -> object:
        """Import a name's module on first use (PEP 562), then keep the name here."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        try:
            loaded = import_module(module if "." in module else f"{__name__}.{module}")
        except ModuleNotFoundError as error:
            if error.name == "numpy":
                raise ImportError(
                    f"relapse_guard.testing.{name} needs numpy: pip install 'relapse-guard[fast]'"
                ) from error
            if error.name != "hypothesis":
                raise
            raise ImportError(
                f"relapse_guard.testing.{name} needs hypothesis: pip install 'relapse-guard[test]' "
                "(or pip install hypothesis)"
            ) from error
        value = getattr(loaded, name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
