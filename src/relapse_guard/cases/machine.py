"""One :mod:`transitions` Machine per procedure, compiled into the table the replay reads.

:func:`case_transitions` derives a procedure's edges from its steps (the single definition);
:func:`build_machine` builds the :class:`transitions.Machine` from them, used to validate the
definition and to draw it; :func:`table` compiles the Machine into a plain
``{(state, outcome): (dest, guard)}`` dict, once per procedure, which is what
:func:`~relapse_guard.cases.case.replay_case` runs. A property test proves the table and
the Machine agree on every state, outcome and guard value.

States are the step names plus ``approved`` and ``rejected``. Guards are named here and
evaluated by the replay from the record's date and the case:

- ``notice_ended``: a public notice closes (``approve``) only once its window has run;
- ``within_notice``: an objection is taken only until the notice window ends;
- ``appeals_left``: a rejected case is appealed at most ``max_appeals`` times.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping
from typing import Any

import attrs
from transitions import Machine

from .procedure import APPROVED, DECIDED, REJECTED, Outcome, Procedure

__all__ = [
    "APPEALS_LEFT",
    "GUARDS",
    "NOTICE_ENDED",
    "TRIGGERS",
    "WITHIN_NOTICE",
    "CaseTransition",
    "Table",
    "allowed_outcomes",
    "build_machine",
    "case_states",
    "case_transitions",
    "compile_table",
    "mermaid",
    "table",
]

NOTICE_ENDED = "notice_ended"
WITHIN_NOTICE = "within_notice"
APPEALS_LEFT = "appeals_left"
#: Every guard a case edge may carry.
GUARDS = (NOTICE_ENDED, WITHIN_NOTICE, APPEALS_LEFT)
#: The outcomes that move a case (``assign`` moves nothing and is not a trigger).
TRIGGERS = (Outcome.APPROVE, Outcome.REJECT, Outcome.SEND_BACK, Outcome.OBJECT, Outcome.APPEAL)

#: A compiled procedure: ``{(state, outcome): (dest, guard or None)}``.
Table = Mapping[tuple[str, Outcome], tuple[str, str | None]]


@attrs.frozen
class CaseTransition:
    """One edge: ``outcome`` moves a case from ``source`` to ``dest`` when ``guard`` (if any) holds."""

    outcome: Outcome
    source: str
    dest: str
    guard: str | None = None


def case_transitions(procedure: Procedure) -> tuple[CaseTransition, ...]:
    """The procedure's edges, derived from its steps, in step order."""
    edges: list[CaseTransition] = []
    first = procedure.first.name
    for step in procedure.steps:
        guard = NOTICE_ENDED if step.notice else None
        edges.append(CaseTransition(Outcome.APPROVE, step.name, procedure.next_after(step), guard))
        if Outcome.REJECT in step.outcomes:
            edges.append(CaseTransition(Outcome.REJECT, step.name, REJECTED))
        back = procedure.send_back_target(step)
        if back is not None:
            edges.append(CaseTransition(Outcome.SEND_BACK, step.name, back))
        if step.notice:
            edges.append(CaseTransition(Outcome.OBJECT, step.name, first, WITHIN_NOTICE))
    rejects = any(Outcome.REJECT in step.outcomes for step in procedure.steps)
    if rejects and procedure.max_appeals > 0 and procedure.appeal_to is not None:
        edges.append(CaseTransition(Outcome.APPEAL, REJECTED, procedure.appeal_to, APPEALS_LEFT))
    return tuple(edges)


def case_states(procedure: Procedure) -> tuple[str, ...]:
    """The Machine's states: every step, then ``approved`` and ``rejected``."""
    return (*procedure.step_names, *DECIDED)


def build_machine(procedure: Procedure, model: Any = None, *, initial: str | None = None) -> Machine:
    """A :class:`transitions.Machine` of ``procedure`` (no auto transitions), starting at its first step.

    With ``model=None`` the Machine has no model: fire with ``machine.events[name].trigger(model)``
    on a model that has a ``state`` attribute and a boolean attribute per guard name.
    """
    return Machine(
        model=model,
        states=list(case_states(procedure)),
        transitions=[
            {
                "trigger": edge.outcome.value,
                "source": edge.source,
                "dest": edge.dest,
                "conditions": [] if edge.guard is None else [edge.guard],
            }
            for edge in case_transitions(procedure)
        ],
        initial=initial or procedure.first.name,
        auto_transitions=False,
        send_event=False,
    )


def compile_table(machine: Machine) -> dict[tuple[str, Outcome], tuple[str, str | None]]:
    """Compile a Machine's transitions into ``{(state, outcome): (dest, guard or None)}``.

    Raises ``ValueError`` if an edge has more than one guard or an ``unless``, or two edges
    share a (state, outcome), since the table could not then say which applies.
    """
    compiled: dict[tuple[str, Outcome], tuple[str, str | None]] = {}
    for event_name, event in machine.events.items():
        for source, edges in event.transitions.items():
            for edge in edges:
                guards = [c.func for c in edge.conditions if c.target]
                unless = [c.func for c in edge.conditions if not c.target]
                guard = guards[0] if guards else None
                if len(guards) > 1 or unless or not (guard is None or isinstance(guard, str)):
                    raise ValueError(f"edge {source} --{event_name}--> {edge.dest} needs at most one named guard")
                if edge.dest is None:
                    raise ValueError(f"edge {source} --{event_name}--> is internal: a case outcome always moves it")
                key = (source, Outcome(event_name))
                if key in compiled:
                    raise ValueError(f"two edges leave {source} on {event_name}")
                compiled[key] = (edge.dest, guard)
    return compiled


@functools.lru_cache(maxsize=256)
def table(procedure: Procedure) -> Table:
    """The compiled table of ``procedure``, built from its Machine once and kept."""
    return types.MappingProxyType(compile_table(build_machine(procedure)))


def allowed_outcomes(procedure: Procedure, state: str) -> tuple[Outcome, ...]:
    """The outcomes that move a case out of ``state`` (guards aside), in trigger order."""
    compiled = table(procedure)
    return tuple(outcome for outcome in TRIGGERS if (state, outcome) in compiled)


def mermaid(procedure: Procedure) -> str:
    """The procedure as a mermaid ``stateDiagram-v2``, drawn from its compiled Machine.

    Each step is labelled with its level and deadline; each edge is labelled ``outcome`` or
    ``outcome [guard]``. Edges are in step order, then trigger order, so the text is stable
    and can be compared with the docs.
    """
    order = {name: index for index, name in enumerate(case_states(procedure))}
    lines = ["stateDiagram-v2", "    direction LR"]
    for step in procedure.steps:
        lines.append(f'    state "{step.name} ({step.level}, {step.deadline_text})" as {step.name}')
    lines.append(f"    [*] --> {procedure.first.name}")
    compiled = table(procedure)
    for (source, outcome), (dest, guard) in sorted(
        compiled.items(), key=lambda item: (order[item[0][0]], TRIGGERS.index(item[0][1]))
    ):
        label = outcome.value if guard is None else f"{outcome.value} [{guard}]"
        lines.append(f"    {source} --> {dest}: {label}")
    lines.extend(f"    {state} --> [*]" for state in (APPROVED, REJECTED))
    return "\n".join(lines) + "\n"
