"""Builders of contexts, risks and past grants for the intervention tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from relapse_guard.context import Context
from relapse_guard.decisions import Declined, Grant, Period, Risk, Severity
from relapse_guard.facts import HousingGrade
from relapse_guard.household import Household, LabourCapacity, Member, Place, Schooling
from relapse_guard.lifecycle import State
from relapse_guard.parameters import ParameterTree

#: The seed's numbers (Chongqing bulletin 2017) and the typical national values, as a policy holds them.
SEED_TOML = """
[safety_net.standard]
values = { 2015-01-01 = 230, 2016-01-01 = 300 }

[temporary_relief.cap_months]
values = { 2015-01-01 = 10 }
[temporary_relief.months_without_cost]
values = { 2015-01-01 = 3 }
[temporary_relief.hardship_ratio]
values = { 2015-01-01 = 1.5 }

[medical_aid.share]
values = { 2015-01-01 = 0.6 }
[medical_aid.share_safety_net]
values = { 2015-01-01 = 0.7 }
[medical_aid.yearly_cap]
values = { 2015-01-01 = 30000 }

[education_aid.per_student]
preschool = { values = { 2015-01-01 = 1000 } }
primary = { values = { 2015-01-01 = 1000 } }
junior_secondary = { values = { 2015-01-01 = 1250 } }
senior_secondary = { values = { 2015-01-01 = 2000 } }
vocational = { values = { 2015-01-01 = 2000 } }
tertiary = { values = { 2015-01-01 = 4000 } }

[industry_funds.amount]
values = { 2016-01-01 = 2000 }
[industry_funds.basis]
values = { 2016-01-01 = "household" }
[industry_funds.exited.amount]
values = { 2016-01-01 = 2000 }
[industry_funds.exited.basis]
values = { 2016-01-01 = "household" }
[industry_funds.low_income.amount]
values = { 2016-01-01 = 2000 }
[industry_funds.low_income.basis]
values = { 2016-01-01 = "person" }

[insurance.premium]
accident = { values = { 2015-01-01 = 50 } }
serious_illness = { values = { 2016-01-01 = 50 } }
rural_medical = { values = { 2016-01-01 = 140 } }

[housing.grant]
C = { values = { 2015-01-01 = 12000 } }
D = { values = { 2015-01-01 = 35000 } }
[housing.low_income_uplift]
values = { 2015-01-01 = 1.5 }

[job_training.responsible]
values = { 2015-01-01 = "district human resources and social security bureau" }
[job_referral.responsible]
values = { 2015-01-01 = "district public employment service" }

[paired_helper.revisit_interval_months]
values = { 2015-01-01 = 1 }
[paired_helper.revisits]
values = { 2015-01-01 = 12 }
"""

SEED = ParameterTree.from_toml(SEED_TOML, source="seed")

D2016 = dt.date(2016, 6, 15)
D2015 = dt.date(2015, 6, 15)


def household(
    size: int = 3,
    *,
    capacities: Sequence[LabourCapacity] | None = None,
    schooling: Sequence[Schooling] | None = None,
    place: Place | None = None,
    hid: str = "h1",
) -> Household:
    """A household of ``size`` members (all able to work unless ``capacities`` says otherwise)."""
    members = []
    for i in range(size):
        capacity = capacities[i] if capacities is not None else LabourCapacity.FULL
        school = schooling[i] if schooling is not None else Schooling.NONE
        members.append(
            Member(
                id=f"{hid}-m{i}",
                birth_date=dt.date(1970 + i, 1, 1),
                labour_capacity=capacity,
                schooling=school,
            )
        )
    return Household(id=hid, place=place or Place("Yubei", "Town", "Village"), members=tuple(members))


def context(
    *,
    size: int = 3,
    hh: Household | None = None,
    date: dt.date = D2016,
    state: State = State.EXITED,
    income: Decimal | int | str | None = None,
    grants: Sequence[Grant] = (),
    parameters: ParameterTree = SEED,
    housing_grade: HousingGrade | None = None,
    found: Sequence[Risk] = (),
    pending: Sequence[tuple[Risk, Grant]] = (),
) -> Context:
    """A context for household ``hh`` (or a new one of ``size`` members) on ``date``; ``found``:
    the risks found before (those ``grants`` and ``pending`` name); ``pending``: the grants
    waiting for a decided case, each with its risk."""
    return Context(
        household=hh if hh is not None else household(size),
        date=date,
        state=state,
        parameters=parameters,
        income_per_capita=None if income is None else Decimal(income),
        grants=grants,
        housing_grade=housing_grade,
        found=found,
        pending=pending,
    )


def risk(
    kind: str = "illness",
    *,
    cost: Decimal | int | str = 0,
    date: dt.date = D2016,
    member_id: str | None = None,
    evidence: Iterable[tuple[str, str]] = (),
    key: str = "k",
    hid: str = "h1",
    severity: Severity = Severity.HIGH,
) -> Risk:
    """A risk of ``kind`` with ``cost``, evidence and ``severity``."""
    return Risk(
        kind=kind,
        household_id=hid,
        date=date,
        severity=severity,
        trigger="t",
        fact_id="f",
        key=key,
        cost=Decimal(cost),
        member_id=member_id,
        evidence=tuple(evidence),
    )


def past_grant(
    intervention: str,
    amount: Decimal | int | str | None,
    *,
    date: dt.date = D2016,
    period: Period = Period.ONE_OFF,
    hid: str = "h1",
) -> Grant:
    """A grant made before, as the engine passes it in ``Context.grants``."""
    return Grant(
        intervention=intervention,
        household_id=hid,
        date=date,
        risk_key=f"earlier:{intervention}:{date.isoformat()}",
        amount=None if amount is None else Decimal(amount),
        period=period,
    )


def with_params(toml: str, base: ParameterTree = SEED) -> ParameterTree:
    """``base`` with the parameters of ``toml`` replacing those of the same name."""
    return base.merged(ParameterTree.from_toml(toml, source="test"))


def used(grant: Grant) -> dict[str, tuple[str, dt.date]]:
    """The parameters a grant records: name -> (value as text, effective date)."""
    return {p.name: (str(p.value), p.effective_from) for p in grant.parameters}


def declined(result: Grant | Declined | None) -> str:
    """The reason of a :class:`Declined` result; fails the test for a grant or a bare None."""
    assert isinstance(result, Declined), f"expected Declined, got {result!r}"
    return result.reason
