"""Households that stay ``new`` and raise risks: which assessments matter, found in columns.

A household whose every assessment is at or above its identification band (the policy's
identification rules, vectorised) stays ``new`` whatever its triggers find. Each trigger of
income assessments that declares ``vectorised_risk(frame)``
(:class:`~relapse_guard.triggers.VectorisedRisk`) says which assessments raise its risk: the
first one of each year under ``raises_under``. When every route step of that risk kind has
a vectorised condition that does not hold for the risk, the risk is only recorded: nothing
is granted, nothing moves. Such a household's result depends only on the assessments that
raise a risk, the assessment just before each (the trigger's evidence shows the fall from
it) and the last one (its income): the engine replays those alone and gives the result of
the whole run.

:func:`risk_plan` collects what a policy declares for a state (None when something is
missing), :func:`yearly_bands` works out the bands of each date once, and
:func:`routes_grant_nothing` asks the route conditions about the risks found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from ...facts import IncomeAssessed
from ...lifecycle import State
from ...policy import Policy
from ...triggers import VectorisedRisk
from .frame import SCALE_DIGITS, QuietFrame, VectorisedQuietFrom, band_scaled

__all__ = ["Bands", "RiskPlan", "risk_plan", "routes_grant_nothing", "yearly_bands"]

VectorisedCondition = Callable[[Any, Sequence[Decimal]], Sequence[bool | None]]


@attrs.frozen
class RiskPlan:
    """What a policy declares for households that stay in ``state``: the identification
    rules' vectorised ``quiet_from`` (``rules``), each trigger of income assessments'
    ``vectorised_risk`` (``triggers``) and, by risk kind, the vectorised conditions of its
    route steps (``conditions``)."""

    state: State
    rules: tuple[VectorisedQuietFrom, ...]
    triggers: tuple[Callable[[QuietFrame], VectorisedRisk | None], ...]
    conditions: dict[str, tuple[VectorisedCondition, ...]]


@attrs.frozen
class Bands:
    """One row per date of a frame, in 1/SCALE yuan (:data:`~.frame.NO_BAND` where nothing is
    promised): the identification band (``identified_under``) and, for each trigger, its risk
    kind, the band under which it raises that risk and the band once the risk is known."""

    identified_under: npt.NDArray[np.int64]
    triggers: tuple[tuple[str, npt.NDArray[np.int64], npt.NDArray[np.int64]], ...]


def risk_plan(policy: Policy, state: State = State.NEW) -> RiskPlan | None:
    """The :class:`RiskPlan` of ``policy`` for households that stay ``new``; None when a part
    declares no vectorised form (the households it would be asked about go to the engine).

    Only ``new`` is planned: identification is the lifecycle's only rule there.
    """
    if state is not State.NEW:
        return None
    rules = [getattr(rule, "vectorised_quiet_from", None) for rule in policy.identification]
    triggers = [trigger for trigger in policy.triggers if _of_income(trigger)]
    forms = [getattr(trigger, "vectorised_risk", None) for trigger in triggers]
    if any(rule is None for rule in rules) or any(form is None for form in forms):
        return None
    return RiskPlan(
        state,
        tuple(rule for rule in rules if rule is not None),
        tuple(form for form in forms if form is not None),
        _conditions(policy),
    )


def _of_income(trigger: object) -> bool:
    return IncomeAssessed in getattr(trigger, "fact_kinds", ())


def _conditions(policy: Policy) -> dict[str, tuple[VectorisedCondition, ...]]:
    """The vectorised conditions of each kind's route steps; a kind with a step that has no
    condition (it always asks its intervention) or no vectorised form is left out."""
    found: dict[str, tuple[VectorisedCondition, ...]] = {}
    for kind, steps in policy.routes.items():
        forms = [None if step.condition is None else step.condition.vectorised for step in steps]
        if all(form is not None for form in forms):
            found[kind] = tuple(form for form in forms if form is not None)
    return found


def yearly_bands(plan: RiskPlan, frame: QuietFrame) -> Bands | None:
    """The bands of each row of ``frame``; None when a trigger declares nothing for this state."""
    # The identification band whether or not a risk is known: the highest of the two, so a
    # rule whose band moves once a risk is known is never taken below it.
    identified = band_scaled(plan.rules, frame)
    frame.known_risks = True
    try:
        identified = np.maximum(identified, band_scaled(plan.rules, frame))
    finally:
        frame.known_risks = False
    triggers = []
    for form in plan.triggers:
        try:
            found = form(frame)
        except Exception:  # policy code failed: the engine runs the households and names it
            return None
        if found is None:
            return None
        triggers.append((found.kind, _scaled(found.raises_under, frame), _scaled(found.quiet_after, frame)))
    return Bands(identified, tuple(triggers))


def _scaled(values: Any, frame: QuietFrame) -> npt.NDArray[np.int64]:
    """``values`` (one income per row of ``frame``) as :func:`~.frame.band_scaled` gives bands."""
    return band_scaled((lambda _: values,), frame)


def routes_grant_nothing(
    plan: RiskPlan, parameters: Any, kind: str, ordinals: npt.NDArray[np.int64], incomes: Sequence[int]
) -> list[bool]:
    """For risks of ``kind`` found on each date (``ordinals``) at each income (1/SCALE yuan):
    True when every route step's condition is known not to hold (nothing is granted)."""
    if kind not in plan.conditions:
        return [False] * len(incomes)
    conditions = plan.conditions[kind]
    if not conditions:
        return [True] * len(incomes)
    frame = QuietFrame(parameters, plan.state, ordinals)
    values = [Decimal(income).scaleb(-SCALE_DIGITS) for income in incomes]
    nothing = [True] * len(incomes)
    for condition in conditions:
        try:
            holds = list(condition(frame, values))
        except Exception:  # policy code failed: the engine runs the households and names it
            return [False] * len(incomes)
        if len(holds) != len(incomes):
            return [False] * len(incomes)
        for row, held in enumerate(holds):
            if held is not False:
                nothing[row] = False
    return nothing
