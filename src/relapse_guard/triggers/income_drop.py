"""Income drop: an income assessment below the poverty line, or in the monitoring range.

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Bishan: helpers regularly
"do the accounts" to make sure each exited household stays above the line; national
practice, domain.md: income falling below the line is a risk trigger, and the monitoring
targets are watched when per-capita income is under a monitoring threshold, about 1.5 x the
poverty line, set each year; domain-assistance.md 3.1: the unstable exited households
(脱贫不稳定户, exited, income in the monitoring range) and the edge households (边缘易致贫户,
the same for households never identified) are two of the three kinds of target):

- per-capita income (the assessed :class:`~relapse_guard.facts.IncomeAssessed` value) below
  ``poverty_line``: SEVERE when below half the line, else HIGH;
- income at or above the line and below ``monitoring.threshold_ratio`` x ``poverty_line`` (the
  monitoring range): LOW, for edge households (state new, never identified, or stable,
  transition period over), "edge household near the line", and for exited households
  (state exited or monitored: the transition period), "unstable exited household in the
  monitoring range". Identified, assisted and relapsed households are under support already
  (the safety net's own means test and re-checks follow their income) and raise nothing there.

The evidence shows the fall from the previous assessment when there is one. The risk's key
is the finding (``below`` the line, ``edge`` or ``unstable_exited``), the lifecycle state and
the year: repeated assessments that find the same thing are one risk, routed and paid once
(an exited household in the monitoring range is one risk a year, as an edge household is). A household that
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
from ..lifecycle import State
from ..messages import Message, Term
from ..money import money_text
from ._common import household_status, on_file

__all__ = ["IncomeDropTrigger"]

KIND = "income_drop"

EDGE = "edge household near the line"
UNSTABLE = "unstable exited household in the monitoring range"


def _exited(state: State) -> bool:
    """True for an exited household in its transition period (exited, monitored): the state
    whose income in the monitoring range makes it an unstable exited household."""
    return state is State.EXITED or state is State.MONITORED  # identity: no enum hashing


@attrs.frozen(kw_only=True)
class IncomeDropTrigger:
    """Fires when assessed income is below the line, or in the monitoring range for edge and exited households."""

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
        """The income from which an assessment raises nothing: the monitoring threshold for edge
        and exited households until this year's risk in the monitoring range is known, else the
        line; nothing once this year's fall below the line is known and a safety net runs."""
        line = ctx.poverty_line
        year = ctx.date.year
        # a fall below the line found this year, and a safety net running: nothing is new
        covered = ctx.knows_risk(self._key(ctx, "below", year)) and ctx.receives_safety_net
        state = ctx.state
        if _exited(state):
            watched = ctx.knows_risk(self._key(ctx, "unstable_exited", year))
        else:
            watched = on_file(ctx) or ctx.knows_risk(self._key(ctx, "edge", year))
        if watched:
            return Decimal(0) if covered else line
        return ctx.amount(self.threshold_ratio) * line

    def vectorised_quiet_from(self, frame: Any) -> Any:
        """:meth:`quiet_from` over a :class:`~relapse_guard.screening.columnar.QuietFrame`: the
        frame's households have no known risk (the columnar screen hands the others to the engine)."""
        if frame.known_risks:
            return None
        line = frame.poverty_line
        if frame.on_file and not _exited(frame.state):
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
        exited = False
        if below:
            multiple = threshold = None
        elif on_file(ctx) and not (exited := _exited(ctx.state)):
            return None  # the common case, decided before any evidence is written
        else:
            multiple = ctx.amount(self.threshold_ratio)
            threshold = multiple * line
            if income >= threshold:
                return None
        # One risk per finding, lifecycle state and year: monthly assessments that keep finding
        # the same thing are the same risk (routed and paid once), while a relapse, a new year
        # or a new fall below the line (_fell_again) is a new one.
        finding = "below" if below else "unstable_exited" if exited else "edge"
        key = self._key(ctx, finding, fact.date.year)
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
            said = UNSTABLE if exited else EDGE
            reason = Message(keys.EDGE_BELOW_THRESHOLD, Term(said), income, str(multiple), line, shown)
            evidence += [("monitoring_threshold", shown), ("finding", said)]
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
