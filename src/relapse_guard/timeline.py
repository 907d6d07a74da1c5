"""When things happen: the order facts are applied in, and the transition period after an exit."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta

from .errors import ConflictingFact, InvalidFact, InvalidPolicy
from .facts import Fact

__all__ = ["order_facts", "transition_period"]

#: The order :meth:`Fact.sort_key` gives (date, kind order, id), as one C-level key function.
_APPLY_ORDER = operator.attrgetter("date", "order", "id")


def order_facts(household_id: str, facts: Iterable[Fact]) -> list[Fact]:
    """The facts of one household in the order the engine applies them.

    Drops exact duplicates; raises :class:`ConflictingFact` for two different facts with one
    id and :class:`InvalidFact` for a fact of another household.
    """
    if not isinstance(facts, list | tuple):
        facts = list(facts)
    ids = {fact.id for fact in facts}
    if len(ids) == len(facts) and {fact.household_id for fact in facts} <= {household_id}:
        # The common case (a reader's facts: one household, unique ids), checked in bulk.
        return sorted(facts, key=_APPLY_ORDER)
    by_id: dict[str, Fact] = {}
    for fact in facts:
        if fact.household_id != household_id:
            raise InvalidFact(
                household_id, "household_id", fact.household_id, f"facts of household {household_id!r}", fact_id=fact.id
            )
        seen = by_id.get(fact.id)
        if seen is None:
            by_id[fact.id] = fact
        elif seen != fact:
            raise ConflictingFact(
                household_id, "id", fact.id, "one fact per id (another fact with this id differs)", fact_id=fact.id
            )
    return sorted(by_id.values(), key=_APPLY_ORDER)


def transition_period(
    exit_date: dt.date, *, starts: str, years: int, leap_day: str = "feb28"
) -> tuple[dt.date, dt.date]:
    """The transition period after an exit: ``(first day monitored, first day stable)``.

    ``starts`` is ``"exit_date"`` or ``"next_year"`` (1 January after the exit, as in the
    seed: households that exited in 2015 are monitored through 2016-2018 and stable from
    1 January 2019). The period lasts ``years`` calendar years. A period starting on
    29 February ends, in a common year, on 28 February (``leap_day="feb28"``, the
    ``relativedelta`` rule) or on 1 March (``leap_day="mar1"``).
    """
    if starts == "exit_date":
        start = exit_date
    elif starts == "next_year":
        start = dt.date(exit_date.year + 1, 1, 1)
    else:
        raise InvalidPolicy(f"transition.starts must be 'exit_date' or 'next_year', not {starts!r}")
    if leap_day not in ("feb28", "mar1"):
        raise InvalidPolicy(f"transition.leap_day must be 'feb28' or 'mar1', not {leap_day!r}")
    end = start + relativedelta(years=years)
    if leap_day == "mar1" and (start.month, start.day) == (2, 29) and (end.month, end.day) == (2, 28):
        end = dt.date(end.year, 3, 1)
    return start, end
