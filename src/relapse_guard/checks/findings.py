"""What the static checks report: the registry of checks (:data:`CHECKS`) and a :class:`Finding`."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = ["CHECKS", "Finding", "in_check_order", "quoted"]

#: Every check, by name, with what it finds; findings come in this order.
CHECKS: dict[str, str] = {
    "unreachable_state": "lifecycle states the policy never reaches, and the entered:<state> routes and reviews "
    "that never run because of it",
    "unrouted_risk_kind": "risk kinds a trigger produces that no route handles (recorded, but nobody is helped)",
    "dead_route": "routes for a risk kind no trigger produces (often a misspelt kind)",
    "unused_intervention": "interventions that no route names, so they never grant anything",
    "unread_fact_kind": "triggers of a fact kind the policy's fact_kinds do not take: files and stores refuse "
    "such facts, so the trigger never fires",
    "parameter_missing": "parameters a rule, trigger, condition, intervention or the engine reads that are not "
    "defined, or have no value on a date the policy uses",
    "parameter_invalid": "parameter values a component refuses (InvalidPolicy when probed)",
    "parameter_unread": "parameters nothing in the policy reads whose name is close to one that is read: a "
    "misspelt name in a parameter file, whose values are never used",
    "component_fails": "rules, triggers, conditions and interventions that raise an error on every input the "
    "probe gives them: a run that calls one fails",
    "amount_not_to_the_fen": "interventions that grant an amount that is not a whole number of fen: totals of "
    "such amounts are inexact (round with relapse_guard.money.to_money)",
    "parameter_review_due": "parameter values in use past their review_by date (on the date checked: --as-of, "
    "--on, or today)",
    "parameter_expired": "parameter values in use past their expires date: a run reading one raises "
    "ParameterExpired, unless the policy carries the last value forward",
    "double_money": "two route steps that grant the same money for one risk",
    "no_responsible_unit": "scheduled reviews, revisit plans and services that name no responsible unit",
    "review_skips_months": "scheduled reviews with no due date in a month their schedule names (a day some months "
    "lack)",
    "lines_apart": "a poverty line no longer 12 x the monthly safety-net standard after they were one line (two "
    "lines in one): households between them are under one line and not the other",
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


def in_check_order(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """``findings`` without repeats, in the order of :data:`CHECKS` (stable within a check).

    >>> late, early = Finding("double_money", "route a", "x"), Finding("dead_route", "route b", "y")
    >>> [f.check for f in in_check_order([late, early, late])]
    ['dead_route', 'double_money']
    """
    order = list(CHECKS)
    return tuple(sorted(dict.fromkeys(findings), key=lambda f: order.index(f.check)))


def quoted(names: Sequence[str]) -> str:
    """``'a', 'b'``: names quoted as Python does, for messages."""
    return ", ".join(repr(name) for name in names)
