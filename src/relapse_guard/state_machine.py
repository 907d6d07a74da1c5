"""A state machine defined once, as a sequence of edges, and everything derived from them.

An :class:`Edge` says that ``event`` moves a model from ``source`` to ``dest`` when the named
``guard`` holds (``None``: no guard). A machine's edges, in order, are its single definition;
from them:

- :func:`compile_table`: the ``{(source, event): (dest, guard)}`` dict a hot path looks up;
- :func:`build_machine`: the :class:`transitions.Machine` of the same edges, which the
  property tests run against the table;
- :func:`machine_edges` reads a Machine's transitions back into edges, and :func:`fire` fires
  one event on a Machine: with them a test proves a compiled table and its Machine agree;
- :func:`mermaid` and :func:`dot`: the edges as mermaid ``stateDiagram-v2`` or Graphviz DOT
  text, one line per edge, in edge order.

States and events are enum members, named by their value (as the household lifecycle's are),
or plain strings (as a case procedure's step names are). The household lifecycle
(:mod:`relapse_guard.lifecycle`) and each case procedure (:mod:`relapse_guard.cases.machine`)
are defined this way.

>>> edges = [Edge("draft", "submit", "filed", "signed"), Edge("filed", "close", "done", None)]
>>> compile_table(edges)[("draft", "submit")]
('filed', 'signed')
>>> print(mermaid(edges, initial="draft", finals=["done"]), end="")
stateDiagram-v2
    direction LR
    [*] --> draft
    draft --> filed: submit [signed]
    filed --> done: close
    done --> [*]
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
from transitions import Machine

from .errors import InvalidPolicy

__all__ = ["Edge", "build_machine", "compile_table", "dot", "fire", "machine_edges", "mermaid", "name_of"]

S = TypeVar("S", bound=Hashable)
E = TypeVar("E", bound=Hashable)
#: A guard: ``str`` for a machine whose every edge is guarded, ``str | None`` when some are not.
G = TypeVar("G", bound=str | None)


@attrs.frozen
class Edge(Generic[S, E, G]):
    """One edge: ``event`` moves ``source`` to ``dest`` when ``guard`` (if not None) holds."""

    source: S
    event: E
    dest: S
    guard: G


def name_of(item: Hashable) -> str:
    """The name of a state or event: an enum member's value, else the item as text.

    >>> name_of(enum.Enum("Colour", {"RED": "red"}).RED), name_of("draft")
    ('red', 'draft')
    """
    return str(item.value) if isinstance(item, enum.Enum) else str(item)


def compile_table(edges: Iterable[Edge[S, E, G]], states: Iterable[S] | None = None) -> dict[tuple[S, E], tuple[S, G]]:
    """The edges as a lookup table, ``{(source, event): (dest, guard)}``, in edge order.

    Raises :class:`~relapse_guard.errors.InvalidPolicy` (a ``ValueError``) if two edges leave
    one state on one event (the table could not say which applies) or, when ``states`` is
    given, if an edge names a state not among them.
    """
    known = None if states is None else frozenset(states)
    table: dict[tuple[S, E], tuple[S, G]] = {}
    for edge in edges:
        key = (edge.source, edge.event)
        if key in table:
            raise InvalidPolicy(f"two edges leave {name_of(edge.source)} on {name_of(edge.event)}")
        if known is not None and not {edge.source, edge.dest} <= known:
            raise InvalidPolicy(f"edge {_text(edge)} names a state the machine does not have")
        table[key] = (edge.dest, edge.guard)
    return table


def _text(edge: Edge[Any, Any, Any]) -> str:
    return f"{name_of(edge.source)} --{name_of(edge.event)}--> {name_of(edge.dest)}"


def build_machine(edges: Iterable[Edge[S, E, G]], states: Iterable[S], *, initial: S, model: Any = None) -> Machine:
    """A :class:`transitions.Machine` of ``edges`` (no auto transitions), starting at ``initial``.

    The Machine's states and triggers are the names (:func:`name_of`) of ``states`` and of the
    edges' events; each guard is a condition of that name. With ``model=None`` it has no
    model: fire with :func:`fire`, or ``machine.events[name].trigger(model)`` on a model that
    has a ``state`` attribute and a boolean attribute per guard name. :mod:`transitions` does
    not check that the edges name only ``states``: :func:`compile_table` with ``states`` does.
    """
    return Machine(
        model=model,
        states=[name_of(state) for state in states],
        transitions=[
            {
                "trigger": name_of(edge.event),
                "source": name_of(edge.source),
                "dest": name_of(edge.dest),
                "conditions": [] if edge.guard is None else [edge.guard],
            }
            for edge in edges
        ],
        initial=name_of(initial),
        auto_transitions=False,
        send_event=False,
    )


def machine_edges(
    machine: Machine, state: Callable[[str], S], event: Callable[[str], E]
) -> tuple[Edge[S, E, str | None], ...]:
    """A Machine's transitions as edges, by trigger then source; ``state`` and ``event`` turn names back.

    ``machine_edges(build_machine(edges, ...), State, Event)`` has the edges of ``edges`` (for
    a :func:`compile_table` equal to theirs). Raises :class:`~relapse_guard.errors.InvalidPolicy`
    (a ``ValueError``) for what an edge cannot
    say: more than one guard, an ``unless``, a guard that is not a name, or an internal
    transition (no destination).
    """
    found: list[Edge[S, E, str | None]] = []
    for event_name, trigger in machine.events.items():
        for source, transitions in trigger.transitions.items():
            for transition in transitions:
                guards = [c.func for c in transition.conditions if c.target]
                unless = [c.func for c in transition.conditions if not c.target]
                guard = guards[0] if guards else None
                where = f"{source} --{event_name}--> {transition.dest}"
                if len(guards) > 1 or unless or not (guard is None or isinstance(guard, str)):
                    raise InvalidPolicy(f"edge {where} needs at most one named guard")
                if transition.dest is None:
                    raise InvalidPolicy(f"edge {where} is internal: an edge always moves")
                found.append(Edge(state(source), event(event_name), state(transition.dest), guard))
    return tuple(found)


class _Model:
    """A throwaway model for :func:`fire`: a state and one boolean per guard name."""

    def __init__(self, state: str, guards: Mapping[str, bool]) -> None:
        self.state = state
        for guard, value in guards.items():
            setattr(self, guard, value)


def fire(machine: Machine, state: Hashable, event: Hashable, guards: Mapping[str, bool]) -> tuple[bool, str]:
    """Fire ``event`` on ``machine`` for a model in ``state`` whose guards have the values ``guards``.

    Returns whether the model moved and the name of the state it is in after. Raises
    :class:`transitions.MachineError` when no edge leaves ``state`` on ``event``, and
    ``KeyError`` when the Machine has no such event at all. The Machine is left as it was.

    >>> machine = build_machine([Edge("a", "go", "b", "ready")], ["a", "b"], initial="a")
    >>> fire(machine, "a", "go", {"ready": True}), fire(machine, "a", "go", {"ready": False})
    ((True, 'b'), (False, 'a'))
    """
    trigger = machine.events[name_of(event)]
    model = _Model(name_of(state), guards)
    machine.add_model(model, initial=name_of(state))
    try:
        moved = trigger.trigger(model)
        return bool(moved), str(model.state)
    finally:
        machine.remove_model(model)


def _label(edge: Edge[Any, Any, Any], separator: str) -> str:
    event = name_of(edge.event)
    return event if edge.guard is None else f"{event}{separator}[{edge.guard}]"


def mermaid(
    edges: Iterable[Edge[S, E, G]],
    *,
    initial: S,
    labels: Mapping[S, str] | None = None,
    finals: Iterable[S] = (),
) -> str:
    """The edges as a mermaid ``stateDiagram-v2``, one ``source --> dest: label`` line per edge, in order.

    Each edge is labelled ``event`` or ``event [guard]``; ``[*]`` enters ``initial`` and
    leaves each of ``finals``; each state of ``labels`` is declared first with its text.
    """
    lines = ["stateDiagram-v2", "    direction LR"]
    lines += [f'    state "{text}" as {name_of(state)}' for state, text in (labels or {}).items()]
    lines.append(f"    [*] --> {name_of(initial)}")
    lines += [f"    {name_of(e.source)} --> {name_of(e.dest)}: {_label(e, ' ')}" for e in edges]
    lines += [f"    {name_of(state)} --> [*]" for state in finals]
    return "\n".join(lines) + "\n"


_DOT_BREAK = "\\n"  # a line break inside a DOT label


def _dot_id(text: str) -> str:
    """A DOT quoted string; ``\\n`` in ``text`` stays a DOT line break."""
    return '"' + text.replace('"', '\\"') + '"'


def dot(
    edges: Iterable[Edge[S, E, G]],
    *,
    states: Iterable[S],
    initial: S,
    graph: str = "machine",
    head: Sequence[str] = (),
    defaults: Sequence[str] = (),
    attributes: Callable[[S], Sequence[str]] = lambda state: (),
) -> str:
    """The edges as Graphviz DOT text: one ``source -> dest`` line per edge, in order.

    ``head`` (comments) comes before ``digraph <graph> {``, ``defaults`` (``rankdir=LR;``,
    ``node [...];``) just after it. Each of ``states`` is declared with its
    ``attributes(state)`` (``key=value`` texts); a start point enters ``initial``. Each edge
    is labelled ``event\\n[guard]``, or ``event`` when it has no guard.

    >>> print(dot([Edge("a", "go", "b", None)], states=["a", "b"], initial="a").splitlines()[-2])
        "a" -> "b" [label="go"];
    """
    lines = [*head, f"digraph {graph} {{", *(f"    {line}" for line in defaults)]
    lines.append('    "__start__" [shape=point, width=0.15, label=""];')
    for state in states:
        listed = attributes(state)
        lines.append(f"    {_dot_id(name_of(state))}" + (f" [{', '.join(listed)}];" if listed else ";"))
    lines.append(f'    "__start__" -> {_dot_id(name_of(initial))};')
    for edge in edges:
        ends = f"{_dot_id(name_of(edge.source))} -> {_dot_id(name_of(edge.dest))}"
        lines.append(f"    {ends} [label={_dot_id(_label(edge, _DOT_BREAK))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
