"""Fuzz every population reader and print, per reader, how the reads ended and what they lost.

The inputs are those of ``tests/population/test_fuzz.py`` (see ``tests/population/fuzz.py``):
each file of a small clean population (JSON Lines, CSV, Parquet; households and facts) and
manifests, replaced by arbitrary bytes, truncated, a byte changed, or with one corrupted line
(row) inserted after its household's rows. For each reader the table gives the inputs tried,
the reads that gave records only, records with bad rows, a ``PopulationError`` for the file,
anything else (a failure: must be 0), and the households lost (not read with all their facts
although the change did not touch them: must be 0). Run:
python benchmarks/fuzz_readers.py [--inputs 10000] [--readers "csv facts,manifest"]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.population.fuzz import READERS, Case, Outcome, cases, run, tally

PER_EXAMPLE = 10
COLUMNS = ("records", "bad rows", "file error", "other", "households lost")


def fuzz(reader: str, inputs: int, root: Path) -> tuple[Counter[str], Counter[str], list[str]]:
    """The outcomes of ``inputs`` fuzzed inputs of ``reader``, how the inputs were made, and the failures."""
    outcomes: list[Outcome] = []
    made: Counter[str] = Counter()
    failures: list[str] = []

    @settings(
        max_examples=max(1, -(-inputs // PER_EXAMPLE)),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(cases(reader), min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
    def check(batch: list[Case]) -> None:
        for case in batch:
            outcome = run(case, root)
            outcomes.append(outcome)
            made[case.how] += 1
            if outcome.kind == "other" or outcome.lost:
                failures.append(f"{case.how}: {outcome} {case.data[:200]!r}")

    check()
    return tally(outcomes), made, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="fuzzed inputs per reader")
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated, of: " + ", ".join(READERS))
    args = parser.parse_args()
    shm = Path("/dev/shm")  # in memory, when there is one: opening files is ten times faster
    root = Path(tempfile.mkdtemp(prefix="relapse_guard_fuzz_", dir=shm if shm.is_dir() else None))
    rows = []
    failures: list[str] = []
    try:
        for reader in args.readers.split(","):
            started = time.perf_counter()
            counts, made, failed = fuzz(reader.strip(), args.inputs, root)
            seconds = time.perf_counter() - started
            tried = sum(counts[column] for column in COLUMNS[:4])
            rows.append((reader, tried, *(counts[column] for column in COLUMNS), seconds))
            print(f"{reader}: {dict(made)}", file=sys.stderr)
            failures += [f"{reader}: {failure}" for failure in failed]
    finally:
        shutil.rmtree(root, ignore_errors=True)
        Path(str(root) + "-outside.jsonl").unlink(missing_ok=True)
    header = ("reader", "inputs", *COLUMNS, "seconds")
    widths = [
        max(len(str(row[i])) if i != len(header) - 1 else 7 for row in [header, *rows]) for i in range(len(header))
    ]
    print(" | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        cells = [*row[:-1], f"{row[-1]:.1f}"]
        print(
            " | ".join(
                str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    for failure in failures[:20]:
        print("FAILED", failure)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
