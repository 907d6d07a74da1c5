"""The household lifecycle, defined once as edges (see :mod:`relapse_guard.state_machine`).

States: ``identified -> assisted -> exited -> monitored -> stable``, with ``relapsed`` for a
household that falls back and ``new`` for one not (yet) on file. :data:`TRANSITIONS` is the
single definition; its :data:`EDGES` are compiled once into a plain table (:data:`TABLE`) that
the engine's hot path reads, and build the :class:`transitions.Machine`
(:func:`build_machine`). A property test proves the table and the Machine agree on every
state, event and guard. :mod:`relapse_guard.diagrams` draws the same edges (mermaid, DOT,
SVG).

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
from .state_machine import Edge, compile_table
from .state_machine import build_machine as machine_from_edges

__all__ = [
    "EDGES",
    "GUARDS",
    "TABLE",
    "TRANSITIONS",
    "Event",
    "LifecycleTransition",
    "State",
    "allowed_events",
    "build_machine",
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

    def edges(self) -> tuple[Edge[State, Event, str], ...]:
        """One edge per source, in the order of ``sources``."""
        return tuple(Edge(source, self.event, self.dest, self.guard) for source in self.sources)


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


#: The edges of :data:`TRANSITIONS`, one per source, in order: what the table, the Machine and
#: the drawings are made of.
EDGES: tuple[Edge[State, Event, str], ...] = tuple(edge for t in TRANSITIONS for edge in t.edges())

#: The compiled lifecycle: ``{(state, event): (dest, guard name)}``, in the order of :data:`EDGES`.
TABLE: Mapping[tuple[State, Event], tuple[State, str]] = compile_table(EDGES, State)


def build_machine(model: Any = None, *, initial: State = State.NEW) -> Machine:
    """A :class:`transitions.Machine` of the lifecycle's :data:`EDGES` (no auto transitions).

    States and triggers are the enum values. With ``model=None`` the Machine has no model:
    fire with :func:`relapse_guard.state_machine.fire`, or ``machine.events[name].trigger(model)``
    on a model that has a ``state`` attribute and a boolean attribute per guard name.
    """
    return machine_from_edges(EDGES, State, initial=initial, model=model)


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
