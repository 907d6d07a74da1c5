from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from relapse_guard.population import generate_population, read_population
from relapse_guard.screening.parallel import screen_population

AS_OF = dt.date(2016, 12, 31)


@pytest.fixture(scope="module")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("county")
    generate_population(directory, households=600, partitions=3, seed=7)
    return directory


def test_parallel_screen_equals_serial(population_dir: Path) -> None:
    population = read_population(population_dir)
    serial = screen_population(population, "yubei_2016", AS_OF, workers=1)
    parallel = screen_population(population, "yubei_2016", AS_OF, workers=2)
    assert serial.totals.households + len(serial.errors) == 600
    assert parallel.totals.to_dict() == serial.totals.to_dict()
    assert parallel.rows == serial.rows
    assert parallel.errors == serial.errors
    assert parallel.bad_rows == serial.bad_rows
    assert sum(serial.totals.by_state.values()) == serial.totals.households
