"""Medical aid: a share of the self-paid medical cost, within a yearly cap per household.

Rule (national practice; seed Yubei item 2, Dazu, Bishan): medical aid pays a share of the
self-paid part left after basic and serious-illness insurance, within a yearly cap; the
share is higher for safety-net households. In the seed, Yubei gave medical relief to the
poor (about 2000 person-visits), Dazu covered what remained after insurance, and Bishan gave
priority to medical relief.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 2; national
medical-aid practice for the share and the cap.

Arithmetic (parameters ``{prefix}.share``, ``{prefix}.share_safety_net``,
``{prefix}.yearly_cap``)::

    share  = share_safety_net if the household receives the safety net, else share
    asked  = share x self-paid cost, to the fen
    room   = yearly cap - medical aid already granted since 1 January of the grant's year
    amount = min(asked, room)                                       (one-off)

Declined, with the numbers, when there is no self-paid cost, when nothing is left under the
cap, or when the share comes to less than a fen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from .. import message_keys as keys
from ..context import COST_AID, Context
from ..decisions import Declined, Grant, Period, Risk
from ..messages import Message, Term
from ..money import to_money
from ._common import money, responsible, when_in_force

__all__ = ["MedicalAid"]


@attrs.frozen(kw_only=True)
class MedicalAid:
    """A share of ``risk.cost`` (the self-paid medical cost), limited by the household's yearly cap."""

    name: str = "medical_aid"
    prefix: str = "medical_aid"
    responsible: str = "district civil affairs bureau (medical aid)"
    #: Its grants pay toward the risk's cost: what they pay no longer weighs on the income left.
    tags: frozenset[str] = frozenset({COST_AID})

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The medical aid for ``risk``, or :class:`Declined` when there is no cost or the yearly cap is used up."""
        if risk.cost <= 0:
            return Declined(Message(keys.NO_MEDICAL_COST, money(risk.cost)))
        on_safety_net = ctx.receives_safety_net
        share_name = f"{self.prefix}.share_safety_net" if on_safety_net else f"{self.prefix}.share"
        share = ctx.amount(share_name)
        cap = ctx.amount(f"{self.prefix}.yearly_cap")
        year_start = dt.date(ctx.date.year, 1, 1)
        used = ctx.granted_total(self.name, since=year_start)
        asked = to_money(share * risk.cost)
        room = to_money(max(cap - used, Decimal(0)))
        amount = min(asked, room)
        if room <= 0:
            return Declined(Message(keys.MEDICAL_CAP_USED, money(cap), ctx.date.year, money(used)))
        if amount <= 0:
            return Declined(Message(keys.MEDICAL_NOTHING, share, money(risk.cost), money(asked)))
        basis = Message(
            keys.MEDICAL_BASIS,
            share,
            money(risk.cost),
            money(asked),
            Term("safety-net household" if on_safety_net else "household"),
            money(cap),
            money(used),
            ctx.date.year,
            money(room),
            money(amount),
        )
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.ONE_OFF,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=1,
            basis=basis,
        )
