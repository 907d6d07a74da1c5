"""Run in another process by the cycle tests: ``python cycle_worker.py DB MONTH`` runs the
county's cycle of month MONTH (0-based) on DB, printing ``chunk N`` (flushed) after each
chunk is committed, slowly enough for the parent to kill it part way."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.monitoring.county import county, month_end, monthly_batches, records

from relapse_guard.monitoring import CycleProgress, Monitor
from relapse_guard.store import SQLiteStore


def main() -> None:
    path, month = sys.argv[1], int(sys.argv[2])
    done = 0

    def progress(_: CycleProgress) -> None:
        nonlocal done
        done += 1
        print("chunk", done, flush=True)
        time.sleep(0.5)

    with SQLiteStore(path) as store:
        batch = monthly_batches(county())[month]
        Monitor(store, "yubei_2016", chunk_size=10).cycle(records(batch), as_of=month_end(month), progress=progress)


if __name__ == "__main__":
    main()
