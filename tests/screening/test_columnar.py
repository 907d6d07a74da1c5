"""The columnar screen gives the engine's rows and totals, household by household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")  # the columnar screen needs it (the fast extra)

from relapse_guard import load_policy
from relapse_guard.engine import Engine
from relapse_guard.facts import Fact, IncomeAssessed
from relapse_guard.household import Household
from relapse_guard.lifecycle import State
from relapse_guard.policy import Policy
from relapse_guard.routing import each_year, step
from relapse_guard.screening.columnar import NO_BAND, QuietFrame, band_scaled, quiet_plan, scaled
from relapse_guard.screening.screen import resolve_engine, screen_records
from relapse_guard.testing import histories, households, vectorised_matches_engine
from relapse_guard.triggers import IncomeDropTrigger

from ..conftest import make_household
from .plain_trigger import PlainTrigger

D = dt.date

SHIPPED = ("yubei_2016", "bishan_2016", "dazu_2016", "chongqing_2016")


def _derived() -> Policy:
    """Yubei with the line raised and the monitoring threshold lowered mid-year."""
    return load_policy("yubei_2016").derive(
        name="yubei_mid_year",
        parameters={
            "poverty_line": {D(2016, 7, 1): 3800},
            "monitoring.threshold_ratio": {D(2016, 10, 1): Decimal("1.4")},
        },
    )


def _without_vectorised_form() -> Policy:
    return load_policy("yubei_2016").derive(
        name="yubei_plain", remove_triggers=("income_drop",), triggers=(PlainTrigger(IncomeDropTrigger()),)
    )


def _insured_every_year() -> Policy:
    """Yubei with micro insurance for every household, on file or not, each new year (``each_year:new``)."""
    return load_policy("yubei_2016").derive(
        name="yubei_every_year", routes={each_year(State.NEW): (step("micro_insurance"),)}
    )


POLICIES = {name: load_policy(name) for name in SHIPPED} | {
    "yubei_mid_year": _derived(),
    "yubei_plain": _without_vectorised_form(),
    "yubei_every_year": _insured_every_year(),
}

#: Dates where parameters change, years turn and the monitoring threshold moves: facts land on and around them.
_EDGES = [D(2015, 12, 31), D(2016, 1, 1), D(2016, 6, 30), D(2016, 7, 1), D(2016, 9, 30), D(2016, 10, 1), D(2017, 1, 1)]
_DATES = st.one_of(st.sampled_from(_EDGES), st.dates(D(2014, 12, 1), D(2017, 12, 31)))
#: Incomes on and around the lines: 2760 and 3600 (the poverty line, 12 x the safety-net
#: standard), 3800 (the derived line), the monitoring thresholds 1.4 and 1.5 x them.
_LINES = [Decimal(v) for v in (2760, 3600, 3800, 4140, 5040, 5320, 5400, 5700)]
_INCOMES = st.one_of(
    st.sampled_from(_LINES),
    st.builds(lambda line, delta: max(line + delta, Decimal(0)), st.sampled_from(_LINES), st.integers(-3, 3)),
    st.builds(lambda line, cents: line + Decimal(cents) / 100, st.sampled_from(_LINES), st.integers(-99, 99)),
    st.sampled_from([Decimal("5400.00005"), Decimal("5399.99995"), Decimal("4140.5"), Decimal("0.0001")]),
    st.integers(5401, 30000).map(Decimal),
)


@st.composite
def _incomes_only(draw: st.DrawFn, household: Household) -> list[Fact]:
    dates: list[dt.date] = draw(st.lists(_DATES, max_size=14))
    same_day: bool = draw(st.booleans())
    if dates and same_day:
        dates.append(dates[0])  # two assessments on one day
    return [
        IncomeAssessed(
            id=f"{household.id}-i{n:02d}", household_id=household.id, date=day, income_per_capita=draw(_INCOMES)
        )
        for n, day in enumerate(dates)
    ]


@st.composite
def populations(draw: st.DrawFn, policy: Policy) -> tuple[list[tuple[Household, list[Fact]]], dt.date]:
    """Households (mostly only income assessments, some whole histories) and an as-of date."""
    population = []
    for n in range(draw(st.integers(0, 8))):
        household = draw(households(household_id=f"H{n:03d}", born_by=D(2010, 12, 31)))
        if draw(st.integers(0, 3)) == 0:
            facts = draw(histories(household, D(2015, 3, 1), D(2017, 9, 30), policy=policy, max_episodes=5))
        else:
            facts = draw(_incomes_only(household))
        population.append((household, facts))
    as_of = draw(
        st.one_of(st.sampled_from([*_EDGES, D(2018, 1, 1), D(2019, 1, 1)]), st.dates(D(2015, 1, 1), D(2019, 6, 30)))
    )
    return population, as_of


@pytest.mark.parametrize("name", sorted(POLICIES))
@settings(max_examples=40)
@given(data=st.data())
def test_columnar_screen_equals_the_engine_row_by_row(name: str, data: st.DataObject) -> None:
    policy = POLICIES[name]
    population, as_of = data.draw(populations(policy))
    check = vectorised_matches_engine(policy, population, as_of=as_of)
    assert check, str(check)
    if name == "yubei_plain":
        assert check.paths.get("columnar", 0) == 0  # no vectorised form: every household to the engine
    assert sum(check.paths.values()) == len(population)


def _quiet_household(income: str = "9000", hid: str = "Q1") -> tuple[Household, list[Fact]]:
    facts: list[Fact] = [
        IncomeAssessed(id=f"{hid}-i{m}", household_id=hid, date=D(2016, m, 5), income_per_capita=Decimal(income))
        for m in range(1, 13)
    ]
    return make_household(hid), facts


def test_a_quiet_household_is_decided_in_columns_and_a_poor_one_by_the_engine() -> None:
    policy = POLICIES["yubei_2016"]
    quiet = _quiet_household()
    poor = _quiet_household(hid="Q2")
    poor[1][3] = IncomeAssessed(id="Q2-poor", household_id="Q2", date=D(2016, 4, 5), income_per_capita=Decimal(1000))
    records: Sequence[Any] = [(quiet[0], quiet[1], ()), (poor[0], poor[1], ())]
    columnar = screen_records(records, policy, D(2016, 12, 31), engine="columnar")
    scalar = screen_records(records, policy, D(2016, 12, 31), engine="scalar")
    assert dict(columnar.paths) == {"columnar": 1, "engine": 1}
    assert dict(scalar.paths) == {"engine": 2}
    assert columnar.rows == scalar.rows
    assert [row.state for row in columnar.rows] == [State.NEW, State.ASSISTED]  # identified, then granted


def _incomes(hid: str, incomes: Sequence[str], year: int = 2016) -> tuple[Household, list[Fact]]:
    facts: list[Fact] = [
        IncomeAssessed(id=f"{hid}-i{m:02d}", household_id=hid, date=D(year, m, 5), income_per_capita=Decimal(income))
        for m, income in enumerate(incomes, start=1)
    ]
    return make_household(hid), facts


def _screened(policy: Policy, records: Sequence[Any], as_of: dt.date) -> tuple[list[Any], dict[str, int]]:
    from collections import Counter

    from relapse_guard.engine import Engine
    from relapse_guard.screening.columnar import run_columnar
    from relapse_guard.screening.screened import Tally

    paths: Counter[str] = Counter()
    screened = list(run_columnar(records, Engine(policy, record_decisions=False), as_of, Tally(), paths))
    return [item.outcome for item in screened], dict(paths)


def test_a_household_a_new_year_reaches_goes_to_the_engine() -> None:
    """Under each_year:new a quiet household is the engine's once a 1 January follows its first fact."""
    policy = _insured_every_year()
    household, facts = _quiet_household()  # assessed every month of 2016
    within = vectorised_matches_engine(policy, [(household, facts)], as_of=D(2016, 12, 31))
    assert within
    assert within.paths == {"columnar": 1}
    after = vectorised_matches_engine(policy, [(household, facts)], as_of=D(2017, 1, 1))
    assert after
    assert after.paths == {"engine": 1}
    result = Engine(policy).run(household, facts, as_of=D(2017, 1, 1))
    assert [(g.intervention, g.date) for g in result.grants] == [("micro_insurance", D(2017, 1, 1))]


