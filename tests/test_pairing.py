from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.errors import InvalidInput, InvalidParameter, RelapseGuardError
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


def test_a_negative_or_unusable_revenue_names_the_town_and_value() -> None:
    with pytest.raises(InvalidInput, match=r"town 'b': revenue Decimal\('-5'\) is negative") as info:
        pair_towns({"a": Decimal(10), "b": Decimal(-5), "c": Decimal(1)})
    assert isinstance(info.value, RelapseGuardError)
    assert info.value.value == Decimal(-5)
    for bad in (Decimal("NaN"), Decimal("-Infinity"), "100", 1.5, None):
        with pytest.raises(InvalidInput, match="town 'b'"):
            pair_towns({"a": Decimal(10), "b": bad, "c": Decimal(1)})  # type: ignore[dict-item]
    with pytest.raises(InvalidParameter, match=r"town_pairing\.share"):
        pair_towns({"a": Decimal(1)}, share=Decimal("-0.1"))


def test_the_odd_fen_goes_to_the_poorer_town() -> None:
    # 4% of 0.75 is 0.03: 0.02 to the poorest town, 0.01 to the next
    transfers = pair_towns({"rich": Decimal("0.75"), "poorer": Decimal(0), "poorest": Decimal(0)})
    assert [(t.receiver, t.amount) for t in transfers] == [("poorest", Decimal("0.02")), ("poorer", Decimal("0.01"))]


@given(
    st.dictionaries(
        st.text(alphabet="abcdefghij", min_size=1, max_size=4),
        st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
        max_size=30,
    ),
    st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False),
)
def test_the_docstring_rule_exact_sum_and_odd_fen_to_the_poorer(revenues: dict[str, Decimal], share: Decimal) -> None:
    transfers = pair_towns(revenues, share)
    ranked = sorted(revenues, key=lambda town: (-revenues[town], town))
    assert len(transfers) == 2 * (len(ranked) // 3)
    for index in range(len(ranked) // 3):
        poorer, other = transfers[2 * index], transfers[2 * index + 1]
        # the 1st gives to the last and second-to-last, the 2nd to the next two from the bottom, ...
        assert poorer.giver == other.giver == ranked[index]
        assert (poorer.receiver, other.receiver) == (ranked[-1 - 2 * index], ranked[-2 - 2 * index])
        total = (revenues[ranked[index]] * share).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert poorer.amount + other.amount == total  # the sum is exact
        assert poorer.amount - other.amount in (Decimal(0), Decimal("0.01"))  # equal, or the odd fen to the poorer
        assert (poorer.amount - other.amount == Decimal("0.01")) == (total * 100 % 2 == 1)
        assert poorer.amount.as_tuple().exponent == other.amount.as_tuple().exponent == -2
