"""What policy code gives back is checked: a trigger's ``detect`` gives a Risk or None, an
intervention's ``grant`` a Grant, a Declined or None, with exact money. Anything else is a
:class:`PluginFailed` naming the household, the trigger or intervention and the fact (it used
to surface as an ``AttributeError`` deep in the engine, or a float summed into the totals),
and ``check`` reports it; a policy whose triggers or routes are not what the engine runs is
refused when it is made."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.checks import check_policy
from relapse_guard.context import Context
from relapse_guard.decisions import Declined, Risk, Severity
from relapse_guard.errors import InvalidPolicy, ParameterNotInForce, PluginFailed, WrongType, said, typed_repr
from relapse_guard.facts import AssistanceGranted, DisasterReported, ExitVerified, Fact
from relapse_guard.interventions import TemporaryRelief
from relapse_guard.policy import Policy
from relapse_guard.routing import Condition, step
from relapse_guard.rules import INCOME_BELOW_LINE, Rule, Verdict
from relapse_guard.screening.screen import screen_records

D = dt.date
HOUSEHOLD = Household(
    id="H1", place=Place(district="Yubei", town="T"), members=(Member(id="m1", birth_date=D(1970, 1, 1)),)
)
FACTS = [
    IncomeAssessed(id="i1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(5000)),
    DisasterReported(id="d1", household_id="H1", date=D(2016, 5, 1), hazard="hail", loss=Decimal(3000)),
]


@attrs.frozen(kw_only=True)
class Hail:
    """Detects what ``answer(fact, ctx)`` gives."""

    answer: Any
    name: str = "hail"
    risk_kinds: tuple[str, ...] = ("hail",)
    fact_kinds: tuple[type[Fact], ...] = (DisasterReported,)

    def detect(self, fact: Fact, ctx: Context) -> Any:
        return self.answer(fact, ctx)


@attrs.frozen(kw_only=True)
class Voucher:
    """Grants what ``answer(risk, ctx)`` gives."""

    answer: Any
    name: str = "voucher"

    def grant(self, risk: Risk, ctx: Context) -> Any:
        return self.answer(risk, ctx)


def _risk(cost: Any = Decimal(0)) -> Any:
    return lambda fact, ctx: ctx.risk(trigger="hail", fact=fact, kind="hail", severity=Severity.HIGH, cost=cost)


def _grant(amount: Any) -> Any:
    return lambda risk, ctx: ctx.grant(intervention="voucher", risk=risk, amount=amount, responsible="town")


def _policy(detect: Any = None, grant: Any = None) -> Policy:
    return load_policy("yubei_2016").derive(
        name="mine",
        triggers=[Hail(answer=detect or _risk())],
        interventions=[Voucher(answer=grant or _grant(Decimal(100)))],
        routes={"hail": [step("voucher")]},
    )


def _run(policy: Policy) -> Any:
    return Engine(policy).run(HOUSEHOLD, FACTS, as_of=D(2016, 12, 31))


def _component_fails(policy: Policy) -> list[str]:
    return [f"{f.subject}: {f.message}" for f in check_policy(policy) if f.check == "component_fails"]


def test_sound_answers_run() -> None:
    result = _run(_policy())
    assert [(g.intervention, g.amount) for g in result.grants if g.intervention == "voucher"] == [
        ("voucher", Decimal(100))
    ]
    assert _component_fails(_policy()) == []


#: What a trigger or an intervention may wrongly give back: anything but a Risk, Grant, Declined or None.
WRONG = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True),
    st.text(max_size=10),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), max_size=2),
    st.builds(object),
)


@settings(max_examples=40, deadline=None)
@given(answer=WRONG)
def test_a_trigger_that_gives_anything_but_a_risk_fails_naming_itself(answer: object) -> None:
    with pytest.raises(PluginFailed) as failed:
        _run(_policy(detect=lambda fact, ctx: answer))
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == ("H1", "trigger.hail", "d1")
    assert isinstance(error.error, TypeError)
    assert str(error).startswith("household 'H1': trigger.hail gave what the engine cannot use on fact 'd1': ")
    assert f"detect() returned {answer!r}"[:60] in str(error) or len(repr(answer)) > 80


@settings(max_examples=40, deadline=None)
@given(answer=WRONG)
def test_an_intervention_that_gives_anything_but_a_grant_fails_naming_itself(answer: object) -> None:
    with pytest.raises(PluginFailed) as failed:
        _run(_policy(grant=lambda risk, ctx: answer))
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == ("H1", "intervention.voucher", "d1")
    assert "grant() returned " in str(error)
    assert "expected a Grant (ctx.grant(...)), a Declined or None" in str(error)


@settings(max_examples=40, deadline=None)
@given(
    money=st.one_of(
        st.floats(allow_nan=True), st.integers(), st.text(max_size=5), st.booleans(), st.decimals(allow_nan=True)
    )
)
def test_money_that_is_not_an_exact_finite_number_is_refused_at_once(money: object) -> None:
    exact = type(money) is Decimal and money.is_finite()
    for policy, plugin, field in (
        (_policy(detect=_risk(cost=money)), "trigger.hail", "cost"),
        (_policy(grant=_grant(money)), "intervention.voucher", "amount"),
    ):
        if exact and money >= 0:  # type: ignore[operator]
            _run(policy)  # exact money runs (a negative amount is a policy error of its own, below)
            continue
        if exact:
            continue
        with pytest.raises(PluginFailed) as failed:
            _run(policy)
        assert failed.value.plugin == plugin
        assert str(failed.value.error).startswith(f"{field} ")


def test_a_float_amount_says_how_to_give_money() -> None:
    with pytest.raises(PluginFailed) as failed:
        _run(_policy(grant=_grant(1000 / 3)))
    assert str(failed.value) == (
        "household 'H1': intervention.voucher gave what the engine cannot use on fact 'd1': amount "
        "333.3333333333333 is a float; money is exact: give a Decimal (Decimal('12.30'), or "
        "relapse_guard.money.to_money(...) to round to the fen)"
    )


def test_a_declined_is_an_answer() -> None:
    declined = _run(_policy(grant=lambda risk, ctx: Declined("not this year")))
    assert [g for g in declined.grants if g.intervention == "voucher"] == []


def test_an_int_amount_or_cost_fails_saying_to_give_a_decimal_and_check_reports_it() -> None:
    # An int amount was kept as given: the run and the screen passed, then explain's JSON
    # failed on it ('int' object has no attribute 'as_tuple', exit 3).
    for policy, plugin, field in (
        (_policy(grant=_grant(120)), "intervention.voucher", "amount"),
        (_policy(detect=_risk(cost=3000)), "trigger.hail", "cost"),
    ):
        with pytest.raises(PluginFailed) as failed:
            _run(policy)
        assert (failed.value.household_id, failed.value.plugin, failed.value.fact_id) == ("H1", plugin, "d1")
        number = 120 if field == "amount" else 3000
        assert str(failed.value.error) == (
            f"{field} {number} is an int; money is a Decimal: give Decimal({number}) "
            "(or relapse_guard.money.to_money(...) to round to the fen)"
        )
        (finding,) = _component_fails(policy)
        assert finding.startswith(plugin.replace(".", " ") + ": gave back what the engine refuses")
        (problem,) = screen_records([(HOUSEHOLD, FACTS, ())], policy, D(2016, 12, 31)).problems
        assert (problem.kind, problem.plugin) == ("plugin_failed", plugin)


def test_a_negative_amount_or_cost_fails_naming_the_plug_in_and_check_reports_it() -> None:
    # It was an InvalidPolicy naming no plug-in: a screen filed the household as refused, and
    # check stopped (exit 2) blaming its probe household.
    for policy, plugin, said_of in (
        (_policy(grant=_grant(Decimal(-5))), "intervention.voucher", "amount -5"),
        (_policy(detect=_risk(Decimal(-100))), "trigger.hail", "cost -100"),  # it was blamed on the intervention
    ):
        with pytest.raises(PluginFailed) as failed:
            _run(policy)
        assert (failed.value.household_id, failed.value.plugin, failed.value.fact_id) == ("H1", plugin, "d1")
        assert str(failed.value.error) == f"{said_of} is negative: money is never below zero"
        (finding,) = _component_fails(policy)
        assert finding.startswith(plugin.replace(".", " ") + ": gave back what the engine refuses")
        (problem,) = screen_records([(HOUSEHOLD, FACTS, ())], policy, D(2016, 12, 31)).problems
        assert (problem.kind, problem.plugin) == ("plugin_failed", plugin)


def test_a_period_or_severity_given_as_text_fails_naming_the_plug_in() -> None:
    # A grant of period "monthly" was counted as a one-off by a screen and crashed explain and
    # whatif (exit 3); a risk of severity "high" crashed them too. check found nothing.
    monthly = _policy(
        grant=lambda risk, ctx: ctx.grant(intervention="voucher", risk=risk, amount=Decimal(10), period="monthly")
    )
    high = _policy(detect=lambda fact, ctx: ctx.risk(trigger="hail", fact=fact, kind="hail", severity="high"))
    for policy, plugin, message in (
        (monthly, "intervention.voucher", "period 'monthly' (str); expected a Period (Period.MONTHLY)"),
        (high, "trigger.hail", "severity 'high' (str); expected a Severity (Severity.HIGH)"),
    ):
        with pytest.raises(PluginFailed) as failed:
            _run(policy)
        assert str(failed.value.error) == message
        assert (failed.value.household_id, failed.value.plugin, failed.value.fact_id) == ("H1", plugin, "d1")
        (finding,) = _component_fails(policy)
        assert message in finding
        (problem,) = screen_records([(HOUSEHOLD, FACTS, ())], policy, D(2016, 12, 31)).problems
        assert (problem.kind, problem.plugin) == ("plugin_failed", plugin)


def test_check_reports_a_wrong_answer_whenever_it_comes() -> None:
    assert _component_fails(_policy(detect=lambda fact, ctx: fact.date.month > 3)) == [
        "trigger hail: gave back what the engine refuses, first on 2015-01-01: detect() returned False (bool); "
        "expected a Risk (ctx.risk(...)) or None; a run that gets it fails"
    ]
    assert _component_fails(_policy(grant=lambda risk, ctx: Decimal(100))) == [
        "intervention voucher: gave back what the engine refuses, first on 2015-01-01: grant() returned "
        "Decimal('100') (Decimal); expected a Grant (ctx.grant(...)), a Declined or None; a run that gets it fails"
    ]
    (floated,) = _component_fails(_policy(grant=_grant(12.5)))
    assert floated.startswith(
        "intervention voucher: gave back what the engine refuses, first on 2015-01-01: amount 12.5 is a float"
    )


class NoFactKinds:
    name = "hail"
    risk_kinds = ("hail",)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        return None


class KindNames(NoFactKinds):
    fact_kinds = ("disaster_reported",)


def plain_test(ctx: Context) -> Verdict:
    """A rule's test given where a Rule belongs."""
    return Verdict(False, "x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            # check_policy then failed with "'function' object has no attribute 'name'" (exit 3)
            {"identification": [INCOME_BELOW_LINE, plain_test]},
            "policy mine@1: identification[1] is the function 'plain_test'; expected a Rule: wrap it in Rule(name, "
            "description, test), e.g. Rule('dibao_edge', 'income under 1.5 x the standard', test)",
        ),
        (
            {"exit_rule": plain_test},
            "policy mine@1: exit_rule is the function 'plain_test'; expected a Rule: wrap it in Rule(name, "
            "description, test), e.g. Rule('dibao_edge', 'income under 1.5 x the standard', test)",
        ),
        (
            {"routes": {"illness": [step("medical_aid", when=plain_test)]}},  # type: ignore[arg-type]
            "policy mine@1: route 'illness' step 0 has condition the function 'plain_test'; expected a Condition: "
            "wrap it in Condition(name, description, test), as step('safety_net', when=Condition('poor', "
            "'income left under the standard', test))",
        ),
        (
            {"triggers": [NoFactKinds()]},
            "policy mine@1: trigger 'hail' has no fact_kinds: the fact classes it reads, e.g. (DisasterReported,)",
        ),
        (
            {"triggers": [KindNames()]},
            "policy mine@1: trigger 'hail': fact_kinds must be fact classes, e.g. (DisasterReported,), not kind "
            "names; found 'disaster_reported' (str)",
        ),
        (
            {"routes": {"illness": ["medical_aid"]}},
            "policy mine@1: route 'illness' step 0 is 'medical_aid' (str); expected a step: "
            "routes={'illness': [step('medical_aid'), ...]} (relapse_guard.routing.step)",
        ),
        (
            {"routes": {"illness": "medical_aid"}},
            "policy mine@1: route 'illness' is 'medical_aid' (str); expected a list of steps: "
            "routes={'illness': [step('medical_aid'), ...]} (relapse_guard.routing.step)",
        ),
        (
            {"interventions": [TemporaryRelief(), TemporaryRelief()]},
            "policy mine@1: intervention name(s) used twice: temporary_relief (one would replace the other)",
        ),
    ],
)
def test_a_policy_the_engine_cannot_run_is_refused_when_made(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidPolicy) as refused:
        load_policy("yubei_2016").derive(name="mine", **changes)
    assert str(refused.value) == message


