"""No input crashes a read, and nothing is lost silently: every reader fuzzed, and the hostile inputs named.

A read yields records (with their bad rows, naming file, line and field) or raises
:class:`PopulationError` for a file it cannot read at all; never another exception. With one
corrupted line (a row, for Parquet) after the rows of a household, every other household is
read with all its facts, as in the clean read (see :mod:`.fuzz`).

Inputs per reader: ``RELAPSE_GUARD_FUZZ_INPUTS`` when set (a longer local run, e.g. 100000),
else 2,000 on CI (``CI=true``) and 500 otherwise; ``benchmarks/fuzz_readers.py`` runs more.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import Household, Member, Place
from relapse_guard.errors import InvalidFact, InvalidHousehold
from relapse_guard.facts import IllnessReported, IncomeAssessed, parse_fact
from relapse_guard.population import PopulationError, PopulationRecord, read_partition, read_population

from .fuzz import READERS, Case, Outcome, cases, clean, run

INPUTS = int(os.environ.get("RELAPSE_GUARD_FUZZ_INPUTS") or (2_000 if os.environ.get("CI") else 500))
PER_EXAMPLE = 10  # inputs an example draws (hypothesis's cost per example is shared by them)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """Where the inputs are written: in memory (/dev/shm) when there is one, opening files is ten times faster."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix="relapse_guard_fuzz_", dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        Path(str(path) + "-outside.jsonl").unlink(missing_ok=True)


@pytest.mark.parametrize("reader", READERS)
def test_no_input_crashes_a_read_and_nothing_is_lost(reader: str, folder: Path) -> None:
    if reader.startswith("parquet"):
        pytest.importorskip("pyarrow")
    outcomes: list[Outcome] = []

    @settings(
        max_examples=max(1, INPUTS // PER_EXAMPLE),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(cases(reader), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def check(batch: list[Case]) -> None:
        for case in batch:
            outcome = run(case, folder)
            assert outcome.kind != "other", (case.how, outcome.error, case.data[:500])
            assert not outcome.lost, (case.how, outcome.lost, case.data[:500])
            outcomes.append(outcome)

    check()
    assert len(outcomes) >= INPUTS


# --- the hostile inputs of the issue, one by one ------------------------------------------------


def _pair(
    tmp_path: Path, fmt: str, facts: bytes | None = None, households: bytes | None = None
) -> list[PopulationRecord]:
    population = clean(fmt)
    (tmp_path / f"h.{fmt}").write_bytes(population.households if households is None else households)
    (tmp_path / f"f.{fmt}").write_bytes(population.facts if facts is None else facts)
    return list(read_partition(tmp_path / f"h.{fmt}", tmp_path / f"f.{fmt}"))


def _after_first_household(fmt: str, line: bytes) -> tuple[bytes, str, str]:
    """The clean facts file with ``line`` after the first household's facts; that household and the next."""
    population = clean(fmt)
    lines = population.facts.splitlines(keepends=True)
    owners = population.owners["facts"]
    header = 1 if fmt == "csv" else 0
    end = owners.index(next(owner for owner in owners if owner != owners[0]))
    lines.insert(header + end, line)
    return b"".join(lines), owners[0], owners[end]


def _intact(records: list[PopulationRecord], fmt: str, *, but: str) -> None:
    expected = clean(fmt).records
    found = {r.household.id: r for r in records if r.household is not None}
    for hid, (household, facts) in expected.items():
        if hid != but:
            assert found[hid].household == household, hid
            assert found[hid].facts == facts, hid


def _fact_line(fmt: str, hid: str, **changes: str) -> bytes:
    data = {"kind": "income_assessed", "id": "zz", "household_id": hid, "date": "2016-03-01"}
    data["income_per_capita"] = "3000"
    data.update(changes)
    if fmt == "jsonl":
        return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
    header = clean("csv").facts.split(b"\n", 1)[0].decode().split(",")
    return ",".join(data.get(name, "") for name in header).encode("utf-8", "surrogatepass") + b"\n"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_byte_that_is_not_utf8_is_a_bad_row(tmp_path: Path, fmt: str) -> None:
    line = _fact_line(fmt, "PLACEHOLDER").replace(b"3000", b"30\xff0")
    facts, _first, _ = _after_first_household(fmt, line.replace(b"PLACEHOLDER", clean(fmt).owners["facts"][0].encode()))
    records = _pair(tmp_path, fmt, facts)
    (bad,) = [row for record in records for row in record.bad_rows]
    assert bad.field == "encoding"
    assert "0xff" in bad.message
    _intact(records, fmt, but="")


@pytest.mark.parametrize(
    "line",
    [b"[" * 100_000 + b"\n", b'{"kind": "income_assessed", "income_per_capita": ' + b"9" * 5000 + b"}\n"],
    ids=["nested 100,000 deep", "an int of 5,000 digits"],
)
def test_a_json_line_python_cannot_read_is_a_bad_row(tmp_path: Path, line: bytes) -> None:
    facts, _, _ = _after_first_household("jsonl", line)
    records = _pair(tmp_path, "jsonl", facts)
    (bad,) = [row for record in records for row in record.bad_rows]
    assert bad.field == "json"
    _intact(records, "jsonl", but="")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("income_per_capita", "1e26"),
        ("income_per_capita", "9" * 5000),
        ("income_per_capita", "100000001"),
        ("id", "x" * 257),
    ],
)
def test_values_beyond_the_bounds_are_bad_rows_naming_the_field(
    tmp_path: Path, fmt: str, field: str, value: str
) -> None:
    hid = clean(fmt).owners["facts"][0]
    facts, _, _ = _after_first_household(fmt, _fact_line(fmt, hid, **{field: value}))
    records = _pair(tmp_path, fmt, facts)
    (bad,) = [row for record in records for row in record.bad_rows]
    assert bad.field == field
    assert bad.household_id == hid
    _intact(records, fmt, but=hid)


