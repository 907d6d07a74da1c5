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

Each prints the wall time, households per second and the peak resident memory of the process
tree, and the time scaled linearly to 1,000,000 households beside the target (a what-if of two
policies over 1,000,000 households in <= 25 s on 2 cores; a rough guide from a smaller run).
Then whether every run reported the same comparison (it must).

Run: python benchmarks/whatif_bench.py [--households 100000] [--workers 1 2] [--engines scalar columnar]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from targets import GIB, PeakMemory

from relapse_guard.cli_policy import load_policy_spec
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


def _same(one: Comparison, other: Comparison) -> bool:
    return (one.differences, one.totals, one.by_district(), one.render()) == (
        other.differences,
        other.totals,
        other.by_district(),
        other.render(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--population", type=Path, help="a population directory to compare instead")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engines", nargs="+", default=["scalar", "columnar"], choices=["scalar", "columnar"])
    parser.add_argument("--skip-before", action="store_true", help="do not time the serial what-if of before")
    args = parser.parse_args(argv)
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
        f"yubei_330 (safety-net standard 330 from 2016-07-01), as of {AS_OF}",
        flush=True,
    )
    runs: list[tuple[str, Comparison]] = []
    plans = [] if args.skip_before else [("before: serial, every household recorded and kept", None, "scalar")]
    plans += [
        (f"after: {workers} worker(s), {engine}", workers, engine)
        for engine in args.engines
        for workers in args.workers
    ]
    for name, workers, engine in plans:
        with PeakMemory() as memory:
            start = time.perf_counter()
            comparison = _before(directory, spec_b) if workers is None else _after(directory, spec_b, workers, engine)
            seconds = time.perf_counter() - start
        rate = households / seconds if seconds else 0.0
        per_million = seconds * 1_000_000 / households if households else 0.0
        print(
            f"  {name:52} {seconds:7.1f} s  {rate:8,.0f} households/s  peak {memory.peak / GIB:.2f} GiB  "
            f"1,000,000 households: about {per_million:5.0f} s (target <= {TARGET_SECONDS:.0f} s)",
            flush=True,
        )
        runs.append((name, comparison))
    first = runs[0][1]
    totals = first.totals
    print(f"  differing households: {totals.differing:,} of {totals.households:,}")
    for name, comparison in runs:
        if comparison.paths.get("columnar") or comparison.paths.get("replayed"):
            paths = comparison.paths
            done = sum(paths.values())
            print(
                f"  {name}: runs decided in columns {paths.get('columnar', 0):,}, replayed "
                f"{paths.get('replayed', 0):,}, on the engine {paths.get('engine', 0):,} (of {done:,})"
            )
            break
    same = all(_same(comparison, first) for _name, comparison in runs[1:])
    print(f"  the same comparison every run: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
