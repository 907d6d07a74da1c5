"""The built-in triggers run by the engine: dispatch by fact kind, one risk per key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import DisasterReported, Engine, HouseAppraised, IllnessReported, IncomeAssessed, Policy, State
from relapse_guard.decisions import Severity
from relapse_guard.facts import HousingGrade, Source
from relapse_guard.parameters import ParameterTree
from relapse_guard.triggers import (
    DisasterTrigger,
    IllnessTrigger,
    IncomeDropTrigger,
    MainEarnerLostTrigger,
    SchoolingTrigger,
    UnemploymentTrigger,
    UnsafeHousingTrigger,
)

from .conftest import COUPLE, M1, PARAMETERS_TOML

LIFECYCLE_TOML = """
[transition]
years = { values = { 2015-01-01 = 3 } }
starts = { values = { 2015-01-01 = "next_year" } }
"""


def test_engine_runs_the_builtin_triggers() -> None:
    policy = Policy(
        name="triggers-test",
        parameters=ParameterTree.from_toml(PARAMETERS_TOML + LIFECYCLE_TOML),
        triggers=(
            IllnessTrigger(),
            DisasterTrigger(),
            UnemploymentTrigger(),
            SchoolingTrigger(),
            IncomeDropTrigger(),
            UnsafeHousingTrigger(),
            MainEarnerLostTrigger(),
        ),
    )
    day = dt.date(2016, 6, 1)
    facts = [
        IncomeAssessed(id="i1", household_id="h1", date=day, income_per_capita=Decimal(5000)),
        IllnessReported(
            id="ill-declared",
            household_id="h1",
            date=day,
            member_id=M1,
            self_paid_cost=Decimal(10001),
            source=Source.SELF_DECLARED,
        ),
        IllnessReported(
            id="ill-insurance",
            household_id="h1",
            date=day,
            member_id=M1,
            self_paid_cost=Decimal(10001),
            source=Source.DEPARTMENT,
        ),
        DisasterReported(id="d1", household_id="h1", date=day, hazard="flood", loss=Decimal(999)),
        HouseAppraised(id="a1", household_id="h1", date=day, grade=HousingGrade.B),
    ]
    result = Engine(policy).run(COUPLE, facts)
    assert result.state is State.NEW
    assert [(r.kind, r.key, r.severity) for r in result.risks] == [
        ("income_drop", "income_drop:h1:edge:new:2016", Severity.LOW),
        ("illness", f"illness:{M1}:2016-06-01", Severity.SEVERE),
    ]
    illness = result.risks[1]
    assert illness.fact_id == "ill-declared"  # facts of a day are applied in id order
    assert [p.name for p in illness.parameters] == [
        "triggers.illness.self_paid_alert",
        "triggers.illness.income_share",
    ]
