"""The safety-net top-up of one month in OpenFisca, timed: run by benchmarks/safety_net_month.py.

Runs in an interpreter of its own with ``openfisca-core`` and numpy installed (openfisca-core
is not a dependency of relapse_guard, and nothing imports this file). It reads the arrays
saved by the main script (``--arrays FILE.npz``: each household's per-capita income in fen
per year and whether it was ever assessed, and each person's household), builds a tax-benefit
system with a ``person`` and a ``household`` group entity, the variables and the standard as
a parameter, then times building the simulation from the arrays and calculating the month's
top-up for every household. It prints one line of JSON: the timings and the total in fen.

OpenFisca's numeric variables are int32 or float32; the formula works in int32 fen (the
incomes and the standard are whole fen here), which keeps it exact to the fen as the
engine's ``Decimal`` arithmetic is.

With ``--population DIR --as-of DATE`` instead of ``--arrays``, it reads the arrays from the
Parquet population itself with pyarrow (sort, then the last assessment of each household),
timed as ``load_seconds``.

Run: python benchmarks/openfisca_safety_net.py --arrays ARRAYS.npz --month 2016-12 --standard 300
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.model_api import MONTH, YEAR, ParameterNode, Variable, where
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

Person = build_entity("person", "persons", "A member of a household", is_person=True)
Household = build_entity(
    "household",
    "households",
    "A household",
    roles=[{"key": "member", "plural": "members", "label": "Member"}],
)


class income_per_capita_fen(Variable):  # noqa: N801 (OpenFisca names variables in snake case)
    """The household's latest assessed per-capita income, in fen per year."""

    value_type = int
    entity = Household
    definition_period = YEAR
    label = "Per-capita income (fen per year)"


class income_assessed(Variable):  # noqa: N801
    """Whether the household's income was ever assessed."""

    value_type = bool
    entity = Household
    definition_period = YEAR
    label = "Income assessed"


class safety_net_top_up_fen(Variable):  # noqa: N801
    """The monthly top-up: (standard - monthly income left, half-up to the fen) x members, when positive."""

    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Safety-net top-up (fen per month)"

    def formula(household: Any, period: Any, parameters: Any) -> Any:  # noqa: N805 (OpenFisca's signature)
        income = household("income_per_capita_fen", period.this_year).astype(np.int64)
        assessed = household("income_assessed", period.this_year)
        members = household.nb_persons()
        standard = round(parameters(period).safety_net.standard * 100)
        left = (2 * np.maximum(income, 0) + 12) // 24  # half-up of income / 12, in fen
        gap = standard - left
        return where(assessed & (gap > 0), gap * members, 0)


def tax_benefit_system(standard: str) -> TaxBenefitSystem:
    """The system: the two entities, the three variables and ``safety_net.standard`` (yuan per month)."""
    system = TaxBenefitSystem([Person, Household])
    system.add_variables(income_per_capita_fen, income_assessed, safety_net_top_up_fen)
    system.parameters = ParameterNode(
        "", data={"safety_net": {"standard": {"values": {"2015-01-01": {"value": float(standard)}}}}}
    )
    return system


def arrays_from_parquet(directory: Path, as_of: str) -> dict[str, Any]:
    """The same arrays read from a Parquet population directory with pyarrow, plainly: each household's
    income assessments on or before ``as_of`` sorted by date and fact id, the last one kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    incomes, assessed, persons, offset = [], [], [], 0
    for partition in manifest["partitions"]:
        rows = pq.read_table(directory / partition["households_file"], columns=["household_id"]).column(0)
        runs = pc.run_end_encode(rows.combine_chunks())
        ids, ends = runs.values, runs.run_ends.to_numpy().astype(np.int64)
        persons.append(np.repeat(np.arange(offset, offset + len(ids)), np.diff(ends, prepend=0)))
        facts = pq.read_table(
            directory / partition["facts_file"],
            columns=["household_id", "id", "date", "income_per_capita"],
            filters=[("kind", "=", "income_assessed"), ("date", "<=", pa.scalar(date.fromisoformat(as_of)))],
        )
        facts = facts.sort_by([("household_id", "ascending"), ("date", "ascending"), ("id", "ascending")])
        last = facts.group_by("household_id", use_threads=False).aggregate([("income_per_capita", "last")])
        where = pc.index_in(last.column("household_id"), value_set=ids).to_numpy(zero_copy_only=False)
        hundred = pa.scalar(100, pa.decimal128(3, 0))
        fen = pc.multiply(pc.cast(last.column("income_per_capita_last"), pa.decimal128(18, 2)), hundred)
        income = np.zeros(len(ids), dtype=np.int32)
        income[where] = pc.cast(fen, pa.int64()).to_numpy()
        found = np.zeros(len(ids), dtype=bool)
        found[where] = True
        incomes.append(income)
        assessed.append(found)
        offset += len(ids)
    return {
        "income_fen": np.concatenate(incomes),
        "assessed": np.concatenate(assessed),
        "person_household": np.concatenate(persons),
    }


def simulate(system: TaxBenefitSystem, arrays: Any, month: str) -> tuple[Any, float, float]:
    """Build the simulation from ``arrays`` and calculate ``month``: (top-ups, build s, calculate s)."""
    start = time.perf_counter()
    income, assessed, person_household = arrays["income_fen"], arrays["assessed"], arrays["person_household"]
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(person_household)))
    households = builder.declare_entity("household", np.arange(len(income)))
    builder.join_with_persons(households, person_household, np.zeros(len(person_household), dtype=np.int64))
    simulation = builder.build(system)
    year = month[:4]
    simulation.set_input("income_per_capita_fen", year, income.astype(np.int32))
    simulation.set_input("income_assessed", year, assessed)
    built = time.perf_counter()
    top_ups = simulation.calculate("safety_net_top_up_fen", month)
    done = time.perf_counter()
    return top_ups, built - start, done - built


def main() -> None:
    """Time the build and the calculation, and print them with the total as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrays", help="the arrays saved by benchmarks/safety_net_month.py")
    parser.add_argument("--population", type=Path, help="or a Parquet population directory, read with pyarrow")
    parser.add_argument("--month", required=True)
    parser.add_argument("--as-of", help="with --population: the last day whose assessments count")
    parser.add_argument("--standard", required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    system = tax_benefit_system(args.standard)
    made = time.perf_counter()
    if args.population is not None:
        arrays = arrays_from_parquet(args.population, args.as_of)
    else:
        with np.load(args.arrays) as saved:
            arrays = {name: saved[name] for name in saved.files}
    loaded = time.perf_counter()
    top_ups, build, calculate = simulate(system, arrays, args.month)
    figures = {
        "households": len(top_ups),
        "system_seconds": made - start,
        "load_seconds": loaded - made,
        "build_seconds": build,
        "calculate_seconds": calculate,
        "topped_up": int(np.count_nonzero(top_ups)),
        "total_fen": int(top_ups.astype(np.int64).sum()),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
