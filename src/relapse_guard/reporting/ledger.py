"""What a household's grants add up to, by intervention and by calendar month.

The same rules as :meth:`HouseholdResult.money_granted <relapse_guard.result.HouseholdResult.money_granted>`:
one-off and yearly grants count once, on their date; a later monthly grant of an
intervention replaces the earlier one. On top of that, monthly grants are counted *to date*:
the monthly amount in force in a calendar month is that of the latest monthly grant of the
intervention dated in or before that month, counted in every month up to the as-of month.
Services (grants without an amount) and grants still waiting for a case decision count nothing.

>>> Money(granted=Decimal(100), monthly_in_force=Decimal(30), monthly_to_date=Decimal(90)).total_to_date
Decimal('190')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from ..decisions import Period
from ..result import HouseholdResult

__all__ = ["HouseholdMoney", "Money", "household_money", "month_index", "month_label"]

_ZERO = Decimal(0)


def month_index(date: dt.date) -> int:
    """The calendar month of ``date`` as a number (``year * 12 + month - 1``), for arithmetic."""
    return date.year * 12 + date.month - 1


def month_label(index: int) -> str:
    """``"2016-03"`` for the month numbered ``index`` by :func:`month_index`."""
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


@attrs.frozen
class Money:
    """Money of one line of a report: one-off and yearly grants, and monthly grants two ways.

    ``granted`` sums one-off and yearly grants; ``monthly_in_force`` is the monthly amount in
    force on the as-of date; ``monthly_to_date`` is what the monthly grants came to, month by
    month, up to the as-of month. ``granted + monthly_in_force`` is what ``money_granted``
    (and ``relapse-guard screen``) counts; ``granted + monthly_to_date`` is the money to date.
    """

    granted: Decimal = _ZERO
    monthly_in_force: Decimal = _ZERO
    monthly_to_date: Decimal = _ZERO

    @property
    def total_to_date(self) -> Decimal:
        """One-off and yearly grants plus the monthly grants counted to date."""
        return self.granted + self.monthly_to_date

    @property
    def as_screened(self) -> Decimal:
        """One-off and yearly grants plus the monthly amounts in force (``money_granted``'s sum)."""
        return self.granted + self.monthly_in_force

    def __add__(self, other: Money) -> Money:
        return Money(
            self.granted + other.granted,
            self.monthly_in_force + other.monthly_in_force,
            self.monthly_to_date + other.monthly_to_date,
        )


@attrs.frozen
class HouseholdMoney:
    """One household's money: per intervention, and per month as sums and changes.

    ``granted_by_month`` sums the one-off and yearly grants of each month (by
    :func:`month_index`); ``monthly_changes`` holds, for each month, how much the monthly
    amount in force changes from the month before (so the amount of a month is the running
    sum of the changes up to it). Changes add up across households, which keeps totals small
    and mergeable whatever the number of months.
    """

    by_intervention: dict[str, Money]
    granted_by_month: dict[int, Decimal]
    monthly_changes: dict[int, Decimal]


def _add(into: dict[int, Decimal], key: int, amount: Decimal) -> None:
    into[key] = into.get(key, _ZERO) + amount


def household_money(result: HouseholdResult, as_of: dt.date) -> HouseholdMoney:
    """The money of ``result``'s grants up to ``as_of`` (see the module's rules)."""
    last_month = month_index(as_of)
    granted: dict[str, Decimal] = {}
    to_date: dict[str, Decimal] = {}
    granted_by_month: dict[int, Decimal] = {}
    changes: dict[int, Decimal] = {}
    running: dict[str, tuple[int, Decimal]] = {}  # intervention -> (month from, amount) in force

    def close(name: str, before: int) -> None:
        start, amount = running.pop(name)
        months = max(0, before - start)
        if months:
            to_date[name] = to_date.get(name, _ZERO) + amount * months
            _add(changes, start, amount)
            _add(changes, start + months, -amount)

    for grant in result.grants:
        if grant.amount is None:
            continue
        month = month_index(grant.date)
        if grant.period is Period.MONTHLY:
            if grant.intervention in running:
                close(grant.intervention, month)
            running[grant.intervention] = (month, grant.amount)
        else:
            granted[grant.intervention] = granted.get(grant.intervention, _ZERO) + grant.amount
            _add(granted_by_month, month, grant.amount)
    for name in list(running):
        close(name, last_month + 1)
    in_force = {name: grant.amount or _ZERO for name, grant in result.monthly_in_force().items()}
    names = sorted(set(granted) | set(in_force) | set(to_date))
    by_intervention = {
        name: Money(granted.get(name, _ZERO), in_force.get(name, _ZERO), to_date.get(name, _ZERO)) for name in names
    }
    return HouseholdMoney(by_intervention, granted_by_month, {k: v for k, v in changes.items() if k <= last_month})
