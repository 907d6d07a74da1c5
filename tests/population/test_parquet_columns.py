"""Parquet is read column by column: the same facts, households and bad rows as reading row by row.

``reference`` holds the reader as it was (each row a list of cells through the library's row
builder); every group must come out the same, for valid rows and for odd cells of every
column type, whatever the row groups and the batches.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Fact
from relapse_guard.bounds import MAX_ID_LENGTH, MAX_MEMBERS
from relapse_guard.facts import DEFAULT_FACT_KINDS
from relapse_guard.population import HOUSEHOLD_COLUMNS, FactBuilder, fact_columns, generate_population, read_partition
from relapse_guard.population.csv import fact_groups as csv_fact_groups
from relapse_guard.population.rows import FactDumper

from . import reference
from .helpers import dates, facts, traced_peaks

pyarrow = pytest.importorskip("pyarrow")
parquet = pytest.importorskip("pyarrow.parquet")

from relapse_guard.population import parquet as parquet_files  # noqa: E402  (needs pyarrow)

COLUMNS = list(fact_columns(DEFAULT_FACT_KINDS))
TYPED = parquet_files.typed_columns(DEFAULT_FACT_KINDS)
BUILDER = FactBuilder()
NATIONAL_ID = "500112198001011234"
ODD_TEXT = [
    None,
    "",
    " ",
    "\u3000",
    "abc",
    "-1",
    "NaN",
    "1e3",
    " 12 ",
    "3500.50",
    "2016-02-30",
    "20160301",
    "2016-03-01",
    "A",
    "Z",
    "visit",
    "department",
    "nope",
    "true",
    "yes",
    "primary",
    "safe_water;nope",
    "safe_water; medical_cover",
    "income_assessed",
    "illness_reported",
    NATIONAL_ID,
]
HIDS = ["H1", "H2", "H3", "", None, " "]


@contextlib.contextmanager
def _batches_of(rows: int) -> Iterator[None]:
    """Read Parquet ``rows`` rows at a time (batches within and across households)."""
    saved = parquet_files.READ_BATCH_ROWS
    parquet_files.READ_BATCH_ROWS = rows
    try:
        yield
    finally:
        parquet_files.READ_BATCH_ROWS = saved


@contextlib.contextmanager
def _written(table: Any, row_group: int) -> Iterator[Path]:
    """``table`` in a Parquet file of row groups of ``row_group`` rows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.parquet"
        parquet.write_table(table, path, row_group_size=row_group)
        yield path


def _cell(draw: st.DrawFn, column: str, typed: bool) -> Any:
    kind = TYPED.get(column) if typed else None
    if kind == "date":
        return draw(st.none() | dates)
    if kind == "bool":
        return draw(st.none() | st.booleans())
    return draw(st.sampled_from(ODD_TEXT))


