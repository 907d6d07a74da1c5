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


def test_with_lines_each_record_says_its_line(
    tmp_path: Path, file_format: str, small_population: list[tuple[Household, list[Fact]]]
) -> None:
    """``fact_records(path, lines=True)``: the line of each record, as a bad row names lines (CSV:
    the header is line 1; Parquet: row numbers), bad rows and (JSON Lines) blank lines skipped."""
    facts = [fact for _, its_facts in small_population[:30] for fact in its_facts]
    path = tmp_path / f"facts.{file_format}"
    write_facts(path, facts)
    assert fact_records(path, lines=True).line is None  # no record given yet
    records = fact_records(path, lines=True)
    first = 2 if file_format == "csv" else 1
    seen: list[tuple[str, int | None]] = [(record["id"], records.line) for record in records]
    assert seen == [(fact.id, first + index) for index, fact in enumerate(facts)]
    if file_format != "jsonl":
        return
    text = path.read_text(encoding="utf-8").splitlines()
    text[4] = text[4].replace('"date":"', '"date":"x')  # line 5: a bad row
    text.insert(10, "")  # a blank line: line 11
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    records = fact_records(path, lines=True)
    seen = [(record["id"], records.line) for record in records]
    expected = [(fact.id, index + 1 + (index >= 10)) for index, fact in enumerate(facts) if index != 4]
    assert seen == expected
    assert [row.line for row in records.bad_rows] == [5]


def test_a_missing_kind_is_said_missing(tmp_path: Path) -> None:
    """A row without ``kind`` read "field 'kind' has value None", where every other required field
    not given reads "is missing"; in the library's own message as in a bad row's."""
    from relapse_guard.errors import InvalidFact
    from relapse_guard.facts import DEFAULT_FACT_KINDS

    jsonl = tmp_path / "month.jsonl"
    jsonl.write_text('{"id": "x1", "household_id": "H1", "date": "2017-01-05"}\n', encoding="utf-8")
    csv = tmp_path / "month.csv"
    csv.write_text("kind,id,household_id,date\n,x2,H1,2017-01-05\n", encoding="utf-8")
    for path, fact in ((jsonl, "x1"), (csv, "x2")):
        records = fact_records(path)
        assert list(records) == []
        (row,) = records.bad_rows
        assert row.field == "kind"
        assert row.message.startswith(f"fact '{fact}' of household 'H1': field 'kind' is missing; expected one of ")
        assert "(required)" not in row.message
    with pytest.raises(InvalidFact, match=r"field 'kind' is missing; expected one of \w+") as caught:
        DEFAULT_FACT_KINDS.parse({"id": "x1", "household_id": "H1", "date": "2017-01-05"})
    assert "(required)" not in str(caught.value)
    with pytest.raises(InvalidFact, match="field 'date' is missing; expected an ISO date"):
        DEFAULT_FACT_KINDS.parse({"kind": "exit_verified", "id": "x1", "household_id": "H1"})
    with pytest.raises(InvalidFact, match="field 'kind' has value None"):  # given, as null
        DEFAULT_FACT_KINDS.parse({"kind": None, "id": "x1", "household_id": "H1", "date": "2017-01-05"})


def test_a_line_not_utf8_names_its_fact_and_household_when_they_are_plain(tmp_path: Path) -> None:
    """A GBK line (a department's export) was named by file, line, byte and column alone, though its
    ids are ASCII: now by its fact and household too, and the bad row is the household's."""
    row = '{"kind":"income_assessed","id":"g1","household_id":"YB0000000","date":"2017-01-05","source":"村委"}\n'
    unnamed = '{"kind":"income_assessed","id":"村1","household_id":"村","date":"2017-01-05"}\n'
    jsonl = tmp_path / "gbk.jsonl"
    jsonl.write_bytes(row.encode("gbk") + unnamed.encode("gbk"))
    csv = tmp_path / "gbk.csv"
    csv.write_bytes("kind,id,household_id,date,source\nincome_assessed,g1,YB0000000,2017-01-05,村委\n".encode("gbk"))
    for path in (jsonl, csv):
        records = fact_records(path)
        assert list(records) == []
        first = records.bad_rows[0]
        assert first.field == "encoding"
        assert first.household_id == "YB0000000"
        assert first.message.startswith("fact 'g1' of household 'YB0000000': not UTF-8: byte 0x")
    last = fact_records(jsonl)
    list(last)
    assert last.bad_rows[1].message.startswith("not UTF-8: byte 0x")  # ids not plain: not named
