"""The parameter checks, from what the probe recorded: ``parameter_missing`` and ``parameter_invalid``.

A parameter is missing when a component reads a name the policy does not define (the engine
raises :class:`~relapse_guard.errors.UnknownParameter`), or reads one before its first value
on a date the policy uses: a rule, trigger or condition that then lets
:class:`~relapse_guard.errors.ParameterNotInForce` out fails the run (one that catches it
treats itself as not in force yet, by design), and an intervention with some parameters in
force and some not grants nothing. A parameter is invalid when a component refuses its value
(:class:`~relapse_guard.errors.InvalidPolicy` while probed).
"""

from __future__ import annotations

import datetime as dt

from .findings import Finding, quoted
from .probe import Log, Probe

__all__ = ["parameter_findings"]


def parameter_findings(probe: Probe) -> list[Finding]:
    """``parameter_missing`` findings by component (unknown names, then names read too early),
    then the ``parameter_invalid`` findings of values a component refused."""
    found = []
    for component, logs in probe.logs.items():
        unknown = sorted({name for log in logs.values() for name in log.unknown})
        if unknown:
            found.append(
                Finding(
                    "parameter_missing",
                    component,
                    f"reads {quoted(unknown)}, which the policy does not define: the engine raises UnknownParameter",
                )
            )
        found += _read_too_early(component, logs)
    for component, (on, error) in probe.errors.items():
        found.append(Finding("parameter_invalid", component, f"refuses its parameters on {on}: {error}"))
    return found


def _read_too_early(component: str, logs: dict[dt.date, Log]) -> list[Finding]:
    """Parameters ``component`` read before their first value, each reported on the first date it
    is a fault there (for an intervention: a date some of its parameters are in force)."""
    found = []
    reported: set[str] = set()
    for on, log in sorted(logs.items()):
        if not component.startswith("intervention ") and not log.late_escapes:
            continue  # it treats itself as not in force yet (catches ParameterNotInForce): no failure
        late = sorted(set(log.late) - reported)
        if not late:
            continue
        firsts = sorted({log.late[name] for name in late})
        missing = f"reads {quoted(late)}, with no value on {on} (first value {', '.join(map(str, firsts))})"
        in_force = sorted(set(log.reads) - set(log.late))
        if not component.startswith("intervention "):
            why = "a date the policy uses: there it lets ParameterNotInForce out, which fails the run"
        elif in_force:
            why = f"though {quoted(in_force)} is in force: it grants nothing until all are (not in force yet)"
        else:
            continue  # a scheme that starts later declines until then, by design: not reported yet
        reported |= set(late)
        found.append(Finding("parameter_missing", component, f"{missing}, {why}"))
    return found
