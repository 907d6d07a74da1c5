"""Every ```python block in README.md and docs/ runs as a script does (blocks of one page share a namespace).

What a block prints is checked where the page shows it: the line before the opening fence of the
block right after it is ``<!-- output: checked -->`` (an HTML comment: the rendered page does not
show it). The printed lines must be that block's lines, compared as ``test_doc_sessions``
compares a session's (a line ``...`` stands for any number of lines, trailing spaces do not
count, timings are masked), and a ``...`` inside a line stands for any text there: ``(...)``,
the rest of a long line. The JSON document of docs/explanations.md's example is checked as an
excerpt of the document the code writes (``excerpt_difference``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.test_doc_sessions import ELISION, elided, is_elision, normalised

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: The line before an output block: the python block before it prints the output block's lines.
OUTPUT_MARK = "<!-- output: checked -->"

#: The module each optional extra installs. A block that needs an extra says so in its first
#: line, ``# requires: pip install 'relapse-guard[dask]'``, and its page is skipped without it.
EXTRA_MODULES = {"fast": "numpy", "dask": "distributed", "parquet": "pyarrow", "test": "jsonschema"}


@dataclass(frozen=True)
class Fence:
    """A fenced block of a page."""

    line: int  # of the opening fence, from 1
    language: str
    text: str
    checked: bool  # the line before it is OUTPUT_MARK


def fences(page: Path) -> list[Fence]:
    """Every fenced block of a page, in page order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Fence] = []
    number = 0
    while number < len(lines):
        if lines[number].startswith("```"):
            end = lines.index("```", number + 1)
            text = "".join(f"{line}\n" for line in lines[number + 1 : end])
            checked = number > 0 and lines[number - 1] == OUTPUT_MARK
            found.append(Fence(number + 1, lines[number][3:], text, checked))
            number = end
        number += 1
    return found


def _blocks(page: Path) -> list[str]:
    return [fence.text for fence in fences(page) if fence.language == "python"]


def blocks_and_outputs(page: Path) -> list[tuple[str, Fence | None]]:
    """Each python block of a page, with the block after it if that is a checked output."""
    found = fences(page)
    after: list[Fence | None] = [*found[1:], None]
    return [
        (fence.text, output if output is not None and output.checked else None)
        for fence, output in zip(found, after[: len(found)], strict=True)
        if fence.language == "python"
    ]


def _extras(page: Path) -> list[str]:
    return [
        extra
        for block in _blocks(page)
        for extra in re.findall(r"\A# requires: pip install 'relapse-guard\[(\w+)\]'", block)
    ]


