"""Fingerprints: short digests that say whether a checkpoint was made under the same policy
and for the same household record as a run that would resume it.

A policy's fingerprint covers its label, every parameter's whole timeline (dates, values,
references and bounds, and the values' expiries and what happens past them, when given) and
the names of its parts (rules, triggers, interventions, routes and
their conditions, reviews, procedures, fact kinds). It cannot see inside a rule's code: a
policy whose code changes without a new ``version`` keeps its fingerprint, so give a changed
policy a new version (the label is in the fingerprint).
"""

from __future__ import annotations

import hashlib

from ..entitlements import tags_of, terms_of
from ..household import Household
from ..policy import Policy

__all__ = ["household_fingerprint", "policy_fingerprint"]

_SIZE = 8  # bytes of digest: 16 hex digits, plenty to tell two versions of one record apart


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "backslashreplace"), digest_size=_SIZE).hexdigest()


_CHANGE_KINDS = frozenset({"fact_corrected", "fact_retracted"})


def policy_fingerprint(policy: Policy) -> str:
    """A digest of ``policy``'s label, parameters and the names of its parts (see the module doc).

    Computed anew at each call (an engine computes it once)."""
    lines = [f"label {policy.label}", f"assist_on_grant {policy.assist_on_grant}"]
    for name in sorted(policy.parameters.parameters):
        parameter = policy.parameters.parameters[name]
        timeline = ",".join(
            f"{effective.isoformat()}={type(value).__name__}:{value}" for effective, value in parameter.values
        )
        lines.append(f"parameter {name} [{timeline}] {parameter.reference!r} {parameter.minimum} {parameter.maximum}")
        if parameter.references:  # a value's own reference, cited by decisions (only then: others' stay)
            cited = ",".join(f"{effective.isoformat()}={text!r}" for effective, text in parameter.references)
            lines.append(f"references {name} [{cited}]")
        if parameter.expires or parameter.on_expiry is not None:  # only then: other policies' stay as they were
            ends = ",".join(f"{effective.isoformat()}={day.isoformat()}" for effective, day in parameter.expires)
            lines.append(f"expires {name} [{ends}] {parameter.on_expiry}")
    lines.append("identification " + ",".join(rule.name for rule in policy.identification))
    lines.append(f"exit {policy.exit_rule.name} relapse {policy.relapse_rule.name}")
    lines.append("triggers " + ",".join(f"{t.name}:{'/'.join(k.kind for k in t.fact_kinds)}" for t in policy.triggers))
    lines.append("interventions " + ",".join(sorted(policy.interventions)))
    for name in sorted(policy.interventions):  # how each one's entitlements live, and its kinds
        intervention = policy.interventions[name]
        lines.append(f"terms {name} {terms_of(intervention)!r} {sorted(tags_of(intervention))}")
    for kind in sorted(policy.routes):
        steps = ",".join(
            f"{step.intervention}?{step.condition.name if step.condition is not None else ''}"
            + (f"^{'+'.join(step.after)}" if step.after else "")
            for step in policy.routes[kind]
        )
        lines.append(f"route {kind} {steps}")
    lines.append("decision_required " + ",".join(sorted(policy.decision_required)))
    # Each part spelled out in a fixed order (a repr would show sets in a per-process order).
    lines.extend(
        f"review {r.name} {r.frequency} {r.bymonth} {r.bymonthday} {sorted(s.value for s in r.states)} "
        f"{r.grace_days} {r.responsible!r}"
        for r in policy.reviews
    )
    lines.append("procedures " + ",".join(procedure.name for procedure in policy.procedures))
    # corrections and retractions are every policy's and never applied themselves (a new one
    # replays the household): left out, so checkpoints made before they existed still resume
    applied = sorted(kind for kind in policy.fact_kinds if kind not in _CHANGE_KINDS)
    lines.append("fact_kinds " + ",".join(applied))
    return _digest("\n".join(lines))


def household_fingerprint(household: Household) -> str:
    """A digest of the household record: its place and every member as the rules read them."""
    place = household.place
    # ``_value_`` is the enum member's value as a plain attribute (``.value`` is a slower property);
    # a labour capacity left blank (read from the age) is empty.
    members = ";".join(
        f"{m.id},{m.birth_date.toordinal()},{'' if m.labour_capacity is None else m.labour_capacity._value_},"
        f"{m.health._value_},{m.schooling._value_}"
        for m in household.members
    )
    return _digest(f"{household.id}|{place.district}|{place.town}|{place.village}|{members}")
