"""The compiled table agrees with each procedure's transitions.Machine; the docs draw what the code draws."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transitions import Machine, MachineError

from relapse_guard.cases import IDENTIFICATION, NATIONAL_PROCEDURES, RISK_ELIMINATION, Outcome, Procedure, mermaid
from relapse_guard.cases.machine import GUARDS, TRIGGERS, build_machine, case_states, case_transitions, table
from relapse_guard.state_machine import compile_table, fire, machine_edges

from .strategies import procedures

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _agree(procedure: Procedure, machine: Machine, state: str, outcome: Outcome, guards: dict[str, bool]) -> None:
    compiled = table(procedure)
    if outcome.value not in machine.events:
        assert not any(key[1] is outcome for key in compiled)
        return
    try:
        moved, after = fire(machine, state, outcome, guards)
    except MachineError:
        assert (state, outcome) not in compiled
        return
    dest, guard = compiled[(state, outcome)]
    if guard is None or guards[guard]:
        assert moved is True
        assert after == dest
    else:
        assert moved is False
        assert after == state


@given(procedure=procedures(), data=st.data())
def test_compiled_table_agrees_with_the_machine_for_random_procedures(
    procedure: Procedure, data: st.DataObject
) -> None:
    machine = build_machine(procedure)
    for _ in range(6):
        state = data.draw(st.sampled_from(case_states(procedure)))
        outcome = data.draw(st.sampled_from(TRIGGERS))
        guards = data.draw(st.fixed_dictionaries({name: st.booleans() for name in GUARDS}))
        _agree(procedure, machine, state, outcome, guards)
    assert compile_table(machine_edges(machine, str, Outcome)) == table(procedure)


@pytest.mark.parametrize("procedure", NATIONAL_PROCEDURES, ids=lambda p: p.name)
def test_every_state_outcome_and_guard_of_the_shipped_procedures(procedure: Procedure) -> None:
    machine = build_machine(procedure)
    for state in case_states(procedure):
        for outcome in TRIGGERS:
            for value in (True, False):
                _agree(procedure, machine, state, outcome, dict.fromkeys(GUARDS, value))
    assert sorted(machine_edges(machine, str, Outcome), key=repr) == sorted(case_transitions(procedure), key=repr)


def test_the_identification_edges() -> None:
    edges = {(s, o.value): d for (s, o), (d, _) in table(IDENTIFICATION).items()}
    assert edges == {
        ("household_verification", "approve"): "data_comparison",
        ("data_comparison", "approve"): "village_deliberation",
        ("data_comparison", "send_back"): "household_verification",
        ("village_deliberation", "approve"): "public_notice",
        ("village_deliberation", "send_back"): "household_verification",
        ("public_notice", "approve"): "township_review",
        ("public_notice", "object"): "household_verification",
        ("township_review", "approve"): "county_approval",
        ("township_review", "reject"): "rejected",
        ("township_review", "send_back"): "village_deliberation",
        ("county_approval", "approve"): "approved",
        ("county_approval", "reject"): "rejected",
        ("county_approval", "send_back"): "township_review",
        ("rejected", "appeal"): "township_review",
    }
    assert ("rejected", Outcome.APPEAL) not in table(RISK_ELIMINATION)


def test_compile_table_refuses_what_a_table_cannot_say() -> None:
    two_guards = Machine(
        states=["a", "b"],
        transitions=[{"trigger": "approve", "source": "a", "dest": "b", "conditions": ["x", "y"]}],
        initial="a",
        auto_transitions=False,
    )
    with pytest.raises(ValueError, match="at most one named guard"):
        compile_table(machine_edges(two_guards, str, Outcome))
    unless = Machine(
        states=["a", "b"],
        transitions=[{"trigger": "approve", "source": "a", "dest": "b", "unless": ["x"]}],
        initial="a",
        auto_transitions=False,
    )
    with pytest.raises(ValueError, match="at most one named guard"):
        compile_table(machine_edges(unless, str, Outcome))
    twice = Machine(
        states=["a", "b", "c"],
        transitions=[
            {"trigger": "approve", "source": "a", "dest": "b", "conditions": ["x"]},
            {"trigger": "approve", "source": "a", "dest": "c"},
        ],
        initial="a",
        auto_transitions=False,
    )
    with pytest.raises(ValueError, match="two edges"):
        compile_table(machine_edges(twice, str, Outcome))


def test_mermaid_lists_every_edge_and_step() -> None:
    text = mermaid(IDENTIFICATION)
    assert text.startswith("stateDiagram-v2")
    edges = re.findall(r"^\s+(\w+) --> (\w+): (\w+)(?: \[(\w+)\])?$", text, flags=re.M)
    assert {(s, d, o) for s, d, o, _ in edges} == {(s, d, o.value) for (s, o), (d, _) in table(IDENTIFICATION).items()}
    assert 'state "public_notice (village, notice of 5 days)" as public_notice' in text
    assert 'state "township_review (township, 1 working day)" as township_review' in text


def test_docs_draw_each_shipped_procedure_as_the_code_does() -> None:
    page = (DOCS / "procedures.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", page, flags=re.S)
    expected = [mermaid(procedure) for procedure in NATIONAL_PROCEDURES]
    assert blocks[: len(expected)] == expected, (
        "docs/procedures.md is out of date: paste relapse_guard.cases.mermaid(procedure) for each shipped procedure"
    )


def test_docs_step_table_is_the_identification_definition() -> None:
    page = (DOCS / "procedures.md").read_text(encoding="utf-8")
    for step in IDENTIFICATION.steps:
        outcomes = ", ".join(sorted(o.value for o in step.outcomes) + (["object"] if step.notice else []))
        back, up = IDENTIFICATION.send_back_target(step) or "—", step.escalate_to or "—"
        row = f"| `{step.name}` | {step.level} | {step.deadline_text} | {outcomes} | {back} | {up} |"
        assert row in page, f"docs/procedures.md: the row of step {step.name} is out of date"
