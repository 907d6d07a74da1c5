"""Job training and job referral: services for members who can work."""

from __future__ import annotations

import datetime as dt

import pytest

from relapse_guard.decisions import Grant
from relapse_guard.errors import InvalidHousehold, UnknownParameter
from relapse_guard.household import LabourCapacity
from relapse_guard.interventions import Intervention, JobReferral, JobTraining

from .helpers import context, declined, household, risk, used, with_params

FULL, PARTIAL, NONE = LabourCapacity.FULL, LabourCapacity.PARTIAL, LabourCapacity.NONE
TRAINING = JobTraining()
REFERRAL = JobReferral()


def test_are_interventions_with_default_names() -> None:
    assert isinstance(TRAINING, Intervention)
    assert isinstance(REFERRAL, Intervention)
    assert (TRAINING.name, TRAINING.prefix) == ("job_training", "job_training")
    assert (REFERRAL.name, REFERRAL.prefix) == ("job_referral", "job_referral")


def test_training_for_the_member_who_lost_work() -> None:
    grant = TRAINING.grant(risk("unemployment", member_id="h1-m1"), context(size=3))
    assert isinstance(grant, Grant)
    assert grant.amount is None
    assert not grant.is_money
    assert grant.service == "free skills training"
    assert grant.responsible == "district human resources and social security bureau"
    assert grant.persons == 1
    assert grant.basis == (
        "free skills training for the member concerned, who can work, by district human resources and social"
        " security bureau"
    )
    assert used(grant) == {
        "job_training.responsible": ("district human resources and social security bureau", dt.date(2015, 1, 1))
    }


def test_referral_by_its_own_responsible_unit() -> None:
    grant = REFERRAL.grant(risk("unemployment", member_id="h1-m0"), context())
    assert isinstance(grant, Grant)
    assert grant.service == "job referral"
    assert grant.responsible == "district public employment service"


def test_responsible_picked_by_date() -> None:
    params = with_params(
        '[job_training.responsible]\nvalues = { 2015-01-01 = "district bureau", 2016-01-01 = "Dazu bureau" }'
    )
    early = TRAINING.grant(risk(member_id="h1-m0"), context(parameters=params, date=dt.date(2015, 12, 31)))
    late = TRAINING.grant(risk(member_id="h1-m0"), context(parameters=params, date=dt.date(2016, 1, 1)))
    assert isinstance(early, Grant)
    assert isinstance(late, Grant)
    assert (early.responsible, late.responsible) == ("district bureau", "Dazu bureau")


@pytest.mark.parametrize(
    ("capacities", "persons"),
    [((FULL, FULL, NONE), 2), ((FULL, PARTIAL, NONE, NONE), 2), ((PARTIAL,), 1)],
)
def test_household_wide_risk_serves_every_member_who_can_work(
    capacities: tuple[LabourCapacity, ...], persons: int
) -> None:
    hh = household(len(capacities), capacities=capacities)
    for service in (TRAINING, REFERRAL):
        grant = service.grant(risk("main_earner_lost"), context(hh=hh))
        assert isinstance(grant, Grant)
        assert grant.persons == persons


@pytest.mark.parametrize(("size", "reason"), [(1, "0 of 1 member"), (2, "0 of 2 members")])
def test_household_wide_risk_declined_when_nobody_can_work(size: int, reason: str) -> None:
    hh = household(size, capacities=(NONE,) * size)
    for service in (TRAINING, REFERRAL):
        result = service.grant(risk("main_earner_lost"), context(hh=hh))
        assert declined(result) == f"nobody in the household can work: {reason}"


def test_basis_counts_the_members_who_can_work() -> None:
    hh = household(3, capacities=(FULL, PARTIAL, NONE))
    grant = REFERRAL.grant(risk(), context(hh=hh))
    assert isinstance(grant, Grant)
    assert grant.basis == "job referral for 2 members of 3 who can work, by district public employment service"


def test_declined_when_the_member_concerned_cannot_work() -> None:
    hh = household(2, capacities=(FULL, NONE))
    assert declined(TRAINING.grant(risk(member_id="h1-m1"), context(hh=hh))) == (
        "member h1-m1 cannot work (labour capacity none)"
    )
    assert isinstance(TRAINING.grant(risk(member_id="h1-m0"), context(hh=hh)), Grant)


def test_a_member_id_of_no_member_is_an_error() -> None:
    with pytest.raises(InvalidHousehold):
        TRAINING.grant(risk(member_id="stranger"), context())


def test_a_policy_without_the_responsible_unit_is_an_error() -> None:
    with pytest.raises(UnknownParameter):
        JobTraining(prefix="training").grant(risk(member_id="h1-m0"), context())
