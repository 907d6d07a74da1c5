"""Each procedure as edges (see :mod:`relapse_guard.state_machine`), compiled into the table the replay reads.

:func:`case_transitions` derives a procedure's edges from its steps (the single definition);
:func:`table` compiles them into a plain ``{(state, outcome): (dest, guard)}`` mapping, once
per procedure, which is what :func:`~relapse_guard.cases.case.replay_case` runs;
:func:`build_machine` builds the :class:`transitions.Machine` of the same edges;
:func:`mermaid` draws them. A property test proves the table and the
Machine agree on every state, outcome and guard value.

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

from transitions import Machine

from ..state_machine import Edge, compile_table
from ..state_machine import build_machine as machine_from_edges
from ..state_machine import mermaid as mermaid_from_edges
from .procedure import DECIDED, REJECTED, Outcome, Procedure

__all__ = [
    "APPEALS_LEFT",
    "GUARDS",
    "NOTICE_ENDED",
    "TRIGGERS",
    "WITHIN_NOTICE",
    "CaseEdge",
    "Table",
    "allowed_outcomes",
    "build_machine",
    "case_states",
    "case_transitions",
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


#: A case edge: an outcome moves a case between two states, with at most one guard.
CaseEdge = Edge[str, Outcome, str | None]


def case_transitions(procedure: Procedure) -> tuple[CaseEdge, ...]:
    """The procedure's edges, derived from its steps: in step order, and for each step in trigger order."""
    edges: list[CaseEdge] = []
    first = procedure.first.name
    for step in procedure.steps:
        guard = NOTICE_ENDED if step.notice else None
        edges.append(Edge(step.name, Outcome.APPROVE, procedure.next_after(step), guard))
        if Outcome.REJECT in step.outcomes:
            edges.append(Edge(step.name, Outcome.REJECT, REJECTED, None))
        back = procedure.send_back_target(step)
        if back is not None:
            edges.append(Edge(step.name, Outcome.SEND_BACK, back, None))
        if step.notice:
            edges.append(Edge(step.name, Outcome.OBJECT, first, WITHIN_NOTICE))
    rejects = any(Outcome.REJECT in step.outcomes for step in procedure.steps)
    if rejects and procedure.max_appeals > 0 and procedure.appeal_to is not None:
        edges.append(Edge(REJECTED, Outcome.APPEAL, procedure.appeal_to, APPEALS_LEFT))
    return tuple(edges)


def case_states(procedure: Procedure) -> tuple[str, ...]:
    """The Machine's states: every step, then ``approved`` and ``rejected``."""
    return (*procedure.step_names, *DECIDED)


def build_machine(procedure: Procedure, model: Any = None, *, initial: str | None = None) -> Machine:
    """A :class:`transitions.Machine` of ``procedure``'s edges (no auto transitions), starting at its first step.

    With ``model=None`` the Machine has no model: fire with :func:`relapse_guard.state_machine.fire`,
    or ``machine.events[name].trigger(model)`` on a model that has a ``state`` attribute and a
    boolean attribute per guard name.
    """
    edges = case_transitions(procedure)
    return machine_from_edges(edges, case_states(procedure), initial=initial or procedure.first.name, model=model)


@functools.lru_cache(maxsize=256)
def table(procedure: Procedure) -> Table:
    """The compiled table of ``procedure``, built from its edges once and kept (read-only).

    Raises ``ValueError`` if two edges leave one state on one outcome.
    """
    return types.MappingProxyType(compile_table(case_transitions(procedure), case_states(procedure)))


def allowed_outcomes(procedure: Procedure, state: str) -> tuple[Outcome, ...]:
    """The outcomes that move a case out of ``state`` (guards aside), in trigger order."""
    compiled = table(procedure)
    return tuple(outcome for outcome in TRIGGERS if (state, outcome) in compiled)


def mermaid(procedure: Procedure) -> str:
    """The procedure as a mermaid ``stateDiagram-v2``, drawn from its edges.

    Each step is labelled with its level and deadline; each edge is labelled ``outcome`` or
    ``outcome [guard]``. Edges are in step order, then trigger order, so the text is stable
    and can be compared with the docs.
    """
    labels = {step.name: f"{step.name} ({step.level}, {step.deadline_text})" for step in procedure.steps}
    return mermaid_from_edges(case_transitions(procedure), initial=procedure.first.name, labels=labels, finals=DECIDED)
