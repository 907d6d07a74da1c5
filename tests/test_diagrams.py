"""The lifecycle's drawings (mermaid, DOT, SVG) are drawn from its edges, edge for edge, as the table is compiled."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import diagrams, state_machine
from relapse_guard.diagrams import FORMATS, Edges, dot, mermaid, render, svg
from relapse_guard.lifecycle import EDGES, TABLE, Event, State
from relapse_guard.state_machine import Edge

#: A compiled lifecycle, ``{(state, event): (dest, guard)}``, as ``lifecycle.TABLE``.
Table = Mapping[tuple[State, Event], tuple[State, str]]
ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
TRANSITIONS = [(source, event, dest, guard) for (source, event), (dest, guard) in TABLE.items()]
DOT_EDGE = re.compile(r'^\s*"(\w+)" -> "(\w+)" \[label="(\w+)\\n\[(\w+)\]"\];$')


def dot_edges(text: str) -> list[tuple[str, str, str, str]]:
    """(source, event, dest, guard) of every labelled edge line of DOT text."""
    found = []
    for line in text.splitlines():
        match = DOT_EDGE.match(line)
        if match:
            source, dest, event, guard = match.groups()
            found.append((source, event, dest, guard))
    return found


def svg_edges(text: str) -> list[tuple[str, str, str]]:
    """(source, event, dest) of every edge group of an SVG drawing."""
    root = ET.fromstring(text.encode("utf-8"))
    return [
        (group.get("data-source", ""), event, group.get("data-dest", ""))
        for group in root.iter(f"{SVG}g")
        if group.get("data-source")
        for event in group.get("data-events", "").split()
    ]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def as_strings(table: Table) -> list[tuple[str, str, str, str]]:
    return [(s.value, e.value, d.value, g) for (s, e), (d, g) in table.items()]


def edges_of(table: Table) -> Edges:
    """The table's entries as edges, in table order."""
    return [Edge(source, event, dest, guard) for (source, event), (dest, guard) in table.items()]


# --- DOT ---------------------------------------------------------------------------------


def test_dot_has_every_transition_exactly_once() -> None:
    text = dot()
    assert text.startswith("// The relapse_guard household lifecycle")
    assert "digraph lifecycle {" in text
    assert text.rstrip().endswith("}")
    assert dot_edges(text) == as_strings(TABLE)
    assert len(set(dot_edges(text))) == len(TABLE)
    assert '"__start__" -> "new";' in text


#: The lifecycle's DOT text, as it was first drawn: the shared writer must keep it.
LIFECYCLE_DOT = (
    "// The relapse_guard household lifecycle, drawn from relapse_guard.lifecycle.TRANSITIONS.\n"
    "digraph lifecycle {\n"
    "    rankdir=LR;\n"
    '    node [shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#4a6785", fontname="Helvetica"];\n'
    '    edge [color="#4a6785", fontname="Helvetica", fontsize=10];\n'
    '    "__start__" [shape=point, width=0.15, label=""];\n'
    '    "new" [fillcolor="#f4f4f4", color="#8a8a8a", style="rounded,filled,dashed", label="new\\n(not on file)"];\n'
    '    "identified" [fillcolor="#eef4fb", color="#4a6785"];\n'
    '    "assisted" [fillcolor="#eef4fb", color="#4a6785"];\n'
    '    "exited" [fillcolor="#eef4fb", color="#4a6785"];\n'
    '    "monitored" [fillcolor="#eef4fb", color="#4a6785"];\n'
    '    "relapsed" [fillcolor="#fbeaea", color="#a94442"];\n'
    '    "stable" [fillcolor="#eaf6ea", color="#3c763d"];\n'
    '    "__start__" -> "new";\n'
    '    "new" -> "identified" [label="identify\\n[identification_rule_holds]"];\n'
    '    "stable" -> "identified" [label="identify\\n[identification_rule_holds]"];\n'
    '    "identified" -> "assisted" [label="assist\\n[interventions_granted]"];\n'
    '    "relapsed" -> "assisted" [label="assist\\n[interventions_granted]"];\n'
    '    "assisted" -> "exited" [label="exit\\n[exit_rule_holds]"];\n'
    '    "exited" -> "monitored" [label="start_monitoring\\n[transition_period_started]"];\n'
    '    "exited" -> "relapsed" [label="relapse\\n[relapse_rule_holds]"];\n'
    '    "monitored" -> "relapsed" [label="relapse\\n[relapse_rule_holds]"];\n'
    '    "monitored" -> "stable" [label="stabilise\\n[transition_period_ended]"];\n'
    "}\n"
)


