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


def money_text(amount: Decimal | int, *, grouped: bool = False, signed: bool = False) -> str:
    """An amount of yuan as every text of the library shows it (explanations, the demo, ``explain``,
    the what-if, the screen's and the JSON form's figures, reports): to the fen, zero as ``0.00``,
    and never rounded: an amount finer than a fen as it is, in plain notation. ``grouped`` puts
    thousands separators in, as reports do (``1,234.50``); ``signed`` a ``+`` before an amount
    above zero, as a difference is shown (``+67.17``).

    >>> money_text(Decimal("1.5") * 3600), money_text(Decimal("0.3") * 11013), money_text(Decimal("1200.2133"))
    ('5400.00', '3303.90', '1200.2133')
    >>> money_text(Decimal(0)), money_text(-67), money_text(Decimal("1E+3"))
    ('0.00', '-67.00', '1000.00')
    >>> money_text(Decimal("1234.5"), grouped=True)
    '1,234.50'
    >>> money_text(Decimal("67.17"), signed=True), money_text(0, signed=True), money_text(-5, signed=True)
    ('+67.17', '0.00', '-5.00')
    """
    value = amount if type(amount) is Decimal else Decimal(amount)
    try:
        exact = value.quantize(FEN)
    except InvalidOperation:  # too many digits to hold the fen: as it is
        exact = value
    shown = exact if exact == value else value
    if not grouped and not signed:
        return f"{shown:f}"  # what the engine's evidence asks: no format spec to build
    return f"{shown:{'+' if signed and shown > 0 else ''}{',' if grouped else ''}f}"


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
