"""The checks of what routes grant: ``amount_not_to_the_fen``, ``double_money`` and ``no_responsible_unit``.

Two steps pay the same money for one risk when they name the same intervention, or two
interventions of one class that pay on the same parameters and period (as the probe saw
them grant). Two routes pay twice for one fact when both can run for it (two triggers look
at the same facts, or a risk and the lifecycle move the same fact causes) and both name an
intervention the probe saw pay again for another risk ("once" schemes and monthly top-ups,
which replace each other, do not).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ..lifecycle import State
from ..money import FEN
from ..routing import entered
from .findings import Finding
from .probe import Probe
from .routes import risk_kinds

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["double_money_findings", "fen_findings", "responsibility_findings", "routes_of_one_event"]


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


def fen_findings(probe: Probe) -> list[Finding]:
    """``amount_not_to_the_fen`` findings: an intervention the probe saw grant an amount of more
    places than the fen (``risk.cost / 3``), which screens and what-ifs would sum inexactly."""
    found = []
    for name in sorted(probe.grants):
        for grant in probe.grants[name]:
            amount = grant.amount
            if amount is None or _to_the_fen(amount):
                continue
            found.append(
                Finding(
                    "amount_not_to_the_fen",
                    f"intervention {name}",
                    f"granted {amount} on {grant.date.isoformat()}, not a whole number of fen: totals of such "
                    "amounts are inexact; round it with relapse_guard.money.to_money(...)",
                )
            )
            break
    return found


def _to_the_fen(amount: Decimal | int) -> bool:
    try:
        return Decimal(amount) == Decimal(amount).quantize(FEN)
    except InvalidOperation:  # too many digits to hold to the fen: not money the engine sums exactly
        return False


def double_money_findings(policy: Policy, probe: Probe) -> list[Finding]:
    """``double_money`` findings: within one route, then across routes that run for one fact."""
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
    for kind, other, event in routes_of_one_event(policy):
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


def routes_of_one_event(policy: Policy) -> list[tuple[str, str, str]]:
    """Pairs of routes that can both run for one fact, and why."""
    routed = {k for k, steps in policy.routes.items() if steps}
    pairs = []
    triggers = list(policy.triggers)
    moves = [State.IDENTIFIED, State.RELAPSED] + ([State.ASSISTED] if policy.assist_on_grant else [])
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
        for kind in kinds:
            pairs += [
                (kind, entered(s), f"one fact can raise the {kind} risk and make the household {s.value}")
                for s in moves
                if entered(s) in routed
            ]
    return pairs


def responsibility_findings(policy: Policy, probe: Probe) -> list[Finding]:
    """``no_responsible_unit`` findings: reviews, then interventions whose probed grants plan
    revisits or grant a service with no responsible unit."""
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
