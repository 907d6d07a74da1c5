"""A county whose data spells one district two ways: what a policy map's other names are for."""

from __future__ import annotations

from pathlib import Path

import attrs

from relapse_guard.population import generate_population, read_population, write_population


def respelled(directory: Path, *, households: int, months: int = 12, seed: int = 3, partitions: int = 1) -> Path:
    """A generated county at ``directory`` whose every other Dazu household's data writes its
    district ``大足区`` (another name the built-in map gives Dazu) and every third Yubei
    household's ``yubei`` (the same name in another case); the rest as generated."""
    generated = directory.parent / f"{directory.name}-generated"
    generate_population(generated, households=households, months=months, seed=seed, processes=1)
    seen = {"Dazu": 0, "Yubei": 0}
    records = []
    for household, facts, _bad in read_population(generated).iter_records():
        assert household is not None
        district = household.place.district
        if district in seen:
            seen[district] += 1
            if district == "Dazu" and seen[district] % 2 == 0:
                household = attrs.evolve(household, place=attrs.evolve(household.place, district="大足区"))
            elif district == "Yubei" and seen[district] % 3 == 0:
                household = attrs.evolve(household, place=attrs.evolve(household.place, district="yubei"))
        records.append((household, facts))
    per_partition = -(-len(records) // partitions)
    write_population(directory, records, households_per_partition=per_partition)
    return directory


def spelt(directory: Path) -> dict[str, str]:
    """Each household's district as the data of the county at ``directory`` writes it, by id."""
    return {
        household.id: household.place.district
        for household, _facts, _bad in read_population(directory).iter_records()
        if household is not None
    }
