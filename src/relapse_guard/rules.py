"""Lifecycle rules: identification, exit and relapse, as named, explained predicates.

A :class:`Rule` looks at a :class:`~relapse_guard.context.Context` and returns a
:class:`Verdict` (holds or not, and why in words with the numbers compared). Policies pick
their rules; developers write their own the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import attrs

from . import message_keys as keys
from .context import Context
from .errors import ParameterNotInForce, WrongType, typed_repr
from .facts import BasicNeed
from .messages import Join, Margin, Message, Term, Text, as_message, margins_of

__all__ = [
    "EXIT_RULE",
    "INCOME_BELOW_LINE",
    "RELAPSE_RULE",
    "Reason",
    "Rule",
    "Verdict",
    "relative_poverty",
]


#: A reason as a verdict takes it: text, a message, or a function that writes either.
Reason = Text | Callable[[], Text]


class Verdict(tuple[bool, Reason, "Margin | None"]):
    """Whether a rule holds, and the reason with the values it compared.

    ``reason`` may be plain text, a :class:`~relapse_guard.messages.Message` (which renders in
    any language; the built-in rules' are), or a function that writes either: a rule evaluated
    for every fact then pays for the text only when someone reads it
    (``Verdict(False, lambda: f"...")``).

    ``margin`` says how far the compared value is from the threshold
    (:class:`~relapse_guard.messages.Margin`); without it, :attr:`margins` are those the
    reason's message states (a built-in rule's), worked out only when asked.

    A verdict is immutable, and equal to another with the same holding, reason and margin. It
    is a tuple underneath (``holds, reason, margin``): the rules make one for every fact they
    evaluate, and a tuple is the cheapest immutable value to make.
    """

    __slots__ = ()

    def __new__(cls, holds: bool, reason: Reason, margin: Margin | None = None) -> Verdict:
        return tuple.__new__(cls, (holds, reason, margin))

    def __getnewargs__(self) -> tuple[bool, Reason, Margin | None]:
        return self[0], self[1], self[2]

    def __repr__(self) -> str:
        return f"Verdict(holds={self[0]!r})"

    if TYPE_CHECKING:

        @property
        def holds(self) -> bool:
            """Whether the rule holds."""

        @property
        def _reason(self) -> Reason: ...

        @property
        def _margin(self) -> Margin | None: ...

    else:
        holds = property(itemgetter(0), doc="Whether the rule holds.")
        _reason = property(itemgetter(1))
        _margin = property(itemgetter(2))

    @property
    def reason(self) -> str:
        """The reason, in words, with the values compared (in English)."""
        reason = self._reason
        if type(reason) is not str:
            reason = reason() if callable(reason) else reason
        return reason if isinstance(reason, str) else reason.english()

    @property
    def message(self) -> Message:
        """The reason as a message (plain text: an untranslated one)."""
        reason = self._reason
        return as_message(reason() if callable(reason) else reason)

    @property
    def why(self) -> Reason:
        """The reason as given (a function not called): for a decision log that writes it
        only when it records the decision."""
        return self._reason

    @property
    def margin(self) -> Margin | None:
        """The margin given, else the first the reason states, else None."""
        if self._margin is not None:
            return self._margin
        found = self.margins
        return found[0] if found else None

    @property
    def margins(self) -> tuple[Margin, ...]:
        """The margin given, else the margins the reason's message states."""
        if self._margin is not None:
            return (self._margin,)
        return margins_of(self.message)

    def near_margins(self) -> tuple[Margin, ...]:
        """The margins within :data:`~relapse_guard.messages.NEAR_SHARE` of their threshold
        (what a decision on a rule that held records)."""
        return tuple(margin for margin in self.margins if margin.near)


@attrs.frozen
class Rule:
    """A named predicate over a context: ``rule(ctx)`` returns a :class:`Verdict`.

    ``quiet_from``, if given, tells the engine when an income assessment cannot make the rule
    hold, so it can skip evaluating it (docs/performance.md): called with a context,
    it returns a per-capita income at and above which the rule does not hold *whatever the
    income assessed now or before*, everything else in the context as it is, or None when
    there is no such income. Its answer may depend on the context's state, household,
    needs, housing, grants (and which entitlements run), known risks, the parameters it
    reads and the year of ``ctx.date`` — nothing else about the date. Without it the rule is
    evaluated for every fact, which is always correct.

    ``vectorised_quiet_from``, if given, is ``quiet_from`` over many dates at once, for the
    columnar screen (docs/columnar.md): called with a
    :class:`~relapse_guard.screening.columnar.QuietFrame` (one state, one row per distinct
    date), it returns one income per row (a sequence or numpy array of ``Decimal``), or None
    when there is none. Without it, the households the rule would be asked about are handed
    to the engine, which is always correct. Declaring it promises that ``quiet_from``'s answer
    for a new household with nothing else known depends on the date's parameters alone, not
    on the household (a frame has no household): the engine then works that answer out once a
    date for all such households.
    """

    name: str
    description: str
    test: Callable[[Context], Verdict] = attrs.field(eq=False, repr=False)
    quiet_from: Callable[[Context], Decimal | None] | None = attrs.field(default=None, eq=False, repr=False)
    vectorised_quiet_from: Callable[[Any], Any] | None = attrs.field(default=None, eq=False, repr=False)

    def __call__(self, ctx: Context) -> Verdict:
        return self.test(ctx)

    @test.validator
    def _callable(self, _: object, test: object) -> None:
        if not callable(test):  # a text such as "income < 3000"
            raise WrongType(
                f"rule {self.name!r}: test {typed_repr(test)} is not a function; expected a function of the context "
                "returning a Verdict, e.g. Rule(name, description, lambda ctx: Verdict(holds, reason))"
            )


