"""A developer's own policy: a new fact kind and trigger (crop failure) and a changed parameter.

The policy derives from Yubei 2016 without copying it: it adds a ``CropFailure`` fact kind
and a trigger for it, routes crop failure to industry support funds (to replant) and then to
temporary relief on the loss the funds leave, and raises the safety-net standard to 320 yuan
from 1 July 2017.

Run: python examples/custom_policy.py
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

import attrs

from relapse_guard import (
    AssistanceGranted,
    Engine,
    ExitVerified,
    Fact,
    Household,
    IncomeAssessed,
    Member,
    Place,
    load_policy,
)
from relapse_guard.context import Context
from relapse_guard.decisions import Risk, Severity
from relapse_guard.interventions import IndustrySupportFunds
from relapse_guard.routing import step


@attrs.frozen(kw_only=True)
class CropFailure(Fact):
    """A harvest lost to drought, pests or frost, with the loss in yuan."""

    kind: ClassVar[str] = "crop_failure"
    order: ClassVar[int] = 40
    crop: str
    loss: Decimal


@attrs.frozen(kw_only=True)
class CropFailureTrigger:
    """Crop failure is a risk when the loss exceeds a share of the household's yearly income."""

    name: str = "crop_failure"
    prefix: str = "triggers.crop_failure"

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return (CropFailure,)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        return ("crop_failure",)  # every kind of risk detect() returns, whatever the trigger's name

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        assert isinstance(fact, CropFailure)
        share = ctx.amount(f"{self.prefix}.income_share")
        income = (ctx.income_per_capita or Decimal(0)) * ctx.size
        if fact.loss <= share * income:
            return None
        return ctx.risk(
            trigger=self.name,
            fact=fact,
            kind="crop_failure",
            severity=Severity.HIGH if fact.loss < income else Severity.SEVERE,
            cost=fact.loss,
            evidence=[("crop", fact.crop), ("loss", fact.loss), ("household income", income), ("share", share)],
        )


yubei = load_policy("yubei_2016")
policy = yubei.derive(
    name="yubei_crops",
    version="2017.1",
    description="Yubei 2016 with crop-failure support and a higher safety-net standard from July 2017",
    fact_kinds=yubei.fact_kinds.with_kind(CropFailure),
    parameters={"safety_net.standard": {dt.date(2017, 7, 1): 320}},
    new_parameters={
        "triggers.crop_failure.income_share": {dt.date(2015, 1, 1): Decimal("0.2")},
        "industry_funds.replant.amount": {dt.date(2016, 1, 1): 1500},
        "industry_funds.replant.basis": {dt.date(2016, 1, 1): "household"},
    },
    triggers=[CropFailureTrigger()],
    interventions=[IndustrySupportFunds(name="replant_funds", prefix="industry_funds.replant", once=False)],
    routes={"crop_failure": [step("replant_funds"), step("temporary_relief", after=["replant_funds"])]},
)

hid = "YB-0100"
household = Household(
    id=hid,
    place=Place("Yubei", "Luqi", "Wuyi"),
    members=[
        Member(id=f"{hid}-1", birth_date=dt.date(1972, 1, 1)),
        Member(id=f"{hid}-2", birth_date=dt.date(1999, 5, 5)),
    ],
)
facts = [
    IncomeAssessed(id="i1", household_id=hid, date=dt.date(2015, 1, 5), income_per_capita=Decimal(2400)),
    AssistanceGranted(id="a1", household_id=hid, date=dt.date(2015, 2, 1), measure="citrus orchard"),
    IncomeAssessed(id="i2", household_id=hid, date=dt.date(2015, 11, 1), income_per_capita=Decimal(4000)),
    ExitVerified(id="e1", household_id=hid, date=dt.date(2015, 11, 15)),
    # A dict from a data platform, parsed with the policy's fact kinds:
    policy.fact_kinds.parse(
        {
            "kind": "crop_failure",
            "id": "c1",
            "household_id": hid,
            "date": "2017-08-10",
            "crop": "citrus",
            "loss": "3000",
        }
    ),
]

result = Engine(policy).run(household, facts, as_of=dt.date(2017, 12, 31))
print(result.explain())
granted = {g.intervention: g.amount for g in result.grants}
assert granted["replant_funds"] == Decimal("1500.00")
# relief pays what the replant funds left of the 3000 lost (after=...): the loss is paid once
assert granted["temporary_relief"] == Decimal("1500.00")
print()
print("base policy untouched:", yubei.parameters.value("safety_net.standard", dt.date(2017, 8, 1)))
print("derived policy:", policy.parameters.value("safety_net.standard", dt.date(2017, 8, 1)))
