"""Fuzzing the population readers: hostile inputs, how a read of each ends, and what it lost.

Shared by ``test_fuzz.py`` (the properties) and ``benchmarks/fuzz_readers.py`` (the table of
outcomes). A :class:`Case` is the bytes of one file of a small clean population, changed:
replaced by arbitrary bytes, truncated, a byte flipped, or with one corrupted line (a row, for
Parquet) inserted after the rows of the household it came from. :func:`run` writes the files
in a directory (over the files of the case before), reads them all and says how the read ended: records, bad rows, a
:class:`PopulationError` for the file, or anything else (a failure), and which households that
the change did not touch were lost (not read with all their facts, as in the clean read).
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

from relapse_guard import Fact, Household
from relapse_guard.population import PopulationError, read_partition, read_population
from relapse_guard.population.synthetic import generate_population

__all__ = ["READERS", "Case", "Outcome", "cases", "clean", "run"]

#: The readers fuzzed: each format's households and facts files, and manifests.
READERS = (
    "jsonl households",
    "jsonl facts",
    "csv households",
    "csv facts",
    "parquet households",
    "parquet facts",
    "manifest",
)
HOUSEHOLDS = 4
MONTHS = 2


@attrs.frozen
class Clean:
    """A small clean population in one format: its files' bytes, its records, and each line's household."""

    households: bytes
    facts: bytes
    #: Every household's id, household and facts, as read from the clean files.
    records: dict[str, tuple[Household, tuple[Fact, ...]]]
    #: Per file ("households", "facts"): the household id of each line after the header (text formats),
    #: or of each row (Parquet).
    owners: dict[str, list[str]]


@functools.cache
def clean(fmt: str) -> Clean:
    """The clean population of format ``fmt`` (made once a process)."""
    folder = Path(tempfile.mkdtemp(prefix="relapse_guard_fuzz_clean_"))
    try:
        generate_population(folder, households=HOUSEHOLDS, months=MONTHS, seed=3, format=fmt, processes=1)
        suffix = {"jsonl": "jsonl", "csv": "csv", "parquet": "parquet"}[fmt]
        households = (folder / f"households-00000.{suffix}").read_bytes()
        facts = (folder / f"facts-00000.{suffix}").read_bytes()
        records = {}
        for record in read_partition(folder / f"households-00000.{suffix}", folder / f"facts-00000.{suffix}"):
            assert record.household is not None
            assert not record.bad_rows
            records[record.household.id] = (record.household, record.facts)
        owners = {"households": _owners(fmt, "households", households), "facts": _owners(fmt, "facts", facts)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Clean(households, facts, records, owners)


def _owners(fmt: str, which: str, data: bytes) -> list[str]:
    key = "id" if which == "households" else "household_id"
    if fmt == "jsonl":
        return [json.loads(line)[key] for line in data.decode().splitlines()]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
        return [row[rows[0].index("household_id")] for row in rows[1:]]
    return [str(value) for value in _table(data).column("household_id").to_pylist()]


def _pyarrow() -> tuple[Any, Any]:
    return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")


def _table(data: bytes) -> Any:
    pa, pq = _pyarrow()
    return pq.read_table(pa.BufferReader(data))


@attrs.frozen
class Case:
    """One fuzzed input: ``reader`` (one of :data:`READERS`), how it was made, and the file's bytes.

    ``touched``: the households the change may affect (None: any, as for arbitrary bytes).
    """

    reader: str
    how: str
    data: bytes
    touched: frozenset[str] | None = None


@attrs.frozen
class Outcome:
    """How a read of a case ended: ``"records"`` (no bad row), ``"bad rows"``, ``"file error"`` or
    ``"other"`` (an exception that is not :class:`PopulationError`: a failure); households lost."""

    kind: str
    lost: tuple[str, ...] = ()
    error: str = ""


# --- hostile values --------------------------------------------------------------------------

LONG_CELL = "x" * 131_073  # over csv.field_size_limit()
#: Text put in place of a piece of a line (JSON values, CSV cells).
HOSTILE_TEXT = [
    "9" * 5000,
    "-" + "9" * 5000,
    "1e26",
    "1E+26",
    "100000000000000000000000000",
    "1e999999999999",
    "1e-999999999999",
    "99999999999999999999.99",
    "NaN",
    "Infinity",
    "-0",
    "0.0000000000000000000000001",
    "2016-02-30",
    "99999-01-01",
    "a\\ud800",
    "\\udc80\\udfff",
    "\\u0000",
    "[" * 100_000,
    "{" * 2000,
    '"' + "y" * 5000 + '"',
    "y" * 300,
    LONG_CELL,
    '"unclosed',
    'a"b',
    '"',
    '""',
    ",,,,",
    "\x00",
    "\r",
    "户" * 100,
    "\u2028",
    "true",
    "null",
    "{}",
    "[]",
]
#: Bytes that are not UTF-8 (a lone byte, a truncated sequence, a surrogate as CESU-8, an overlong form).
BAD_BYTES = [b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe6\x88", b"\x80"]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


_HOSTILE = st.sampled_from(HOSTILE_TEXT)
_REPLACEMENT = _HOSTILE | st.text(max_size=20)
_BAD_BYTES = st.sampled_from(BAD_BYTES)
_HOW_LINE = st.sampled_from(["replace", "bytes", "truncate", "insert", "random"])
_RANDOM_LINE = st.binary(max_size=120)


@st.composite
def _corrupted_line(draw: st.DrawFn, line: bytes) -> bytes:
    """``line`` (a clean line, without its newline) corrupted."""
    how = draw(_HOW_LINE)
    if how == "random":
        return draw(_RANDOM_LINE).replace(b"\n", b" ").replace(b"\r", b" ")
    start = draw(st.integers(0, len(line)))
    if how == "truncate":
        return line[:start]
    if how == "bytes":
        return line[:start] + draw(_BAD_BYTES) + line[start:]
    if how == "insert":
        return line[:start] + _encoded(draw(_HOSTILE)) + line[start:]
    end = draw(st.integers(start, min(len(line), start + 40)))
    return line[:start] + _encoded(draw(_REPLACEMENT)) + line[end:]


@functools.lru_cache(maxsize=256)
def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _after_block(owners: list[str], index: int) -> int:
    """The index of the line after the block of lines (of one household) that line ``index`` is in."""
    owner = owners[index]
    while index < len(owners) and owners[index] == owner:
        index += 1
    return index


@st.composite
def _insert_line(draw: st.DrawFn, fmt: str, which: str) -> Case:
    """A clean file with one corrupted line (from the line of a household) after that household's lines."""
    population = clean(fmt)
    data = population.households if which == "households" else population.facts
    owners = population.owners[which]
    lines = _lines(data)
    header = 1 if fmt == "csv" else 0
    index = draw(st.integers(0, len(owners) - 1))
    corrupted = draw(_corrupted_line(lines[header + index].rstrip(b"\r\n")))
    at = header + _after_block(owners, index)
    lines.insert(at, corrupted + b"\n")
    return Case(f"{fmt} {which}", "one corrupted line", b"".join(lines), frozenset({owners[index]}))


