"""The what-if's CPU time for several parameter changes three ways: every household run under
both policies from the start, and a differing household's decisions compared from the first
(``all``); the second policy's runs spared where the first one's
run asked nothing it answers otherwise (``spared``, relapse_guard.whatif.reads: the scalar
first pass as it runs, sharing the runs once the watch gives up); and without the watch, each
household's runs before the policies part shared (``shared``, relapse_guard.whatif.shared).

yubei_2016 against the same rules with one parameter changed, over ``--households`` generated
households (records made beforehand, in this process), as of 2016-12-31; CPU time a household,
best of ``--repeat``, the ways alternating. Prints, per change: the households that differ,
the second runs spared, the CPU a household each way and the ratios to ``all``; and checks that
the comparisons are equal (they must be).

Run: python benchmarks/whatif_changes.py [--households 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.helpers import unshared, unwatched

from relapse_guard import load_policy
from relapse_guard.population import synthetic_households
from relapse_guard.whatif import Comparison, compare

AS_OF = dt.date(2016, 12, 31)
JULY = dt.date(2016, 7, 1)
CHANGES = {
    "safety_net.standard 330 from July": {"safety_net.standard": {JULY: Decimal(330)}},
    "education_aid primary 2,000 from July": {"education_aid.per_student.primary": {JULY: Decimal(2000)}},
    "medical_aid.share 0.8 from July": {"medical_aid.share": {JULY: Decimal("0.8")}},
    "housing.grant.D 40,000 in 2016": {"housing.grant.D": {dt.date(2016, 1, 1): Decimal(40000)}},
    "poverty_line 3,800 from July": {"poverty_line": {JULY: Decimal(3800)}},
}


#: The ways compared, each with what makes the what-if run so: every run from the start (the
#: test suite's own switches, tests/kit/helpers.py), second runs spared (as it runs), runs
#: shared before the policies part.
WAYS: dict[str, Callable[[], contextlib.AbstractContextManager[None]]] = {
    "all": unshared,
    "spared": contextlib.nullcontext,
    "shared": unwatched,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    first = load_policy("yubei_2016")
    population = list(synthetic_households(args.households, seed=1))
    print(
        f"{args.households:,} generated households, yubei_2016, as of {AS_OF}; CPU a household, best of {args.repeat}"
    )
    print(
        f"{'change':40} {'differ':>7} {'spared':>7} {'all runs':>9} {'spared':>9} {'ratio':>6}"
        f" {'shared':>9} {'ratio':>6}  same"
    )
    for label, changes in CHANGES.items():
        second = first.derive(name="b", parameters=changes)
        best = dict.fromkeys(WAYS, float("inf"))
        found: dict[str, Comparison] = {}
        for _ in range(args.repeat):
            for way in WAYS:
                with WAYS[way]():
                    started = time.process_time()
                    found[way] = compare(first, second, population, as_of=AS_OF)
                    best[way] = min(best[way], time.process_time() - started)
        per = {way: seconds / args.households * 1e6 for way, seconds in best.items()}
        spared = found["spared"].paths.get("unchanged", 0)
        same = all(found["all"] == found[way] and found["all"].render() == found[way].render() for way in WAYS)
        print(
            f"{label:40} {len(found['all'].households):>7,} {spared:>7,} {per['all']:>7.0f}µs {per['spared']:>7.0f}µs"
            f" {per['all'] / per['spared']:>5.2f}x {per['shared']:>7.0f}µs {per['all'] / per['shared']:>5.2f}x  {same}"
        )


if __name__ == "__main__":
    main()
