"""Replay: a household's state and decisions rebuilt from its stored facts under a policy.

The engine is pure, so the stored facts under the same policy give the same result as when
they were first run; under another policy they give the what-if.
"""

from __future__ import annotations

import datetime as dt

from ..engine import Engine
from ..policy import Policy
from ..result import HouseholdResult
from .base import Store

__all__ = ["replay"]


def replay(
    store: Store,
    household_id: str,
    policy: Policy,
    *,
    as_of: dt.date | None = None,
    known_on: dt.datetime | None = None,
) -> HouseholdResult:
    """Run ``policy`` over the household's stored record and facts (those up to ``as_of``).

    With ``known_on`` (a timezone-aware datetime), only the facts, corrections and retractions
    recorded by then count, in their versions of then (see :meth:`Engine.run`).

    Facts are read through ``policy.fact_kinds``, so a policy with its own fact kinds reads
    them back. Raises :class:`~relapse_guard.errors.UnknownHousehold` when the store has no
    record of the household, and what :meth:`Engine.run` raises.

    >>> from relapse_guard import load_policy
    >>> from relapse_guard.store import MemoryStore
    >>> from relapse_guard.demo import demo_households
    >>> _, household, facts = next(demo_households())
    >>> store = MemoryStore()
    >>> store.put_household(household)
    >>> store.append(household.id, facts)
    7
    >>> replay(store, household.id, load_policy("yubei_2016"), as_of=dt.date(2019, 6, 30)).state.value
    'stable'
    """
    engine = Engine(policy)  # a policy name, not a Policy: a WrongType saying to load it
    household = store.household(household_id)
    facts = store.facts(household_id, kinds=policy.fact_kinds)
    return engine.run(household, facts, as_of=as_of, known_on=known_on)
