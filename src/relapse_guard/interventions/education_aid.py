"""Education aid: a yearly amount per student, by school level.

Rule (seed Yubei item 3, Dazu): school children of exited and low-income households are
aided — Yubei aided 819 children (1.1684 million yuan); Dazu subsidised high-school and
vocational students and university entrants (732 students, 3.02 million yuan), besides free
meals in compulsory school. The amount per student is a parameter per level:
``{prefix}.per_student.<level>`` with levels preschool, primary, junior_secondary,
senior_secondary, vocational and tertiary (the :class:`~relapse_guard.household.Schooling`
values).

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 3 and Dazu; national
student-aid practice for the typical amounts.

The level is the risk's ``level`` evidence, else the school level of the member the risk
names. Declined, with the reason, when the level is unknown or "none", when the policy has no
amount for the level, or when the amount is zero. Paid yearly, to one student, once per risk
(the router pays a risk once): the schooling trigger finds one risk per member, level and school
year, so a pupil reported in September and again in the spring is aided once, and again the
next school year.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import COST_AID, Context
from ..decisions import Declined, Grant, Period, Risk
from ..household import Schooling
from ..messages import Message, Term
from ..money import to_money
from ._common import evidence_enum, money, responsible, when_in_force

__all__ = ["EducationAid"]


@attrs.frozen(kw_only=True)
class EducationAid:
    """The yearly aid for one student at the risk's school level (``{prefix}.per_student.<level>``)."""

    name: str = "education_aid"
    prefix: str = "education_aid"
    responsible: str = "district education commission"
    #: Its grants pay toward the risk's cost: what they pay no longer weighs on the income left.
    tags: frozenset[str] = frozenset({COST_AID})

    def level(self, risk: Risk, ctx: Context) -> Schooling | None:
        """The school level of ``risk``: its ``level`` evidence, else its member's schooling."""
        level = evidence_enum(Schooling, risk.get("level"))
        if level is None and risk.member_id is not None and ctx.household.has_member(risk.member_id):
            level = ctx.household.member(risk.member_id).schooling
        return None if level is Schooling.NONE else level

    def _no_level(self, risk: Risk, ctx: Context) -> Message:
        """Why :meth:`level` found no school level for ``risk``."""
        text = risk.get("level")
        if evidence_enum(Schooling, text) is Schooling.NONE:
            return Message(keys.NOT_IN_SCHOOL, repr(text))
        unknown = Message(keys.UNKNOWN_LEVEL, repr(text)) if text is not None else Message(keys.NO_LEVEL)
        if risk.member_id is None:
            return unknown if text is not None else Message(keys.LEVEL_NO_MEMBER_NAMED, unknown)
        if not ctx.household.has_member(risk.member_id):
            return Message(keys.LEVEL_NO_SUCH_MEMBER, unknown, risk.member_id)
        return Message(keys.LEVEL_MEMBER_NOT_IN_SCHOOL, unknown, risk.member_id)

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The yearly aid for the student of ``risk``, or :class:`Declined` when the level has no aid."""
        level = self.level(risk, ctx)
        if level is None:
            return Declined(self._no_level(risk, ctx))
        parameter = f"{self.prefix}.per_student.{level.value}"
        if not ctx.has_param(parameter):
            return Declined(Message(keys.NO_EDUCATION_AMOUNT, Term(level.value)))
        amount = to_money(ctx.amount(parameter))
        if amount <= 0:
            return Declined(Message(keys.EDUCATION_AMOUNT_IS, Term(level.value), money(amount)))
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.YEARLY,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=1,
            basis=Message(keys.EDUCATION_BASIS, money(amount), Term(level.value)),
        )
