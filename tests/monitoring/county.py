"""A small generated county, its facts split by month as the departments would send them,
with a few late reports (facts delivered a month or more after their date)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from relapse_guard.engine.resume import sort_key
from relapse_guard.facts import Fact
from relapse_guard.household import Household
from relapse_guard.population import synthetic_households
from relapse_guard.store import Store

FIRST_MONTH = dt.date(2016, 1, 1)
MONTHS = 12


def month_end(index: int) -> dt.date:
    """The last day of month ``index`` counted from January 2016 (0-based)."""
    year, month = divmod(index + 1, 12)
    return dt.date(2016 + year, month + 1, 1) - dt.timedelta(days=1)


def county(households: int = 120, *, seed: int = 11) -> list[tuple[Household, list[Fact]]]:
    """Households of the synthetic population of ``seed``, with their facts."""
    return list(synthetic_households(households, seed=seed, start=FIRST_MONTH, months=MONTHS))


def monthly_batches(
    people: list[tuple[Household, list[Fact]]], *, late_share: float = 0.03, seed: int = 5
) -> list[list[Fact]]:
    """The facts of each month's delivery: a fact is delivered in its month, or (``late_share``
    of them) one to three months late."""
    rng = random.Random(seed)
    batches: list[list[Fact]] = [[] for _ in range(MONTHS)]
    for _, facts in people:
        for fact in facts:
            month = (fact.date.year - 2016) * 12 + fact.date.month - 1
            if rng.random() < late_share:
                month += rng.randint(1, 3)
            batches[min(month, MONTHS - 1)].append(fact)
    for batch in batches:
        batch.sort(key=sort_key)
    return batches


def records(facts: list[Fact]) -> Iterator[dict[str, Any]]:
    """The facts as the plain records a department's file gives."""
    return (fact.to_dict() for fact in facts)


def stored(store: Store, people: list[tuple[Household, list[Fact]]]) -> None:
    """The household records put in ``store`` (no facts yet)."""
    store.put_households(household for household, _ in people)
