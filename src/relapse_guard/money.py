"""Money: :class:`decimal.Decimal` yuan, rounded half-up to the fen (0.01 yuan).

Never float: amounts must add up exactly in reports and replay bit-for-bit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InvalidArgument

__all__ = ["FEN", "ZERO", "money_text", "parse_decimal", "to_money"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(amount: Decimal | int) -> Decimal:
    """Round ``amount`` half-up to the fen: ``to_money(Decimal("1.005")) == Decimal("1.01")``."""
    return (amount if type(amount) is Decimal else Decimal(amount)).quantize(FEN, rounding=ROUND_HALF_UP)


def money_text(amount: Decimal | int) -> str:
    """An amount worked out (a multiple of a line, a share of an income) as an explanation shows
    it: to the fen, as grants are shown, and never rounded: an amount finer than a fen as it is.

    >>> money_text(Decimal("1.5") * 3600), money_text(Decimal("0.3") * 11013), money_text(Decimal("1200.2133"))
    ('5400.00', '3303.90', '1200.2133')
    """
    value = amount if type(amount) is Decimal else Decimal(amount)
    try:
        exact = value.quantize(FEN)
    except InvalidOperation:  # too many digits to hold the fen: as it is
        return str(value)
    return str(exact) if exact == value else str(value)


def parse_decimal(value: object) -> Decimal:
    """Read a decimal from an int, a Decimal or a string; raise
    :class:`~relapse_guard.errors.InvalidArgument` (a ``ValueError``) otherwise.

    Floats are refused on purpose: ``0.1`` is not a tenth, and money must be exact.
    """
    if isinstance(value, bool):
        raise InvalidArgument("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidArgument(f"{value!r} is not a decimal number") from None
    else:
        raise InvalidArgument(f"{type(value).__name__} is not an amount (use int, str or Decimal)")
    if not result.is_finite():
        raise InvalidArgument(f"{value!r} is not a finite number")
    return result
