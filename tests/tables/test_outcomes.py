"""Running cases: what passes, and each failure as a diff of the fields, expected against got."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.decisions import Grant, Period
from relapse_guard.engine import Engine
from relapse_guard.errors import InvalidTransition, ParameterNotInForce, in_policy_code
from relapse_guard.result import HouseholdResult
from relapse_guard.testing.tables import (
    CaseOutcome,
    Difference,
    Expectations,
    ExpectedGrant,
    run_case,
    summary_line,
)

from .helpers import SAFETY_NET_2016, cases, with_expect


def _outcome(text: str) -> CaseOutcome:
    case_file = cases(text)
    (outcome,) = case_file.run()
    return outcome


def _differences(expect: str, **changes: str) -> list[tuple[str, str, str]]:
    outcome = _outcome(with_expect(expect, **changes))
    assert not outcome.passed
    return [(d.field, d.expected, d.got) for d in outcome.differences]


def test_a_case_that_holds_passes() -> None:
    outcome = _outcome(SAFETY_NET_2016)
    assert outcome.passed
    assert (outcome.differences, outcome.error) == ((), None)
    assert outcome.result is not None
    assert outcome.result.as_of == dt.date(2016, 12, 31)
    assert outcome.report() == "case #1 'a low-income household of two in 2016' (cases.toml) passed"


def test_the_state_differs() -> None:
    assert _differences('state = "exited"') == [("state", "exited", "assisted")]


def test_an_amount_within_its_tolerance_passes_and_outside_it_differs() -> None:
    within = 'grants = [{ intervention = "safety_net", amount = 266.67, tolerance_fen = 1 }]'
    assert _outcome(with_expect(within + "\npartial = true")).passed
    outside = 'grants = [{ intervention = "safety_net", amount = 266.68, tolerance_fen = 1 }]\npartial = true'
    assert _differences(outside) == [("grants[0].amount (safety_net)", "266.68 ± 0.01", "266.66")]


def test_grants_match_in_any_order_and_each_field_that_differs_is_shown() -> None:
    expect = """grants = [
        { intervention = "safety_net", amount = 266.66, period = "yearly", date = 2016-06-02 },
        { intervention = "micro_insurance", amount = 100 },
        { intervention = "industry_funds_low_income" },
    ]"""
    assert _differences(expect) == [
        ("grants[0].period (safety_net)", "yearly", "monthly"),
        ("grants[0].date (safety_net)", "2016-06-02", "2016-06-01"),
    ]


def test_a_grant_missing_and_a_grant_unexpected() -> None:
    expect = """grants = [
        { intervention = "industry_funds_low_income", amount = 4000 },
        { intervention = "micro_insurance", amount = 100 },
        { intervention = "housing_renovation", amount = 18000 },
    ]"""
    assert _differences(expect) == [
        ("grants[2]", "housing_renovation 18000", "no housing_renovation grant"),
        ("grants (unexpected)", "no other grant", "safety_net 266.66 monthly on 2016-06-01"),
    ]


def test_a_second_grant_of_an_intervention_that_is_not_there() -> None:
    expect = """grants = [
        { intervention = "micro_insurance", amount = 100 },
        { intervention = "micro_insurance", amount = 100, date = 2017-01-01 },
    ]
    partial = true"""
    assert _differences(expect) == [
        ("grants[1]", "micro_insurance 100 on 2017-01-01", "no other micro_insurance grant")
    ]


def test_no_grants_expected() -> None:
    differences = _differences("grants = []")
    assert [field for field, _, _ in differences] == ["grants (unexpected)"] * 3


def test_partial_lets_other_grants_risks_and_reviews_be() -> None:
    expect = """grants = [{ intervention = "safety_net" }]
    risks = []
    reviews_completed = []
    partial = true"""
    assert _outcome(with_expect(expect)).passed


def test_a_service_has_no_amount() -> None:
    text = """
    policy = "bishan_2016"
    [[case]]
    name = "paired"
    as_of = 2016-12-31
    facts = [{ kind = "income_assessed", date = 2016-03-01, income_per_capita = 4000 }]
    expect = { partial = true, grants = [{ intervention = "paired_helper", amount = 100 }] }
    """
    (difference,) = _outcome(text).differences
    assert difference == Difference("grants[0].amount (paired_helper)", "100", "none (a service)")


def test_risks_differ_by_kind_or_date() -> None:
    expect = 'risks = [{ kind = "illness" }, { kind = "income_drop", date = 2016-06-02 }]'
    assert _differences(expect) == [
        ("risks[0]", "illness", "no illness risk"),
        ("risks[1].date (income_drop)", "2016-06-02", "2016-06-01"),
    ]


def test_reviews_completed_differ() -> None:
    done = '{ kind = "review_completed", date = 2016-12-05, review = "income_account" }'
    facts = f'[{{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }}, {done}]'
    assert _outcome(with_expect('reviews_completed = ["income_account"]', facts=facts)).passed
    assert _differences("reviews_completed = { income_account = 2016-12-06 }", facts=facts) == [
        ("reviews_completed.income_account", "completed, last on 2016-12-06", "last completed on 2016-12-05")
    ]
    assert _differences('reviews_completed = ["joint_review"]', facts=facts) == [
        ("reviews_completed.joint_review", "completed", "not completed"),
        ("reviews_completed (unexpected)", "no other review", "income_account on 2016-12-05"),
    ]


def test_facts_the_engine_refuses_fail_the_case_with_the_error() -> None:
    outcome = _outcome(with_expect('state = "exited"', facts='[{ kind = "exit_verified", date = 2016-06-01 }]'))
    assert not outcome.passed
    assert outcome.result is None
    assert isinstance(outcome.error, InvalidTransition)
    report = outcome.report(explain=True)
    assert report.splitlines()[1].startswith("  the engine raised InvalidTransition: household 'YB-2': event 'exit'")


def test_the_report_shows_expected_against_got_and_the_timeline() -> None:
    outcome = _outcome(with_expect('state = "exited"\nrisks = []'))
    lines = outcome.report().splitlines()
    assert lines == [
        "case #1 'a low-income household of two in 2016' (cases.toml) failed:",
        "  state:",
        "    expected: exited",
        "    got:      assisted",
        "  risks (unexpected):",
        "    expected: no other risk",
        "    got:      income_drop on 2016-06-01 (key income_drop:YB-2:below:assisted:2016)",
    ]
    explained = outcome.report(explain=True).splitlines()
    assert explained[: len(lines)] == lines
    assert explained[len(lines)] == "  timeline:"
    assert explained[len(lines) + 1] == "    household YB-2 under yubei_2016@2016.1:"
    assert explained[-1] == "      => assisted since 2016-06-01"


def test_run_case_with_an_engine_of_another_policy() -> None:
    (case,) = cases(SAFETY_NET_2016).cases
    from relapse_guard.policies import load_policy

    outcome = run_case(case, Engine(load_policy("chongqing_2016")))
    assert [d.field for d in outcome.differences] == ["grants[0]", "grants[1]"]  # no Yubei supports


def test_the_summary_line_counts_cases() -> None:
    assert summary_line(3, 1) == "3 cases passed, 1 failed"
    assert summary_line(1, 1) == "1 case passed, 1 failed"
    assert summary_line(0, 1) == "0 cases passed, 1 failed"
    assert summary_line(2, 0) == "2 cases passed"
    assert summary_line(1, 0) == "1 case passed"


_amounts = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@given(amount=_amounts, got=_amounts, tolerance=st.integers(min_value=0, max_value=500))
def test_an_amount_matches_exactly_when_within_its_tolerance(amount: Decimal, got: Decimal, tolerance: int) -> None:
    grant = Grant(
        intervention="safety_net",
        household_id="H1",
        date=dt.date(2016, 6, 1),
        risk_key="k",
        amount=got,
        period=Period.MONTHLY,
    )
    expected = ExpectedGrant(intervention="safety_net", amount=amount, tolerance_fen=tolerance)
    within = abs(got - amount) * 100 <= tolerance
    assert (expected.differences(grant) == ()) == within


#: Two safety-net top-ups: 266.66 from June, 433.34 from September (a lower income).
TWO_TOP_UPS = (
    '[{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }, '
    '{ kind = "income_assessed", date = 2016-09-01, income_per_capita = 1000 }]'
)


def test_an_expectation_any_item_fits_leaves_the_one_a_narrower_expectation_needs() -> None:
    wide_first = """grants = [{ intervention = "safety_net" }, { intervention = "safety_net", amount = 266.66 }]
    partial = true"""
    narrow_first = """grants = [{ intervention = "safety_net", amount = 266.66 }, { intervention = "safety_net" }]
    partial = true"""
    assert _outcome(with_expect(narrow_first, facts=TWO_TOP_UPS)).passed
    assert _outcome(with_expect(wide_first, facts=TWO_TOP_UPS)).passed
    none_fits = """grants = [{ intervention = "safety_net" }, { intervention = "safety_net", amount = 240 }]
    partial = true"""
    assert _differences(none_fits, facts=TWO_TOP_UPS) == [("grants[1].amount (safety_net)", "240", "433.34")]


#: Grants of two interventions at two amounts.
_GRANTS = st.lists(
    st.builds(
        Grant,
        intervention=st.sampled_from(["safety_net", "medical_aid"]),
        household_id=st.just("H1"),
        date=st.just(dt.date(2016, 6, 1)),
        risk_key=st.just("k"),
        amount=st.sampled_from([Decimal(240), Decimal(450)]),
        period=st.just(Period.MONTHLY),
    ),
    max_size=5,
)


@st.composite
def _expected(draw: st.DrawFn, grants: list[Grant]) -> list[ExpectedGrant]:
    """Expectations of some of ``grants`` (an amount given or not: one without fits every grant of
    its intervention, and may take the one another needs), and of others."""
    chosen = draw(st.lists(st.sampled_from(grants), max_size=len(grants))) if grants else []
    of_them = [ExpectedGrant(intervention=g.intervention, amount=draw(st.none() | st.just(g.amount))) for g in chosen]
    others = draw(
        st.lists(
            st.builds(
                ExpectedGrant,
                intervention=st.sampled_from(["safety_net", "medical_aid"]),
                amount=st.none() | st.sampled_from([Decimal(240), Decimal(450)]),
            ),
            max_size=2,
        )
    )
    return [*of_them, *others]


@functools.cache
def _safety_net_result() -> HouseholdResult:
    result = _outcome(SAFETY_NET_2016).result
    assert result is not None
    return result


@settings(max_examples=300)
@given(grants=_GRANTS, partial=st.booleans(), data=st.data())
def test_shuffling_the_expectations_never_changes_the_verdict(
    grants: list[Grant], partial: bool, data: st.DataObject
) -> None:
    expected = data.draw(_expected(grants))
    got = attrs.evolve(_safety_net_result(), grants=tuple(grants))
    shuffled = data.draw(st.permutations(expected))
    verdict = Expectations(grants=tuple(expected), partial=partial).differences(got) == ()
    assert (Expectations(grants=tuple(shuffled), partial=partial).differences(got) == ()) is verdict


def test_the_report_gives_where_policy_code_raised() -> None:
    outcome = _outcome(SAFETY_NET_2016)
    error = in_policy_code(
        ParameterNotInForce("illness.threshold", dt.date(2016, 6, 1), dt.date(2017, 1, 1)),
        "YB-2",
        "trigger.illness",
        "ill-7",
    )
    failed = attrs.evolve(outcome, result=None, error=error)
    line = failed.report().splitlines()[1]
    assert line.startswith("  the engine raised ParameterNotInForce: ")
    assert line.endswith(" (raised in trigger.illness for household 'YB-2' on fact 'ill-7')")