@st.composite
def fact_tables(draw: st.DrawFn) -> Any:
    """A facts table as written here (typed) or all text, household ids in runs, some cells odd."""
    typed = draw(st.booleans())
    dumper = FactDumper(COLUMNS, typed=TYPED if typed else None)
    rows = [dumper.as_cells(fact) for fact in draw(st.lists(facts(), min_size=1, max_size=30))]
    hids = sorted(draw(st.lists(st.sampled_from(HIDS), min_size=len(rows), max_size=len(rows))), key=str)
    for row, hid in zip(rows, hids, strict=True):
        row[0] = hid
    for index, column in draw(st.lists(st.tuples(st.integers(0, len(rows) - 1), st.sampled_from(COLUMNS)))):
        rows[index][COLUMNS.index(column)] = (
            draw(st.sampled_from(HIDS)) if column == "household_id" else _cell(draw, column, typed)
        )
    types = {"date": pyarrow.date32(), "bool": pyarrow.bool_()}
    schema = pyarrow.schema([(c, types[TYPED[c]] if typed and c in TYPED else pyarrow.string()) for c in COLUMNS])
    columns = [list(column) for column in zip(*rows, strict=True)]
    if not typed:  # text cells: blanks are "" (or null, as the odd cells say)
        columns = [[None if cell is None else str(cell) for cell in column] for column in columns]
    table = pyarrow.Table.from_arrays(
        [pyarrow.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )
    left_out = draw(st.sets(st.sampled_from(COLUMNS[4:]), max_size=4))  # columns one may leave out
    return table.drop_columns(sorted(left_out))


def _same_groups(found: list[Any], expected: list[Any]) -> None:
    assert found == expected
    # Equal facts, and equal to the byte (an amount's exponent, a set's members).
    assert [[f.to_dict() for f in group[1]] for group in found] == [
        [f.to_dict() for f in group[1]] for group in expected
    ]


@settings(max_examples=150, deadline=None)
@given(fact_tables(), st.integers(1, 12), st.sampled_from([4, 7, 131_072]))
def test_facts_as_row_by_row(table: Any, row_group: int, batch: int) -> None:
    with _written(table, row_group) as path, _batches_of(batch):
        _same_groups(list(parquet_files.fact_groups(path, BUILDER)), reference.fact_groups(path, BUILDER))


LONG_ID = "x" * (MAX_ID_LENGTH + 1)  # one character over the bound of ids and place names
ODD_MEMBER_CELLS: dict[str, list[Any]] = {
    "household_id": [*HIDS, "\u3000", "\x1c", "H\u00e9", LONG_ID],
    "district": ["Yubei", "", None, "\u6e1d\u5317", LONG_ID],
    "town": ["T2", "", None, "\u00e9", LONG_ID],
    "village": ["V2", "", None, LONG_ID],
    "member_id": ["m1", " ", "", None, NATIONAL_ID, "m\u00e9", LONG_ID, "\u00e9" * (MAX_ID_LENGTH + 1)],
    "birth_date": [None, "", "bad", "2016-02-30", "1970-01-01"],
    "labour_capacity": ["partial", "", None, "lots"],
    "health": ["disabled", "", None, "ill"],
    "schooling": ["primary", "", None, "college"],
}


@st.composite
def household_tables(draw: st.DrawFn) -> Any:
    """Member rows as written here (typed) or all text, some cells odd, some optional columns left out."""
    typed = draw(st.booleans())
    unique = draw(st.booleans())  # member ids used once in the file, or once in each household
    rows: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 12))):
        where = {"district": "Dazu", "town": draw(st.sampled_from(["T", ""])), "village": "V"}
        for member in range(draw(st.integers(1, 4))):
            born = draw(dates)
            rows.append(
                {
                    "household_id": f"H{number}",
                    **where,
                    "member_id": f"m{number}.{member}" if unique else f"m{member}",
                    "birth_date": born if typed else born.isoformat(),
                    "labour_capacity": draw(st.sampled_from(["full", "none", ""])),
                    "health": draw(st.sampled_from(["healthy", "chronic_illness"])),
                    "schooling": draw(st.sampled_from(["none", "tertiary"])),
                }
            )
    odd = st.tuples(st.integers(0, len(rows) - 1), st.sampled_from(sorted(ODD_MEMBER_CELLS)))
    for index, column in draw(st.lists(odd, max_size=4)):
        value = draw(st.sampled_from(ODD_MEMBER_CELLS[column]))
        if column == "birth_date" and typed:
            value = draw(st.none() | dates)
        rows[index][column] = value
    columns = [
        c
        for c in HOUSEHOLD_COLUMNS
        if c in ("household_id", "district", "member_id", "birth_date") or draw(st.booleans())
    ]
    return pyarrow.table({c: [row[c] for row in rows] for c in columns})


@settings(max_examples=150, deadline=None)
@given(household_tables(), st.integers(1, 9), st.sampled_from([2, 5, 131_072]))
def test_households_as_row_by_row(table: Any, row_group: int, batch: int) -> None:
    with _written(table, row_group) as path, _batches_of(batch):
        assert list(parquet_files.household_groups(path)) == reference.household_groups(path)


ODD_CELLS = [(column, value) for column, values in ODD_MEMBER_CELLS.items() for value in values]


