"""Industry support funds: a one-off sum per household or per person, given once.

Rule (seed Yubei item 1, Bishan): Yubei gave 2000 yuan per household to the 1113 households
(2770 people) that exited in 2015, and 2000 yuan per person to the 745 low-income
households (1912 people) of 2016 — 6.012 million yuan in all, for fruit, vegetables, herbs,
poultry, rabbits, livestock and fish. Bishan gave 2000 yuan per household to relatively
poor households (2.234 million yuan for 2016).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 1 and Bishan.

Parameters: ``{prefix}.amount`` (yuan) and ``{prefix}.basis`` ("household" or "person";
"person" multiplies the amount by the number of members). A policy with two schemes, as
Yubei's, uses two instances with their own ``name`` and ``prefix``. With ``once`` (the
default), a household that already had these funds (under this ``name``) gets nothing more:
the intervention declines, saying when they were granted; it also declines when the amount
comes to zero.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Period, Risk
from ..errors import InvalidPolicy
from ..messages import Message
from ..money import to_money
from ._common import count, first_granted, money, responsible, when_in_force

__all__ = ["IndustrySupportFunds"]

_BASES = ("household", "person")


@attrs.frozen(kw_only=True)
class IndustrySupportFunds:
    """One-off industry funds: ``amount`` per household, or ``amount x members`` per person."""

    name: str = "industry_funds"
    prefix: str = "industry_funds"
    once: bool = True
    responsible: str = "district poverty alleviation office"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The funds for ``risk``, or :class:`Declined` if already given (``once``) or the amount is zero."""
        earlier = first_granted(ctx, self.name) if self.once else None
        if earlier is not None:
            return Declined(Message(keys.FUNDS_ONCE, earlier))
        per = ctx.amount(f"{self.prefix}.amount")
        basis_name = f"{self.prefix}.basis"
        per_what = ctx.text(basis_name)
        if per_what not in _BASES:
            raise InvalidPolicy(f"parameter {basis_name!r} must be 'household' or 'person', found {per_what!r}")
        if per_what == "person":
            amount = to_money(per * ctx.size)
            basis = Message(keys.FUNDS_PER_PERSON, money(per), count(ctx.size, "member"), money(amount))
        else:
            amount = to_money(per)
            basis = Message(keys.FUNDS_PER_HOUSEHOLD, money(per), money(amount))
        if amount <= 0:
            return Declined(Message(keys.FUNDS_NOTHING, basis))
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.ONE_OFF,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
        )
