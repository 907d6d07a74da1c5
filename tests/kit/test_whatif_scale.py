"""The what-if at scale gives the comparison it always gave: decisions recorded only for the
households that differ, only those kept, on either engine and in any number of workers."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relapse_guard import ExitVerified, Fact, Household, IncomeAssessed, load_policy
from relapse_guard.cli_policy import load_policy_spec
from relapse_guard.cli_whatif import render_budget, write_csv, write_html
from relapse_guard.errors import InvalidArgument
from relapse_guard.policy import Policy
from relapse_guard.population import generate_population, read_population
from relapse_guard.whatif import Comparison, compare, compare_population

from .helpers import exited_in_2015, household

HAS_NUMPY = importlib.util.find_spec("numpy") is not None
if HAS_NUMPY:  # the drawn populations of the columnar screen's tests (imported here, not under @given)
    from ..screening import test_columnar  # noqa: F401

D = dt.date
AS_OF = D(2017, 12, 31)
YUBEI = load_policy("yubei_2016")
#: The safety-net standard raised to 330 from 1 July 2016: households with a gap get more.
RAISED = YUBEI.derive(name="yubei_330", parameters={"safety_net.standard": {D(2016, 7, 1): 330}})
#: A higher poverty line from 2016: states differ too.
STRICT = YUBEI.derive(name="strict", parameters={"poverty_line": {D(2016, 1, 1): 5000}})

POLICY_FILE = """\
import datetime as dt

from relapse_guard.policies import load_policy

