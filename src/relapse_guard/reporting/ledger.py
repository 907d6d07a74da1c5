"""What a household's grants add up to, by intervention and by calendar month.

The same rules as :meth:`HouseholdResult.owed <relapse_guard.result.HouseholdResult.owed>` and
:meth:`HouseholdResult.money <relapse_guard.result.HouseholdResult.money>` (see
:mod:`relapse_guard.entitlements`): one-off and yearly grants count once, in the month of
their date; an entitlement (a monthly grant) counts in every month it is in force, from its
start to its end, up to the as-of month. Services (grants without an amount) and grants
still waiting for a case decision count nothing. A screen's money and a report's are the
same figures.

>>> Money(granted=Decimal(100), monthly_in_force=Decimal(30), monthly_to_date=Decimal(90)).total_to_date
Decimal('190')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from ..entitlements import month_index, month_label, months_owed, owed_in_month
from ..result import HouseholdResult

__all__ = ["HouseholdMoney", "Money", "household_money", "month_index", "month_label"]

_ZERO = Decimal(0)


@attrs.frozen
class Money:
    """Money of one line of a report: one-off and yearly grants, and monthly grants two ways.

    ``granted`` sums one-off and yearly grants (yuan); ``monthly_in_force`` is the monthly
    amount in force on the as-of date (yuan a month); ``monthly_to_date`` is what the
    entitlements came to, month by month, up to the as-of month (yuan). ``granted +
    monthly_to_date`` is the money to date, the screen's ``paid_to_date``.
    """

    granted: Decimal = _ZERO
    monthly_in_force: Decimal = _ZERO
    monthly_to_date: Decimal = _ZERO

    @property
    def total_to_date(self) -> Decimal:
        """One-off and yearly grants plus the monthly grants counted to date."""
        return self.granted + self.monthly_to_date

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
    granted_by_month: dict[int, Decimal] = {}
    changes: dict[int, Decimal] = {}
    for grant in result.grants:
        amount = grant.amount
        if amount is None:
            continue
        if not grant.is_entitlement:
            if grant.date <= as_of:
                _add(granted_by_month, month_index(grant.date), amount)
            continue
        months = months_owed(grant, last_month)
        if months is None:
            continue
        first, end = months
        if not grant.prorated:
            _add(changes, first, amount)
            _add(changes, end + 1, -amount)
            continue
        # prorated: the first and last months may be partial, the months between whole
        opening, closing = owed_in_month(grant, first), owed_in_month(grant, end)
        _add(changes, first, opening)
        if end > first:
            _add(changes, first + 1, amount - opening)
            _add(changes, end, closing - amount)
        _add(changes, end + 1, -(closing if end > first else opening))
    by_intervention = {
        name: Money(line.one_off, line.monthly_in_force, line.paid_to_date - line.one_off)
        for name, line in result.money(as_of).items()
    }
    return HouseholdMoney(
        by_intervention,
        granted_by_month,
        {k: v for k, v in changes.items() if k <= last_month and v},
    )
