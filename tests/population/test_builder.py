"""The fast builders give exactly what the library gives: the same facts, the same errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Fact, Household, IncomeAssessed
from relapse_guard.errors import InvalidFact, InvalidHousehold
from relapse_guard.facts import DEFAULT_FACT_KINDS, BasicNeedsChecked, parse_fact
from relapse_guard.population import FactBuilder, fact_columns, read_partition
from relapse_guard.population.households import build_household
from relapse_guard.population.rows import FactDumper

from .helpers import ODD_VALUES, facts, write_lines

BUILDER = FactBuilder()
COLUMNS = list(fact_columns(DEFAULT_FACT_KINDS))
ROWS = BUILDER.for_rows(COLUMNS)
TEXT_CELLS = FactDumper(COLUMNS)


def _outcome(parse: Callable[[Any], Fact], data: Any) -> tuple[str, object]:
    try:
        fact = parse(data)
    except InvalidFact as error:
        return "invalid", (error.household_id, error.fact_id, error.field, str(error))
    return "fact", (type(fact), fact)


def test_every_default_kind_has_a_fast_path() -> None:
    # but a correction's (its replacement is a whole fact, built by its own kind), and those of
    # the rare kinds with checks across their fields (a member born after joining, a move to no
    # district, a retraction of itself)
    rare = {"fact_corrected", "member_joined", "household_moved", "fact_retracted"}
    assert BUILDER.fast_kinds() == frozenset(DEFAULT_FACT_KINDS.by_kind) - rare


@given(facts())
def test_valid_facts(fact: Fact) -> None:
    data = fact.to_dict()
    assert TEXT_CELLS.as_dict(fact) == data
    assert TEXT_CELLS.json_line(fact) == json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    built = BUILDER.build(data)
    assert type(built) is type(fact)
    assert built == fact == parse_fact(data) == DEFAULT_FACT_KINDS.parse_field_by_field(data)
    assert ROWS.build(TEXT_CELLS.as_cells(fact)) == fact
    values = {name: getattr(fact, name) for name in attrs.fields_dict(type(fact))}
    assert BUILDER.make(type(fact), **values) == fact


@given(facts(), st.data())
def test_odd_values_give_the_library_outcome(fact: Fact, data: st.DataObject) -> None:
    """A field replaced, removed or added: the fast path never takes what the library refuses."""
    record: dict[str, Any] = fact.to_dict()
    names = [*record, "extra"]
    for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)):
        if data.draw(st.booleans()):
            record.pop(name, None)
        else:
            record[name] = data.draw(st.sampled_from(ODD_VALUES))
    assert _outcome(BUILDER.build, record) == _outcome(DEFAULT_FACT_KINDS.parse_field_by_field, record)


@given(facts(), st.data())
def test_odd_cells_give_the_library_outcome(fact: Fact, data: st.DataObject) -> None:
    row = TEXT_CELLS.as_cells(fact)
    for index in data.draw(st.lists(st.integers(0, len(row) - 1), min_size=1, max_size=2)):
        row[index] = data.draw(st.sampled_from(["", " ", "abc", "-1", "true", "yes", "2016-02-30", "A;nope", None]))
    by_field = DEFAULT_FACT_KINDS.parse_field_by_field
    assert _outcome(ROWS.build, row) == _outcome(lambda r: by_field(ROWS.as_dict(r)), row)


@attrs.frozen(kw_only=True)
class Harvest(Fact):
    """A fact kind of a policy's own, with a validator: it goes through the library's path."""

    kind: ClassVar[str] = "harvest"
    tonnes: Decimal = attrs.field(validator=attrs.validators.lt(Decimal(1000)))


@attrs.frozen(kw_only=True)
class Visit(Fact):
    """A plain fact kind of a policy's own: it gets a fast path too."""

    kind: ClassVar[str] = "visit"
    notes: str = ""
    on_time: bool = True