def test_an_edge_household_goes_to_the_engine() -> None:
    # yubei 2016: line 3600, monitoring threshold 1.5 x 3600 = 5400; 4000 is an edge income
    policy = POLICIES["yubei_2016"]
    household, facts = _incomes("E1", ["6000", "4000", "4100", "6000", "4200", "9000"])
    outcomes, paths = _screened(policy, [(household, facts, ())], D(2016, 12, 31))
    expected = Engine(policy, record_decisions=False).run(household, facts, as_of=D(2016, 12, 31))
    assert paths == {"engine": 1}
    assert outcomes == [expected]
    assert [risk.fact_id for risk in expected.risks] == ["E1-i02"]


def test_an_assessment_before_a_members_birth_is_the_engines_problem() -> None:
    household, facts = _incomes("B1", ["9000", "9000"])
    young = attrs.evolve(household, members=(attrs.evolve(household.members[0], birth_date=D(2016, 2, 1)),))
    records: Sequence[Any] = [(young, facts, ())]
    columnar = screen_records(records, POLICIES["yubei_2016"], D(2016, 12, 31), engine="columnar")
    scalar = screen_records(records, POLICIES["yubei_2016"], D(2016, 12, 31), engine="scalar")
    assert dict(columnar.paths) == {"engine": 1}
    assert columnar.problems == scalar.problems
    assert len(scalar.problems) == 1


