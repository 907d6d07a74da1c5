"""Employment services: free skills training, then job referral, for members able to work.

Rule (seed Dazu): "unemployed but able to work -> free training, then job referral"; Yubei
also gave vocational and skills training to 300 people. Both are services, not money: the
grant names the unit that delivers them, read from the text parameter
``{prefix}.responsible`` (e.g. "district human resources and social security bureau").

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Dazu and Yubei item 3.

Persons served: the member the risk names (1), or, for a household-wide risk, every member
who can work (fully or partly). Declined, with the reason, when the named member, or nobody,
can work.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Declined, Grant, Risk
from ..messages import Message, Term
from ._common import count, when_in_force

__all__ = ["JobReferral", "JobTraining"]


def _service_grant(name: str, prefix: str, service: str, risk: Risk, ctx: Context) -> Grant | Declined:
    if risk.member_id is not None:
        # An id that names no member raises InvalidHousehold: a trigger bug, never a silent skip.
        member = ctx.household.member(risk.member_id)
        if not member.can_work_on(ctx.date):
            capacity = member.capacity_on(ctx.date)
            return Declined(Message(keys.MEMBER_CANNOT_WORK, risk.member_id, Term(capacity.value)))
        persons = 1
        who = Message(keys.THE_MEMBER_WHO_CAN_WORK)
    else:
        persons = sum(1 for member in ctx.household.members if member.can_work_on(ctx.date))
        if persons == 0:
            return Declined(Message(keys.NOBODY_CAN_WORK, count(ctx.size, "member")))
        who = Message(keys.MEMBERS_WHO_CAN_WORK, count(persons, "member"), ctx.size)
    responsible = ctx.text(f"{prefix}.responsible")
    return ctx.grant(
        intervention=name,
        risk=risk,
        service=service,
        responsible=responsible,
        persons=persons,
        basis=Message(keys.SERVICE_BASIS, Term(service), who, Term(responsible)),
    )


@attrs.frozen(kw_only=True)
class JobTraining:
    """Free skills training for members able to work, delivered by ``{prefix}.responsible``."""

    name: str = "job_training"
    prefix: str = "job_training"
    service: str = "free skills training"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The training service, or :class:`Declined` when nobody concerned can work."""
        return _service_grant(self.name, self.prefix, self.service, risk, ctx)


@attrs.frozen(kw_only=True)
class JobReferral:
    """Job referral for members able to work, by ``{prefix}.responsible``."""

    name: str = "job_referral"
    prefix: str = "job_referral"
    service: str = "job referral"

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The referral service, or :class:`Declined` when nobody concerned can work."""
        return _service_grant(self.name, self.prefix, self.service, risk, ctx)
