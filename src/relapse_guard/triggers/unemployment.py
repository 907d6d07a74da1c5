"""Unemployment: a member able to work lost their job (or their unstable work ended).

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Dazu: "unemployed but able
to work -> free training, then job referral"; national practice, domain.md: unemployment or
unstable work is a risk trigger, and job loss is the strongest trigger of re-entry into
poverty): a job lost by a member with labour capacity (full or partial) is a risk. A member
who cannot work has no job-related risk to route to training or referral.

Severity: SEVERE when no other member can work (the household has no earner left); else
HIGH when the household is on file (any state but new and stable) or its per-capita income
is under the monitoring threshold (parameter ``monitoring.threshold_ratio`` x
``poverty_line``, national: about 1.5 x the line); else MEDIUM (also when income was never
assessed).

One job loss is one risk however many channels report it (domain.md 3.3: the household's
declaration, a cadre's visit, the employment bureau's data): a report of the same member
dated on the first report's date or at most ``{prefix}.same_job_loss_days`` after it (an
optional parameter, 0, the same day only, when the policy does not set it; 92 days in the
shipped policies: department data are compared every quarter at least,
domain-assistance.md 3.4) takes the first report's key (``unemployment:<member>:<its date>``):
routed and paid once. A job found and lost again within the window is taken for the first
loss (the facts have no job found); docs/facts.md, "One event, several reports".
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import Fact, JobLost
from ..messages import Message, Term
from ..money import money_text
from ._common import first_report, household_status, member_of, on_file

__all__ = ["UnemploymentTrigger"]

KIND = "unemployment"


@attrs.frozen(kw_only=True)
class UnemploymentTrigger:
    """Fires when a member with labour capacity loses their job."""

    name: str = "unemployment"
    prefix: str = "triggers.unemployment"
    #: The dated parameter giving the monitoring threshold as a multiple of the poverty line.
    threshold_ratio: str = "monitoring.threshold_ratio"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.JobLost`."""
        return (JobLost,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``unemployment``, whatever the trigger's name and prefix."""
        return (KIND,)

    def vectorised_quiet(self, frame: Any) -> list[bool]:
        """:meth:`detect` over a :class:`~relapse_guard.screening.columnar.FactFrame`: True where
        the member who lost the job cannot work."""
        return [not member.can_work_on(fact.date) for member, fact in zip(frame.member(), frame.facts, strict=True)]

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """An ``unemployment`` risk when the member can work, else None."""
        if not isinstance(fact, JobLost):
            return None
        member = member_of(ctx, fact, fact.member_id)
        on = ctx.date
        if not member.can_work_on(on):
            return None
        others = sum(1 for m in ctx.household.members if m.id != member.id and m.can_work_on(on))
        evidence: list[tuple[str, object]] = [
            ("labour_capacity", member.capacity_on(on).value),
            ("other_members_who_can_work", others),
            ("household_status", household_status(ctx)),
        ]
        reason: Message
        if others == 0:
            severity = Severity.SEVERE
            reason = Message(keys.NO_OTHER_WORKER)
        elif on_file(ctx):
            severity = Severity.HIGH
            reason = Message(keys.HOUSEHOLD_STATUS, Term(household_status(ctx)))
        elif ctx.income_per_capita is None:
            severity = Severity.MEDIUM
            reason = Message(keys.NOT_ON_FILE_NO_INCOME)
            evidence.append(("income_per_capita", "unknown (income never assessed)"))
        else:
            income = ctx.income_per_capita
            line = ctx.poverty_line
            multiple = ctx.amount(self.threshold_ratio)
            threshold = multiple * line
            evidence += [
                ("income_per_capita", income),
                ("poverty_line", line),
                ("monitoring_threshold", money_text(threshold)),  # to the fen: 5400.00, not 5400.0
            ]
            below = income < threshold
            severity = Severity.HIGH if below else Severity.MEDIUM
            reason = Message(
                keys.BELOW_THRESHOLD if below else keys.NOT_BELOW_THRESHOLD,
                income,
                str(multiple),
                line,
                money_text(threshold),
            )
        evidence.append(("reason", Message(keys.JOB_LOST, reason)))
        first = first_report(ctx, KIND, fact.date, member_id=member.id, window=f"{self.prefix}.same_job_loss_days")
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=severity,
            member_id=member.id,
            # another report of one job loss: the first report's key, one risk
            key=f"{KIND}:{member.id}:{fact.date.isoformat()}" if first is None else first.key,
            evidence=evidence,
        )
