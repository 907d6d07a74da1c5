"""One household's failure is that household's problem: the screen, the report, local
processes (and Dask, in test_distributed.py) go on with the others and list it.

The failing policy is Yubei's with one more trigger, which divides by zero for the
households whose id ends in 7. It is a file (``path.py:policy``), so that the worker
processes load it too.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pytest

from relapse_guard.cli_check import load_policy_spec
from relapse_guard.engine import Engine
from relapse_guard.errors import InvalidTransition, PluginFailed
from relapse_guard.facts import Fact
from relapse_guard.household import Household
from relapse_guard.policies import load_policy
from relapse_guard.population import generate_population, read_population
from relapse_guard.reporting import collect_population
from relapse_guard.result import HouseholdResult
from relapse_guard.screening.fact_ids import FactIds, SharedFactId, digest, shared_digests
from relapse_guard.screening.parallel import screen_population
from relapse_guard.screening.screen import Record, StoppedAtProblem, Tally, run_records, screen_records
from relapse_guard.screening.summary import Problem, problem_summary

from ..conftest import make_household
from ..factories import assist, exit_verified, income

AS_OF = dt.date(2016, 12, 31)
D = dt.date

#: A policy file: Yubei with a trigger that raises ZeroDivisionError for ids ending in 7.
FAILING_POLICY = """
from relapse_guard.facts import IncomeAssessed
from relapse_guard.policies import load_policy


class DividesByZero:
    name = "divides_by_zero"
    fact_kinds = (IncomeAssessed,)
    risk_kinds = frozenset({"divides_by_zero"})

    def detect(self, fact, ctx):
        if fact.household_id.endswith("7"):
            return 1 / 0
        return None


