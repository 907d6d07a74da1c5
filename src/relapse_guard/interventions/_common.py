"""Helpers shared by the built-in interventions: money text, counts, evidence and responsible units."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Risk
from ..errors import InvalidPolicy, ParameterNotInForce
from ..message_keys import count
from ..messages import Message
from ..money import to_money

__all__ = [
    "count",
    "evidence_enum",
    "first_granted",
    "money",
    "responsible",
    "when_in_force",
    "whole_number",
]

_E = TypeVar("_E", bound=enum.Enum)
_I = TypeVar("_I")
_R = TypeVar("_R", bound=Grant | Declined | None)


def when_in_force(
    method: Callable[[_I, Risk, Context], _R],
) -> Callable[[_I, Risk, Context], _R | Declined]:
    """Make ``grant`` decline (does not apply) when a parameter it reads is not yet in force.

    The :class:`~relapse_guard.decisions.Declined` reason names the parameter and the date its
    first value takes effect: ``not in force yet: parameter 'industry_funds.amount' has no
    value on 2015-12-31: its first value takes effect on 2016-01-01``.

    A scheme applies from the date all its parameters have a value: Yubei's industry funds of
    2016 do not apply to a household identified in 2015. A parameter the policy does not have
    at all is still an error (:class:`~relapse_guard.errors.UnknownParameter`).
    """

    @functools.wraps(method)
    def grant(self: _I, risk: Risk, ctx: Context) -> _R | Declined:
        try:
            return method(self, risk, ctx)
        except ParameterNotInForce as error:
            return Declined(Message(keys.NOT_IN_FORCE, keys.no_value_yet(error)))

    return grant


def first_granted(ctx: Context, intervention: str) -> dt.date | None:
    """The date ``intervention`` first granted something to the household, or None if it never did."""
    return min((grant.date for grant in ctx.grants if grant.intervention == intervention), default=None)


def money(amount: Decimal) -> str:
    """``amount`` rounded to the fen, as text: ``money(Decimal(300)) == "300.00"``."""
    return str(to_money(amount))


def evidence_enum(enum_type: type[_E], text: str | None) -> _E | None:
    """Read an enum member from evidence text, or None when it is absent or unknown.

    Accepts the member's value (``"primary"``, ``"C"``) and also the text ``str()`` makes of a
    member (``"Schooling.PRIMARY"``, ``"HousingGrade.C"``), which is what evidence holds when a
    trigger passes the enum member itself to :meth:`Context.risk`.
    """
    if text is None:
        return None
    try:
        return enum_type(text)
    except ValueError:
        pass
    owner, _, member = text.rpartition(".")
    if owner == enum_type.__name__ and member in enum_type.__members__:
        return enum_type.__members__[member]
    return None


def responsible(ctx: Context, prefix: str, default: str) -> str:
    """The text parameter ``{prefix}.responsible`` when the policy defines it, else ``default``."""
    name = f"{prefix}.responsible"
    return ctx.text(name) if ctx.has_param(name) else default


def whole_number(ctx: Context, name: str, *, minimum: int) -> int:
    """A numeric parameter that must be a whole number >= ``minimum``; :class:`InvalidPolicy` otherwise."""
    value = ctx.amount(name)
    if value != value.to_integral_value() or value < minimum:
        raise InvalidPolicy(f"parameter {name!r} must be a whole number >= {minimum}, found {value}")
    return int(value)
