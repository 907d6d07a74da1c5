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
   ``measures`` grants made for that risk since then (pending grants do not count, nor grants
   made for another risk or for an occasion of the lifecycle, such as the yearly
   micro-insurance premium of a monitored household, keyed ``each_year:monitored:<date>``);
5. **no new risk** (``no_new_risks``): no risk found later than it is still open (not
   eliminated) — 「且不存在新增返贫致贫风险的，按程序标注风险消除」;
6. **labour capacity** (``needs_labour_capacity``): some member can work —
   「对整户无劳动力的监测对象，暂不标注“风险消除”」.

The engine checks the condition again on a risk-elimination case's own facts: when its
``CaseOpened`` is applied, and when its approval is (see :mod:`relapse_guard.engine.case_step`).

"Large medical or school costs resolved" and "rigid spending under control" have no fact of
their own here; a policy that records them adds its own condition.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from .. import message_keys as keys
from ..decisions import Grant
from ..errors import WrongType
from ..facts import BasicNeedsChecked, Fact, HouseAppraised, IncomeAssessed
from ..message_keys import count
from ..messages import Join, Message, Term
from ..money import to_money
from ..parameters import ParameterTree
from ..rules import Verdict
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
    no_new_risks: bool = True

    def __call__(self, ctx: StartContext) -> Verdict:
        """Whether the risk ``ctx.risk_key`` may be put to a risk-elimination case on ``ctx.on``.

        A condition that fails and states a margin says how far it is (the verdict's
        :attr:`~relapse_guard.rules.Verdict.margins`: "3 months left of 6").
        """
        risk_check = self._risk(ctx)
        if risk_check[0] is None:
            return Verdict(False, risk_check[1])
        found_on = risk_check[0]
        checks = [
            self._income(ctx, found_on),
            self._needs(ctx, found_on),
            self._monitored(ctx, found_on),
        ]
        if self.no_new_risks:
            checks.append(self._no_new_risk(ctx, found_on))
        if self.needs_labour_capacity:
            can_work = ctx.household.has_labour_capacity_on(ctx.on)
            checks.append((can_work, Message(keys.A_MEMBER_CAN_WORK if can_work else keys.NO_MEMBER_CAN_WORK)))
        failed = [reason for holds, reason in checks if not holds]
        if failed:
            return Verdict(False, Join(failed, "; "))
        return Verdict(True, Join([risk_check[1], *(reason for _, reason in checks)], "; "))

    def _risk(self, ctx: StartContext) -> tuple[dt.date | None, Message]:
        key = ctx.risk_key
        if key is None:
            return None, Message(keys.NAMES_NO_RISK)
        eliminated = ctx.result.eliminated_risks.get(key)
        if eliminated is not None:
            return None, Message.named(keys.RISK_ALREADY_ELIMINATED, key=key, date=eliminated)
        for risk in ctx.result.risks:
            if risk.key == key:
                return risk.date, Message.named(keys.RISK_FOUND_ON, key=key, date=risk.date)
        return None, Message.named(keys.NO_SUCH_RISK, key=key, household=ctx.household.id)

    def threshold(self, parameters: ParameterTree, on: dt.date) -> Decimal:
        """The monitoring threshold on ``on``: ``threshold_ratio`` x ``poverty_line``."""
        ratio = parameters.value(self.threshold_ratio, on)
        line = parameters.value(self.poverty_line, on)
        if not isinstance(ratio, Decimal) or not isinstance(line, Decimal):
            raise WrongType(f"parameters {self.threshold_ratio!r} and {self.poverty_line!r} must be numbers")
        return to_money(ratio * line)

    def _income(self, ctx: StartContext, since: dt.date) -> tuple[bool, Message]:
        assessed = sorted(
            (fact for fact in ctx.facts if isinstance(fact, IncomeAssessed) and since <= fact.date <= ctx.on),
            key=Fact.sort_key,
        )
        if not assessed:
            return False, Message.named(keys.NO_INCOME_SINCE, since=since)
        run: list[IncomeAssessed] = []
        for fact in reversed(assessed):
            if fact.income_per_capita < self.threshold(ctx.parameters, fact.date):
                break
            run.append(fact)
        latest = assessed[-1]
        if not run:
            threshold = self.threshold(ctx.parameters, latest.date)
            return False, Message.named(
                keys.BELOW_MONITORING_THRESHOLD,
                income=latest.income_per_capita,
                date=latest.date,
                threshold=threshold,
                ratio=self.threshold_ratio,
                line=self.poverty_line,
            )
        first = run[-1]
        assessments = count(len(run), "assessment", grouped=True)
        span = Message.named(keys.ASSESSMENT_SPAN, first=first.date, last=latest.date, assessments=assessments)
        if first.date + relativedelta(months=self.months_above_threshold) > latest.date:
            return False, Message.named(
                keys.ABOVE_TOO_SHORT, span=span, months=count(self.months_above_threshold, "month", grouped=True)
            )
        threshold = self.threshold(ctx.parameters, latest.date)
        return True, Message.named(keys.ABOVE_THRESHOLD, threshold=threshold, date=latest.date, span=span)

    def _needs(self, ctx: StartContext, since: dt.date) -> tuple[bool, Message]:
        check = _latest(ctx.facts, BasicNeedsChecked, ctx.on)
        if not isinstance(check, BasicNeedsChecked) or check.date < since:
            return False, Message.named(keys.NEEDS_NOT_CHECKED, since=since)
        if check.unmet:
            unmet = Join([Term(name) for name in sorted(need.value for need in check.unmet)], ", ")
            return False, Message.named(keys.NEEDS_NOT_SECURED_ON, date=check.date, unmet=unmet)
        house = _latest(ctx.facts, HouseAppraised, ctx.on)
        if isinstance(house, HouseAppraised) and house.grade.unsafe:
            return False, Message.named(keys.HOUSE_GRADED_ON, grade=house.grade.value, date=house.date)
        return True, Message.named(keys.NEEDS_SECURED_CHECKED, date=check.date)

    def _monitored(self, ctx: StartContext, since: dt.date) -> tuple[bool, Message]:
        months = relativedelta(ctx.on, since)
        long_enough = since + relativedelta(months=self.months_monitored) <= ctx.on
        key = ctx.risk_key
        grants = _measures([g for g in ctx.result.grants if g.risk_key == key and since <= g.date <= ctx.on])
        enough = len(grants) >= self.measures
        watched = count(months.years * 12 + months.months, "month", grouped=True)
        measures = count(len(grants), "measure", grouped=True)
        if grants:
            names = Join([Term(name) for name in sorted({g.intervention for g in grants})], ", ")
            delivered = Message.named(keys.DELIVERED_NAMED, measures=measures, names=names)
        else:
            delivered = Message.named(keys.DELIVERED, measures=measures)
        if not long_enough:
            needed = count(self.months_monitored, "month", grouped=True)
            return False, Message.named(keys.MONITORED_TOO_SHORT, since=since, months=watched, needed=needed)
        if not enough:
            return False, Message.named(keys.TOO_FEW_MEASURES, delivered=delivered, needed=self.measures)
        monitored = Message.named(keys.MONITORED_SINCE, since=since, months=watched)
        return True, Message.named(keys.WATCHED_AND_DELIVERED, watched=monitored, delivered=delivered)

    def _no_new_risk(self, ctx: StartContext, since: dt.date) -> tuple[bool, Message]:
        eliminated = ctx.result.eliminated_risks
        later = [r for r in ctx.result.risks if r.date > since and r.key not in eliminated and r.date <= ctx.on]
        if not later:
            return True, Message.named(keys.NO_NEW_RISK, since=since)
        found = Join([Message.named(keys.RISK_FOUND_ON, key=r.key, date=r.date) for r in later], ", ")
        return False, Message.named(keys.NEW_RISK_OPEN, risks=found)


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
