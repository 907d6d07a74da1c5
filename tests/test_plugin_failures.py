"""Policy code that raises: the engine names the plug-in, the household and the fact.

An exception that is not the library's own, raised by a rule, trigger, condition or
intervention, comes out of :meth:`Engine.run` as :class:`PluginFailed` (also a
``RuntimeError``) with the original exception as its cause; the library's own errors
pass through unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import NoReturn

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given

from relapse_guard.context import Context
from relapse_guard.decisions import Declined, Grant, Risk
from relapse_guard.engine import Engine
from relapse_guard.errors import InvalidPolicy, PluginFailed, RelapseGuardError
from relapse_guard.facts import AssistanceGranted, ExitVerified, Fact, IncomeAssessed
from relapse_guard.household import Household, Member, Place
from relapse_guard.lifecycle import State
from relapse_guard.policies import load_policy
from relapse_guard.policy import Policy
from relapse_guard.routing import Condition, entered, step
from relapse_guard.rules import Rule, Verdict

YUBEI = load_policy("yubei_2016")
ENTERED_IDENTIFIED = entered(State.IDENTIFIED)
HOUSEHOLD = Household(
    id="H-boom", place=Place("Yubei", "Town", "Village"), members=[Member(id="m1", birth_date=dt.date(1970, 1, 1))]
)
FACTS: list[Fact] = [
    IncomeAssessed(id="inc", household_id="H-boom", date=dt.date(2016, 3, 1), income_per_capita=Decimal(2000)),
    AssistanceGranted(id="aid", household_id="H-boom", date=dt.date(2016, 4, 1), measure="industry"),
    ExitVerified(id="exit", household_id="H-boom", date=dt.date(2016, 12, 1)),
]

ERRORS: list[Callable[[], Exception]] = [
    lambda: ZeroDivisionError("division by zero"),
    lambda: KeyError("missing"),
    lambda: AttributeError("no attribute"),
    lambda: ValueError("bad value"),
    lambda: TypeError("wrong type"),
]


@attrs.frozen
class Raising:
    """A trigger, intervention, rule test or condition test that raises ``error()``."""

    error: Callable[[], Exception]
    name: str = "boom"
    fact_kinds: tuple[type[Fact], ...] = (IncomeAssessed,)
    risk_kinds: frozenset[str] = frozenset({"boom"})

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        raise self.error()

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        raise self.error()

    def __call__(self, *args: object) -> NoReturn:
        raise self.error()


def policy_failing_in(site: str, raising: Raising) -> tuple[Policy, str, str]:
    """A Yubei policy whose ``site`` raises; the plug-in and the fact the error must name."""
    if site == "trigger":
        return YUBEI.derive(name="boom", triggers=[raising]), "trigger.boom", "inc"
    if site == "identification":
        rule = Rule("boom", "raises", raising)
        return YUBEI.derive(name="boom", identification=[rule]), "identification.boom", "inc"
    if site == "exit":
        return YUBEI.derive(name="boom", exit_rule=Rule("boom", "raises", raising)), "exit.boom", "exit"
    if site == "condition":
        when = Condition("boom", "raises", raising)
        routes = {ENTERED_IDENTIFIED: [step("safety_net", when=when)]}
        return YUBEI.derive(name="boom", routes=routes), "condition.boom", "inc"
    routes = {ENTERED_IDENTIFIED: [step("boom")]}
    return YUBEI.derive(name="boom", interventions=[raising], routes=routes), "intervention.boom", "inc"


@given(
    site=st.sampled_from(["trigger", "identification", "exit", "condition", "intervention"]),
    make_error=st.sampled_from(ERRORS),
    recorded=st.booleans(),
    prefilter=st.booleans(),
)
def test_policy_code_that_raises_is_named_with_household_and_fact(
    site: str, make_error: Callable[[], Exception], recorded: bool, prefilter: bool
) -> None:
    policy, plugin, fact_id = policy_failing_in(site, Raising(make_error))
    engine = Engine(policy, record_decisions=recorded, prefilter=prefilter)
    with pytest.raises(PluginFailed) as caught:
        engine.run(HOUSEHOLD, FACTS, as_of=dt.date(2017, 6, 1))
    failure = caught.value
    original = make_error()
    assert (failure.household_id, failure.plugin, failure.fact_id) == ("H-boom", plugin, fact_id)
    assert type(failure.error) is type(original)
    assert failure.__cause__ is failure.error
    assert isinstance(failure, RelapseGuardError)
    assert isinstance(failure, RuntimeError)
    assert f"household 'H-boom': {plugin} raised {type(original).__name__} on fact {fact_id!r}" in str(failure)


def test_the_librarys_own_errors_pass_through_unchanged() -> None:
    def invalid(ctx: Context) -> Verdict:
        raise InvalidPolicy("a rule found the policy inconsistent")

    policy = YUBEI.derive(name="own", identification=[Rule("own", "raises the library's error", invalid)])
    with pytest.raises(InvalidPolicy, match="inconsistent"):
        Engine(policy).run(HOUSEHOLD, FACTS)


def test_a_quiet_from_that_raises_is_named() -> None:
    def quiet_from(ctx: Context) -> Decimal | None:
        return Decimal(1) / Decimal(0) if ctx.state else None

    def never(ctx: Context) -> Verdict:
        return Verdict(False, "never")

    policy = YUBEI.derive(name="quiet", identification=[Rule("quiet", "never holds", never, quiet_from=quiet_from)])
    with pytest.raises(PluginFailed, match=r"quiet_from .*quiet_from raised DivisionByZero") as caught:
        Engine(policy).run(HOUSEHOLD, FACTS[:1])
    assert caught.value.household_id == "H-boom"