def _scalar(text: str) -> str:
    """``text`` with its lone surrogates replaced (Arrow strings are UTF-8)."""
    return text.encode("utf-8", "replace").decode("utf-8")


@st.composite
def _insert_row(draw: st.DrawFn, which: str) -> Case:
    """A clean Parquet file (all text columns) with one row of a household, a cell made hostile, after its rows."""
    pa, pq = _pyarrow()
    population = clean("parquet")
    table = _table(population.households if which == "households" else population.facts)
    columns = table.to_pydict().values()
    rows = [[None if cell is None else str(cell) for cell in row] for row in zip(*columns, strict=True)]
    owners = population.owners[which]
    index = draw(st.integers(0, len(rows) - 1))
    row = list(rows[index])
    column = draw(st.integers(1, len(row) - 1))
    row[column] = draw(
        st.sampled_from([_scalar(text.encode().decode("unicode_escape", "ignore")) for text in HOSTILE_TEXT])
        | st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
        | st.none()
    )
    rows.insert(_after_block(owners, index), row)
    names = table.column_names
    text_table = pa.table(
        {name: pa.array(list(values), pa.string()) for name, values in zip(names, zip(*rows, strict=True), strict=True)}
    )
    out = io.BytesIO()
    pq.write_table(text_table, out)
    return Case(f"parquet {which}", "one corrupted row", out.getvalue(), frozenset({owners[index]}))


_ARBITRARY = st.binary(max_size=300)


@st.composite
def _changed_file(draw: st.DrawFn, fmt: str, which: str, hows: st.SearchStrategy[str]) -> Case:
    """A clean file replaced by bytes, truncated, or with a byte changed: anything may be lost."""
    population = clean(fmt)
    data = population.households if which == "households" else population.facts
    how = draw(hows)
    if how == "arbitrary bytes":
        return Case(f"{fmt} {which}", how, draw(_ARBITRARY))
    at = draw(st.integers(0, len(data) - 1))
    if how == "truncated":
        return Case(f"{fmt} {which}", how, data[:at])
    value = draw(st.integers(0, 255))
    return Case(f"{fmt} {which}", how, data[:at] + bytes([value]) + data[at + 1 :])


HOSTILE_NAMES = [
    "../facts-00000.jsonl",
    "../../etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "a/../../x",
    "outside",  # a symbolic link to a file outside the directory
    "sub/../facts-00000.jsonl",
    "",
    " ",
    ".",
    "a\x00b",
    "a\ud800",
    "x" * 5000,
    "households-00000.jsonl",
    "facts-00000.jsonl",
]


