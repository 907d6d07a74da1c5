"""Resuming one household from its checkpoint, against the targets of the monthly cycle.

A generated county is run through its first year (``run_checkpointed``); each household is
then resumed with one new fact of January: a quiet income assessment (above every rule's and
trigger's band, so the prefilter only records it), or a full-path fact (an illness). Prints
the median and the 90th percentile per household, with and without decoding the checkpoint
from its compact form, the checkpoints' size, and the instructions per resume when run under
``valgrind --tool=callgrind`` is not at hand (timings vary 20-50% on a shared machine).

Run: python benchmarks/resume_bench.py [--households 3000] [--policy yubei_2016]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relapse_guard import Engine, load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import Fact, IllnessReported, IncomeAssessed
from relapse_guard.population import synthetic_households

YEAR_END = dt.date(2016, 12, 31)
JANUARY = dt.date(2017, 1, 15)
TARGET_QUIET_US, TARGET_FULL_US, TARGET_BYTES = 10.0, 60.0, 300.0


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.9)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--policy", default="yubei_2016")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    engine = Engine(policy, record_decisions=False)
    people = list(synthetic_households(args.households, seed=1))
    checkpoints = [engine.run_checkpointed(h, f, as_of=YEAR_END).checkpoint for h, f in people]
    compact = [c.to_bytes(policy) for c in checkpoints]
    print(f"{args.households} households under {policy.label}, checkpointed at {YEAR_END}")
    size = statistics.mean(len(b) for b in compact)
    print(f"checkpoint, compact form: {size:.0f} bytes a household on average (target <= {TARGET_BYTES:.0f})")

    def quiet(hid: str) -> Fact:
        return IncomeAssessed(id=f"{hid}-jan", household_id=hid, date=JANUARY, income_per_capita=Decimal(50_000))

    def illness(hid: str) -> Fact:
        member = next(h for h in [people[index[hid]][0]]).members[0].id
        return IllnessReported(
            id=f"{hid}-ill", household_id=hid, date=JANUARY, member_id=member, self_paid_cost=Decimal(30_000)
        )

    index = {h.id: i for i, (h, _) in enumerate(people)}
    rows = []
    for label, make, target in (
        ("one quiet fact", quiet, TARGET_QUIET_US),
        ("one full-path fact", illness, TARGET_FULL_US),
    ):
        for decode in (False, True):
            samples = []
            for (household, _), checkpoint, data in zip(people, checkpoints, compact, strict=True):
                fact = [make(household.id)]
                start = time.perf_counter_ns()
                cp = Checkpoint.from_bytes(data, policy) if decode else checkpoint
                engine.resume(cp, household, fact, as_of=dt.date(2017, 1, 31))
                samples.append((time.perf_counter_ns() - start) / 1000)
            median, p90 = _quantiles(samples)
            what = f"resume, {label}" + (", checkpoint decoded" if decode else "")
            verdict = "met" if median <= target else "missed"
            mark = "" if decode else f"  (target <= {target:.0f} us: {verdict})"
            rows.append(f"{what:<52} median {median:7.1f} us   p90 {p90:7.1f} us{mark}")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
