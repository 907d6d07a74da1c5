"""Bishan's town-to-town pairing of funds.

Towns are ranked by last year's public budget revenue. The richest third give: the 1st
gives a share (4% in 2016) of its revenue, split equally, to the last and second-to-last;
the 2nd to the next two from the bottom; and so on. With 15 towns, ranks 1-5 give and
ranks 6-15 receive (Bishan 2016: 49.4 million yuan, 53 projects).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Bishan.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal

import attrs

from ...errors import InvalidInput, InvalidParameter
from ...money import FEN, to_money

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

    >>> [(t.receiver, t.amount) for t in pair_towns({"a": Decimal("0.75"), "b": Decimal(0), "c": Decimal(0)})]
    [('c', Decimal('0.02')), ('b', Decimal('0.01'))]

    A ``share`` outside 0 to 1 raises :class:`~relapse_guard.errors.InvalidParameter`; a revenue
    that is negative or not a finite number :class:`~relapse_guard.errors.InvalidInput` naming the town.
    """
    if isinstance(share, bool) or not isinstance(share, Decimal | int) or not 0 <= share <= 1:
        raise InvalidParameter("town_pairing.share", None, share, "a share between 0 and 1 (Decimal)")
    for town, revenue in revenues.items():
        _check_revenue(town, revenue)
    ranked = sorted(revenues, key=lambda town: (-revenues[town], town))
    givers = len(ranked) // 3
    transfers = []
    for index in range(givers):
        giver = ranked[index]
        total = to_money(revenues[giver] * share)
        # equal halves to the fen; an odd fen goes to the poorer of the two towns
        smaller = (total / 2).quantize(FEN, rounding=ROUND_DOWN)
        poorest = len(ranked) - 1 - 2 * index
        for receiver_index, amount in ((poorest, total - smaller), (poorest - 1, smaller)):
            transfers.append(Transfer(giver, ranked[receiver_index], amount, index + 1, receiver_index + 1))
    return tuple(transfers)


def _check_revenue(town: str, revenue: object) -> None:
    number = isinstance(revenue, Decimal | int) and not isinstance(revenue, bool) and Decimal(revenue).is_finite()
    if number and revenue >= 0:  # type: ignore[operator]  # number: a finite Decimal or int
        return
    expected = "a revenue >= 0 (a finite Decimal or int, in yuan)"
    error = InvalidInput(None, "revenue", revenue, expected)
    problem = "is negative" if number else "is not a finite number"
    error.args = (f"town {town!r}: revenue {revenue!r} {problem}; expected {expected}",)
    raise error
