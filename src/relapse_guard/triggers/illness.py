"""Illness: a large self-paid medical cost.

Rule (national practice; domain.md, "Department alerts seen in practice"): an alert is
raised when the self-paid part of one illness, after all insurance tiers, exceeds 6,000 yuan
for monitored people or 10,000 yuan for other rural residents, or when medical costs exceed
40% of income. Illness is the first risk trigger of the seed (Chongqing poverty-alleviation
bulletin no. 1, 2017: Dazu's health files for illness-caused poverty, Yubei item 2 medical
aid, "illness or disaster -> safety net as the bottom line").

Parameters (under ``prefix``, default ``triggers.illness``):

- ``self_paid_alert_on_file``: alert amount for households on file (any state but new
  and stable), yuan;
- ``self_paid_alert``: alert amount for the other households, yuan;
- ``income_share``: share of the household's annual income (per-capita income x members)
  above which the cost raises an alert; not applied while income was never assessed;
- ``same_illness_days`` (optional; 0, the same day only, when the policy does not set it):
  how many days after an illness's first report another report of it may be dated.

Severity by cost / annual income: at least 1 SEVERE, at least ``income_share`` HIGH
(0.4 in the shipped policies), else MEDIUM; HIGH when income was never assessed.

One illness is one risk however many channels report it (domain.md 3.3: the household's
declaration, a cadre's visit, the medical-insurance data). The facts carry no episode number,
so an illness is told by its member and its dates: a report of the same member dated on the
first report's date or at most ``same_illness_days`` after it is the same illness, in
hospital or not (the household may report an illness before the stay the insurance data
report; two reports of one member on one day were one risk already). It takes the first
report's key (``illness:<member>:<its date>``), so the router finds it known, routes nothing
and pays nothing again, and the cost weighs once on the income left. The window is measured
from the first report, not from the report before: the household dates its report on
admission, the insurance data date theirs on discharge and push it before the 5th of the
next month (domain-assistance.md 3.4), so a stay of a few weeks is reported up to about two
months apart (60 days in the shipped policies). A second hospital stay of the member within
the window is taken for the first: the caseworker records its cost as a correction of the
first report (docs/facts.md, "One event, several reports"). The first report's cost stands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import Fact, IllnessReported
from ..messages import Message, Term
from ..money import money_text
from ._common import (
    annual_income,
    first_report,
    household_status,
    member_of,
    on_file,
    percent,
    ratio,
)

__all__ = ["IllnessTrigger"]

KIND = "illness"


@attrs.frozen(kw_only=True)
class IllnessTrigger:
    """Fires when an illness's self-paid cost exceeds the alert amount or a share of income."""

    name: str = "illness"
    prefix: str = "triggers.illness"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.IllnessReported`."""
        return (IllnessReported,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``illness``, whatever the trigger's name and prefix."""
        return (KIND,)

    def vectorised_quiet(self, frame: Any) -> list[bool]:
        """:meth:`detect` over a :class:`~relapse_guard.screening.columnar.FactFrame`: True where
        the self-paid cost is at most the alert amount and at most the share of the annual
        income (every row's income is known), both in force on the fact's date."""
        alert = frame.amount(
            f"{self.prefix}.self_paid_alert_on_file" if frame.on_file else f"{self.prefix}.self_paid_alert"
        )
        share = frame.amount(f"{self.prefix}.income_share")
        return [
            _within(cost, limit) and _within(cost, portion * annual if portion.is_finite() else portion)
            for cost, limit, portion, annual in zip(
                frame.field("self_paid_cost"), alert, share, frame.annual_income, strict=True
            )
        ]

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """An ``illness`` risk when the self-paid cost is over a threshold, else None."""
        if not isinstance(fact, IllnessReported):
            return None
        member_of(ctx, fact, fact.member_id)
        cost = fact.self_paid_cost
        filed = on_file(ctx)
        alert_name = f"{self.prefix}.self_paid_alert_on_file" if filed else f"{self.prefix}.self_paid_alert"
        alert = ctx.amount(alert_name)
        reasons: list[Message] = []
        if cost > alert:
            group = Term("households on file" if filed else "households not on file")
            reasons.append(Message(keys.COST_OVER_ALERT, cost, alert, group))
        evidence: list[tuple[str, object]] = [
            ("self_paid_cost", cost),
            ("hospitalised", "yes" if fact.hospitalised else "no"),
            ("household_status", household_status(ctx)),
            ("alert_amount", alert),
        ]
        annual = annual_income(ctx)
        if annual is None:
            evidence.append(("annual_income", "unknown (income never assessed)"))
            severity = Severity.HIGH
        else:
            share = ctx.amount(f"{self.prefix}.income_share")
            share_amount = share * annual
            cost_share = ratio(cost, annual)
            if cost > share_amount:
                reasons.append(Message(keys.COST_OVER_SHARE, cost, share, annual, money_text(share_amount)))
            evidence += [
                ("income_per_capita", ctx.income_per_capita),
                ("members", ctx.size),
                ("annual_income", annual),
                ("income_share", share),
                ("income_share_amount", money_text(share_amount)),  # to the fen: 6601.60, not 6601.6
                ("cost_to_income", percent(cost_share)),
            ]
            if cost_share >= 1:
                severity = Severity.SEVERE
            elif cost_share >= share:
                severity = Severity.HIGH
            else:
                severity = Severity.MEDIUM
        if not reasons:
            return None
        evidence.append(("reason", keys.reasons(reasons)))
        first = first_report(
            ctx,
            KIND,
            fact.date,
            member_id=fact.member_id,
            window=f"{self.prefix}.same_illness_days",
        )
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=severity,
            cost=cost,
            member_id=fact.member_id,
            # another report of one illness: the first report's key, one risk
            key=f"{KIND}:{fact.member_id}:{fact.date.isoformat()}" if first is None else first.key,
            evidence=evidence,
        )


def _within(value: Decimal, limit: Decimal) -> bool:
    """``value`` at most ``limit``; False when ``limit`` is NaN (a parameter not in force: the engine says so)."""
    return limit.is_finite() and value <= limit
