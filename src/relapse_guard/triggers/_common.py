"""Helpers shared by the built-in triggers: on-file test, household income, member look-up, ratios.

Private to :mod:`relapse_guard.triggers`; custom triggers should not rely on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from ..context import Context
from ..decisions import Risk
from ..errors import InvalidFact, redact
from ..facts import Fact
from ..household import Member
from ..lifecycle import State

__all__ = [
    "ON_FILE_STATES",
    "annual_income",
    "evidence_value",
    "first_report",
    "household_status",
    "member_of",
    "on_file",
    "percent",
    "ratio",
    "same_event_days",
    "within_days",
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


def first_report(
    ctx: Context,
    kind: str,
    date: dt.date,
    *,
    member_id: str | None = None,
    window: str | None = None,
    any_date: bool = False,
    same: Callable[[Risk], bool] | None = None,
) -> Risk | None:
    """The risk of ``kind`` already found for the household that a fact dated ``date`` reports
    again, or None: the event's first report, whose key the later reports take.

    A risk found is the same event when it is about ``member_id`` (None: about no member),
    ``same`` holds of it (when given), and it is dated ``date``, or at most ``window`` days
    before it (``window`` names the dated parameter of days, read only when a risk of another
    date could match: :func:`same_event_days`), or at any date with ``any_date``.

    Risks found are one per key, so the risk returned is the event's first report: the window
    is measured from it, never from a report in between (no chain of reports a few days apart
    makes one event of a season's illnesses).
    """
    days: int | None = None
    for risk in ctx.risks_found:
        if risk.kind != kind or risk.member_id != member_id or (same is not None and not same(risk)):
            continue
        if any_date or risk.date == date:
            return risk
        if window is None:
            continue
        if days is None:
            days = same_event_days(ctx, window)
        if within_days(risk.date, date, days):
            return risk
    return None


def evidence_value(risk: Risk, label: str) -> object:
    """The value of the evidence item ``label`` of ``risk`` (its first), or None."""
    for name, value in risk.evidence:
        if name == label:
            return value
    return None


def same_event_days(ctx: Context, name: str) -> int:
    """The dated parameter ``name``: how many days after an event's first report a report of
    it may be dated; 0 (the same day only) when the policy does not set it."""
    if not ctx.has_param(name):
        return 0
    return int(ctx.amount(name))


def within_days(first: dt.date, date: dt.date, days: int) -> bool:
    """``date`` on ``first`` or at most ``days`` days after it."""
    return 0 <= (date - first).days <= days
