"""Temporary relief: a one-off payment for a basic life in temporary serious hardship.

Rule: temporary relief is for a family whose 「基本生活暂时出现严重困难」 (State Council, Interim
Measures for Social Assistance, order 649, art. 47), sized against the monthly safety-net
standard (MCA/MOF opinions on temporary relief, 2018 no. 23, s. 2(3)). Dazu gives households
hit by illness or disaster priority for temporary relief.

Source: Chongqing poverty-alleviation bulletin no. 1 (2017), Dazu ("illness or disaster ->
dibao as the bottom line, and priority for temporary relief"); the national rules above.

Who (the condition ``in_hardship``, :func:`~relapse_guard.routing.in_hardship`): a household
on file, or one whose income per person left after what it bears of the risk's cost is under
``{prefix}.hardship_ratio x safety_net.standard`` a month. Refused otherwise, as a skipped
route step naming the condition and its numbers.

Type (MCA/MOF 2018 no. 23, s. 2(1)-(2)): relief for spending (``expenditure_kinds``: a medical bill,
school costs, 「因教育、医疗等生活必需支出突然增加」) is expenditure-type (支出型) and follows the full
procedure: where the policy makes temporary relief wait for a decided case
(``decision_required``), it waits. Relief for an accident, a disaster, a lost earner or other
sudden hardship is emergency-type (急难型): flagged ``emergency``, paid first, paperwork after.
So is relief for a member's sudden serious illness (「家庭成员突发重大疾病」, s. 2(1)), which s. 2(1)
leaves local rules to define (「要进一步明确意外事件、突发重大疾病以及其他特殊困难的类型、范围和程度」):
an ``illness`` risk is one when the member was in hospital (its evidence ``hospitalised`` is
``yes``: the facts' one sign of an acute event) and its severity is at least
``{prefix}.sudden_illness_severity`` (``"severe"`` in the shipped policies, and without the
parameter: a self-paid cost of at least the household's income of a year). The parameter is
read, and cited, only for an illness in hospital.

Arithmetic (parameters ``{prefix}.cap_months``, ``{prefix}.months_without_cost``,
``safety_net.standard`` and, if the policy sets it, ``{prefix}.cap_basis``), written in the
grant's basis:

- the cap on one payment is ``cap_months x standard`` for the household, or ``cap_months x
  standard x members`` when ``cap_basis`` is ``"person"``. No national cap was found: the
  months and the basis are local parameters;
- a risk with a cost (a disaster loss, a medical bill): ``min(cost, cap)``;
- a risk without a cost (a lost job, a lost earner): ``months_without_cost x standard x
  members``, limited by the same cap.

How often (only when the policy sets ``{prefix}.times_per_cause_per_year``, a whole number):
relief for a risk of one kind is granted at most that many times in a calendar year; a
further one is refused with the dates of those granted. The reliefs counted are those paid and
those waiting for a decided case (:attr:`~relapse_guard.context.Context.pending`), each in the
year of its risk's date (the day it was asked: a relief that waited for a case decided in
January counts in the year before); not one a rejected case set aside. No national limit was
found; local rules say 「原则上，同一事由一年内只能申请一次临时救助」.

Declined, with the arithmetic, when the amount comes to zero.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import COST_AID, Context
from ..decisions import Declined, Grant, Period, Risk, Severity
from ..errors import InvalidPolicy
from ..messages import Join, Message, Term
from ..money import to_money
from ..routing import Condition, in_hardship
from ._common import count, money, responsible, when_in_force, whole_number

__all__ = ["EXPENDITURE_KINDS", "SUDDEN_ILLNESS_SEVERITY", "TemporaryRelief"]

#: Risk kinds whose relief is expenditure-type (支出型): 「因教育、医疗等生活必需支出突然增加」
#: (MCA/MOF 2018 no. 23, s. 2(1)). Relief for any other kind is emergency-type (急难型), and so is
#: relief for a sudden serious illness (see :data:`SUDDEN_ILLNESS_SEVERITY`).
EXPENDITURE_KINDS = frozenset({"illness", "schooling"})

#: The least severity of an illness in hospital whose relief is emergency-type, a sudden serious
#: illness (「家庭成员突发重大疾病」, MCA/MOF 2018 no. 23, s. 2(1)), when the policy does not set
#: ``{prefix}.sudden_illness_severity``: SEVERE, a self-paid cost of at least the household's
#: income of a year (:class:`~relapse_guard.triggers.IllnessTrigger`).
SUDDEN_ILLNESS_SEVERITY = Severity.SEVERE

_ILLNESS = "illness"

_CAP_BASES = ("household", "person")
_SEVERITIES = {severity.name.lower(): severity for severity in Severity}


@attrs.frozen(kw_only=True)
class TemporaryRelief:
    """One-off relief for a household in hardship: the risk's cost, or some months of the
    standard per member, within a cap.

    ``priority`` marks priority relief (Dazu); it is recorded in the basis and does not change
    the amount. ``standard`` names the safety-net standard parameter. ``hardship`` is the
    condition a household must meet (:func:`~relapse_guard.routing.in_hardship` on
    ``prefix``); ``expenditure_kinds`` the risk kinds whose relief follows the full procedure,
    but for a sudden serious illness, whose relief is emergency-type (see the module docstring).
    """

    name: str = "temporary_relief"
    prefix: str = "temporary_relief"
    standard: str = "safety_net.standard"
    priority: bool = False
    responsible: str = "town civil affairs office"
    expenditure_kinds: frozenset[str] = EXPENDITURE_KINDS
    hardship: Condition = attrs.field(default=attrs.Factory(lambda self: in_hardship(self.prefix), takes_self=True))
    #: Its grants pay toward the risk's cost: what they pay no longer weighs on the income left.
    tags: frozenset[str] = frozenset({COST_AID})

    @when_in_force
    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined:
        """The one-off relief for ``risk``, or :class:`Declined` when the household is not in
        hardship, had its relief for this cause this year, or it comes to nothing."""
        verdict = self.hardship(risk, ctx)
        if not verdict.holds:
            return Declined(Message(keys.CONDITION_NOT_MET, Term(self.hardship.name), verdict.message))
        limit_name = f"{self.prefix}.times_per_cause_per_year"
        if ctx.has_param(limit_name):
            refused = self._once_per_cause(risk, ctx, whole_number(ctx, limit_name, minimum=1))
            if refused is not None:
                return refused
        standard = ctx.amount(self.standard)
        cap_months = ctx.amount(f"{self.prefix}.cap_months")
        if risk.cost > 0:
            asked = to_money(risk.cost)
            sizing = Message(keys.RELIEF_COST, money(asked))
        else:
            months = ctx.amount(f"{self.prefix}.months_without_cost")
            asked = to_money(months * standard * ctx.size)
            sizing = Message(keys.RELIEF_MONTHS, months, money(standard), count(ctx.size, "member"), money(asked))
        if self._cap_per_person(ctx):
            cap = to_money(cap_months * standard * ctx.size)
            amount = min(asked, cap)
            sized = Message(
                keys.RELIEF_SIZED_PER_PERSON,
                sizing,
                cap_months,
                money(standard),
                count(ctx.size, "member"),
                money(cap),
                money(amount),
            )
        else:
            cap = to_money(cap_months * standard)
            amount = min(asked, cap)
            sized = Message(keys.RELIEF_SIZED, sizing, cap_months, money(standard), money(cap), money(amount))
        if amount <= 0:
            return Declined(Message(keys.RELIEF_NOTHING, sized))
        emergency = risk.kind not in self.expenditure_kinds
        sudden = None if emergency else self._sudden_illness(risk, ctx)
        if sudden is not None:
            emergency = True
            key = keys.RELIEF_BASIS_SUDDEN_PRIORITY if self.priority else keys.RELIEF_BASIS_SUDDEN
            basis = Message(key, sized, sudden)
        elif emergency:
            basis = Message(keys.RELIEF_BASIS_PRIORITY if self.priority else keys.RELIEF_BASIS, sized)
        else:
            key = keys.RELIEF_BASIS_EXPENDITURE_PRIORITY if self.priority else keys.RELIEF_BASIS_EXPENDITURE
            basis = Message(key, sized)
        return ctx.grant(
            intervention=self.name,
            risk=risk,
            amount=amount,
            period=Period.ONE_OFF,
            responsible=responsible(ctx, self.prefix, self.responsible),
            persons=ctx.size,
            basis=basis,
            emergency=emergency,
        )

    def _sudden_illness(self, risk: Risk, ctx: Context) -> Message | None:
        """What makes ``risk`` a sudden serious illness (in hospital, and at least as severe as
        ``{prefix}.sudden_illness_severity``), or None when it is not one."""
        if risk.kind != _ILLNESS or risk.get("hospitalised") != "yes":
            return None
        least = self._least_sudden_severity(ctx)
        if risk.severity < least:
            return None
        return Message(keys.RELIEF_SUDDEN_ILLNESS, Term(risk.severity.name.lower()), Term(least.name.lower()))

    def _least_sudden_severity(self, ctx: Context) -> Severity:
        """``{prefix}.sudden_illness_severity``, a severity's name; :data:`SUDDEN_ILLNESS_SEVERITY` without it."""
        name = f"{self.prefix}.sudden_illness_severity"
        if not ctx.has_param(name):
            return SUDDEN_ILLNESS_SEVERITY
        text = ctx.text(name)
        found = _SEVERITIES.get(text)
        if found is None:
            raise InvalidPolicy(
                f"parameter {name!r} must be one of {', '.join(repr(known) for known in _SEVERITIES)}, found {text!r}"
            )
        return found

    def _cap_per_person(self, ctx: Context) -> bool:
        """True when ``{prefix}.cap_basis`` is ``"person"``; the cap is per household without it."""
        name = f"{self.prefix}.cap_basis"
        if not ctx.has_param(name):
            return False
        basis = ctx.text(name)
        if basis not in _CAP_BASES:
            raise InvalidPolicy(f"parameter {name!r} must be 'household' or 'person', found {basis!r}")
        return basis == "person"

    def _once_per_cause(self, risk: Risk, ctx: Context, limit: int) -> Declined | None:
        """:class:`Declined` when relief was already granted ``limit`` times in ``risk``'s calendar
        year for risks of its kind (one cause), paid or waiting for a case; None otherwise.

        Each relief counts in the year of its risk's date, the day it was asked: one that waited
        for a case is dated on the decision once paid, maybe in the next year, and counts once."""
        year = risk.date.year
        dates = []
        for grant in (*ctx.grants, *ctx.pending):
            if grant.intervention != self.name:
                continue
            earlier = ctx.found_risk(grant.risk_key)
            if earlier is not None and earlier.kind == risk.kind and earlier.date.year == year:
                dates.append(earlier.date)
        if len(dates) < limit:
            return None
        dates.sort()
        return Declined(
            Message(
                keys.RELIEF_ONCE_PER_CAUSE,
                count(len(dates), "time"),
                Term(risk.kind),
                str(year),
                Join([str(on) for on in dates], ", "),
                count(limit, "time"),
            )
        )