yubei_330 = load_policy("yubei_2016").derive(
    name="yubei_330", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}}
)
"""


def _refused() -> list[tuple[Household, list[Fact]]]:
    """Households a policy refuses: an exit never assisted (both), and one refused by neither."""
    exit_only = household("RF-1")
    return [
        (exit_only, [ExitVerified(id="RF-1-e", household_id="RF-1", date=D(2016, 3, 1))]),
        (household("RF-2"), exited_in_2015("RF-2")),
        (
            household("RF-3"),
            [IncomeAssessed(id="RF-3-i", household_id="RF-3", date=D(2016, 3, 1), income_per_capita=Decimal(1800))],
        ),
    ]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("whatif_scale") / "county"
    generate_population(directory, households=240, months=24, seed=3, partitions=3, processes=1)
    return directory


@pytest.fixture(scope="module")
def records(county: Path) -> list[tuple[Household, list[Fact]]]:
    read = [(h, list(facts)) for h, facts, _bad in read_population(county).iter_records() if h is not None]
    return read + _refused()


def _same_report(new: Comparison, old: Comparison, tmp_path: Path) -> None:
    """Everything a what-if reports is the same: households that differ, first differences,
    totals, districts, text in both languages, CSV and HTML."""
    assert new.differences == old.differences
    assert [h.first_difference for h in new.differences] == [h.first_difference for h in old.differences]
    assert new.totals == old.totals
    assert new.by_district() == old.by_district()
    for lang in ("en", "zh-CN"):
        assert new.render(lang) == old.render(lang)
        assert render_budget(new, lang) == render_budget(old, lang)
    for name, comparison in (("new", new), ("old", old)):
        write_csv(comparison, tmp_path / f"{name}.csv")
        write_html(comparison, tmp_path / f"{name}.html", "en")
    assert (tmp_path / "new.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()
    assert (tmp_path / "new.html").read_bytes() == (tmp_path / "old.html").read_bytes()


@pytest.mark.parametrize("policy_b", [RAISED, STRICT], ids=["standard_330", "poverty_line_5000"])
def test_decisions_only_where_needed_report_what_recording_every_household_did(
    records: list[tuple[Household, list[Fact]]], policy_b: Policy, tmp_path: Path
) -> None:
    old = compare(YUBEI, policy_b, records, as_of=AS_OF, keep_all=True)  # every household on recording engines
    new = compare(YUBEI, policy_b, records, as_of=AS_OF)
    assert old.totals.differing > 5
    assert old.totals.errors_a == old.totals.errors_b == 1
    _same_report(new, old, tmp_path)
    assert len(new.differences) == new.totals.differing < new.totals.households == len(records)
    assert all(h.refused for h in new.households if not h.differs)  # the others kept: refused alike, named
    assert all(h.first_difference is not None for h in new.differences if h.a.error is None)


def test_a_household_refused_under_one_policy_only_is_kept(tmp_path: Path) -> None:
    # 4500 yuan is under STRICT's line only: identified and assisted there, the exit is refused under YUBEI
    facts = [
        IncomeAssessed(id="RF-4-i", household_id="RF-4", date=D(2016, 2, 1), income_per_capita=Decimal(4500)),
        IncomeAssessed(id="RF-4-j", household_id="RF-4", date=D(2016, 5, 1), income_per_capita=Decimal(9000)),
        ExitVerified(id="RF-4-e", household_id="RF-4", date=D(2016, 6, 1)),
    ]
    population = [(household("RF-4"), facts), *_refused()]
    old = compare(YUBEI, STRICT, population, as_of=AS_OF, keep_all=True)
    new = compare(YUBEI, STRICT, population, as_of=AS_OF)
    _same_report(new, old, tmp_path)
    (refused,) = new.differences
    assert refused.a.error is not None
    assert refused.a.error.startswith("InvalidTransition")
    assert refused.b.error is None
    assert refused.first_difference is None  # no timeline under a
    assert (new.totals.errors_a, new.totals.errors_b) == (2, 1)
    if HAS_NUMPY:
        assert compare(YUBEI, STRICT, population, as_of=AS_OF, engine="columnar") == new


@pytest.mark.parametrize("policy_b", [RAISED, STRICT], ids=["standard_330", "poverty_line_5000"])
def test_columnar_gives_the_scalar_comparison(records: list[tuple[Household, list[Fact]]], policy_b: Policy) -> None:
    pytest.importorskip("numpy")
    scalar = compare(YUBEI, policy_b, records, as_of=AS_OF)
    columnar = compare(YUBEI, policy_b, records, as_of=AS_OF, engine="columnar")
    assert columnar == scalar
    assert columnar.render() == scalar.render()
    assert columnar.paths.get("columnar", 0) > 0  # some households were decided in columns
    assert sum(columnar.paths.values()) == 2 * len(records)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_columnar_gives_the_scalar_comparison_on_drawn_populations(data: st.DataObject) -> None:
    if not HAS_NUMPY:
        pytest.skip("the columnar engine needs numpy")
    from ..screening.test_columnar import POLICIES, populations

    population, as_of = data.draw(populations(YUBEI))
    policy_b = data.draw(st.sampled_from([RAISED, STRICT, POLICIES["yubei_mid_year"]]))
    scalar = compare(YUBEI, policy_b, population, as_of=as_of)
    assert compare(YUBEI, policy_b, population, as_of=as_of, engine="columnar") == scalar
    old = compare(YUBEI, policy_b, population, as_of=as_of, keep_all=True)
    assert (scalar.differences, scalar.totals, scalar.by_district()) == (old.differences, old.totals, old.by_district())


def test_the_engine_names() -> None:
    with pytest.raises(InvalidArgument, match="not 'fast'"):
        compare(YUBEI, RAISED, [], as_of=AS_OF, engine="fast")
    pytest.importorskip("numpy")
    with pytest.raises(InvalidArgument, match="needs an as-of date"):
        compare(YUBEI, RAISED, [], as_of=None, engine="columnar")
    assert compare(YUBEI, RAISED, [], as_of=None, engine="auto").totals.households == 0


@pytest.mark.parametrize("engine", ["scalar", "columnar"])
def test_a_population_in_two_workers_gives_the_serial_comparison(county: Path, tmp_path: Path, engine: str) -> None:
    if engine == "columnar":
        pytest.importorskip("numpy")
    policy_file = tmp_path / "yubei_330.py"
    policy_file.write_text(POLICY_FILE, encoding="utf-8")
    spec = f"{policy_file}:yubei_330"
    population = read_population(county)
    assert len(population.partitions) == 3
    one = compare_population("yubei_2016", spec, population, AS_OF, engine=engine, load=load_policy_spec)
    two = compare_population("yubei_2016", spec, population, AS_OF, workers=2, engine=engine, load=load_policy_spec)
    assert two == one
    records = [(h, facts) for h, facts, _bad in population.iter_records() if h is not None]
    in_memory = compare(YUBEI, load_policy_spec(spec), records, as_of=AS_OF)
    assert one == in_memory
    _same_report(two, compare(YUBEI, RAISED, records, as_of=AS_OF, keep_all=True), tmp_path)
    assert one.bad_rows == ()


def test_policies_go_to_workers_by_name(county: Path) -> None:
    population = read_population(county)
    with pytest.raises(InvalidArgument, match="by name"):
        compare_population(YUBEI, RAISED, population, AS_OF, workers=2)
    # in this process a policy object will do
    assert compare_population(YUBEI, RAISED, population, AS_OF).totals.households == 240


def test_progress_is_reported(county: Path) -> None:
    seen: list[int] = []
    population = read_population(county)
    compare_population("yubei_2016", "dazu_2016", population, AS_OF, progress=lambda p: seen.append(p.households_done))
    assert seen[-1] == 240
