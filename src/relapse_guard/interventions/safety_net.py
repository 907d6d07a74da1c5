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

from decimal import Decimal

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Period, Risk
from ..entitlements import EntitlementTerms
from ..messages import Message
from ..money import to_money
from ._common import count, money, responsible, when_in_force

__all__ = ["SafetyNetTopUp", "monthly_top_up"]

_ZERO = Decimal(0)


@attrs.frozen(kw_only=True)
class SafetyNetTopUp:
    """Monthly gap-fill to the safety-net standard: ``(standard - income left per month) x members``.

    Reads ``{prefix}.standard`` (yuan per person per month) and, if the policy defines it,
    ``{prefix}.responsible`` (the unit paying it; ``responsible`` otherwise).

    Its grants are entitlements of the kind ``safety_net`` (``tags``): owed from the month
    after approval, recomputed on the exit, when the standard changes, on a change of household
    size (the top-up is per member), and on an income
    assessment that shows an obvious change (``{prefix}.obvious_change``) or comes after the
    re-check period (``{prefix}.recheck_months``, or ``{prefix}.recheck_months_can_work`` for a
    household with a member able to work), and ended (after ``{prefix}.gradual_exit_months``)
    once the income left per person is at or above the standard. A policy without these
    parameters recomputes it on every income assessment and ends it at once.
    """

    name: str = "safety_net"
    prefix: str = "safety_net"
    responsible: str = "town civil affairs office"
    tags: frozenset[str] = frozenset({"safety_net"})
    terms: EntitlementTerms = attrs.field(
        default=attrs.Factory(
            lambda self: EntitlementTerms(
                recompute_on_income=True,
                recompute_on_members=True,
                gradual_exit_months=f"{self.prefix}.gradual_exit_months",
                recheck_months=f"{self.prefix}.recheck_months",
                recheck_months_can_work=f"{self.prefix}.recheck_months_can_work",
                obvious_change=f"{self.prefix}.obvious_change",
            ),
            takes_self=True,
        )
    )

    def amount(self, risk: Risk, ctx: Context) -> Decimal | None:
        """The monthly amount :meth:`grant` would give, without its explanation; None when it
        would decline. The engine asks it first when it recomputes an entitlement, and asks
        :meth:`grant` only when the amount changes."""
        income = ctx.income_per_capita
        if income is None:
            return None
        return monthly_top_up(income, ctx.open_costs(risk), ctx.size, ctx.amount(f"{self.prefix}.standard"))

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The monthly top-up for ``risk``, or :class:`Declined` when there is no gap or no assessed income."""
        income = ctx.income_per_capita
        if income is None:
            return Declined(Message(keys.INCOME_NEVER_ASSESSED))
        costs = ctx.open_costs(risk)
        left = max(income - costs / ctx.size, _ZERO)  # ctx.income_left_per_capita(risk), costs kept
        standard = ctx.amount(f"{self.prefix}.standard")
        monthly_left = to_money(left / 12)
        gap = standard - monthly_left
        if gap <= 0:
            return Declined(Message(keys.NO_SAFETY_NET_GAP, money(monthly_left), money(standard)))
        amount = to_money(gap * ctx.size)
        if amount <= 0:  # a standard finer than the fen can leave less than a fen to pay
            return Declined(
                Message(
                    keys.SAFETY_NET_LESS_THAN_A_FEN,
                    gap,
                    standard,
                    money(monthly_left),
                    count(ctx.size, "member"),
                    money(amount),
                )
            )
        basis = Message(
            keys.SAFETY_NET_BASIS,
            money(standard),
            money(monthly_left),
            count(ctx.size, "member"),
            money(amount),
            _costs(risk, costs, ctx.cost_borne(risk) if risk.cost else risk.cost),
            money(left),
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


def monthly_top_up(income: Decimal, costs: Decimal, size: int, standard: Decimal) -> Decimal | None:
    """The monthly top-up of the module docstring's arithmetic: for a per-capita annual
    ``income``, ``costs`` taken off it, ``size`` members and the monthly ``standard``; None when
    there is no gap (or less than a fen in all). :meth:`SafetyNetTopUp.amount` and the columnar
    single-period screen both use it."""
    left = max(income - costs / size if costs else income, _ZERO)
    gap = standard - to_money(left / 12)
    amount = to_money(gap * size) if gap > 0 else _ZERO
    return amount if amount > 0 else None


def _costs(risk: Risk, costs: Decimal, borne: Decimal) -> Message:
    """The costs taken off the income (``costs``, of the open risks; ``borne``: the risk's own
    cost less the aid paid toward it), as the basis says them."""
    if borne == risk.cost:
        if costs == risk.cost:
            return Message(keys.RISK_COST, money(risk.cost))
        return Message(keys.OPEN_COSTS, money(costs), money(risk.cost))
    aid = money(risk.cost - borne)
    if costs == borne:
        return Message(keys.RISK_COST_BORNE, money(borne), money(risk.cost), aid)
    return Message(keys.OPEN_COSTS_BORNE, money(costs), money(borne), money(risk.cost), aid)
