"""``relapse-guard diagram``: the lifecycle as mermaid, DOT or SVG, drawn from the code."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from relapse_guard.diagrams import render
from relapse_guard.lifecycle import TABLE

from .helpers import cli


@pytest.mark.parametrize("format", ["mermaid", "dot", "svg"])
def test_each_format_prints_what_the_code_draws(format: str) -> None:
    done = cli("diagram", "--format", format)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == render(format)


def test_mermaid_is_the_default() -> None:
    done = cli("diagram")
    assert done.returncode == 0
    assert done.stdout.startswith("stateDiagram-v2\n")
    assert done.stdout == render("mermaid")


def test_the_svg_is_a_drawing_of_every_transition() -> None:
    done = cli("diagram", "--format", "svg")
    root = ET.fromstring(done.stdout.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    events = [event for g in root.iter("{http://www.w3.org/2000/svg}g") for event in g.get("data-events", "").split()]
    assert sorted(events) == sorted(event.value for (_, event) in TABLE)


def test_dot_has_an_edge_line_per_transition() -> None:
    done = cli("diagram", "--format", "dot")
    assert done.stdout.startswith("// The relapse_guard household lifecycle")
    assert sum(" -> " in line and "label=" in line for line in done.stdout.splitlines()) == len(TABLE)


def test_an_unknown_format_is_a_usage_error() -> None:
    done = cli("diagram", "--format", "png")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "invalid choice: 'png'" in done.stderr
    assert "'mermaid', 'dot', 'svg'" in done.stderr


def test_help() -> None:
    done = cli("diagram", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: relapse-guard diagram")
    assert "{mermaid,dot,svg}" in done.stdout
