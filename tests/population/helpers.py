"""Helpers of the population tests: comparing records, and strategies of facts and odd values."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import tracemalloc
import types
import typing
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import strategies as st

from relapse_guard import Fact, Household
from relapse_guard.facts import DEFAULT_FACT_KINDS
from relapse_guard.population import PopulationRecord

SEED = 20160101
SMALL = 240  # households: enough for every fact kind and some lifecycles, fast to write


def as_pairs(records: Iterable[PopulationRecord]) -> list[tuple[Household | None, list[Fact]]]:
    """Records as (household, facts) pairs, to compare with what was written."""
    return [(record.household, list(record.facts)) for record in records]


def bad_rows(records: Iterable[PopulationRecord]) -> list[Any]:
    """Every bad row of ``records``, in order."""
    return [row for record in records for row in record.bad_rows]


def traced_peaks(read: Callable[[], Iterable[Any]], first: int) -> tuple[int, int, int]:
    """The traced peak memory reading the first ``first`` items of ``read()``, then reading all of them
    again; and how many there were (warm the caches before)."""
    tracemalloc.start()
    try:
        for _ in itertools.islice(read(), first):
            pass
        _, head = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        count = sum(1 for _ in read())
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return head, whole, count


def write_lines(path: Path, lines: Iterable[str]) -> Path:
    """Write ``lines`` to ``path`` (one per line) and return it."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- strategies: any fact of any default kind, from its fields' types ---------------------------

text = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)
identifiers = text.filter(lambda s: s.strip() == s)  # an id has no spaces around it
dates = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
amounts = st.one_of(
    st.integers(0, 10**8).map(Decimal),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
)


def _for_hint(hint: object) -> st.SearchStrategy[Any]:
    if hint is Decimal:
        return amounts
    if hint is dt.date:
        return dates
    if hint is dt.datetime:
        return st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 12, 31), timezones=st.just(dt.UTC))
    if hint is bool:
        return st.booleans()
    if hint is str:
        return text
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    origin = typing.get_origin(hint)
    if origin is frozenset:
        return st.frozensets(_for_hint(typing.get_args(hint)[0]))
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return st.none() | _for_hint(inner[0])
    raise TypeError(hint)


@st.composite
def facts(
    draw: st.DrawFn,
    kinds: tuple[type[Fact], ...] = tuple(
        cls for cls in DEFAULT_FACT_KINDS.by_kind.values() if cls.kind != "fact_corrected"
    ),
) -> Fact:
    """A valid fact of one of ``kinds``, every field drawn from its type."""
    cls = draw(st.sampled_from(kinds))
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name in ("id", "household_id"):
            values[field.name] = draw(identifiers)
        elif field.default is not attrs.NOTHING and draw(st.booleans()):
            continue
        else:
            values[field.name] = draw(_for_hint(hints[field.name]))
    # the checks across fields a few kinds make (a retraction of itself, a member born after
    # joining, a move to no district): the values drawn are mended to pass them
    if values.get("retracts") is not None and (not values["retracts"].strip() or values["retracts"] == values["id"]):
        values["retracts"] = values["id"] + "-x"
    if "birth_date" in values and values["birth_date"] > values["date"]:
        values["birth_date"], values["date"] = values["date"], values["birth_date"]
    if "district" in values and not values["district"].strip():
        values["district"] = "D" + values["district"]
    return cls(**values)


#: Values a file may hold where a field is expected: the fast path must refuse what the library refuses.
ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    7,
    1.5,
    -0.0,
    10**30,
    "",
    " ",
    "abc",
    "-5",
    "1e3",
    "1_000",
    " 12 ",
    "NaN",
    "sNaN",
    "Infinity",
    "2016-02-29",
    "2016-02-30",
    "20160301",
    "2016-W01-1",
    " 2016-03-01",
    "2016-03-01T00:00:00",
    dt.date(2016, 3, 1),
    dt.datetime(2016, 3, 1, 12, 0),
    Decimal("-0"),
    Decimal("-1"),
    Decimal("1.50"),
    Decimal("NaN"),
    [],
    ["food_and_clothing"],
    ["food_and_clothing", "nope"],
    ("safe_water",),
    {},
    {"a": 1},
    "visit",
    "department",
    "A",
    "primary",
    "true",
)
