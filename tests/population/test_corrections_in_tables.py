"""Corrections in every file format: ``corrects`` a column, ``replacement`` a cell holding the
replacement fact as the JSON object a JSON line carries (``Fact.to_dict()``).

A ``fact_corrected`` row under the generated header was a bad row (``field 'corrects' is
missing``), a header with ``corrects,replacement`` was refused (``unknown column(s)``), and the
writers of every format (JSON Lines too) failed on a correction.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import Household, IncomeAssessed
from relapse_guard.facts import DEFAULT_FACT_KINDS, FactCorrected, FactRetracted, IllnessReported
from relapse_guard.population import fact_columns, fact_records, read_population, write_facts, write_population
from relapse_guard.store import MemoryStore

UTC = dt.UTC
HOME = Household.from_dict(
    {
        "id": "YB-042",
        "place": {"district": "Yubei", "town": "Dashengzhen", "village": "Qinglong"},
        "members": [
            {"id": "YB-042-1", "birth_date": "1975-03-02", "labour_capacity": "full"},
            {"id": "YB-042-2", "birth_date": "2004-09-01", "labour_capacity": "none"},
        ],
    }
)
INCOME = IncomeAssessed(id="inc-1", household_id="YB-042", date=dt.date(2016, 2, 20), income_per_capita=Decimal(9000))
BILL = IllnessReported(
    id="ill-1",
    household_id="YB-042",
    date=dt.date(2016, 3, 1),
    member_id="YB-042-1",
    self_paid_cost=Decimal("30000.50"),
    hospitalised=True,
)
FIXED = FactCorrected(
    id="fix-1",
    household_id="YB-042",
    date=dt.date(2016, 3, 15),
    corrects="inc-1",
    replacement=IncomeAssessed(
        id="inc-1", household_id="YB-042", date=dt.date(2016, 2, 21), income_per_capita=Decimal("1500.50")
    ),
    reason='figure re-entered, "signed" form; 2 pages',
    recorded_at=dt.datetime(2016, 3, 15, 10, 0, tzinfo=UTC),
)
FIXED_BILL = FactCorrected(
    id="fix-2",
    household_id="YB-042",
    date=dt.date(2016, 3, 16),
    corrects="ill-1",
    replacement=IllnessReported(
        id="ill-1", household_id="YB-042", date=dt.date(2016, 3, 1), member_id="YB-042-1", self_paid_cost=Decimal(300)
    ),
)
WITHDRAWN = FactRetracted(id="ret-1", household_id="YB-042", date=dt.date(2016, 3, 20), retracts="ill-1")
FACTS = [INCOME, BILL, FIXED, FIXED_BILL, WITHDRAWN]


def test_the_columns_are_the_union_of_the_kinds_fields_a_correction_s_last() -> None:
    columns = fact_columns(DEFAULT_FACT_KINDS)
    assert columns[-2:] == ("corrects", "replacement")
    assert "retracts" in columns
    assert columns.index("retracts") < columns.index("corrects")  # the columns before are where they were


def test_corrections_read_back_as_written(tmp_path: Path, file_format: str) -> None:
    path = tmp_path / f"facts.{file_format}"
    assert write_facts(path, FACTS) == len(FACTS)
    records = fact_records(path)
    read = list(records)
    assert records.bad_rows == []
    assert read == [fact.to_dict() for fact in FACTS]  # the replacement as the record a JSON line carries
    assert [DEFAULT_FACT_KINDS.parse(record) for record in read] == FACTS
    assert read[2]["replacement"] == FIXED.replacement.to_dict()
    with MemoryStore() as store:
        store.put_household(HOME)
        report = store.ingest(fact_records(path))
        assert (report.stored, report.quarantined) == (len(FACTS), 0)
        assert store.facts("YB-042") == FACTS


def test_a_population_with_corrections_reads_back(tmp_path: Path, file_format: str) -> None:
    write_population(tmp_path / "county", [(HOME, FACTS)], format=file_format)
    ((household, facts, bad),) = list(read_population(tmp_path / "county").iter_records())
    assert (household, list(facts), list(bad)) == (HOME, FACTS, [])


def test_a_csv_cell_holds_the_replacement_as_a_json_object(tmp_path: Path) -> None:
    path = tmp_path / "facts.csv"
    write_facts(path, [FIXED])
    with path.open(encoding="utf-8", newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert row["corrects"] == "inc-1"
    assert json.loads(row["replacement"]) == FIXED.replacement.to_dict()


def _table(path: Path, rows: list[dict[str, str]]) -> Path:
    """A CSV file as a person writes one: only the columns used, in an order of their own."""
    columns = ["household_id", "id", "kind", "date", "income_per_capita", "corrects", "replacement", "reason"]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_csv_written_by_hand_takes_corrections(tmp_path: Path) -> None:
    replacement = {"kind": "income_assessed", "id": "i1", "household_id": "H1", "date": "2016-02-21"}
    path = _table(
        tmp_path / "facts.csv",
        [
            {
                "household_id": "H1",
                "id": "i1",
                "kind": "income_assessed",
                "date": "2016-02-20",
                "income_per_capita": "9000",
            },
            {
                "household_id": "H1",
                "id": "c1",
                "kind": "fact_corrected",
                "date": "2016-03-15",
                "corrects": "i1",
                "replacement": json.dumps({**replacement, "income_per_capita": "1500"}),
                "reason": "typo",
            },
        ],
    )
    records = fact_records(path)
    (_income, correction) = list(records)
    assert records.bad_rows == []
    fact = DEFAULT_FACT_KINDS.parse(correction)
    assert isinstance(fact, FactCorrected)
    assert fact.replacement == IncomeAssessed(
        id="i1", household_id="H1", date=dt.date(2016, 2, 21), income_per_capita=Decimal(1500)
    )


@pytest.mark.parametrize(
    ("cell", "field", "shown"),
    [
        ('{"kind": "income_assessed", "id": "i1"', "replacement", '\'{"kind": "income_assessed", "id": "i1"\''),
        ("[1, 2]", "replacement", "'[1, 2]'"),
        (
            '{"kind": "income_assessed", "id": "i1", "household_id": "H1", "date": "2016-02-30", '
            '"income_per_capita": "1500"}',
            "replacement.date",
            "'2016-02-30'",
        ),
    ],
)
def test_a_replacement_that_does_not_parse_is_a_bad_row_naming_line_field_and_value(
    tmp_path: Path, cell: str, field: str, shown: str
) -> None:
    path = _table(
        tmp_path / "facts.csv",
        [
            {
                "household_id": "H1",
                "id": "c1",
                "kind": "fact_corrected",
                "date": "2016-03-15",
                "corrects": "i1",
                "replacement": cell,
            },
            {
                "household_id": "H1",
                "id": "i2",
                "kind": "income_assessed",
                "date": "2016-04-01",
                "income_per_capita": "3000",
            },
        ],
    )
    records = fact_records(path)
    assert [record["id"] for record in records] == ["i2"]  # reading goes on
    (row,) = records.bad_rows
    assert (row.line, row.field, row.household_id) == (2, field, "H1")
    assert f"field '{field}' has value {shown}" in row.message
    if field == "replacement":
        assert "in a CSV or Parquet cell, the fact as a JSON object, as a JSON line holds it" in row.message
