"""Main earner lost: the household's main earner died or lost labour capacity.

Rule (national practice, domain.md: "death or loss of labour capacity of the main earner"
is a risk trigger; seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Yubei item 5:
households that fully or partly lost labour capacity are covered by the safety net as the
"bottom line"): the loss of the main earner always raises a SEVERE risk. The evidence gives
the cause and how many other members can still work. A main earner who died (a
``member_died`` fact of the same day, or the loss alone, which records the death) is no
longer counted: the other members are those in force. The trigger has no parameters;
``prefix`` is kept for uniformity.

A member is lost as the main earner once: a later report of the same member, whatever its
date and its cause as worded by its channel (the household's declaration on the day of a
death, the civil-affairs data on its registration), takes the first report's key
(``main_earner_lost:<member>:<its date>``): one risk, routed and paid once
(docs/facts.md, "One event, several reports").
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import Fact, MainEarnerLost
from ..messages import Message, Term
from ._common import first_report, household_status, member_of

__all__ = ["MainEarnerLostTrigger"]

KIND = "main_earner_lost"


@attrs.frozen(kw_only=True)
class MainEarnerLostTrigger:
    """Always fires, SEVERE, when the main earner is lost."""

    name: str = "main_earner_lost"
    prefix: str = "triggers.main_earner_lost"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.MainEarnerLost`."""
        return (MainEarnerLost,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``main_earner_lost``, whatever the trigger's name and prefix."""
        return (KIND,)

    def vectorised_quiet(self, frame: Any) -> list[bool]:
        """:meth:`detect` over a :class:`~relapse_guard.screening.columnar.FactFrame`: never quiet
        (every such fact is a risk)."""
        return [False] * len(frame)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """A SEVERE ``main_earner_lost`` risk for every such fact."""
        if not isinstance(fact, MainEarnerLost):
            return None
        # the earner who died that day is no longer counted: the others are the members in force
        member_id = fact.member_id if ctx.died_today(fact.member_id) else member_of(ctx, fact, fact.member_id).id
        others = sum(1 for m in ctx.household.members if m.id != member_id and m.can_work_on(ctx.date))
        first = first_report(ctx, KIND, fact.date, member_id=member_id, any_date=True)
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=Severity.SEVERE,
            member_id=member_id,
            # another report of the member's loss: the first report's key, one risk
            key=f"{KIND}:{member_id}:{fact.date.isoformat()}" if first is None else first.key,
            evidence=[
                ("cause", fact.cause),
                ("other_members_who_can_work", others),
                ("household_status", household_status(ctx)),
                ("reason", Message(keys.EARNER_LOST, Term(fact.cause), others)),
            ],
        )