@st.composite
def _manifest(draw: st.DrawFn) -> Case:
    """A manifest: arbitrary bytes, a truncated one, or one with hostile file names, counts or nesting."""
    population = clean("jsonl")
    entry: dict[str, Any] = {
        "households_file": "households-00000.jsonl",
        "facts_file": "facts-00000.jsonl",
        "households": HOUSEHOLDS,
        "facts": sum(len(facts) for _, facts in population.records.values()),
    }
    body: dict[str, Any] = {
        "format": "relapse_guard.population",
        "format_version": 1,
        "file_format": "jsonl",
        "households": entry["households"],
        "facts": entry["facts"],
        "partitions": [entry],
        "generator": None,
    }
    how = draw(st.sampled_from(["arbitrary bytes", "truncated", "hostile names", "hostile values", "deep"]))
    if how == "arbitrary bytes":
        return Case("manifest", how, draw(st.binary(max_size=300)))
    text = json.dumps(body)
    if how == "truncated":
        return Case("manifest", how, text[: draw(st.integers(0, len(text)))].encode())
    if how == "deep":
        return Case("manifest", how, text.replace('"generator": null', '"generator": ' + "[" * 100_000).encode())
    if how == "hostile names":
        for key in ("households_file", "facts_file"):
            entry[key] = draw(st.sampled_from(HOSTILE_NAMES) | st.just(entry[key]))
        return Case("manifest", how, json.dumps(body, ensure_ascii=True).encode())
    hostile: st.SearchStrategy[Any] = (
        st.sampled_from([-1, 10**30, 1.5, None, True, "1", [], {}, "x" * 1000]) | st.integers()
    )
    key = draw(st.sampled_from(["households", "facts", "format_version", "file_format", "partitions", "generator"]))
    if key in ("households", "facts"):
        entry[key] = draw(hostile)
    else:
        body[key] = draw(hostile)
    raw = json.dumps(body)
    if draw(st.booleans()):
        raw = raw.replace(str(HOUSEHOLDS), "9" * 5000, 1)
    return Case("manifest", how, raw.encode())


def cases(reader: str) -> st.SearchStrategy[Case]:
    """The fuzzed inputs of ``reader`` (one of :data:`READERS`)."""
    if reader == "manifest":
        return _manifest()
    fmt, which = reader.split()
    if fmt != "parquet":
        changed = _changed_file(fmt, which, st.sampled_from(["arbitrary bytes", "truncated", "a byte changed"]))
        return st.one_of(changed, _insert_line(fmt, which))
    # Reading a Parquet file that pyarrow opens costs milliseconds (one it refuses, a tenth of
    # that): one input in ten is a file with a byte changed or a corrupted row.
    return _parquet_case(which)


_ONE_IN_TEN = st.sampled_from(range(20))


@st.composite
def _parquet_case(draw: st.DrawFn, which: str) -> Case:
    """A Parquet case: nine in ten arbitrary bytes or a truncated file, else a byte changed or a corrupted row."""
    choice = draw(_ONE_IN_TEN)
    if choice == 0:
        return draw(_insert_row(which))
    hows = st.just("a byte changed") if choice == 1 else st.sampled_from(["arbitrary bytes", "truncated"])
    return draw(_changed_file("parquet", which, hows))


# --- running a case --------------------------------------------------------------------------


def run(case: Case, folder: Path) -> Outcome:
    """Write ``case``'s files in ``folder`` (over those of the case before), read them all, and say how it ended."""
    if case.reader == "manifest":
        population = clean("jsonl")
        if not (folder / "outside").is_symlink():
            (folder / "households-00000.jsonl").write_bytes(population.households)
            (folder / "facts-00000.jsonl").write_bytes(population.facts)
            outside = folder.parent / (folder.name + "-outside.jsonl")
            outside.write_bytes(population.facts)
            (folder / "outside").symlink_to(outside)
        (folder / "manifest.json").write_bytes(case.data)
        return _outcome(lambda: list(read_population(folder).iter_records()), case, population)
    fmt, which = case.reader.split()
    population = clean(fmt)
    households, facts = folder / f"households.{fmt}", folder / f"facts.{fmt}"
    households.write_bytes(case.data if which == "households" else population.households)
    facts.write_bytes(case.data if which == "facts" else population.facts)
    return _outcome(lambda: list(read_partition(households, facts)), case, population)


def _outcome(read: Callable[[], list[Any]], case: Case, population: Clean) -> Outcome:
    try:
        records = read()
    except PopulationError:
        return Outcome("file error")
    except Exception as error:  # what must never happen
        return Outcome("other", error=f"{type(error).__name__}: {str(error)[:200]}")
    lost: list[str] = []
    if case.touched is not None:
        found = {record.household.id: record for record in records if record.household is not None}
        for hid, (household, facts) in population.records.items():
            if hid in case.touched:
                continue
            record = found.get(hid)
            if record is None or record.household != household or record.facts != facts:
                lost.append(hid)
    kind = "bad rows" if any(record.bad_rows for record in records) else "records"
    return Outcome(kind, tuple(lost))


def tally(outcomes: list[Outcome]) -> Counter[str]:
    """Outcomes by kind, with ``"households lost"``."""
    counts = Counter(outcome.kind for outcome in outcomes)
    counts["households lost"] = sum(len(outcome.lost) for outcome in outcomes)
    return counts
