"""The shipped JSON Schema: valid draft 2020-12, every field described, and every document
the library writes valid against it — a generated county under each shipped policy, the
golden household and a result with every shape — with no field the schema does not describe."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.explanation import SCHEMA_ID, SCHEMA_VERSION, load_schema, to_json_dict
from relapse_guard.population import synthetic_households

from .samples import GOLDEN_POLICY, every_shape, golden_result

jsonschema = pytest.importorskip(
    "jsonschema", reason="validating against the schema needs jsonschema (pip install 'relapse-guard[test]')"
)

SCHEMA = load_schema()
#: The shipped policies.
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every subschema of ``schema`` that describes an object with named properties."""
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every object closed (``additionalProperties: false``): a document with a
    field the schema does not describe fails it. The shipped schema stays open, so that fields
    added within a version do not fail readers that validate with an older copy."""
    closed = copy.deepcopy(schema)
    for subschema in _objects(closed):
        subschema["additionalProperties"] = False
    return closed


_DRAFT = jsonschema.Draft202012Validator
VALIDATOR = _DRAFT(_closed(SCHEMA), format_checker=_DRAFT.FORMAT_CHECKER)


def _errors(document: dict[str, Any]) -> list[str]:
    found = VALIDATOR.iter_errors(document)
    return [f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}" for error in found]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == SCHEMA_ID
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_every_field_is_required_and_described() -> None:
    assert SCHEMA["description"]
    for subschema in _objects(SCHEMA):
        assert sorted(subschema["required"]) == sorted(subschema["properties"])
        for name, field in subschema["properties"].items():
            assert field.get("description"), f"field {name} has no description"
    for name, definition in SCHEMA["$defs"].items():
        assert definition.get("description") or "anyOf" in definition, f"$defs/{name} has no description"


def test_the_golden_household_and_every_shape_are_valid() -> None:
    assert _errors(to_json_dict(golden_result(), GOLDEN_POLICY)) == []
    assert _errors(to_json_dict(golden_result())) == []
    assert _errors(to_json_dict(every_shape())) == []


def _forms(value: Any, path: str = "") -> Iterator[tuple[str, ...]]:
    """Each leaf of a document as (its path, list items as ``*``; its type; a short text with its
    digits as 9s, ``"2016-01-31"`` as ``"9999-99-99"``): what the schema's types, enums and patterns
    tell apart, the values themselves left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _forms(item, f"{path}/{key}")
    elif isinstance(value, list):
        if not value:
            yield (path, "[]")
        for item in value:
            yield from _forms(item, f"{path}/*")
    elif isinstance(value, str):
        yield (path, "str", re.sub(r"[0-9]", "9", value) if len(value) <= 40 else "text")
    else:
        yield (path, type(value).__name__)


@pytest.mark.parametrize("name", POLICIES)
def test_every_household_of_a_generated_county_is_valid(name: str) -> None:
    """Every document of 300 households holding a field, a type or a form of value none before
    it held (a fifth of them) is validated: validating the others would check nothing new."""
    policy = load_policy(name)
    engine = Engine(policy)
    seen: set[tuple[str, ...]] = set()
    validated = 0
    for household, facts in synthetic_households(300, seed=5, months=24):
        document = json.loads(
            json.dumps(to_json_dict(engine.run(household, facts, as_of=dt.date(2017, 12, 31)), policy))
        )
        forms = set(_forms(document))
        if forms <= seen:
            continue
        seen |= forms
        validated += 1
        assert _errors(document) == [], household.id
    assert validated >= 30  # the county's documents take many forms


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(state_label=d.pop("state")), "a field renamed"),
        (lambda d: d.update(schema_version=2), "another version"),
        (lambda d: d.update(income_per_capita=4000.5), "money as a number"),
        (lambda d: d.update(income_per_capita="4000.5"), "money with one decimal"),
        (lambda d: d.update(as_of="31/12/2017"), "a date that is not ISO"),
        (lambda d: d["decisions"][0].update(kind="guess"), "an unknown decision kind"),
        (lambda d: d["risks"][0]["parameters"][0].update(value=True), "a decimal parameter given as a boolean"),
        (lambda d: d["grants"][0].update(extra="x"), "a field the schema does not describe"),
    ],
)
def test_a_document_that_breaks_the_form_is_invalid(change: Any, why: str) -> None:
    document = to_json_dict(every_shape())
    change(document)
    assert _errors(document), why


def test_the_shipped_schema_lets_fields_be_added() -> None:
    document = to_json_dict(every_shape())
    document["a_field_added_later"] = 1
    document["grants"][0]["another"] = "x"
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)) == []
