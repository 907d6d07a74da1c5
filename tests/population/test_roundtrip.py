"""Writing then reading gives back every household and fact, in every format."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import AssistanceGranted, Fact, Household, IllnessReported, IncomeAssessed, Member, Place
from relapse_guard.facts import BasicNeed, BasicNeedsChecked, ReviewCompleted, Source
from relapse_guard.household import Health, LabourCapacity, Schooling
from relapse_guard.population import (
    MANIFEST_NAME,
    Population,
    PopulationError,
    generate_population,
    read_partition,
    read_population,
    write_partition,
    write_population,
)

from .helpers import SEED, SMALL, as_pairs, bad_rows


def test_generated_population_reads_back_exactly(
    tmp_path: Path, file_format: str, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    population = generate_population(
        tmp_path, households=SMALL, seed=SEED, partitions=3, format=file_format, processes=1
    )
    assert len(population.partitions) == 3
    assert population.households == SMALL
    assert population.facts == sum(len(facts) for _, facts in small_population)
    records = list(population.iter_records())
    assert bad_rows(records) == []
    assert as_pairs(records) == small_population
    for partition in population.partitions:
        assert sum(1 for _ in partition.records()) == partition.households


def test_csv_and_jsonl_give_the_same_records(tmp_path: Path) -> None:
    jsonl = generate_population(tmp_path / "j", households=SMALL, seed=3, format="jsonl", processes=1)
    csv = generate_population(tmp_path / "c", households=SMALL, seed=3, format="csv", processes=1)
    assert list(jsonl.iter_records()) == list(csv.iter_records())


def _unusual() -> list[tuple[Household, list[Fact]]]:
    """Values that test the formats: quotes, separators, unicode, fen, absent optional fields."""
    hid = '户-1,"quoted";x'
    member = '500112198001011234, "a"'
    household = Household(
        id=hid,
        place=Place("渝北区", "Town, with comma", ""),
        members=(
            Member(id=member, birth_date=dt.date(1980, 1, 1), labour_capacity=LabourCapacity.PARTIAL),
            Member(id="m\n2", birth_date=dt.date(2012, 2, 29), health=Health.DISABLED, schooling=Schooling.PRIMARY),
        ),
    )
    on = dt.date(2016, 3, 1)
    facts: list[Fact] = [
        IncomeAssessed(id="i;1", household_id=hid, date=on, income_per_capita=Decimal("3500.50")),
        IllnessReported(
            id="ill", household_id=hid, date=on, source=Source.DEPARTMENT, member_id=member, self_paid_cost=Decimal(0)
        ),
        IllnessReported(
            id="ill2", household_id=hid, date=on, member_id=member, self_paid_cost=Decimal(1), hospitalised=True
        ),
        AssistanceGranted(id="aid", household_id=hid, date=on, measure='project "A"; phase 1'),
        AssistanceGranted(id="aid2", household_id=hid, date=on, measure="cash", amount=Decimal("12.05")),
        BasicNeedsChecked(id="bn", household_id=hid, date=on),
        BasicNeedsChecked(
            id="bn2", household_id=hid, date=on, unmet=frozenset({BasicNeed.SAFE_WATER, BasicNeed.MEDICAL_COVER})
        ),
        ReviewCompleted(id="rev", household_id=hid, date=on, review="income_account"),
    ]
    other = Household(id="h2", place=Place("Dazu"), members=(Member(id="x", birth_date=dt.date(1950, 5, 5)),))
    return [(household, facts), (other, [])]


def test_unusual_values_survive_every_format(tmp_path: Path, file_format: str) -> None:
    items = _unusual()
    population = write_population(tmp_path, items, format=file_format, households_per_partition=1)
    assert len(population.partitions) == 2
    assert (population.households, population.facts) == (2, len(items[0][1]))
    records = list(population.iter_records())
    assert bad_rows(records) == []
    assert as_pairs(records) == items


def test_a_pair_of_files_of_ones_own(tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]) -> None:
    households, facts = tmp_path / "my-households.csv", tmp_path / "my-facts.csv"
    assert write_partition(households, facts, small_population[:20]) == (
        20,
        sum(len(f) for _, f in small_population[:20]),
    )
    assert as_pairs(read_partition(households, facts)) == small_population[:20]
    population = Population.from_files(households, facts)
    assert population.households is None
    assert population.format == "csv"
    assert as_pairs(population.iter_records()) == small_population[:20]


def test_mixed_formats_and_explicit_format(
    tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    write_partition(tmp_path / "h.csv", tmp_path / "f.csv", small_population[:5])
    write_partition(tmp_path / "h.jsonl", tmp_path / "f.jsonl", small_population[:5])
    assert as_pairs(read_partition(tmp_path / "h.csv", tmp_path / "f.jsonl")) == small_population[:5]
    (tmp_path / "f.txt").write_bytes((tmp_path / "f.jsonl").read_bytes())
    (tmp_path / "h.txt").write_bytes((tmp_path / "h.jsonl").read_bytes())
    with pytest.raises(PopulationError, match="suffix"):
        read_partition(tmp_path / "h.txt", tmp_path / "f.txt")
    assert as_pairs(read_partition(tmp_path / "h.txt", tmp_path / "f.txt", format="jsonl")) == small_population[:5]


def test_a_directory_without_manifest_is_found_by_file_names(
    tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    write_population(tmp_path, small_population, households_per_partition=100)
    (tmp_path / MANIFEST_NAME).unlink()
    population = read_population(tmp_path)
    assert [p.households_path.name for p in population.partitions] == [
        "households-00000.jsonl",
        "households-00001.jsonl",
        "households-00002.jsonl",
    ]
    assert as_pairs(population.iter_records()) == small_population


@pytest.mark.parametrize("alone", ["households-00001.jsonl", "facts-00002.jsonl"])
def test_a_directory_without_manifest_refuses_a_file_without_its_pair(
    tmp_path: Path, small_population: list[tuple[Household, list[Fact]]], alone: str
) -> None:
    # The file was skipped without a word: a district's households, or its facts, not screened.
    write_population(tmp_path, small_population, households_per_partition=100)
    (tmp_path / MANIFEST_NAME).unlink()
    partner = ("facts-" if alone.startswith("households-") else "households-") + alone.split("-", 1)[1]
    (tmp_path / partner).unlink()
    with pytest.raises(PopulationError, match=f"{alone}: no {partner} beside it"):
        read_population(tmp_path)


def test_jsonl_lines_are_the_to_dict_forms(
    tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    write_partition(tmp_path / "h.jsonl", tmp_path / "f.jsonl", small_population[:10])
    households = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text(encoding="utf-8").splitlines()]
    facts = [json.loads(line) for line in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert households == [h.to_dict() for h, _ in small_population[:10]]
    assert facts == [f.to_dict() for _, fs in small_population[:10] for f in fs]


def test_empty_population(tmp_path: Path, file_format: str) -> None:
    population = write_population(tmp_path, [], format=file_format)
    assert (population.households, population.facts, len(population.partitions)) == (0, 0, 1)
    assert list(population.iter_records()) == []


def test_chunks_of_records(tmp_path: Path) -> None:
    population = generate_population(tmp_path, households=250, seed=1, processes=1)
    sizes = [len(chunk) for chunk in population.iter_chunks(100)]
    assert sizes == [100, 100, 50]


@pytest.mark.parametrize("text_format", ["jsonl", "csv"])
def test_a_byte_order_mark_is_skipped(
    tmp_path: Path, text_format: str, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    # Excel's "CSV UTF-8" starts the file with one: the header read '\ufeffid', an unknown column
    population = generate_population(tmp_path, households=SMALL, seed=SEED, format=text_format, processes=1)
    for partition in population.partitions:
        for path in (partition.households_path, partition.facts_path):
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    records = list(read_population(tmp_path).iter_records())
    assert bad_rows(records) == []
    assert as_pairs(records) == small_population


def test_a_file_cut_short_at_a_row_end_is_a_bad_row_saying_so(tmp_path: Path, file_format: str) -> None:
    # A copy or an export interrupted between two rows read as a smaller population, exit 0.
    population = generate_population(tmp_path / "pop", households=SMALL, seed=SEED, format=file_format, processes=1)
    (partition,) = population.partitions
    whole = list(read_population(tmp_path / "pop").iter_records())
    assert bad_rows(whole) == []  # the manifest's counts are those read
    if file_format == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        table = pq.read_table(partition.facts_path)
        pq.write_table(table.slice(0, table.num_rows // 2), partition.facts_path)
    else:
        lines = partition.facts_path.read_text(encoding="utf-8").splitlines(keepends=True)
        partition.facts_path.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    records = list(read_population(tmp_path / "pop").iter_records())
    (short,) = bad_rows(records)
    assert short.file == str(partition.facts_path)
    assert short.field == "rows"
    read = sum(len(record.facts) for record in records)
    assert short.message == (
        f"the manifest says {partition.facts:,} facts; {read:,} were read (a file cut short, or rows removed "
        "since it was written: its households are not all screened)"
    )
