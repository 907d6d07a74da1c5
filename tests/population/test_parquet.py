"""Parquet, through the optional extra: schema, data of one's own, and the error without pyarrow."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from relapse_guard import Fact, Household
from relapse_guard.population import (
    MissingDependency,
    PopulationError,
    generate_population,
    read_partition,
    read_population,
    write_partition,
)

from .helpers import as_pairs, bad_rows


def test_without_pyarrow_the_error_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_pyarrow(name: str, package: str | None = None) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pyarrow)
    with pytest.raises(MissingDependency, match=r"relapse-guard\[parquet\]") as caught:
        generate_population(tmp_path / "p", households=10, format="parquet", processes=1)
    assert isinstance(caught.value, ImportError)
    (tmp_path / "h.parquet").write_bytes(b"")
    (tmp_path / "f.parquet").write_bytes(b"")
    with pytest.raises(MissingDependency, match="pip install"):
        list(read_partition(tmp_path / "h.parquet", tmp_path / "f.parquet"))


def test_schema_types(tmp_path: Path, small_population: list[tuple[Household, list[Fact]]]) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    write_partition(tmp_path / "h.parquet", tmp_path / "f.parquet", small_population[:30])
    facts = parquet.read_schema(tmp_path / "f.parquet")
    assert facts.field("date").type == pyarrow.date32()
    assert facts.field("hospitalised").type == pyarrow.bool_()
    assert facts.field("income_per_capita").type == pyarrow.string()
    households = parquet.read_schema(tmp_path / "h.parquet")
    assert households.field("birth_date").type == pyarrow.date32()


def test_parquet_of_ones_own_with_other_column_types(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    parquet.write_table(
        pyarrow.table(
            {
                "household_id": ["H1", "H1", "H2"],
                "district": ["Dazu", "Dazu", "Dazu"],
                "member_id": ["m1", "m2", "m3"],
                "birth_date": ["1970-01-01", "1990-05-05", "1980-01-01"],  # strings, not dates
            }
        ),
        tmp_path / "h.parquet",
    )
    parquet.write_table(
        pyarrow.table(
            {
                "household_id": ["H1", "H1", "H2", "H2"],
                "id": ["a", "b", "c", "d"],
                "kind": ["income_assessed", "illness_reported", "income_assessed", "income_assessed"],
                "date": [dt.date(2016, 1, 1), dt.date(2016, 2, 1), dt.date(2016, 3, 1), dt.date(2016, 4, 1)],
                "income_per_capita": pyarrow.array([3000, None, 2500, -1], type=pyarrow.int64()),
                "member_id": [None, "m1", None, None],
                "self_paid_cost": pyarrow.array([None, Decimal("123.45"), None, None], type=pyarrow.decimal128(10, 2)),
                "hospitalised": ["", "true", "", ""],  # text booleans
            }
        ),
        tmp_path / "f.parquet",
    )
    records = list(read_partition(tmp_path / "h.parquet", tmp_path / "f.parquet"))
    assert [(r.household.id if r.household else None, [f.id for f in r.facts]) for r in records] == [
        ("H1", ["a", "b"]),
        ("H2", ["c"]),
    ]
    assert records[0].facts[1].self_paid_cost == Decimal("123.45")  # type: ignore[attr-defined]
    assert records[0].facts[1].hospitalised is True  # type: ignore[attr-defined]
    row = bad_rows(records)[0]
    assert (row.file, row.line, row.field) == (str(tmp_path / "f.parquet"), 4, "income_per_capita")


def test_parquet_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    from relapse_guard.population import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 7)  # several row groups
    monkeypatch.setattr(parquet, "READ_BATCH_ROWS", 5)  # and batches
    population = generate_population(tmp_path, households=60, seed=4, format="parquet", processes=1)
    from relapse_guard.population import synthetic_households

    assert as_pairs(population.iter_records()) == list(synthetic_households(60, seed=4))


def test_a_birth_date_column_of_numbers_gives_bad_rows(tmp_path: Path) -> None:
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    parquet.write_table(
        pyarrow.table(
            {
                "household_id": ["H1", "H2"],
                "district": ["Dazu", "Dazu"],
                "member_id": ["m1", "m2"],
                "birth_date": pyarrow.array([19700101, None], type=pyarrow.int64()),  # not a date
            }
        ),
        tmp_path / "h.parquet",
    )
    parquet.write_table(
        pyarrow.table(
            {
                "household_id": ["H1", "H2"],
                "id": ["a", "b"],
                "kind": ["income_assessed", "income_assessed"],
                "date": [dt.date(2016, 1, 1), dt.date(2016, 2, 1)],
                "income_per_capita": ["3000", "2500"],
            }
        ),
        tmp_path / "f.parquet",
    )
    records = list(read_partition(tmp_path / "h.parquet", tmp_path / "f.parquet"))
    assert [r.household for r in records] == [None, None]
    rows = [row for row in bad_rows(records) if row.file.endswith("h.parquet")]
    assert [(row.line, row.field, row.household_id) for row in rows] == [
        (1, "birth_date", "H1"),
        (2, "birth_date", "H2"),
    ]
    assert "has value 19700101; expected an ISO date" in rows[0].message


@pytest.mark.parametrize(("file", "column"), [("facts", "date"), ("households", "birth_date")])
def test_a_day_python_cannot_hold_is_one_bad_row(tmp_path: Path, file: str, column: str) -> None:
    # A date32 cell of year 10000 stopped the whole file ("cannot read the Parquet file:
    # ValueError: year 10000 is out of range"), naming no row.
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    generate_population(tmp_path / "pop", households=40, seed=6, format="parquet", processes=1)
    path = tmp_path / "pop" / f"{file}-00000.parquet"
    table = pq.read_table(path)
    days = table[column].cast(pa.int32()).to_pylist()
    days[10] = 2_932_897  # 10000-01-01
    where = table.schema.get_field_index(column)
    pq.write_table(table.set_column(where, column, pa.array(days, pa.int32()).cast(pa.date32())), path)
    records = list(read_population(tmp_path / "pop").iter_records())
    bad = [row for record in records for row in record.bad_rows if row.file == str(path)]
    assert [(row.line, row.field) for row in bad] == [(11, column)]
    assert "'day 2932897 after 1970-01-01 (year 10000)'" in bad[0].message


@pytest.mark.parametrize("zone", [None, "Asia/Shanghai"])
def test_dates_pandas_writes_as_midnight_timestamps_read_as_dates(tmp_path: Path, zone: str | None) -> None:
    # A timestamp[ns] column of midnights (pandas' datetime64) was refused on every row.
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    population = generate_population(tmp_path / "pop", households=40, seed=7, format="parquet", processes=1)
    expected = as_pairs(population.iter_records())
    for file, column in (("facts", "date"), ("households", "birth_date")):
        path = tmp_path / "pop" / f"{file}-00000.parquet"
        table = pq.read_table(path)
        stamps = table[column].cast(pa.timestamp("ns"))
        if zone is not None:  # midnight in the zone: stored as 16:00 UTC the day before
            stamps = pa.compute.assume_timezone(stamps, zone)
        pq.write_table(table.set_column(table.schema.get_field_index(column), column, stamps), path)
    records = list(read_population(tmp_path / "pop").iter_records())
    assert bad_rows(records) == []
    assert as_pairs(records) == expected


def test_the_index_column_pandas_writes_is_not_data(tmp_path: Path) -> None:
    # A filtered DataFrame's to_parquet() writes its row numbers as "__index_level_0__": the
    # whole file was refused (an unknown column "in the header").
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    population = generate_population(tmp_path / "pop", households=40, seed=7, format="parquet", processes=1)
    expected = as_pairs(population.iter_records())
    for file in ("facts", "households"):
        path = tmp_path / "pop" / f"{file}-00000.parquet"
        table = pq.read_table(path)
        pq.write_table(table.append_column("__index_level_0__", pa.array(range(table.num_rows), pa.int64())), path)
    records = list(read_population(tmp_path / "pop").iter_records())
    assert bad_rows(records) == []
    assert as_pairs(records) == expected
    path = tmp_path / "pop" / "facts-00000.parquet"
    table = pq.read_table(path)
    pq.write_table(table.append_column("exported_at", pa.array(["x"] * table.num_rows)), path)
    with pytest.raises(PopulationError, match=r"unknown column.*'exported_at' in the file's columns"):
        list(read_population(tmp_path / "pop").iter_records())


def test_a_timestamp_with_a_time_of_day_is_a_bad_row(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    generate_population(tmp_path / "pop", households=40, seed=7, format="parquet", processes=1)
    path = tmp_path / "pop" / "facts-00000.parquet"
    table = pq.read_table(path)
    stamps = table["date"].cast(pa.timestamp("s")).to_pylist()
    stamps[5] = stamps[5] + dt.timedelta(hours=13)
    column = pa.array(stamps, pa.timestamp("s"))
    pq.write_table(table.set_column(table.schema.get_field_index("date"), "date", column), path)
    bad = [row for record in read_population(tmp_path / "pop").iter_records() for row in record.bad_rows]
    assert [(row.line, row.field) for row in bad] == [(6, "date")]
