"""Paired helper: a named person responsible for one household, with planned revisits.

Rule (seed Bishan, Dazu): paired helpers keep helping exited households until the 2020
national acceptance; they revisit them and regularly "do the accounts" (recompute income)
so that each stays above the line, with a plan and a ledger per household (Bishan: 119
units, 10,000+ visits). Dazu kept a chain of responsible persons per household down to the
village cadres, and 5361 helpers kept visiting.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Bishan and Dazu.

Parameters: ``{prefix}.revisit_interval_months`` (months between revisits, >= 1) and
``{prefix}.revisits`` (how many to plan, >= 0). Revisit dates are a monthly
:func:`dateutil.rrule.rrule` every ``interval`` months, ``count`` times, from one interval
after the context's date, on the same day of the month — or the month's last day when it is
shorter (a pairing on 31 January revisits on 29 February 2016, 31 March, 30 April...).
A household is paired once: declined, saying since when, when it already has a helper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Risk
from ..household import Household
from ..messages import Message
from ._common import count, first_granted, when_in_force, whole_number

__all__ = ["PairedHelper", "revisit_dates"]


def default_helper(household: Household) -> str:
    """``"village cadre of <village>"`` (or of the town, or the district, when not known)."""
    return _cadre_of(household).english()


def _cadre_of(household: Household) -> Message:
    """The default helper as a message, which a decision says in any language."""
    place = household.place
    return Message(keys.VILLAGE_CADRE_OF, place.village or place.town or place.district)


def revisit_dates(start: dt.date, *, interval_months: int, count: int) -> tuple[dt.date, ...]:
    """``count`` dates every ``interval_months`` months, the first one interval after ``start``.

    >>> revisit_dates(dt.date(2016, 1, 31), interval_months=1, count=3)
    (datetime.date(2016, 2, 29), datetime.date(2016, 3, 31), datetime.date(2016, 4, 30))
    """
    if count <= 0:
        return ()
    first = start + relativedelta(months=interval_months)
    rule = rrule(
        MONTHLY,
        dtstart=dt.datetime.combine(first, dt.time()),
        interval=interval_months,
        count=count,
        # the start's day of the month, or the last day of a shorter month: the earliest of the two
        bymonthday=(start.day, -1),
        bysetpos=1,
    )
    return tuple(moment.date() for moment in rule)


@attrs.frozen(kw_only=True)
class PairedHelper:
    """A named helper for the household (``helper_for(household)``) and planned revisit dates."""

    name: str = "paired_helper"
    prefix: str = "paired_helper"
    helper_for: Callable[[Household], str] | None = None
    service: str = "paired helper: revisits and income accounts"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The pairing, or :class:`Declined` when the household already has a paired helper."""
        earlier = first_granted(ctx, self.name)
        if earlier is not None:
            return Declined(Message(keys.ALREADY_PAIRED, earlier))
        interval = whole_number(ctx, f"{self.prefix}.revisit_interval_months", minimum=1)
        visits = whole_number(ctx, f"{self.prefix}.revisits", minimum=0)
        named: str | Message
        if self.helper_for is None:
            named = _cadre_of(ctx.household)
            helper = named.english()
        else:
            helper = named = self.helper_for(ctx.household)
        revisits = revisit_dates(ctx.date, interval_months=interval, count=visits)
        plan = (
            Message(keys.REVISIT_PLAN, count(visits, "revisit"), count(interval, "month"), revisits[0], revisits[-1])
            if revisits
            else Message(keys.NO_REVISITS)
        )
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            service=self.service,
            responsible=helper,
            persons=ctx.size,
            basis=Message(keys.PAIRING_BASIS, named, count(ctx.size, "member"), plan),
            revisits=revisits,
        )