policy = load_policy("yubei_2016").derive(name="yubei_failing", triggers=[DividesByZero()])
"""


def failing_policy_file(directory: Path) -> str:
    """Write the failing policy to ``directory``; its spec, ``.../failing.py:policy``."""
    path = directory / "failing.py"
    path.write_text(FAILING_POLICY, encoding="utf-8")
    return f"{path}:policy"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("problems") / "county"
    generate_population(directory, households=300, partitions=2, seed=5, processes=1)
    return directory


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> str:
    return failing_policy_file(tmp_path_factory.mktemp("policy"))


def test_policy_code_that_raises_is_a_problem_row_and_the_others_are_screened(county: Path, failing: str) -> None:
    population = read_population(county)
    serial = screen_population(population, failing, AS_OF, load=load_policy_spec)
    plain = screen_population(population, "yubei_2016", AS_OF)
    assert serial.problems
    assert {p.household_id for p in serial.problems} == {
        row.household_id for row in plain.rows if row.household_id.endswith("7")
    }
    for problem in serial.problems:
        assert (problem.kind, problem.error, problem.plugin) == (
            "plugin_failed",
            "ZeroDivisionError",
            "trigger.divides_by_zero",
        )
        assert problem.fact_id is not None
        assert problem.fact_id.startswith(problem.household_id)
        assert "division by zero" in problem.message
        assert not problem.counted
    # every other household is screened as under Yubei's own policy (each row names the policy used)
    assert {row.policy for row in serial.rows} == {"yubei_failing@1"}
    expected = [attrs.evolve(row, policy="yubei_failing@1") for row in plain.rows if not row.household_id.endswith("7")]
    assert serial.rows == expected
    assert serial.households_done == 300
    assert serial.totals.households == 300 - len(serial.problems)


def test_two_workers_give_the_same_problem_rows(county: Path, failing: str) -> None:
    population = read_population(county)
    serial = screen_population(population, failing, AS_OF, load=load_policy_spec)
    parallel = screen_population(population, failing, AS_OF, workers=2, load=load_policy_spec)
    assert parallel.problems == serial.problems
    assert parallel.rows == serial.rows
    assert parallel.totals.to_dict() == serial.totals.to_dict()


def test_the_report_lists_the_same_problems_serially_and_with_two_workers(county: Path, failing: str) -> None:
    population = read_population(county)
    screened = screen_population(population, failing, AS_OF, load=load_policy_spec, keep_rows=False)
    serial = collect_population(population, failing, AS_OF, load=load_policy_spec)
    parallel = collect_population(population, failing, AS_OF, workers=2, load=load_policy_spec)
    assert serial.problems == parallel.problems == screened.problems
    assert serial.households == parallel.households == screened.totals.households
    assert serial.refused == {p.household_id: p.message for p in screened.problems}


def test_fail_fast_stops_at_the_first_problem_with_its_cause(county: Path, failing: str) -> None:
    population = read_population(county)
    with pytest.raises(StoppedAtProblem) as stopped:
        screen_population(population, failing, AS_OF, load=load_policy_spec, fail_fast=True)
    problems = screen_population(population, failing, AS_OF, load=load_policy_spec).problems
    first = problems[0]
    assert stopped.value.problem == first
    assert isinstance(stopped.value.__cause__, PluginFailed)
    assert isinstance(stopped.value.__cause__.error, ZeroDivisionError)
    # the same first problem, whichever partition finishes first: a later partition's is never raised
    failed = {problem.household_id for problem in problems}
    for partition in population.partitions:  # each partition has a problem it could stop at
        assert failed & {household.id for household, _, _ in partition.records() if household is not None}
    for workers in (1, 2):
        with pytest.raises(StoppedAtProblem) as stopped:
            screen_population(population, failing, AS_OF, workers=workers, load=load_policy_spec, fail_fast=True)
        assert stopped.value.problem == first
        with pytest.raises(StoppedAtProblem) as stopped:
            collect_population(population, failing, AS_OF, workers=workers, load=load_policy_spec, fail_fast=True)
        assert stopped.value.problem == first


class _Breaks:
    """An engine that raises ``error`` for household ``broken`` and runs the others."""

    def __init__(self, broken: str, error: Exception) -> None:
        self.broken = broken
        self.error = error
        self.engine = Engine(load_policy("yubei_2016"))
        self.policy = self.engine.policy

    def run(self, household: Household, facts: Sequence[Fact], *, as_of: dt.date) -> HouseholdResult:
        if household.id == self.broken:
            raise self.error
        return self.engine.run(household, facts, as_of=as_of)


def _records() -> Iterator[tuple[Household, list[Fact], list[object]]]:
    for hid in ("a", "b", "c"):
        yield make_household(hid), [income(D(2016, 3, 1), 3000, hid=hid)], []


def test_any_exception_of_one_household_is_its_problem_as_a_last_guard() -> None:
    engine = _Breaks("b", KeyError("oops"))
    outcomes = list(run_records(_records(), engine, AS_OF, Tally()))  # type: ignore[arg-type]
    problem = outcomes[1][1]
    assert problem == Problem(household_id="b", kind="error", error="KeyError", message="'oops'")
    assert str(problem) == "error: household 'b': KeyError: 'oops'"
    assert all(isinstance(screened.outcome, HouseholdResult) for screened in (outcomes[0], outcomes[2]))


def test_refused_facts_keep_their_error_type() -> None:
    refused = screen_records(
        [(make_household("c"), [exit_verified(D(2016, 3, 1), hid="c")], [])], load_policy("yubei_2016"), AS_OF
    )
    (problem,) = refused.problems
    assert (problem.kind, problem.error, problem.plugin) == ("refused", InvalidTransition.__name__, None)
    assert refused.errors == {"c": problem.message}


def test_the_summary_counts_problem_households_by_kind() -> None:
    problems = [
        Problem(household_id="a", kind="plugin_failed", error="ZeroDivisionError", message="m", plugin="trigger.x"),
        Problem(household_id="b", kind="plugin_failed", error="ZeroDivisionError", message="m", plugin="trigger.x"),
        Problem(household_id="c", kind="refused", error="InvalidTransition", message="m"),
    ]
    assert problem_summary(0, problems) == (
        "3 problem households: 2 plugin_failed (ZeroDivisionError in trigger.x), 1 refused (InvalidTransition)"
    )
    assert problem_summary(0, []) is None


# --- fact ids are unique across households -----------------------------------------------


def test_a_fact_id_of_an_earlier_household_makes_the_later_one_a_problem() -> None:
    records: list[Record] = [
        (make_household("a"), [income(D(2016, 3, 1), 3000, hid="a", fid="f1")], []),
        (make_household("b"), [income(D(2016, 3, 1), 9000, hid="b", fid="f1"), assist(D(2016, 4, 1), hid="b")], []),
        (make_household("c"), [income(D(2016, 3, 1), 9000, hid="c", fid="f2")], []),
    ]
    result = screen_records(records, load_policy("yubei_2016"), AS_OF)
    assert [row.household_id for row in result.rows] == ["a", "c"]
    (problem,) = result.problems
    assert (problem.household_id, problem.kind, problem.error, problem.fact_id) == (
        "b",
        "duplicate_fact_id",
        "SharedFactId",
        "f1",
    )
    assert "'a'" in problem.message
    assert "'b'" in problem.message
    assert "'f1'" in problem.message


def test_the_same_fact_id_twice_in_one_household_is_the_engines_business() -> None:
    ids = FactIds()
    ids.claim("a", [income(D(2016, 3, 1), 3000, hid="a", fid="f1"), income(D(2016, 4, 1), 3000, hid="a", fid="f1")])
    with pytest.raises(SharedFactId) as shared:
        ids.claim("b", [income(D(2016, 3, 1), 3000, hid="b", fid="f1")])
    assert shared.value.other_household == "a"
    assert len(ids) == 1


def test_digests_are_stable_and_shared_ones_are_found() -> None:
    assert digest("YB0000001-i01") == digest("YB0000001-i01") != digest("YB0000001-i02")
    first, second = FactIds(), FactIds()
    first.claim("a", [income(D(2016, 3, 1), 1, hid="a", fid="x"), income(D(2016, 3, 1), 1, hid="a", fid="y")])
    second.claim("b", [income(D(2016, 3, 1), 1, hid="b", fid="y"), income(D(2016, 3, 1), 1, hid="b", fid="z")])
    assert shared_digests([first.digests(), second.digests()]) == {digest("y")}
    assert shared_digests([first.digests()]) == set()


def _set_fact_id(facts_file: Path, line: int, fact_id: str) -> str:
    """Give the fact on ``line`` (0-based) of ``facts_file`` the id ``fact_id``; its household."""
    lines = facts_file.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[line])
    record["id"] = fact_id
    lines[line] = json.dumps(record)
    facts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(record["household_id"])


def _fact(facts_file: Path, line: int) -> dict[str, str]:
    return dict(json.loads(facts_file.read_text(encoding="utf-8").splitlines()[line]))


@pytest.mark.parametrize("workers", [1, 2])
def test_fact_ids_shared_within_and_across_partitions_are_problems(county: Path, tmp_path: Path, workers: int) -> None:
    copy = tmp_path / "county"
    shutil.copytree(county, copy)
    first, second = sorted(copy.glob("facts-*.jsonl"))
    taken = _fact(first, 0)
    last = len(first.read_text(encoding="utf-8").splitlines()) - 1
    within = _set_fact_id(first, last, taken["id"])  # the last household of partition 0
    across = _set_fact_id(second, 0, taken["id"])  # the first household of partition 1
    assert len({taken["household_id"], within, across}) == 3

    population = read_population(copy)
    result = screen_population(population, "yubei_2016", AS_OF, workers=workers)
    problems = {p.household_id: p for p in result.problems}
    assert set(problems) == {within, across}
    assert not problems[within].counted  # found while screening: not screened
    assert within not in {row.household_id for row in result.rows}
    assert problems[across].counted  # found once both partitions were screened: in the totals
    assert across in {row.household_id for row in result.rows}
    for problem in problems.values():
        assert (problem.kind, problem.fact_id) == ("duplicate_fact_id", taken["id"])
        assert repr(taken["household_id"]) in problem.message
        assert repr(problem.household_id) in problem.message
    assert result.households_done == 300
    assert result.totals.households == 299
    report = collect_population(population, "yubei_2016", AS_OF, workers=workers)
    assert report.problems == result.problems
    with pytest.raises(StoppedAtProblem):
        screen_population(population, "yubei_2016", AS_OF, workers=workers, fail_fast=True)


def test_a_household_in_two_partitions_is_a_problem_once(tmp_path: Path) -> None:
    # A partition's files copied twice into one directory: every household was screened and
    # counted twice, with no word (a fact id was reported only when two households shared it).
    source = tmp_path / "source"
    generate_population(source, households=30, seed=4, format="csv", processes=1)
    twice = tmp_path / "twice"
    twice.mkdir()
    for copy in ("a", "b"):
        shutil.copy(source / "households-00000.csv", twice / f"households-{copy}.csv")
        shutil.copy(source / "facts-00000.csv", twice / f"facts-{copy}.csv")
    result = screen_population(twice, "yubei_2016", dt.date(2016, 12, 31))
    records = read_population(source).iter_records()
    with_facts = sorted({household.id for household, facts, _ in records if facts and household is not None})
    assert sorted(problem.household_id for problem in result.problems) == with_facts
    assert {problem.error for problem in result.problems} == {"RepeatedHousehold"}
    (first, *_) = result.problems
    assert first.counted
    assert "an earlier partition has it too" in first.message
    assert (
        sorted(p.household_id for p in collect_population(twice, "yubei_2016", dt.date(2016, 12, 31)).problems)
        == with_facts
    )
