"""CSV rows are split as :func:`csv.reader` reads them: the same cells, the same lines, the same errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.population import PopulationError, read_partition
from relapse_guard.population.csv import csv_rows

PIECES = [",", '"', '""', "\n", "\r\n", "\r", "a", "bc", " ", "\x00", "\\", "户", "'"]


def _with_csv(text: str) -> Iterator[tuple[int, list[str]]]:
    """The rows as the readers read them with :func:`csv.reader`, with the line each row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        yield start, row


def _outcome(rows: Iterator[tuple[int, list[str]]]) -> tuple[list[tuple[int, list[str]]], str | None]:
    found: list[tuple[int, list[str]]] = []
    try:
        found.extend(rows)
    except csv.Error as error:
        return found, str(error)
    return found, None


@settings(max_examples=400)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_rows_as_csv_reads_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _outcome(csv_rows(io.StringIO(text, newline=""))) == _outcome(_with_csv(text))


def test_a_cell_longer_than_the_limit_is_refused_as_csv_refuses_it() -> None:
    limit = csv.field_size_limit()
    text = "a," + "x" * (limit + 1) + "\nb,c\n"
    with pytest.raises(csv.Error, match="field larger than field limit"):
        list(csv_rows(io.StringIO(text, newline="")))
    rows = [(1, ["a", "b\nc", "d"]), (3, []), (4, ["e", "f"])]
    assert list(csv_rows(io.StringIO('a,"b\nc",d\n\ne,f', newline=""))) == rows


def test_the_header_is_the_first_line(tmp_path: Path) -> None:
    """A blank first line is an empty header (refused, as before); an empty file has no rows."""
    households, facts = tmp_path / "h.csv", tmp_path / "f.csv"
    households.write_text("", encoding="utf-8")
    facts.write_text("", encoding="utf-8")
    assert list(read_partition(households, facts)) == []
    facts.write_text("\nhousehold_id,id,kind,date\n", encoding="utf-8")
    with pytest.raises(PopulationError, match="lacks the required column"):
        list(read_partition(households, facts))
