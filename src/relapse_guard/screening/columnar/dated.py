"""The band of each date for a new household, worked out once per policy and date, and kept;
and a policy's :class:`ColumnarPlan`, which holds its bands and its forms for other facts.

The columnar screen compares each income assessment of a framed household with the band of
its date: at or above it, the assessment changes nothing for a ``new`` household with nothing
else known. A policy's band on a date does not depend on the household, so
:class:`DatedBands` asks the policy's vectorised forms for it the first time a date is met (a
one-row :class:`~.frame.QuietFrame`) and keeps it: a province's assessments fall on a few
hundred dates, so the forms run a few hundred times, whatever the number of households. The
bands are exact ``Decimal`` values, so an income of any precision is compared exactly.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from decimal import Decimal

import numpy as np

from ...facts import Fact
from ...lifecycle import State
from ...parameters import ParameterTree
from ...policy import Policy
from ...routing import each_year
from .frame import QuietFrame, VectorisedQuiet, VectorisedQuietFrom, bands, fact_plan, quiet_plan, rule_plan

__all__ = ["ColumnarPlan", "DatedBands", "columnar_plan"]

_NEW = State.NEW


class DatedBands:
    """A policy's band by date (None: nothing promised that day), each worked out on first use and kept.

    ``parameters`` are the policy's; ``quiet`` the vectorised ``quiet_from`` of everything an
    assessment of a new household is evaluated by (:func:`~.frame.quiet_plan`). ``days``
    holds the bands worked out so far, by date; :meth:`band_of` works one out.
    """

    __slots__ = ("days", "parameters", "quiet")

    def __init__(self, parameters: ParameterTree, quiet: tuple[VectorisedQuietFrom, ...]) -> None:
        self.parameters = parameters
        self.quiet = quiet
        self.days: dict[dt.date, Decimal | None] = {}

    def band_of(self, day: dt.date) -> Decimal | None:
        """The band on ``day``, worked out once and kept in :attr:`days`."""
        if day not in self.days:
            frame = QuietFrame(self.parameters, _NEW, np.array([day.toordinal()], dtype=np.int64))
            self.days[day] = bands(self.quiet, frame)[0]
        return self.days[day]


class ColumnarPlan:
    """What the columnar screen decides a new household's facts by, under one policy.

    ``income``: the band of an income assessment by date (every rule and trigger it is
    evaluated by); ``observed``: the band of the household's income when another fact comes
    (the lifecycle rule alone, which every observation is evaluated by), None when a rule
    declares no vectorised form; ``kinds``: the ``vectorised_quiet`` forms of each kind of
    other fact framed (:func:`~.frame.fact_plan`); ``new_year``: whether the policy routes a
    new year in ``new`` (``each_year:new``), which reaches a household not on file on each
    1 January after its first fact (such a household goes to the engine).
    """

    __slots__ = ("income", "kinds", "new_year", "observed", "parameters")

    def __init__(
        self,
        parameters: ParameterTree,
        income: DatedBands,
        observed: DatedBands | None,
        kinds: dict[type[Fact], tuple[VectorisedQuiet, ...]],
        *,
        new_year: bool = False,
    ) -> None:
        self.new_year = new_year
        self.parameters = parameters
        self.income = income
        self.observed = observed
        self.kinds = kinds if observed is not None else {}


#: Each policy's plan, by the policy's id, while it lives (a screen of many partitions, or
#: many screens in one process, work each date out once).
_KEPT: dict[int, tuple[weakref.ref[Policy], ColumnarPlan | None]] = {}
_LOCK = threading.Lock()


def columnar_plan(policy: Policy) -> ColumnarPlan | None:
    """``policy``'s plan for new households (kept while the policy lives); None when something
    an income assessment of a new household is evaluated by declares no vectorised form (the
    households go to the engine)."""
    key = id(policy)
    found = _KEPT.get(key)
    if found is not None and found[0]() is policy:
        return found[1]
    quiet = quiet_plan(policy, _NEW)
    plan = None
    if quiet is not None:
        rules = rule_plan(policy, _NEW)
        observed = None if rules is None else DatedBands(policy.parameters, rules)
        plan = ColumnarPlan(
            policy.parameters,
            DatedBands(policy.parameters, quiet),
            observed,
            fact_plan(policy),
            new_year=bool(policy.routes.get(each_year(_NEW))),
        )
    with _LOCK:
        _KEPT[key] = (weakref.ref(policy, lambda _, key=key: _KEPT.pop(key, None)), plan)  # type: ignore[misc]
    return plan
