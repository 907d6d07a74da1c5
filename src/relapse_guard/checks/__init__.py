"""Static checks of a policy: what can be found wrong without any household's facts.

:func:`check_policy` looks at a policy's lifecycle settings, routes, interventions, reviews
and dated parameters, and probes every rule, trigger, route condition and intervention on
representative households and facts on the dates the policy uses, recording each parameter
they read. Each problem is
a :class:`Finding` naming the check, the rule, route, trigger, intervention, review or
parameter at fault, and why it matters. An empty tuple means nothing was found.

The checks (:data:`CHECKS`):

- ``unreachable_state``: lifecycle states the policy can never reach, and the
  ``entered:<state>`` routes and reviews that therefore never run;
- ``unrouted_risk_kind``: risk kinds the triggers produce that no route handles;
- ``dead_route``: routes for a kind no trigger produces (often a typo);
- ``unused_intervention``: interventions no route names;
- ``parameter_missing``: parameters read but not defined, or not in force on a date the
  policy uses; ``parameter_invalid``: a value a component refuses;
- ``double_money``: two route steps that pay the same money for one risk;
- ``no_responsible_unit``: reviews and services with no responsible unit.

A trigger's risk kinds are those it declares in ``risk_kinds`` and those seen while probing;
a trigger that declares none is assumed to produce risks of its ``name`` (:func:`risk_kinds`),
and a finding that rests on that assumption says so.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Sequence
from decimal import Decimal

import attrs

from ..facts import AssistanceGranted, ExitVerified, ReviewCompleted
from ..lifecycle import State
from ..parameters import ParameterTree
from ..policy import REQUIRED_PARAMETERS, Policy
from ..routing import entered
from ..triggers.base import Trigger
from ._probe import Probe

__all__ = ["CHECKS", "Finding", "check_policy", "risk_kinds"]

#: Every check, by name, with what it finds; findings come in this order.
CHECKS: dict[str, str] = {
    "unreachable_state": "lifecycle states the policy never reaches, and the entered:<state> routes and reviews "
    "that never run because of it",
    "unrouted_risk_kind": "risk kinds a trigger produces that no route handles (recorded, but nobody is helped)",
    "dead_route": "routes for a risk kind no trigger produces (often a misspelt kind)",
    "unused_intervention": "interventions that no route names, so they never grant anything",
    "parameter_missing": "parameters a rule, trigger, condition, intervention or the engine reads that are not "
    "defined, or have no value on a date the policy uses",
    "parameter_invalid": "parameter values a component refuses (InvalidPolicy when probed)",
    "double_money": "two route steps that grant the same money for one risk",
    "no_responsible_unit": "scheduled reviews, revisit plans and services that name no responsible unit",
}


@attrs.frozen
class Finding:
    """One problem found in a policy: the check, its subject and why it matters.

    ``str(finding)`` reads ``"unrouted_risk_kind: trigger schooling: produces 'schooling' risks ..."``.
    """

    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.message}"


_ASSUMED = " (assumed from its name: it declares no risk_kinds)"


def declared_risk_kinds(trigger: Trigger) -> tuple[str, ...] | None:
    """The kinds ``trigger`` declares in ``risk_kinds``, or None when it declares none.

    A tuple keeps its order, a set or frozenset is sorted, and a lone string is one kind.
    Raises :class:`TypeError` naming the trigger when ``risk_kinds`` is not a collection of str.
    """
    declared: object = getattr(trigger, "risk_kinds", None)
    if isinstance(declared, str):
        return (declared,)
    if declared is None or (isinstance(declared, Collection) and not declared):
        return None
    if isinstance(declared, Collection) and all(isinstance(kind, str) for kind in declared):
        return tuple(sorted(declared) if isinstance(declared, set | frozenset) else declared)
    raise TypeError(
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


def check_policy(policy: Policy, *, on: dt.date | None = None) -> tuple[Finding, ...]:
    """Every finding of :data:`CHECKS` for ``policy``, probed on ``on`` or, by default, on each
    date the policy uses (the first date all of the engine's parameters are in force and every
    later date a parameter changes). Never raises for a faulty policy: faults are findings.

    >>> from relapse_guard.policies import load_policy
    >>> check_policy(load_policy("chongqing_2016"))
    ()
    """
    probe = Probe(policy, _dates(policy, on), (*REQUIRED_PARAMETERS, "transition.leap_day"))
    findings = [
        *_unreachable(policy),
        *_routes(policy, probe),
        *_unused(policy),
        *_parameters(probe),
        *_double_money(policy, probe),
        *_responsible(policy, probe),
    ]
    order = list(CHECKS)
    return tuple(sorted(dict.fromkeys(findings), key=lambda f: order.index(f.check)))


# --- dates ----------------------------------------------------------------------------


def _dates(policy: Policy, on: dt.date | None) -> tuple[dt.date, ...]:
    if on is not None:
        return (on,)
    tree = policy.parameters
    start = max(tree.get(name).first_date for name in REQUIRED_PARAMETERS)
    changes = {effective for name in tree for effective, _ in tree.get(name).values if effective > start}
    return (start, *sorted(changes))


# --- lifecycle reachability -------------------------------------------------------------

_STATE_NAMES = {state.value for state in State}
_NOT_OBSERVING = {AssistanceGranted.kind, ExitVerified.kind, ReviewCompleted.kind}


def _reachable(policy: Policy) -> dict[State, str]:
    """The states the policy cannot reach, each with the reason."""
    kinds = set(policy.fact_kinds)
    why: dict[State, str] = {}
    if not kinds - _NOT_OBSERVING:
        why[State.IDENTIFIED] = "the policy takes no fact that observes a household, so no identification rule is run"
    grant_while_on_file = {entered(State.IDENTIFIED), entered(State.RELAPSED)}
    routed = [
        k for k, steps in policy.routes.items() if steps and (not k.startswith("entered:") or k in grant_while_on_file)
    ]
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


def _bad_years(value: object) -> bool:
    return not isinstance(value, Decimal) or value != int(value) or value < 0


def _bad_transition_values(tree: ParameterTree) -> list[str]:
    bad = [
        f"transition.starts = {value!r} from {effective} is not 'exit_date' or 'next_year'"
        for effective, value in tree.get("transition.starts").values
        if _bad_starts(value)
    ]
    bad += [
        f"transition.years = {value!r} from {effective} is not a whole number of years"
        for effective, value in tree.get("transition.years").values
        if _bad_years(value)
    ]
    return bad


def _always_bad(tree: ParameterTree) -> bool:
    """True when the transition period's last values make every exit raise."""
    return _bad_starts(tree.get("transition.starts").values[-1][1]) or _bad_years(
        tree.get("transition.years").values[-1][1]
    )


