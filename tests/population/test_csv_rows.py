"""CSV rows are split as :func:`csv.reader` reads them: the same cells, the same lines, the same errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.population import PopulationError, generate_population, read_partition
from relapse_guard.population.csv import csv_rows

from . import reference
from .helpers import as_pairs, bad_rows

PIECES = [",", '"', '""', "\n", "\r\n", "\r", "a", "bc", " ", "\x00", "\\", "户", "'"]


def _taken(row: list[str]) -> bool:
    return True


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_rows_as_the_simple_reading_reads_them(pieces: list[str]) -> None:
    """Rows are those of csv.reader, but for a row over several lines that is not one (see reference.csv_rows)."""
    text = "".join(pieces)
    found = list(csv_rows(io.StringIO(text, newline=""), _taken, first_line=2))
    expected = list(reference.csv_rows(io.StringIO(text, newline="").readlines(), _taken))
    assert [(line, cells, problem.message if problem else None) for line, cells, problem in found] == expected


@settings(max_examples=200)
@given(st.lists(st.lists(st.sampled_from(["a", "b,c", 'd"e', "f\ng", "", "户"]), min_size=1, max_size=3), max_size=8))
def test_well_formed_rows_read_as_csv_reads_them(rows: list[list[str]]) -> None:
    """What csv.writer writes reads back as csv.reader reads it, rows over several lines included."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = out.getvalue()
    reader = csv.reader(io.StringIO(text, newline=""))
    expected, end = [], 0
    for row in reader:
        expected.append((end + 1, row, None))
        end = reader.line_num
    assert list(csv_rows(io.StringIO(text, newline=""))) == expected


def test_a_cell_longer_than_the_limit_is_a_bad_row() -> None:
    limit = csv.field_size_limit()
    text = "a," + "x" * (limit + 1) + "\nb,c\n"
    (line, _, problem), after = list(csv_rows(io.StringIO(text, newline="")))
    assert line == 1
    assert problem is not None
    assert "field larger than field limit" in problem.message
    assert after == (2, ["b", "c"], None)
    rows = [(1, ["a", "b\nc", "d"], None), (3, [], None), (4, ["e", "f"], None)]
    assert list(csv_rows(io.StringIO('a,"b\nc",d\n\ne,f', newline=""))) == rows


def test_an_unclosed_quote_swallows_no_row() -> None:
    text = 'h1,"x\nh2,b\nh3,c\n'
    assert [(line, problem is None) for line, _, problem in csv_rows(io.StringIO(text, newline=""))] == [
        (1, False),
        (2, True),
        (3, True),
    ]
    many = 'h1,"x\n' + "".join(f"h{i},b\n" for i in range(2, 300)) + 'h0,"y"\n'
    found = list(csv_rows(io.StringIO(many, newline="")))
    assert [line for line, _, problem in found if problem is not None] == [1]
    assert len(found) == 300


def test_the_header_is_the_first_line(tmp_path: Path) -> None:
    """A blank first line is an empty header (refused, as before); an empty file, with not even a
    header, is refused (a file cut short or never written: it used to read as no rows); a
    header alone has no rows."""
    households, facts = tmp_path / "h.csv", tmp_path / "f.csv"
    households.write_text("", encoding="utf-8")
    facts.write_text("", encoding="utf-8")
    with pytest.raises(PopulationError, match=r"f\.csv: the file is empty; a CSV file starts with its header"):
        list(read_partition(households, facts))
    facts.write_text("household_id,id,kind,date\n", encoding="utf-8")
    with pytest.raises(PopulationError, match=r"h\.csv: the file is empty"):
        list(read_partition(households, facts))
    households.write_text("household_id,district,town,village,member_id,birth_date\n", encoding="utf-8")
    assert list(read_partition(households, facts)) == []
    facts.write_text("\nhousehold_id,id,kind,date\n", encoding="utf-8")
    with pytest.raises(PopulationError, match=r"the required column.* are not in the header"):
        list(read_partition(households, facts))


