"""Routing: the policy's table from a risk kind to interventions, in order, with conditions.

``routes = {"illness": (step("medical_aid"), step("safety_net", when=INCOME_LEFT_UNDER_STANDARD))}``
reads: an illness risk goes to medical aid, then to the safety net if the income left after
the cost is under the standard. Two occasions the engine makes itself are routed too:

- entering a state, under ``entered:<state>`` (:func:`entered`; e.g. ``entered:exited`` for
  the supports given on exit), on the day of the move;
- each new year spent in a state, under ``each_year:<state>`` (:func:`each_year`; e.g.
  ``each_year:monitored`` for a yearly premium renewed through the transition period), on
  1 January of every year the household starts in that state, having entered it before.
  The year it enters the state is ``entered:<state>``'s: a policy that gives the support in
  that year too routes both (docs/lifecycle.md, "Yearly occasions").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs

from . import message_keys as keys
from .context import Context
from .decisions import Risk
from .errors import WrongType, typed_repr
from .lifecycle import State
from .messages import Message, Term
from .rules import Verdict

__all__ = [
    "HOUSE_UNSAFE",
    "INCOME_LEFT_UNDER_STANDARD",
    "IN_HARDSHIP",
    "NO_INCOME_LEFT",
    "OCCASION_PREFIXES",
    "ON_FILE",
    "Condition",
    "RouteStep",
    "each_year",
    "entered",
    "in_hardship",
    "is_occasion",
    "step",
    "yearly_states",
]


@attrs.frozen
class Condition:
    """A named test of a risk in context; ``condition(risk, ctx)`` returns a :class:`Verdict`."""

    name: str
    description: str
    test: Callable[[Risk, Context], Verdict] = attrs.field(eq=False, repr=False)

    def __call__(self, risk: Risk, ctx: Context) -> Verdict:
        return self.test(risk, ctx)

    @test.validator
    def _callable(self, _: object, test: object) -> None:
        if not callable(test):
            raise WrongType(
                f"condition {self.name!r}: test {typed_repr(test)} is not a function; expected a function of the "
                "risk and the context returning a Verdict, e.g. Condition(name, description, lambda risk, ctx: "
                "Verdict(holds, reason))"
            )


@attrs.frozen
class RouteStep:
    """One step of a route: the intervention's name, an optional condition, and the earlier
    interventions whose grants for the same risk it pays after (``after``).

    With ``after``, the intervention is asked on the risk's cost *left* once the one-off
    grants of those interventions for this risk are taken off (self-paid after aid), and is
    skipped when nothing is left: one cost is never paid twice.
    """

    intervention: str
    condition: Condition | None = None
    after: tuple[str, ...] = ()


def step(intervention: str, *, when: Condition | None = None, after: Iterable[str] = ()) -> RouteStep:
    """Shorthand for :class:`RouteStep`: ``step("safety_net", when=INCOME_LEFT_UNDER_STANDARD)``;
    ``step("temporary_relief", after=["medical_aid"])`` pays on the cost medical aid left."""
    return RouteStep(intervention, when, tuple([str(name) for name in after]))


def entered(state: State) -> str:
    """The routing kind of entering ``state``: ``entered(State.EXITED) == "entered:exited"``."""
    return f"entered:{state.value}"


def each_year(state: State) -> str:
    """The routing kind of a new year spent in ``state``: ``each_year(State.MONITORED) ==
    "each_year:monitored"``, routed on 1 January of each year the household starts in
    ``state`` having entered it before that day (so not in the year it enters it, which
    ``entered(state)`` serves), dated that 1 January."""
    return f"each_year:{state.value}"


#: The prefixes of the kinds the engine routes on its own occasions (no trigger finds them).
OCCASION_PREFIXES = ("entered:", "each_year:")


def is_occasion(kind: str) -> bool:
    """True for a kind the engine routes on its own occasions (``entered:``, ``each_year:``)."""
    return kind.startswith(OCCASION_PREFIXES)


def yearly_states(routes: Mapping[str, object]) -> dict[State, str]:
    """The states ``routes`` route a new year in, each with its kind (``each_year:<state>``)."""
    return {state: each_year(state) for state in State if routes.get(each_year(state))}


_NO_INCOME_YET = Message(keys.NO_INCOME_YET)


def _income_left_under_standard(risk: Risk, ctx: Context) -> Verdict:
    left = ctx.income_left_per_capita(risk)
    if left is None:
        return Verdict(False, _NO_INCOME_YET)
    standard = ctx.amount("safety_net.standard")
    monthly = left / 12
    key = keys.INCOME_LEFT_UNDER if monthly < standard else keys.INCOME_LEFT_NOT_UNDER
    return Verdict(monthly < standard, lambda: Message.named(key, monthly=f"{monthly:.2f}", standard=standard))


INCOME_LEFT_UNDER_STANDARD = Condition(
    "income_left_under_standard",
    "the income left per person after the risk's cost is under the safety-net standard",
    _income_left_under_standard,
)


def _house_unsafe(risk: Risk, ctx: Context) -> Verdict:
    grade = risk.get("grade") or (ctx.housing_grade.value if ctx.housing_grade else None)
    return Verdict(grade in ("C", "D"), lambda: Message.named(keys.HOUSE_GRADED, grade=grade or Term("not appraised")))


HOUSE_UNSAFE = Condition("house_unsafe", "the house is appraised C or D", _house_unsafe)


_NO_OTHER_WORKER = Message(keys.NO_OTHER_WORKER)
_NO_INCOME_LEFT = Message(keys.NO_INCOME_LEFT)


def _no_income_left(risk: Risk, ctx: Context) -> Verdict:
    others = [m for m in ctx.household.members if m.can_work_on(ctx.date) and m.id != risk.member_id]
    left = ctx.income_left_per_capita(risk)
    if not others:
        return Verdict(True, _NO_OTHER_WORKER)
    if left is not None and left <= 0:
        return Verdict(True, _NO_INCOME_LEFT)
    return Verdict(False, lambda: Message.named(keys.OTHERS_CAN_WORK, count=len(others)))


NO_INCOME_LEFT = Condition(
    "no_income_left",
    "no other member can work, or no income is left after the risk's cost",
    _no_income_left,
)

_ON_FILE_STATES = frozenset(State) - {State.NEW, State.STABLE}


def _on_file(risk: Risk, ctx: Context) -> Verdict:
    state = ctx.state
    key = keys.ON_FILE if state in _ON_FILE_STATES else keys.NOT_ON_FILE
    return Verdict(state in _ON_FILE_STATES, lambda: Message.named(key, state=Term(state.value)))


ON_FILE = Condition(
    "on_file",
    "the household is on file (identified, assisted, exited, monitored or relapsed)",
    _on_file,
)


@attrs.frozen
class _Hardship:
    """The test of :func:`in_hardship`: an attrs value, so that two policies asking the same
    line are seen to decide alike (``relapse_guard.engine.agreement.same_part``)."""

    ratio: str

    def __call__(self, risk: Risk, ctx: Context) -> Verdict:
        state = ctx.state
        if state in _ON_FILE_STATES:
            return Verdict(True, lambda: Message.named(keys.ON_FILE, state=Term(state.value)))
        left = ctx.income_left_per_capita(risk)
        if left is None:
            return Verdict(False, lambda: Message.named(keys.NOT_ON_FILE_INCOME_UNKNOWN, state=Term(state.value)))
        standard = ctx.amount("safety_net.standard")
        ratio = ctx.amount(self.ratio)
        line = ratio * standard
        monthly = left / 12
        holds = monthly < line
        key = keys.IN_HARDSHIP if holds else keys.NOT_IN_HARDSHIP
        return Verdict(
            holds,
            lambda: Message.named(
                key,
                state=Term(state.value),
                monthly=f"{monthly:.2f}",
                line=f"{line:.2f}",
                ratio=ratio,
                standard=standard,
            ),
        )


def in_hardship(prefix: str = "temporary_relief") -> Condition:
    """The condition ``in_hardship`` of temporary relief, reading ``{prefix}.hardship_ratio``.

    It holds for a household on file (see :data:`ON_FILE`), and for one not on file whose
    income per person left after what it bears of the risk's cost (the safety net's income
    left, :meth:`Context.income_left_per_capita`) is under the hardship line,
    ``{prefix}.hardship_ratio x safety_net.standard`` a month. It does not hold for a household
    not on file whose income was never assessed: its hardship is not shown.

    Rule: temporary relief is for a family whose 「基本生活暂时出现严重困难」 (State Council order
    649, art. 47); the shipped policies set the line at the low-income edge, 1.5 x the
    safety-net standard (MCA 2021 dibao review measures, art. 8).
    """
    ratio = f"{prefix}.hardship_ratio"
    return Condition(
        "in_hardship",
        f"the household is on file, or its income left per person after the risk's cost is under {ratio} x"
        " the safety-net standard",
        _Hardship(ratio),
    )


IN_HARDSHIP = in_hardship()
