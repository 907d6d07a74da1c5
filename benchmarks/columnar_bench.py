"""The columnar screen against the scalar one, on the same generated population.

A synthetic population (``--households``, a year of facts each, Parquet; generated once into
the temporary directory, or ``--population DIR``) is screened under ``--policy`` as of
2016-12-31 in ``--workers`` local processes, once with ``engine="scalar"`` and once with
``engine="columnar"``. For each it prints the wall time, households per second and the peak
resident memory of the process tree; then the speed-up, the share of households the
columnar screen handed to the engine, and whether the two gave the same totals (they must).

The targets are for 1,000,000 households on 2 cores: <= 15 s wall, <= 2 GiB in all
processes, >= 6x the scalar screen measured in the same run. They are printed beside the
figures (a smaller run is scaled linearly to a million, a rough guide only).

Run: python benchmarks/columnar_bench.py [--households 100000] [--workers 1] [--policy yubei_2016]
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

from relapse_guard.population import generate_population, read_population
from relapse_guard.screening import screen_population
from relapse_guard.screening.summary import ScreenResult

AS_OF = dt.date(2016, 12, 31)
TARGET_SECONDS, TARGET_MEMORY, TARGET_SPEED_UP = 15.0, 2 * GIB, 6.0


def _screen(directory: Path, policy: str, engine: str, workers: int) -> tuple[ScreenResult, float, int]:
    population = read_population(directory)
    with PeakMemory() as memory:
        start = time.perf_counter()
        result = screen_population(population, policy, AS_OF, workers=workers, keep_rows=False, engine=engine)
        seconds = time.perf_counter() - start
    return result, seconds, memory.peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--population", type=Path, help="a population directory to screen instead")
    parser.add_argument(
        "--rounds", type=int, default=2, help="screen both ways this many times, alternating; the best of each is kept"
    )
    args = parser.parse_args(argv)
    directory = args.population
    if directory is None:
        directory = Path(tempfile.gettempdir()) / f"relapse_guard_columnar_{args.households}"
        if not (directory / "manifest.json").exists():
            print(f"generating {args.households:,} households to {directory} (not timed) ...", flush=True)
            generate_population(directory, households=args.households, seed=1, format="parquet", overwrite=True)
    households = read_population(directory).households or 0
    print(f"{households:,} households, {args.policy}, as of {AS_OF}, {args.workers} worker(s)")
    figures: dict[str, tuple[ScreenResult, float]] = {}
    for round_ in range(args.rounds):
        # alternating, so that a change in the machine's load weighs on both ways alike
        for engine in ("scalar", "columnar") if round_ % 2 == 0 else ("columnar", "scalar"):
            result, seconds, peak = _screen(directory, args.policy, engine, args.workers)
            if engine not in figures or seconds < figures[engine][1]:
                figures[engine] = (result, seconds)
            rate = households / seconds if seconds else 0.0
            print(f"  {engine:8} {seconds:7.1f} s  {rate:9,.0f} households/s  peak {peak / GIB:.2f} GiB", flush=True)
    scalar, columnar = figures["scalar"], figures["columnar"]
    paths = columnar[0].paths
    handed = paths.get("engine", 0)
    done = handed + paths.get("columnar", 0)
    speed_up = scalar[1] / columnar[1] if columnar[1] else 0.0
    per_million = columnar[1] * 1_000_000 / households if households else 0.0
    print(f"  speed-up, best against best: {speed_up:.2f}x (target >= {TARGET_SPEED_UP:.0f}x)")
    if done:
        print(f"  handed to the engine: {handed:,} of {done:,} households ({handed / done:.1%})")
    print(f"  columnar, scaled to 1,000,000 households: about {per_million:.0f} s (target <= {TARGET_SECONDS:.0f} s)")
    same = scalar[0].totals == columnar[0].totals and scalar[0].problems == columnar[0].problems
    print(f"  same totals and problems: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
