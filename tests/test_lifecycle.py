from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transitions import MachineError

from relapse_guard import State
from relapse_guard.diagrams import mermaid
from relapse_guard.errors import InvalidTransition
from relapse_guard.lifecycle import EDGES, GUARDS, TABLE, TRANSITIONS, Event, allowed_events, build_machine, next_state
from relapse_guard.state_machine import compile_table, fire, machine_edges

DOCS = Path(__file__).resolve().parents[1] / "docs"


class _Model:
    """A model for the transitions Machine: a state and one boolean per guard."""

    def __init__(self, state: State, guards: dict[str, bool]) -> None:
        self.state = state.value
        for name, value in guards.items():
            setattr(self, name, value)


_MACHINE = build_machine()


@given(
    state=st.sampled_from(State),
    event=st.sampled_from(Event),
    guards=st.fixed_dictionaries({name: st.booleans() for name in GUARDS}),
)
def test_compiled_table_agrees_with_transitions_machine(state: State, event: Event, guards: dict[str, bool]) -> None:
    try:
        moved, after = fire(_MACHINE, state, event, guards)
    except MachineError:
        assert (state, event) not in TABLE
        with pytest.raises(InvalidTransition):
            next_state("h", state, event)
        return
    dest, guard = next_state("h", state, event)
    if guards[guard]:
        assert moved is True
        assert after == dest.value
    else:
        assert moved is False
        assert after == state.value


def test_the_machine_has_the_edges_the_table_was_compiled_from() -> None:
    assert machine_edges(_MACHINE, State, Event) == EDGES
    assert compile_table(machine_edges(_MACHINE, State, Event)) == TABLE
    assert list(TABLE.items()) == [((e.source, e.event), (e.dest, e.guard)) for e in EDGES]


def test_every_state_and_event_is_covered_exhaustively() -> None:
    # Exhaustive, to complement the property: 7 states x 6 events, with all guards true.
    for state in State:
        for event in Event:
            model = _Model(state, dict.fromkeys(GUARDS, True))
            machine = build_machine(model, initial=state)
            try:
                getattr(model, event.value)()
            except MachineError:
                assert (state, event) not in TABLE
            else:
                assert TABLE[(state, event)][0].value == model.state
            del machine


def test_the_issue_transitions_exist() -> None:
    expected = {
        (State.NEW, Event.IDENTIFY): State.IDENTIFIED,
        (State.STABLE, Event.IDENTIFY): State.IDENTIFIED,
        (State.IDENTIFIED, Event.ASSIST): State.ASSISTED,
        (State.RELAPSED, Event.ASSIST): State.ASSISTED,
        (State.ASSISTED, Event.EXIT): State.EXITED,
        (State.EXITED, Event.START_MONITORING): State.MONITORED,
        (State.EXITED, Event.RELAPSE): State.RELAPSED,
        (State.MONITORED, Event.RELAPSE): State.RELAPSED,
        (State.MONITORED, Event.STABILISE): State.STABLE,
    }
    assert {key: dest for key, (dest, _) in TABLE.items()} == expected
    assert len(TRANSITIONS) == 6


def test_invalid_move_names_household_state_and_event() -> None:
    with pytest.raises(InvalidTransition) as info:
        next_state("YB-7", State.NEW, Event.EXIT)
    error = info.value
    assert (error.household_id, error.state, error.event) == ("YB-7", "new", "exit")
    assert error.allowed == ("identify",)
    assert "'YB-7'" in str(error)
    assert "'new'" in str(error)
    assert "'exit'" in str(error)
    assert allowed_events(State.MONITORED) == (Event.RELAPSE, Event.STABILISE)


def test_mermaid_lists_every_edge() -> None:
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    edges = re.findall(r"^\s+(\w+) --> (\w+): (\w+) \[(\w+)\]$", text, flags=re.M)
    assert {(s, d, e) for s, d, e, _ in edges} == {(s.value, d.value, e.value) for (s, e), (d, _) in TABLE.items()}


def test_docs_diagram_matches_code() -> None:
    page = (DOCS / "lifecycle.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", page, flags=re.S)
    assert blocks, "docs/lifecycle.md has no mermaid block"
    assert blocks[0] == mermaid(), "docs/lifecycle.md is out of date: paste `relapse-guard diagram` into it"
