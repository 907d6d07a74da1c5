"""Core benchmark: facts per second through the engine, against a Machine-per-household reference.

Builds a synthetic population in memory (not timed): households of 1-6 members, a year of
monthly income assessments around the poverty line, and illness, disaster, job-loss,
schooling and housing facts at yearly rates; a fifth of households go through
identification, assistance and exit. Then, on one core, it times

- the engine (``Engine(policy).run`` per household) in facts per second;
- the reference engine (one ``transitions.Machine`` per household) on the same households;
- the same screening rule (identification below the line and the safety-net gap) as a
  vectorised numpy computation over columns, if numpy is installed.

Run: python benchmarks/core_bench.py [--households N] [--policy NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_engine import MachineEngine

from relapse_guard import (
    AssistanceGranted,
    DisasterReported,
    Engine,
    ExitVerified,
    Fact,
    HouseAppraised,
    Household,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    LabourCapacity,
    Member,
    Place,
    SchoolEnrolled,
    Schooling,
    load_policy,
)

LINE = 3600


def population(n: int, seed: int = 0) -> list[tuple[Household, list[Fact]]]:
    """``n`` synthetic households with about 12.4 facts each (2016)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        hid = f"H{i:07d}"
        size = rnd.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6))
        members = [
            Member(
                id=f"{hid}-{k}",
                birth_date=dt.date(rnd.randint(1940, 2012), rnd.randint(1, 12), rnd.randint(1, 28)),
                labour_capacity=LabourCapacity.FULL if rnd.random() < 0.8 else LabourCapacity.NONE,
            )
            for k in range(size)
        ]
        household = Household(id=hid, place=Place("Yubei", f"T{i % 15}", f"V{i % 150}"), members=members)
        base = rnd.lognormvariate(0, 0.45) * LINE * 1.8
        facts: list[Fact] = []
        poor = rnd.random() < 0.2
        for month in range(1, 13):
            on = dt.date(2016, month, 10)
            income = int(base * rnd.uniform(0.9, 1.1))
            if poor and month <= 3:
                income = int(LINE * rnd.uniform(0.5, 0.95))
            if poor and month >= 7:
                income = max(income, int(LINE * 1.2))
            facts.append(
                IncomeAssessed(id=f"{hid}-i{month}", household_id=hid, date=on, income_per_capita=Decimal(income))
            )
            if poor and month == 2:
                facts.append(AssistanceGranted(id=f"{hid}-a", household_id=hid, date=on, measure="project"))
            if poor and month == 8:
                facts.append(ExitVerified(id=f"{hid}-e", household_id=hid, date=on))
        day = dt.date(2016, rnd.randint(1, 12), 20)
        member = members[0].id
        if rnd.random() < 0.1:
            cost = Decimal(rnd.randint(500, 30000))
            facts.append(
                IllnessReported(id=f"{hid}-ill", household_id=hid, date=day, member_id=member, self_paid_cost=cost)
            )
        if rnd.random() < 0.05:
            loss = Decimal(rnd.randint(500, 50000))
            facts.append(DisasterReported(id=f"{hid}-dis", household_id=hid, date=day, hazard="flood", loss=loss))
        if rnd.random() < 0.08:
            facts.append(JobLost(id=f"{hid}-job", household_id=hid, date=day, member_id=member))
        if rnd.random() < 0.1:
            level = rnd.choice([Schooling.PRIMARY, Schooling.JUNIOR_SECONDARY, Schooling.SENIOR_SECONDARY])
            facts.append(
                SchoolEnrolled(
                    id=f"{hid}-sch", household_id=hid, date=day, member_id=member, level=level, annual_cost=Decimal(800)
                )
            )
        if rnd.random() < 0.03:
            grade = rnd.choice([HousingGrade.B, HousingGrade.C, HousingGrade.D])
            facts.append(HouseAppraised(id=f"{hid}-hs", household_id=hid, date=day, grade=grade))
        out.append((household, facts))
    return out


def time_engine(engine: Engine, pop: list[tuple[Household, list[Fact]]], as_of: dt.date) -> float:
    gc.collect()
    start = time.perf_counter()
    run = engine.run
    for household, facts in pop:
        run(household, facts, as_of=as_of)
    return time.perf_counter() - start


def numpy_screen(pop: list[tuple[Household, list[Fact]]]) -> tuple[float, float] | None:
    """The identification and safety-net rules on columns: (seconds to compute, seconds to build columns)."""
    try:
        import numpy as np
    except ImportError:
        return None
    start = time.perf_counter()
    last_income = np.array(
        [float(next(f.income_per_capita for f in reversed(facts) if isinstance(f, IncomeAssessed))) for _, facts in pop]
    )
    size = np.array([h.size for h, _ in pop], dtype=np.int64)
    built = time.perf_counter() - start
    start = time.perf_counter()
    below = last_income < LINE
    gap = np.maximum(300 - np.round(last_income / 12, 2), 0) * size
    total = float(gap[below].sum())
    assert total >= 0
    return time.perf_counter() - start, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--reference-households", type=int, default=5_000)
    parser.add_argument("--policy", default="yubei_2016")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    as_of = dt.date(2016, 12, 31)
    pop = population(args.households)
    n_facts = sum(len(f) for _, f in pop)
    print(f"population: {len(pop):,} households, {n_facts:,} facts ({n_facts / len(pop):.2f} per household)")

    engine = Engine(policy)
    time_engine(engine, pop[:2000], as_of)  # warm up
    seconds = time_engine(engine, pop, as_of)
    rate = n_facts / seconds
    per_fact = 1e6 * seconds / n_facts
    print(f"engine (compiled table):           {rate:9,.0f} facts/s  ({seconds:.2f} s, {per_fact:.2f} us/fact)")
    print(f"  target >= 300,000 facts/s on one core: {'met' if rate >= 300_000 else 'NOT met'}")

    ref_pop = pop[: args.reference_households]
    ref_facts = sum(len(f) for _, f in ref_pop)
    ref_seconds = time_engine(MachineEngine(policy), ref_pop, as_of)
    ours = time_engine(engine, ref_pop, as_of)
    ref_rate = ref_facts / ref_seconds
    households = len(ref_pop)
    print(f"reference (Machine per household): {ref_rate:9,.0f} facts/s  ({ref_seconds:.2f} s, {households:,} hh)")
    print(f"  speed-up of the engine: {ref_seconds / ours:.1f}x (target >= 20x)")

    vectorised = numpy_screen(pop)
    if vectorised is None:
        print("numpy not installed: vectorised comparison skipped (pip install numpy)")
    else:
        compute, build = vectorised
        print(
            f"numpy, identification + safety-net gap on columns: {compute * 1e3:.1f} ms compute "
            f"(+{build:.2f} s building columns from objects); engine / numpy compute = {seconds / compute:,.0f}x"
        )


if __name__ == "__main__":
    main()
