"""An exited household whose income falls into the monitoring range is an unstable exited household.

domain-assistance.md 3.1: the targets of anti-relapse monitoring are the unstable exited
households (脱贫不稳定户: exited, per-capita net income in the monitoring range, at risk of
relapse), the edge households (the same, never poor) and the households in sudden severe
hardship; 3.2: the monitoring threshold is 1.5 x the line. An exited or monitored household
(the transition period) with an income at or above the line and under the threshold raises an
income-drop risk, one a year, as an edge household does; the households under support
(identified, assisted, relapsed) do not: the safety net's own means test follows their income.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, IncomeAssessed, State, load_policy
from relapse_guard.decisions import DecisionKind, Severity
from relapse_guard.engine.prefilter import income_band, income_watchers
from relapse_guard.engine.run_state import RunState
from relapse_guard.facts import BasicNeedsChecked, ExitVerified, Fact
from relapse_guard.household import Household
from relapse_guard.monitoring import AlertKind, Monitor
from relapse_guard.store import MemoryStore
from relapse_guard.triggers import IncomeDropTrigger

from .kit.helpers import household

D = dt.date
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]
YUBEI = load_policy("yubei_2016")
LINE = Decimal(3600)  # 2016-2018 in every shipped policy
THRESHOLD = Decimal("1.5") * LINE  # 5400


def _income(hid: str, fid: str, day: dt.date, income: int | Decimal) -> IncomeAssessed:
    return IncomeAssessed(id=f"{hid}-{fid}", household_id=hid, date=day, income_per_capita=Decimal(income))


def _exited(hid: str) -> list[Fact]:
    """Identified in January 2015, exited in November 2015 at 8000 a person: monitored 2016-2018."""
    return [
        _income(hid, "i0", D(2015, 1, 10), 2000),
        _income(hid, "i1", D(2015, 11, 1), 8000),
        BasicNeedsChecked(id=f"{hid}-n1", household_id=hid, date=D(2015, 11, 1)),
        ExitVerified(id=f"{hid}-e1", household_id=hid, date=D(2015, 11, 15)),
    ]


def _income_risks(facts: Sequence[Fact], home: Household, as_of: dt.date, name: str = "yubei_2016") -> list[str]:
    result = Engine(load_policy(name)).run(home, facts, as_of=as_of)
    return [risk.key for risk in result.risks if risk.kind == "income_drop"]


def test_an_exited_household_falling_into_the_range_is_flagged_as_a_never_poor_one_is() -> None:
    exited = household("X")
    facts = [*_exited("X"), _income("X", "i2", D(2017, 3, 10), 4000)]
    result = Engine(YUBEI).run(exited, facts, as_of=D(2017, 12, 31))
    assert result.state is State.MONITORED
    (risk,) = [risk for risk in result.risks if risk.date.year == 2017]
    assert (risk.key, risk.severity) == ("income_drop:X:unstable_exited:monitored:2017", Severity.LOW)
    assert risk.get("finding") == "unstable exited household in the monitoring range"
    # the route of the shipped policies: the safety net, skipped (the income is over the standard)
    (skipped,) = [d for d in result.decisions if d.kind is DecisionKind.ROUTE_SKIPPED and d.date == risk.date]
    assert "condition income_left_under_standard not met" in skipped.explanation
    never_poor = household("N")
    assert _income_risks([_income("N", "i1", D(2017, 3, 10), 4000)], never_poor, D(2017, 12, 31)) == [
        "income_drop:N:edge:new:2017"
    ]
    # after the transition period (stable from 2019) the same household is an edge household
    later = [*facts, _income("X", "i3", D(2019, 3, 10), 4000)]
    assert _income_risks(later, exited, D(2019, 12, 31))[-1] == "income_drop:X:edge:stable:2019"


def test_the_exited_state_before_the_transition_period_is_watched_too() -> None:
    home = household("X")
    facts = [*_exited("X"), _income("X", "i2", D(2015, 12, 10), 3000)]  # 2015: line 2760, threshold 4140
    assert _income_risks(facts, home, D(2015, 12, 31))[-1] == "income_drop:X:unstable_exited:exited:2015"


def test_households_under_support_raise_nothing_in_the_range() -> None:
    """An assisted household whose income rose into the range is followed by its safety net's
    re-checks and its exit, not flagged."""
    home = household("A")
    facts = [_income("A", "i1", D(2016, 1, 10), 2000), _income("A", "i2", D(2016, 4, 10), 4000)]
    result = Engine(YUBEI).run(home, facts, as_of=D(2016, 12, 31))
    assert result.state is State.ASSISTED
    assert [risk.key for risk in result.risks if risk.kind == "income_drop"] == ["income_drop:A:below:assisted:2016"]


def test_one_risk_a_year_and_state_however_many_assessments_in_the_range() -> None:
    home = household("X")
    incomes = [(D(2016, m, 10), 4000 + 50 * m) for m in range(1, 13)] + [(D(2017, m, 10), 5000) for m in (2, 6, 9)]
    facts = [*_exited("X"), *(_income("X", f"m{n}", day, v) for n, (day, v) in enumerate(incomes))]
    assert _income_risks(facts, home, D(2017, 12, 31))[-2:] == [
        "income_drop:X:unstable_exited:monitored:2016",
        "income_drop:X:unstable_exited:monitored:2017",
    ]


# --- the prefilter's band ------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.EXITED, State.MONITORED])
def test_the_band_of_an_exited_household_is_the_threshold_until_the_years_risk_is_known(state: State) -> None:
    engine = Engine(YUBEI)
    watchers = income_watchers(YUBEI, engine._triggers_by_kind[IncomeAssessed])[state]
    run = RunState(household("X"))
    run.state = state
    ctx = engine._context(run, D(2016, 5, 1))
    assert income_band(watchers, ctx, YUBEI.parameters, {})[0] == THRESHOLD
    run.risk_keys.add(f"income_drop:X:unstable_exited:{state.value}:2016")
    assert income_band(watchers, ctx, YUBEI.parameters, {})[0] == LINE
    ctx = engine._context(run, D(2017, 5, 1))  # a new year: the threshold again
    assert income_band(watchers, ctx, YUBEI.parameters, {})[0] == THRESHOLD


@pytest.mark.parametrize("state", list(State))
def test_the_vectorised_band_is_the_scalar_one_in_every_state(state: State) -> None:
    """The columnar form gives, for a household in ``state`` with nothing else known, what
    ``quiet_from`` gives: the threshold for edge and exited households, the line otherwise."""
    np = pytest.importorskip("numpy")  # the columnar screen: the fast extra
    from relapse_guard.screening.columnar import QuietFrame

    trigger = IncomeDropTrigger()
    days = [D(2015, 6, 1), D(2016, 6, 1), D(2017, 6, 1)]
    frame = QuietFrame(YUBEI.parameters, state, np.array([day.toordinal() for day in days], dtype=np.int64))
    vectorised = list(trigger.vectorised_quiet_from(frame))
    engine = Engine(YUBEI)
    run = RunState(household("X"))
    run.state = state
    scalar = [trigger.quiet_from(engine._context(run, day)) for day in days]
    assert vectorised == scalar
    watched = state in (State.NEW, State.STABLE, State.EXITED, State.MONITORED)
    lines = [Decimal(2760), LINE, LINE]
    assert scalar == [line * Decimal("1.5") if watched else line for line in lines]


_LEVELS = st.sampled_from([2000, 3599, 3600, 4000, 5399, 5400, 5401, 9000])


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=30, deadline=None)
@given(incomes=st.lists(_LEVELS, min_size=1, max_size=36), size=st.integers(1, 4))
def test_each_year_of_the_transition_its_first_income_in_the_range_is_a_risk(
    name: str, incomes: list[int], size: int
) -> None:
    """Under every shipped policy, monthly assessments of a monitored household (2016-2018): the
    prefiltered run is the one evaluating every fact, and its unstable-exited risks are one a
    year, on the first assessment of the year in the range, until the first fall below the line
    (a relapse: the household is under support from then on)."""
    policy = load_policy(name)
    home = household("X", size=size)
    monthly = [_income("X", f"m{n:02}", D(2016 + n // 12, n % 12 + 1, 20), v) for n, v in enumerate(incomes)]
    facts = [*_exited("X"), *monthly]
    as_of = D(2018, 12, 31)
    result = Engine(policy).run(home, facts, as_of=as_of)
    assert result == Engine(policy, prefilter=False).run(home, facts, as_of=as_of)
    expected: dict[int, dt.date] = {}
    for fact in monthly:
        if fact.income_per_capita < LINE:
            break
        if fact.income_per_capita < THRESHOLD:
            expected.setdefault(fact.date.year, fact.date)
    found = {risk.date.year: risk.date for risk in result.risks if ":unstable_exited:" in risk.key}
    assert found == expected
    for risk in result.risks:
        if ":unstable_exited:" in risk.key:
            assert risk.key == f"income_drop:X:unstable_exited:monitored:{risk.date.year}"


# --- the caseworker's worklist --------------------------------------------------------------


def test_a_monthly_cycle_alerts_the_unstable_exited_household_once_a_year() -> None:
    home = household("X")
    store = MemoryStore()
    store.put_household(home)
    monitor = Monitor(store, load_policy("chongqing_2016"))  # no review falls due: a quiet month is patched
    monitor.cycle([fact.to_dict() for fact in _exited("X")], as_of=D(2016, 12, 31))
    january = monitor.cycle([_income("X", "j", D(2017, 1, 9), 4200).to_dict()], as_of=D(2017, 1, 31))
    (alert,) = monitor.alerts(D(2017, 1, 31), kinds=[AlertKind.NEW_RISK])
    assert alert.subject == "income_drop:X:unstable_exited:monitored:2017"
    assert "unstable exited household in the monitoring range" in alert.detail
    assert january.resumed == 1
    # February in the range again: the same risk, no new alert, and a quiet month (the band is the line now)
    february = monitor.cycle([_income("X", "f", D(2017, 2, 9), 4300).to_dict()], as_of=D(2017, 2, 28))
    assert february.quiet == 1
    assert not monitor.alerts(D(2017, 2, 28), kinds=[AlertKind.NEW_RISK])