def test_a_misspelt_route_intervention_suggests_the_one_meant() -> None:
    with pytest.raises(
        InvalidPolicy,
        match=r"names intervention 'medical_aidd', which the policy does not have; did you mean 'medical_aid'\?",
    ):
        load_policy("yubei_2016").derive(name="mine", routes={"illness": [step("medical_aidd")]})


def test_a_screen_lists_a_household_whose_policy_code_gave_a_wrong_answer() -> None:
    records = [(HOUSEHOLD, FACTS, ())]
    result = screen_records(records, _policy(grant=_grant(0.5)), D(2016, 12, 31))
    (problem,) = result.problems
    assert (problem.household_id, problem.kind, problem.plugin) == ("H1", "plugin_failed", "intervention.voucher")
    assert problem.error == "TypeError"
    assert "amount 0.5 is a float" in problem.message


def test_a_grant_that_names_another_intervention_fails_naming_both() -> None:
    # It was recorded under the name it gave, one the policy does not have, and summed so.
    misnamed = _policy(grant=lambda risk, ctx: ctx.grant(intervention="seedvoucher", risk=risk, amount=Decimal(1)))
    with pytest.raises(PluginFailed) as failed:
        _run(misnamed)
    assert str(failed.value.error) == (
        "grant() returned a grant of intervention 'seedvoucher'; it is routed as 'voucher' "
        "(ctx.grant(intervention=self.name, ...))"
    )
    (finding,) = _component_fails(misnamed)
    assert finding.startswith("intervention voucher: gave back what the engine refuses, first on 2015-01-01: ")


