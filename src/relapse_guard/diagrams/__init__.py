"""The household lifecycle drawn from the code: mermaid, Graphviz DOT and SVG.

Every renderer draws the lifecycle's edges (:data:`relapse_guard.lifecycle.EDGES`, the edges
of :data:`~relapse_guard.lifecycle.TRANSITIONS`, from which the engine's table is compiled),
in their order, so a drawing can never disagree with what the engine runs. Each edge is
labelled with its event and, in brackets, its guard.

- :func:`mermaid`: a mermaid ``stateDiagram-v2`` (the block in docs/lifecycle.md), written by
  :func:`relapse_guard.state_machine.mermaid`;
- :func:`dot`: Graphviz DOT text, for ``dot -Tpng`` or any DOT viewer, written by
  :func:`relapse_guard.state_machine.dot`;
- :func:`svg`: a standalone SVG drawing, laid out in pure Python, with no Graphviz needed.

:func:`svg` lays the states out top to bottom in layers, by their distance from ``new``
along the edges (see :mod:`relapse_guard.diagrams._layout`). docs/images/lifecycle.svg is this
drawing, and a test keeps it so.

Each renderer takes the edges to draw (the lifecycle's by default); ``relapse-guard diagram
--format mermaid|dot|svg`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import InvalidArgument
from ..lifecycle import EDGES, Event, State
from ..state_machine import Edge
from ..state_machine import dot as dot_from_edges
from ..state_machine import mermaid as mermaid_from_edges
from ._layout import NEW_CAPTION, draw, style_of

__all__ = ["FORMATS", "Edges", "dot", "mermaid", "render", "svg"]

#: Lifecycle edges to draw, as :data:`~relapse_guard.lifecycle.EDGES`.
Edges = Sequence[Edge[State, Event, str]]


def mermaid(edges: Edges = EDGES) -> str:
    """The lifecycle as a mermaid ``stateDiagram-v2``.

    Each edge is labelled ``event [guard]``; ``new`` is the entry point. Edges follow the
    order of ``edges`` (that of :data:`~relapse_guard.lifecycle.TRANSITIONS`), so the text is
    stable and can be compared with the docs.

    >>> print(mermaid().splitlines()[3])
        new --> identified: identify [identification_rule_holds]
    """
    return mermaid_from_edges(edges, initial=State.NEW)


def dot(edges: Edges = EDGES) -> str:
    """The lifecycle as Graphviz DOT text: one ``source -> dest`` line per edge, in order.

    Each edge's label is ``event\\n[guard]``; ``new`` (a household not on file) is dashed and
    entered from a start point. Render it with Graphviz, e.g. ``dot -Tsvg``.

    >>> print(dot().splitlines()[-2])
        "monitored" -> "stable" [label="stabilise\\n[transition_period_ended]"];
    """
    return dot_from_edges(
        edges,
        states=State,
        initial=State.NEW,
        graph="lifecycle",
        head=["// The relapse_guard household lifecycle, drawn from relapse_guard.lifecycle.TRANSITIONS."],
        defaults=[
            "rankdir=LR;",
            'node [shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#4a6785", fontname="Helvetica"];',
            'edge [color="#4a6785", fontname="Helvetica", fontsize=10];',
        ],
        attributes=_dot_attributes,
    )


def _dot_attributes(state: State) -> list[str]:
    style = style_of(state)
    attributes = [f'fillcolor="{style.fill}"', f'color="{style.stroke}"']
    if state is State.NEW:
        attributes += ['style="rounded,filled,dashed"', f'label="{state.value}\\n({NEW_CAPTION})"']
    return attributes


def svg(edges: Edges = EDGES) -> str:
    """The lifecycle as a standalone SVG drawing (text), laid out without Graphviz.

    States are boxes, top to bottom in lifecycle order (see the module's description); each
    transition is an arrow labelled with its event and ``[guard]``, and each arrow's
    ``<title>`` (its tooltip) reads ``source --event--> dest [guard]``. The output depends
    only on ``edges`` (by default :data:`~relapse_guard.lifecycle.EDGES`), so it is the same
    on every run.
    """
    return draw(edges)


#: The formats :func:`render` knows, each with its renderer.
FORMATS: dict[str, Callable[[], str]] = {"mermaid": mermaid, "dot": dot, "svg": svg}


def render(format: str) -> str:
    """The lifecycle in ``format`` (``mermaid``, ``dot`` or ``svg``).

    Raises :class:`~relapse_guard.errors.InvalidArgument` (a ``ValueError``) naming the known ones.
    """
    try:
        renderer = FORMATS[format]
    except KeyError:
        raise InvalidArgument(f"unknown diagram format {format!r}; known: {', '.join(FORMATS)}") from None
    return renderer()
