"""What-if: Yubei 2016 against the same rules with the safety-net standard left at 230."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import attrs
import pytest

from relapse_guard import ExitVerified, Fact, Household, IllnessReported, IncomeAssessed, Place, State, load_policy
from relapse_guard import message_keys as keys
from relapse_guard.decisions import Decision, DecisionKind
from relapse_guard.entitlements import Money
from relapse_guard.errors import InvalidArgument
from relapse_guard.facts import HouseholdMoved
from relapse_guard.messages import Message
from relapse_guard.whatif import Comparison, compare
from relapse_guard.whatif.run import _said

from .helpers import exited_in_2015, household

D = dt.date
YUBEI = load_policy("yubei_2016")
FROZEN = YUBEI.derive(name="yubei_2016_standard_230", parameters={"safety_net.standard": {D(2016, 1, 1): 230}})


def population() -> list[tuple[Household, list[Fact]]]:
    ill = IllnessReported(
        id="YB-1-ill", household_id="YB-1", date=D(2016, 4, 3), member_id="YB-1-0", self_paid_cost=Decimal(18000)
    )
    return [
        (household("YB-1"), [*exited_in_2015("YB-1"), ill]),  # a gap after the illness: safety net
        (household("YB-2"), exited_in_2015("YB-2", income_after=9000)),  # no gap
        (
            household("YB-3"),
            [IncomeAssessed(id="YB-3-i", household_id="YB-3", date=D(2016, 3, 1), income_per_capita=Decimal(1800))],
        ),
        (household("YB-4"), [ExitVerified(id="YB-4-e", household_id="YB-4", date=D(2016, 3, 1))]),  # refused by both
    ]


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(YUBEI, FROZEN, population(), as_of=D(2016, 12, 31))


@pytest.fixture(scope="module")
def kept() -> Comparison:
    """Every household kept, those that do not differ too."""
    return compare(YUBEI, FROZEN, population(), as_of=D(2016, 12, 31), keep_all=True)


def test_households_with_a_gap_get_less_safety_net_money(comparison: Comparison) -> None:
    assert [h.household_id for h in comparison.differences] == ["YB-1", "YB-3"]
    ill = comparison.household("YB-1")
    # the household bears 18000 - 0.6 x 18000 = 7200 of the bill, 2400 a person: 4000 - 2400 =
    # 1600 a year left, 133.33 a month: (300 - 133.33) x 3 = 500.01 against (230 - 133.33) x 3
    # = 290.01, 210.00 a month less, over the 8 months it was owed in 2016
    assert ill.money_delta == {"safety_net": Money(Decimal(0), Decimal("-210.00"), Decimal("-1680.00"))}
    a, b = ill.a.money["safety_net"], ill.b.money["safety_net"]
    assert (a.monthly_in_force, b.monthly_in_force) == (Decimal("500.01"), Decimal("290.01"))
    assert not ill.state_differs
    assert ill.a.state is State.MONITORED
    assert comparison.household("YB-3").money_delta["safety_net"].monthly_in_force == Decimal("-210.00")


def test_households_without_a_gap_do_not_differ(kept: Comparison) -> None:
    assert not kept.household("YB-2").differs
    assert kept.household("YB-2").render() == ""


def test_only_the_differing_households_are_kept_unless_asked(comparison: Comparison, kept: Comparison) -> None:
    # the differing households, and YB-4, refused alike by both policies: kept to be named
    assert [h.household_id for h in comparison.households] == ["YB-1", "YB-3", "YB-4"]
    assert [h.household_id for h in comparison.differences] == ["YB-1", "YB-3"]
    assert [h.household_id for h in kept.households] == ["YB-1", "YB-2", "YB-3", "YB-4"]
    assert comparison.differences == kept.differences
    assert comparison.totals == kept.totals
    assert comparison.by_district() == kept.by_district()
    assert comparison.render() == kept.render()
    # what is kept is what is reported: no household's result
    assert all(h.a.result is None and h.b.result is None for h in comparison.households)
    assert all(h.a.result is not None for h in kept.households if h.a.error is None)
    with pytest.raises(KeyError, match="'YB-2' is not among the differing households"):
        comparison.household("YB-2")


def test_keep_all_runs_on_the_scalar_engine_only() -> None:
    with pytest.raises(InvalidArgument, match="engine='scalar', not 'columnar'"):
        compare(YUBEI, FROZEN, [], as_of=D(2016, 12, 31), keep_all=True, engine="columnar")


def test_totals(comparison: Comparison) -> None:
    totals = comparison.totals
    assert (totals.households, totals.differing, totals.errors_a, totals.errors_b) == (4, 2, 1, 1)
    assert totals.money_delta == {"safety_net": Money(Decimal(0), Decimal("-420.00"), Decimal("-3570.00"))}
    assert totals.states_a == totals.states_b == {"assisted": 1, "monitored": 2, "refused": 1}


def test_by_district_sums_each_district_apart() -> None:
    ill, no_gap = population()[:2]
    elsewhere = attrs.evolve(no_gap[0], place=Place("Dazu", "Longshui", "Yuanfeng"))
    result = compare(YUBEI, FROZEN, [ill, (elsewhere, no_gap[1])], as_of=D(2016, 12, 31))
    assert [h.district for h in result.households] == ["Yubei"]  # Dazu's household does not differ: counted only
    everyone = compare(YUBEI, FROZEN, [ill, (elsewhere, no_gap[1])], as_of=D(2016, 12, 31), keep_all=True)
    assert [h.district for h in everyone.households] == ["Yubei", "Dazu"]
    assert everyone.by_district() == result.by_district()
    districts = result.by_district()
    assert list(districts) == ["Dazu", "Yubei"]
    assert (districts["Dazu"].households, districts["Dazu"].differing, districts["Dazu"].money_delta) == (1, 0, {})
    yubei = districts["Yubei"]
    assert (yubei.households, yubei.differing) == (1, 1)
    assert yubei.money_delta == {"safety_net": Money(Decimal(0), Decimal("-210.00"), Decimal("-1680.00"))}
    assert yubei.money_a == result.household("YB-1").a.money


def test_a_refused_household_is_reported_not_raised(kept: Comparison) -> None:
    refused = kept.household("YB-4")
    assert refused.a.state is None
    assert refused.a.error is not None
    assert refused.a.error.startswith("InvalidTransition: household 'YB-4'")


def test_render_explains_the_first_difference(comparison: Comparison) -> None:
    text = comparison.render()
    assert text.splitlines()[:2] == [
        "what-if as of 2016-12-31: a = yubei_2016@2016.1, b = yubei_2016_standard_230@1",
        "4 households, 2 differ",
    ]
    assert (
        "household YB-1: monitored -> monitored\n  safety_net (monthly): monthly in force 500.01 -> 290.01 yuan a month"
        " (-210.00); paid to date "
    ) in text
    assert "safety_net.standard = 230 (from 2016-01-01)" in text
    assert "  safety_net (monthly): monthly in force 950.01 -> 530.01 yuan a month (-420.00); paid to date" in text


def test_state_and_interventions_can_differ() -> None:
    # A higher line from 2016: the household's 4000 yuan is under it when its illness is
    # reported, so it relapses, and the illness's grants assist it again.
    strict = YUBEI.derive(name="strict", parameters={"poverty_line": {D(2016, 1, 1): 5000}})
    result = compare(YUBEI, strict, population()[:1], as_of=D(2016, 12, 31))
    ill = result.household("YB-1")
    assert (ill.a.state, ill.b.state) == (State.MONITORED, State.ASSISTED)
    assert ill.state_differs
    assert not ill.money_delta  # the same help, now as a relapsed household
    assert (
        "b: 2016-04-03 transition [relapse.relapse_rule] income per capita 4000 < poverty line 5000" in result.render()
    )


def test_unknown_household() -> None:
    with pytest.raises(KeyError, match="'nobody'"):
        compare(YUBEI, FROZEN, [], as_of=None).household("nobody")


def test_the_first_difference_is_not_a_policy_name() -> None:
    # A move's decision names the policy its run stays under: under two policies its texts differ
    # by that name alone, which is no difference between the runs.
    moved = HouseholdMoved(id="YB-5-m", household_id="YB-5", date=D(2016, 2, 1), district="Yubei", town="Other")
    income = IncomeAssessed(id="YB-5-i", household_id="YB-5", date=D(2016, 3, 1), income_per_capita=Decimal(1800))
    found = compare(YUBEI, FROZEN, [(household("YB-5"), [moved, income])], as_of=D(2016, 12, 31))
    first = found.household("YB-5").first_difference
    assert first is not None
    a, b = first
    assert a is not None
    assert b is not None
    assert a.rule == b.rule != "household.household_moved"
    assert a.date == D(2016, 3, 1)


def test_a_fact_id_that_spells_a_policy_name_is_not_masked() -> None:
    # Only the policy a move's message quotes is left out of the comparison: two decisions that
    # differ in a fact id are different, even when the ids spell the two policies' names.
    def decision(fact_id: str, policy: str) -> Decision:
        said = Message(keys.MOVED_SAME_POLICY, Message(keys.HOUSEHOLD_MOVED, "Yubei", "Other", fact_id), policy)
        return Decision(
            sequence=0,
            household_id="YB-5",
            date=D(2016, 2, 1),
            kind=DecisionKind.HOUSEHOLD_CHANGED,
            rule="household.household_moved",
            message=said,
            facts=(fact_id,),
        )

    a_label, b_label = YUBEI.label, FROZEN.label
    first, second = decision(a_label, a_label), decision(b_label, b_label)
    assert _said(first, a_label) != _said(second, b_label)  # the facts differ
    same_a, same_b = decision("YB-5-m", a_label), decision("YB-5-m", b_label)
    assert _said(same_a, a_label) == _said(same_b, b_label)  # only the policy quoted differs
    assert a_label not in _said(same_a, a_label)


def test_every_money_figure_is_said_to_the_fen_zero_too() -> None:
    # Money() holds Decimal(0): it was said "monthly in force 0 -> 75.00" and "0 yuan a month".
    gap_under_300 = [
        IncomeAssessed(id="YB-5-i", household_id="YB-5", date=D(2016, 3, 1), income_per_capita=Decimal(3300))
    ]
    raised = compare(FROZEN, YUBEI, [(household("YB-5"), gap_under_300)], as_of=D(2016, 12, 31))
    text = raised.render()
    assert "safety_net (monthly): monthly in force 0.00 -> 75.00 yuan a month (+75.00)" in text
    assert "monthly in force 0.00 yuan a month" in text  # a total that is the same under both
    figures = re.findall(r"(?:one-off and yearly|monthly in force|paid to date) ([^ ;]+)(?: -> ([^ ;]+))?", text)
    assert figures
    for figure in (f for pair in figures for f in pair if f):
        assert re.fullmatch(r"-?\d+\.\d\d", figure), figure
