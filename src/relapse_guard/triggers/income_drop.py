"""Income drop: an income assessment below the poverty line, or near it for edge households.

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Bishan: helpers regularly
"do the accounts" to make sure each exited household stays above the line; national
practice, domain.md: income falling below the line is a risk trigger, and edge households —
never identified, close to the line — are monitored when per-capita income is under a
monitoring threshold, about 1.5 x the poverty line, set each year):

- per-capita income (the assessed :class:`~relapse_guard.facts.IncomeAssessed` value) below
  ``poverty_line``: SEVERE when below half the line, else HIGH;
- for edge households (state new, never identified, or stable, transition period over),
  income below ``monitoring.threshold_ratio`` x ``poverty_line``: LOW, "edge household near
  the line". Households on file between the line and the threshold are watched by the
  lifecycle already and raise nothing here.

The evidence shows the fall from the previous assessment when there is one. The risk's key
is the finding (below the line, or edge), the lifecycle state and the year: repeated
assessments that find the same thing are one risk, routed and paid once. A household that
came back to the line and whose safety net has ended (none of the ``safety_net`` kind runs)
and then falls below the line again in the same state and year has a new risk, keyed with
the date of its fall (``...:2016:2016-10-15``): the safety net is a means test, granted again
when income is under the standard again (domain-assistance.md 1.1), not once a year. While a
safety net runs, its own re-checks follow the income. The trigger has no parameters of its
own; ``prefix`` is kept for uniformity.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import Fact, IncomeAssessed
from ..messages import Message, Term
from ..money import money_text
from ._common import household_status, on_file

__all__ = ["IncomeDropTrigger"]

KIND = "income_drop"

EDGE = "edge household near the line"


@attrs.frozen(kw_only=True)
class IncomeDropTrigger:
    """Fires when assessed income is below the line, or below the monitoring threshold for edge households."""

    name: str = "income_drop"
    prefix: str = "triggers.income_drop"
    #: The dated parameter giving the monitoring threshold as a multiple of the poverty line.
    threshold_ratio: str = "monitoring.threshold_ratio"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.IncomeAssessed`."""
        return (IncomeAssessed,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``income_drop``, whatever the trigger's name and prefix."""
        return (KIND,)

    def quiet_from(self, ctx: Context) -> Decimal:
        """The income from which an assessment raises nothing: the line for households on file,
        the monitoring threshold for edge households; nothing once this year's fall below the
        line is known and a safety net runs."""
        line = ctx.poverty_line
        # a fall below the line found this year, and a safety net running: nothing is new
        covered = ctx.knows_risk(self._key(ctx, "below", ctx.date.year)) and ctx.receives_safety_net
        if on_file(ctx) or ctx.knows_risk(self._key(ctx, "edge", ctx.date.year)):
            return Decimal(0) if covered else line
        return ctx.amount(self.threshold_ratio) * line

    def vectorised_quiet_from(self, frame: Any) -> Any:
        """:meth:`quiet_from` over a :class:`~relapse_guard.screening.columnar.QuietFrame`: the
        frame's households have no known risk (the columnar screen hands the others to the engine)."""
        if frame.known_risks:
            return None
        line = frame.poverty_line
        if frame.on_file:
            return line
        return frame.amount(self.threshold_ratio) * line

    @staticmethod
    def _key(ctx: Context, finding: str, year: int) -> str:
        return f"{KIND}:{ctx.household.id}:{finding}:{ctx.state.value}:{year}"

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """An ``income_drop`` risk when the assessed income is under the thresholds, else None."""
        if not isinstance(fact, IncomeAssessed):
            return None
        income = fact.income_per_capita
        line = ctx.poverty_line
        below = income < line
        if below:
            multiple = threshold = None
        elif on_file(ctx):
            return None  # the common case, decided before any evidence is written
        else:
            multiple = ctx.amount(self.threshold_ratio)
            threshold = multiple * line
            if income >= threshold:
                return None
        # One risk per finding, lifecycle state and year: monthly assessments that keep finding
        # the same thing are the same risk (routed and paid once), while a relapse, a new year
        # or a new fall below the line (_fell_again) is a new one.
        key = self._key(ctx, "below" if below else "edge", fact.date.year)
        again = ctx.knows_risk(key)
        if again:
            if not below or not _fell_again(ctx, line):
                return None
            key = f"{key}:{fact.date.isoformat()}"  # a new fall: the household came back to the line since
            if ctx.knows_risk(key):
                return None
        evidence: list[tuple[str, object]] = [
            ("income_per_capita", income),
            ("poverty_line", line),
            ("household_status", household_status(ctx)),
        ]
        if below:
            half = line / 2
            evidence.append(("half_poverty_line", half))
            if income < half:
                severity = Severity.SEVERE
                reason = Message(keys.INCOME_BELOW_HALF_LINE, income, half)
            else:
                severity = Severity.HIGH
                reason = Message(keys.INCOME_BELOW_LINE, income, line)
            evidence.append(("finding", "below the poverty line"))
        else:
            severity = Severity.LOW
            assert threshold is not None  # set when the income is not below the line
            shown = money_text(threshold)  # to the fen: 1.5 x 3600 = 5400.00, not 5400.0
            reason = Message(keys.EDGE_BELOW_THRESHOLD, Term(EDGE), income, str(multiple), line, shown)
            evidence += [("monitoring_threshold", shown), ("finding", EDGE)]
        previous = ctx.previous_income_per_capita
        if previous is not None:
            change = income - previous
            evidence += [("previous_income_per_capita", previous), ("change_per_capita", _signed(change))]
            if change < 0:
                reason = Message(keys.FELL_BY, reason, -change, previous)
        if again:
            reason = Message(keys.FELL_AGAIN, reason)
        evidence.append(("reason", reason))
        return ctx.risk(trigger=self.name, fact=fact, kind=KIND, severity=severity, evidence=evidence, key=key)


def _fell_again(ctx: Context, line: Decimal) -> bool:
    """Whether an assessment below ``line`` is a new fall: the one before it was at or above the
    line, and no safety net runs (one that runs follows the income by its own re-checks)."""
    previous = ctx.previous_income_per_capita
    return previous is not None and previous >= line and not ctx.receives_safety_net


def _signed(amount: Decimal) -> str:
    return f"+{amount}" if amount > 0 else str(amount)
