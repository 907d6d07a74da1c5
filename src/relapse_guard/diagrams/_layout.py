"""The household lifecycle as a standalone SVG drawing, laid out in pure Python (no Graphviz).

:func:`draw` is what :func:`relapse_guard.diagrams.svg` returns. It lays the states out top to
bottom in layers: a state's layer is its distance from ``new`` along the lifecycle's edges,
and states of one layer stand side by side in the order they are first reached. Edges down to
the next layer are straight; an edge to another column turns once; an edge back up
(``stable -> identified``, ``relapsed -> assisted``) runs in a channel beside the drawing.
``new``, which stands for a household not on file, is dashed, with a start mark above it.
:func:`style_of` gives each state's colours, which the DOT text uses too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

import attrs

from ..lifecycle import Event, State
from ..state_machine import Edge

__all__ = ["NEW_CAPTION", "Style", "draw", "style_of"]

#: Lifecycle edges, as :data:`~relapse_guard.lifecycle.EDGES`.
Edges = Sequence[Edge[State, Event, str]]

#: The caption under ``new``, which stands for a household not on file.
NEW_CAPTION = "not on file"
_SANS = "Helvetica, Arial, sans-serif"
_MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
_STATE_FONT = 14
_EVENT_FONT = 12
_GUARD_FONT = 11
_MONO_WIDTH = 0.62  # advance of a monospace character, in ems (a little over most fonts')
_BOX_H = 40
_BAND = 66  # vertical gap between layers
_MARGIN = 24
_TOP = 56  # room above the first layer for the start mark
_PAD = 10  # between an edge and its label
_CHANNEL_GAP = 20  # between the drawing and a back edge's channel
_RADIUS = 8  # of the corners of edges


@attrs.frozen
class Style:
    """How a state is drawn: its fill and stroke colours, and whether its outline is dashed."""

    fill: str
    stroke: str
    dashed: bool = False


_DEFAULT_STYLE = Style("#eef4fb", "#4a6785")
_STYLES: dict[State, Style] = {
    State.NEW: Style("#f4f4f4", "#8a8a8a", dashed=True),
    State.RELAPSED: Style("#fbeaea", "#a94442"),
    State.STABLE: Style("#eaf6ea", "#3c763d"),
}


def style_of(state: State) -> Style:
    """How ``state`` is drawn, in the SVG and in the DOT text alike."""
    return _STYLES.get(state, _DEFAULT_STYLE)


@attrs.frozen
class _Box:
    state: State
    layer: int
    column: int
    cx: int
    cy: int
    w: int

    @property
    def left(self) -> int:
        return self.cx - self.w // 2

    @property
    def right(self) -> int:
        return self.cx + self.w // 2

    @property
    def top(self) -> int:
        return self.cy - _BOX_H // 2

    @property
    def bottom(self) -> int:
        return self.cy + _BOX_H // 2


@attrs.frozen
class _Edge:
    source: State
    dest: State
    events: tuple[str, ...]
    guards: tuple[str, ...]

    def lines(self) -> list[tuple[str, bool]]:
        """The label's lines, each with whether it is an event (else a guard)."""
        out: list[tuple[str, bool]] = []
        for event, guard in zip(self.events, self.guards, strict=True):
            out += [(event, True), (f"[{guard}]", False)]
        return out

    def width(self) -> int:
        return max(_text_width(text, _EVENT_FONT if is_event else _GUARD_FONT) for text, is_event in self.lines())

    def height(self) -> int:
        return sum(_line_height(is_event) for _, is_event in self.lines())


def _text_width(text: str, size: int) -> int:
    return int(len(text) * size * _MONO_WIDTH + 0.999)


def _line_height(is_event: bool) -> int:
    return 15 if is_event else 14


def _edges(edges: Edges) -> list[_Edge]:
    """The edges grouped by (source, dest), in edge order."""
    grouped: dict[tuple[State, State], list[tuple[str, str]]] = {}
    for edge in edges:
        grouped.setdefault((edge.source, edge.dest), []).append((edge.event.value, edge.guard))
    return [
        _Edge(source, dest, tuple(e for e, _ in labels), tuple(g for _, g in labels))
        for (source, dest), labels in grouped.items()
    ]