def test_a_lone_surrogate_in_an_id_is_a_bad_row(tmp_path: Path) -> None:
    hid = clean("jsonl").owners["facts"][0]
    line = _fact_line("jsonl", hid).replace(b'"zz"', b'"a\\ud800"')
    facts, _, _ = _after_first_household("jsonl", line)
    (bad,) = [row for record in _pair(tmp_path, "jsonl", facts) for row in record.bad_rows]
    assert bad.field == "id"
    with pytest.raises(InvalidFact) as error:
        parse_fact(json.loads(line))
    assert (error.value.household_id, error.value.field, error.value.value) == (hid, "id", "a\ud800")


def test_a_csv_cell_over_the_csv_modules_limit_is_a_bad_row(tmp_path: Path) -> None:
    hid = clean("csv").owners["facts"][0]
    facts, _, _ = _after_first_household("csv", _fact_line("csv", hid, measure="x" * 131_073))
    records = _pair(tmp_path, "csv", facts)
    (bad,) = [row for record in records for row in record.bad_rows]
    assert bad.field == "row"
    assert "field larger than field limit" in bad.message
    _intact(records, "csv", but=hid)


def test_an_unclosed_quote_loses_no_household(tmp_path: Path) -> None:
    hid = clean("csv").owners["facts"][0]
    facts, _first, following = _after_first_household("csv", f'{hid},x,income_assessed,"2016-03-01\n'.encode())
    records = _pair(tmp_path, "csv", facts)
    (bad,) = [row for record in records for row in record.bad_rows]
    assert bad.field == "row"
    assert "not closed" in bad.message
    assert next(r for r in records if r.household_id == following).facts == clean("csv").records[following][1]
    _intact(records, "csv", but="")


def test_a_truncated_parquet_file_is_a_population_error(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    data = clean("parquet").facts
    for cut in (0, 4, len(data) // 2, len(data) - 1):
        with pytest.raises(PopulationError, match="cannot read the Parquet file"):
            _pair(tmp_path, "parquet", data[:cut])


@pytest.mark.parametrize("name", ["../facts-00000.jsonl", "/etc/passwd", "a/../../x", "outside"])
def test_a_manifest_may_not_point_outside_its_directory(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(clean("jsonl").facts)
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "households-00000.jsonl").write_bytes(clean("jsonl").households)
    (folder / "outside").symlink_to(outside)
    (folder / "facts-00000.jsonl").write_bytes(clean("jsonl").facts)
    manifest = {
        "format": "relapse_guard.population",
        "format_version": 1,
        "file_format": "jsonl",
        "partitions": [{"households_file": "households-00000.jsonl", "facts_file": name, "households": 4, "facts": 1}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PopulationError, match=r"manifest\.json.*outside the population directory") as error:
        read_population(folder)
    assert repr(name) in str(error.value)


# --- the bounds are the field parsers': every way in refuses the same values ---------------------


def test_facts_built_in_python_are_bounded_as_parsed_ones() -> None:
    day = dt.date(2016, 3, 1)
    with pytest.raises(InvalidFact) as error:
        IllnessReported(id="f", household_id="h", date=day, member_id="m", self_paid_cost=Decimal(10**9) + 1)
    assert (error.value.household_id, error.value.field) == ("h", "self_paid_cost")
    IllnessReported(id="f", household_id="h", date=day, member_id="m", self_paid_cost=Decimal(10**9))
    with pytest.raises(InvalidFact) as error:
        IncomeAssessed(id="f", household_id="h", date=day, income_per_capita=10**5000)  # type: ignore[arg-type]
    assert error.value.field == "income_per_capita"
    assert "bits" in str(error.value)
    with pytest.raises(InvalidFact, match="'id'"):
        IncomeAssessed(id="x" * 257, household_id="h", date=day, income_per_capita=Decimal(1))


def test_households_are_bounded() -> None:
    member = Member(id="m", birth_date=dt.date(1980, 1, 1))
    for changes, field in (
        ({"id": "h" * 257}, "id"),
        ({"id": "h\udc80"}, "id"),
        ({"place": Place("d" * 257)}, "place.district"),
        ({"members": [Member(id=f"m{i}", birth_date=dt.date(1980, 1, 1)) for i in range(101)]}, "members"),
        ({"members": [Member(id="m\ud800", birth_date=dt.date(1980, 1, 1))]}, "members[0].id"),
    ):
        values = {"id": "h", "place": Place("Yubei"), "members": [member], **changes}
        with pytest.raises(InvalidHousehold) as error:
            Household(**values)  # type: ignore[arg-type]
        assert error.value.field == field
        with pytest.raises(InvalidHousehold):
            Household.from_dict(
                {
                    "id": values["id"],
                    "place": {"district": values["place"].district},  # type: ignore[attr-defined]
                    "members": [
                        {"id": m.id, "birth_date": "1980-01-01"}
                        for m in values["members"]  # type: ignore[attr-defined]
                    ],
                }
            )
