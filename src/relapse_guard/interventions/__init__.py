"""Built-in interventions: what a policy grants for a risk, one module each.

Each implements :class:`~relapse_guard.interventions.base.Intervention` as a frozen attrs
class with a ``name`` (used in routes and decisions) and a ``prefix`` (the branch of the
policy's dated parameters it reads). Amounts are Decimal yuan rounded half-up to the fen,
never negative, and every grant's ``basis`` spells out its arithmetic with the numbers used.

=====================  ======================  ==========================================
name                   class                   rule (source)
=====================  ======================  ==========================================
``safety_net``         SafetyNetTopUp          monthly gap to the dibao standard (Yubei 5)
``temporary_relief``   TemporaryRelief         one-off relief, capped, help first (Dazu)
``medical_aid``        MedicalAid              share of self-paid cost, yearly cap (Yubei 2)
``education_aid``      EducationAid            yearly aid per student by level (Yubei 3, Dazu)
``industry_funds``     IndustrySupportFunds    once, per household or person (Yubei 1, Bishan)
``micro_insurance``    MicroInsurance          premiums per person, once a year (Yubei 4, Bishan)
``housing_renovation`` HousingRenovation       C / D grant, low-income uplift (Yubei 6)
``job_training``       JobTraining             free training for those able to work (Dazu)
``job_referral``       JobReferral             job referral after training (Dazu)
``paired_helper``      PairedHelper            a named helper and revisits (Bishan, Dazu)
=====================  ======================  ==========================================

An intervention that does not apply returns :class:`~relapse_guard.decisions.Declined` with
the reason and its numbers ("house graded B: only C and D qualify"), which the engine records
in the audit trail. An intervention applies from the date all the parameters it reads are in
force: before that (a scheme the policy starts later, such as Yubei's 2016 industry funds) it
declines with "not in force yet: parameter ... has no value on ...". A parameter the policy
lacks altogether is an error.

:data:`BUILTIN_INTERVENTIONS` maps each default name to its ``"module:Class"`` path, for an
intervention registry.
"""

from __future__ import annotations

from .base import Intervention
from .education_aid import EducationAid
from .employment import JobReferral, JobTraining
from .housing_renovation import HousingRenovation
from .industry_funds import IndustrySupportFunds
from .medical_aid import MedicalAid
from .micro_insurance import MicroInsurance
from .paired_helper import PairedHelper
from .safety_net import SafetyNetTopUp
from .temporary_relief import TemporaryRelief

__all__ = [
    "BUILTIN_INTERVENTIONS",
    "EducationAid",
    "HousingRenovation",
    "IndustrySupportFunds",
    "Intervention",
    "JobReferral",
    "JobTraining",
    "MedicalAid",
    "MicroInsurance",
    "PairedHelper",
    "SafetyNetTopUp",
    "TemporaryRelief",
]

_PACKAGE = "relapse_guard.interventions"

#: Each built-in intervention's default name and its ``"module:Class"`` path.
BUILTIN_INTERVENTIONS: dict[str, str] = {
    "safety_net": f"{_PACKAGE}.safety_net:SafetyNetTopUp",
    "temporary_relief": f"{_PACKAGE}.temporary_relief:TemporaryRelief",
    "medical_aid": f"{_PACKAGE}.medical_aid:MedicalAid",
    "education_aid": f"{_PACKAGE}.education_aid:EducationAid",
    "industry_funds": f"{_PACKAGE}.industry_funds:IndustrySupportFunds",
    "micro_insurance": f"{_PACKAGE}.micro_insurance:MicroInsurance",
    "housing_renovation": f"{_PACKAGE}.housing_renovation:HousingRenovation",
    "job_training": f"{_PACKAGE}.employment:JobTraining",
    "job_referral": f"{_PACKAGE}.employment:JobReferral",
    "paired_helper": f"{_PACKAGE}.paired_helper:PairedHelper",
}
