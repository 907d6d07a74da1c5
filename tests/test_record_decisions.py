"""``Engine(policy, record_decisions=False)``: the same result, without its decisions.

A screen runs this way; ``explain`` replays a household with decisions recorded. So the
lean result must equal the full one in everything but the decisions, for every policy.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, HouseholdResult, load_policy
from relapse_guard.population import synthetic_households
from relapse_guard.testing import histories, households

D = dt.date
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]


def _without_decisions(result: HouseholdResult) -> HouseholdResult:
    return attrs.evolve(result, decisions=())


@pytest.mark.parametrize("name", POLICIES)
@given(data=st.data())
def test_a_run_without_decisions_is_the_same_run(name: str, data: st.DataObject) -> None:
    policy = load_policy(name)
    home = data.draw(households(household_id="HH-1", born_by=D(2014, 12, 31)))
    facts = data.draw(histories(home, D(2015, 1, 1), D(2019, 12, 31), policy=policy))
    try:
        full = Engine(policy).run(home, facts, as_of=D(2020, 1, 1))
    except Exception as error:  # the lean engine must refuse the same facts the same way
        with pytest.raises(type(error)):
            Engine(policy, record_decisions=False).run(home, facts, as_of=D(2020, 1, 1))
        return
    lean = Engine(policy, record_decisions=False).run(home, facts, as_of=D(2020, 1, 1))
    assert lean.decisions == ()
    assert lean == _without_decisions(full)


@pytest.mark.parametrize("name", POLICIES)
def test_a_generated_county_without_decisions_is_the_same_county(name: str) -> None:
    policy = load_policy(name)
    full, lean = Engine(policy), Engine(policy, record_decisions=False)
    for home, facts in synthetic_households(300, seed=5, months=24):
        expected = _without_decisions(full.run(home, facts, as_of=D(2017, 12, 31)))
        assert lean.run(home, facts, as_of=D(2017, 12, 31)) == expected
