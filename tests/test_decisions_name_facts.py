"""Every decision names the facts it rests on, those the clock makes included.

The start of the transition period, its end and the grants routed on entering ``monitored``
named no fact: the clock makes them, but the exit that set the period is what they rest on
(a 2,000-yuan grant cited nothing).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import AssistanceGranted, Engine, ExitVerified, Household, IncomeAssessed, load_policy
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import BasicNeedsChecked, Fact, HouseAppraised, HousingGrade
from relapse_guard.testing import histories, households

D = dt.date
SHIPPED = ("yubei_2016", "bishan_2016", "dazu_2016", "chongqing_2016")
POLICIES = {name: load_policy(name) for name in SHIPPED}


def _exited() -> tuple[Household, list[Fact]]:
    household = Household.from_dict(
        {
            "id": "H",
            "place": {"district": "Yubei", "town": "T", "village": "V"},
            "members": [{"id": "H-1", "birth_date": "1970-01-01"}],
        }
    )
    facts: list[Fact] = [
        IncomeAssessed(id="i1", household_id="H", date=D(2016, 1, 5), income_per_capita=Decimal(1000)),
        AssistanceGranted(id="a1", household_id="H", date=D(2016, 2, 1), measure="poultry"),
        HouseAppraised(id="h1", household_id="H", date=D(2016, 10, 1), grade=HousingGrade.A),
        BasicNeedsChecked(id="n1", household_id="H", date=D(2016, 10, 1)),
        IncomeAssessed(id="i2", household_id="H", date=D(2016, 11, 1), income_per_capita=Decimal(20000)),
        ExitVerified(id="e1", household_id="H", date=D(2016, 11, 15)),
    ]
    return household, facts


def test_the_transition_period_and_its_grants_cite_the_exit() -> None:
    household, facts = _exited()
    result = Engine(POLICIES["yubei_2016"]).run(household, facts, as_of=D(2020, 3, 1))
    by_rule = {(d.date, d.rule): d.facts for d in result.decisions if d.date >= D(2017, 1, 1)}
    assert by_rule[(D(2017, 1, 1), "lifecycle.start_monitoring")] == ("e1", "i2")
    assert by_rule[(D(2020, 1, 1), "lifecycle.stabilise")] == ("e1", "i2")
    assert by_rule[(D(2017, 1, 1), "intervention.industry_funds_exited")] == ("e1",)


@pytest.mark.parametrize("stop", [D(2016, 12, 31), D(2017, 6, 30)])
def test_a_resumed_run_cites_what_a_whole_run_cites(stop: dt.date) -> None:
    # the exit's facts travel in the checkpoint (both encodings), to the start and the end of the period
    household, facts = _exited()
    policy = POLICIES["yubei_2016"]
    engine = Engine(policy)
    whole = engine.run(household, facts, as_of=D(2020, 3, 1))
    first = engine.run_checkpointed(household, facts, as_of=stop)
    assert first.checkpoint.period_facts == ("e1", "i2")
    for checkpoint in (
        Checkpoint.from_bytes(first.checkpoint.to_bytes(policy), policy),
        Checkpoint.from_dict(first.checkpoint.to_dict()),
    ):
        assert checkpoint == first.checkpoint
        resumed = engine.resume(checkpoint, household, [], as_of=D(2020, 3, 1))
        assert [*first.result.decisions, *resumed.result.decisions] == list(whole.decisions)


@pytest.mark.parametrize("name", SHIPPED)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_decision_names_a_fact(name: str, data: st.DataObject) -> None:
    policy = POLICIES[name]
    household = data.draw(households(household_id="H1"))
    history = data.draw(histories(household, D(2015, 1, 1), D(2019, 12, 31), policy=policy))
    result = Engine(policy).run(household, history, as_of=D(2021, 12, 31))
    known = {fact.id for fact in history}
    for decision in result.decisions:
        assert decision.facts, decision.explain()
        assert set(decision.facts) <= known, decision.explain()
