"""Pipeline benchmark: what a screen spends per household outside the engine.

A population screen spends, per household, time in three places: reading the population
files into ``(household, facts)`` records, the engine, and turning the engine's result into
a row and totals. This times the first and the last, on one core, in CPU seconds (best of
``--repeat``; the steadiest figure on a shared machine):

- reading, per format: every record of a population's first partition streamed
  (``Partition.records``), per household and per fact row;
- row and totals: ``HouseholdRow.from_result`` (with ``Policy.reviews_due``) and
  ``ScreenTotals.add`` for each household, as ``screen_records`` does them, on results the
  engine made beforehand (not timed);
- fact ids: each household's fact ids claimed (``FactIds.claim``, the check that no two
  households share an id), the partition's digests made (``FactIds.digests``) and compared
  with another partition's (``shared_digests``), per household and per fact.

The population is ``--population DIR`` (read in its own format), or else a synthetic one of
``--households`` households generated into a temporary folder in each of ``--formats``.

Run: python benchmarks/pipeline_bench.py [--households 20000] [--formats parquet,csv,jsonl]
[--population DIR] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import itertools
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs
from core_bench import cpu_seconds

from relapse_guard import Engine, Policy, load_policy
from relapse_guard.errors import RelapseGuardError
from relapse_guard.facts import FactKinds
from relapse_guard.population import Partition, PopulationRecord, generate_population, read_population
from relapse_guard.screening import HouseholdRow, ScreenTotals
from relapse_guard.screening.fact_ids import FactIds, shared_digests

AS_OF = dt.date(2016, 12, 31)


def read_figures(partition: Partition, kinds: FactKinds, repeat: int) -> tuple[int, int, float]:
    """Households, fact rows, and the best CPU seconds to stream every record of ``partition``."""
    counts = [0, 0]

    def read() -> None:
        households = facts = 0
        for record in partition.records(kinds=kinds):
            households += 1
            facts += len(record.facts) + len(record.bad_rows)
        counts[:] = [households, facts]

    seconds = cpu_seconds(read, repeat)
    return counts[0], counts[1], seconds


def row_figures(records: list[PopulationRecord], policy: Policy, repeat: int) -> tuple[int, float]:
    """Households, and the best CPU seconds to make their rows and totals from the engine's results."""
    engine = Engine(policy, record_decisions=False)
    results = []
    for household, facts, _ in records:
        if household is None:
            continue
        try:
            results.append((household, engine.run(household, facts, as_of=AS_OF)))
        except RelapseGuardError:
            continue

    def rows_and_totals() -> None:
        totals = ScreenTotals()
        rows = []
        reviews_due = policy.reviews_due
        for household, result in results:  # as screen_records does it
            place = household.place
            row = HouseholdRow.from_result(
                result, (place.district, place.town, place.village), reviews_due(result, AS_OF)
            )
            totals.add(row)
            rows.append(row)

    return len(results), cpu_seconds(rows_and_totals, repeat)


def fact_id_figures(records: list[PopulationRecord], repeat: int) -> tuple[int, int, float, float]:
    """Households, facts, and the best CPU seconds to claim their fact ids (every screen), and to
    make the digests and compare them with another partition's (a screen of several
    partitions; here with no id shared, the usual case)."""
    households = [(household.id, facts) for household, facts, _ in records if household is not None]
    claimed = FactIds()
    other = FactIds()
    for household_id, facts in households:
        other.claim(household_id + "/other", [attrs.evolve(fact, id=fact.id + "/other") for fact in facts])
    others = other.digests()

    def claim() -> None:
        nonlocal claimed
        claimed = FactIds()
        for household_id, facts in households:
            claimed.claim(household_id, facts)

    def compare() -> None:
        assert not shared_digests([others, claimed.digests()])

    fact_count = sum(len(facts) for _, facts in households)
    return len(households), fact_count, cpu_seconds(claim, repeat), cpu_seconds(compare, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000, help="households of the generated population")
    parser.add_argument("--formats", default="parquet,csv,jsonl")
    parser.add_argument("--population", type=Path, default=None, help="a population to read instead")
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--repeat", type=int, default=5, help="times each figure is measured (the best is kept)")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    root = None
    if args.population is not None:
        populations = {str(read_population(args.population).format): args.population}
    else:
        formats = [f for f in args.formats.split(",") if f != "parquet" or importlib.util.find_spec("pyarrow")]
        root = Path(tempfile.mkdtemp(prefix="relapse_guard_pipeline_"))
        populations = {}
        for fmt in formats:
            populations[fmt] = root / fmt
            generate_population(root / fmt, households=args.households, seed=1, format=fmt, processes=1)
    try:
        print(f"CPU time per household, best of {args.repeat} (first partition of each population)")
        first = None
        for fmt, directory in populations.items():
            partition = read_population(directory).partitions[0]
            first = first or partition
            households, facts, seconds = read_figures(partition, policy.fact_kinds, args.repeat)
            print(
                f"  read {fmt:<8} {1e6 * seconds / households:7.2f} us a household, "
                f"{1e6 * seconds / max(facts, 1):5.2f} us a fact row "
                f"({households:,} households, {facts / max(households, 1):.1f} facts each)"
            )
        assert first is not None
        records = list(itertools.islice(first.records(kinds=policy.fact_kinds), args.households))
        households, seconds = row_figures(records, policy, args.repeat)
        print(f"  row + totals   {1e6 * seconds / households:7.2f} us a household ({households:,} households)")
        households, facts, claim, compare = fact_id_figures(records, args.repeat)
        for label, seconds in (("fact ids", claim), ("id digests", compare)):
            print(
                f"  {label:<14} {1e6 * seconds / households:7.2f} us a household, "
                f"{1e6 * seconds / max(facts, 1):5.2f} us a fact"
            )
        print(f"  (digests: {8 * facts / households:.0f} bytes a household, kept until the partitions are merged)")
    finally:
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
