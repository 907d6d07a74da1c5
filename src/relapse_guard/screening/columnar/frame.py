"""The vectorised forms: the income band of many dates at once, and many facts' quiet at once.

A :class:`QuietFrame` is one lifecycle state and one row per distinct date. A rule or trigger
that declares ``vectorised_quiet_from(frame)`` returns the income band of each row (a
``Decimal`` per row, NaN or None where it promises nothing), as its scalar ``quiet_from``
would for a household in that state with nothing else known about it (no risks, no grants,
no needs, no housing grade). :func:`quiet_plan` collects a policy's forms for the state,
:func:`bands` turns them into the band of each row as an exact ``Decimal``, and
:func:`band_scaled` into scaled integers.

A :class:`FactFrame` is one state and one row per fact of one kind other than an income
assessment (an illness, a school enrolment, ...), with the income and the members its
household had when the fact came. A trigger of such facts that declares
``vectorised_quiet(frame)`` says for each row whether it finds nothing there, as its scalar
``detect`` would for a household in that state with nothing else known about it.
:func:`fact_plan` collects a policy's forms by kind (:data:`FRAMED_KINDS`), and
:func:`quiet_facts` turns them into one answer per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ...engine.run_state import OBSERVING_STATES, WATCHED_STATES
from ...facts import (
    BasicNeedsChecked,
    DisasterReported,
    Fact,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    SchoolEnrolled,
)
from ...household import Member
from ...lifecycle import State
from ...parameters import ParameterTree
from ...policy import Policy
from ...triggers.base import Trigger

__all__ = [
    "FRAMED_KINDS",
    "LIMIT",
    "NO_BAND",
    "SCALE",
    "SCALE_DIGITS",
    "FactFrame",
    "QuietFrame",
    "VectorisedQuiet",
    "VectorisedQuietFrom",
    "band_scaled",
    "bands",
    "fact_plan",
    "income_triggers",
    "lifecycle_rules",
    "quiet_facts",
    "quiet_plan",
    "rule_plan",
    "scaled",
]

#: Incomes and bands are compared as integers of 1/SCALE yuan (a ten-thousandth: finer than the fen).
SCALE_DIGITS = 4
SCALE = 10**SCALE_DIGITS
#: The band of a row where something promises nothing: no income reaches it.
NO_BAND = np.iinfo(np.int64).max
#: Incomes and bands beyond it are left to the engine (int64 arithmetic never overflows below it).
LIMIT = 2**62
_NAN = Decimal("NaN")

#: ``vectorised_quiet_from(frame)``: one band per row of the frame, or None.
VectorisedQuietFrom = Callable[["QuietFrame"], Any]
#: ``vectorised_quiet(frame)``: for each row (a fact) of a :class:`FactFrame`, True where the
#: trigger finds nothing; or None.
VectorisedQuiet = Callable[["FactFrame"], Any]

#: The kinds of fact besides income assessments a household decided in columns may have:
#: observations that change nothing a rule or trigger reads later when no trigger finds
#: anything in them (a needs check only when it finds every need met). A house appraisal is
#: not among them: the grade it records is read by the rules of the household's later facts.
FRAMED_KINDS: tuple[type[Fact], ...] = (
    IllnessReported,
    DisasterReported,
    JobLost,
    MainEarnerLost,
    SchoolEnrolled,
    BasicNeedsChecked,
)

Ordinals = npt.NDArray[np.int64]


class _DatedRows:
    """Rows of one lifecycle state, each on a date (``ordinals``), under ``parameters``: what
    both frames share. :attr:`known_risks` and :attr:`needs_broken` are False (the columnar
    screen frames only households with none)."""

    def __init__(self, parameters: ParameterTree, state: State, ordinals: Ordinals) -> None:
        self.state = state
        self.ordinals = ordinals
        self._parameters = parameters
        self._amounts: dict[str, npt.NDArray[np.object_]] = {}
        #: True when the state is on file (any state but new and stable), as ``triggers._common.on_file``.
        self.on_file = state is not State.NEW and state is not State.STABLE
        self.known_risks = False
        self.needs_broken = False

    def __len__(self) -> int:
        return len(self.ordinals)

    def amount(self, name: str) -> npt.NDArray[np.object_]:
        """The numeric parameter ``name`` in force on each row's date, as ``Decimal``; NaN on a row
        where it is not in force yet, and on every row when it is unknown or not a number
        (the engine then says why, for the households handed to it)."""
        found = self._amounts.get(name)
        if found is None:
            found = self._amounts[name] = _amounts_on(self._parameters, name, self.ordinals)
        return found

    @property
    def poverty_line(self) -> npt.NDArray[np.object_]:
        """The ``poverty_line`` parameter on each row's date."""
        return self.amount("poverty_line")


