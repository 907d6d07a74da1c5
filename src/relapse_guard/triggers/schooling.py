"""Schooling: a member enrolled in school, with the household's yearly cost of it.

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Yubei item 3: 819 school
children of exited and low-income households aided; Dazu: free lunch for primary and middle
school, subsidies for high-school, vocational and university students; national practice,
domain.md: schooling costs are a risk trigger, and cadres always visit households with
several children in non-compulsory school): an enrolment (level other than ``none``) is a
risk when the household is on file (any state but new and stable: every pupil of such a
household gets education aid), or when the yearly school cost exceeds
``{prefix}.income_share`` of the household's annual income (per-capita income x members;
default prefix ``triggers.schooling``, a typical value set by the district). A household
not on file whose income was never assessed does not qualify by cost.

Severity: SEVERE when the cost is at least the annual income, HIGH when it exceeds the
income share, else MEDIUM (a household on file with a modest cost). The evidence carries
``("level", <schooling level>)``: education aid reads it to pick the per-student amount.

One risk per member, level and school year. Chinese schools run from autumn to summer: the
school year (学年) starts with the autumn term (秋季学期) in September, and the spring term
(春季学期) from February or March belongs to the year begun the September before. The
education department's data report enrolments in the spring (pushed by the end of April,
domain-assistance.md 3.4), so a pupil the household or a cadre reported in September is
reported again in March, one school year. The key
``schooling:<member>:<level>:<year the school year starts>`` names the school year: an
enrolment dated on or after ``{prefix}.school_year_start_month`` (optional: 9, September,
when the policy does not set it; a whole month 1 to 12) of a year is of the school year
starting that year, an earlier one of the school year starting the year before (2017-03-01
is of 2016/17: ``...:2016``). A later report of the member's level in the same school year
has the first report's key, so the router finds it known, routes nothing and pays nothing
again (docs/facts.md, "One event, several reports"); the next school year is a new risk.
The start month is read only for a risk, as in force on the fact's date, and cited by it.
"""

from __future__ import annotations

from typing import Any

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..errors import InvalidPolicy
from ..facts import Fact, SchoolEnrolled
from ..household import Schooling
from ..messages import Message, Term
from ..money import money_text
from ._common import annual_income, household_status, member_of, on_file, percent, ratio

__all__ = ["SchoolingTrigger"]

KIND = "schooling"

#: The school year's first month when the policy does not set ``{prefix}.school_year_start_month``:
#: September, the autumn term.
DEFAULT_START_MONTH = 9


@attrs.frozen(kw_only=True)
class SchoolingTrigger:
    """Fires for enrolments of households on file, or whose school cost is a large share of income."""

    name: str = "schooling"
    prefix: str = "triggers.schooling"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.SchoolEnrolled`."""
        return (SchoolEnrolled,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``schooling``, whatever the trigger's name and prefix."""
        return (KIND,)

    def vectorised_quiet(self, frame: Any) -> list[bool]:
        """:meth:`detect` over a :class:`~relapse_guard.screening.columnar.FactFrame`: True where
        the level is none, or, off file, the cost is at most the share of the annual income
        (every row's income is known) in force on the fact's date. The school year only keys a
        risk: a quiet fact has none, so its start month is not read here."""
        share = frame.amount(f"{self.prefix}.income_share")
        return [
            level is Schooling.NONE or (not frame.on_file and portion.is_finite() and cost <= portion * annual)
            for level, cost, portion, annual in zip(
                frame.field("level"), frame.field("annual_cost"), share, frame.annual_income, strict=True
            )
        ]

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """A ``schooling`` risk for a qualifying enrolment, else None."""
        if not isinstance(fact, SchoolEnrolled):
            return None
        member_of(ctx, fact, fact.member_id)
        if fact.level is Schooling.NONE:
            return None
        cost = fact.annual_cost
        filed = on_file(ctx)
        evidence: list[tuple[str, object]] = [
            ("level", fact.level.value),
            ("annual_cost", cost),
            ("household_status", household_status(ctx)),
        ]
        reasons: list[Message] = []
        if filed:
            reasons.append(Message(keys.HOUSEHOLD_STATUS, Term(household_status(ctx))))
        annual = annual_income(ctx)
        severity = Severity.MEDIUM
        if annual is None:
            evidence.append(("annual_income", "unknown (income never assessed)"))
        else:
            share = ctx.amount(f"{self.prefix}.income_share")
            share_amount = share * annual
            cost_share = ratio(cost, annual)
            evidence += [
                ("income_per_capita", ctx.income_per_capita),
                ("members", ctx.size),
                ("annual_income", annual),
                ("income_share", share),
                ("income_share_amount", money_text(share_amount)),  # to the fen: 3303.90, not 3303.9
                ("cost_to_income", percent(cost_share)),
            ]
            if cost > share_amount:
                reasons.append(Message(keys.SCHOOL_COST_OVER_SHARE, cost, share, annual, money_text(share_amount)))
                severity = Severity.SEVERE if cost_share >= 1 else Severity.HIGH
        if not reasons:
            return None
        evidence.append(("reason", keys.reasons(reasons)))
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=severity,
            cost=cost,
            member_id=fact.member_id,
            key=f"{KIND}:{fact.member_id}:{fact.level.value}:{self.school_year(fact, ctx)}",
            evidence=evidence,
        )

    def school_year(self, fact: Fact, ctx: Context) -> int:
        """The year the school year of ``fact`` starts: its year from the start month on, else the
        year before (``{prefix}.school_year_start_month`` in force on the context's date, read and
        so cited when the policy sets it; :data:`DEFAULT_START_MONTH` otherwise).

        Raises :class:`~relapse_guard.errors.InvalidPolicy` naming the parameter and its value
        when it is not a whole month, 1 to 12.
        """
        name = f"{self.prefix}.school_year_start_month"
        start = DEFAULT_START_MONTH
        if ctx.has_param(name):
            month = ctx.amount(name)
            if month != month.to_integral_value() or not 1 <= month <= 12:
                raise InvalidPolicy(f"parameter {name!r} must be a whole month, 1 to 12, found {month}")
            start = int(month)
        year = fact.date.year
        return year if fact.date.month >= start else year - 1
