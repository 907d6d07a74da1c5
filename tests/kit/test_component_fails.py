"""``component_fails``: a rule, trigger, condition or intervention that raises on every input the
checks probe it with is reported; one that raises on some inputs only is not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from relapse_guard import Fact, IncomeAssessed, load_policy
from relapse_guard.checks import check_policy
from relapse_guard.context import Context
from relapse_guard.decisions import Grant, Risk, Severity
from relapse_guard.routing import Condition, step
from relapse_guard.rules import Verdict


@attrs.frozen(kw_only=True)
class PerMemberLeft:
    """Divides by the members who left the household since the last assessment: none, always."""

    name: str = "per_member_left"
    risk_kinds: tuple[str, ...] = ("income_drop",)
    only_large: bool = False

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return (IncomeAssessed,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        assert isinstance(fact, IncomeAssessed)
        if self.only_large and ctx.size < 4:
            return None  # the division below is only reached for large households
        left = ctx.size - ctx.size
        share = ctx.size // left
        return ctx.risk(trigger=self.name, fact=fact, kind="income_drop", severity=Severity.HIGH) if share else None


@attrs.frozen(kw_only=True)
class BonusGrant:
    """Looks the bonus up in a table keyed by a risk kind it never lists."""

    name: str = "bonus"

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        bonus = {"flood": Decimal(100)}[risk.kind]
        return ctx.grant(intervention=self.name, risk=risk, amount=bonus, responsible="town")


def _above_zero(risk: Risk, ctx: Context) -> Verdict:
    """Calls a method risks do not have (``Risk.get("level")`` was meant)."""
    found: Any = risk
    return Verdict(found.level() > 0, "the risk's level is above zero")


def _findings(policy_name: str = "chongqing_2016", **derived: object) -> list[str]:
    policy = load_policy(policy_name).derive(name="mine", **derived)  # type: ignore[arg-type]
    return [str(finding) for finding in check_policy(policy) if finding.check == "component_fails"]


def test_a_trigger_that_raises_on_every_fact_is_reported_with_its_error() -> None:
    (found,) = _findings(triggers=[PerMemberLeft()])
    assert found.startswith("component_fails: trigger per_member_left: raised on every input probed (")
    assert "first on 2015-01-01: ZeroDivisionError: integer division or modulo by zero;" in found
    assert found.endswith("; a run that calls it fails")


def test_a_trigger_that_raises_on_some_inputs_only_is_not() -> None:
    # the probe's households of four or more members make it raise, the smaller ones do not
    assert _findings(triggers=[PerMemberLeft(only_large=True)]) == []


def test_an_intervention_and_a_condition_that_always_raise() -> None:
    never = Condition("never_defined", "calls what risks do not have", _above_zero)
    found = _findings(
        interventions=[BonusGrant()],
        routes={"disaster": [step("temporary_relief", when=never), step("bonus")]},
    )
    assert [line.split(": raised")[0] for line in found] == [
        "component_fails: condition never_defined",
        "component_fails: intervention bonus",
    ]
    assert "AttributeError: 'Risk' object has no attribute 'level'" in found[0]
    assert "KeyError: 'disaster'" in found[1]


def test_no_shipped_policy_has_a_component_that_always_fails() -> None:
    for name in ("chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"):
        assert _findings(name) == []
