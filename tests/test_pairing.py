from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.policies.bishan_2016 import pair_towns


def test_fifteen_towns_seed_rule() -> None:
    revenues = {f"town{rank:02d}": Decimal(1000 * (16 - rank)) for rank in range(1, 16)}  # town01 richest
    transfers = pair_towns(revenues)
    pairs = [(t.giver_rank, t.receiver_rank) for t in transfers]
    assert pairs == [(1, 15), (1, 14), (2, 13), (2, 12), (3, 11), (3, 10), (4, 9), (4, 8), (5, 7), (5, 6)]
    first = transfers[0]
    assert (first.giver, first.receiver, first.amount) == ("town01", "town15", Decimal("300.00"))
    assert transfers[1].amount == Decimal("300.00")  # 4% of 15000 = 600, split equally


def test_ties_broken_by_name_and_input_order_irrelevant() -> None:
    revenues = {"b": Decimal(5), "a": Decimal(5), "c": Decimal(1)}
    assert pair_towns(revenues) == pair_towns(dict(reversed(list(revenues.items()))))
    assert pair_towns(revenues)[0].giver == "a"


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        pair_towns({"a": Decimal(-1)})
    with pytest.raises(ValueError, match="share"):
        pair_towns({"a": Decimal(1)}, share=Decimal(2))


@given(
    st.dictionaries(
        st.text(alphabet="abcdefghij", min_size=1, max_size=4),
        st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
        max_size=30,
    ),
)
def test_every_giver_gives_its_share_and_no_town_both_gives_and_receives(revenues: dict[str, Decimal]) -> None:
    transfers = pair_towns(revenues)
    givers = {t.giver for t in transfers}
    receivers = {t.receiver for t in transfers}
    assert not givers & receivers
    assert len(givers) == len(revenues) // 3
    assert len(receivers) == 2 * (len(revenues) // 3)
    for giver in givers:
        total = sum(t.amount for t in transfers if t.giver == giver)
        assert total == (revenues[giver] * Decimal("0.04")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert all(t.amount >= 0 for t in transfers)
    for t in transfers:
        assert revenues[t.giver] >= revenues[t.receiver]
