"""The Dask back end gives exactly the serial screen, on a local cluster of worker processes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

distributed = pytest.importorskip("distributed")

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

from relapse_guard import PolicyMap, RelapseGuardError  # noqa: E402
from relapse_guard.errors import BackendUnavailable, UnknownPlugin  # noqa: E402
from relapse_guard.population import Population, PopulationError, generate_population, read_population  # noqa: E402
from relapse_guard.screening.dask_backend import dask_client, screen_population_dask  # noqa: E402
from relapse_guard.screening.parallel import screen_population  # noqa: E402
from relapse_guard.screening.screen import Progress  # noqa: E402
from relapse_guard.screening.summary import ScreenResult  # noqa: E402

AS_OF = dt.date(2016, 12, 31)
HOUSEHOLDS = 600


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # Real processes, as on a cluster; only errors logged. The scheduler's HTTP server (it serves
    # /metrics even without a dashboard) on a free port: the default 8787 may be taken by another
    # cluster (a test in another worker), and the warning that says so fails the test.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    # Not the default client: the tests without client= must find none.
    with distributed.Client(cluster, set_as_default=False) as connected:
        yield connected


@pytest.fixture(scope="module")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("county")
    generate_population(directory, households=HOUSEHOLDS, partitions=3, seed=7, processes=1)
    return directory


def assert_same(got: ScreenResult, expected: ScreenResult) -> None:
    assert (got.as_of, got.policy) == (expected.as_of, expected.policy)
    assert got.totals.to_dict() == expected.totals.to_dict()
    assert [row.to_dict() for row in got.rows] == [row.to_dict() for row in expected.rows]
    assert got.rows == expected.rows
    assert got.bad_rows == expected.bad_rows
    assert got.errors == expected.errors


def test_dask_screen_equals_serial_and_local_processes(population_dir: Path, client: Client) -> None:
    population = read_population(population_dir)
    assert len(population.partitions) >= 3
    serial = screen_population(population, "yubei_2016", AS_OF, workers=1)
    local = screen_population(population, "yubei_2016", AS_OF, workers=2)
    on_dask = screen_population_dask(population, "yubei_2016", AS_OF, client=client)
    assert serial.totals.households + len(serial.errors) == HOUSEHOLDS
    assert_same(local, serial)
    assert_same(on_dask, serial)


def test_a_policy_map_screens_each_district_under_its_policy_on_dask(population_dir: Path, client: Client) -> None:
    population = read_population(population_dir)
    county = PolicyMap.from_toml('[[place]]\ndistrict = "Yubei"\npolicy = "yubei_2016"\n', source="yubei.toml")
    serial = screen_population(population, county, AS_OF)
    on_dask = screen_population_dask(population, county, AS_OF, client=client)
    assert_same(on_dask, serial)
    assert on_dask.problems == serial.problems
    assert {problem.kind for problem in on_dask.problems} == {"no_policy"}  # Dazu and Bishan are not in the map
    assert {row.policy for row in on_dask.rows} == {"yubei_2016@2016.1"}
    assert on_dask.totals.by_district["Yubei"].in_force == ("yubei_2016@2016.1",)


def test_without_rows_the_totals_are_the_same(population_dir: Path, client: Client) -> None:
    population = read_population(population_dir)
    serial = screen_population(population, "dazu_2016", AS_OF, keep_rows=False)
    on_dask = screen_population_dask(population, "dazu_2016", AS_OF, client=client, keep_rows=False)
    assert on_dask.rows == []
    assert_same(on_dask, serial)


def test_progress_is_reported_as_partitions_finish(population_dir: Path, client: Client) -> None:
    population = read_population(population_dir)
    reports: list[Progress] = []
    result = screen_population_dask(population, "yubei_2016", AS_OF, client=client, progress=reports.append)
    assert len(reports) == len(population.partitions)
    done = [report.households_done for report in reports]
    assert done == sorted(done)
    assert done[-1] == result.totals.households
    assert all(report.households_total == HOUSEHOLDS for report in reports)
    manifest = json.loads((population_dir / "manifest.json").read_text(encoding="utf-8"))
    assert reports[-1].rows_read == manifest["households"] + manifest["facts"]
    assert reports[-1].seconds > 0


def test_bad_rows_are_those_of_the_serial_screen(population_dir: Path, client: Client, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(population_dir, broken)
    facts = sorted(broken.glob("facts-*.jsonl"))[1]
    lines = facts.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[4])
    record["date"] = "2016-13-45"
    lines[4] = json.dumps(record)
    lines[9] = "{not json"
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    households = sorted(broken.glob("households-*.jsonl"))[2]
    rows = households.read_text(encoding="utf-8").splitlines()
    household = json.loads(rows[3])
    household["members"] = []
    rows[3] = json.dumps(household)
    households.write_text("\n".join(rows) + "\n", encoding="utf-8")

    population = read_population(broken)
    serial = screen_population(population, "yubei_2016", AS_OF)
    on_dask = screen_population_dask(population, "yubei_2016", AS_OF, client=client)
    assert len(serial.bad_rows) >= 3
    assert {str(facts), str(households)} <= {bad.file for bad in serial.bad_rows}  # in two partitions
    assert_same(on_dask, serial)


def test_an_error_in_a_task_is_raised_as_it_was(population_dir: Path, client: Client, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(population_dir, damaged)
    population = read_population(damaged)
    population.partitions[1].facts_path.unlink()  # gone after the manifest was read
    with pytest.raises(PopulationError, match="no such file"):
        screen_population_dask(population, "yubei_2016", AS_OF, client=client)


def test_an_empty_population_gives_an_empty_result(client: Client) -> None:
    result = screen_population_dask(Population(partitions=()), "yubei_2016", AS_OF, client=client)
    assert result.totals.households == 0
    assert result.policy == "yubei_2016@2016.1"


def test_an_unknown_policy_fails_before_anything_is_submitted(population_dir: Path, client: Client) -> None:
    with pytest.raises(UnknownPlugin, match="yubei_2016"):
        screen_population_dask(read_population(population_dir), "atlantis_2016", AS_OF, client=client)


def test_a_population_is_taken_by_the_path_of_its_directory_too(population_dir: Path, client: Client) -> None:
    from relapse_guard.whatif import compare_population, compare_population_dask

    on_dask = screen_population_dask(str(population_dir), "yubei_2016", AS_OF, client=client, keep_rows=False)
    assert on_dask.totals == screen_population(read_population(population_dir), "yubei_2016", AS_OF).totals
    compared = compare_population_dask("yubei_2016", "bishan_2016", population_dir, AS_OF, client=client)
    assert compared.totals == compare_population("yubei_2016", "bishan_2016", population_dir, AS_OF).totals


def test_the_default_client_is_used(population_dir: Path, cluster: LocalCluster) -> None:
    population = read_population(population_dir)
    with distributed.Client(cluster):  # set as the default client while open
        on_dask = screen_population_dask(population, "bishan_2016", AS_OF, keep_rows=False)
    assert_same(on_dask, screen_population(population, "bishan_2016", AS_OF, keep_rows=False))


def test_without_a_client_the_error_says_what_to_do(population_dir: Path) -> None:
    with pytest.raises(BackendUnavailable, match="no Dask client") as caught:
        screen_population_dask(read_population(population_dir), "yubei_2016", AS_OF)
    assert isinstance(caught.value, RelapseGuardError)


def test_without_dask_installed_the_error_names_the_extra(
    population_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    with pytest.raises(BackendUnavailable, match=r"pip install 'relapse-guard\[dask\]'"):
        screen_population_dask(read_population(population_dir), "yubei_2016", AS_OF)
    with pytest.raises(BackendUnavailable, match=r"pip install 'relapse-guard\[dask\]'"), dask_client("local"):
        pass


def test_a_scheduler_address_that_cannot_be_used_is_a_typed_error() -> None:
    with (
        pytest.raises(BackendUnavailable, match="cannot connect to the Dask scheduler at 'nowhere'"),
        dask_client("nowhere"),
    ):
        pass


def test_policy_code_that_raises_gives_the_serial_problem_rows_on_dask(
    population_dir: Path, client: Client, tmp_path: Path
) -> None:
    from relapse_guard.cli_check import load_policy_spec
    from relapse_guard.screening.screen import StoppedAtProblem

    from .test_problems import failing_policy_file

    failing = failing_policy_file(tmp_path)  # an absolute path: the workers load the file too
    population = read_population(population_dir)
    serial = screen_population(population, failing, AS_OF, load=load_policy_spec)
    on_dask = screen_population_dask(population, failing, AS_OF, client=client, load=load_policy_spec)
    assert serial.problems
    assert {p.error for p in serial.problems} == {"ZeroDivisionError"}
    assert on_dask.problems == serial.problems
    assert_same(on_dask, serial)
    with pytest.raises(StoppedAtProblem) as stopped:
        screen_population_dask(population, failing, AS_OF, client=client, load=load_policy_spec, fail_fast=True)
    assert stopped.value.problem == serial.problems[0]  # the serial screen's first, whichever task ends first


# --- the what-if on Dask -------------------------------------------------------------------------


def _policy_file(directory: Path) -> str:
    """A policy of one's own, by path: the Yubei rules with an education grant raised from July 2016."""
    path = directory / "raised.py"
    path.write_text(
        "import datetime as dt\n"
        "from relapse_guard.policies import load_policy\n"
        'raised = load_policy("yubei_2016").derive(\n'
        '    name="raised", parameters={"education_aid.per_student.primary": {dt.date(2016, 7, 1): 2000}}\n'
        ")\n",
        encoding="utf-8",
    )
    return f"{path}:raised"


