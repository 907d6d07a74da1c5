"""Store benchmark: batched ingest rate and single-household replay time on a synthetic population.

    python benchmarks/store_bench.py                          # 20,000 households x 12 facts
    python benchmarks/store_bench.py --households 2000        # quicker
    python benchmarks/store_bench.py --records synthetic      # the population generator's records

Builds a seeded synthetic population (households of 1-5 members; 12 facts each: income
assessments, assistance, exits, illnesses, job losses, school costs, house appraisals,
disasters) or, with ``--records synthetic``, takes the households and facts of
:func:`relapse_guard.population.synthetic_households` (a year of each household's life, as
``Fact.to_dict()`` records); writes it to a SQLite store in a temporary directory, and prints:

- the ingest rate (facts per second, plain records parsed and stored in batches, one
  transaction per batch, ``synchronous=FULL``) beside its target of 100,000 facts a second
  (a province's month of a million facts in ten seconds), then the rate of a month's feed
  ingested onto it: one new fact for every household, households mixed (each fact then also
  reads and writes its household's version and pending mark);
- the time to replay one household (read its record and facts, run the engine): median
  and 95th percentile over a sample;
- the time to log decisions and to verify the hash chains (every fact and decision).

Figures depend on the machine; tests never assert them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from relapse_guard import Household, Member, Place, load_policy
from relapse_guard.household import LabourCapacity
from relapse_guard.store import SQLiteStore, replay
from relapse_guard.store.base import DEFAULT_BATCH_SIZE

START = dt.date(2015, 1, 1)
#: The ingest rate aimed at, in facts a second.
INGEST_TARGET = 100_000


def population(households: int, facts_per_household: int, seed: int) -> tuple[list[Household], list[dict[str, Any]]]:
    """Seeded households and their facts as plain records (what a data feed delivers)."""
    rng = random.Random(seed)
    homes: list[Household] = []
    records: list[dict[str, Any]] = []
    for n in range(households):
        hid = f"HH{n:07d}"
        members = tuple(
            Member(
                id=f"5001121{rng.randint(1940, 2012)}{n:07d}{i}",
                birth_date=dt.date(rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28)),
                labour_capacity=rng.choice(list(LabourCapacity)),
            )
            for i in range(rng.randint(1, 5))
        )
        homes.append(Household(id=hid, place=Place("Yubei", f"Town{n % 11}", f"Village{n % 97}"), members=members))
        records.extend(_history(rng, hid, [m.id for m in members], facts_per_household))
    return homes, records


def _history(rng: random.Random, hid: str, member_ids: list[str], count: int) -> Iterator[dict[str, Any]]:
    day = START + dt.timedelta(days=rng.randint(0, 60))

    def fact(kind: str, k: int, **fields: object) -> dict[str, Any]:
        return {"kind": kind, "id": f"{hid}-{k}", "household_id": hid, "date": day.isoformat(), **fields}

    yield fact("income_assessed", 0, income_per_capita=str(rng.randint(1500, 2700)))  # below the line: identified
    for k in range(1, count):
        day += dt.timedelta(days=rng.randint(20, 150))
        roll = rng.random()
        if k == 1:
            yield fact("assistance_granted", k, measure="industry project")
        elif k == 3:
            yield fact("exit_verified", k)
        elif roll < 0.35:
            yield fact("income_assessed", k, income_per_capita=f"{rng.randint(2000, 9000)}.{rng.randint(0, 99):02d}")
        elif roll < 0.5:
            yield fact(
                "illness_reported", k, member_id=rng.choice(member_ids), self_paid_cost=str(rng.randint(0, 40000))
            )
        elif roll < 0.6:
            yield fact("job_lost", k, member_id=rng.choice(member_ids))
        elif roll < 0.7:
            yield fact("school_enrolled", k, member_id=rng.choice(member_ids), level="primary", annual_cost="1500")
        elif roll < 0.8:
            yield fact("house_appraised", k, grade=rng.choice("ABCD"))
        elif roll < 0.9:
            yield fact("disaster_reported", k, hazard="flood", loss=str(rng.randint(0, 30000)))
        else:
            yield fact("basic_needs_checked", k, unmet=[])


def synthetic(households: int, seed: int) -> tuple[list[Household], list[dict[str, Any]]]:
    """The population generator's households and their facts as plain records."""
    from relapse_guard.population import synthetic_households

    homes: list[Household] = []
    records: list[dict[str, Any]] = []
    for household, facts in synthetic_households(households, seed=seed):
        homes.append(household)
        records.extend(fact.to_dict() for fact in facts)
    return homes, records