@pytest.mark.parametrize("blank_id", [False, True], ids=["ids", "a blank id"])
@pytest.mark.parametrize("every", [False, True], ids=["first row", "every row"])
@pytest.mark.parametrize("members", [1, 2])
@pytest.mark.parametrize(("column", "value"), ODD_CELLS, ids=[f"{c}={v!r:.12}" for c, v in ODD_CELLS])
def test_an_odd_cell_amid_other_households(column: str, value: Any, members: int, every: bool, blank_id: bool) -> None:
    """An odd cell in the first (or every) row of a household of the middle of a batch (made from the
    batch's columns, unless the column checks send it the general way): the household or the bad row
    of reading row by row. With ``blank_id``, a blank member id elsewhere in the batch has member ids
    read through a table."""
    rows = [
        {"household_id": hid, "district": "Dazu", "town": "T", "village": "V", "member_id": member}
        for hid, member in [("H0", "m0"), *[("H1", f"m{n}") for n in range(members)], ("H2", ""), ("H3", "m0")]
    ]
    if not blank_id:
        rows[-2]["member_id"] = "m9"
    for row in rows[1 : 2 + (members - 1) * every]:
        row[column] = value
    table = pyarrow.table(
        {
            **{name: [row.get(name, "") for row in rows] for name in HOUSEHOLD_COLUMNS if name != "birth_date"},
            "birth_date": [row.get("birth_date", "1980-01-31") for row in rows],
        }
    )
    with _written(table, 1000) as path:
        found = list(parquet_files.household_groups(path))
        assert found == reference.household_groups(path)
    assert found[0][1] is not None


@pytest.mark.parametrize("ids", [["m0", "m0"], ["m1", "m0", "m1"], ["m0", "m1"]], ids=["twice", "twice apart", "once"])
@pytest.mark.parametrize("elsewhere", ["m0", "m7"], ids=["also elsewhere", "not elsewhere"])
def test_a_member_id_used_twice(ids: list[str], elsewhere: str) -> None:
    """A member id used twice in a household is the library's bad row; used in two households, it is valid."""
    hids = ["H0", *["H1"] * len(ids), "H2"]
    table = pyarrow.table(
        {
            "household_id": hids,
            "district": ["Dazu"] * len(hids),
            "member_id": [elsewhere, *ids, "m8"],
            "birth_date": [dt.date(1980, 1, 1)] * len(hids),
        }
    )
    with _written(table, 1000) as path:
        found = list(parquet_files.household_groups(path))
        assert found == reference.household_groups(path)
    assert (found[1][1] is not None) == (len(set(ids)) == len(ids))


@pytest.mark.parametrize("ascii_only", [True, False], ids=["ASCII", "not ASCII"])
def test_changed_by_strip_as_str_strip(ascii_only: bool) -> None:
    """Changed by stripping, on a column: as ``str.strip`` says, whether the column is ASCII or not."""
    from relapse_guard.population.parquet_columns import changed_by_strip

    texts = ["a", " ", "", "\t\n", "\x1c\x1d\x1e\x1f", " a ", "\x0b\x0c\r", "\x00", "\x7f"]
    texts += [] if ascii_only else ["\x85", "\u3000", "\u00a0x", "\u2028\u2029", "\u200b"]
    assert all(text.isascii() for text in texts) == ascii_only
    texts += ["a ", "\ta", "a b"]
    found = changed_by_strip(pyarrow.array(texts, pyarrow.string())).to_pylist()
    assert found == [text.strip() != text for text in texts]


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "dictionary-encoded"])
def test_household_ids_household_refuses(encoded: bool) -> None:
    """The rows of a household id Household refuses, found on the column: as Household checks it."""
    from relapse_guard.population.parquet_columns import BatchColumns
    from relapse_guard.population.parquet_households import _unfit_keys

    hids = [*ODD_MEMBER_CELLS["household_id"], "H1", " H1 ", "\t\x1f", "H\u3000", LONG_ID[1:], None]
    column = pyarrow.array(hids, pyarrow.string())
    if encoded:
        column = column.dictionary_encode()
    found = _unfit_keys(BatchColumns({"household_id": column}, len(hids))).to_pylist()
    assert found == [not hid or hid.strip() != hid or len(hid) > MAX_ID_LENGTH for hid in hids]