def line_matches(expected: str, actual: str) -> bool:
    """Whether a printed line is the expected one, each ``...`` in it standing for any text."""
    pattern = ".*".join(re.escape(piece) for piece in expected.split(ELISION))
    return re.fullmatch(pattern, actual) is not None


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the printed lines are the expected ones, ``...`` lines and pieces elided."""
    # reachable[j]: the expected lines so far match the first j printed lines
    reachable = [True] + [False] * len(actual)
    for line in expected:
        if is_elision(line):
            for j in range(1, len(reachable)):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            reachable = [False] + [reachable[j] and line_matches(line, actual[j]) for j in range(len(actual))]
    return reachable[-1]


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.name)
def test_code_blocks_run(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in _extras(page):
        pytest.importorskip(EXTRA_MODULES[extra], reason=f"{page.name} needs the {extra} extra")
    # run as a script pasted from the page runs: as __main__, so that a block's
    # ``if __name__ == "__main__":`` (needed wherever worker processes are started) runs too
    namespace: dict[str, object] = {"__name__": "__main__"}
    for number, (block, output) in enumerate(blocks_and_outputs(page)):
        # dont_inherit: run the block as a reader would, without this file's __future__ imports
        code = compile(block, f"{page.name}#block{number}", "exec", dont_inherit=True)
        exec(code, namespace)
        printed = normalised(capsys.readouterr().out.splitlines())
        if output is None:
            continue
        shown = normalised(output.text.splitlines())
        if not output_matches(shown, printed):
            diff = difflib.unified_diff(elided(shown, printed), printed, "the page", "printed", lineterm="")
            raise AssertionError(f"{page.name}:{output.line}: not what the block before it prints\n" + "\n".join(diff))


def test_there_are_pages_with_code() -> None:
    assert sum(len(_blocks(p)) for p in PAGES) >= 3


def test_some_outputs_are_checked() -> None:
    checked = [page.name for page in PAGES for _, output in blocks_and_outputs(page) if output is not None]
    assert {"entitlements.md", "monitoring.md"} <= set(checked)
    # a mark that is not right after a python block would check nothing
    marked = sum(fence.checked for page in PAGES for fence in fences(page))
    assert marked == len(checked)


def test_output_elision() -> None:
    assert output_matches(["a (i2) (...)", "...", "z"], ["a (i2) (an obvious change)", "b", "z"])
    assert not output_matches(["a (i2); (...)"], ["a (i2) (an obvious change); (300.00 - 250.00)"])
    assert output_matches(["done in <t> s"], normalised(["done in 0.2 s"]))
    assert not output_matches(["a"], ["a", "b"])


def excerpt_difference(shown: object, actual: object, where: str = "$") -> str | None:
    """Where a JSON excerpt differs from the document it is cut from, or None.

    ``"..."`` stands for what is cut: an item ``"..."`` of a list for any number of items there
    (the items shown are the document's, in its order), a key ``"..."`` of an object for its
    other fields, and ``...`` in a text for any text there. Without them, a list has just the
    items shown and an object just the fields shown."""
    if isinstance(shown, dict) and isinstance(actual, dict):
        fields = {key: value for key, value in shown.items() if key != ELISION}
        if not fields.keys() <= actual.keys() or (ELISION not in shown and fields.keys() != actual.keys()):
            return f"{where}: fields {sorted(fields)} shown, {sorted(actual)} written"
        for key, value in fields.items():
            if (problem := excerpt_difference(value, actual[key], f"{where}.{key}")) is not None:
                return problem
        return None
    if isinstance(shown, list) and isinstance(actual, list):
        items = [item for item in shown if item != ELISION]
        if ELISION not in shown and len(items) != len(actual):
            return f"{where}: {len(items)} items shown, {len(actual)} written"
        position = 0
        for number, item in enumerate(items):
            while position < len(actual) and excerpt_difference(item, actual[position]) is not None:
                position += 1
            if position == len(actual):
                candidates = actual if ELISION in shown else actual[number : number + 1]
                problems = [excerpt_difference(item, other, f"{where}[?]") for other in candidates]
                return f"{where}: item {number} shown is none written: " + "; ".join(filter(None, problems))
            position += 1
        return None
    if isinstance(shown, str) and isinstance(actual, str) and ELISION in shown:
        return None if line_matches(shown, actual) else f"{where}: {shown!r} shown, {actual!r} written"
    if type(shown) is not type(actual) or shown != actual:
        return f"{where}: {shown!r} shown, {actual!r} written"
    return None


def test_excerpt_difference() -> None:
    document = {"a": [1, 2, {"b": "long text", "c": None}], "d": True}
    assert excerpt_difference({"a": ["...", {"b": "long ...", "...": "..."}], "d": True}, document) is None
    assert excerpt_difference({"a": [1, "..."], "...": "..."}, document) is None
    assert excerpt_difference({"a": [1, "..."]}, document) == "$: fields ['a'] shown, ['a', 'd'] written"
    assert excerpt_difference({"a": [2, 1, "..."], "d": True}, document) is not None  # out of order
    assert excerpt_difference({"a": [1, 2], "d": True}, document) == "$.a: 2 items shown, 3 written"
    assert excerpt_difference({"a": ["..."], "d": 1}, document) == "$.d: 1 shown, True written"


def test_explanations_example_is_an_excerpt_of_what_the_code_writes() -> None:
    from relapse_guard import Engine, load_policy
    from relapse_guard.demo import demo_households
    from relapse_guard.explanation import to_json_dict

    section = (ROOT / "docs" / "explanations.md").read_text(encoding="utf-8").split("\n## An example\n", 1)[1]
    shown = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    policy = load_policy(shown["policy"].split("@")[0])
    household, facts = next((h, f) for _, h, f in demo_households() if h.id == shown["household_id"])
    result = Engine(policy).run(household, facts, as_of=dt.date.fromisoformat(shown["as_of"]))
    problem = excerpt_difference(shown, to_json_dict(result, policy))
    assert problem is None, f"docs/explanations.md's example is out of date: {problem}"


def test_readme_demo_excerpt_is_what_the_demo_prints() -> None:
    from relapse_guard.demo import render_demo

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("The demo prints", 1)[1].split("```", 2)[1]
    printed = render_demo()
    for line in excerpt.strip().splitlines()[1:]:
        for piece in line.split("..."):
            piece = piece.strip().rstrip("|").strip()
            if piece:
                assert piece in printed, f"README's demo excerpt is out of date: {piece!r}"