def test_dask_what_if_equals_the_serial_one(population_dir: Path, client: Client, tmp_path: Path) -> None:
    from relapse_guard.cli_policy import load_policy_spec
    from relapse_guard.whatif import compare_population, compare_population_dask

    population = read_population(population_dir)
    spec = _policy_file(tmp_path)
    seen: list[Progress] = []
    serial = compare_population("yubei_2016", spec, population, AS_OF, load=load_policy_spec)
    dask = compare_population_dask(
        "yubei_2016", spec, population, AS_OF, client=client, load=load_policy_spec, progress=seen.append
    )
    assert dask == serial
    assert dask.render() == serial.render()
    assert dask.by_district() == serial.by_district()
    assert dask.paths == serial.paths  # the same second runs spared
    assert serial.totals.differing > 0
    assert [p.households_done for p in seen][-1] == HOUSEHOLDS


def test_dask_what_if_refuses_an_unknown_policy_before_submitting(population_dir: Path, client: Client) -> None:
    from relapse_guard.whatif import compare_population_dask

    with pytest.raises(UnknownPlugin, match="nope"):
        compare_population_dask("yubei_2016", "nope", read_population(population_dir), AS_OF, client=client)


def test_dask_what_if_without_a_client_says_so(population_dir: Path) -> None:
    from relapse_guard.whatif import compare_population_dask

    with pytest.raises(BackendUnavailable, match="no Dask client to compare on"):
        compare_population_dask("yubei_2016", "yubei_2016", read_population(population_dir), AS_OF)
