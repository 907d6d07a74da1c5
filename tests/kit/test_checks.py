"""Static checks on the shipped policies and on small faulty derivations."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import attrs
import pytest

from relapse_guard import Policy, State, load_policy
from relapse_guard.checks import CHECKS, Finding, check_policy, risk_kinds
from relapse_guard.context import Context
from relapse_guard.decisions import Grant, Risk
from relapse_guard.interventions import IndustrySupportFunds, JobTraining
from relapse_guard.reviews import Review
from relapse_guard.routing import entered, step
from relapse_guard.rules import Rule, Verdict
from relapse_guard.triggers import IllnessTrigger

D = dt.date


@pytest.mark.parametrize("name", ["chongqing_2016", "yubei_2016", "dazu_2016"])
def test_shipped_policies_pass(name: str) -> None:
    assert check_policy(load_policy(name)) == ()


def test_bishan_findings_are_real() -> None:
    # Bishan's insurance declines in 2015 although the accident premium is in force. Its
    # relative-poverty rule also reads parameters that start in 2016, but it catches
    # ParameterNotInForce (it treats itself as not in force yet), so it is not a finding.
    assert [str(f) for f in check_policy(load_policy("bishan_2016"))] == [
        "parameter_missing: intervention micro_insurance: reads 'insurance.premium.rural_medical', "
        "'insurance.premium.serious_illness', with no value on 2015-01-01 (first value 2016-01-01), though "
        "'insurance.premium.accident' is in force: it grants nothing until all are (not in force yet)",
    ]
    assert check_policy(load_policy("bishan_2016"), on=D(2016, 6, 1)) == ()


def test_a_rule_that_lets_parameter_not_in_force_out_is_a_finding() -> None:
    bishan = load_policy("bishan_2016")
    careless = Rule(
        "relative_poverty_careless",
        "the relative-poverty threshold, read without caring whether it is in force",
        lambda ctx: Verdict(False, f"threshold {ctx.amount('relative_poverty.divisor')}"),
    )
    findings = [str(f) for f in check_policy(bishan.derive(name="careless", identification=[careless]))]
    assert findings[0] == (
        "parameter_missing: identification rule relative_poverty_careless: reads 'relative_poverty.divisor', "
        "with no value on 2015-01-01 (first value 2016-01-01), a date the policy uses: there it lets "
        "ParameterNotInForce out, which fails the run"
    )


def test_checking_twice_gives_the_same_findings() -> None:
    # The probe keeps nothing between runs (each check_policy call makes its own logs).
    yubei = load_policy("yubei_2016")
    assert check_policy(yubei, on=D(2016, 1, 1)) == check_policy(yubei, on=D(2016, 1, 1))


def test_a_date_before_the_policy_finds_the_engine_parameters_missing() -> None:
    (finding,) = [f for f in check_policy(load_policy("yubei_2016"), on=D(2014, 6, 1)) if f.subject == "the engine"]
    assert "'poverty_line'" in finding.message
    assert "there it lets ParameterNotInForce out" in finding.message


def test_findings_read_as_text() -> None:
    finding = Finding("dead_route", "route ilness", "no trigger produces 'ilness' risks")
    assert str(finding) == "dead_route: route ilness: no trigger produces 'ilness' risks"
    assert next(iter(CHECKS)) == "unreachable_state"


def test_risk_kinds() -> None:
    assert risk_kinds(IllnessTrigger(name="illness_b")) == ("illness",)

    @attrs.frozen
    class Custom:
        name: str = "crop"
        fact_kinds: tuple[type, ...] = ()

    assert risk_kinds(Custom()) == ("crop",)  # type: ignore[arg-type]


@attrs.frozen
class Declaring:
    """A trigger of no fact that declares ``risk_kinds`` as given (or nothing, when None)."""

    declared: object = None
    name: str = "crop"
    fact_kinds: tuple[type, ...] = ()

    def __getattr__(self, name: str) -> object:
        if name == "risk_kinds" and self.declared is not None:
            return self.declared
        raise AttributeError(name)

    def detect(self, fact: object, ctx: object) -> None:
        return None


def test_risk_kinds_of_a_set_a_string_and_nonsense() -> None:
    assert risk_kinds(Declaring(frozenset({"pest", "drought"}))) == ("drought", "pest")  # type: ignore[arg-type]
    assert risk_kinds(Declaring(("pest", "drought"))) == ("pest", "drought")  # type: ignore[arg-type]
    assert risk_kinds(Declaring("drought")) == ("drought",)  # type: ignore[arg-type]
    assert risk_kinds(Declaring(())) == ("crop",)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"trigger 'crop': risk_kinds must be a tuple or frozenset of str, not 3"):
        risk_kinds(Declaring(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"not \('drought', 1\)"):
        risk_kinds(Declaring(("drought", 1)))  # type: ignore[arg-type]


def test_a_trigger_without_risk_kinds_is_checked_on_its_name() -> None:
    # A trigger object written before triggers declared risk_kinds: no AttributeError, and the
    # finding that rests on the assumed kind names the trigger and says what was assumed.
    policy = load_policy("chongqing_2016").derive(name="undeclared", triggers=[Declaring()])  # type: ignore[list-item]
    assert [str(f) for f in check_policy(policy)] == [
        "unrouted_risk_kind: trigger crop: produces 'crop' risks (assumed from its name: it declares no "
        "risk_kinds), and 'crop' has no route: such a risk is recorded but nobody is helped"
    ]
    declared = load_policy("chongqing_2016").derive(name="declared", triggers=[Declaring(("crop",))])  # type: ignore[list-item]
    assert [str(f) for f in check_policy(declared)] == [
        "unrouted_risk_kind: trigger crop: produces 'crop' risks, and 'crop' has no route: "
        "such a risk is recorded but nobody is helped"
    ]


def test_a_policy_that_never_assists() -> None:
    base = load_policy("chongqing_2016")
    kinds = attrs.evolve(
        base.fact_kinds, by_kind={k: v for k, v in base.fact_kinds.by_kind.items() if k != "assistance_granted"}
    )
    never = attrs.evolve(base.derive(name="never", fact_kinds=kinds), assist_on_grant=False)
    states = [f.subject for f in check_policy(never) if f.check == "unreachable_state"]
    assert states == ["state assisted", "state exited", "state monitored", "state relapsed", "state stable"]


def test_routes_for_states_never_entered() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="odd_routes",
        routes={entered(State.NEW): [step("job_training")], "entered:retired": [step("job_training")]},
    )
    messages = {f.subject: f.message for f in check_policy(policy) if f.check == "unreachable_state"}
    assert messages["route entered:new"].startswith("never runs: no household ever enters 'new'")
    assert messages["route entered:retired"].startswith("never runs: 'retired' is not a lifecycle state")


def test_the_same_intervention_twice_in_a_route() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="twice", routes={"unemployment": [step("job_training"), step("job_training"), step("job_referral")]}
    )
    assert [str(f) for f in check_policy(policy)] == [
        "double_money: route unemployment: steps 0 and 1 both name 'job_training'; "
        "the engine skips the second (already granted) for one risk"
    ]


def test_once_schemes_are_not_double_money() -> None:
    # Industry funds are granted once per household: on identification and on a disaster they
    # never both pay, so two routes naming them are not a finding.
    policy = load_policy("chongqing_2016").derive(
        name="funds",
        new_parameters={
            "industry_funds.amount": {D(2015, 1, 1): 2000},
            "industry_funds.basis": {D(2015, 1, 1): "household"},
        },
        interventions=[IndustrySupportFunds()],
        routes={entered(State.IDENTIFIED): [step("industry_funds")], "disaster": [step("industry_funds")]},
    )
    assert check_policy(policy) == ()


def test_a_service_with_no_responsible_unit() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="nobody",
        parameters={"job_training.responsible": {D(2015, 1, 1): " "}},
        reviews=[Review.quarterly("inspection", responsible="supervision office")],
    )
    assert [str(f) for f in check_policy(policy)] == [
        "no_responsible_unit: intervention job_training: grants a service but names no responsible unit"
    ]


def test_a_parameter_of_the_wrong_kind() -> None:
    policy = load_policy("chongqing_2016").derive(
        name="typo", parameters={"job_referral.responsible": {D(2015, 1, 1): 5}}, interventions=[JobTraining()]
    )
    (finding,) = check_policy(policy)
    assert finding.check == "parameter_invalid"
    assert finding.subject == "intervention job_referral"
    assert "parameter 'job_referral.responsible' must be text" in finding.message


def test_the_checks_never_raise_on_a_policy_the_engine_accepts() -> None:
    assert isinstance(check_policy(Policy(name="bare", parameters=load_policy("chongqing_2016").parameters)), tuple)


SCRIPT = """
from __future__ import annotations
import datetime as dt
from decimal import Decimal
from typing import ClassVar
import attrs
from relapse_guard import Fact, load_policy
from relapse_guard.decisions import Severity
from relapse_guard.routing import step

