"""Gathering a report over a population directory: local processes give the serial figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relapse_guard import load_policy
from relapse_guard.population import generate_population, read_population
from relapse_guard.reporting.stream import collect_population
from relapse_guard.screening import Progress

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("county")
    generate_population(directory, households=450, partitions=3, seed=11)
    return directory


def test_local_processes_gather_the_serial_figures_and_report_progress(population_dir: Path) -> None:
    population = read_population(population_dir)
    serial = collect_population(population, "dazu_2016", AS_OF, workers=1)
    seen: list[Progress] = []
    parallel = collect_population(population, "dazu_2016", AS_OF, workers=2, progress=seen.append)
    assert parallel == serial
    assert serial.households_done == 450
    assert len(seen) == len(population.partitions)  # one report as each partition finishes
    done = [report.households_done for report in seen]
    assert done == sorted(done)
    assert done[-1] == 450
    assert seen[-1].rows_read == (population.households or 0) + (population.facts or 0)


def test_a_columnar_gathering_gives_the_engines_figures() -> None:
    pytest.importorskip("numpy")
    from relapse_guard.population.synthetic import synthetic_households
    from relapse_guard.reporting.stream import collect_records

    records = [(household, facts, ()) for household, facts in synthetic_households(400, seed=11)]
    for policy in ("yubei_2016", "bishan_2016"):
        scalar = collect_records(records, load_policy(policy), dt.date(2016, 12, 31), engine="scalar")
        columnar = collect_records(records, load_policy(policy), dt.date(2016, 12, 31), engine="columnar")
        assert columnar == scalar
        assert columnar.paths["columnar"] > 0
        assert sum(columnar.paths.values()) == 400
