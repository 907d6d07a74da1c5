"""Micro insurance: yearly premiums per person, bought for the whole household once a year.

Rule (seed Yubei item 4, Bishan): Yubei bought micro accident insurance at 50 yuan per
person (214,290 yuan spent); Bishan bought, per exited or relatively poor person, accident
insurance (50 yuan), serious-illness supplementary insurance (50 yuan) and rural
cooperative medical insurance (140 yuan).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 4 and Bishan.

Parameters: ``{prefix}.premium.<product>`` (yuan per person per year; ``prefix`` is
``insurance`` by default) for each of ``products``. Arithmetic::

    amount = (sum of the products' premiums) x members        (per year)

Once per calendar year: declined when this intervention already granted something in the
year of the context's date, and when the premiums come to zero.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Period, Risk
from ..errors import InvalidPolicy
from ..messages import Join, Message, Term
from ..money import to_money
from ._common import count, money, responsible, when_in_force

__all__ = ["MicroInsurance"]


def _products(items: Iterable[str]) -> tuple[str, ...]:
    products = tuple(items)
    if not products or not all(isinstance(p, str) and p for p in products):
        raise InvalidPolicy(f"products must be a non-empty sequence of product names, found {products!r}")
    if len(set(products)) != len(products):
        raise InvalidPolicy(f"products must not repeat a product, found {products!r}")
    return products


@attrs.frozen(kw_only=True)
class MicroInsurance:
    """The yearly premiums of ``products`` for every member of the household."""

    name: str = "micro_insurance"
    prefix: str = "insurance"
    products: tuple[str, ...] = attrs.field(default=("accident",), converter=_products)
    responsible: str = "district poverty alleviation office"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The premiums for this year, or :class:`Declined` when bought already this year or they come to zero."""
        bought = sorted(g.date for g in ctx.grants if g.intervention == self.name and g.date.year == ctx.date.year)
        if bought:
            return Declined(Message(keys.PREMIUMS_BOUGHT, ctx.date.year, bought[0]))
        premiums = [(product, ctx.amount(f"{self.prefix}.premium.{product}")) for product in self.products]
        per_person = sum((premium for _, premium in premiums), start=to_money(0))
        amount = to_money(per_person * ctx.size)
        listed = Join(
            [Message(keys.PREMIUM, Term(product), money(premium)) for product, premium in premiums],
            " + ",
        )
        basis = Message(keys.PREMIUMS_BASIS, listed, money(per_person), count(ctx.size, "member"), money(amount))
        if amount <= 0:
            return Declined(Message(keys.PREMIUMS_NOTHING, basis))
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.YEARLY,
            service="insurance cover: " + ", ".join(self.products),
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
        )
