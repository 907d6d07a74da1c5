"""The ``component_fails`` check, from what the probe recorded: a component that raises on every input.

A rule, trigger, condition or intervention that raises on some probe inputs only is not
reported: the probe's households and facts are representative, not real, and a component may
never meet the ones it refuses. One that raises on every input it is given (a typo in its
code, a wrong attribute, a division by zero) fails every run that calls it.

A rule, condition, trigger or intervention that gives back what the engine refuses (``True``
for a verdict or a risk, a number for a grant, a float amount or cost:
:mod:`relapse_guard.engine.answers`) is reported whenever it does: that is a fault of its code,
not of the input.
"""

from __future__ import annotations

from .findings import Finding
from .probe import Probe

__all__ = ["failure_findings"]


def failure_findings(probe: Probe) -> list[Finding]:
    """A ``component_fails`` finding for each component that raised on every call the probe made,
    and for each that gave back, on any call, what the engine refuses."""
    found = []
    for component, (count, on, error) in probe.failures.items():
        if count < probe.calls.get(component, 0):
            continue
        calls = f"{count} call" if count == 1 else f"{count} calls"
        found.append(
            Finding(
                "component_fails",
                component,
                f"raised on every input probed ({calls}), first on {on}: {type(error).__name__}: "
                f"{str(error) or '(no message)'}; a run that calls it fails",
            )
        )
    for component, (on, wrong) in probe.wrong.items():
        found.append(
            Finding(
                "component_fails",
                component,
                f"gave back what the engine refuses, first on {on}: {wrong}; a run that gets it fails",
            )
        )
    return found