@pytest.mark.parametrize(
    ("income", "path"), [("5400.00001", "columnar"), ("5400", "columnar"), ("5399.99999", "engine")]
)
def test_an_income_of_any_precision_is_compared_with_its_band_exactly(income: str, path: str) -> None:
    # yubei_2016's band for a new household in 2016 is the monitoring threshold, 1.5 x 3600 = 5400
    household, facts = _quiet_household(income)
    result = screen_records([(household, facts, ())], POLICIES["yubei_2016"], D(2016, 12, 31), engine="columnar")
    assert dict(result.paths) == {path: 1}
    assert vectorised_matches_engine(POLICIES["yubei_2016"], [(household, facts)], as_of=D(2016, 12, 31))
    assert scaled(Decimal("9000.00001")) is None
    assert scaled(Decimal("9000.0001")) == 90_000_001


def test_bands_follow_the_parameters_by_date_and_say_none_before_they_start() -> None:
    policy = _derived()
    plan = quiet_plan(policy, State.NEW)
    assert plan is not None
    days = [D(2014, 6, 1), D(2015, 6, 1), D(2016, 6, 30), D(2016, 7, 1), D(2016, 10, 1)]
    frame = QuietFrame(policy.parameters, State.NEW, _ordinals(days))
    bands = band_scaled(plan, frame).tolist()
    # before 2015 nothing is in force; then 1.5 x 2760, 1.5 x 3600, 1.5 x 3800, 1.4 x 3800
    assert bands == [NO_BAND, 41_400_000, 54_000_000, 57_000_000, 53_200_000]
    assert quiet_plan(POLICIES["yubei_plain"], State.NEW) is None


def test_vectorised_matches_engine_finds_a_form_that_promises_too_much() -> None:
    @attrs.frozen(kw_only=True)
    class TooLow(IncomeDropTrigger):
        def vectorised_quiet_from(self, frame: QuietFrame) -> Any:
            return frame.poverty_line  # forgets the monitoring threshold of edge households

    policy = load_policy("yubei_2016").derive(name="too_low", remove_triggers=("income_drop",), triggers=(TooLow(),))
    household, facts = _quiet_household("4000")  # between the line and 1.5 x the line: an edge household
    check = vectorised_matches_engine(policy, [(household, facts)])
    assert not check
    assert "promises more" in str(check)
    # the part named, in yuan: 3600 is the line, 5400 the monitoring threshold of 1.5 x the line
    assert "trigger 'income_drop': its vectorised_quiet_from gives 3600 yuan, its quiet_from 5400 yuan" in str(check)
    assert "result differs" in str(check)  # decided quiet in columns, where the engine finds a risk
    assert vectorised_matches_engine(POLICIES["yubei_2016"], [(household, facts)])


def test_the_core_and_the_serial_screen_import_no_numpy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, relapse_guard, relapse_guard.engine, relapse_guard.screening.screen, relapse_guard.testing\n"
        "assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_engine_names_resolve() -> None:
    assert resolve_engine("scalar") == "scalar"
    assert resolve_engine("columnar") == "columnar"
    assert resolve_engine("auto") == "columnar"
    with pytest.raises(ValueError, match="one of"):
        resolve_engine("fast")


def _ordinals(days: list[dt.date]) -> Any:
    import numpy as np

    return np.array([day.toordinal() for day in days], dtype=np.int64)
