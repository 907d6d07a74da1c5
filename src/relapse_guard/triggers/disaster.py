"""Disaster: a natural disaster or accident that cost the household money.

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Dazu: "illness or disaster
-> safety net as the bottom line, and priority for temporary relief"; national practice,
domain.md: natural disaster and accident are risk triggers, with a "help first, paperwork
after" fast track): a reported loss of at least ``{prefix}.min_loss`` yuan (default prefix
``triggers.disaster``; a typical value set by the district) is a risk.

Severity by loss / the household's annual income (per-capita income x members): at least
1 SEVERE, at least 0.5 HIGH, at least 0.2 MEDIUM, else LOW; HIGH when income was never
assessed. The bands grade urgency for routing; they are not policy amounts.

One disaster is one risk however many channels report it (domain.md 3.3: the household's
declaration, a cadre's visit, a department's data): a report of a hazard already found on the
same date (the day the disaster struck, which every channel's report carries) takes the key of
the first report (``disaster:<its fact id>``), so the router finds it known, routes nothing and
pays nothing again, and the loss weighs once on the income left. The first report's loss stands
(docs/facts.md, "One event, several reports"). Two reports are of one hazard when their texts
name one kind of :class:`~relapse_guard.hazards.HazardKind` (after China's classification of
natural disasters, GB/T 28921-2012: ``flood``, ``洪灾`` and ``洪涝`` are one flood), or, for texts
of no kind, when they are the same text but for case and surrounding spaces
(:func:`~relapse_guard.hazards.same_hazard`).

The evidence keeps the hazard as reported (``hazard``) and, when it names a kind, the kind's
code (``hazard_kind``); the reason says the hazard by its kind, which the Chinese catalogue
says by its Chinese name (``洪涝损失 5000 达到最低损失金额 1000``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import DisasterReported, Fact
from ..hazards import hazard_kind, same_hazard
from ..messages import Message, Term
from ._common import annual_income, evidence_value, first_report, household_status, percent, ratio

__all__ = ["SEVERITY_BANDS", "DisasterTrigger"]

KIND = "disaster"

#: (smallest loss / annual income, severity), highest band first; below the last band: LOW.
SEVERITY_BANDS: tuple[tuple[Decimal, Severity], ...] = (
    (Decimal(1), Severity.SEVERE),
    (Decimal("0.5"), Severity.HIGH),
    (Decimal("0.2"), Severity.MEDIUM),
)


def _severity(loss_share: Decimal) -> Severity:
    for lowest, severity in SEVERITY_BANDS:
        if loss_share >= lowest:
            return severity
    return Severity.LOW


@attrs.frozen(kw_only=True)
class DisasterTrigger:
    """Fires when a disaster or accident loss reaches the minimum loss."""

    name: str = "disaster"
    prefix: str = "triggers.disaster"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.DisasterReported`."""
        return (DisasterReported,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``disaster``, whatever the trigger's name and prefix."""
        return (KIND,)

    def vectorised_quiet(self, frame: Any) -> list[bool]:
        """:meth:`detect` over a :class:`~relapse_guard.screening.columnar.FactFrame`: True where
        the loss is under the minimum loss in force on the fact's date."""
        least = frame.amount(f"{self.prefix}.min_loss")
        return [bound.is_finite() and loss < bound for loss, bound in zip(frame.field("loss"), least, strict=True)]

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """A ``disaster`` risk when the loss is at least the minimum loss, else None."""
        if not isinstance(fact, DisasterReported):
            return None
        loss = fact.loss
        min_loss = ctx.amount(f"{self.prefix}.min_loss")
        if loss < min_loss:
            return None
        kind = hazard_kind(fact.hazard)
        evidence: list[tuple[str, object]] = [("hazard", fact.hazard)]
        if kind is not None:
            evidence.append(("hazard_kind", kind.value))
        evidence += [
            ("loss", loss),
            ("min_loss", min_loss),
            ("household_status", household_status(ctx)),
        ]
        annual = annual_income(ctx)
        if annual is None:
            evidence.append(("annual_income", "unknown (income never assessed)"))
            severity = Severity.HIGH
        else:
            loss_share = ratio(loss, annual)
            evidence += [
                ("income_per_capita", ctx.income_per_capita),
                ("members", ctx.size),
                ("annual_income", annual),
                ("loss_to_income", percent(loss_share)),
            ]
            severity = _severity(loss_share)
        said = Term(fact.hazard if kind is None else kind.value)
        evidence.append(("reason", Message(keys.LOSS_OVER_MINIMUM, said, loss, min_loss)))
        first = first_report(
            ctx, KIND, fact.date, same=lambda risk: same_hazard(str(evidence_value(risk, "hazard")), fact.hazard)
        )
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=severity,
            cost=loss,
            key=None if first is None else first.key,  # another report of one disaster: one risk
            evidence=evidence,
        )
