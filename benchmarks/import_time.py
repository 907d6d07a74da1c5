"""Cold import time of ``relapse_guard``, beside its 80 ms target, and the heaviest modules.

Each run is a fresh interpreter (``python -c 'import relapse_guard'``), so nothing is loaded
but the bytecode on disk, as for an installed package: a first run writes every module's
bytecode to a temporary directory (``PYTHONPYCACHEPREFIX``, also where
``PYTHONDONTWRITEBYTECODE`` is set) and the timed runs read it. The same interpreter running
``python -c pass`` is timed as many times, interleaved, and its median subtracted, leaving
what the import itself costs. Then one ``python -X importtime`` run lists the modules that
took longest, counting what each imports in turn (cumulative).

Run: python benchmarks/import_time.py [--runs 20] [--module relapse_guard] [--top 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 80.0


def _environment(bytecode: str) -> dict[str, str]:
    """This process's environment, with bytecode written to and read from ``bytecode``."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = bytecode
    return env


def _run_ms(code: str, env: dict[str, str]) -> float:
    """Wall-clock milliseconds of one fresh ``python -c code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return (time.perf_counter() - start) * 1000


def cold_import_ms(module: str, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """The median ms of ``import module`` in fresh processes, less the median of ``pass``; and that baseline."""
    _run_ms(f"import {module}", env)  # writes the bytecode, which a cold import of an installed package reads
    imports: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):
        baseline.append(_run_ms("pass", env))
        imports.append(_run_ms(f"import {module}", env))
    base = statistics.median(baseline)
    return statistics.median(imports) - base, base


def _importtime(code: str, env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) for each module ``python -X importtime -c code`` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True, text=True, env=env
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
            rows.append((int(cumulative_us), int(self_us), name.strip()))
    return rows


def heaviest(module: str, top: int, env: dict[str, str]) -> list[tuple[int, int, str]]:
    """The ``top`` modules importing ``module`` loads (not the interpreter's start-up), heaviest first."""
    at_start = {name for _, _, name in _importtime("pass", env)}
    rows = [row for row in _importtime(f"import {module}", env) if row[2] not in at_start and row[2] != module]
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="fresh processes per measurement (default 20)")
    parser.add_argument("--module", default="relapse_guard", help="the module to import (default relapse_guard)")
    parser.add_argument("--top", type=int, default=5, help="how many of the heaviest modules to list (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="import-time-") as bytecode:
        env = _environment(bytecode)
        cost, base = cold_import_ms(args.module, args.runs, env)
        rows = heaviest(args.module, args.top, env)
    verdict = "within" if cost <= TARGET_MS else "OVER"
    print(
        f"import {args.module}: {cost:.1f} ms cold (median of {args.runs} fresh processes, "
        f"less {base:.1f} ms for `python -c pass`); target {TARGET_MS:.0f} ms: {verdict}"
    )
    print("heaviest modules it loads (-X importtime, one run):")
    print(f"  {'cumulative':>10}  {'self':>8}  module")
    for cumulative_us, self_us, name in rows:
        print(f"  {cumulative_us / 1000:8.1f}ms  {self_us / 1000:6.1f}ms  {name}")


if __name__ == "__main__":
    main()