class QuietFrame(_DatedRows):
    """One state and one row per distinct date (``ordinals``), under ``parameters``.

    What a vectorised ``quiet_from`` may read: :attr:`state`, :attr:`on_file`,
    :attr:`years`, :meth:`amount` (a parameter's value on each row's date) and
    :attr:`poverty_line`; :attr:`known_risks` and :attr:`needs_broken` are False (the
    columnar screen frames only households with none).
    """

    @property
    def years(self) -> npt.NDArray[np.int64]:
        """The year of each row's date."""
        return np.array([dt.date.fromordinal(int(day)).year for day in self.ordinals], dtype=np.int64)


def _amounts_on(parameters: ParameterTree, name: str, ordinals: Ordinals) -> npt.NDArray[np.object_]:
    """The numeric parameter ``name`` on each of the days ``ordinals``, NaN where it is not in force
    (or everywhere when it is unknown or not a number)."""
    parameter = parameters.parameters.get(name)
    if parameter is None:
        return np.full(len(ordinals), _NAN, dtype=object)
    starts = np.array([day.toordinal() for day, _ in parameter.values], dtype=np.int64)
    values = [value if isinstance(value, Decimal) else _NAN for _, value in parameter.values]
    table = np.array([*values, _NAN], dtype=object)  # index -1: before the first date
    found: npt.NDArray[np.object_] = table[np.searchsorted(starts, ordinals, side="right") - 1]
    return found


def _objects(values: Sequence[object]) -> npt.NDArray[np.object_]:
    """``values`` as a one-dimensional object array (numpy would look into a value that is a sequence)."""
    out = np.empty(len(values), dtype=object)
    for row, value in enumerate(values):
        out[row] = value
    return out


class FactFrame(_DatedRows):
    """Facts of one kind (one row each) of households in one state, under ``parameters``, with
    the per-capita income and the members each fact's household had when the fact came.

    What a ``vectorised_quiet`` may read: :attr:`state`, :attr:`on_file`, :attr:`ordinals`
    (each fact's date), :attr:`facts`, :meth:`field` (a field of each fact), :meth:`member`
    (the member each fact names), :attr:`income_per_capita` (every row's household has had
    its income assessed), :attr:`size`, :attr:`annual_income`, :meth:`amount` and
    :attr:`poverty_line`; :attr:`known_risks` and :attr:`needs_broken` are False (the
    columnar screen frames only households with none).
    """

    def __init__(
        self,
        parameters: ParameterTree,
        state: State,
        facts: Sequence[Fact],
        incomes: Sequence[Decimal],
        members: Sequence[tuple[Member, ...]],
    ) -> None:
        super().__init__(parameters, state, np.array([fact.date.toordinal() for fact in facts], dtype=np.int64))
        self.facts = _objects(facts)
        self.income_per_capita = _objects(incomes)
        self.size = np.array([len(found) for found in members], dtype=np.int64)
        self._members = members

    def field(self, name: str) -> npt.NDArray[np.object_]:
        """The field ``name`` of each row's fact."""
        return _objects([getattr(fact, name) for fact in self.facts])

    def member(self) -> npt.NDArray[np.object_]:
        """The :class:`~relapse_guard.household.Member` each row's fact names by its ``member_id``
        (the columnar screen hands a fact naming no member of its household to the engine)."""
        named = []
        for fact, members in zip(self.facts, self._members, strict=True):
            member_id = fact.member_id
            named.append(next(member for member in members if member.id == member_id))
        return _objects(named)

    @property
    def annual_income(self) -> npt.NDArray[np.object_]:
        """Each row's annual household income: per-capita income x members, as the engine's triggers work it out."""
        sizes = self.size.tolist()
        return _objects([income * size for income, size in zip(self.income_per_capita, sizes, strict=True)])


def fact_plan(policy: Policy) -> dict[type[Fact], tuple[VectorisedQuiet, ...]]:
    """For each kind of :data:`FRAMED_KINDS` whose every trigger under ``policy`` declares a
    ``vectorised_quiet``: those forms (none for a kind no trigger looks at). A kind left out
    sends its households to the engine."""
    plan: dict[type[Fact], tuple[VectorisedQuiet, ...]] = {}
    for kind in FRAMED_KINDS:
        forms = [
            getattr(trigger, "vectorised_quiet", None) for trigger in policy.triggers if kind in trigger.fact_kinds
        ]
        if all(form is not None for form in forms):
            plan[kind] = tuple(form for form in forms if form is not None)
    return plan


