"""A household whose income falls below the line again, after its safety net ended, is helped again.

The income-drop risk is one per finding, state and year while the fall lasts; once the
household came back to the line and its safety net ended, a new fall in the same state and
year is a new risk (keyed with its date), routed again: the safety net is a means test, not a
once-a-year grant. While a safety net runs, its own re-checks follow the income instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, IncomeAssessed, load_policy
from relapse_guard.decisions import Grant
from relapse_guard.facts import EntitlementStopped, Fact
from relapse_guard.household import Household
from relapse_guard.result import HouseholdResult

from .kit.helpers import household

D = dt.date
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]
YUBEI = load_policy("yubei_2016")
LINE = Decimal(3600)  # the poverty line of every shipped policy in 2016 (12 x the 300 standard)


def _monthly(home: Household, incomes: Sequence[int | Decimal], *, year: int = 2016) -> list[IncomeAssessed]:
    """An assessment on the 15th of each month from January of ``year``, one income each."""
    return [
        IncomeAssessed(
            id=f"{home.id}-i{n:02}",
            household_id=home.id,
            date=D(year + n // 12, n % 12 + 1, 15),
            income_per_capita=Decimal(income),
        )
        for n, income in enumerate(incomes)
    ]


def _safety_nets(result: HouseholdResult) -> list[Grant]:
    return [grant for grant in result.grants if grant.intervention == "safety_net"]


def test_a_fall_after_the_safety_net_ended_is_a_new_risk_and_is_helped_again() -> None:
    home = household("H1", size=4)
    # below in Jan-Feb, well above from March (the top-up ends), below again from October
    facts = _monthly(home, [3000, 3000, *[9000] * 7, 2000, 2000, 2000])
    for record in (True, False):
        result = Engine(YUBEI, record_decisions=record).run(home, facts, as_of=D(2016, 12, 31))
        assert [risk.key for risk in result.risks] == [
            "income_drop:H1:below:assisted:2016",
            "income_drop:H1:below:assisted:2016:2016-10-15",
        ]
        first, again = _safety_nets(result)
        assert first.ends == D(2016, 4, 1)
        assert (again.date, again.starts, again.ends) == (D(2016, 10, 15), D(2016, 11, 1), None)
        assert again.amount == Decimal("533.32")  # (300.00 - 2000 / 12) x 4 members
        assert result.money()["safety_net"].paid_to_date == Decimal("400.00") + 2 * Decimal("533.32")
        if record:  # the explanation says why it is a risk again
            (found,) = [d for d in result.decisions if d.kind.value == "risk_detected" and d.date == D(2016, 10, 15)]
            assert "fell by 7000 from 9000; a new fall this year" in found.explain()
            assert "本年再次跌破" in found.explain("zh-CN")


def test_a_fall_is_one_risk_while_it_lasts() -> None:
    home = household("H1", size=4)
    result = Engine(YUBEI).run(home, _monthly(home, [3000] * 12), as_of=D(2016, 12, 31))
    assert len(result.risks) == 1
    assert len(_safety_nets(result)) == 1


def test_while_the_safety_net_runs_its_re_checks_follow_the_income() -> None:
    home = household("H1", size=4)
    # just above the line and back, no obvious change (within 20% of 3,500) while the top-up
    # runs: its level is kept; no new risk, no grant from one
    incomes = [3500, 3650, 3500, 3650, 3500, 3500]
    result = Engine(YUBEI).run(home, _monthly(home, incomes), as_of=D(2016, 6, 30))
    assert len(result.risks) == 1
    (net,) = _safety_nets(result)
    assert net.ends is None
    # an obvious rise above the line ends the top-up (no gradual exit in 2016): the next fall is new
    result = Engine(YUBEI).run(home, _monthly(home, [3000, 3610, 3000]), as_of=D(2016, 6, 30))
    assert [risk.date for risk in result.risks] == [D(2016, 1, 15), D(2016, 3, 15)]


def test_a_stopped_safety_net_is_not_granted_again_without_a_recovery() -> None:
    home = household("H1", size=4)
    stop = EntitlementStopped(id="H1-stop", household_id="H1", date=D(2016, 3, 20), intervention="safety_net")
    facts: list[Fact] = [*_monthly(home, [3000] * 8), stop]
    result = Engine(YUBEI).run(home, facts, as_of=D(2016, 8, 31))
    assert len(result.risks) == 1  # the income never came back to the line: the same fall
    assert len(_safety_nets(result)) == 1


#: Per-capita incomes a year, around the line: far below, just below, at, just above, far above.
_LEVELS = st.sampled_from([1500, 3000, 3599, 3600, 3610, 4500, 9000])


@pytest.mark.parametrize("name", POLICIES)
@settings(max_examples=40, deadline=None)
@given(incomes=st.lists(_LEVELS, min_size=2, max_size=30), size=st.integers(1, 5))
def test_every_fall_from_the_line_without_a_safety_net_running_is_a_risk(
    name: str, incomes: list[int], size: int
) -> None:
    """Under every shipped policy: the prefiltered run is the one that evaluates every fact,
    and each assessment below the line whose previous one was at or above it, on a day no
    safety net runs (granted before it), has an income-drop risk of that day."""
    policy = load_policy(name)
    home = household("H1", size=size)
    facts = _monthly(home, incomes)
    as_of = D(2018, 12, 31)
    result = Engine(policy).run(home, facts, as_of=as_of)
    assert result == Engine(policy, prefilter=False).run(home, facts, as_of=as_of)
    risk_days = {risk.date for risk in result.risks if risk.kind == "income_drop"}
    nets = _safety_nets(result)
    for before, fact in itertools.pairwise(facts):
        day = fact.date
        running = any(net.date < day and net.running(day) for net in nets)
        if fact.income_per_capita < LINE <= before.income_per_capita and not running:
            assert day in risk_days, f"the fall of {day} raised no risk"
