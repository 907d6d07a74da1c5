"""A fact id names one fact in a whole population: two households may not share one.

The store refuses a fact whose id another household's fact has; a screen does the same.
Within a partition, :class:`FactIds` maps each fact id to the first household that used it,
so a later household with the same id is a problem household (``duplicate_fact_id``),
named with the id and both households, and is not screened.

Partitions are screened apart (in other processes, on other machines), so each returns its
ids as a sorted array of 64-bit digests (8 bytes an id) and :func:`shared_fact_ids` compares
them once every partition is merged, a range of digests at a time (each digest is looked up
once, whatever the number of partitions, and one range's set is held at a time). An id found
in two partitions is only found then, after the later household was screened and counted: it
is listed as a problem all the same (with ``counted`` set), and the partitions concerned are
read again to name the ids and households (only when there is such an id).
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from ..errors import ConflictingFact
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..population import Population

__all__ = ["FactIds", "SharedFactId", "digest", "shared_digests", "shared_fact_ids"]


class SharedFactId(ConflictingFact):
    """A household uses a fact id that another household's fact has (``other_household``)."""

    def __init__(self, household_id: str, fact_id: str, other_household: str) -> None:
        self.other_household = other_household
        expected = f"a fact id no other household uses (household {other_household!r} has a fact {fact_id!r})"
        super().__init__(household_id, "id", fact_id, expected, fact_id=fact_id)


def digest(fact_id: str) -> int:
    """A 64-bit digest of a fact id, the same in every process (whatever ``PYTHONHASHSEED``):
    its CRC-32 and its Adler-32. Cheap rather than strong: two ids with one digest only
    make :func:`shared_fact_ids` read their partitions again, and it compares the ids."""
    data = fact_id.encode("utf-8")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


class FactIds:
    """The fact ids of one partition's households, each with the first household that used it."""

    __slots__ = ("_owners",)

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}

    def claim(self, household_id: str, facts: Iterable[Fact]) -> None:
        """Record ``facts`` as ``household_id``'s; raise :class:`SharedFactId` for the first
        id an earlier household used (the household's other ids are recorded all the same)."""
        owners = self._owners
        shared: tuple[str, str] | None = None
        for fact in facts:
            owner = owners.setdefault(fact.id, household_id)
            if owner != household_id and shared is None:
                shared = (fact.id, owner)
        if shared is not None:
            raise SharedFactId(household_id, *shared)

    def __len__(self) -> int:
        return len(self._owners)

    def digests(self) -> array[int]:
        """The ids' digests, sorted: what a partition hands back for :func:`shared_digests`."""
        return array("Q", sorted(map(digest, self._owners)))


#: :func:`shared_digests` compares the digests in 256 ranges, by their top 8 bits.
_RANGE_BITS = 56


def shared_digests(partitions: Sequence[array[int]]) -> set[int]:
    """The digests found in two or more of ``partitions`` (each one partition's sorted digests).

    A range of digests at a time (1/256 of them), each partition's slice of it is looked up
    in a set of the earlier partitions' slices, then added to it: each digest is looked up
    and added once, and memory is the arrays (8 bytes an id) and one range's set.
    """
    shared: set[int] = set()
    if len(partitions) < 2:
        return shared
    starts = [0] * len(partitions)
    for top in range(1, (1 << (64 - _RANGE_BITS)) + 1):
        bound = top << _RANGE_BITS
        seen: set[int] = set()
        for index, digests in enumerate(partitions):
            end = bisect_left(digests, bound, starts[index])
            if end > starts[index]:
                piece = digests[starts[index] : end]
                if seen:
                    shared.update(seen.intersection(piece))
                seen.update(piece)
                starts[index] = end
    return shared


def shared_fact_ids(
    population: Population,
    partitions: Sequence[array[int]],
    kinds: FactKinds = DEFAULT_FACT_KINDS,
) -> list[tuple[str, str, str]]:
    """The fact ids used by households of two partitions, as ``(fact id, first household,
    later household)``, one for each later household, in partition order.

    ``partitions`` are the partitions' digests in ``population``'s order; ``kinds`` the fact
    kinds the screen read. Reads again only the partitions that hold a shared digest.
    """
    shared = shared_digests(partitions)
    if not shared:
        return []
    first_owner: dict[str, str] = {}
    found: list[tuple[str, str, str]] = []
    for partition, digests in zip(population.partitions, partitions, strict=True):
        if shared.isdisjoint(digests):
            continue
        records = partition.records(kinds=kinds)
        seen_here: dict[str, str] = {}
        for household, facts, _bad in records:
            if household is None:
                continue
            for fact in facts:
                if fact.id in seen_here or digest(fact.id) not in shared:
                    continue
                seen_here[fact.id] = household.id
        for fact_id, household_id in seen_here.items():
            owner = first_owner.setdefault(fact_id, household_id)
            if owner != household_id:
                found.append((fact_id, owner, household_id))
    return found
