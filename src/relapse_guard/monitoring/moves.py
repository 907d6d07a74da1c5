"""The moves a cycle announces: a household's ``household_moved`` facts applied since its last checkpoint.

A checkpoint holds the household changes its run applied, moves among them, in the order
applied (:attr:`~relapse_guard.engine.Checkpoint.household_facts`). A move the new checkpoint
holds and the old one did not is new this cycle; for a household screened for the first time,
a move dated in the cycle's month (as for its grants, the rest of its history is behind it).
Each move goes from the place in force before it: the household record's, or the last move's.

A move to the place the household is at already (a record updated to the new place after the
move) moves nothing and is not announced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs

from ..engine import Checkpoint
from ..facts import HouseholdMoved
from ..household import Place

__all__ = ["Move", "moves_since"]


@attrs.frozen
class Move:
    """A household moving on ``date`` (by the fact ``fact``) from ``before`` to ``after``, each
    place with its district as the cycle counts it (a policy map's spelling)."""

    fact: str
    date: dt.date
    before: Place
    after: Place

    @property
    def between_districts(self) -> bool:
        """True when the move leaves its district for another."""
        return self.before.district != self.after.district


def _same(name: str, other: str) -> bool:
    return name.strip().casefold() == other.strip().casefold()


def moves_since(
    old: Checkpoint | None,
    new: Checkpoint,
    record: Place,
    as_of: dt.date,
    spell: Callable[[str], str] = str,
) -> list[Move]:
    """The moves ``new`` applied that ``old`` did not (None: a household first screened as of
    ``as_of``, whose moves dated in that month are new), in the order applied, from ``record``
    (the household record's place, its district spelled as the cycle counts it). ``spell`` gives a
    district as the cycle counts it (:meth:`~relapse_guard.policies.policy_map.PolicyMap.district_name`)."""
    known = frozenset(old.household_facts) if old is not None else frozenset()
    first_day = as_of.replace(day=1)
    place = record
    found: list[Move] = []
    for fact in new.household_facts:
        if not isinstance(fact, HouseholdMoved):
            continue
        after = Place(spell(fact.district), fact.town, fact.village)
        before, place = place, after
        same = (
            before.district == after.district
            and _same(before.town, after.town)
            and _same(before.village, after.village)
        )
        is_new = fact not in known if old is not None else fact.date >= first_day
        if is_new and not same:
            found.append(Move(fact.id, fact.date, before, after))
    return found