def _unreachable(policy: Policy) -> list[Finding]:
    why = _reachable(policy)
    found = [Finding("unreachable_state", f"state {state.value}", reason) for state, reason in why.items()]
    found += [
        Finding("parameter_invalid", "parameter " + text.split(" = ")[0], f"{text}: an exit then raises InvalidPolicy")
        for text in _bad_transition_values(policy.parameters)
    ]
    for kind in policy.routes:
        if not kind.startswith("entered:"):
            continue
        name = kind.removeprefix("entered:")
        if name not in _STATE_NAMES:
            reason = f"{name!r} is not a lifecycle state ({', '.join(sorted(_STATE_NAMES))})"
        elif name == State.NEW.value:
            reason = "no household ever enters 'new' (it is where every household starts)"
        elif State(name) in why:
            reason = f"no household ever enters {name}: {why[State(name)]}"
        else:
            continue
        found.append(Finding("unreachable_state", f"route {kind}", f"never runs: {reason}"))
    for review in policy.reviews:
        if all(state in why for state in review.states):
            states = ", ".join(sorted(s.value for s in review.states)) or "none"
            found.append(
                Finding("unreachable_state", f"review {review.name}", f"is never due: it applies in {states} only")
            )
    return found


# --- routes and interventions -----------------------------------------------------------


def _produced(policy: Policy, probe: Probe) -> dict[str, dict[str, bool]]:
    """Each risk kind the policy's triggers produce: the triggers producing it, in policy order,
    each with True when that is only assumed (an undeclared kind the probe did not see)."""
    produced: dict[str, dict[str, bool]] = {}
    for trigger in policy.triggers:
        seen = sorted(probe.kinds.get(trigger.name, ()))
        assumed = declared_risk_kinds(trigger) is None and trigger.name not in seen
        for kind in (*risk_kinds(trigger), *seen):
            produced.setdefault(kind, {}).setdefault(trigger.name, assumed and kind == trigger.name)
    return produced


def _routes(policy: Policy, probe: Probe) -> list[Finding]:
    produced = _produced(policy, probe)
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
        if kind.startswith("entered:") or kind in produced:
            continue
        close = difflib.get_close_matches(kind, list(produced), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(produced)) or "none"
        found.append(
            Finding("dead_route", f"route {kind}", f"no trigger produces {kind!r} risks (they produce: {known}){hint}")
        )
    return found


def _unused(policy: Policy) -> list[Finding]:
    used = {s.intervention for steps in policy.routes.values() for s in steps}
    return [
        Finding("unused_intervention", f"intervention {name}", "no route names it, so it never grants anything")
        for name in policy.interventions
        if name not in used
    ]


