"""The lifecycle check (``unreachable_state``): states a policy never reaches, and what never runs.

A state is unreachable when the policy takes no fact that leads to it (no observing facts, no
``assistance_granted`` facts while routing grants nothing, no ``exit_verified`` facts), or
when every exit raises because of the transition period's values, on every date (each value
refused is also a ``parameter_invalid`` finding; one refused from some date only leaves the
states reachable by the exits before it); the states after it are then unreachable too. The
``entered:<state>`` routes and the reviews of such states never run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING

from ..facts import AssistanceGranted, ExitVerified, ReviewCompleted
from ..lifecycle import State
from ..parameters import ParameterTree
from ..routing import each_year, entered, is_occasion
from .findings import Finding

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["reachability_findings", "unreachable_states"]

_STATE_NAMES = {state.value for state in State}
_NOT_OBSERVING = {AssistanceGranted.kind, ExitVerified.kind, ReviewCompleted.kind}


def unreachable_states(policy: Policy) -> dict[State, str]:
    """The states ``policy`` can never reach, each with the reason, in lifecycle order."""
    kinds = set(policy.fact_kinds)
    why: dict[State, str] = {}
    if not kinds - _NOT_OBSERVING:
        why[State.IDENTIFIED] = "the policy takes no fact that observes a household, so no identification rule is run"
    grant_while_on_file = {
        entered(State.IDENTIFIED),
        entered(State.RELAPSED),
        each_year(State.IDENTIFIED),
        each_year(State.RELAPSED),
    }
    routed = [k for k, steps in policy.routes.items() if steps and (not is_occasion(k) or k in grant_while_on_file)]
    if State.IDENTIFIED in why:
        why[State.ASSISTED] = "no household is ever identified"
    elif AssistanceGranted.kind not in kinds and not (policy.assist_on_grant and routed):
        why[State.ASSISTED] = "the policy takes no assistance_granted facts and " + (
            "its routes grant nothing" if policy.assist_on_grant else "assist_on_grant is False"
        )
    if State.ASSISTED in why:
        why[State.EXITED] = "no household is ever assisted"
    elif ExitVerified.kind not in kinds:
        why[State.EXITED] = "the policy takes no exit_verified facts"
    elif _always_bad(policy.parameters):
        why[State.EXITED] = "every exit raises InvalidPolicy: " + "; ".join(_bad_transition_values(policy.parameters))
    if State.EXITED in why:
        why[State.MONITORED] = why[State.RELAPSED] = "no household ever exits"
    if State.MONITORED in why:
        why[State.STABLE] = "no household is ever monitored"
    return why


def _bad_starts(value: object) -> bool:
    return value not in ("exit_date", "next_year")


def _years_fault(value: object) -> str | None:
    """Why an exit refuses ``value`` as ``transition.years`` (as the engine does), or None."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return "is not a number of years"
    if value != int(value):
        return "is not a whole number of years"
    return "is negative: a transition period lasts a whole number of years, 0 or more" if value < 0 else None


def _bad_transition_values(tree: ParameterTree) -> list[str]:
    bad = [
        f"transition.starts = {value!r} from {effective} is not 'exit_date' or 'next_year'"
        for effective, value in tree.get("transition.starts").values
        if _bad_starts(value)
    ]
    for effective, value in tree.get("transition.years").values:
        fault = _years_fault(value)
        if fault is not None:
            bad.append(f"transition.years = {value!r} from {effective} {fault}")
    return bad


def _always_bad(tree: ParameterTree) -> bool:
    """True when an exit on any date raises: on each date both transition values are in force
    (the first, and each date either changes), one of them is refused."""
    starts = sorted(tree.get("transition.starts").values, key=itemgetter(0))
    years = sorted(tree.get("transition.years").values, key=itemgetter(0))
    first = max(starts[0][0], years[0][0])
    dates = {first, *(on for on, _ in (*starts, *years) if on > first)}
    return all(_bad_starts(_in_force(starts, on)) or _years_fault(_in_force(years, on)) for on in dates)


def _in_force(values: Sequence[tuple[dt.date, object]], on: dt.date) -> object:
    """The value of a timeline (sorted, one value on or before ``on``) in force on ``on``."""
    return [value for effective, value in values if effective <= on][-1]


def reachability_findings(policy: Policy) -> list[Finding]:
    """``unreachable_state`` findings (states, then the routes and reviews that never run) and
    the ``parameter_invalid`` findings of transition-period values an exit refuses."""
    why = unreachable_states(policy)
    found = [Finding("unreachable_state", f"state {state.value}", reason) for state, reason in why.items()]
    found += [
        Finding("parameter_invalid", "parameter " + text.split(" = ")[0], f"{text}: an exit then raises InvalidPolicy")
        for text in _bad_transition_values(policy.parameters)
    ]
    found += _routes_never_run(policy, why)
    for review in policy.reviews:
        if all(state in why for state in review.states):
            states = ", ".join(sorted(s.value for s in review.states)) or "none"
            found.append(
                Finding("unreachable_state", f"review {review.name}", f"is never due: it applies in {states} only")
            )
    return found


def _routes_never_run(policy: Policy, why: dict[State, str]) -> list[Finding]:
    """The ``entered:<state>`` and ``each_year:<state>`` routes for a state no household enters
    (a new year in ``new`` is routed: every household starts there)."""
    found = []
    for kind in policy.routes:
        if not is_occasion(kind):
            continue
        prefix, name = kind.split(":", 1)
        if name not in _STATE_NAMES:
            reason = f"{name!r} is not a lifecycle state ({', '.join(sorted(_STATE_NAMES))})"
        elif name == State.NEW.value:
            if prefix == "each_year":
                continue
            reason = "no household ever enters 'new' (it is where every household starts)"
        elif State(name) in why:
            reason = f"no household ever enters {name}: {why[State(name)]}"
        else:
            continue
        found.append(Finding("unreachable_state", f"route {kind}", f"never runs: {reason}"))
    return found
