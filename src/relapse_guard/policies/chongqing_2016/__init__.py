"""Chongqing 2016: the municipal base the district policies derive from.

Identification by income below the poverty line (merged with the safety-net line), exit by
income and basic needs, relapse when income falls below the line or a basic need breaks; a
three-year transition from 1 January after the exit. Every built-in trigger is on; the
routes are the generic ones of national practice, which the districts refine.
"""

from __future__ import annotations

from ...interventions import (
    EducationAid,
    HousingRenovation,
    JobReferral,
    JobTraining,
    MedicalAid,
    SafetyNetTopUp,
    TemporaryRelief,
)
from ...policy import Policy
from ...routing import HOUSE_UNSAFE, INCOME_LEFT_UNDER_STANDARD, NO_INCOME_LEFT, step
from ...triggers import (
    DisasterTrigger,
    IllnessTrigger,
    IncomeDropTrigger,
    MainEarnerLostTrigger,
    SchoolingTrigger,
    UnemploymentTrigger,
    UnsafeHousingTrigger,
)
from .._data import load_parameters

__all__ = ["policy"]

SOURCES = (
    "Chongqing poverty-alleviation bulletin no. 1 (2017): consolidating results in Yubei, Dazu and Bishan",
    "national anti-relapse monitoring mechanism (typical values, as parameters)",
)


def policy() -> Policy:
    """The Chongqing 2016 base policy."""
    return Policy(
        name="chongqing_2016",
        version="2016.1",
        description="Chongqing 2016 municipal base: income line identification, 3-year transition, generic routes",
        parameters=load_parameters(__name__),
        triggers=(
            IllnessTrigger(),
            DisasterTrigger(),
            UnemploymentTrigger(),
            SchoolingTrigger(),
            IncomeDropTrigger(),
            UnsafeHousingTrigger(),
            MainEarnerLostTrigger(),
        ),
        interventions=(
            SafetyNetTopUp(),
            TemporaryRelief(),
            MedicalAid(),
            EducationAid(),
            HousingRenovation(),
            JobTraining(),
            JobReferral(),
        ),
        routes={
            "illness": (step("medical_aid"), step("safety_net", when=INCOME_LEFT_UNDER_STANDARD)),
            "disaster": (step("temporary_relief"), step("housing_renovation", when=HOUSE_UNSAFE)),
            "unemployment": (
                step("job_training"),
                step("job_referral"),
                step("temporary_relief", when=NO_INCOME_LEFT),
            ),
            "schooling": (step("education_aid"),),
            "income_drop": (step("safety_net", when=INCOME_LEFT_UNDER_STANDARD),),
            "unsafe_housing": (step("housing_renovation"),),
            "main_earner_lost": (
                step("temporary_relief"),
                step("safety_net", when=INCOME_LEFT_UNDER_STANDARD),
            ),
        },
        sources=SOURCES,
    )