@attrs.frozen(kw_only=True)
class CropFailure(Fact):
    kind: ClassVar[str] = "crop_failure"
    crop: str
    loss: Decimal

@attrs.frozen(kw_only=True)
class CropFailureTrigger:
    name: str = "crop_failure"
    fact_kinds: tuple = (CropFailure,)
    risk_kinds: tuple = ("crop_failure",)

    def detect(self, fact, ctx):
        if fact.loss <= ctx.amount("triggers.crop_failure.min_loss"):
            return None
        return ctx.risk(trigger=self.name, fact=fact, kind="crop_failure", severity=Severity.HIGH, cost=fact.loss)

yubei = load_policy("yubei_2016")
policy = yubei.derive(
    name="crops",
    fact_kinds=yubei.fact_kinds.with_kind(CropFailure),
    new_parameters={"triggers.crop_failure.min_loss": {dt.date(2016, 1, 1): 1000}},
    triggers=[CropFailureTrigger()],
    routes={"crop_failure": [step("temporary_relief")]},
)
"""


def test_a_fact_kind_defined_in_a_script_is_probed(tmp_path: Path) -> None:
    # The script's module is gone once it has run, so its string annotations cannot be
    # resolved: the probe builds sample facts by trial, and finds the trigger's 2016 parameter.
    script = tmp_path / "crops.py"
    script.write_text(SCRIPT, encoding="utf-8")
    policy = runpy.run_path(str(script))["policy"]
    assert [f.subject for f in check_policy(policy)] == ["trigger crop_failure"]
    assert "'triggers.crop_failure.min_loss', with no value on 2015-01-01" in check_policy(policy)[0].message


@attrs.frozen
class Heating:
    """Pays per person up to a cap, the two parameters taking effect on different dates."""

    name: str = "heating"

    def grant(self, risk: Risk, ctx: Context) -> Grant:
        amount = min(ctx.amount("heating.per_person") * ctx.size, ctx.amount("heating.cap"))
        return ctx.grant(intervention=self.name, risk=risk, amount=amount, responsible="civil affairs")


def test_an_intervention_whose_parameters_start_on_different_dates_after_the_first_is_a_finding() -> None:
    # Neither is in force on the policy's first date, so that date was rightly passed over (a
    # scheme that starts later), but both names were taken as reported there: the months of 2016
    # with per_person in force and no cap, when it grants nothing, were never found.
    yubei = load_policy("yubei_2016")
    policy = yubei.derive(
        name="heating",
        new_parameters={"heating.per_person": {D(2016, 1, 1): 100}, "heating.cap": {D(2017, 7, 1): 500}},
        interventions=[Heating()],
        routes={"illness": [*yubei.routes["illness"], step("heating")]},
    )
    missing = [str(f) for f in check_policy(policy) if f.check == "parameter_missing"]
    assert missing == [
        "parameter_missing: intervention heating: reads 'heating.cap', with no value on 2016-01-01 (first value "
        "2017-07-01), though 'heating.per_person' is in force: it grants nothing until all are (not in force yet)"
    ]
    assert [str(f) for f in check_policy(policy, on=D(2016, 6, 1)) if f.check == "parameter_missing"] == [
        missing[0].replace("2016-01-01 (", "2016-06-01 (")
    ]