def quiet_facts(forms: tuple[VectorisedQuiet, ...], frame: FactFrame) -> list[bool]:
    """For each row of ``frame``: True when every form says its trigger finds nothing there; all
    False when a form fails, answers None or with the wrong number of rows (the engine then
    decides, and names a failure)."""
    rows = len(frame)
    found = [True] * rows
    for form in forms:
        try:
            answer = form(frame)
            values = None if answer is None else list(answer)
        except Exception:  # policy code failed: the engine runs the households and names it
            return [False] * rows
        if values is None or len(values) != rows:
            return [False] * rows
        # only True (Python's or numpy's) says quiet: any other answer leaves the row to the engine
        found = [
            before and (value is True or (type(value) is np.bool_ and bool(value)))
            for before, value in zip(found, values, strict=True)
        ]
    return found


def lifecycle_rules(policy: Policy, state: State) -> Sequence[object]:
    """The lifecycle rules every observation of a household in ``state`` is evaluated by:
    identification (not on file, or stable), relapse (exited, monitored), else none."""
    if state in OBSERVING_STATES:
        return policy.identification
    if state in WATCHED_STATES:
        return (policy.relapse_rule,)
    return ()


def income_triggers(policy: Policy) -> list[Trigger]:
    """``policy``'s triggers of income assessments, in its order."""
    return [trigger for trigger in policy.triggers if IncomeAssessed in trigger.fact_kinds]


def _forms(parts: Sequence[object]) -> tuple[VectorisedQuietFrom, ...] | None:
    """The parts' ``vectorised_quiet_from``; None when one declares none."""
    forms = [getattr(part, "vectorised_quiet_from", None) for part in parts]
    if any(form is None for form in forms):
        return None
    return tuple(form for form in forms if form is not None)


def rule_plan(policy: Policy, state: State) -> tuple[VectorisedQuietFrom, ...] | None:
    """The vectorised ``quiet_from`` of the lifecycle rule of ``state`` alone (what the
    household's other observations are evaluated by); None when one declares none."""
    return _forms(lifecycle_rules(policy, state))


def quiet_plan(policy: Policy, state: State) -> tuple[VectorisedQuietFrom, ...] | None:
    """The vectorised ``quiet_from`` of everything an income assessment is evaluated by in
    ``state`` under ``policy`` (its lifecycle rule and its triggers of income assessments);
    None when one of them declares none."""
    return _forms([*lifecycle_rules(policy, state), *income_triggers(policy)])


def bands(plan: tuple[VectorisedQuietFrom, ...], frame: QuietFrame) -> list[Decimal | None]:
    """The income band of each row of ``frame``: the highest of the forms' answers, exactly, as
    ``Decimal``; None where a form promises nothing, and on every row when a form fails or
    answers with the wrong number of rows (the engine then decides, and names the failure)."""
    rows = len(frame)
    found: list[Decimal | None] = [Decimal(0)] * rows
    for form in plan:
        try:
            answer = form(frame)
            if answer is None:
                return [None] * rows
            values = list(answer)
        except Exception:  # policy code failed: the engine runs the households and names it
            return [None] * rows
        if len(values) != rows:
            return [None] * rows
        for row, value in enumerate(values):
            band = found[row]
            if band is None:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                value = Decimal(value)
            if not isinstance(value, Decimal) or not value.is_finite():
                found[row] = None
            elif value > band:
                found[row] = value
    return found


def band_scaled(plan: tuple[VectorisedQuietFrom, ...], frame: QuietFrame) -> npt.NDArray[np.int64]:
    """The income band of each row of ``frame`` (:func:`bands`), in 1/SCALE yuan rounded up (an
    income in those units is at or above the band exactly when it is at or above this), or
    :data:`NO_BAND` where a form promises nothing or fails (the engine then decides)."""
    out = np.full(len(frame), NO_BAND, dtype=np.int64)
    for row, band in enumerate(bands(plan, frame)):
        if band is not None:
            up = int(band.scaleb(SCALE_DIGITS).to_integral_value(rounding=ROUND_CEILING))
            if -LIMIT < up < LIMIT:
                out[row] = up
    return out


def scaled(income: Decimal) -> int | None:
    """``income`` in 1/SCALE yuan, or None when it is not a whole number of them (or too large)."""
    if not income.is_finite():
        return None
    exponent = income.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -SCALE_DIGITS:
        return None
    value = int(income.scaleb(SCALE_DIGITS))
    return value if -LIMIT < value < LIMIT else None
