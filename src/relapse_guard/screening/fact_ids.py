"""A fact id names one fact in a whole population: two households may not share one.

The store refuses a fact whose id another household's fact has; a screen does the same.
Within a partition, :class:`FactIds` maps each fact id to the first household that used it,
so a later household with the same id is a problem household (``duplicate_fact_id``),
named with the id and both households, and is not screened.

Partitions are screened apart (in other processes, on other machines), so each returns its
ids as 64-bit digests (8 bytes an id) in 256 buckets, and :func:`shared_fact_ids` compares
them once every partition is merged, a bucket at a time (each digest is looked up once,
whatever the number of partitions, and one bucket's set is held at a time). An id found
in two partitions is only found then, after the later household was screened and counted: it
is listed as a problem all the same (with ``counted`` set), and the partitions concerned are
read again to name the ids and households (only when there is such an id).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Sequence
from typing import TypeAlias

from ..errors import ConflictingFact
from ..facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from ..population import Population

__all__ = [
    "BUCKETS",
    "Digests",
    "FactIds",
    "RepeatedHousehold",
    "SharedFactId",
    "digest",
    "shared_digests",
    "shared_fact_ids",
]

#: How many buckets a partition's digests are kept in (by the low byte of the CRC-32).
BUCKETS = 256

#: One partition's fact id digests, in :data:`BUCKETS` buckets.
Digests: TypeAlias = "list[array[int]]"


class SharedFactId(ConflictingFact):
    """A household uses a fact id that another household's fact has (``other_household``)."""

    def __init__(self, household_id: str, fact_id: str, other_household: str) -> None:
        self.other_household = other_household
        expected = f"a fact id no other household uses (household {other_household!r} has a fact {fact_id!r})"
        super().__init__(household_id, "id", fact_id, expected, fact_id=fact_id)


class RepeatedHousehold(ConflictingFact):
    """A household of a partition is in an earlier partition too (a file copied twice, a
    manifest naming one partition twice): found by a fact id both copies use."""

    def __init__(self, household_id: str, fact_id: str) -> None:
        expected = (
            "a household in one partition only: an earlier partition has it too, with its fact "
            f"{fact_id!r}, so its figures are counted twice"
        )
        super().__init__(household_id, "household_id", household_id, expected, fact_id=fact_id)


def digest(fact_id: str) -> int:
    """A 64-bit digest of a fact id, the same in every process (whatever ``PYTHONHASHSEED``):
    its CRC-32 and its Adler-32. Cheap rather than strong: two ids with one digest only
    make :func:`shared_fact_ids` read their partitions again, and it compares the ids."""
    data = fact_id.encode("utf-8")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def _bucket(value: int) -> int:
    return (value >> 32) & (BUCKETS - 1)


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

    def digests(self) -> Digests:
        """The ids' digests, in :data:`BUCKETS` buckets: what a partition hands back for
        :func:`shared_digests`."""
        buckets = [array("Q") for _ in range(BUCKETS)]
        appends = [bucket.append for bucket in buckets]
        crc32, adler32, mask = zlib.crc32, zlib.adler32, BUCKETS - 1
        for fact_id in self._owners:  # digest(), inlined: this runs for every fact
            data = fact_id.encode("utf-8")
            crc = crc32(data)
            appends[crc & mask](crc << 32 | adler32(data))
        return buckets


def shared_digests(partitions: Sequence[Digests]) -> set[int]:
    """The digests found in two or more of ``partitions`` (each one partition's :meth:`FactIds.digests`).

    A bucket at a time, each partition's digests are looked up in a set of the earlier
    partitions', then added to it: each digest is looked up and added once, and memory is the
    arrays (8 bytes an id) and one bucket's set.
    """
    shared: set[int] = set()
    if len(partitions) < 2:
        return shared
    for bucket in range(BUCKETS):
        seen: set[int] = set(partitions[0][bucket])
        for later in partitions[1:]:
            piece = later[bucket]
            if piece:
                shared.update(seen.intersection(piece))
                seen.update(piece)
    return shared


def shared_fact_ids(
    population: Population,
    partitions: Sequence[Digests],
    kinds: FactKinds = DEFAULT_FACT_KINDS,
) -> list[tuple[str, str, str]]:
    """The fact ids used by households of two partitions, as ``(fact id, first household,
    later household)``, in partition order; a household in two partitions (the first and the
    later household the same) once.

    ``partitions`` are the partitions' digests in ``population``'s order; ``kinds`` the fact
    kinds the screen read. Reads again only the partitions that hold a shared digest.
    """
    shared = shared_digests(partitions)
    if not shared:
        return []
    first_owner: dict[str, tuple[str, int]] = {}
    found: list[tuple[str, str, str]] = []
    repeated: set[str] = set()  # households of an earlier partition found again (reported once each)
    for index, (partition, digests) in enumerate(zip(population.partitions, partitions, strict=True)):
        if all(shared.isdisjoint(digests[bucket]) for bucket in {_bucket(value) for value in shared}):
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
            owner, where = first_owner.setdefault(fact_id, (household_id, index))
            if owner != household_id:
                found.append((fact_id, owner, household_id))
            elif where != index and household_id not in repeated:  # one household in two partitions
                repeated.add(household_id)
                found.append((fact_id, owner, household_id))
    return found
