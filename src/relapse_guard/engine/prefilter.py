"""The engine's prefilter: income assessments that cannot change anything are only recorded.

Most facts a screen sees are monthly income assessments of households nothing happens to.
For such a fact the engine would evaluate the lifecycle rule of the household's state
(identification, or relapse) and every trigger of income assessments, and each would say
no. Rules and triggers that declare ``quiet_from(ctx)`` tell the engine the per-capita
income at and above which they say no whatever the income; the highest of these is the
household's *income band*. An assessment at or above the band is recorded (the household's
income changes) and nothing else is evaluated, which gives the same result.

The band holds while nothing else about the household changes: the engine computes it
again after any other fact, any move, any routed risk and any entitlement's end, on
1 January (a band may depend on the year) and on the first date a parameter it read takes a
new value.

A household that is new and has nothing else known (no risk, grant, entitlement, unmet need or
house appraisal) has the same band on a date as every other such household when every part
its assessments are evaluated by declares a vectorised form (``vectorised_quiet_from``): the
form works out the band from the date's parameters alone, and the columnar screen and the
testing kit's checks hold the scalar ``quiet_from`` to it. The engine then works such a band
out once a date, for all its runs (:func:`shares_new_band`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from ..context import Context
from ..errors import ParameterNotInForce, PluginFailed, RelapseGuardError
from ..lifecycle import State
from ..parameters import ParameterTree
from ..policy import Policy
from ..triggers.base import Trigger
from .run_state import OBSERVING_STATES, WATCHED_STATES

__all__ = ["ChangeCache", "IncomeBand", "QuietFrom", "income_band", "income_watchers", "shares_new_band"]

QuietFrom = Callable[[Context], Decimal | None]

#: (band, first day it no longer holds, as an ordinal); a band of None means "evaluate everything".
IncomeBand = tuple[Decimal | None, int]


def income_watchers(policy: Policy, triggers: Sequence[Trigger]) -> dict[State, tuple[QuietFrom, ...] | None]:
    """For each state, the ``quiet_from`` of everything an income assessment is evaluated by.

    None for a state where something declares no ``quiet_from``: no band there.
    """
    watchers: dict[State, tuple[QuietFrom, ...] | None] = {}
    trigger_bands = [getattr(trigger, "quiet_from", None) for trigger in triggers]
    for state in State:
        if state in OBSERVING_STATES:
            rule_bands = [rule.quiet_from for rule in policy.identification]
        elif state in WATCHED_STATES:
            rule_bands = [policy.relapse_rule.quiet_from]
        else:
            rule_bands = []
        found = [*rule_bands, *trigger_bands]
        watchers[state] = None if any(band is None for band in found) else tuple(b for b in found if b is not None)
    return watchers


def shares_new_band(policy: Policy, triggers: Sequence[Trigger]) -> bool:
    """True when the income band of a new household with nothing else known depends on the date
    alone: every identification rule and every trigger of income assessments declares a
    vectorised form of its ``quiet_from`` (which answers for such a household from the date's
    parameters, see docs/columnar.md)."""
    rules_declare = all(rule.vectorised_quiet_from is not None for rule in policy.identification)
    return rules_declare and all(getattr(trigger, "vectorised_quiet_from", None) is not None for trigger in triggers)


#: (parameter name, date) -> the ordinal of the first day after the date its value changes,
#: or of 1 January after the date when it never changes again.
ChangeCache = dict[tuple[str, dt.date], int]


def income_band(
    watchers: tuple[QuietFrom, ...] | None,
    ctx: Context,
    parameters: ParameterTree,
    changes: ChangeCache,
) -> IncomeBand:
    """The household's income band in ``ctx`` and the ordinal of the first day it may change.

    ``changes`` keeps the parameters' next dates across calls (the engine shares one across
    its runs: parameters are immutable).
    """
    date = ctx.date
    until = year_end = dt.date(date.year + 1, 1, 1).toordinal()
    if watchers is None:
        return None, until
    band = Decimal(0)
    ctx.reset_used()
    for quiet_from in watchers:
        try:
            found = quiet_from(ctx)
        except ParameterNotInForce:
            return None, until  # a parameter not in force yet: the rule decides for itself
        except RelapseGuardError:
            raise
        except Exception as error:  # policy code failed: name it, for this household
            what = getattr(quiet_from, "__qualname__", repr(quiet_from))
            raise PluginFailed(ctx.household.id, f"quiet_from {what}", None, error) from error
        if found is None:
            return None, until
        if found > band:
            band = found
    for used in ctx.used_parameters():
        key = (used.name, date)
        ends = changes.get(key)
        if ends is None:
            next_date = parameters.get(used.name).next_change(date)
            ends = changes[key] = year_end if next_date is None else min(year_end, next_date.toordinal())
        until = min(until, ends)
    return band, until
