"""What policy code gives back, checked before the engine uses it.

A rule's or a route condition's test must give a :class:`~relapse_guard.rules.Verdict` (not a
``bool``, None or a ``(holds, reason)`` tuple). A trigger's ``detect`` must give a
:class:`~relapse_guard.decisions.Risk` or None; an intervention's ``grant`` a
:class:`~relapse_guard.decisions.Grant`, a :class:`~relapse_guard.decisions.Declined` or None,
and its ``amount`` a ``Decimal`` or None. Money is exact: a ``float`` cost or amount (``0.1``
is not a tenth) is refused, as an ``int`` (give ``Decimal(120)``), a ``bool`` or any other type
is, and an amount or cost that is not a finite number, or is below zero (an intervention grants
money, a shock costs it); a grant's ``period`` and a risk's ``severity`` are members of their
enums (``Period.MONTHLY``, not ``"monthly"``). Anything else would fail later, far from its
cause (``'bool' object has no attribute 'key'``, an int amount that explain's JSON cannot
write), or be summed into the totals as a float. Each is a
:class:`~relapse_guard.errors.PluginFailed` naming the household, the rule, condition, trigger
or intervention and the fact, its cause a ``TypeError`` or
``ValueError`` saying what came back and what was expected.

The checks run only on what is not None (risks and grants are rare beside facts), and a
``Risk`` or ``Grant`` of the right type costs one ``type()`` comparison and a look at its money;
a verdict (one for every rule and fact) costs one ``type()`` comparison, in the engine.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from ..decisions import Declined, Grant, Period, Risk, Severity
from ..errors import PluginFailed, typed_repr
from ..rules import Verdict

__all__ = ["checked_amount", "checked_grant", "checked_risk", "checked_verdict", "sound_grant"]


def checked_verdict(found: object, household_id: str, plugin: str, fact_id: str | None) -> Verdict:
    """``found``, what rule or condition ``plugin`` (``identification.edge``, ``condition.poor``)
    gave, if it is a :class:`~relapse_guard.rules.Verdict` (a subclass of one too)."""
    if isinstance(found, Verdict):
        return found
    raise _failed(
        household_id,
        plugin,
        fact_id,
        TypeError(
            f"its test returned {typed_repr(found)}; expected a Verdict: "
            "return Verdict(holds, reason), e.g. Verdict(income < line, 'income under the line')"
        ),
    )


def checked_risk(found: object, household_id: str, trigger: str, fact_id: str) -> Risk:
    """``found``, what trigger ``trigger`` detected (not None), if it is a risk with exact money."""
    if not isinstance(found, Risk):
        raise _failed(
            household_id,
            f"trigger.{trigger}",
            fact_id,
            TypeError(f"detect() returned {typed_repr(found)}; expected a Risk (ctx.risk(...)) or None"),
        )
    problem = _money_problem(found.cost, "cost") or _member_problem(found.severity, Severity, "severity", "HIGH")
    if problem is not None:
        raise _failed(household_id, f"trigger.{trigger}", fact_id, problem)
    return found


def checked_grant(found: object, household_id: str, intervention: str, fact_id: str) -> Grant | Declined:
    """``found``, what intervention ``intervention`` granted (not None), if it is a grant with
    exact money not below zero (or a refusal)."""
    if isinstance(found, Declined):
        return found
    if not isinstance(found, Grant):
        raise _failed(
            household_id,
            f"intervention.{intervention}",
            fact_id,
            TypeError(f"grant() returned {typed_repr(found)}; expected a Grant (ctx.grant(...)), a Declined or None"),
        )
    if found.intervention != intervention:  # its totals and its audit trail would name another
        raise _failed(
            household_id,
            f"intervention.{intervention}",
            fact_id,
            ValueError(
                f"grant() returned a grant of intervention {found.intervention!r}; it is routed as "
                f"{intervention!r} (ctx.grant(intervention=self.name, ...))"
            ),
        )
    problem = _member_problem(found.period, Period, "period", "MONTHLY")
    if problem is None and found.amount is not None:
        problem = _money_problem(found.amount, "amount")
    if problem is not None:
        raise _failed(household_id, f"intervention.{intervention}", fact_id, problem)
    return found


def sound_grant(found: object, intervention: str) -> bool:
    """Whether ``found`` is a grant of ``intervention`` with no money or a finite ``Decimal`` not
    below zero: the answer nearly every call gives, told in a few comparisons
    (:func:`checked_grant` says why not, and returns a refusal)."""
    if type(found) is not Grant or found.intervention != intervention or type(found.period) is not Period:
        return False
    amount = found.amount
    return amount is None or (type(amount) is Decimal and amount.is_finite() and amount >= 0)


def checked_amount(found: object, household_id: str, intervention: str, fact_id: str) -> Decimal | None:
    """``found``, what intervention ``intervention``'s ``amount(risk, ctx)`` gave, if it is None or exact money."""
    if found is None:
        return None
    problem = _money_problem(found, "amount")
    if problem is not None:
        raise _failed(household_id, f"intervention.{intervention}", fact_id, problem)
    return found  # type: ignore[return-value]  # checked above: a finite Decimal


def _money_problem(value: object, field: str) -> Exception | None:
    """Why ``value`` is not exact money not below zero (a finite ``Decimal``), or None."""
    if type(value) is Decimal:
        if not value.is_finite():
            return ValueError(f"{field} {value} is not a finite number")
        return ValueError(f"{field} {value} is negative: money is never below zero") if value < 0 else None
    if isinstance(value, int) and not isinstance(value, bool):
        # kept as given, an int breaks what writes money (explain's JSON, the store) far from here
        return TypeError(
            f"{field} {value} is an int; money is a Decimal: give Decimal({value}) (or "
            "relapse_guard.money.to_money(...) to round to the fen)"
        )
    if isinstance(value, float):
        return TypeError(
            f"{field} {value!r} is a float; money is exact: give a Decimal (Decimal('12.30'), or "
            "relapse_guard.money.to_money(...) to round to the fen)"
        )
    return TypeError(f"{field} {typed_repr(value)}; expected a Decimal")


def _member_problem(value: object, kind: type[enum.Enum], field: str, example: str) -> Exception | None:
    """Why ``value`` is not a member of ``kind`` (a period written ``"monthly"`` was counted as a
    one-off grant), or None."""
    if type(value) is kind:
        return None
    return TypeError(f"{field} {typed_repr(value)}; expected a {kind.__name__} ({kind.__name__}.{example})")


def _failed(household_id: str, plugin: str, fact_id: str | None, error: Exception) -> PluginFailed:
    failed = PluginFailed(household_id, plugin, fact_id or None, error, returned=True)
    failed.__cause__ = error
    return failed
