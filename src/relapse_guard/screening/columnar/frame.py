"""The income band of many dates at once: the vectorised forms of ``quiet_from``.

A :class:`QuietFrame` is one lifecycle state and one row per distinct date. A rule or trigger
that declares ``vectorised_quiet_from(frame)`` returns the income band of each row (a
``Decimal`` per row, NaN or None where it promises nothing), as its scalar ``quiet_from``
would for a household in that state with nothing else known about it (no risks, no grants,
no needs, no housing grade). :func:`quiet_plan` collects a policy's forms for the state,
:func:`bands` turns them into the band of each row as an exact ``Decimal``, and
:func:`band_scaled` into scaled integers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ...engine.run_state import OBSERVING_STATES, WATCHED_STATES
from ...facts import IncomeAssessed
from ...lifecycle import State
from ...parameters import ParameterTree
from ...policy import Policy

__all__ = [
    "LIMIT",
    "NO_BAND",
    "SCALE",
    "SCALE_DIGITS",
    "QuietFrame",
    "VectorisedQuietFrom",
    "band_scaled",
    "bands",
    "quiet_plan",
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

Ordinals = npt.NDArray[np.int64]


class QuietFrame:
    """One state and one row per distinct date (``ordinals``), under ``parameters``.

    What a vectorised ``quiet_from`` may read: :attr:`state`, :attr:`on_file`,
    :attr:`years`, :meth:`amount` (a parameter's value on each row's date) and
    :attr:`poverty_line`; :attr:`known_risks` and :attr:`needs_broken` are False (the
    columnar screen frames only households with none).
    """

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

    @property
    def years(self) -> npt.NDArray[np.int64]:
        """The year of each row's date."""
        return np.array([dt.date.fromordinal(int(day)).year for day in self.ordinals], dtype=np.int64)

    def amount(self, name: str) -> npt.NDArray[np.object_]:
        """The numeric parameter ``name`` in force on each row's date, as ``Decimal``; NaN on a row
        where it is not in force yet, and on every row when it is unknown or not a number
        (the engine then says why, for the households handed to it)."""
        found = self._amounts.get(name)
        if found is None:
            parameter = self._parameters.parameters.get(name)
            if parameter is None:
                found = np.full(len(self.ordinals), _NAN, dtype=object)
            else:
                starts = np.array([day.toordinal() for day, _ in parameter.values], dtype=np.int64)
                values = [value if isinstance(value, Decimal) else _NAN for _, value in parameter.values]
                table = np.array([*values, _NAN], dtype=object)  # index -1: before the first date
                found = table[np.searchsorted(starts, self.ordinals, side="right") - 1]
            self._amounts[name] = found
        return found

    @property
    def poverty_line(self) -> npt.NDArray[np.object_]:
        """The ``poverty_line`` parameter on each row's date."""
        return self.amount("poverty_line")


def quiet_plan(policy: Policy, state: State) -> tuple[VectorisedQuietFrom, ...] | None:
    """The vectorised ``quiet_from`` of everything an income assessment is evaluated by in
    ``state`` under ``policy`` (its lifecycle rule and its triggers of income assessments);
    None when one of them declares none."""
    if state in OBSERVING_STATES:
        rules: Sequence[object] = policy.identification
    elif state in WATCHED_STATES:
        rules = (policy.relapse_rule,)
    else:
        rules = ()
    parts = [*rules, *(trigger for trigger in policy.triggers if IncomeAssessed in trigger.fact_kinds)]
    forms = [getattr(part, "vectorised_quiet_from", None) for part in parts]
    if any(form is None for form in forms):
        return None
    return tuple(form for form in forms if form is not None)


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
