"""Helpers shared by the built-in triggers: on-file test, household income, member look-up, ratios.

Private to :mod:`relapse_guard.triggers`; custom triggers should not rely on it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..context import Context
from ..errors import InvalidFact, redact
from ..facts import Fact
from ..household import Member
from ..lifecycle import State

__all__ = [
    "ON_FILE_STATES",
    "annual_income",
    "household_status",
    "member_of",
    "on_file",
    "percent",
    "ratio",
]

#: States of a household "on file" (identified, assisted, exited, monitored, relapsed):
#: every state but NEW (never identified) and STABLE (transition period over).
ON_FILE_STATES = frozenset(State) - {State.NEW, State.STABLE}

_INFINITY = Decimal("Infinity")
_CENT = Decimal("0.01")


def on_file(ctx: Context) -> bool:
    """True when the household is on file (any state but NEW and STABLE)."""
    state = ctx.state
    return state is not State.NEW and state is not State.STABLE  # identity: no enum hashing


def household_status(ctx: Context) -> str:
    """``"on file (monitored)"`` or ``"not on file (new)"``, for evidence."""
    return f"{'on file' if on_file(ctx) else 'not on file'} ({ctx.state.value})"


def annual_income(ctx: Context) -> Decimal | None:
    """The household's annual income: latest per-capita income x members; None if never assessed."""
    if ctx.income_per_capita is None:
        return None
    return ctx.income_per_capita * ctx.size


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole``; infinite when ``whole`` is zero and ``part`` is not, zero when both are."""
    if whole == 0:
        return _INFINITY if part > 0 else Decimal(0)
    return part / whole


def percent(share: Decimal) -> str:
    """A share as a percentage with two decimals (``"40.00%"``), or ``"no income"`` when infinite."""
    if share.is_infinite():
        return "no income"
    return f"{(share * 100).quantize(_CENT, rounding=ROUND_HALF_UP)}%"


def member_of(ctx: Context, fact: Fact, member_id: str) -> Member:
    """The member ``member_id`` of the context's household.

    Raises :class:`~relapse_guard.errors.InvalidFact` naming the household, the fact, the field
    ``member_id`` and the redacted id when the household has no such member.
    """
    for member in ctx.household.members:
        if member.id == member_id:
            return member
    raise InvalidFact(
        ctx.household.id,
        "member_id",
        redact(member_id),
        "the id of a member of this household",
        fact_id=fact.id,
    )