def next_month(records: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Records of a later month: one new fact for each household (its last record, with a new id and a
    date 365 days on), in an order mixing the households, as a month's feed arrives."""
    last = {record["household_id"]: record for record in records}
    a_year = dt.timedelta(days=365)
    month = [
        record | {"id": f"{record['id']}-next", "date": (dt.date.fromisoformat(record["date"]) + a_year).isoformat()}
        for record in last.values()
    ]
    random.Random(seed).shuffle(month)
    return month


def _ingest(store: SQLiteStore, records: list[dict[str, Any]], batch_size: int) -> float:
    """Seconds to ingest ``records``, which must all be new."""
    t0 = time.perf_counter()
    report = store.ingest(records, batch_size=batch_size)
    seconds = time.perf_counter() - t0
    assert report.stored == len(records), report
    return seconds


def _rate(facts: int, seconds: float) -> str:
    rate = facts / seconds
    verdict = "meets" if rate >= INGEST_TARGET else "below"
    return f"{rate:,.0f} facts/s ({verdict} the {INGEST_TARGET:,} target; {facts:,} facts in {seconds:.1f} s)"


def _ms(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--facts-per-household", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument(
        "--records", choices=["bench", "synthetic"], default="bench", help="this script's population or the generator's"
    )
    parser.add_argument("--replays", type=int, default=500, help="households sampled for the replay timing")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    args = parser.parse_args(argv)

    policy = load_policy("yubei_2016")
    t0 = time.perf_counter()
    if args.records == "synthetic":
        households, records = synthetic(args.households, args.seed)
    else:
        households, records = population(args.households, args.facts_per_household, args.seed)
    month = next_month(records, args.seed)
    print(
        f"population: {len(households):,} households, {len(records):,} facts "
        f"(generated in {time.perf_counter() - t0:.1f} s); python {sys.version.split()[0]}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        with SQLiteStore(path, synchronous=args.synchronous) as store:
            t0 = time.perf_counter()
            store.put_households(households)
            households_s = time.perf_counter() - t0

            ingest_s = _ingest(store, records, args.batch_size)
            month_s = _ingest(store, month, args.batch_size)

            rng = random.Random(args.seed)
            sample = rng.sample([h.id for h in households], min(args.replays, len(households)))
            reads, replays = [], []
            for hid in sample:
                t0 = time.perf_counter()
                store.household(hid)
                store.facts(hid)
                reads.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                replay(store, hid, policy)
                replays.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            logged = sum(store.record_decisions(replay(store, hid, policy)) for hid in sample)
            record_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            verified = store.verify()
            verify_s = time.perf_counter() - t0
            assert verified.ok
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6

    print(f"put_households: {len(households) / households_s:,.0f} households/s (one transaction)")
    print(
        f"ingest: {_rate(len(records), ingest_s)}; {args.batch_size:,} records per transaction, "
        f"synchronous={args.synchronous}; database {size_mb:.0f} MB"
    )
    print(f"ingest of a month onto it: {_rate(len(month), month_s)}")
    median, p95 = _ms(replays)
    read_median, _ = _ms(reads)
    print(
        f"replay one household: median {median:.2f} ms, p95 {p95:.2f} ms over {len(sample)} households "
        f"(of which reading record and facts: median {read_median:.2f} ms)"
    )
    print(f"decisions log: {logged:,} entries recorded at {logged / record_s:,.0f}/s (replay included)")
    chained = verified.facts + verified.entries + verified.checkpoints
    print(
        f"verify: {chained / verify_s:,.0f} entries/s ({verified.facts:,} facts and {verified.entries:,} "
        f"decisions, every one hashed, in {verify_s:.1f} s)"
    )


if __name__ == "__main__":
    main()