def test_dot_text_is_the_lifecycle_as_first_drawn() -> None:
    assert dot() == LIFECYCLE_DOT


def test_dot_declares_every_state_and_marks_new() -> None:
    text = dot()
    for state in State:
        assert re.search(rf'^\s*"{state.value}" \[', text, flags=re.M), state
    assert re.search(r'"new" \[.*dashed.*not on file', text)


# --- SVG ---------------------------------------------------------------------------------


def test_svg_is_well_formed_with_a_text_for_every_state_event_and_guard() -> None:
    root = ET.fromstring(svg().encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    words = texts(root)
    for state in State:
        assert state.value in words, state
    for _source, event, _dest, guard in TRANSITIONS:
        assert event.value in words, event
        assert f"[{guard}]" in words, guard


def test_svg_has_one_arrow_per_source_and_dest_and_every_transition() -> None:
    text = svg()
    assert sorted(svg_edges(text)) == sorted((s.value, e.value, d.value) for s, e, d, _ in TRANSITIONS)
    root = ET.fromstring(text.encode("utf-8"))
    for group in root.iter(f"{SVG}g"):
        if group.get("data-source"):
            assert len(group.findall(f"{SVG}path")) == 1
            assert group.find(f"{SVG}path").get("marker-end") == "url(#arrow)"  # type: ignore[union-attr]
            assert group.find(f"{SVG}title") is not None


def test_svg_is_the_same_every_time_and_has_a_background() -> None:
    assert svg() == svg()
    root = ET.fromstring(svg().encode("utf-8"))
    background = root.find(f"{SVG}rect")
    assert background is not None
    assert background.get("fill") == "#ffffff"


def test_the_checked_in_drawing_is_what_the_code_draws() -> None:
    checked_in = (ROOT / "docs" / "images" / "lifecycle.svg").read_text(encoding="utf-8")
    assert checked_in == svg(), (
        "docs/images/lifecycle.svg is out of date: relapse-guard diagram --format svg > docs/images/lifecycle.svg"
    )
    assert "](images/lifecycle.svg)" in (ROOT / "docs" / "lifecycle.md").read_text(encoding="utf-8")


# --- layout: nothing drawn over anything else --------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def text_box(element: ET.Element) -> Box:
    """A generous box around an SVG text: 0.62 em a character, ascent and descent."""
    size = float(element.get("font-size", "12"))
    width = len(element.text or "") * size * 0.62
    x, y = float(element.get("x", "0")), float(element.get("y", "0"))
    x0 = {"start": x, "middle": x - width / 2, "end": x - width}[element.get("text-anchor", "start")]
    return (x0, y - 0.8 * size, x0 + width, y + 0.25 * size)


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segments(d: str) -> list[Box]:
    """The straight parts of a path's ``d`` (corners, drawn as curves, are left out)."""
    found = []
    for piece in re.findall(r"[ML]-?\d+,-?\d+(?: Q-?\d+,-?\d+ -?\d+,-?\d+)?", d):
        numbers = [int(n) for n in re.findall(r"-?\d+", piece)]
        found.append((numbers[0], numbers[1], numbers[-2], numbers[-1]))
    lines: list[Box] = []
    for (_, _, x0, y0), (x1, y1, _, _) in itertools.pairwise(found):
        lines.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return lines


def crosses(line: Box, box: Box) -> bool:
    x0, y0, x1, y1 = line
    return x0 <= box[2] and box[0] <= x1 and y0 <= box[3] and box[1] <= y1


def shrink(box: Box, by: float) -> Box:
    return (box[0] + by, box[1] + by, box[2] - by, box[3] - by)


def test_svg_labels_boxes_and_arrows_do_not_overlap() -> None:
    root = ET.fromstring(svg().encode("utf-8"))
    states: dict[str, Box] = {}
    labels: list[tuple[str, Box]] = []
    lines: list[tuple[str, Box]] = []
    for group in root.iter(f"{SVG}g"):
        if group.get("data-state"):
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
            states[group.get("data-state", "")] = (
                x,
                y,
                x + float(rect.get("width", "0")),
                y + float(rect.get("height", "0")),
            )
            for text in group.iter(f"{SVG}text"):
                assert not any(  # a state's name stays in its box
                    a < b for a, b in zip(text_box(text)[:2], (x, y), strict=True)
                ), text.text
        elif group.get("data-source"):
            name = f"{group.get('data-source')}->{group.get('data-dest')}"
            labels += [(f"{name} {t.text}", text_box(t)) for t in group.iter(f"{SVG}text")]
            path = group.find(f"{SVG}path")
            assert path is not None
            lines += [(name, line) for line in segments(path.get("d", ""))]
    assert len(states) == len(State)
    for index, (name, box) in enumerate(labels):
        for other, other_box in labels[index + 1 :]:
            assert not overlap(box, other_box), (name, other)
        for state, state_box in states.items():
            assert not overlap(box, state_box), (name, state)
        for edge, line in lines:
            assert not crosses(line, box), (name, edge)
    for edge, line in lines:
        for state, state_box in states.items():
            assert not crosses(line, shrink(state_box, 1)), (edge, state)
    names = list(states)
    for index, name in enumerate(names):
        for other in names[index + 1 :]:
            assert not overlap(states[name], states[other]), (name, other)


def test_svg_draws_the_lifecycle_top_to_bottom() -> None:
    root = ET.fromstring(svg().encode("utf-8"))
    top = {
        group.get("data-state"): float(group.find(f"{SVG}rect").get("y", "0"))  # type: ignore[union-attr]
        for group in root.iter(f"{SVG}g")
        if group.get("data-state")
    }
    main_line = ["new", "identified", "assisted", "exited", "monitored", "stable"]
    assert [top[name] for name in main_line] == sorted(top[name] for name in main_line)
    assert len({top[name] for name in main_line}) == len(main_line)
    assert top["exited"] < top["relapsed"] < top["stable"]


# --- every format, every transition --------------------------------------------------------


@pytest.mark.parametrize(("source", "event", "dest", "guard"), TRANSITIONS, ids=lambda v: getattr(v, "value", v))
def test_every_transition_is_in_every_format(source: State, event: Event, dest: State, guard: str) -> None:
    assert f"    {source.value} --> {dest.value}: {event.value} [{guard}]\n" in mermaid()
    assert dot_edges(dot()).count((source.value, event.value, dest.value, guard)) == 1
    assert svg_edges(svg()).count((source.value, event.value, dest.value)) == 1
    tooltips = [t.text or "" for t in ET.fromstring(svg().encode("utf-8")).iter(f"{SVG}title")]
    assert f"{source.value} --{event.value}--> {dest.value} [{guard}]" in tooltips  # the arrow's tooltip


def test_render_knows_every_format_and_names_them_for_an_unknown_one() -> None:
    assert set(FORMATS) == {"mermaid", "dot", "svg"}
    assert render("mermaid") == mermaid() == state_machine.mermaid(EDGES, initial=State.NEW)
    assert render("dot") == dot()
    assert render("svg") == svg()
    with pytest.raises(ValueError, match="known: mermaid, dot, svg"):
        render("png")


tables = st.dictionaries(
    st.tuples(st.sampled_from(State), st.sampled_from(Event)),
    st.tuples(st.sampled_from(State), st.from_regex(r"[a-z][a-z_]{0,30}", fullmatch=True)),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(table=tables)
def test_any_table_is_drawn_edge_for_edge(table: Table) -> None:
    edges = edges_of(table)
    assert mermaid(edges).count(" --> ") == len(table) + 1  # and [*] --> new
    assert sorted(dot_edges(dot(edges))) == sorted(as_strings(table))
    drawing = svg(edges)
    root = ET.fromstring(drawing.encode("utf-8"))  # well-formed, whatever the table
    assert sorted(svg_edges(drawing)) == sorted((s, e, d) for s, e, d, _ in as_strings(table))
    words = texts(root)
    assert {state.value for state in State} <= set(words)
    assert {f"[{guard}]" for _, guard in table.values()} <= set(words)


def test_the_module_documents_its_renderers() -> None:
    for name in diagrams.__all__:
        assert getattr(diagrams, name).__doc__ or name == "Table", name