def _signature(name: str, policy: Policy, probe: Probe) -> tuple[object, ...] | None:
    """What money an intervention pays: its class and prefix, or the parameters and period seen."""
    intervention = policy.interventions[name]
    prefix = getattr(intervention, "prefix", None)
    if isinstance(prefix, str):
        return (type(intervention), prefix)
    money = [g for g in probe.grants.get(name, ()) if g.amount is not None]
    if not money:
        return None
    return (frozenset(p.name for g in money for p in g.parameters), frozenset(g.period for g in money))


def _double_money(policy: Policy, probe: Probe) -> list[Finding]:
    found = []
    for kind, steps in policy.routes.items():
        names = [s.intervention for s in steps]
        for i, first in enumerate(names):
            for j, second in enumerate(names[i + 1 :], start=i + 1):
                if first == second:
                    why = f"steps {i} and {j} both name {first!r}; the engine skips the second (already granted)"
                elif first in probe.paid and _signature(first, policy, probe) == _signature(second, policy, probe):
                    kind_of = type(policy.interventions[first]).__name__
                    why = f"steps {i} ({first}) and {j} ({second}) pay the same money ({kind_of}, same parameters)"
                else:
                    continue
                found.append(Finding("double_money", f"route {kind}", why + " for one risk"))
    for kind, other, event in _routes_of_one_event(policy):
        for name in sorted(
            {s.intervention for s in policy.routes[kind]} & {s.intervention for s in policy.routes[other]}
        ):
            if name in probe.repeats:  # "once" schemes and monthly top-ups (replaced) do not pay twice
                found.append(
                    Finding(
                        "double_money",
                        f"route {kind}",
                        f"pays {name!r}, and so does route {other}: {event}, so one fact is paid {name!r} twice",
                    )
                )
    return found


def _routes_of_one_event(policy: Policy) -> list[tuple[str, str, str]]:
    """Pairs of routes that can both run for one fact, and why."""
    routed = {k for k, steps in policy.routes.items() if steps}
    pairs = []
    triggers = list(policy.triggers)
    for index, trigger in enumerate(triggers):
        kinds = [k for k in risk_kinds(trigger) if k in routed]
        for other in triggers[index + 1 :]:
            shared = sorted(c.kind for c in set(trigger.fact_kinds) & set(other.fact_kinds))
            for kind in kinds:
                pairs += [
                    (kind, k, f"triggers {trigger.name} and {other.name} both look at {', '.join(shared)} facts")
                    for k in risk_kinds(other)
                    if shared and k in routed and k != kind
                ]
        moves = [State.IDENTIFIED, State.RELAPSED] + ([State.ASSISTED] if policy.assist_on_grant else [])
        for kind in kinds:
            pairs += [
                (kind, entered(s), f"one fact can raise the {kind} risk and make the household {s.value}")
                for s in moves
                if entered(s) in routed
            ]
    return pairs


def _responsible(policy: Policy, probe: Probe) -> list[Finding]:
    found = [
        Finding(
            "no_responsible_unit",
            f"review {review.name}",
            f"is scheduled ({review.frequency}) but names no responsible unit: nobody is due to carry it out",
        )
        for review in policy.reviews
        if not review.responsible.strip()
    ]
    for name, grants in probe.grants.items():
        for grant in grants:
            if grant.responsible.strip():
                continue
            what = "plans revisits" if grant.revisits else "grants a service" if grant.amount is None else None
            if what:
                found.append(
                    Finding("no_responsible_unit", f"intervention {name}", f"{what} but names no responsible unit")
                )
                break
    return found


# --- parameters -----------------------------------------------------------------------


def _parameters(probe: Probe) -> list[Finding]:
    found = []
    for component, logs in probe.logs.items():
        unknown = sorted({name for log in logs.values() for name in log.unknown})
        if unknown:
            found.append(
                Finding(
                    "parameter_missing",
                    component,
                    f"reads {_names(unknown)}, which the policy does not define: the engine raises UnknownParameter",
                )
            )
        reported: set[str] = set()
        for on, log in sorted(logs.items()):
            if not component.startswith("intervention ") and not log.late_escapes:
                continue  # it treats itself as not in force yet (catches ParameterNotInForce): no failure
            late = sorted(set(log.late) - reported)
            if not late:
                continue
            reported |= set(late)
            firsts = sorted({log.late[name] for name in late})
            missing = f"reads {_names(late)}, with no value on {on} (first value {', '.join(map(str, firsts))})"
            in_force = sorted(set(log.reads) - set(log.late))
            if not component.startswith("intervention "):
                why = "a date the policy uses: there it lets ParameterNotInForce out, which fails the run"
            elif in_force:
                why = f"though {_names(in_force)} is in force: it grants nothing until all are (not in force yet)"
            else:
                continue  # a scheme that starts later declines until then, by design
            found.append(Finding("parameter_missing", component, f"{missing}, {why}"))
    for component, (on, error) in probe.errors.items():
        found.append(Finding("parameter_invalid", component, f"refuses its parameters on {on}: {error}"))
    return found


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)