def test_kinds_of_ones_own() -> None:
    kinds = DEFAULT_FACT_KINDS.with_kind(Harvest).with_kind(Visit)
    builder = FactBuilder(kinds)
    assert "visit" in builder.fast_kinds()
    assert "harvest" not in builder.fast_kinds()
    common = {"id": "f", "household_id": "h", "date": "2016-03-01"}
    assert builder.build({"kind": "harvest", **common, "tonnes": "3"}) == Harvest(
        id="f", household_id="h", date=dt.date(2016, 3, 1), tonnes=Decimal(3)
    )
    with pytest.raises(ValueError, match="must be < 1000"):  # as FactKinds.parse: the class's own error
        builder.build({"kind": "harvest", **common, "tonnes": "3000"})
    assert builder.build({"kind": "visit", **common, "on_time": False}) == Visit(
        id="f", household_id="h", date=dt.date(2016, 3, 1), on_time=False
    )
    rows = builder.for_rows(list(fact_columns(kinds)))
    cells = FactDumper(fact_columns(kinds)).as_cells(Visit(id="f", household_id="h", date=dt.date(2016, 3, 1)))
    assert rows.build(cells) == Visit(id="f", household_id="h", date=dt.date(2016, 3, 1))


def test_lists_in_cells() -> None:
    fact = BasicNeedsChecked(id="b", household_id="h", date=dt.date(2016, 1, 1))
    row = TEXT_CELLS.as_cells(fact)
    row[COLUMNS.index("unmet")] = " safe_water ; medical_cover;"
    assert ROWS.build(row).unmet == frozenset(parse_fact(ROWS.as_dict(row)).unmet)  # type: ignore[attr-defined]
    assert len(ROWS.build(row).unmet) == 2  # type: ignore[attr-defined]


def test_money_stays_exact() -> None:
    data = IncomeAssessed(id="i", household_id="h", date=dt.date(2016, 1, 1), income_per_capita=Decimal(0)).to_dict()
    for text in ("3500.50", "3500.5", "0.01", "1E+3", "12345678.90123456789012"):
        assert BUILDER.build({**data, "income_per_capita": text}).income_per_capita == Decimal(text)  # type: ignore[attr-defined]


def _household_outcome(data: Mapping[str, Any]) -> tuple[str, object]:
    try:
        return "household", Household.from_dict(data)
    except InvalidHousehold as error:
        return "invalid", (error.field, str(error))


def _fast_household_outcome(data: Mapping[str, Any]) -> tuple[str, object]:
    try:
        return "household", build_household(data)
    except InvalidHousehold as error:
        return "invalid", (error.field, str(error))


@given(st.data())
def test_households_give_the_library_outcome(data: st.DataObject) -> None:
    record: dict[str, Any] = {
        "id": "H1",
        "place": {"district": "Yubei", "town": "T", "village": "V"},
        "members": [
            {
                "id": "m1",
                "birth_date": "1970-01-01",
                "labour_capacity": "full",
                "health": "healthy",
                "schooling": "none",
            },
            {"id": "m2", "birth_date": "2001-05-06"},
        ],
    }
    targets: list[tuple[dict[str, Any], str]] = [(record, "id"), (record, "members"), (record, "place")]
    targets += [(record["place"], key) for key in ("district", "town", "village")]
    for member in record["members"]:
        targets += [(member, key) for key in ("id", "birth_date", "labour_capacity", "health", "schooling")]
    for target, key in data.draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2)):
        if data.draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = data.draw(st.sampled_from([*ODD_VALUES, "m1", "partial", "disabled", "tertiary"]))
    assert _fast_household_outcome(record) == _household_outcome(record)


def test_a_kind_of_ones_own_refusing_a_row_is_a_bad_row(tmp_path: Path) -> None:
    kinds = DEFAULT_FACT_KINDS.with_kind(Harvest)
    household = {"id": "h", "place": {"district": "Dazu"}, "members": [{"id": "m", "birth_date": "1970-01-01"}]}
    households = write_lines(tmp_path / "h.jsonl", [json.dumps(household)])
    common = {"id": "f", "household_id": "h", "date": "2016-03-01"}
    facts = write_lines(
        tmp_path / "f.jsonl",
        [
            json.dumps({"kind": "harvest", **common, "tonnes": "1000.500112198001011234"}),
            json.dumps({"kind": "harvest", **common, "tonnes": "2"}),
        ],
    )
    (record,) = read_partition(households, facts, kinds=kinds)
    assert [f.tonnes for f in record.facts] == [Decimal(2)]  # type: ignore[attr-defined]
    (row,) = record.bad_rows
    assert (row.line, row.field) == (1, "fact")
    assert "ValueError" in row.message
    assert "500112198001011234" not in row.message
    assert "500***34" in row.message
