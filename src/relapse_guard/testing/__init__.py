"""The policy-testing kit: strategies, a stateful harness and the library's invariants.

Needs hypothesis (``pip install 'relapse-guard[test]'``); the rest of the library does not.

- :mod:`relapse_guard.testing.strategies`: :func:`households`, :func:`members`,
  :func:`facts_of`, :func:`histories`, :func:`incomes`, :func:`amounts`;
- :mod:`relapse_guard.testing.stateful`: :class:`PolicyStateMachine`, the harness a test
  suite subclasses with its policy;
- :mod:`relapse_guard.testing.invariants`: each invariant as a function, and
  :func:`check_result` to run them all on one result.

See ``docs/testing-your-policy.md``.
"""

try:
    import hypothesis  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "relapse_guard.testing needs hypothesis: pip install 'relapse-guard[test]' (or pip install hypothesis)"
    ) from error

from .invariants import DEADLINE_PARAMETER, INVARIANTS, Violation, check_result
from .stateful import PolicyStateMachine, harness_settings
from .strategies import amounts, facts_of, histories, households, incomes, members

__all__ = [
    "DEADLINE_PARAMETER",
    "INVARIANTS",
    "PolicyStateMachine",
    "Violation",
    "amounts",
    "check_result",
    "facts_of",
    "harness_settings",
    "histories",
    "households",
    "incomes",
    "members",
]
