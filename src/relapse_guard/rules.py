"""Lifecycle rules: identification, exit and relapse, as named, explained predicates.

A :class:`Rule` looks at a :class:`~relapse_guard.context.Context` and returns a
:class:`Verdict` (holds or not, and why in words with the numbers compared). Policies pick
their rules; developers write their own the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from .context import Context
from .errors import ParameterNotInForce
from .facts import BasicNeed

__all__ = [
    "EXIT_RULE",
    "INCOME_BELOW_LINE",
    "RELAPSE_RULE",
    "Rule",
    "Verdict",
    "relative_poverty",
]


@attrs.frozen
class Verdict:
    """Whether a rule holds, and the reason with the values it compared.

    ``reason`` may be given as a function that writes it: a rule evaluated for every fact
    then pays for the text only when someone reads it (``Verdict(False, lambda: f"...")``).
    """

    holds: bool
    _reason: str | Callable[[], str] = attrs.field(alias="reason", repr=False)

    @property
    def reason(self) -> str:
        """The reason, in words, with the values compared."""
        reason = self._reason
        return reason if isinstance(reason, str) else reason()


@attrs.frozen
class Rule:
    """A named predicate over a context: ``rule(ctx)`` returns a :class:`Verdict`.

    ``quiet_from``, if given, tells the engine when an income assessment cannot make the rule
    hold, so it can skip evaluating it (docs/performance.md): called with a context,
    it returns a per-capita income at and above which the rule does not hold *whatever the
    income assessed now or before*, everything else in the context as it is, or None when
    there is no such income. Its answer may depend on the context's state, household,
    needs, housing, grants, known risks, the parameters it reads and the year of
    ``ctx.date`` — nothing else about the date. Without it the rule is evaluated for every
    fact, which is always correct.

    ``vectorised_quiet_from``, if given, is ``quiet_from`` over many dates at once, for the
    columnar screen (docs/columnar.md): called with a
    :class:`~relapse_guard.screening.columnar.QuietFrame` (one state, one row per distinct
    date), it returns one income per row (a sequence or numpy array of ``Decimal``), or None
    when there is none. Without it, the households the rule would be asked about are handed
    to the engine, which is always correct.
    """

    name: str
    description: str
    test: Callable[[Context], Verdict] = attrs.field(eq=False, repr=False)
    quiet_from: Callable[[Context], Decimal | None] | None = attrs.field(default=None, eq=False, repr=False)
    vectorised_quiet_from: Callable[[Any], Any] | None = attrs.field(default=None, eq=False, repr=False)

    def __call__(self, ctx: Context) -> Verdict:
        return self.test(ctx)


def _income_below_line(ctx: Context) -> Verdict:
    income = ctx.income_per_capita
    if income is None:
        return Verdict(False, "no income assessed yet")
    line = ctx.poverty_line
    if income < line:
        return Verdict(True, f"income per capita {income} < poverty line {line}")
    return Verdict(False, lambda: f"income per capita {income} >= poverty line {line}")


def _line(ctx: Context) -> Decimal:
    return ctx.poverty_line


def _line_vectorised(frame: Any) -> Any:
    return frame.poverty_line


INCOME_BELOW_LINE = Rule(
    "income_below_line",
    "annual per-capita income below the poverty line (parameter poverty_line)",
    _income_below_line,
    quiet_from=_line,
    vectorised_quiet_from=_line_vectorised,
)


def _needs_broken(ctx: Context) -> list[str]:
    broken = sorted(need.value for need in ctx.unmet_needs)
    if ctx.housing_grade is not None and ctx.housing_grade.unsafe and BasicNeed.SAFE_HOUSING.value not in broken:
        broken.append(f"{BasicNeed.SAFE_HOUSING.value} (house graded {ctx.housing_grade.value})")
    return broken


def _exit_rule(ctx: Context) -> Verdict:
    income = ctx.income_per_capita
    if income is None:
        return Verdict(False, "no income assessed yet")
    line = ctx.poverty_line
    if income < line:
        return Verdict(False, f"income per capita {income} < poverty line {line}")
    broken = _needs_broken(ctx)
    if broken:
        return Verdict(False, "basic needs not secured: " + ", ".join(broken))
    return Verdict(True, f"income per capita {income} >= poverty line {line} and basic needs secured")


EXIT_RULE = Rule(
    "exit_rule",
    "income at or above the poverty line and basic needs secured (food and clothing, schooling, "
    "medical cover, safe housing, safe water)",
    _exit_rule,
)


def _relapse_rule(ctx: Context) -> Verdict:
    below = _income_below_line(ctx)
    if below.holds:
        return below
    broken = _needs_broken(ctx)
    if broken:
        return Verdict(True, "basic need broken: " + ", ".join(broken))
    return Verdict(False, lambda: below.reason + "; basic needs secured")


def _relapse_quiet_from(ctx: Context) -> Decimal | None:
    # a broken need makes the rule hold whatever the income
    return None if _needs_broken(ctx) else ctx.poverty_line


def _relapse_quiet_from_vectorised(frame: Any) -> Any:
    return None if frame.needs_broken else frame.poverty_line


RELAPSE_RULE = Rule(
    "relapse_rule",
    "income falls below the poverty line or a basic need breaks",
    _relapse_rule,
    quiet_from=_relapse_quiet_from,
    vectorised_quiet_from=_relapse_quiet_from_vectorised,
)


def relative_poverty(
    *,
    rural_income: str = "relative_poverty.rural_income_per_capita",
    divisor: str = "relative_poverty.divisor",
) -> Rule:
    """Relative poverty (Bishan 2016): previous-year income below a share of the district's
    rural per-capita income, **and** labour capacity in the household.

    The threshold is ``rural_income / divisor`` (Bishan: about a third, 4250 yuan).
    """

    def threshold_of(ctx: Context) -> Decimal:
        # raises ParameterNotInForce before the parameters start; as quiet_from, the engine
        # then evaluates the rule, which does not hold
        return ctx.amount(rural_income) / ctx.amount(divisor)

    def threshold_vectorised(frame: Any) -> Any:
        # a row whose parameters are not in force is NaN: the columnar screen hands it to the engine
        return frame.amount(rural_income) / frame.amount(divisor)

    def test(ctx: Context) -> Verdict:
        income = ctx.income_per_capita
        if income is None:
            return Verdict(False, "no income assessed yet")
        try:
            threshold = threshold_of(ctx)
        except ParameterNotInForce as error:
            # A rule whose parameters start later is not in force yet: it does not hold.
            return Verdict(False, f"relative-poverty rule not in force yet: {error}")
        if income >= threshold:
            return Verdict(False, lambda: f"income per capita {income} >= relative-poverty threshold {threshold:.2f}")
        if not ctx.household.has_labour_capacity:
            return Verdict(False, "no member has labour capacity (a case for the safety net, not relative poverty)")
        return Verdict(
            True, f"income per capita {income} < relative-poverty threshold {threshold:.2f} with labour capacity"
        )

    return Rule(
        "relative_poverty",
        "previous-year per-capita income below the district's rural per-capita income divided by "
        "the divisor, with labour capacity",
        test,
        quiet_from=threshold_of,  # the rule never holds at or above its threshold
        vectorised_quiet_from=threshold_vectorised,
    )
