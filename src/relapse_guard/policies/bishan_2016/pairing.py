"""Bishan's town-to-town pairing of funds.

Towns are ranked by last year's public budget revenue. The richest third give: the 1st
gives a share (4% in 2016) of its revenue, split equally, to the last and second-to-last;
the 2nd to the next two from the bottom; and so on. With 15 towns, ranks 1-5 give and
ranks 6-15 receive (Bishan 2016: 49.4 million yuan, 53 projects).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Bishan.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from ...money import to_money

__all__ = ["Transfer", "pair_towns"]


@attrs.frozen
class Transfer:
    """A yearly transfer from a giving town to a receiving town."""

    giver: str
    receiver: str
    amount: Decimal
    giver_rank: int
    receiver_rank: int


def pair_towns(revenues: Mapping[str, Decimal], share: Decimal = Decimal("0.04")) -> tuple[Transfer, ...]:
    """The transfers the pairing rule gives for ``revenues`` (town -> last year's revenue).

    Ties in revenue are broken by town name, so the result never depends on input order.
    With ``n`` towns, ``n // 3`` give and the ``2 * (n // 3)`` poorest receive; any town in
    between neither gives nor receives. Each giver's ``share`` of revenue is split equally,
    rounded half-up to the fen (the half left over from an odd fen goes to the poorer town).

    >>> [t.receiver for t in pair_towns({"a": Decimal(300), "b": Decimal(200), "c": Decimal(100)})]
    ['c', 'b']
    """
    if share < 0 or share > 1:
        raise ValueError(f"share must be between 0 and 1, not {share}")
    for town, revenue in revenues.items():
        if revenue < 0:
            raise ValueError(f"town {town!r}: revenue {revenue} is negative")
    ranked = sorted(revenues, key=lambda town: (-revenues[town], town))
    givers = len(ranked) // 3
    transfers = []
    for index in range(givers):
        giver = ranked[index]
        total = to_money(revenues[giver] * share)
        half = to_money(total / 2)
        poorest = len(ranked) - 1 - 2 * index
        for receiver_index, amount in ((poorest, total - half), (poorest - 1, half)):
            transfers.append(Transfer(giver, ranked[receiver_index], amount, index + 1, receiver_index + 1))
    return tuple(transfers)
