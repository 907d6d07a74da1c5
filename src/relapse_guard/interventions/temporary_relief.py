"""Temporary relief: a one-off payment sized against the safety-net standard, help first.

Rule (national practice; seed Dazu): temporary relief is a one-off payment sized against the
monthly safety-net standard, capped — one province caps it at 10 months of the standard —
and disasters and accidents take the "help first, paperwork after" fast track. Dazu gives
households hit by illness or disaster priority for temporary relief.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Dazu ("illness or disaster ->
dibao as the bottom line, and priority for temporary relief"); national temporary-relief
practice for the sizing and the cap.

Arithmetic (parameters ``{prefix}.cap_months``, ``{prefix}.months_without_cost`` and
``safety_net.standard``), chosen here and written in the grant's basis:

- the cap is per household and per payment: ``cap_months x standard``;
- a risk with a cost (a disaster loss, a medical bill): ``min(cost, cap)``;
- a risk without a cost (a lost job, a lost earner): ``months_without_cost x standard x
  members``, limited by the same household cap.

The grant is always flagged ``emergency`` (paid first, paperwork after). Declined, with the
arithmetic, when the amount comes to zero.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import COST_AID, Context
from ..decisions import Declined, Grant, Period, Risk
from ..messages import Message
from ..money import to_money
from ._common import count, money, responsible, when_in_force

__all__ = ["TemporaryRelief"]


@attrs.frozen(kw_only=True)
class TemporaryRelief:
    """One-off relief: the risk's cost, or some months of the standard per member, within a cap.

    ``priority`` marks priority relief (Dazu); it is recorded in the basis and does not change
    the amount. ``standard`` names the safety-net standard parameter.
    """

    name: str = "temporary_relief"
    prefix: str = "temporary_relief"
    standard: str = "safety_net.standard"
    priority: bool = False
    responsible: str = "town civil affairs office"
    #: Its grants pay toward the risk's cost: what they pay no longer weighs on the income left.
    tags: frozenset[str] = frozenset({COST_AID})

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The one-off relief for ``risk``, or :class:`Declined` when it comes to nothing."""
        standard = ctx.amount(self.standard)
        cap_months = ctx.amount(f"{self.prefix}.cap_months")
        cap = to_money(cap_months * standard)
        if risk.cost > 0:
            asked = to_money(risk.cost)
            sizing = Message(keys.RELIEF_COST, money(asked))
        else:
            months = ctx.amount(f"{self.prefix}.months_without_cost")
            asked = to_money(months * standard * ctx.size)
            sizing = Message(keys.RELIEF_MONTHS, months, money(standard), count(ctx.size, "member"), money(asked))
        amount = min(asked, cap)
        sized = Message(keys.RELIEF_SIZED, sizing, cap_months, money(standard), money(cap), money(amount))
        if amount <= 0:
            return Declined(Message(keys.RELIEF_NOTHING, sized))
        basis = Message(keys.RELIEF_BASIS_PRIORITY if self.priority else keys.RELIEF_BASIS, sized)
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.ONE_OFF,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
            emergency=True,
        )
