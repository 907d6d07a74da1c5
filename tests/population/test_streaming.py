"""Reading streams: nothing is read before it is asked for, and memory does not grow with the files."""

from __future__ import annotations

import itertools
import pickle
import tracemalloc
from pathlib import Path

import pytest

from relapse_guard.population import (
    Partition,
    PopulationError,
    chunks,
    generate_population,
    read_partition,
    read_population,
)

from .helpers import traced_peaks


def test_reading_is_lazy(tmp_path: Path) -> None:
    population = generate_population(tmp_path, households=300, seed=2, processes=1)
    partition = population.partitions[0]
    records = partition.records()
    with partition.facts_path.open("a", encoding="utf-8") as facts:
        facts.write("this line is not JSON\n")  # appended after the reader was made: it still sees it
    first = list(itertools.islice(records, 2))
    # nothing bad so far: every record has its household
    assert [r.household.id for r in first if r.household] == [r.household and r.household.id for r in first]
    rest = list(records)
    assert len(first) + len([r for r in rest if r.household]) == 300
    assert [row.field for r in rest for row in r.bad_rows] == ["json"]


def test_memory_does_not_grow_with_the_population(tmp_path: Path) -> None:
    population = generate_population(tmp_path, households=1500, seed=2, processes=1)
    partition = population.partitions[0]
    for _ in itertools.islice(partition.records(), 50):  # warm the caches (dates, places)
        pass
    first_hundred, streaming, count = traced_peaks(partition.records, 100)
    tracemalloc.start()
    try:
        kept = list(partition.records())
        _, keeping = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == len(kept) == 1500
    # Reading 15 times more households holds little more: an id per household read (to report
    # a household seen twice), none of their members or facts.
    assert (streaming - first_hundred) / 1400 < 250
    assert keeping > 5 * streaming


def test_partitions_are_small_and_picklable(tmp_path: Path) -> None:
    population = generate_population(tmp_path, households=300, seed=2, partitions=3, processes=1)
    for partition in population.partitions:
        copy = pickle.loads(pickle.dumps(partition))
        assert copy == partition
        assert len(pickle.dumps(partition)) < 400
        assert list(copy.records()) == list(partition.records())
    assert isinstance(population.partitions[1], Partition)
    assert population.partitions[1].index == 1


def test_chunks() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []
    lazy = chunks(itertools.count(), 2)
    assert next(lazy) == [0, 1]
    with pytest.raises(ValueError, match="at least 1"):
        next(chunks(range(3), 0))


def test_read_population_errors(tmp_path: Path) -> None:
    with pytest.raises(PopulationError, match="no such directory"):
        read_population(tmp_path / "nowhere")
    files = tmp_path / "files"
    files.mkdir()
    for name in ("households.jsonl", "district.py"):
        (files / name).write_text("", encoding="utf-8")
    with pytest.raises(PopulationError, match=r"households\.jsonl is a file, not a population directory$"):
        read_population(files / "households.jsonl")
    with pytest.raises(PopulationError, match=r"district\.py is a file, not a population directory; a policy file"):
        read_population(files / "district.py")
    with pytest.raises(PopulationError, match=r"no manifest\.json"):
        read_population(tmp_path)
    generate_population(tmp_path / "p", households=100, processes=1)
    manifest = tmp_path / "p" / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"format_version": 1', '"format_version": 9'), encoding="utf-8")
    with pytest.raises(PopulationError, match="format version 9"):
        read_population(tmp_path / "p")
    manifest.write_text(text.replace('"file_format": "jsonl"', '"file_format": "xml"'), encoding="utf-8")
    with pytest.raises(PopulationError, match="file format 'xml'"):
        read_population(tmp_path / "p")
    manifest.write_text(text.replace('"households": 100,\n      "facts"', '"households": "many",\n      "facts"'))
    with pytest.raises(PopulationError, match=r"partitions\[0\]"):
        read_population(tmp_path / "p")
    manifest.write_text("{", encoding="utf-8")
    with pytest.raises(PopulationError, match="cannot read the manifest"):
        read_population(tmp_path / "p")
    manifest.write_text(text, encoding="utf-8")
    (tmp_path / "p" / "facts-00000.jsonl").unlink()
    with pytest.raises(PopulationError, match=r"facts-00000\.jsonl, which is missing"):
        read_population(tmp_path / "p")
    with pytest.raises(ValueError, match="lookahead"):
        read_partition(tmp_path / "p" / "households-00000.jsonl", manifest, lookahead=-1, format="jsonl")
