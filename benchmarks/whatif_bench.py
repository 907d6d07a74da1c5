"""The what-if of two policies over a generated population: before (every household recorded
and kept, serially) and after (decisions only for the households that differ, in workers, on
either engine).

A synthetic population (``--households``, a year of facts each, Parquet; generated once into
the temporary directory, shared with benchmarks/columnar_bench.py, or ``--population DIR``)
is compared under yubei_2016 (``a``) and the same rules with the safety-net standard raised to
330 yuan on 2016-07-01 (``b``, a policy file written to the temporary directory), as of
2016-12-31:

- before: ``compare(..., keep_all=True)`` over the records read in this process, as the
  ``whatif`` command did: every household on engines that record decisions, every one kept;
- after: ``compare_population`` with 1 and 2 worker processes, on the scalar and the columnar
  engine (``--workers`` and ``--engines`` choose).

Each runs in a process of its own and prints the wall time, households per second and the
peak resident memory of its process tree, and the time scaled linearly to 1,000,000
households beside the target (a what-if of two policies over 1,000,000 households in <= 25 s
on 2 cores; a rough guide from a smaller run). Then whether every run reported the same
comparison, text, budget and CSV (it must).

Run: python benchmarks/whatif_bench.py [--households 100000] [--workers 1 2] [--engines scalar columnar]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from targets import GIB, PeakMemory

from relapse_guard.cli_policy import load_policy_spec
from relapse_guard.cli_whatif import render_budget, write_csv
from relapse_guard.population import generate_population, read_population
from relapse_guard.screening.choice import shared_fact_kinds
from relapse_guard.whatif import Comparison, compare, compare_population

AS_OF = dt.date(2016, 12, 31)
TARGET_SECONDS = 25.0
POLICY_A = "yubei_2016"
POLICY_FILE = """\
import datetime as dt

from relapse_guard.policies import load_policy

yubei_330 = load_policy("yubei_2016").derive(
    name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}}
)
"""


def _before(directory: Path, spec_b: str) -> Comparison:
    """The serial what-if as it was: every household on recording engines, every one kept."""
    population = read_population(directory)
    policy_a, policy_b = load_policy_spec(POLICY_A), load_policy_spec(spec_b)
    kinds = shared_fact_kinds("whatif", {"a": policy_a, "b": policy_b})
    records = ((h, facts) for h, facts, _bad in population.iter_records(kinds=kinds) if h is not None)
    return compare(policy_a, policy_b, records, as_of=AS_OF, keep_all=True)


def _after(directory: Path, spec_b: str, workers: int, engine: str) -> Comparison:
    population = read_population(directory)
    return compare_population(
        POLICY_A, spec_b, population, AS_OF, workers=workers, engine=engine, load=load_policy_spec
    )


def _digest(comparison: Comparison) -> str:
    """What the what-if reports, as one hash: the text, the budget and the CSV of the differences."""
    with tempfile.TemporaryDirectory() as folder:
        write_csv(comparison, Path(folder) / "whatif.csv")
        written = (Path(folder) / "whatif.csv").read_bytes()
    said = (comparison.render() + "\n" + render_budget(comparison)).encode("utf-8")
    return hashlib.sha256(said + written).hexdigest()[:16]


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its worker processes ended so far (user and system)."""
    mine, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime


def _one(directory: Path, spec_b: str, workers: int, engine: str) -> None:
    """One run, in this process (and its workers): its figures as a line of JSON."""
    with PeakMemory() as memory:
        start, cpu = time.perf_counter(), _cpu_seconds()
        comparison = _before(directory, spec_b) if workers == 0 else _after(directory, spec_b, workers, engine)
        seconds = time.perf_counter() - start
    figures = {
        "seconds": seconds,
        "cpu": _cpu_seconds() - cpu,
        "peak": memory.peak,
        "digest": _digest(comparison),
        "households": comparison.totals.households,
        "differing": comparison.totals.differing,
        "paths": dict(comparison.paths),
    }
    print(json.dumps(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--population", type=Path, help="a population directory to compare instead")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engines", nargs="+", default=["scalar", "columnar"], choices=["scalar", "columnar"])
    parser.add_argument("--skip-before", action="store_true", help="do not time the serial what-if of before")
    parser.add_argument("--one", nargs=4, metavar=("DIRECTORY", "SPEC", "WORKERS", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # a run of its own, in a fresh process, so that its peak memory is its own
        _one(Path(args.one[0]), args.one[1], int(args.one[2]), args.one[3])
        return 0
    directory = args.population
    if directory is None:
        # columnar_bench.py's population when it has partitions enough for two workers, else one of 2+ partitions
        directory = Path(tempfile.gettempdir()) / f"relapse_guard_columnar_{args.households}"
        if not (directory / "manifest.json").exists() or len(read_population(directory).partitions) < 2:
            directory = Path(tempfile.gettempdir()) / f"relapse_guard_whatif_{args.households}"
        if not (directory / "manifest.json").exists():
            print(f"generating {args.households:,} households to {directory} (not timed) ...", flush=True)
            partitions = max(2, -(-args.households // 50_000))
            generate_population(
                directory, households=args.households, seed=1, format="parquet", partitions=partitions, overwrite=True
            )
    policy_file = Path(tempfile.mkdtemp(prefix="relapse_guard_whatif_")) / "yubei_330.py"
    policy_file.write_text(POLICY_FILE, encoding="utf-8")
    spec_b = f"{policy_file}:yubei_330"
    population = read_population(directory)
    households = population.households or 0
    print(
        f"{households:,} households in {len(population.partitions)} partitions, {POLICY_A} against "
        f"yubei_330 (safety-net standard 330 from 2016-07-01), as of {AS_OF}; each run in a process of its own",
        flush=True,
    )
    plans = [] if args.skip_before else [("before: serial, every household recorded and kept", 0, "scalar")]
    plans += [
        (f"after: {workers} worker(s), {engine}", workers, engine)
        for engine in args.engines
        for workers in args.workers
    ]
    runs: list[tuple[str, dict[str, Any]]] = []
    for name, workers, engine in plans:
        command = [sys.executable, __file__, "--one", str(directory), spec_b, str(workers), engine]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        seconds, cpu = figures["seconds"], figures.get("cpu", 0.0)
        rate = households / seconds if seconds else 0.0
        per_million = seconds * 1_000_000 / households if households else 0.0
        # on a machine shared with other work, the CPU time says more than the wall time: on two idle
        # cores, a million households would take about half its scaled CPU time (when it runs on both)
        cpu_per_million = cpu * 1_000_000 / households if households else 0.0
        print(
            f"  {name:52} {seconds:7.1f} s  {rate:8,.0f} households/s  peak {figures['peak'] / GIB:.2f} GiB  "
            f"CPU {cpu:6.1f} s  1,000,000 households: about {per_million:5.0f} s wall, {cpu_per_million:5.0f} CPU s "
            f"(target <= {TARGET_SECONDS:.0f} s on 2 cores)",
            flush=True,
        )
        runs.append((name, figures))
    first = runs[0][1]
    print(f"  differing households: {first['differing']:,} of {first['households']:,}")
    for name, figures in runs:
        paths = figures["paths"]
        if paths.get("columnar"):
            print(
                f"  {name}: runs decided in columns {paths.get('columnar', 0):,}, "
                f"on the engine {paths.get('engine', 0):,} (of {sum(paths.values()):,})"
            )
            break
    same = len({figures["digest"] for _name, figures in runs}) == 1
    print(f"  the same comparison every run (text, budget and CSV): {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