def test_member_ids_are_checked_for_a_lone_surrogate() -> None:
    """pyarrow does not decode one (the file is unreadable); were it to, its row would go the general way."""
    from relapse_guard.population.parquet_households import _unbounded

    column = pyarrow.array(["m0", "m\u00e9", "m\u00e9"])
    found = _unbounded(column, ["m0", "m\u00e9", "m\udc80"])
    assert found is not None
    assert found.to_pylist() == [False, False, True]
    assert _unbounded(column, ["m0", "m\u00e9", "m\u00e9"]) is None
    assert _unbounded(pyarrow.array(["m0"]), ["m0"]) is None


@pytest.mark.parametrize("members", [MAX_MEMBERS, MAX_MEMBERS + 1])
def test_a_household_of_too_many_members_as_row_by_row(members: int) -> None:
    """A household of more members than a household may have, amid others of the batch: the library's bad row."""
    hids = ["H0", *["H1"] * members, "H2", "H3"]
    table = pyarrow.table(
        {
            "household_id": hids,
            "district": ["Dazu"] * len(hids),
            "member_id": [f"m{index}" for index in range(len(hids))],
            "birth_date": [dt.date(1980, 1, 1)] * len(hids),
        }
    )
    with _written(table, 1000) as path:
        found = list(parquet_files.household_groups(path))
        assert found == reference.household_groups(path)
    assert [group[1] is not None for group in found] == [True, members <= MAX_MEMBERS, True, True]


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 80), st.sampled_from([3, 64, 131_072]))
def test_parquet_reads_as_jsonl(seed: int, households: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as folder, _batches_of(batch):
        root = Path(folder)
        saved = parquet_files.ROW_GROUP_ROWS
        parquet_files.ROW_GROUP_ROWS = 50  # several row groups
        try:
            as_parquet = generate_population(
                root / "p", households=households, seed=seed, format="parquet", processes=1
            )
        finally:
            parquet_files.ROW_GROUP_ROWS = saved
        as_jsonl = generate_population(root / "j", households=households, seed=seed, format="jsonl", processes=1)
        assert list(as_parquet.iter_records()) == list(as_jsonl.iter_records())


def test_column_types_of_ones_own(tmp_path: Path) -> None:
    """Amounts as integers and decimals, dates and booleans as text, a date as a timestamp: as row by row."""
    table = pyarrow.table(
        {
            "household_id": ["H1"] * 6,
            "id": ["a", "b", "c", "d", "e", "f"],
            "kind": [
                "income_assessed",
                "illness_reported",
                "income_assessed",
                "income_assessed",
                "illness_reported",
                "income_assessed",
            ],
            "date": pyarrow.array(
                [
                    dt.datetime(2016, 1, 1),
                    dt.datetime(2016, 2, 1),
                    None,
                    dt.datetime(2016, 4, 1),
                    dt.datetime(2016, 5, 1),
                    dt.datetime(2016, 6, 1),
                ],
                type=pyarrow.timestamp("s"),
            ),
            "income_per_capita": pyarrow.array([3000, None, 2500, -1, None, 10**7], type=pyarrow.int64()),
            "member_id": [None, "m1", None, None, "m2", None],
            "self_paid_cost": pyarrow.array(
                [None, Decimal("123.45"), None, None, Decimal("-1"), None], type=pyarrow.decimal128(10, 2)
            ),
            "hospitalised": [None, "true", None, None, "yes", None],
        }
    )
    parquet.write_table(table, tmp_path / "f.parquet")
    path = tmp_path / "f.parquet"
    _same_groups(list(parquet_files.fact_groups(path, BUILDER)), reference.fact_groups(path, BUILDER))
    table = table.set_column(
        3, "date", pyarrow.array(["2016-01-01", "2016-02-01", None, "x", "2016-05-01", "2016-06-01"])
    )
    parquet.write_table(table, path)
    found = list(parquet_files.fact_groups(path, BUILDER))
    _same_groups(found, reference.fact_groups(path, BUILDER))
    assert [f.id for f in found[0][1]] == ["a", "b", "f"]
    assert [(row.line, row.field) for row in found[0][2]] == [(3, "date"), (4, "date"), (5, "self_paid_cost")]


def test_kinds_of_ones_own(tmp_path: Path) -> None:
    from .test_builder import Harvest, Visit

    kinds = DEFAULT_FACT_KINDS.with_kind(Harvest).with_kind(Visit)
    builder = FactBuilder(kinds)
    on = dt.date(2016, 3, 1)
    items: list[Fact] = [
        Visit(id="v", household_id="h", date=on, notes="ok"),
        Harvest(id="h1", household_id="h", date=on, tonnes=Decimal(3)),
        Visit(id="v2", household_id="h", date=on, on_time=False),
    ]
    columns = fact_columns(kinds)
    rows = [FactDumper(columns).as_cells(fact) for fact in items]
    rows.append([*rows[1][:1], "h2", *rows[1][2:]])
    rows[-1][columns.index("tonnes")] = "5000"  # refused by the class's own validator
    path = tmp_path / "f.parquet"
    parquet.write_table(pyarrow.table({c: [row[i] or None for row in rows] for i, c in enumerate(columns)}), path)
    found = list(parquet_files.fact_groups(path, builder))
    _same_groups(found, reference.fact_groups(path, builder))
    assert [f.id for f in found[0][1]] == ["v", "h1", "v2"]
    assert [row.field for row in found[0][2]] == ["fact"]


def test_records_of_a_generated_population(tmp_path: Path) -> None:
    population = generate_population(tmp_path, households=300, seed=11, format="parquet", processes=1)
    (partition,) = population.partitions
    records = list(read_partition(partition.households_path, partition.facts_path))
    assert len(records) == 300
    assert all(record.household is not None and not record.bad_rows for record in records)


def _csv_text(table: Any) -> str:
    """``table`` as CSV text, blank for null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    writer.writerows(
        [["" if cell is None else str(cell) for cell in row] for row in zip(*table.to_pydict().values(), strict=True)]
    )
    return out.getvalue()


@settings(max_examples=100, deadline=None)
@given(fact_tables(), st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["", "a,b", '"x\ny",1']))))
def test_csv_as_row_by_row_and_as_parquet(table: Any, inserted: list[tuple[int, str]]) -> None:
    """CSV reads as it did with csv.reader; a text table's bad rows are Parquet's, a line further (the header)."""
    text = _csv_text(table.cast(pyarrow.schema([(name, pyarrow.string()) for name in table.column_names])))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.csv"
        path.write_text(text, encoding="utf-8")
        groups = list(csv_fact_groups(path, BUILDER))
        text_table = all(pyarrow.types.is_string(field.type) for field in table.schema)
        if text_table and text.count("\n") == table.num_rows + 1 and "\r" not in text:  # a row a line
            with _written(table, 5) as parquet_path:
                expected = list(parquet_files.fact_groups(parquet_path, BUILDER))
            assert [[(r.line + 1, r.field, r.message) for r in g[2]] for g in expected] == [
                [(r.line, r.field, r.message) for r in g[2]] for g in groups
            ]
            assert [g[1] for g in expected] == [g[1] for g in groups]
        lines = text.splitlines(keepends=True)
        for at, line in inserted:  # blank lines, rows of the wrong width, quoted cells over two lines
            lines.insert(min(at, len(lines) - 1) + 1, line + "\n")
        path.write_text("".join(lines), encoding="utf-8")
        _same_groups(list(csv_fact_groups(path, BUILDER)), reference.csv_fact_groups(path, BUILDER))


def test_memory_does_not_grow_with_the_population(tmp_path: Path) -> None:
    """A batch at a time: reading twice the households holds no more (but an id per household read)."""
    saved = parquet_files.ROW_GROUP_ROWS
    parquet_files.ROW_GROUP_ROWS = 2_000
    try:
        population = generate_population(tmp_path, households=3000, seed=2, format="parquet", processes=1)
    finally:
        parquet_files.ROW_GROUP_ROWS = saved
    partition = population.partitions[0]
    with _batches_of(2_000):
        for _ in itertools.islice(partition.records(), 50):  # warm the caches (places, compiled builders)
            pass
        half, whole, count = traced_peaks(partition.records, 1500)
    assert count == 3000
    assert (whole - half) / 1500 < 250
