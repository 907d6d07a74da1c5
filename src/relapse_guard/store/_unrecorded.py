"""Facts of a household with no record: what the store refuses, and what it takes all the same.

A fact is stored only for a household whose record is in the store: one of a mistyped household id
would be a household that no cycle can screen, and that the append-only store could never drop.
A retraction of a fact stored for such a household (by a version that took facts of any household)
is taken, so that such a fact can be withdrawn. A refusal names a stored household whose id is
one edit away (:func:`close_household`).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Mapping, Sequence

from ..errors import FactOfUnknownHousehold
from ..facts import Fact, FactRetracted

__all__ = ["close_household", "refused_unrecorded"]

#: Longer household ids are not looked for a close one (each character adds dozens of look-ups).
_LONGEST = 64

#: Looks up which of some household ids have a record (a batch: one query).
Recorded = Callable[[Collection[str]], Collection[str]]


def close_household(household_id: str, recorded: Recorded) -> str | None:
    """The id of a household with a record that is one edit away from ``household_id`` (a character
    missing, extra or changed, or two swapped; a changed one a digit, a letter of the id, or its other
    case), the closest by :func:`difflib.get_close_matches` when there are several; None when none is.

    >>> close_household("H11", lambda ids: {"H1", "H2"} & set(ids))
    'H1'
    >>> close_household("YB0000132", lambda ids: {"YB0000123"} & set(ids))
    'YB0000123'
    """
    if len(household_id) > _LONGEST:
        return None
    found = recorded(sorted(_one_edit(household_id)))
    if not found:
        return None
    import difflib  # only when a household id is unknown: importing the library stays cheap

    return difflib.get_close_matches(household_id, sorted(found), n=1, cutoff=0)[0]


def _one_edit(word: str) -> set[str]:
    """The words one edit away from ``word`` over the characters it may have been typed for."""
    alphabet = set(word) | {c.upper() for c in word} | {c.lower() for c in word} | set(string.digits)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {head + tail[1:] for head, tail in splits if tail}
    swapped = {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    changed = {head + c + tail[1:] for head, tail in splits if tail for c in alphabet}
    added = {head + c + tail for head, tail in splits for c in alphabet}
    return (deleted | swapped | changed | added) - {word, ""}


def refused_unrecorded(
    household_id: str,
    facts: Sequence[Fact],
    stored: Mapping[str, tuple[str, str]],
    recorded: Recorded,
) -> list[tuple[int, FactOfUnknownHousehold]]:
    """The facts among ``facts`` (by index) of ``household_id``, which has no record, that the store
    refuses: all but the retractions of a fact ``stored`` for it (``stored``: the stored facts among
    those retracted, ``(household id, body)`` by id). ``recorded`` finds a close household id."""
    refused = [
        index
        for index, fact in enumerate(facts)
        if not (isinstance(fact, FactRetracted) and stored.get(fact.retracts, ("",))[0] == household_id)
    ]
    if not refused:
        return []
    suggestion = close_household(household_id, recorded)
    return [
        (index, FactOfUnknownHousehold(household_id, fact_id=facts[index].id, suggestion=suggestion))
        for index in refused
    ]
