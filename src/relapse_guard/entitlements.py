"""Entitlements: monthly grants that start, are recomputed and end, and what they owe by month.

A monthly money grant (the safety-net top-up, say) is an *entitlement*. The engine gives it
a start (for the safety net, the first day of the month after approval: national dibao
rules pay "from the month after the decision"), recomputes it on the events its
intervention declares (a new income assessment, a parameter it read changing on its
effective date, the household's exit, the risk behind it eliminated) and ends it when the
intervention no longer grants it (after the gradual-exit months the policy sets), after a
maximum duration, or on an explicit :class:`~relapse_guard.facts.EntitlementStopped` fact.
Each recomputation ends the piece in force and grants the new amount from that day, so a
household's grants hold every amount with the days it was owed.

An intervention declares how its grants live with two optional attributes, read by
:func:`terms_of` and :func:`tags_of`: ``terms`` (an :class:`EntitlementTerms`) and ``tags``
(kinds such as ``"safety_net"`` that rules ask about, whatever the intervention's name).

What is owed:

- a **monthly** grant, in each calendar month it is in force: the whole amount, or, when
  ``prorated``, the amount times the days in force over the days of the month, to the fen;
- a **one-off** or **yearly** grant, once, in the month of its date.

:class:`Money` keeps the three figures a total needs apart, each with its unit:
``one_off`` (yuan, one-off and yearly grants to date), ``monthly_in_force`` (yuan a month
on the as-of date) and ``paid_to_date`` (yuan owed from the first grant to the as-of month,
one-off and monthly).

>>> import datetime as dt
>>> first_of_next_month(dt.date(2016, 3, 10))
datetime.date(2016, 4, 1)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

import attrs

from .decisions import Grant
from .money import money_text, to_money

__all__ = [
    "MONEY_UNITS",
    "EntitlementTerms",
    "Money",
    "add_months",
    "first_of_next_month",
    "money_by_intervention",
    "month_index",
    "month_label",
    "months_owed",
    "owed",
    "owed_in_month",
    "tags_of",
    "terms_of",
    "total",
]

_ZERO = Decimal(0)


@attrs.frozen(kw_only=True)
class EntitlementTerms:
    """How an intervention's monthly grants live: when they start, what recomputes them, how they end.

    - ``starts``: ``"next_month"`` (owed from the first day of the month after approval) or
      ``"grant_date"`` (from the day granted);
    - ``prorated``: a month in force for only some days is owed in part (days over days);
    - ``recompute_on_income``: a new income assessment (and the household's exit, and the
      elimination of the risk it was granted for, that risk's cost no longer weighing)
      recomputes it; an amount that comes to nothing ends it (without it, the elimination of
      its risk ends it);
    - ``recompute_on_members``: a change of household size (a member joining, leaving or
      dying) recomputes it from the next month (an amount per member follows the members);
    - ``gradual_exit_months``: the parameter (months) it keeps being paid for after it is
      found no longer due (the national 渐退期, at most six months), or None;
    - ``max_months``: the parameter (months) after which it ends whatever happens, or None;
    - ``ends_on_exit``: a verified exit ends it (after the gradual-exit months);
    - ``recheck_months`` (and ``recheck_months_can_work``, used instead when a member can
      work): the parameter (months) of the re-check period (复核期) counted from the day the
      amount was last set; within it an income assessment is acted on only when the income per
      person moved obviously from the income the amount was set on (``obvious_change``: the
      parameter giving the share it must move by), and the first assessment after it is the
      re-check: with no obvious change it keeps the amount (``Grant.rechecked_on``, and the
      next period counts from it) while something is still owed on that income, and ends it
      when nothing is (the means test), else it sets the amount again. National rule: households
      whose economic situation shows no obvious change within the re-check period keep their
      level of assistance. The day the re-check falls due is a checkpoint's next event
      (``Checkpoint.rechecks``), which the monthly cycle announces due, then overdue.

    A parameter it read that changes value (a new standard on its effective date) always
    recomputes it on that date.
    """

    starts: Literal["next_month", "grant_date"] = "next_month"
    prorated: bool = False
    recompute_on_income: bool = False
    recompute_on_members: bool = False
    gradual_exit_months: str | None = None
    max_months: str | None = None
    ends_on_exit: bool = False
    recheck_months: str | None = None
    recheck_months_can_work: str | None = None
    obvious_change: str | None = None


#: The terms of an intervention that declares none: owed from the month after approval,
#: whole months, recomputed only when a parameter it read changes.
DEFAULT_TERMS = EntitlementTerms()


def terms_of(intervention: object) -> EntitlementTerms:
    """The :class:`EntitlementTerms` ``intervention`` declares (its ``terms``), or the defaults."""
    terms = getattr(intervention, "terms", None)
    return terms if isinstance(terms, EntitlementTerms) else DEFAULT_TERMS


def tags_of(intervention: object) -> frozenset[str]:
    """The tags ``intervention`` declares (its ``tags``: kinds such as ``"safety_net"``), and its name."""
    tags = getattr(intervention, "tags", ())
    name = getattr(intervention, "name", None)
    return frozenset([*tags, *([name] if isinstance(name, str) else [])])


# --- months -------------------------------------------------------------------------------


def first_of_next_month(date: dt.date) -> dt.date:
    """The first day of the month after ``date``'s."""
    return dt.date(date.year + 1, 1, 1) if date.month == 12 else dt.date(date.year, date.month + 1, 1)


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` moved by ``months`` calendar months (the day kept, or the month's last day)."""
    year, month = divmod(date.year * 12 + date.month - 1 + months, 12)
    day = date.day
    if day > 28:
        last = 29 if month == 1 and calendar.isleap(year) else _DAYS_IN_MONTH[month]
        day = min(day, last)
    return dt.date(year, month + 1, day)


def month_index(date: dt.date) -> int:
    """The calendar month of ``date`` as a number (``year * 12 + month - 1``), for arithmetic."""
    return date.year * 12 + date.month - 1


def month_label(index: int) -> str:
    """``"2016-03"`` for the month numbered ``index`` by :func:`month_index`."""
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def _month_bounds(index: int) -> tuple[dt.date, dt.date]:
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return first, first_of_next_month(first)


# --- what is owed -------------------------------------------------------------------------


def owed_in_month(grant: Grant, index: int) -> Decimal:
    """What ``grant`` owes in the calendar month ``index`` (:func:`month_index`); see the module."""
    amount = grant.amount
    if amount is None:
        return _ZERO
    if not grant.is_entitlement:
        return amount if month_index(grant.date) == index else _ZERO
    first, after = _month_bounds(index)
    start = max(grant.first_day, first)
    end = after if grant.ends is None else min(grant.ends, after)
    days = (end - start).days
    if days <= 0:
        return _ZERO
    if not grant.prorated:
        return amount
    return to_money(amount * days / (after - first).days)


def owed(grants: Iterable[Grant], month: dt.date | int) -> dict[str, Decimal]:
    """What ``grants`` owe in a calendar month (a date in it, or its :func:`month_index`), by intervention.

    Interventions that owe nothing that month are left out.
    """
    index = month if isinstance(month, int) else month_index(month)
    out: dict[str, Decimal] = {}
    for grant in grants:
        due = owed_in_month(grant, index)
        if due:
            out[grant.intervention] = out.get(grant.intervention, _ZERO) + due
    return out


#: The unit of each figure of :class:`Money`, for tables and exports.
MONEY_UNITS = {"one_off": "yuan", "monthly_in_force": "yuan a month", "paid_to_date": "yuan"}


@attrs.frozen
class Money:
    """Money of one intervention (or one line of a total), each figure with its unit.

    ``one_off``: yuan of one-off and yearly grants up to the as-of date; ``monthly_in_force``:
    yuan a month owed by the entitlements in force on the as-of date; ``paid_to_date``: yuan
    owed from the first grant to the as-of month, one-off and monthly (the sum of
    :func:`owed` over those months). They are never added together: they have different units.
    """

    one_off: Decimal = _ZERO
    monthly_in_force: Decimal = _ZERO
    paid_to_date: Decimal = _ZERO

    def __add__(self, other: Money) -> Money:
        return Money(
            self.one_off + other.one_off,
            self.monthly_in_force + other.monthly_in_force,
            self.paid_to_date + other.paid_to_date,
        )

    def __bool__(self) -> bool:
        return bool(self.one_off or self.monthly_in_force or self.paid_to_date)

    def to_dict(self) -> dict[str, str]:
        """The three figures as decimal strings with two places (amounts are to the fen; see
        :func:`~relapse_guard.money.money_text`), by name."""
        return {
            "one_off": money_text(self.one_off),
            "monthly_in_force": money_text(self.monthly_in_force),
            "paid_to_date": money_text(self.paid_to_date),
        }


def money_by_intervention(grants: Iterable[Grant], as_of: dt.date | None) -> dict[str, Money]:
    """The :class:`Money` of ``grants`` by intervention as of ``as_of`` (None: no money counted).

    One-off and yearly grants dated after ``as_of`` and months after its month count nothing.
    """
    if as_of is None:
        return {}
    last = month_index(as_of)
    one_off: dict[str, Decimal] = {}
    in_force: dict[str, Decimal] = {}
    to_date: dict[str, Decimal] = {}
    for grant in grants:
        amount = grant.amount
        if amount is None:
            continue
        name = grant.intervention
        if not grant.is_entitlement:
            if grant.date <= as_of:
                one_off[name] = one_off.get(name, _ZERO) + amount
                to_date[name] = to_date.get(name, _ZERO) + amount
            continue
        if grant.in_force(as_of):
            in_force[name] = in_force.get(name, _ZERO) + amount
        total = _owed_to(grant, last)
        if total:
            to_date[name] = to_date.get(name, _ZERO) + total
    names = sorted(set(one_off) | set(in_force) | set(to_date))
    return {
        name: Money(one_off.get(name, _ZERO), in_force.get(name, _ZERO), to_date.get(name, _ZERO)) for name in names
    }


def months_owed(grant: Grant, last: int) -> tuple[int, int] | None:
    """The first and last calendar months (:func:`month_index`) entitlement ``grant`` is owed
    in, up to the month ``last``; None when it is owed in none of them (ended before it started,
    or starting after ``last``)."""
    if grant.ends is not None and grant.ends <= grant.first_day:
        return None  # ended before it started: never owed
    first = month_index(grant.first_day)
    end = last if grant.ends is None else min(last, month_index(grant.ends - dt.timedelta(days=1)))
    return None if end < first else (first, end)


def _owed_to(grant: Grant, last: int) -> Decimal:
    """What entitlement ``grant`` owes over the months up to ``last``, both ends included."""
    months = months_owed(grant, last)
    if months is None:
        return _ZERO
    first, end = months
    assert grant.amount is not None
    if not grant.prorated:
        return grant.amount * (end - first + 1)
    # prorated: the first and last months may be partial; the months between are whole
    total = owed_in_month(grant, first)
    if end > first:
        total += owed_in_month(grant, end) + grant.amount * (end - first - 1)
    return total


def total(money: Mapping[str, Money]) -> Money:
    """The sum of ``money``'s lines."""
    out = Money()
    for line in money.values():
        out = out + line
    return out
