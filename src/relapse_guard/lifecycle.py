"""The household lifecycle, defined once with :mod:`transitions`.

States: ``identified -> assisted -> exited -> monitored -> stable``, with ``relapsed`` for a
household that falls back and ``new`` for one not (yet) on file. :data:`TRANSITIONS` is the
single definition: it builds the :class:`transitions.Machine` (used to validate the definition
and draw it) and is compiled into a plain table (:data:`TABLE`) that the engine's hot path
reads. A property test proves the table and the Machine agree on every state, event and guard.

Guards are named here and evaluated by the policy's rules (see :mod:`relapse_guard.rules`):
the lifecycle says *which* moves exist, the policy says *when* they are taken.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs
from transitions import Machine

from .errors import InvalidTransition

__all__ = [
    "TABLE",
    "TRANSITIONS",
    "Event",
    "LifecycleTransition",
    "State",
    "allowed_events",
    "build_machine",
    "compile_table",
    "mermaid",
    "next_state",
]


class State(enum.Enum):
    """A household's lifecycle state. ``NEW`` means not on file: never identified."""

    NEW = "new"
    IDENTIFIED = "identified"
    ASSISTED = "assisted"
    EXITED = "exited"
    MONITORED = "monitored"
    RELAPSED = "relapsed"
    STABLE = "stable"


class Event(enum.Enum):
    """What moves a household between states."""

    IDENTIFY = "identify"
    ASSIST = "assist"
    EXIT = "exit"
    START_MONITORING = "start_monitoring"
    RELAPSE = "relapse"
    STABILISE = "stabilise"


@attrs.frozen
class LifecycleTransition:
    """One edge group: ``event`` moves any of ``sources`` to ``dest`` when ``guard`` holds."""

    event: Event
    sources: tuple[State, ...]
    dest: State
    guard: str
    description: str


#: The lifecycle, once. Everything else (Machine, table, diagram, docs) derives from it.
TRANSITIONS: tuple[LifecycleTransition, ...] = (
    LifecycleTransition(
        Event.IDENTIFY,
        (State.NEW, State.STABLE),
        State.IDENTIFIED,
        "identification_rule_holds",
        "an identification rule of the policy holds (income below the line, relative poverty, ...)",
    ),
    LifecycleTransition(
        Event.ASSIST,
        (State.IDENTIFIED, State.RELAPSED),
        State.ASSISTED,
        "interventions_granted",
        "assistance or an intervention is granted",
    ),
    LifecycleTransition(
        Event.EXIT,
        (State.ASSISTED,),
        State.EXITED,
        "exit_rule_holds",
        "income at or above the line and basic needs secured, verified",
    ),
    LifecycleTransition(
        Event.START_MONITORING,
        (State.EXITED,),
        State.MONITORED,
        "transition_period_started",
        "the transition period starts (exit date or 1 January of the next year, as the policy says)",
    ),
    LifecycleTransition(
        Event.RELAPSE,
        (State.EXITED, State.MONITORED),
        State.RELAPSED,
        "relapse_rule_holds",
        "income falls below the line or a basic need breaks",
    ),
    LifecycleTransition(
        Event.STABILISE,
        (State.MONITORED,),
        State.STABLE,
        "transition_period_ended",
        "the transition period ends with no open relapse",
    ),
)

#: Every guard name used by :data:`TRANSITIONS`.
GUARDS: tuple[str, ...] = tuple(t.guard for t in TRANSITIONS)


def _machine_transitions() -> list[dict[str, Any]]:
    return [
        {
            "trigger": t.event.value,
            "source": [s.value for s in t.sources],
            "dest": t.dest.value,
            "conditions": t.guard,
        }
        for t in TRANSITIONS
    ]


def build_machine(model: Any = None, *, initial: State = State.NEW) -> Machine:
    """A :class:`transitions.Machine` of the lifecycle (no auto transitions).

    With ``model=None`` the Machine has no model: fire with ``machine.events[name].trigger(model)``
    on a model that has a ``state`` attribute and a boolean attribute per guard name.
    """
    return Machine(
        model=model,
        states=[s.value for s in State],
        transitions=_machine_transitions(),
        initial=initial.value,
        auto_transitions=False,
        send_event=False,
    )


def compile_table(machine: Machine) -> Mapping[tuple[State, Event], tuple[State, str]]:
    """Compile a Machine's transitions into ``{(state, event): (dest, guard)}``.

    Raises ``ValueError`` if an edge has other than exactly one guard, or two edges share a
    (state, event), since the table could not then say which applies.
    """
    table: dict[tuple[State, Event], tuple[State, str]] = {}
    for event_name, event in machine.events.items():
        for source, edges in event.transitions.items():
            for edge in edges:
                guards = [c.func for c in edge.conditions if c.target]
                unless = [c.func for c in edge.conditions if not c.target]
                if len(guards) != 1 or unless or not isinstance(guards[0], str):
                    raise ValueError(f"edge {source} --{event_name}--> {edge.dest} needs exactly one named guard")
                key = (State(source), Event(event_name))
                if key in table:
                    raise ValueError(f"two edges leave {source} on {event_name}")
                table[key] = (State(edge.dest), guards[0])
    return table


#: The compiled lifecycle: ``{(state, event): (dest, guard name)}``.
TABLE: Mapping[tuple[State, Event], tuple[State, str]] = compile_table(build_machine())


def allowed_events(state: State) -> tuple[Event, ...]:
    """Events that have a transition out of ``state``."""
    return tuple(event for (source, event) in TABLE if source is state)


def next_state(household_id: str, state: State, event: Event) -> tuple[State, str]:
    """The destination of ``event`` from ``state`` and the guard it needs.

    Raises :class:`~relapse_guard.errors.InvalidTransition` naming household, state and event
    when the lifecycle has no such move.
    """
    try:
        return TABLE[(state, event)]
    except KeyError:
        raise InvalidTransition(
            household_id, state.value, event.value, (e.value for e in allowed_events(state))
        ) from None


def mermaid() -> str:
    """The lifecycle as a mermaid ``stateDiagram-v2``, drawn from the Machine's transitions.

    Each edge is labelled ``event [guard]``; ``new`` is the entry point. Edges follow the
    order of :data:`TRANSITIONS`, so the text is stable and can be compared with the docs.
    :mod:`relapse_guard.diagrams` also draws the lifecycle as Graphviz DOT and as SVG.
    """
    from .diagrams import mermaid as draw  # diagrams imports this module: import late

    return draw(TABLE)
