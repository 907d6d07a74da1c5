"""Population files benchmark: writing a synthetic county, then parsing it back, per format.

For each format (JSON Lines, CSV, and Parquet when pyarrow is installed) it prints

- the time to generate and write ``--households`` households with ``--months`` of facts
  (one process, and with ``--processes`` worker processes);
- fact parsing alone: fact rows per second (decode + validate + build the Fact objects);
- household parsing alone: households per second;
- the whole read: households and facts merged into records, rows per second, and the CPU
  time per fact row (what a screen's budget counts);
- the naive baseline for JSON Lines: ``json.loads`` then ``parse_fact`` per line.

Reading is timed ``--repeat`` times and the best kept. Times are wall-clock and CPU (this
process); on a shared machine the CPU figure is the steadier one. Run:
python benchmarks/parse_bench.py [--households N] [--formats jsonl,csv] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import json
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from relapse_guard.facts import parse_fact
from relapse_guard.population import FactBuilder, Population, generate_population
from relapse_guard.population.directory import FACT_READERS, HOUSEHOLD_READERS

T = TypeVar("T")


def _timed(action: Callable[[], T], repeat: int = 1) -> tuple[T, float, float]:
    """``action()``'s result and its best wall-clock and CPU times over ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        best_wall, best_cpu = min(best_wall, time.perf_counter() - wall), min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def _count_facts(population: Population) -> int:
    builder = FactBuilder()
    count = 0
    for partition in population.partitions:
        read = FACT_READERS[str(partition.format)]
        for _, facts, bad, _, _ in read(partition.facts_path, builder):
            count += len(facts) + len(bad)
    return count


def _count_households(population: Population) -> int:
    count = 0
    for partition in population.partitions:
        for _ in HOUSEHOLD_READERS[str(partition.format)](partition.households_path):
            count += 1
    return count


def _count_records(population: Population) -> tuple[int, int]:
    households = facts = 0
    for record in population.iter_records():
        households += 1
        facts += len(record.facts) + len(record.bad_rows)
    return households, facts


def _naive(path: Path, lines: int) -> int:
    count = 0
    with path.open(encoding="utf-8") as stream:
        for line in itertools.islice(stream, lines):
            parse_fact(json.loads(line))
            count += 1
    return count


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--formats", default="jsonl,csv,parquet")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--directory", type=Path, default=None, help="where to write (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="times each read is timed (the best is kept)")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f != "parquet" or importlib.util.find_spec("pyarrow")]
    root = args.directory or Path(tempfile.mkdtemp(prefix="relapse_guard_bench_"))
    print(f"{args.households:,} households x {args.months} months, formats {', '.join(formats)}, in {root}")
    try:
        for fmt in formats:
            target = root / fmt
            population, wall, cpu = _timed(
                functools.partial(
                    generate_population,
                    target,
                    households=args.households,
                    months=args.months,
                    format=fmt,
                    processes=1,
                    overwrite=True,
                )
            )
            assert isinstance(population, Population)
            facts = population.facts or 0
            print(
                f"\n[{fmt}] {facts:,} facts ({facts / args.households:.2f} per household), "
                f"{_size(target) / 2**20:,.0f} MiB in {len(population.partitions)} partition(s)"
            )
            print(
                f"  generate + write, 1 process:  {wall:6.1f} s wall, {cpu:6.1f} s CPU "
                f"({args.households / wall:,.0f} households/s, {facts / wall:,.0f} facts/s)"
            )
            if args.processes > 1:
                _, wall, _ = _timed(
                    functools.partial(
                        generate_population,
                        target,
                        households=args.households,
                        months=args.months,
                        format=fmt,
                        processes=args.processes,
                        overwrite=True,
                    )
                )
                print(f"  generate + write, {args.processes} processes: {wall:6.1f} s wall")
            count, wall, cpu = _timed(functools.partial(_count_facts, population), args.repeat)
            assert isinstance(count, int)
            print(
                f"  parse facts:     {count / wall:10,.0f} rows/s wall, {count / cpu:10,.0f} rows/s CPU "
                f"({1e6 * cpu / count:.2f} us CPU a fact)"
            )
            households, wall, cpu = _timed(functools.partial(_count_households, population), args.repeat)
            assert isinstance(households, int)
            print(
                f"  parse households: {households / wall:9,.0f} /s wall, {households / cpu:10,.0f} /s CPU "
                f"({1e6 * cpu / households:.2f} us CPU a household, {1e6 * cpu / count:.2f} us a fact row)"
            )
            counts, wall, cpu = _timed(functools.partial(_count_records, population), args.repeat)
            households, rows = counts
            total = households + rows
            print(
                f"  read records:    {total / wall:10,.0f} rows/s wall, {total / cpu:10,.0f} rows/s CPU "
                f"({households / cpu:,.0f} households/s CPU; households + facts; "
                f"{1e6 * cpu / rows:.2f} us CPU a fact row)"
            )
            if fmt == "jsonl":
                path = population.partitions[0].facts_path
                lines = min(200_000, facts)
                count, wall, cpu = _timed(functools.partial(_naive, path, lines))
                print(f"  naive json.loads + parse_fact: {count / cpu:10,.0f} rows/s CPU (for comparison)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak resident memory of this process: {peak:,.0f} MiB")
    finally:
        if args.directory is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
