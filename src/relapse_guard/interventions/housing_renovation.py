"""Housing renovation: a grant per household for a house appraised C or D, never twice.

Rule (seed Yubei item 6, Bishan; national housing-safety practice): houses are graded A
(safe), B (some dangerous components), C (partly dangerous) and D (whole building
dangerous); only C and D qualify for renovation grants, and no house is subsidised twice.
Yubei's base grants were 12,000 yuan for C and 35,000 yuan for D per household, raised by
50% for low-income households (C 18,000, D 52,500); 18 houses were renovated in 2016.
Bishan gave priority to unsafe houses (245 in 2016: 65 C, 180 D).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 6 and Bishan.

Parameters: ``{prefix}.grant.C``, ``{prefix}.grant.D`` (yuan per household) and
``{prefix}.low_income_uplift`` (a factor, read only for low-income households; no uplift
when the policy does not define it). Arithmetic::

    amount = grant[grade] x uplift (low-income households) or grant[grade]     (one-off)

The grade is the risk's ``grade`` evidence, else the household's latest appraisal. Declined,
with the reason, for a safe (A, B), unknown or unappraised house, for a house subsidised
before, and when the amount comes to zero.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import COST_AID, Context
from ..decisions import Declined, Grant, Period, Risk
from ..facts import HousingGrade
from ..messages import Message
from ..money import to_money
from ._common import evidence_enum, first_granted, money, responsible, when_in_force

__all__ = ["HousingRenovation"]


@attrs.frozen(kw_only=True)
class HousingRenovation:
    """The renovation grant for a C or D house, raised for low-income households; once per household."""

    name: str = "housing_renovation"
    prefix: str = "housing"
    responsible: str = "district housing and urban-rural development commission"
    #: Its grants pay toward the risk's cost: what they pay no longer weighs on the income left.
    tags: frozenset[str] = frozenset({COST_AID})

    def grade(self, risk: Risk, ctx: Context) -> HousingGrade | None:
        """The house's grade: the risk's ``grade`` evidence, else the latest appraisal."""
        if risk.get("grade") is not None:
            return evidence_enum(HousingGrade, risk.get("grade"))
        return ctx.housing_grade

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The renovation grant, or :class:`Declined` for a safe (A, B) or unappraised house or a second subsidy."""
        grade = self.grade(risk, ctx)
        if grade is None:
            text = risk.get("grade")
            if text is None:
                return Declined(Message(keys.HOUSE_NEVER_APPRAISED))
            return Declined(Message(keys.UNKNOWN_GRADE, repr(text)))
        if not grade.unsafe:
            return Declined(Message(keys.HOUSE_SAFE, grade.value))
        earlier = first_granted(ctx, self.name)
        if earlier is not None:
            return Declined(Message(keys.HOUSE_SUBSIDISED, earlier))
        base = ctx.amount(f"{self.prefix}.grant.{grade.value}")
        uplift_name = f"{self.prefix}.low_income_uplift"
        if ctx.is_low_income and ctx.has_param(uplift_name):
            uplift = ctx.amount(uplift_name)
            amount = to_money(base * uplift)
            basis = Message(keys.HOUSING_BASIS_UPLIFT, grade.value, money(base), uplift, money(amount))
        else:
            amount = to_money(base)
            basis = Message(keys.HOUSING_BASIS, grade.value, money(base), money(amount))
        if amount <= 0:
            return Declined(Message(keys.HOUSING_NOTHING, basis))
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.ONE_OFF,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
        )
