"""Every ```python block in README.md and docs/ runs as a script does (blocks of one page share a namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


#: The module each optional extra installs. A block that needs an extra says so in its first
#: line, ``# requires: pip install 'relapse-guard[dask]'``, and its page is skipped without it.
EXTRA_MODULES = {"fast": "numpy", "dask": "distributed", "parquet": "pyarrow", "test": "jsonschema"}


def _blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


def _extras(page: Path) -> list[str]:
    return [
        extra
        for block in _blocks(page)
        for extra in re.findall(r"\A# requires: pip install 'relapse-guard\[(\w+)\]'", block)
    ]


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: p.name)
def test_code_blocks_run(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in _extras(page):
        pytest.importorskip(EXTRA_MODULES[extra], reason=f"{page.name} needs the {extra} extra")
    # run as a script pasted from the page runs: as __main__, so that a block's
    # ``if __name__ == "__main__":`` (needed wherever worker processes are started) runs too
    namespace: dict[str, object] = {"__name__": "__main__"}
    for number, block in enumerate(_blocks(page)):
        # dont_inherit: run the block as a reader would, without this file's __future__ imports
        code = compile(block, f"{page.name}#block{number}", "exec", dont_inherit=True)
        exec(code, namespace)
    capsys.readouterr()


def test_there_are_pages_with_code() -> None:
    assert sum(len(_blocks(p)) for p in PAGES) >= 3


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