@pytest.fixture(scope="module")
def csv_population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated population, as CSV (one partition)."""
    directory = tmp_path_factory.mktemp("junk") / "pop"
    generate_population(directory, households=40, seed=3, format="csv", processes=1)
    return directory


_JUNK = st.sampled_from(["x", "   ", "#comment", "YB0000000", "YB0000000,cut", "a,b,c", "DZ9999999,only"])


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_junk_line_in_a_facts_file_is_one_bad_row_and_takes_no_fact_with_it(
    csv_population: Path, data: st.DataObject
) -> None:
    # The row's first cell used to be taken for its household: the facts after it, of the same
    # household, were "out of place" and dropped.
    facts_path = csv_population / "facts-00000.csv"
    lines = facts_path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = data.draw(st.integers(1, len(lines)), label="line")
    ids = sorted({line.split(",")[0] for line in lines[1:]})
    # (a row cut short naming any household of the file, wherever it sits: one naming a
    # household whose facts come later used to claim its place, and that household's facts,
    # and those of the households between, were "out of place")
    junk = data.draw(_JUNK | st.sampled_from(ids).map(lambda hid: f"{hid},cut"), label="junk")
    expected = as_pairs(read_partition(csv_population / "households-00000.csv", facts_path))
    edited = csv_population.parent / f"edited-{at}"
    edited.mkdir(exist_ok=True)
    (edited / "facts.csv").write_text("".join([*lines[:at], junk + "\n", *lines[at:]]), encoding="utf-8")
    records = list(read_partition(csv_population / "households-00000.csv", edited / "facts.csv"))
    assert [(row.line, row.field) for row in bad_rows(records)] == [(at + 1, "row")]
    # (a junk first line, before any household's facts, is a record of its own: a bad row alone)
    assert [pair for pair in as_pairs(records) if pair != (None, [])] == expected


def test_a_junk_line_between_households_is_one_bad_row_and_inside_one_refuses_it(csv_population: Path) -> None:
    households_path = csv_population / "households-00000.csv"
    lines = households_path.read_text(encoding="utf-8").splitlines(keepends=True)
    ids = [line.split(",")[0] for line in lines]
    inside = next(i for i in range(2, len(ids)) if ids[i] == ids[i - 1])  # between two members of one household
    between = next(i for i in range(2, len(ids)) if ids[i] != ids[i - 1])
    for at, refused in ((between, None), (inside, ids[inside])):
        edited = csv_population.parent / f"households-{at}.csv"
        edited.write_text("".join([*lines[:at], "x\n", *lines[at:]]), encoding="utf-8")
        records = list(read_partition(edited, csv_population / "facts-00000.csv"))
        households = [record.household.id for record in records if record.household is not None]
        missing = sorted(set(ids[1:]) - set(households))
        assert missing == ([] if refused is None else [refused])
        junk = [row for row in bad_rows(records) if row.file == str(edited)]
        assert [(row.line, row.field) for row in junk] == [(at + 1, "row")]
        assert not any("appears twice" in row.message for row in bad_rows(records))


def test_a_boolean_cell_pandas_writes_says_what_is_taken(tmp_path: Path) -> None:
    # pandas' to_csv writes False and True: the bad row said only "expected a bool".
    households = tmp_path / "h.csv"
    households.write_text("household_id,district,member_id,birth_date\nH1,Yubei,m1,1970-01-01\n", encoding="utf-8")
    facts = tmp_path / "f.csv"
    facts.write_text(
        "household_id,id,kind,date,member_id,self_paid_cost,hospitalised\n"
        "H1,f1,illness_reported,2016-03-01,m1,9000,False\n",
        encoding="utf-8",
    )
    (record,) = read_partition(households, facts)
    (row,) = record.bad_rows
    assert row.field == "hospitalised"
    assert (
        "has value 'False'; expected true or false (a CSV cell: the text true or false, in lower case)" in row.message
    )


def test_a_member_row_in_another_district_names_both_districts(tmp_path: Path) -> None:
    # The bad row said only "district differs from the household's first row (line 2)".
    households = tmp_path / "h.csv"
    households.write_text(
        "household_id,district,member_id,birth_date\nH1,Yubei,m1,1970-01-01\nH1,Dazu,m2,1972-01-01\n",
        encoding="utf-8",
    )
    facts = tmp_path / "f.csv"
    facts.write_text("household_id,id,kind,date\n", encoding="utf-8")
    (record,) = read_partition(households, facts)
    (row,) = record.bad_rows
    assert (row.line, row.field) == (3, "district")
    assert "district 'Dazu' differs from the household's first row (line 2: 'Yubei')" in row.message
