"""When a risk-elimination case may start: the national conditions, as a start condition.

Rule (national; ``/work/shared/domain.md``, "Risk elimination"): a risk is eliminated when
income is above the year's monitoring threshold and stable for at least 6 months, schooling,
medical cover, safe housing and water are secured, the household has been monitored for at
least 6 months with at least one measure delivered — and not while no member can work (even
with the safety net in place). Then the same approval steps as identification follow.

:class:`RiskEliminationCondition` checks, on the day the case would open:

1. the case names a risk the engine found for the household, not yet eliminated;
2. **income**: of the assessments made since the risk was found, the latest ones are all at
   or above the monitoring threshold in force on their dates (parameters
   ``monitoring.threshold_ratio`` x ``poverty_line``), and the first and latest of that run
   are at least ``months_above_threshold`` months apart — stability is shown by
   assessments, not assumed from one figure;
3. **basic needs**: a basic-needs check since the risk was found, the latest, found none
   unmet, and the latest house appraisal (if any) is not C or D;
4. **monitored**: at least ``months_monitored`` months since the risk was found, with at least
   ``measures`` grants made to the household since then (pending grants do not count);
5. **labour capacity** (``needs_labour_capacity``): some member can work.

"Large medical or school costs resolved" and "rigid spending under control" have no fact of
their own here; a policy that records them adds its own condition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from ..decisions import Grant
from ..errors import WrongType
from ..facts import BasicNeedsChecked, Fact, HouseAppraised, IncomeAssessed
from ..money import to_money
from ..parameters import ParameterTree
from ..rules import Verdict
from ..text import plural
from .procedure import StartContext

__all__ = ["RiskEliminationCondition"]


def _latest(facts: tuple[Fact, ...], kind: type[Fact], on: dt.date) -> Fact | None:
    found = [fact for fact in facts if isinstance(fact, kind) and fact.date <= on]
    return max(found, key=Fact.sort_key) if found else None


@attrs.frozen(kw_only=True)
class RiskEliminationCondition:
    """The national start condition of a risk-elimination case; every number is a field.

    ``threshold_ratio`` and ``poverty_line`` name the policy parameters whose product is the
    monitoring threshold (national: about 1.5 x the line, set each year).
    """

    name: str = "risk_elimination_conditions"
    months_above_threshold: int = 6
    months_monitored: int = 6
    measures: int = 1
    threshold_ratio: str = "monitoring.threshold_ratio"
    poverty_line: str = "poverty_line"
    needs_labour_capacity: bool = True

    def __call__(self, ctx: StartContext) -> Verdict:
        """Whether the risk ``ctx.risk_key`` may be put to a risk-elimination case on ``ctx.on``."""
        risk_check = self._risk(ctx)
        if risk_check[0] is None:
            return Verdict(False, risk_check[1])
        found_on = risk_check[0]
        checks = [
            self._income(ctx, found_on),
            self._needs(ctx, found_on),
            self._monitored(ctx, found_on),
        ]
        if self.needs_labour_capacity:
            can_work = ctx.household.has_labour_capacity
            checks.append((can_work, "a member can work" if can_work else "no member can work"))
        failed = [reason for holds, reason in checks if not holds]
        if failed:
            return Verdict(False, "; ".join(failed))
        return Verdict(True, "; ".join(reason for _, reason in [(True, risk_check[1]), *checks]))

    def _risk(self, ctx: StartContext) -> tuple[dt.date | None, str]:
        key = ctx.risk_key
        if key is None:
            return None, "a risk-elimination case names the risk it would close (risk_key)"
        eliminated = ctx.result.eliminated_risks.get(key)
        if eliminated is not None:
            return None, f"risk {key} was eliminated on {eliminated.isoformat()} already"
        for risk in ctx.result.risks:
            if risk.key == key:
                return risk.date, f"risk {key} found on {risk.date.isoformat()}"
        return None, f"no risk {key} was found for household {ctx.household.id}"

    def threshold(self, parameters: ParameterTree, on: dt.date) -> Decimal:
        """The monitoring threshold on ``on``: ``threshold_ratio`` x ``poverty_line``."""
        ratio = parameters.value(self.threshold_ratio, on)
        line = parameters.value(self.poverty_line, on)
        if not isinstance(ratio, Decimal) or not isinstance(line, Decimal):
            raise WrongType(f"parameters {self.threshold_ratio!r} and {self.poverty_line!r} must be numbers")
        return to_money(ratio * line)

    def _income(self, ctx: StartContext, since: dt.date) -> tuple[bool, str]:
        assessed = sorted(
            (fact for fact in ctx.facts if isinstance(fact, IncomeAssessed) and since <= fact.date <= ctx.on),
            key=Fact.sort_key,
        )
        if not assessed:
            return False, f"no income assessed since the risk was found ({since.isoformat()})"
        run: list[IncomeAssessed] = []
        for fact in reversed(assessed):
            if fact.income_per_capita < self.threshold(ctx.parameters, fact.date):
                break
            run.append(fact)
        latest = assessed[-1]
        if not run:
            threshold = self.threshold(ctx.parameters, latest.date)
            return False, (
                f"income per capita {latest.income_per_capita} on {latest.date.isoformat()} < monitoring threshold "
                f"{threshold} ({self.threshold_ratio} x {self.poverty_line})"
            )
        first = run[-1]
        span = f"from {first.date.isoformat()} to {latest.date.isoformat()} ({plural(len(run), 'assessment')})"
        if first.date + relativedelta(months=self.months_above_threshold) > latest.date:
            return False, (
                f"income at or above the monitoring threshold only {span}: needs assessments at least "
                f"{plural(self.months_above_threshold, 'month')} apart"
            )
        threshold = self.threshold(ctx.parameters, latest.date)
        return True, f"income at or above the monitoring threshold ({threshold} on {latest.date.isoformat()}) {span}"

    def _needs(self, ctx: StartContext, since: dt.date) -> tuple[bool, str]:
        check = _latest(ctx.facts, BasicNeedsChecked, ctx.on)
        if not isinstance(check, BasicNeedsChecked) or check.date < since:
            return False, f"basic needs not checked since the risk was found ({since.isoformat()})"
        if check.unmet:
            unmet = ", ".join(sorted(need.value for need in check.unmet))
            return False, f"basic needs not secured on {check.date.isoformat()}: {unmet}"
        house = _latest(ctx.facts, HouseAppraised, ctx.on)
        if isinstance(house, HouseAppraised) and house.grade.unsafe:
            return False, f"house graded {house.grade.value} on {house.date.isoformat()}"
        return True, f"basic needs secured (checked {check.date.isoformat()})"

    def _monitored(self, ctx: StartContext, since: dt.date) -> tuple[bool, str]:
        months = relativedelta(ctx.on, since)
        long_enough = since + relativedelta(months=self.months_monitored) <= ctx.on
        grants = _measures([grant for grant in ctx.result.grants if since <= grant.date <= ctx.on])
        enough = len(grants) >= self.measures
        watched = f"monitored since {since.isoformat()} ({plural(months.years * 12 + months.months, 'month')})"
        delivered = f"{plural(len(grants), 'measure')} delivered since" + (
            " (" + ", ".join(sorted({g.intervention for g in grants})) + ")" if grants else ""
        )
        if not long_enough:
            return False, f"{watched}: needs {plural(self.months_monitored, 'month')}"
        if not enough:
            return False, f"{delivered}: needs {self.measures}"
        return True, f"{watched}, {delivered}"


def _measures(grants: list[Grant]) -> list[Grant]:
    """One grant a measure: the pieces of one entitlement (recomputed amounts of one
    intervention for one risk) are one measure, counted once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for grant in grants:
        if grant.is_entitlement:
            key = (grant.intervention, grant.risk_key)
            if key in seen:
                continue
            seen.add(key)
        out.append(grant)
    return out
