"""Unsafe housing: a house appraised C (partly dangerous) or D (whole building dangerous).

Rule (seed: Chongqing poverty-alleviation bulletin no. 1, 2017, Yubei item 6: renovation
grants for C and D houses; Bishan: priority renovation of unsafe houses, 65 C and 180 D in
2016; national practice, domain.md: housing safety grades A to D, only C and D count as
dangerous and qualify for renovation, and a house appraised unsafe is a risk trigger):
grade C is a HIGH risk, grade D a SEVERE one; A and B raise nothing.

The evidence carries ``("grade", "C" | "D")``: housing renovation reads it to pick the grant.
The key ``unsafe_housing:<household>:<grade>`` makes repeated appraisals at one grade one
risk (no house is subsidised twice), while a house that worsens from C to D is a new risk.
The trigger has no parameters; ``prefix`` is kept for uniformity.
"""

from __future__ import annotations

import attrs

from .. import message_keys as keys
from ..context import Context
from ..decisions import Risk, Severity
from ..facts import Fact, HouseAppraised, HousingGrade
from ..messages import Message, Term

__all__ = ["UnsafeHousingTrigger"]

KIND = "unsafe_housing"

_SEVERITY = {HousingGrade.C: Severity.HIGH, HousingGrade.D: Severity.SEVERE}
_MEANING = {HousingGrade.C: "partly dangerous", HousingGrade.D: "whole building dangerous"}


@attrs.frozen(kw_only=True)
class UnsafeHousingTrigger:
    """Fires when a house is appraised C or D."""

    name: str = "unsafe_housing"
    prefix: str = "triggers.unsafe_housing"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        """Only :class:`~relapse_guard.facts.HouseAppraised`."""
        return (HouseAppraised,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        """Only ``unsafe_housing``, whatever the trigger's name and prefix."""
        return (KIND,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """An ``unsafe_housing`` risk for grade C (HIGH) or D (SEVERE), else None."""
        if not isinstance(fact, HouseAppraised):
            return None
        severity = _SEVERITY.get(fact.grade)
        if severity is None:
            return None
        grade = fact.grade.value
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind=KIND,
            severity=severity,
            key=f"{KIND}:{fact.household_id}:{grade}",
            evidence=[
                ("grade", grade),
                ("meaning", _MEANING[fact.grade]),
                ("reason", Message(keys.HOUSE_APPRAISED, grade, Term(_MEANING[fact.grade]))),
            ],
        )
