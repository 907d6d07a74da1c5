from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from relapse_guard.errors import InvalidArgument, UnknownPlugin, WrongType
from relapse_guard.population import generate_population, read_population
from relapse_guard.reporting import collect_population
from relapse_guard.screening import Progress
from relapse_guard.screening.parallel import screen_population
from relapse_guard.whatif import compare_population

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


def test_parallel_screen_reports_progress_as_partitions_finish(population_dir: Path) -> None:
    population = read_population(population_dir)
    seen: list[Progress] = []
    result = screen_population(population, "yubei_2016", AS_OF, workers=2, keep_rows=False, progress=seen.append)
    assert len(seen) == 3  # one report per partition
    done = [p.households_done for p in seen]
    assert done == sorted(done)
    assert done[-1] == result.totals.households + len(result.errors) == 600
    assert seen[-1].rows_read == (population.households or 0) + (population.facts or 0)
    assert all(p.households_total == 600 for p in seen)
    assert seen[-1].eta_seconds == 0


def test_serial_screen_counts_progress_across_partitions(population_dir: Path) -> None:
    population = read_population(population_dir)
    seen: list[Progress] = []
    screen_population(population, "yubei_2016", AS_OF, workers=1, keep_rows=False, progress=seen.append)
    done = [p.households_done for p in seen]
    assert done == sorted(done)  # never back to zero at the next partition
    assert done[-1] == 600
    assert seen[-1].rows_read == (population.households or 0) + (population.facts or 0)


def test_a_population_is_taken_by_the_path_of_its_directory_too(population_dir: Path) -> None:
    from relapse_guard.reporting.stream import collect_population
    from relapse_guard.whatif import compare_population

    population = read_population(population_dir)
    read = screen_population(population, "yubei_2016", AS_OF, keep_rows=False)
    for given in (str(population_dir), population_dir):
        assert screen_population(given, "yubei_2016", AS_OF, keep_rows=False).totals == read.totals
    gathered = collect_population(str(population_dir), "yubei_2016", AS_OF)
    assert gathered.households == collect_population(population, "yubei_2016", AS_OF).households
    compared = compare_population("yubei_2016", "bishan_2016", population_dir, AS_OF)
    assert compared.totals == compare_population("yubei_2016", "bishan_2016", population, AS_OF).totals


@pytest.mark.parametrize("given", [None, 7, ["county"]])
def test_a_population_of_another_type_is_a_wrong_type_naming_the_parameter(given: object) -> None:
    with pytest.raises(WrongType, match=r"^population must be a Population or the path of a population directory"):
        screen_population(given, "yubei_2016", AS_OF)  # type: ignore[arg-type]


def test_a_policy_spec_without_its_loader_says_to_pass_it(population_dir: Path) -> None:
    with pytest.raises(UnknownPlugin, match=r"pass load=load_policy_spec"):
        screen_population(population_dir, "district.py:district", AS_OF)


@pytest.mark.parametrize("as_of", ["2016-12-31", dt.datetime(2016, 12, 31), None, 20161231])
def test_an_as_of_that_is_not_a_date_is_refused_before_any_household(population_dir: Path, as_of: object) -> None:
    # it used to screen every household, each a problem household of its own
    said = rf"^as_of must be a datetime.date, not {type(as_of).__name__} "
    with pytest.raises(WrongType, match=said):
        screen_population(population_dir, "yubei_2016", as_of)  # type: ignore[arg-type]
    with pytest.raises(WrongType, match=said):
        collect_population(population_dir, "yubei_2016", as_of)  # type: ignore[arg-type]
    with pytest.raises(WrongType, match=said):
        compare_population("yubei_2016", "yubei_2016", population_dir, as_of)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("workers", "error"), [(0, InvalidArgument), (-3, InvalidArgument), ("2", WrongType), (True, WrongType)]
)
def test_workers_below_one_or_not_an_int_are_refused(
    population_dir: Path, workers: object, error: type[Exception]
) -> None:
    many: Any = workers
    with pytest.raises(error, match=r"^workers must be an int >= 1"):
        screen_population(population_dir, "yubei_2016", AS_OF, workers=many)
    with pytest.raises(error, match=r"^workers must be an int >= 1"):
        compare_population("yubei_2016", "yubei_2016", population_dir, AS_OF, workers=many)
