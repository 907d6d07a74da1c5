"""Every scale target in one run: each printed with its measured value, then a summary table.

1. the core on one core (benchmarks/core_bench.py): facts per second, the speed-up over the
   reference engine on ``transitions`` (whole engine, and the lifecycle step alone), and
   the engine's time over a vectorised numpy computation of the same screening rule;
2. end to end from files: a synthetic population (default 1,000,000 households, a year of
   facts each) generated to Parquet once (cached in the temporary directory, or
   ``--population DIR``), then screened from its files in ``--workers`` local processes,
   with the wall time and the peak resident memory of all the processes together.

Run: python benchmarks/targets.py [--e2e-households N] [--workers 2] [--format parquet]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core_bench

from relapse_guard.population import generate_population, read_population
from relapse_guard.screening import screen_population

AS_OF = dt.date(2016, 12, 31)
GIB = 1024**3


def _rss_of_tree(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class PeakMemory:
    """Samples the resident memory of this process and its children every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_of_tree(os.getpid()))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def end_to_end(households: int, workers: int, file_format: str, directory: Path | None) -> dict[str, float]:
    """Generate (once) and screen a population from files; the figures by name."""
    if directory is None:
        directory = Path(tempfile.gettempdir()) / f"relapse_guard_targets_{households}_{file_format}"
    if not (directory / "manifest.json").exists():
        print(f"generating {households:,} households to {directory} ({file_format}; not timed as a target) ...")
        start = time.perf_counter()
        generate_population(directory, households=households, seed=1, format=file_format, overwrite=True)
        print(f"  generated in {time.perf_counter() - start:.0f} s")
    population = read_population(directory)
    facts = population.facts or 0
    print(f"end to end: {population.households:,} households, {facts:,} facts, {len(population.partitions)} partitions")
    with PeakMemory() as memory:
        start = time.perf_counter()
        result = screen_population(population, "yubei_2016", AS_OF, workers=workers, keep_rows=False)
        seconds = time.perf_counter() - start
    print(
        f"  screened in {seconds:.1f} s wall with {workers} worker processes "
        f"({facts / seconds:,.0f} facts/s); peak resident memory {memory.peak / GIB:.2f} GiB"
    )
    print(f"  states: {dict(sorted(result.totals.by_state.items()))}; bad rows {len(result.bad_rows)}")
    return {"e2e_seconds": seconds, "e2e_peak_gib": memory.peak / GIB, "e2e_households": float(households)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000, help="households for the core figures")
    parser.add_argument("--reference-households", type=int, default=3_000)
    parser.add_argument("--e2e-households", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv", "jsonl"])
    parser.add_argument("--population", type=Path, default=None, help="a generated population to reuse")
    args = parser.parse_args()

    figures = core_bench.measure(args.households, args.reference_households, "yubei_2016", repeat=3)
    print()
    figures |= end_to_end(args.e2e_households, args.workers, args.format, args.population)

    rows = [
        ("core, one core", f"{figures['engine_facts_per_s']:,.0f} facts/s", ">= 300,000 facts/s",
         figures["engine_facts_per_s"] >= 300_000),
        ("core as a screen runs it (no decisions)", f"{figures['engine_screen_facts_per_s']:,.0f} facts/s",
         ">= 300,000 facts/s", figures["engine_screen_facts_per_s"] >= 300_000),
        ("vs reference on transitions, whole engine", f"{figures['speedup_vs_reference']:.1f}x", ">= 20x",
         figures["speedup_vs_reference"] >= 20),
        ("vs reference, lifecycle step alone", f"{figures['speedup_lifecycle_step']:.1f}x", ">= 20x",
         figures["speedup_lifecycle_step"] >= 20),
        ("lifecycle step alone, one core", f"{figures['lifecycle_facts_per_s']:,.0f} facts/s",
         ">= 300,000 facts/s", figures["lifecycle_facts_per_s"] >= 300_000),
        (f"{args.e2e_households:,} households from files, {args.workers} cores", f"{figures['e2e_seconds']:.1f} s",
         "<= 30 s", figures["e2e_seconds"] <= 30),
        ("peak resident memory, all processes", f"{figures['e2e_peak_gib']:.2f} GiB", "<= 2 GiB",
         figures["e2e_peak_gib"] <= 2),
    ]  # fmt: skip
    if "engine_over_numpy" in figures:
        rows.append(("engine time / numpy time (same rule)", f"{figures['engine_over_numpy']:,.0f}x", "printed", True))
    print("\ntarget                                         measured           target               met")
    for name, measured, target, met in rows:
        print(f"{name:<46} {measured:<18} {target:<20} {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
