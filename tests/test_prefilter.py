"""The engine's prefilter: skipping income assessments under the income band changes nothing.

The band is what the rules' and triggers' ``quiet_from`` promise; these tests check that the
shipped ones keep their promise (prefiltered run == every fact evaluated, on random
histories and on a generated population, under every shipped policy), that the band is
computed again when what it depends on changes, and that a ``quiet_from`` promising too
much is caught by the kit's invariant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, HouseAppraised, Household, IncomeAssessed, Policy, State, load_policy
from relapse_guard.context import Context
from relapse_guard.engine.prefilter import income_band, income_watchers
from relapse_guard.facts import Fact, HousingGrade
from relapse_guard.population import synthetic_households
from relapse_guard.rules import INCOME_BELOW_LINE, Rule, Verdict
from relapse_guard.testing import histories, households
from relapse_guard.testing import invariants as inv

from .kit.helpers import household

D = dt.date
POLICIES = ["chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"]


def _both(policy: Policy, home: Household, facts: Sequence[Fact], as_of: dt.date) -> tuple[object, object]:
    fast = Engine(policy).run(home, facts, as_of=as_of)
    full = Engine(policy, prefilter=False).run(home, facts, as_of=as_of)
    return fast, full


@pytest.mark.parametrize("name", POLICIES)
@given(data=st.data())
def test_prefiltered_run_equals_every_fact_evaluated(name: str, data: st.DataObject) -> None:
    policy = load_policy(name)
    home = data.draw(households(household_id="HH-1", born_by=D(2014, 12, 31)))
    start = D(2015, 1, 1)
    facts = data.draw(histories(home, start, D(2019, 12, 31), policy=policy))
    as_of = D(2020, 1, 1)
    try:
        fast = Engine(policy).run(home, facts, as_of=as_of)
    except Exception as error:  # the same facts must fail the same way without the prefilter
        with pytest.raises(type(error)):
            Engine(policy, prefilter=False).run(home, facts, as_of=as_of)
        return
    assert fast == Engine(policy, prefilter=False).run(home, facts, as_of=as_of)


@pytest.mark.parametrize("name", POLICIES)
def test_prefiltered_screen_of_a_generated_county_equals_every_fact_evaluated(name: str) -> None:
    policy = load_policy(name)
    fast, full = Engine(policy), Engine(policy, prefilter=False)
    for home, facts in synthetic_households(300, seed=11):
        assert fast.run(home, facts, as_of=D(2016, 12, 31)) == full.run(home, facts, as_of=D(2016, 12, 31))


def _incomes(hid: str, values: list[tuple[dt.date, int]]) -> list[IncomeAssessed]:
    return [
        IncomeAssessed(id=f"{hid}-i{n}", household_id=hid, date=on, income_per_capita=Decimal(v))
        for n, (on, v) in enumerate(values)
    ]


def test_band_follows_a_parameter_change_within_the_year() -> None:
    """A line raised on 1 July identifies a household whose income is between the two lines."""
    policy = load_policy("yubei_2016").derive(
        name="raised_mid_year", parameters={"poverty_line": {D(2016, 7, 1): 4000}}
    )
    home = household("HH-2")
    facts = _incomes("HH-2", [(D(2016, m, 10), 3800) for m in range(1, 13)])
    fast, full = _both(policy, home, facts, D(2016, 12, 31))
    assert fast == full
    assert fast.state_since == D(2016, 7, 10)  # type: ignore[attr-defined]


def test_band_is_computed_again_after_other_facts() -> None:
    """A house graded D breaks a need: the relapse rule then holds whatever the income."""
    policy = load_policy("yubei_2016")
    home = household("HH-3")
    facts = [
        *_incomes("HH-3", [(D(2015, 1, 10), 2000)]),
    ]
    base = Engine(policy).run(home, facts)
    assert base.state is State.ASSISTED or base.state is State.IDENTIFIED
    appraised = HouseAppraised(id="HH-3-h", household_id="HH-3", date=D(2016, 3, 1), grade=HousingGrade.D)
    later = _incomes("HH-3", [(D(2016, m, 10), 9000) for m in range(1, 13)])
    fast, full = _both(policy, home, [*facts, *later[1:], appraised], D(2016, 12, 31))
    assert fast == full


def test_watchers_need_every_rule_and_trigger_to_declare_quiet_from() -> None:
    silent = attrs.evolve(INCOME_BELOW_LINE, quiet_from=None)
    policy = load_policy("yubei_2016").derive(name="silent", identification=[silent])
    engine = Engine(policy)
    watchers = income_watchers(policy, engine._triggers_by_kind[IncomeAssessed])
    assert watchers[State.NEW] is None  # identification has a rule with no band: evaluate every fact
    assert watchers[State.MONITORED] is not None
    assert watchers[State.ASSISTED] is not None  # only the income-drop trigger there
    home = household("HH-4")
    facts = _incomes("HH-4", [(D(2016, m, 10), 9000 if m < 6 else 3000) for m in range(1, 13)])
    fast, full = _both(policy, home, facts, D(2016, 12, 31))
    assert fast == full


def test_band_of_a_new_household_is_the_edge_threshold_then_the_line() -> None:
    policy = load_policy("yubei_2016")
    engine = Engine(policy)
    watchers = income_watchers(policy, engine._triggers_by_kind[IncomeAssessed])
    from relapse_guard.engine.run_state import RunState

    run = RunState(household("HH-5"))
    ctx = engine._context(run, D(2016, 5, 1))
    band, until = income_band(watchers[State.NEW], ctx, policy.parameters, {})
    line = policy.parameters.value("poverty_line", D(2016, 5, 1))
    ratio = policy.parameters.value("monitoring.threshold_ratio", D(2016, 5, 1))
    assert band == ratio * line  # type: ignore[operator]
    assert until <= D(2017, 1, 1).toordinal()
    run.risk_keys.add("income_drop:HH-5:edge:new:2016")
    assert income_band(watchers[State.NEW], ctx, policy.parameters, {})[0] == line


def _lax_rule() -> Rule:
    """BUG: promises quiet from half the line, but holds below the line."""
    return attrs.evolve(INCOME_BELOW_LINE, name="lax", quiet_from=lambda ctx: ctx.poverty_line / 2)


def test_a_quiet_from_that_promises_too_much_is_caught() -> None:
    # without the income-drop trigger, whose own band (the edge threshold) would hide the fault
    policy = load_policy("yubei_2016").derive(name="lax", identification=[_lax_rule()], remove_triggers=["income_drop"])
    home = household("HH-6")
    facts = _incomes("HH-6", [(D(2016, 1, 10), 9000), (D(2016, 2, 10), 3000)])
    result = Engine(policy).run(home, facts, as_of=D(2016, 12, 31))
    assert result.state is State.NEW  # the prefilter trusted the promise
    found = inv.prefilter_changes_nothing(policy, home, facts, result)
    assert len(found) == 1
    assert "quiet_from" in str(found[0])
    assert "identification.lax" in str(found[0])


# --- the band of a new household with nothing else known, shared by an engine's runs ----------


@pytest.mark.parametrize("name", POLICIES)
@given(data=st.data())
def test_runs_sharing_one_engine_equal_every_fact_evaluated(name: str, data: st.DataObject) -> None:
    """One engine runs several households in turn (sharing the bands of new households it has
    worked out); each result is the one of a fresh engine evaluating every fact."""
    policy = load_policy(name)
    shared = Engine(policy)
    assert shared._new_band_shared
    for n in range(data.draw(st.integers(2, 4), label="households")):
        home = data.draw(households(household_id=f"HH-{n}", born_by=D(2014, 12, 31)))
        facts = data.draw(histories(home, D(2015, 1, 1), D(2018, 12, 31), policy=policy))
        try:
            result = shared.run(home, facts, as_of=D(2019, 1, 1))
        except Exception as error:
            with pytest.raises(type(error)):
                Engine(policy, prefilter=False).run(home, facts, as_of=D(2019, 1, 1))
            continue
        assert result == Engine(policy, prefilter=False).run(home, facts, as_of=D(2019, 1, 1))


def _per_member_rule() -> Rule:
    """Identifies a household whose income falls under the line plus 2,000 a member beyond the
    first: a band that depends on the household, so it declares no vectorised form."""

    def holds(ctx: Context) -> Verdict:
        edge = ctx.poverty_line + 2000 * (ctx.size - 1)
        income = ctx.income_per_capita
        return Verdict(income is not None and income < edge, f"under {edge}")

    def band(ctx: Context) -> Decimal:
        return ctx.poverty_line + 2000 * (ctx.size - 1)

    return Rule("per_member", "under the line plus 2,000 a member", holds, quiet_from=band)


def test_a_band_that_depends_on_the_household_is_not_shared() -> None:
    """A part without a vectorised form may answer per household: the engine asks it for each one.

    A household of one at 100 over the edge threshold (1.5 x the line) is quiet (its band is
    that threshold); a household of four at the same income is under its band (the line +
    6,000), run next on the same engine.
    """
    policy = load_policy("yubei_2016").derive(name="per_member", identification=[_per_member_rule()])
    engine = Engine(policy)
    assert not engine._new_band_shared
    on = D(2016, 1, 10)
    edge = policy.parameters.value("monitoring.threshold_ratio", on) * policy.parameters.value("poverty_line", on)  # type: ignore[operator]
    income = int(edge) + 100
    results = []
    for home in (household("HH-7", size=1), household("HH-8", size=4)):
        facts = _incomes(home.id, [(D(2016, m, 10), income) for m in range(1, 4)])
        results.append(engine.run(home, facts, as_of=D(2016, 12, 31)))
        assert results[-1] == Engine(policy, prefilter=False).run(home, facts, as_of=D(2016, 12, 31))
    assert [result.state is State.NEW for result in results] == [True, False]


def test_unshared_lookups_share_no_band() -> None:
    """A what-if's watched runs ask the parameters themselves: no band is shared between them."""
    engine = Engine(load_policy("yubei_2016"))
    engine.run(household("HH-9"), _incomes("HH-9", [(D(2016, 1, 10), 9000)]))
    assert engine._parameters.new_bands
    engine.unshare_lookups(["poverty_line"])
    assert engine._parameters.new_bands is None
    assert engine.run(household("HH-9"), _incomes("HH-9", [(D(2016, 1, 10), 9000)])).state is State.NEW
