"""The JSON form of a household's result: its fields, its money and dates, its errors, and a
golden file for one fixed household, so that a field renamed or removed is seen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.engine import policy_fingerprint
from relapse_guard.errors import InvalidArgument, NotFound, WrongType
from relapse_guard.explanation import SCHEMA_VERSION, load_schema, to_json, to_json_dict

from .samples import AS_OF, GOLDEN_HOUSEHOLD, GOLDEN_POLICY, every_shape, golden_facts, golden_result

GOLDEN = Path(__file__).with_name("golden") / "household-result.v1.GD-001.json"
#: Set to rewrite the golden file from the code (then read the diff before committing it).
UPDATE = "RELAPSE_GUARD_UPDATE_GOLDEN"


def test_the_fixed_household_gives_the_golden_document() -> None:
    document = to_json_dict(golden_result(), GOLDEN_POLICY)
    if os.environ.get(UPDATE):
        GOLDEN.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert document == expected, f"the JSON form changed; if on purpose, rerun with {UPDATE}=1 and read the diff"
    assert list(document) == list(expected)  # the documented order of the fields


def test_the_golden_document_has_something_in_every_list() -> None:
    """The golden household is worth its file: pending and eliminated risks, reviews done, a
    grant released by a case, money with more than two decimals."""
    document = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for field in ("risks", "grants", "pending", "reviews_completed", "eliminated_risks", "decisions"):
        assert document[field], field
    kinds = {decision["kind"] for decision in document["decisions"]}
    assert {"transition", "risk_detected", "intervention_granted", "intervention_pending", "risk_eliminated"} <= kinds
    assert document["income_per_capita"] == "5000.50"
    assert {risk["cost"] for risk in document["risks"]} >= {"0.00", "12000.125", "8000.00"}


def test_money_has_two_decimals_and_is_never_rounded() -> None:
    document = to_json_dict(every_shape())
    assert document["income_per_capita"] == "4000.125"
    assert document["risks"][0]["cost"] == "1234.5678"
    assert document["grants"][0]["amount"] == "864.00"
    assert document["pending"][0]["amount"] is None


def test_parameters_say_their_type_and_write_decimals_exactly() -> None:
    written = to_json_dict(every_shape())["risks"][0]["parameters"]
    assert [(p["name"], p["value"], p["type"]) for p in written] == [
        ("rate", "0.70", "decimal"),
        ("starts", "next_year", "text"),
        ("urgent", True, "boolean"),
        ("big", "1000", "decimal"),
    ]
    assert written[0]["effective_from"] == "2015-01-01"
    assert written[0]["reference"] == "notice 3"


def test_every_decision_is_written_with_its_references() -> None:
    result = every_shape()
    decisions = to_json_dict(result)["decisions"]
    assert [d["sequence"] for d in decisions] == list(range(len(result.decisions)))
    assert [d["kind"] for d in decisions] == [d.kind.value for d in result.decisions]
    assert decisions[0]["from_state"] == "new"
    assert decisions[0]["to_state"] == "identified"
    assert decisions[0]["text"] == "why transition"
    assert decisions[0]["facts"] == ["f0"]
    assert decisions[1]["to_state"] is None
    assert decisions[2]["risk"]["key"] == result.risks[0].key
    evidence = decisions[2]["risk"]["evidence"]
    assert evidence == [{"label": "level", "value": "high"}, {"label": "level", "value": "again"}]
    assert decisions[3]["grant"]["risk_key"] == result.risks[0].key
    assert decisions[4]["grant"]["revisits"] == ["2016-04-01", "2016-05-01"]
    assert decisions[6]["risk"] is None
    assert decisions[6]["grant"] is None


def test_mappings_are_sorted_lists() -> None:
    document = to_json_dict(every_shape())
    assert document["reviews_completed"] == [
        {"review": "audit", "date": "2016-02-01"},
        {"review": "visit", "date": "2016-06-01"},
    ]
    assert [item["risk_key"] for item in document["eliminated_risks"]] == ["illness:m1:2016-03-01", "a", "b"]


def test_the_policy_adds_its_fingerprint_and_the_reviews() -> None:
    result = golden_result()
    without = to_json_dict(result)
    assert without["policy_fingerprint"] is None
    assert without["reviews"] is None
    with_policy = to_json_dict(result, GOLDEN_POLICY)
    assert with_policy["policy_fingerprint"] == policy_fingerprint(GOLDEN_POLICY) == Engine(GOLDEN_POLICY).fingerprint
    due = GOLDEN_POLICY.reviews_due(result, AS_OF)
    assert [(r["review"], r["state"], r["due_on"]) for r in with_policy["reviews"]] == [
        (s.review, s.state.value, s.due_on.isoformat()) for s in due
    ]
    assert {r["state"] for r in with_policy["reviews"]} == {"overdue"}
    assert {k: v for k, v in with_policy.items() if k not in ("policy_fingerprint", "reviews")} == {
        k: v for k, v in without.items() if k not in ("policy_fingerprint", "reviews")
    }


def test_reviews_are_written_as_of_the_result_s_date() -> None:
    policy = load_policy("dazu_2016")
    monitored = Engine(policy).run(GOLDEN_HOUSEHOLD, golden_facts()[:5], as_of=AS_OF.replace(year=2016))
    reviews = to_json_dict(monitored, policy)["reviews"]
    expected = policy.reviews_due(monitored, AS_OF.replace(year=2016))
    assert [r["review"] for r in reviews] == [s.review for s in expected]
    joint = next(r for r in reviews if r["review"] == "joint_review")
    assert joint["last_done"] == "2016-06-30"
    assert joint["state"] in ("done", "due", "overdue")


def test_a_result_without_decisions_or_facts_is_written_too() -> None:
    lean = Engine(GOLDEN_POLICY, record_decisions=False).run(GOLDEN_HOUSEHOLD, golden_facts(), as_of=AS_OF)
    document = to_json_dict(lean, GOLDEN_POLICY)
    assert document["decisions"] == []
    assert document["state"] == "assisted"
    empty = to_json_dict(Engine(GOLDEN_POLICY).run(GOLDEN_HOUSEHOLD, []), GOLDEN_POLICY)
    fields = ("as_of", "state", "state_since", "income_per_capita")
    assert [empty[field] for field in fields] == [None, "new", None, None]
    assert empty["reviews"] == []


def test_to_json_is_the_dict_as_text() -> None:
    result = attrs.evolve(every_shape(), household_id="户-1")
    text = to_json(result, indent=None)
    assert "户-1" in text  # characters as they are
    assert "\n" not in text
    assert json.loads(text) == to_json_dict(result)
    assert json.loads(to_json(result)) == to_json_dict(result)


def test_wrong_arguments_are_library_errors() -> None:
    result = golden_result()
    with pytest.raises(WrongType, match="HouseholdResult"):
        to_json_dict("GD-001")  # type: ignore[arg-type]
    with pytest.raises(WrongType, match="Policy"):
        to_json_dict(result, "dazu_2016")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"run under dazu_golden@1, not dazu_2016@"):
        to_json_dict(result, load_policy("dazu_2016"))


def test_the_schema_is_loaded_from_the_package() -> None:
    schema = load_schema()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema == load_schema(SCHEMA_VERSION)
    for unknown in (0, 2, "1", True):
        with pytest.raises(NotFound, match="known: 1"):
            load_schema(unknown)  # type: ignore[arg-type]