_NO_INCOME_YET = Message(keys.NO_INCOME_YET)


def _income_below_line(ctx: Context) -> Verdict:
    income = ctx.income_per_capita
    if income is None:
        return Verdict(False, _NO_INCOME_YET)
    line = ctx.poverty_line
    if income < line:
        return Verdict(True, lambda: Message.named(keys.INCOME_BELOW_LINE, income=income, line=line))
    return Verdict(False, lambda: Message.named(keys.INCOME_NOT_BELOW_LINE, income=income, line=line))


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


def _any_need_broken(ctx: Context) -> bool:
    grade = ctx.housing_grade
    return bool(ctx.unmet_needs) or (grade is not None and grade.unsafe)


def _needs_broken(ctx: Context) -> list[Term | Message]:
    broken: list[Term | Message] = [Term(name) for name in sorted(need.value for need in ctx.unmet_needs)]
    grade = ctx.housing_grade
    if grade is not None and grade.unsafe and BasicNeed.SAFE_HOUSING not in ctx.unmet_needs:
        broken.append(Message.named(keys.NEED_HOUSE_GRADED, need=Term(BasicNeed.SAFE_HOUSING.value), grade=grade.value))
    return broken


def _exit_rule(ctx: Context) -> Verdict:
    income = ctx.income_per_capita
    if income is None:
        return Verdict(False, _NO_INCOME_YET)
    line = ctx.poverty_line
    if income < line:
        return Verdict(False, lambda: Message.named(keys.INCOME_BELOW_LINE, income=income, line=line))
    if _any_need_broken(ctx):
        broken = _needs_broken(ctx)  # now: the context moves on before the reason is written
        return Verdict(False, lambda: Message.named(keys.NEEDS_NOT_SECURED, needs=Join(broken, ", ")))
    return Verdict(True, lambda: Message.named(keys.EXIT_HOLDS, income=income, line=line))


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
    if _any_need_broken(ctx):
        broken = _needs_broken(ctx)
        return Verdict(True, lambda: Message.named(keys.NEED_BROKEN, needs=Join(broken, ", ")))
    return Verdict(False, lambda: Message.named(keys.NEEDS_SECURED_TOO, reason=below.message))


def _relapse_quiet_from(ctx: Context) -> Decimal | None:
    # a broken need makes the rule hold whatever the income
    return None if _any_need_broken(ctx) else ctx.poverty_line


def _relapse_quiet_from_vectorised(frame: Any) -> Any:
    return None if frame.needs_broken else frame.poverty_line


RELAPSE_RULE = Rule(
    "relapse_rule",
    "income falls below the poverty line or a basic need breaks",
    _relapse_rule,
    quiet_from=_relapse_quiet_from,
    vectorised_quiet_from=_relapse_quiet_from_vectorised,
)


_NO_LABOUR = Message(keys.RELATIVE_NO_LABOUR)


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
            return Verdict(False, _NO_INCOME_YET)
        try:
            threshold = threshold_of(ctx)
        except ParameterNotInForce as error:
            # A rule whose parameters start later is not in force yet: it does not hold.
            return Verdict(False, Message.named(keys.RELATIVE_NOT_IN_FORCE, error=keys.no_value_yet(error)))
        if income >= threshold:
            return Verdict(
                False, lambda: Message.named(keys.RELATIVE_NOT_BELOW, income=income, threshold=f"{threshold:.2f}")
            )
        if not ctx.household.has_labour_capacity_on(ctx.date):
            return Verdict(False, _NO_LABOUR)
        return Verdict(True, lambda: Message.named(keys.RELATIVE_BELOW, income=income, threshold=f"{threshold:.2f}"))

    return Rule(
        "relative_poverty",
        "previous-year per-capita income below the district's rural per-capita income divided by "
        "the divisor, with labour capacity",
        test,
        quiet_from=threshold_of,  # the rule never holds at or above its threshold
        vectorised_quiet_from=threshold_vectorised,
    )
