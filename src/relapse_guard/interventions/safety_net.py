"""The safety-net (dibao) top-up: the monthly gap to the standard, for every member.

Rule (national practice, seed Yubei item 5): the safety net pays the gap between the
monthly standard and the household's per-capita monthly income, times the number of
members, paid monthly and never negative. The seed's rural standard (parameter
``safety_net.standard``, yuan per person per month) was raised from 230 to 300 yuan in 2016,
and the poverty line and the dibao line were merged ("two lines in one").

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 5; national dibao
practice for the gap arithmetic.

Arithmetic, as written in the grant's basis::

    monthly income left = (annual per-capita income - risk cost / members) / 12, to the fen
    gap                 = standard - monthly income left
    amount              = gap x members                         (per month)

The monthly income left is rounded half-up to the fen first, so the basis multiplies out
exactly as shown: "(300.00 - 208.33) x 3 members = 275.01 per month". With that rounding the
top-up lifts the monthly income per person to the standard within half a fen, never above it
by more. Declined, with the numbers, when the gap is zero or less (or less than a fen in all),
or when income was never assessed.
"""

from __future__ import annotations

import attrs

from ..context import Context
from ..decisions import Declined, Grant, Period, Risk
from ..money import to_money
from ._common import money, plural, responsible, when_in_force

__all__ = ["SafetyNetTopUp"]


@attrs.frozen(kw_only=True)
class SafetyNetTopUp:
    """Monthly gap-fill to the safety-net standard: ``(standard - income left per month) x members``.

    Reads ``{prefix}.standard`` (yuan per person per month) and, if the policy defines it,
    ``{prefix}.responsible`` (the unit paying it; ``responsible`` otherwise).
    """

    name: str = "safety_net"
    prefix: str = "safety_net"
    responsible: str = "town civil affairs office"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The monthly top-up for ``risk``, or :class:`Declined` when there is no gap or no assessed income."""
        left = ctx.income_left_per_capita(risk)
        if left is None:
            return Declined("income never assessed")
        standard = ctx.amount(f"{self.prefix}.standard")
        monthly_left = to_money(left / 12)
        gap = standard - monthly_left
        if gap <= 0:
            return Declined(
                f"no safety-net gap: monthly income left per person {money(monthly_left)} >= standard {money(standard)}"
            )
        amount = to_money(gap * ctx.size)
        if amount <= 0:  # a standard finer than the fen can leave less than a fen to pay
            return Declined(
                f"safety-net gap {gap} ({standard} - {money(monthly_left)}) x {plural(ctx.size, 'member')}"
                f" = {money(amount)}: less than a fen to pay"
            )
        basis = (
            f"({money(standard)} - {money(monthly_left)}) x {plural(ctx.size, 'member')} = {money(amount)} per month"
            f" (safety-net standard - monthly income per person left after the risk's cost of {money(risk.cost)}:"
            f" {money(left)} a year / 12)"
        )
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.MONTHLY,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
        )
