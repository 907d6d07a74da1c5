"""Where a screen's time goes, by kind of household, and which path the columnar screen gives each.

Households of the synthetic generator (``--households``, ``--seed``) are run on the engine
under ``--policy`` as of 2016-12-31 and sorted into classes: whether they have facts other
than income assessments, and the state, risks and grants they end with. For each class it
prints the share of households, the scalar screen's CPU time a household (its run of the
records read beforehand, best of ``--repeat``), the class's share of that time, the columnar
screen's CPU time a household of the class (the engine's included for the households it
hands over), and
how the columnar screen takes its households (``columnar``, ``engine``). A class the
columnar screen hands to the engine is time it cannot save yet; a class that costs more
columnar than on the engine is time it loses.

Run: python benchmarks/columnar_classes.py [--households 6000] [--policy yubei_2016]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Sequence

from relapse_guard import load_policy
from relapse_guard.engine import Engine
from relapse_guard.facts import Fact, IncomeAssessed
from relapse_guard.household import Household
from relapse_guard.population.synthetic import synthetic_households
from relapse_guard.screening.columnar import run_columnar
from relapse_guard.screening.screen import run_records
from relapse_guard.screening.screened import Tally

AS_OF = dt.date(2016, 12, 31)

Item = tuple[Household, list[Fact]]


def _class_of(facts: Sequence[Fact], state: str, risks: bool, grants: bool) -> str:
    facts_kind = "income only" if all(type(fact) is IncomeAssessed for fact in facts) else "other facts"
    return f"{facts_kind}, ends {state}{', risks' if risks else ''}{', grants' if grants else ''}"


def _cpu_per_household(engine: Engine, items: list[Item], repeat: int, engine_name: str) -> float:
    """The screen's CPU time a household of ``items`` (its run of the records), best of ``repeat``."""
    records = [(household, facts, ()) for household, facts in items]
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        if engine_name == "columnar":
            for _ in run_columnar(records, engine, AS_OF, Tally(), Counter()):
                pass
        else:
            for _ in run_records(records, engine, AS_OF, Tally()):
                pass
        best = min(best, time.process_time() - start)
    return best / len(items) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    policy = load_policy(args.policy)
    engine = Engine(policy, record_decisions=False)
    population = list(synthetic_households(args.households, seed=args.seed))
    records = [(household, facts, ()) for household, facts in population]
    paths_of = _paths(engine, records)
    classes: dict[str, list[Item]] = defaultdict(list)
    taken: dict[str, Counter[str]] = defaultdict(Counter)
    for (household, facts), path in zip(population, paths_of, strict=True):
        result = engine.run(household, facts, as_of=AS_OF)
        name = _class_of(facts, result.state.value, bool(result.risks), bool(result.grants))
        classes[name].append((household, facts))
        taken[name][path] += 1
    cost = {name: _cpu_per_household(engine, items, args.repeat, "scalar") for name, items in classes.items()}
    columnar = {name: _cpu_per_household(engine, items, args.repeat, "columnar") for name, items in classes.items()}
    total = sum(cost[name] * len(items) for name, items in classes.items())
    total_columnar = sum(columnar[name] * len(items) for name, items in classes.items())
    print(f"{args.households:,} households, {args.policy}, as of {AS_OF}; CPU time, best of {args.repeat}")
    print(f"{'class':44} {'share':>6} {'scalar':>8} {'of time':>8} {'columnar':>9}  columnar paths")
    for name, items in sorted(classes.items(), key=lambda item: -cost[item[0]] * len(item[1])):
        share, time_share = len(items) / args.households, cost[name] * len(items) / total
        paths = ", ".join(f"{path} {count}" for path, count in sorted(taken[name].items()))
        print(f"{name:44} {share:6.1%} {cost[name]:8.0f} {time_share:8.1%} {columnar[name]:9.0f}  {paths}")
    print(f"{'all':44} {1:6.1%} {total / args.households:8.0f} {1:8.1%} {total_columnar / args.households:9.0f}")
    return 0


def _paths(engine: Engine, records: list[tuple[Household, list[Fact], tuple[()]]]) -> list[str]:
    """The columnar path of each household, in order (one household at a time, so each is named)."""
    found: list[str] = []
    for record in records:
        paths: Counter[str] = Counter()
        list(run_columnar([record], engine, AS_OF, Tally(), paths))
        found.append(next(iter(paths)))
    return found


if __name__ == "__main__":
    raise SystemExit(main())
