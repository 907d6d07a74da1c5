"""Files of facts alone: written as a population's facts file is, read back as records a store ingests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from relapse_guard import Fact, Household
from relapse_guard.population import PopulationError, fact_records, write_facts
from relapse_guard.population.fact_files import open_fact_writer
from relapse_guard.store import MemoryStore


def test_every_kind_reads_back_as_its_record(
    tmp_path: Path, file_format: str, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    facts = [fact for _, its_facts in small_population for fact in its_facts]
    assert {fact.kind for fact in facts} >= {"income_assessed", "exit_verified", "review_completed", "school_enrolled"}
    path = tmp_path / f"facts.{file_format}"
    assert write_facts(path, facts) == len(facts)
    records = fact_records(path)
    assert list(records) == [fact.to_dict() for fact in facts]
    assert records.bad_rows == []
    # a file of another suffix, its format given
    other = tmp_path / "facts.data"
    write_facts(other, facts[:10], format=file_format)
    assert list(fact_records(other, format=file_format)) == [fact.to_dict() for fact in facts[:10]]


def test_the_records_are_ready_for_a_store(
    tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    facts = [fact for _, its_facts in small_population[:40] for fact in its_facts]
    path = tmp_path / "facts.csv"
    write_facts(path, facts)
    with MemoryStore() as store:
        store.put_households(household for household, _ in small_population[:40])  # the records first
        report = store.ingest(fact_records(path))
        assert (report.records, report.stored, report.quarantined) == (len(facts), len(facts), 0)
        assert store.ingest(fact_records(path)).duplicates == len(facts)


def test_a_bad_row_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    path.write_text(
        "household_id,id,kind,date,income_per_capita\n"
        "H1,f1,income_assessed,2017-01-03,4000\n"
        "H1,f2,income_assessed,2017-01-04,-5\n"
        "H2,f3,income_assessed,2017-01-05\n"
        "H2,f4,income_assessed,2017-01-06,4100\n",
        encoding="utf-8",
    )
    records = fact_records(path)
    assert [record["id"] for record in itertools.islice(records, 1)] == ["f1"]
    assert len(records.bad_rows) == 1  # read as far as the first household's rows
    assert [record["id"] for record in records] == ["f4"]
    assert [(row.line, row.field, row.household_id) for row in records.bad_rows] == [
        (3, "income_per_capita", "H1"),
        (4, "row", "H2"),
    ]


def test_unknown_formats_and_headers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PopulationError, match="unknown file format"):
        open_fact_writer(tmp_path / "facts.jsonl", format="xml")
    with pytest.raises(PopulationError, match="suffix"):
        write_facts(tmp_path / "facts.xml", [])
    path = tmp_path / "facts.csv"
    path.write_text("household_id,id,kind,date,colour\n", encoding="utf-8")
    with pytest.raises(PopulationError, match="unknown column"):
        list(fact_records(path))
