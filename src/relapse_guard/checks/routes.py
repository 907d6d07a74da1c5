"""The checks of routes against triggers and interventions: ``unrouted_risk_kind``, ``dead_route``
and ``unused_intervention``, and the risk kinds each trigger declares (:func:`risk_kinds`).

A trigger's kinds are those it declares in ``risk_kinds`` (see
:class:`~relapse_guard.triggers.base.Trigger`) and those the probe saw it produce. A trigger
object that declares none (no ``risk_kinds`` attribute, or an empty one) is assumed to
produce risks of its ``name``; a finding that rests on that assumption says so.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from typing import TYPE_CHECKING

from ..errors import InvalidPlugin
from ..routing import is_occasion
from ..triggers.base import Trigger
from .findings import Finding
from .probe import Probe

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["declared_risk_kinds", "produced_kinds", "risk_kinds", "route_findings", "unused_interventions"]

_ASSUMED = " (assumed from its name: it declares no risk_kinds)"


def declared_risk_kinds(trigger: Trigger) -> tuple[str, ...] | None:
    """The kinds ``trigger`` declares in ``risk_kinds``, or None when it declares none.

    A tuple keeps its order, a set or frozenset is sorted, and a lone string is one kind.
    Raises :class:`~relapse_guard.errors.InvalidPlugin` (a ``TypeError``) naming the trigger
    when ``risk_kinds`` is not a collection of str.
    """
    declared: object = getattr(trigger, "risk_kinds", None)
    if isinstance(declared, str):
        return (declared,)
    if declared is None or (isinstance(declared, Collection) and not declared):
        return None
    if isinstance(declared, Collection) and all(isinstance(kind, str) for kind in declared):
        return tuple(sorted(declared) if isinstance(declared, set | frozenset) else declared)
    raise InvalidPlugin(
        f"trigger {getattr(trigger, 'name', trigger)!r}: risk_kinds must be a tuple or frozenset of str, "
        f"not {declared!r}"
    )


def risk_kinds(trigger: Trigger) -> tuple[str, ...]:
    """The risk kinds ``trigger`` declares (its ``risk_kinds``), else its ``name`` (an assumption:
    a trigger should declare ``risk_kinds``); see :func:`declared_risk_kinds`.

    >>> from relapse_guard.triggers import IllnessTrigger
    >>> risk_kinds(IllnessTrigger(name="illness_b"))
    ('illness',)
    """
    declared = declared_risk_kinds(trigger)
    return (trigger.name,) if declared is None else declared


def produced_kinds(policy: Policy, probe: Probe) -> dict[str, dict[str, bool]]:
    """Each risk kind the policy's triggers produce: the triggers producing it, in policy order,
    each with True when that is only assumed (an undeclared kind the probe did not see)."""
    produced: dict[str, dict[str, bool]] = {}
    for trigger in policy.triggers:
        seen = sorted(probe.kinds.get(trigger.name, ()))
        assumed = declared_risk_kinds(trigger) is None and trigger.name not in seen
        for kind in (*risk_kinds(trigger), *seen):
            produced.setdefault(kind, {}).setdefault(trigger.name, assumed and kind == trigger.name)
    return produced


def route_findings(policy: Policy, probe: Probe) -> list[Finding]:
    """``unrouted_risk_kind`` findings (a kind produced with no route, or an empty one), then
    ``dead_route`` findings (a route for a kind nothing produces, with the likeliest kind meant)."""
    produced = produced_kinds(policy, probe)
    found = []
    for kind, triggers in produced.items():
        if not policy.routes.get(kind):
            what = "has an empty route" if kind in policy.routes else "has no route"
            found += [
                Finding(
                    "unrouted_risk_kind",
                    f"trigger {name}",
                    f"produces {kind!r} risks{_ASSUMED if assumed else ''}, and {kind!r} {what}: "
                    "such a risk is recorded but nobody is helped",
                )
                for name, assumed in triggers.items()
            ]
    for kind in policy.routes:
        if is_occasion(kind) or kind in produced:  # entered:<state>, each_year:<state>: the engine's own
            continue
        close = difflib.get_close_matches(kind, list(produced), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(produced)) or "none"
        found.append(
            Finding("dead_route", f"route {kind}", f"no trigger produces {kind!r} risks (they produce: {known}){hint}")
        )
    return found


def unused_interventions(policy: Policy) -> list[Finding]:
    """``unused_intervention`` findings: interventions no route names."""
    used = {s.intervention for steps in policy.routes.values() for s in steps}
    return [
        Finding("unused_intervention", f"intervention {name}", "no route names it, so it never grants anything")
        for name in policy.interventions
        if name not in used
    ]
