"""Edges compile into a table that agrees with the transitions.Machine built from the same edges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transitions import MachineError

from relapse_guard.lifecycle import Event, State
from relapse_guard.state_machine import Edge, build_machine, compile_table, dot, fire, machine_edges, mermaid, name_of

STATES = ("a", "b", "c", "d")
EVENTS = ("go", "stop", "back")
GUARDS = ("ready", "open")

Table = dict[tuple[str, str], tuple[str, str | None]]

tables = st.dictionaries(
    st.tuples(st.sampled_from(STATES), st.sampled_from(EVENTS)),
    st.tuples(st.sampled_from(STATES), st.none() | st.sampled_from(GUARDS)),
    max_size=12,
)


def edges_of(table: Table) -> list[Edge[str, str, str | None]]:
    return [Edge(source, event, dest, guard) for (source, event), (dest, guard) in table.items()]


@given(table=tables, state=st.sampled_from(STATES), event=st.sampled_from(EVENTS), data=st.data())
def test_table_and_machine_of_any_edges_agree(table: Table, state: str, event: str, data: st.DataObject) -> None:
    edges = edges_of(table)
    assert compile_table(edges, STATES) == table
    machine = build_machine(edges, STATES, initial="a")
    assert compile_table(machine_edges(machine, str, str)) == table
    guards = data.draw(st.fixed_dictionaries({name: st.booleans() for name in GUARDS}))
    if event not in machine.events:
        assert not any(key[1] == event for key in table)
        return
    try:
        moved, after = fire(machine, state, event, guards)
    except MachineError:
        assert (state, event) not in table
        return
    dest, guard = table[(state, event)]
    if guard is None or guards[guard]:
        assert (moved, after) == (True, dest)
    else:
        assert (moved, after) == (False, state)


def test_fire_leaves_the_machine_without_the_model() -> None:
    machine = build_machine([Edge("a", "go", "b", None)], STATES, initial="a")
    assert fire(machine, "a", "go", {}) == (True, "b")
    assert machine.models == []
    with pytest.raises(MachineError):
        fire(machine, "b", "go", {})
    with pytest.raises(KeyError):
        fire(machine, "a", "nowhere", {})


def test_compile_table_refuses_two_edges_from_one_state_on_one_event_and_unknown_states() -> None:
    two: list[Edge[str, str, str | None]] = [Edge("a", "go", "b", None), Edge("a", "go", "c", "ready")]
    with pytest.raises(ValueError, match="two edges leave a on go"):
        compile_table(two)
    with pytest.raises(ValueError, match="a --go--> z names a state"):
        compile_table([Edge("a", "go", "z", None)], STATES)
    assert compile_table([Edge("a", "go", "z", None)]) == {("a", "go"): ("z", None)}


def test_enum_states_and_events_are_named_by_their_values() -> None:
    edges = [Edge(State.NEW, Event.IDENTIFY, State.IDENTIFIED, "rule")]
    assert compile_table(edges) == {(State.NEW, Event.IDENTIFY): (State.IDENTIFIED, "rule")}
    machine = build_machine(edges, State, initial=State.NEW)
    assert list(machine.states) == [state.value for state in State]
    assert machine_edges(machine, State, Event) == tuple(edges)
    assert fire(machine, State.NEW, Event.IDENTIFY, {"rule": True}) == (True, "identified")
    assert (name_of(State.NEW), name_of("x")) == ("new", "x")


def test_mermaid_and_dot_write_one_line_per_edge_in_order() -> None:
    edges: list[Edge[str, str, str | None]] = [Edge("a", "go", "b", "ready"), Edge("b", "back", "a", None)]
    assert mermaid(edges, initial="a", labels={"a": "a (start)"}, finals=["b"]) == (
        "stateDiagram-v2\n"
        "    direction LR\n"
        '    state "a (start)" as a\n'
        "    [*] --> a\n"
        "    a --> b: go [ready]\n"
        "    b --> a: back\n"
        "    b --> [*]\n"
    )
    assert dot(edges, states=["a", "b"], initial="a", graph="g", head=["// g"], defaults=["rankdir=LR;"]) == (
        "// g\n"
        "digraph g {\n"
        "    rankdir=LR;\n"
        '    "__start__" [shape=point, width=0.15, label=""];\n'
        '    "a";\n'
        '    "b";\n'
        '    "__start__" -> "a";\n'
        '    "a" -> "b" [label="go\\n[ready]"];\n'
        '    "b" -> "a" [label="back"];\n'
        "}\n"
    )
