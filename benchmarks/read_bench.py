"""Reading a Parquet population: microseconds per household, households alone and whole records.

- households: the households files read alone (``household_groups``: members grouped and
  the ``Household`` objects built), for the first ``--records`` households;
- records: ``read_population(path).iter_records()`` for the first ``--records`` records
  (households and their facts, merged).

Each is run ``--rounds`` times and the best wall-clock and CPU (this process) times kept: on a
shared machine the CPU figure is the steadier one. Needs only the ``parquet`` extra. Run:
python benchmarks/read_bench.py POPULATION_DIR [--records 50000] [--rounds 5] [--only households|records]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from relapse_guard.population import read_population
from relapse_guard.population.parquet import household_groups


def _households(path: Path, count: int) -> Callable[[], int]:
    def run() -> int:
        groups: Iterator[Any] = itertools.chain.from_iterable(
            household_groups(partition.households_path) for partition in read_population(path).partitions
        )
        return sum(1 for _ in itertools.islice(groups, count))

    return run


def _records(path: Path, count: int) -> Callable[[], int]:
    def run() -> int:
        return sum(1 for _ in itertools.islice(read_population(path).iter_records(), count))

    return run


def _best(action: Callable[[], int], rounds: int) -> tuple[int, float, float]:
    """The count ``action`` returns and its best wall-clock and CPU times over ``rounds`` runs."""
    wall = cpu = float("inf")
    count = 0
    for _ in range(rounds):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        count = action()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return count, wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("population", type=Path, help="a Parquet population directory (with its manifest)")
    parser.add_argument("--records", type=int, default=50_000, help="households (records) to read")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each; the best is kept")
    parser.add_argument("--only", choices=("households", "records"), help="time only this")
    args = parser.parse_args(argv)
    for label, make in (("households", _households), ("records", _records)):
        if args.only not in (None, label):
            continue
        count, wall, cpu = _best(make(args.population, args.records), args.rounds)
        print(
            f"{label:<10} {count:>8,} in {wall:6.3f} s: {wall / count * 1e6:5.1f} µs a household "
            f"(CPU {cpu / count * 1e6:5.1f} µs)",
            flush=True,
        )


if __name__ == "__main__":
    main()
