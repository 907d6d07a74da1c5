"""Core benchmark: the engine on one core, against a reference on ``transitions``, and numpy.

The population is the library's synthetic one (``synthetic_households``: the documented
distributions of docs/population.md, a year of monthly assessments and shocks), held in
memory, so only the engine is timed. On one core, in CPU seconds (best of ``--repeat``):

- the engine, as shipped (prefilter on), evaluating every fact (``prefilter=False``), and as a
  screen runs it (``record_decisions=False``);
- the reference engine (benchmarks/reference_engine.py: a ``transitions.Machine`` per
  household, asked on every fact, every fact evaluated) on the first households, and the
  engine on the same households: the speed-up;
- the lifecycle step alone: the same moves through the compiled table and through a
  Machine per household: the speed-up, and the table's rate in facts a second;
- identification below the line and the safety-net gap as a vectorised numpy computation
  over columns (if numpy is installed): the engine's time over numpy's.

Run: python benchmarks/core_bench.py [--households N] [--policy NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_engine import MachineEngine, lifecycle_only

from relapse_guard import Engine, Fact, Household, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.lifecycle import TABLE, Event
from relapse_guard.population import synthetic_households

AS_OF = dt.date(2016, 12, 31)
Population = list[tuple[Household, list[Fact]]]


def population(households: int, seed: int = 1) -> Population:
    """The synthetic population of ``seed``: ``households`` households and a year of facts each."""
    return list(synthetic_households(households, seed=seed))


def cpu_seconds(action: Callable[[], object], repeat: int) -> float:
    """The best CPU time of ``repeat`` runs of ``action`` (the steadiest figure on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def run_all(engine: Engine, pop: Population) -> Callable[[], None]:
    def action() -> None:
        run = engine.run
        for household, facts in pop:
            run(household, facts, as_of=AS_OF)

    return action


def moves_of(engine: Engine, pop: Population) -> list[tuple[int, list[Event]]]:
    """Per household: its number of facts and the lifecycle events of its moves."""
    event_of = {(source, dest): event for (source, event), (dest, _guard) in TABLE.items()}
    out = []
    for household, facts in pop:
        result = engine.run(household, facts, as_of=AS_OF)
        moves = [
            event_of[(d.from_state, d.to_state)]
            for d in result.decisions
            if d.kind is DecisionKind.TRANSITION and d.from_state is not None and d.to_state is not None
        ]
        out.append((len(facts), moves))
    return out


def numpy_screen(pop: Population, line: Decimal, standard: Decimal) -> tuple[float, float] | None:
    """Identification below the line and the safety-net gap over columns: (compute, build) CPU seconds."""
    try:
        import numpy as np
    except ImportError:
        return None
    start = time.process_time()
    last_income = np.array(
        [float(next(f.income_per_capita for f in reversed(facts) if type(f) is IncomeAssessed)) for _, facts in pop]
    )
    size = np.array([h.size for h, _ in pop], dtype=np.int64)
    built = time.process_time() - start

    def compute() -> None:
        below = last_income < float(line)
        gap = np.maximum(float(standard) - np.round(last_income / 12, 2), 0) * size
        assert float(gap[below].sum()) >= 0

    return cpu_seconds(compute, 5), built


def measure(households: int, reference_households: int, policy_name: str, repeat: int) -> dict[str, float]:
    """Every core figure, printed as it is measured, and returned by name."""
    policy = load_policy(policy_name)
    pop = population(households)
    n_facts = sum(len(f) for _, f in pop)
    print(f"population: {len(pop):,} synthetic households, {n_facts:,} facts ({n_facts / len(pop):.2f} each)")
    figures: dict[str, float] = {}

    engine, every_fact = Engine(policy), Engine(policy, prefilter=False)
    run_all(engine, pop[:1000])()  # warm up
    seconds = cpu_seconds(run_all(engine, pop), repeat)
    full_seconds = cpu_seconds(run_all(every_fact, pop), repeat)
    figures["engine_facts_per_s"] = n_facts / seconds
    figures["engine_every_fact_facts_per_s"] = n_facts / full_seconds
    lean_seconds = cpu_seconds(run_all(Engine(policy, record_decisions=False), pop), repeat)
    figures["engine_screen_facts_per_s"] = n_facts / lean_seconds
    per_fact = 1e6 * seconds / n_facts
    print(f"engine (compiled table, prefilter): {n_facts / seconds:9,.0f} facts/s ({per_fact:.2f} us/fact)")
    print(f"engine evaluating every fact:       {n_facts / full_seconds:9,.0f} facts/s")
    print(f"engine as a screen runs it (no decisions recorded): {n_facts / lean_seconds:9,.0f} facts/s")

    ref_pop = pop[:reference_households]
    ref_facts = sum(len(f) for _, f in ref_pop)
    ref_seconds = cpu_seconds(run_all(MachineEngine(policy), ref_pop), 1)
    ours = cpu_seconds(run_all(engine, ref_pop), repeat)
    figures["reference_facts_per_s"] = ref_facts / ref_seconds
    figures["speedup_vs_reference"] = ref_seconds / ours
    print(f"reference (Machine per household):  {ref_facts / ref_seconds:9,.0f} facts/s ({len(ref_pop):,} households)")
    print(f"  engine / reference, whole engine: {ref_seconds / ours:.1f}x")

    table_s, machine_s = lifecycle_only(moves_of(engine, ref_pop))
    figures["speedup_lifecycle_step"] = machine_s / table_s
    figures["lifecycle_facts_per_s"] = ref_facts / table_s
    print(f"  lifecycle step alone, table vs Machine per household: {machine_s / table_s:.1f}x")
    print(f"  lifecycle step alone through the table: {ref_facts / table_s:,.0f} facts/s")

    line = policy.parameters.value("poverty_line", AS_OF)
    standard = policy.parameters.value("safety_net.standard", AS_OF)
    assert isinstance(line, Decimal)
    assert isinstance(standard, Decimal)
    vectorised = numpy_screen(pop, line, standard)
    if vectorised is None:
        print("numpy not installed: vectorised comparison skipped (pip install numpy)")
    else:
        compute, build = vectorised
        figures["engine_over_numpy"] = seconds / compute
        print(
            f"numpy, identification + safety-net gap on columns: {compute * 1e3:.2f} ms "
            f"(+{build:.2f} s building columns from objects); engine / numpy = {seconds / compute:,.0f}x"
        )
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--reference-households", type=int, default=3_000)
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    measure(args.households, args.reference_households, args.policy, args.repeat)


if __name__ == "__main__":
    main()