def _layers(edges: Edges) -> dict[State, tuple[int, int]]:
    """Each state's (layer, column): breadth first from ``new``, columns in the order reached."""
    placed: dict[State, tuple[int, int]] = {State.NEW: (0, 0)}
    per_layer: dict[int, int] = {0: 1}
    queue = [State.NEW]
    while queue:
        state = queue.pop(0)
        layer = placed[state][0] + 1
        for edge in edges:
            if edge.source is state and edge.dest not in placed:
                placed[edge.dest] = (layer, per_layer.get(layer, 0))
                per_layer[layer] = per_layer.get(layer, 0) + 1
                queue.append(edge.dest)
    for state in State:  # states nothing reaches: a layer of their own at the end
        if state not in placed:
            placed[state] = (max(layer for layer, _ in placed.values()) + 1, 0)
    return placed


class _Canvas:
    """SVG elements, collected in drawing order, and the extent they cover."""

    def __init__(self) -> None:
        self.elements: list[str] = []
        self.min_x = self.max_x = self.max_y = 0

    def cover(self, x0: int, x1: int, y1: int) -> None:
        self.min_x = min(self.min_x, x0)
        self.max_x = max(self.max_x, x1)
        self.max_y = max(self.max_y, y1)

    def text(self, x: int, y: int, text: str, *, size: int, anchor: str = "middle", css: str = "") -> None:
        attributes = f'x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}"'
        if css:
            attributes += f' class="{css}"'
        self.elements.append(f"<text {attributes}>{escape(text)}</text>")

    def label(self, edge: _Edge, x: int, top: int, anchor: str) -> None:
        """The edge's label lines from ``top`` down, anchored at ``x``."""
        y = top
        width = edge.width()
        for text, is_event in edge.lines():
            y += _line_height(is_event)
            size = _EVENT_FONT if is_event else _GUARD_FONT
            self.text(x, y - 3, text, size=size, anchor=anchor, css="event" if is_event else "guard")
        x0 = {"start": x, "middle": x - width // 2, "end": x - width}[anchor]
        self.cover(x0, x0 + width, y)


def _path(points: Sequence[tuple[int, int]]) -> str:
    """An SVG path through ``points``, its corners rounded."""
    (x, y), *rest = points
    commands = [f"M{x},{y}"]
    for index, (cx, cy) in enumerate(rest[:-1]):
        px, py = points[index]
        nx, ny = rest[index + 1]
        r_in = min(_RADIUS, (abs(cx - px) + abs(cy - py)) // 2)
        r_out = min(_RADIUS, (abs(nx - cx) + abs(ny - cy)) // 2)
        ax, ay = cx - _sign(cx - px) * r_in, cy - _sign(cy - py) * r_in
        bx, by = cx + _sign(nx - cx) * r_out, cy + _sign(ny - cy) * r_out
        commands.append(f"L{ax},{ay} Q{cx},{cy} {bx},{by}")
    x, y = rest[-1]
    commands.append(f"L{x},{y}")
    return " ".join(commands)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _edge_group(edge: _Edge, points: Sequence[tuple[int, int]], draw: Callable[[], None], canvas: _Canvas) -> None:
    title = "\n".join(
        f"{edge.source.value} --{event}--> {edge.dest.value} [{guard}]"
        for event, guard in zip(edge.events, edge.guards, strict=True)
    )
    canvas.elements.append(
        f'<g class="edge" data-source="{edge.source.value}" data-dest="{edge.dest.value}" '
        f'data-events="{" ".join(edge.events)}">'
    )
    canvas.elements.append(f"<title>{escape(title)}</title>")
    canvas.elements.append(f'<path d="{_path(points)}" marker-end="url(#arrow)"/>')
    draw()
    canvas.elements.append("</g>")


def draw(edges: Edges) -> str:
    """``edges`` of the lifecycle as a standalone SVG drawing (text); see :func:`relapse_guard.diagrams.svg`."""
    places = _layers(edges)
    arrows = _edges(edges)
    box_w = (max(_text_width(s.value, _STATE_FONT) for s in State) + 37) // 2 * 2  # even: a centre in whole pixels
    # column pitch: room for the labels beside a column's straight edges and on its turning edges
    side_labels = [e.width() for e in arrows if _is_straight(e, places)]
    row_labels = [e.width() for e in arrows if _runs_along_a_row(e, places)]
    gap = max([120, *(w + 2 * _PAD + 16 for w in side_labels), *(w + 2 * _PAD + 24 for w in row_labels)])
    pitch_x, pitch_y = box_w + gap, _BOX_H + _BAND
    boxes = {
        state: _Box(state, layer, column, column * pitch_x, _TOP + layer * pitch_y + _BOX_H // 2, box_w)
        for state, (layer, column) in places.items()
    }
    canvas = _Canvas()
    canvas.cover(-box_w // 2, max(b.right for b in boxes.values()), max(b.bottom for b in boxes.values()))

    back_left = [e for e in arrows if not _is_forward(e, places) and places[e.source][1] == 0]
    back_right = [e for e in arrows if not _is_forward(e, places) and places[e.source][1] != 0]
    back_right += [e for e in arrows if _is_forward(e, places) and _skips_in_its_column(e, places)]

    for edge in arrows:
        if edge in back_left or edge in back_right:
            continue
        _draw_forward(edge, boxes, canvas)
    # back edges last, in channels outside what is drawn so far, the longest span outermost
    left_edge, right_edge = canvas.min_x, canvas.max_x
    for edge in sorted(back_left, key=lambda e: _span(e, places)):
        left_edge = _draw_channel(edge, boxes, canvas, left_edge, side=-1)
    for edge in sorted(back_right, key=lambda e: _span(e, places)):
        right_edge = _draw_channel(edge, boxes, canvas, right_edge, side=1)

    _draw_start(boxes[State.NEW], canvas)
    for box in boxes.values():
        _draw_box(box, canvas)

    return _document(canvas)


def _document(canvas: _Canvas) -> str:
    """The SVG document: its size, styles and arrow head, then what ``canvas`` holds."""
    x0, x1 = canvas.min_x - _MARGIN, canvas.max_x + _MARGIN
    width, height = x1 - x0, canvas.max_y + _MARGIN
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="{x0} 0 {width} {height}" role="img" aria-labelledby="lifecycle-title">',
        '<title id="lifecycle-title">The relapse_guard household lifecycle: states and transitions '
        "(event [guard])</title>",
        "<style>",
        f"text {{ font-family: {_SANS}; fill: #1f2d3d; }}",
        f".event, .guard {{ font-family: {_MONO}; }}",
        ".event { font-weight: bold; fill: #24425e; }",
        ".guard { fill: #5b6b7b; }",
        ".state { font-weight: bold; }",
        ".caption { font-style: italic; fill: #6b6b6b; }",
        ".edge path { fill: none; stroke: #4a6785; stroke-width: 1.5; }",
        "</style>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto">',
        '<path d="M0,0 L10,5 L0,10 z" fill="#4a6785"/>',
        "</marker>",
        "</defs>",
        f'<rect x="{x0}" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    return "\n".join([*head, *canvas.elements, "</svg>"]) + "\n"


def _is_forward(edge: _Edge, places: dict[State, tuple[int, int]]) -> bool:
    return places[edge.dest][0] >= places[edge.source][0] and edge.dest is not edge.source


def _is_straight(edge: _Edge, places: dict[State, tuple[int, int]]) -> bool:
    """Down one layer in the same column: a straight edge labelled at its side."""
    (layer, column), (dest_layer, dest_column) = places[edge.source], places[edge.dest]
    return dest_layer == layer + 1 and dest_column == column


def _skips_in_its_column(edge: _Edge, places: dict[State, tuple[int, int]]) -> bool:
    (layer, column), (dest_layer, dest_column) = places[edge.source], places[edge.dest]
    return dest_column == column and dest_layer > layer + 1


def _runs_along_a_row(edge: _Edge, places: dict[State, tuple[int, int]]) -> bool:
    """Across a layer, or turning into another column: labelled along its level part."""
    return _is_forward(edge, places) and not _is_straight(edge, places) and not _skips_in_its_column(edge, places)


def _span(edge: _Edge, places: dict[State, tuple[int, int]]) -> int:
    return abs(places[edge.source][0] - places[edge.dest][0])


def _draw_forward(edge: _Edge, boxes: dict[State, _Box], canvas: _Canvas) -> None:
    source, dest = boxes[edge.source], boxes[edge.dest]
    if source.column == dest.column:  # straight down; label to the right, in the band
        points = [(source.cx, source.bottom), (dest.cx, dest.top)]
        top = (source.bottom + dest.top - edge.height()) // 2
        _edge_group(edge, points, lambda: canvas.label(edge, source.cx + _PAD, top, "start"), canvas)
        return
    side = 1 if dest.cx > source.cx else -1
    start_x = source.right if side > 0 else source.left
    if dest.layer == source.layer:  # across the row, into the side of dest
        end_x = dest.left if side > 0 else dest.right
        points = [(start_x, source.cy), (end_x, dest.cy)]
    else:  # along the row to dest's column, then down into its top
        end_x = dest.cx
        points = [(start_x, source.cy), (dest.cx, source.cy), (dest.cx, dest.top)]
    level_end = end_x if dest.layer == source.layer else dest.cx - side * dest.w // 2
    label_x = (start_x + level_end) // 2

    def label() -> None:
        # events above the level part (the first one nearest), guards below it
        events = [text for text, is_event in edge.lines() if is_event]
        guards = [text for text, is_event in edge.lines() if not is_event]
        for index, text in enumerate(events):
            canvas.text(label_x, source.cy - 5 - index * _line_height(True), text, size=_EVENT_FONT, css="event")
        for index, text in enumerate(guards):
            canvas.text(label_x, source.cy + 14 + index * _line_height(False), text, size=_GUARD_FONT, css="guard")
        half = edge.width() // 2
        canvas.cover(label_x - half, label_x + half, source.cy + 14 + len(guards) * _line_height(False))

    _edge_group(edge, points, label, canvas)


def _draw_channel(edge: _Edge, boxes: dict[State, _Box], canvas: _Canvas, outer: int, side: int) -> int:
    """A back edge in a channel beyond ``outer`` on ``side`` (-1 left, 1 right); returns the new outer x."""
    source, dest = boxes[edge.source], boxes[edge.dest]
    label_w = edge.width()
    channel = outer + side * (_CHANNEL_GAP + label_w + 2 * _PAD)
    start_x = source.left if side < 0 else source.right
    end_x = dest.left if side < 0 else dest.right
    points = [(start_x, source.cy), (channel, source.cy), (channel, dest.cy), (end_x, dest.cy)]
    middle = (source.cy + dest.cy) // 2
    top = middle - edge.height() // 2
    anchor = "start" if side < 0 else "end"
    _edge_group(edge, points, lambda: canvas.label(edge, channel - side * _PAD, top, anchor), canvas)
    canvas.cover(channel, channel, dest.bottom)
    return channel


def _draw_start(new: _Box, canvas: _Canvas) -> None:
    y = new.top - 30
    canvas.elements.append(f'<circle cx="{new.cx}" cy="{y}" r="7" fill="#4a6785"/>')
    canvas.elements.append(
        f'<g class="edge start"><path d="M{new.cx},{y + 7} L{new.cx},{new.top}" marker-end="url(#arrow)"/></g>'
    )


def _draw_box(box: _Box, canvas: _Canvas) -> None:
    style = style_of(box.state)
    dash = ' stroke-dasharray="5 4"' if style.dashed else ""
    canvas.elements.append(
        f'<g class="state" data-state="{box.state.value}">'
        f'<rect x="{box.left}" y="{box.top}" width="{box.w}" height="{_BOX_H}" rx="10" '
        f'fill="{style.fill}" stroke="{style.stroke}" stroke-width="1.5"{dash}/>'
    )
    if box.state is State.NEW:
        canvas.text(box.cx, box.cy - 2, box.state.value, size=_STATE_FONT, css="state")
        canvas.text(box.cx, box.cy + 13, NEW_CAPTION, size=10, css="caption")
    else:
        canvas.text(box.cx, box.cy + 5, box.state.value, size=_STATE_FONT, css="state")
    canvas.elements.append("</g>")