@attrs.frozen(kw_only=True)
class ReadsLate:
    """Reads a parameter whose first value comes after the facts."""

    name: str = "hail"
    risk_kinds: tuple[str, ...] = ("hail",)
    fact_kinds: tuple[type[Fact], ...] = (DisasterReported,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        ctx.amount("triggers.hail.share")
        return None


def test_a_library_error_policy_code_lets_out_says_where() -> None:
    # "parameter ... has no value on 2016-05-01" named no household, trigger or fact, and a
    # screen filed it as facts the engine refused.
    policy = load_policy("yubei_2016").derive(
        name="late", triggers=[ReadsLate()], new_parameters={"triggers.hail.share": {D(2018, 1, 1): Decimal("0.5")}}
    )
    with pytest.raises(ParameterNotInForce) as caught:
        _run(policy)
    error = caught.value
    assert error.policy_code == ("H1", "trigger.hail", "d1")
    assert said(error) == (
        "parameter 'triggers.hail.share' has no value on 2016-05-01: its first value takes effect on 2018-01-01 "
        "(raised in trigger.hail for household 'H1' on fact 'd1')"
    )
    back = pickle.loads(pickle.dumps(error))
    assert (back.policy_code, said(back)) == (error.policy_code, said(error))
    (problem,) = screen_records([(HOUSEHOLD, FACTS, ())], policy, D(2016, 12, 31)).problems
    assert (problem.kind, problem.error, problem.plugin, problem.fact_id) == (
        "plugin_failed",
        "ParameterNotInForce",
        "trigger.hail",
        "d1",
    )
    assert problem.message == said(error)


@settings(max_examples=30, deadline=None)
@given(divisor=st.integers(2, 97), places=st.integers(0, 2))
def test_check_finds_an_amount_not_to_the_fen_and_not_one_that_is(divisor: int, places: int) -> None:
    # risk.cost / 3 passed check and screen: the totals summed 28-digit amounts.
    def unrounded(risk: Risk, ctx: Context) -> Any:
        return ctx.grant(intervention="voucher", risk=risk, amount=Decimal(1000) / divisor, responsible="town")

    def rounded(risk: Risk, ctx: Context) -> Any:
        amount = round(Decimal(1000) / divisor, places)
        return ctx.grant(intervention="voucher", risk=risk, amount=amount, responsible="town")

    exact = (Decimal(1000) / divisor).quantize(Decimal("0.01")) == Decimal(1000) / divisor
    findings = [f for f in check_policy(_policy(grant=unrounded)) if f.check == "amount_not_to_the_fen"]
    if exact:
        assert findings == []
    else:
        (finding,) = findings
        assert finding.subject == "intervention voucher"
        assert "not a whole number of fen" in finding.message
        assert "to_money" in finding.message
    assert [f for f in check_policy(_policy(grant=rounded)) if f.check == "amount_not_to_the_fen"] == []


#: What a rule's or a route condition's test may wrongly give back instead of a Verdict.
NOT_VERDICTS = [True, False, None, (True, "income under 5000"), "holds"]


def _says(answer: object) -> Any:
    """A rule's or condition's test that gives ``answer`` (typed Any: it is meant to be wrong)."""
    return lambda *args: answer


@pytest.mark.parametrize("answer", NOT_VERDICTS, ids=repr)
def test_a_rule_that_gives_anything_but_a_verdict_fails_naming_itself(answer: object) -> None:
    # It failed every household with "'bool' object has no attribute 'holds'", which a screen
    # filed as an error of no plug-in, and check found nothing.
    yubei = load_policy("yubei_2016")
    policy = yubei.derive(name="edge", identification=[*yubei.identification, Rule("edge", "says", _says(answer))])
    facts = [IncomeAssessed(id="i1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(4000))]
    with pytest.raises(PluginFailed) as failed:
        Engine(policy).run(HOUSEHOLD, facts, as_of=D(2016, 12, 31))
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == ("H1", "identification.edge", "i1")
    assert str(error) == (
        "household 'H1': identification.edge gave what the engine cannot use on fact 'i1': its test returned "
        f"{typed_repr(answer)}; expected a Verdict: return Verdict(holds, reason), "
        "e.g. Verdict(income < line, 'income under the line')"
    )
    (finding,) = _component_fails(policy)
    assert finding.startswith("identification rule edge: gave back what the engine refuses, first on 2015-01-01: ")
    (problem,) = screen_records([(HOUSEHOLD, facts, ())], policy, D(2016, 12, 31)).problems
    assert (problem.kind, problem.error, problem.plugin, problem.fact_id) == (
        "plugin_failed",
        "TypeError",
        "identification.edge",
        "i1",
    )


def test_an_exit_rule_that_gives_a_bool_fails_naming_itself() -> None:
    policy = load_policy("yubei_2016").derive(name="mine", exit_rule=Rule("out", "income up", _says(True)))
    facts = [
        IncomeAssessed(id="i1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(1000)),
        AssistanceGranted(id="a1", household_id="H1", date=D(2016, 4, 1), measure="loan"),
        ExitVerified(id="x1", household_id="H1", date=D(2016, 6, 1)),
    ]
    with pytest.raises(PluginFailed) as failed:
        Engine(policy).run(HOUSEHOLD, facts, as_of=D(2016, 12, 31))
    assert (failed.value.plugin, failed.value.fact_id) == ("exit.out", "x1")
    assert "exit rule out" in [f.subject for f in check_policy(policy) if f.check == "component_fails"]


def test_a_route_condition_that_gives_a_tuple_fails_naming_itself() -> None:
    says = Condition("says", "a tuple", _says((True, "hail")))
    policy = _policy().derive(name="mine", routes={"hail": [step("voucher", when=says)]})
    with pytest.raises(PluginFailed) as failed:
        _run(policy)
    error = failed.value
    assert (error.household_id, error.plugin, error.fact_id) == ("H1", "condition.says", "d1")
    assert "its test returned (True, 'hail') (tuple); expected a Verdict" in str(error)
    (finding,) = _component_fails(policy)
    assert finding.startswith("condition says: gave back what the engine refuses, first on 2015-01-01: ")


def test_a_verdict_of_a_subclass_is_an_answer() -> None:
    class Mine(Verdict):
        __slots__ = ()

    yubei = load_policy("yubei_2016")
    rule = Rule("edge", "says", lambda ctx: Mine(True, "mine"))
    policy = yubei.derive(name="edge", identification=[rule])
    assert Engine(policy).run(HOUSEHOLD, FACTS, as_of=D(2016, 12, 31)).state.value != "new"
    assert _component_fails(policy) == []


def test_a_rule_or_condition_whose_test_is_not_a_function_is_refused_when_made() -> None:
    not_a_test: Any = "income < 3000"
    with pytest.raises(WrongType) as rule:
        Rule("r", "d", not_a_test)
    assert str(rule.value) == (
        "rule 'r': test 'income < 3000' (str) is not a function; expected a function of the context returning a "
        "Verdict, e.g. Rule(name, description, lambda ctx: Verdict(holds, reason))"
    )
    with pytest.raises(WrongType, match=r"^condition 'c': test 'income < 3000' \(str\) is not a function; "):
        Condition("c", "d", not_a_test)


def test_one_rule_given_for_the_identification_rules_says_to_give_a_list() -> None:
    # It raised "TypeError: 'Rule' object is not iterable".
    yubei = load_policy("yubei_2016")
    one: Any = Rule("edge", "says", plain_test)
    with pytest.raises(WrongType) as refused:
        yubei.derive(name="mine", identification=one)
    assert str(refused.value) == (
        "identification is one Rule ('edge'); expected a list of rules: identification=[rule], "
        "or [*policy.identification, rule] to add it to a policy's"
    )
    assert isinstance(refused.value, TypeError)
    with pytest.raises(WrongType, match=r"^identification is one Rule \('edge'\)"):
        Policy(name="mine", parameters=yubei.parameters, identification=one)
