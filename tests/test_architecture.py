"""The library's layers, checked: no import cycle, no lower layer importing a higher one, and
every module importable on its own (docs/architecture.md draws them).

Imports are read from the source (``ast``), so an import inside a function counts as much
as one at the top of a module: a late import that hides a cycle is still a cycle. Imports
under ``if TYPE_CHECKING:`` count for the layers but not for cycles (they never run).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "relapse_guard"

#: The layers, highest first. A module may import its own layer's unit and any lower layer;
#: units on one line are independent of each other. What no layer names is the core.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "cli",
        "cli_check",
        "cli_cycle",
        "cli_diff",
        "cli_policy",
        "cli_report",
        "cli_screen",
        "cli_tables",
        "cli_verify",
        "cli_whatif",
        "pytest_plugin",
        "__main__",
    ),
    ("reporting",),
    ("monitoring", "whatif"),
    ("screening",),
    ("population", "store"),
    ("checks", "testing", "diff", "diagrams", "demo"),
    ("policies",),
)
#: Units of the cli layer are one application: they import each other freely.
_ONE_UNIT_LAYERS = {0}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SOURCE / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path) -> Iterator[tuple[str, bool]]:
    """(module imported, whether only for type checking) for every import in the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            typing_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    for node in ast.walk(tree):
        only_typing = id(node) in typing_only
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from ((target, only_typing) for target in _resolve(alias.name, ()))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names = tuple(alias.name for alias in node.names)
            yield from ((target, only_typing) for target in _resolve(module, names))


def _resolve(module: str, names: tuple[str, ...]) -> Iterator[str]:
    """The library's modules an import statement loads: submodules named, else the module."""
    submodules = [f"{module}.{name}" for name in names if f"{module}.{name}" in MODULES]
    yield from submodules
    if module in MODULES and (not names or len(submodules) < len(names)):
        yield module


def _graph(*, with_typing: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, only_typing in _imports(name, path):
            if target != name and (with_typing or not only_typing):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _place(module: str) -> tuple[int, str]:
    """(layer, unit) of a module: its layer's index (the core is last) and the unit it is in."""
    unit = module.split(".")[1] if "." in module else ""
    for level, units in enumerate(LAYERS):
        if unit in units:
            return level, unit
    return len(LAYERS), "core"


def test_no_import_cycles() -> None:
    assert _cycles(_graph(with_typing=False)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


#: Lazy faces below their targets' layer: (face, target) seen only by type checkers, loaded on first use.
#: The policy-testing kit's face offers the columnar screen's check (docs/columnar.md).
_LAZY_FACES = {("relapse_guard.testing", "relapse_guard.screening.columnar.check")}


def test_no_layer_imports_a_higher_one_or_a_sibling() -> None:
    wrong = []
    at_run_time = _graph(with_typing=False)
    for name, targets in _graph(with_typing=True).items():
        if name == PACKAGE:
            continue  # the package's face re-exports (lazily) from every layer
        level, unit = _place(name)
        for target in sorted(targets):
            if (name, target) in _LAZY_FACES and target not in at_run_time[name]:
                continue
            if target == PACKAGE:
                wrong.append(f"{name} imports the package's face {target}: import from the submodule")
                continue
            target_level, target_unit = _place(target)
            higher = target_level < level
            sibling = target_level == level and target_unit != unit and level not in _ONE_UNIT_LAYERS
            if higher or sibling:
                wrong.append(f"{name} ({unit}) imports {target} ({target_unit})")
    assert wrong == []


def test_the_layer_check_sees_a_core_module_importing_the_store() -> None:
    assert _place("relapse_guard.engine.engine") == (len(LAYERS), "core")
    assert _place("relapse_guard.store.sqlite")[0] < _place("relapse_guard.policies")[0]
    assert _place("relapse_guard.cli")[0] == 0


_OPTIONAL = {"numpy": "fast", "pyarrow": "parquet", "dask": "dask", "distributed": "dask", "matplotlib": "plot"}


def _import_alone(module: str) -> str | None:
    """None when a fresh interpreter imports ``module`` first, else why it cannot."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    return _failure(module, done.returncode, done.stderr)


def _failure(module: str, returncode: int, stderr: str) -> str | None:
    if returncode == 0:
        return None
    missing = next((extra for name, extra in _OPTIONAL.items() if f"No module named '{name}" in stderr), None)
    if missing is not None:
        return None  # needs an extra this environment does not have (CI installs them all)
    return f"{module}:\n{stderr}"


# One interpreter imports the third-party packages (never the library), then forks a child per
# module that imports it first: each child is a fresh interpreter as far as the library goes,
# at a fraction of the cost of starting one per module (300 modules).
_ZYGOTE = """
import importlib, json, os, sys, traceback
import attrs, dateutil.relativedelta, dateutil.rrule, hypothesis, transitions
assert not [name for name in sys.modules if name.split(".")[0] == "relapse_guard"]
for module in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            os._exit(0)
        except BaseException:
            os.write(write, traceback.format_exc().encode("utf-8", "replace"))
            os._exit(1)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    print(json.dumps([module, os.waitstatus_to_exitcode(status), error]), flush=True)
"""


def test_each_module_imports_alone() -> None:
    """Each module imported first in a fresh interpreter: nothing relies on another import's order."""
    modules = sorted(name for name in MODULES if not name.endswith("__main__"))
    if not hasattr(os, "fork"):  # no fork (Windows): one interpreter per module
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            failures = [failure for failure in pool.map(_import_alone, modules) if failure is not None]
        assert failures == []
        return
    shares = os.cpu_count() or 2
    zygotes = [
        subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, *modules[start::shares]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in range(shares)
    ]
    reports: list[tuple[str, int, str]] = []
    for zygote in zygotes:
        out, err = zygote.communicate(timeout=600)
        assert zygote.returncode == 0, err
        reports.extend(tuple(json.loads(line)) for line in out.splitlines())
    assert sorted(module for module, _, _ in reports) == modules
    failures = [found for module, code, error in reports if (found := _failure(module, code, error)) is not None]
    assert failures == []
