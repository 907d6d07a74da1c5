"""Yearly occasions: ``each_year:<state>`` routed on 1 January of each year a household starts
in a state it entered before, so that yearly supports (micro insurance premiums) are renewed
for the years they cover, the transition period's above all.

The shipped policies' cases (an exit of 2015 insured 2016-2018 in Yubei and Bishan), the
clock's order on 1 January, the first year of a run, and two properties: a household's premiums
are one purchase per year it spent in a routed state, whatever its facts' dates and however its
run is cut into checkpoints; and a resumed run routes a new year exactly as a replay does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, HouseholdResult, Policy, State, load_policy
from relapse_guard.context import Context
from relapse_guard.decisions import DecisionKind, Grant, Period, Risk
from relapse_guard.engine import Checkpoint
from relapse_guard.engine.resume import sort_key
from relapse_guard.errors import RelapseGuardError
from relapse_guard.facts import BasicNeedsChecked, ExitVerified, Fact, IncomeAssessed, ReviewCompleted
from relapse_guard.interventions import MicroInsurance
from relapse_guard.monitoring import Monitor
from relapse_guard.policies.chongqing_2016 import policy as chongqing_2016
from relapse_guard.routing import each_year, entered, is_occasion, step, yearly_states
from relapse_guard.store import MemoryStore
from relapse_guard.testing import histories, households

D = dt.date
START, END, AS_OF = D(2015, 1, 1), D(2019, 12, 31), D(2020, 1, 1)
#: The lifecycle's moves the clock makes (on 1 January for a period starting 'next_year').
CLOCK_RULES = ("lifecycle.start_monitoring", "lifecycle.stabilise")


def _home(district: str, members: int = 4) -> Household:
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": district, "town": "T", "village": "V"},
            "members": [{"id": f"H1-{i}", "birth_date": "1975-01-01"} for i in range(members)],
        }
    )


def _exited_in_2015(*, yearly_incomes: bool = True) -> list[Fact]:
    """Identified January 2015 (2,000 a person), exit verified November 2015 (5,000, needs met)."""
    facts: list[Fact] = [
        IncomeAssessed(id="i1", household_id="H1", date=D(2015, 1, 10), income_per_capita=Decimal(2000)),
        IncomeAssessed(id="i2", household_id="H1", date=D(2015, 11, 1), income_per_capita=Decimal(5000)),
        BasicNeedsChecked(id="n1", household_id="H1", date=D(2015, 11, 1)),
        ExitVerified(id="e1", household_id="H1", date=D(2015, 11, 15)),
    ]
    if yearly_incomes:
        facts += [
            IncomeAssessed(id=f"a{y}", household_id="H1", date=D(y, 12, 10), income_per_capita=Decimal(6000))
            for y in (2016, 2017, 2018)
        ]
    return facts


def _premiums(result: HouseholdResult) -> dict[int, Decimal]:
    by_year: dict[int, Decimal] = {}
    for grant in result.grants:
        if grant.intervention == "micro_insurance":
            assert grant.amount is not None
            by_year[grant.date.year] = by_year.get(grant.date.year, Decimal(0)) + grant.amount
    return by_year


# --- the shipped policies ---------------------------------------------------------------


def test_yubei_renews_the_accident_premium_each_year_of_the_transition_period() -> None:
    result = Engine(load_policy("yubei_2016")).run(_home("Yubei"), _exited_in_2015(), as_of=D(2019, 12, 31))
    # 50 x 4 members = 200 a year: identification (2015), entering the period (2016), then renewed
    assert _premiums(result) == {2015: 200, 2016: 200, 2017: 200, 2018: 200}
    assert result.state is State.STABLE  # from 1 January 2019: no premium for 2019
    renewals = [g for g in result.grants if g.intervention == "micro_insurance" and g.date.year in (2017, 2018)]
    assert [g.date for g in renewals] == [D(2017, 1, 1), D(2018, 1, 1)]
    assert [g.risk_key for g in renewals] == ["each_year:monitored:2017-01-01", "each_year:monitored:2018-01-01"]


def test_bishan_insures_its_2015_exits_in_2016_and_through_the_transition_period() -> None:
    result = Engine(load_policy("bishan_2016")).run(_home("Bishan"), _exited_in_2015(), as_of=D(2019, 12, 31))
    # (50 + 50 + 140) x 4 members = 960 a year; none in 2015 (the premiums start in 2016)
    assert _premiums(result) == {2016: 960, 2017: 960, 2018: 960}


def test_a_household_entering_monitored_on_1_january_is_routed_once() -> None:
    result = Engine(load_policy("yubei_2016")).run(_home("Yubei"), _exited_in_2015(), as_of=D(2016, 12, 31))
    on_new_year = [d for d in result.decisions if d.date == D(2016, 1, 1)]
    assert not any(d.risk is not None and d.risk.kind.startswith("each_year:") for d in on_new_year)
    granted = [d for d in on_new_year if d.kind is DecisionKind.INTERVENTION_GRANTED]
    assert [d.rule for d in granted] == ["intervention.industry_funds_exited", "intervention.micro_insurance"]
    assert not any(d.kind is DecisionKind.ROUTE_SKIPPED for d in on_new_year)  # nothing declined: routed once


def test_the_new_year_is_routed_after_the_days_moves_and_before_its_facts() -> None:
    """A relapse on 1 January 2017 comes after the new year in monitored is routed."""
    facts = [
        *_exited_in_2015(yearly_incomes=False),
        IncomeAssessed(id="r", household_id="H1", date=D(2017, 1, 1), income_per_capita=Decimal(1000)),
    ]
    result = Engine(load_policy("yubei_2016")).run(_home("Yubei"), facts, as_of=D(2017, 12, 31))
    day = [d for d in result.decisions if d.date == D(2017, 1, 1)]
    kinds = [(d.kind, d.rule) for d in day]
    renewal = kinds.index((DecisionKind.INTERVENTION_GRANTED, "intervention.micro_insurance"))
    relapse = kinds.index((DecisionKind.TRANSITION, "relapse.relapse_rule"))
    assert renewal < relapse  # then the safety net assists it


def test_a_household_first_known_mid_year_has_no_new_year_before_its_first_fact() -> None:
    policy = chongqing_2016().derive(
        name="every_year_new",
        interventions=(MicroInsurance(),),
        routes={each_year(State.NEW): (step("micro_insurance"),)},
    )
    quiet = [
        IncomeAssessed(id="q1", household_id="H1", date=D(2016, 7, 1), income_per_capita=Decimal(9000)),
        IncomeAssessed(id="q2", household_id="H1", date=D(2018, 7, 1), income_per_capita=Decimal(9000)),
    ]
    result = Engine(policy).run(_home("Dazu"), quiet, as_of=D(2019, 6, 30))
    # first known in July 2016: the new years of 2017, 2018 and 2019, none before the first fact
    assert sorted(g.date for g in result.grants) == [D(2017, 1, 1), D(2018, 1, 1), D(2019, 1, 1)]
    assert Engine(policy).run(_home("Dazu"), [], as_of=D(2019, 6, 30)).grants == ()  # no fact: not known


@attrs.frozen
class _IncomeOnTheDay:
    """A test intervention granting the income per person known on the day it is asked."""

    name: str = "income_on_the_day"

    def grant(self, risk: Risk, ctx: Context) -> Grant:
        return ctx.grant(intervention=self.name, risk=risk, amount=ctx.income_per_capita, period=Period.YEARLY)


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_new_year_reads_the_household_of_1_january_though_later_facts_are_quiet(prefilter: bool) -> None:
    """The prefilter moves the clock to a new year before it records a quiet income after it."""
    policy = chongqing_2016().derive(
        name="income_each_year",
        interventions=(_IncomeOnTheDay(),),
        routes={each_year(State.NEW): (step("income_on_the_day"),)},
    )
    quiet = [
        IncomeAssessed(id="q1", household_id="H1", date=D(2016, 7, 1), income_per_capita=Decimal(9000)),
        IncomeAssessed(id="q2", household_id="H1", date=D(2017, 3, 1), income_per_capita=Decimal(9500)),
    ]
    result = Engine(policy, prefilter=prefilter).run(_home("Dazu"), quiet, as_of=D(2017, 12, 31))
    assert [(g.date, g.amount) for g in result.grants] == [(D(2017, 1, 1), Decimal(9000))]


def test_the_routing_kind_and_its_helpers() -> None:
    assert each_year(State.MONITORED) == "each_year:monitored"
    assert is_occasion("each_year:assisted")
    assert is_occasion("entered:exited")
    assert not is_occasion("illness")
    assert set(yearly_states(load_policy("yubei_2016").routes)) == {State.MONITORED}
    assert set(yearly_states(load_policy("bishan_2016").routes)) == {
        State.IDENTIFIED,
        State.ASSISTED,
        State.EXITED,
        State.MONITORED,
    }
    assert yearly_states(load_policy("dazu_2016").routes) == {}


# --- the checkpoint and the monthly cycle ------------------------------------------------


def _reviewed(facts: list[Fact], *years: int) -> list[Fact]:
    """``facts`` with Yubei's December income account done in ``years`` (so none is overdue)."""
    done = [ReviewCompleted(id=f"rv{y}", household_id="H1", date=D(y, 12, 5), review="income_account") for y in years]
    return [*facts, *done]


def test_a_new_years_grant_cites_the_move_into_the_state() -> None:
    result = Engine(load_policy("yubei_2016")).run(_home("Yubei"), _exited_in_2015(), as_of=D(2017, 12, 31))
    (renewal,) = [
        d for d in result.decisions if d.kind is DecisionKind.INTERVENTION_GRANTED and d.date == D(2017, 1, 1)
    ]
    assert renewal.facts == ("e1",)  # monitored on the exit verified (the period's start cites it too)
    assert renewal.risk is not None
    assert renewal.risk.kind == "each_year:monitored"


def test_a_checkpoint_written_before_state_facts_were_kept_reads_as_none() -> None:
    policy = load_policy("yubei_2016")
    made = Engine(policy).run_checkpointed(_home("Yubei"), _exited_in_2015(), as_of=D(2016, 12, 31)).checkpoint
    assert made.state_facts == ("e1", "i2")
    older = made.to_dict()
    del older["state_facts"]
    assert Checkpoint.from_dict(older).state_facts == ()
    assert Checkpoint.from_dict(made.to_dict()) == made


def test_a_checkpoint_falls_due_on_the_next_new_year_in_a_routed_state() -> None:
    engine = Engine(load_policy("yubei_2016"))
    home, facts = _home("Yubei"), _exited_in_2015(yearly_incomes=False)
    on = engine.run_checkpointed(home, _reviewed(facts, 2016), as_of=D(2016, 12, 31)).checkpoint
    assert on.next_event == D(2017, 1, 1)
    # stable from 1 January 2019 (the period's end is the event), nothing yearly after
    on = engine.run_checkpointed(home, _reviewed(facts, 2016, 2017, 2018), as_of=D(2018, 12, 31)).checkpoint
    assert on.next_event == D(2019, 1, 1)
    on = engine.run_checkpointed(home, _reviewed(facts, 2016, 2017, 2018), as_of=D(2019, 12, 31)).checkpoint
    assert on.state is State.STABLE
    assert on.next_event != D(2020, 1, 1)
    # a policy that routes no new year: nothing wakes the household then
    plain = chongqing_2016().derive(name="plain", reviews=())
    on = Engine(plain).run_checkpointed(home, facts, as_of=D(2016, 6, 30)).checkpoint
    assert on.next_event == D(2019, 1, 1)  # the transition period's end


@pytest.mark.parametrize("as_of", [D(2016, 12, 31), D(2017, 1, 1), D(2018, 3, 31)])
def test_a_checkpoint_resumed_across_new_years_with_no_fact_equals_a_replay(as_of: dt.date) -> None:
    engine = Engine(load_policy("yubei_2016"))
    home, facts = _home("Yubei"), _exited_in_2015(yearly_incomes=False)
    first = engine.run_checkpointed(home, facts, as_of=D(2016, 6, 30))
    kept = Checkpoint.from_bytes(first.checkpoint.to_bytes(engine.policy), engine.policy)
    resumed = engine.resume(kept, home, [], as_of=as_of)
    replayed = engine.run_checkpointed(home, facts, as_of=as_of)
    assert resumed.result.grants == replayed.result.grants
    assert resumed.checkpoint == replayed.checkpoint
    assert _premiums(resumed.result) == dict.fromkeys(range(2015, as_of.year + 1), 200)


def test_the_monthly_cycle_renews_on_1_january_with_no_new_fact() -> None:
    store = MemoryStore()
    home = _home("Yubei")
    store.put_households([home])
    monitor = Monitor(store, "yubei_2016")
    facts = _reviewed(_exited_in_2015(yearly_incomes=False), 2016)
    monitor.cycle([fact.to_dict() for fact in facts], as_of=D(2016, 12, 31))
    assert store.due_households(D(2016, 12, 31)) == []
    assert store.due_households(D(2017, 1, 1)) == ["H1"]  # the due index: the new year, no new fact
    january = monitor.cycle([], as_of=D(2017, 1, 31))
    assert january.picked == 1
    policy = load_policy("yubei_2016")
    stored = Checkpoint.from_bytes(store.checkpoints(["H1"])["H1"].body, policy)
    replay = Engine(policy, record_decisions=False).run_checkpointed(home, facts, as_of=D(2017, 1, 31))
    assert stored == replay.checkpoint
    assert [g.date for g in stored.grants if g.intervention == "micro_insurance"][-1] == D(2017, 1, 1)


# --- properties ---------------------------------------------------------------------------

_ON_FILE = [s for s in State if s is not State.NEW]


def _insuring(states: frozenset[State]) -> Policy:
    """Chongqing 2016 with micro insurance on entering each of ``states`` and each new year in it."""
    routes: dict[str, object] = {}
    for state in states:
        routes[entered(state)] = (step("micro_insurance"),)
        routes[each_year(state)] = (step("micro_insurance"),)
    return chongqing_2016().derive(
        name="insuring",
        interventions=(MicroInsurance(),),
        routes=routes,  # type: ignore[arg-type]
    )


_POLICIES: dict[frozenset[State], Policy] = {}


def _policy_for(states: frozenset[State]) -> Policy:
    if states not in _POLICIES:
        _POLICIES[states] = _insuring(states)
    return _POLICIES[states]


def _years_in(result: HouseholdResult, first: dt.date, states: frozenset[State], as_of: dt.date) -> set[int]:
    """The years ``result``'s household spent some part of in ``states``, from its first fact on.

    A state is held from the day of the move into it. A move the clock makes (the transition
    period's start or end) is made at the start of its day; one made on a fact, during it, so the
    state left that day was held for part of it."""
    spans: list[tuple[State, dt.date, bool]] = [(State.NEW, first, False)]
    for decision in result.decisions:
        if decision.kind is DecisionKind.TRANSITION and decision.to_state is not None:
            spans.append((decision.to_state, decision.date, decision.rule in CLOCK_RULES))
    years: set[int] = set()
    for index, (state, since, _) in enumerate(spans):
        if index + 1 < len(spans):
            _, until, by_clock = spans[index + 1]
            last = until - dt.timedelta(days=1) if by_clock and until > since else until
        else:
            last = as_of
        if state in states:
            years.update(range(since.year, last.year + 1))
    return years


@settings(deadline=None)
@given(data=st.data())
def test_premiums_are_one_purchase_per_year_spent_in_a_routed_state(data: st.DataObject) -> None:
    states = frozenset(data.draw(st.sets(st.sampled_from(_ON_FILE), min_size=1), label="routed states"))
    policy = _policy_for(states)
    engine = Engine(policy)
    home = data.draw(households(household_id="HH-1", born_by=D(2014, 12, 31)))
    facts = sorted(data.draw(histories(home, START, END, policy=policy)), key=sort_key)
    if not facts:
        return
    try:
        full = engine.run_checkpointed(home, facts, as_of=AS_OF)
    except RelapseGuardError:
        return
    purchases = Counter(g.date.year for g in full.result.grants if g.intervention == "micro_insurance")
    assert set(purchases.values()) <= {1}  # never two in one year
    assert set(purchases) == _years_in(full.result, facts[0].date, states, AS_OF)
    # however the run is cut into checkpoints, the same premiums and the same checkpoint
    cuts = sorted(data.draw(st.lists(st.integers(0, len(facts)), max_size=3), label="cuts"))
    done, checkpointed = 0, None
    for cut in [*cuts, len(facts)]:
        part = facts[done:cut]
        low = max([checkpointed.checkpoint.clock] if checkpointed and checkpointed.checkpoint.clock else [START])
        low = max(low, part[-1].date) if part else low
        high = facts[cut].date if cut < len(facts) else AS_OF
        as_of = AS_OF if cut == len(facts) else data.draw(st.none() | st.dates(low, max(low, high)), label="as of")
        if checkpointed is None:
            checkpointed = engine.run_checkpointed(home, part, as_of=as_of)
        else:
            kept = Checkpoint.from_bytes(checkpointed.checkpoint.to_bytes(policy), policy)
            checkpointed = engine.resume(kept, home, part, as_of=as_of)
            assert checkpointed.reason == ""
        done = cut
    assert checkpointed is not None
    assert checkpointed.result.grants == full.result.grants
    assert checkpointed.checkpoint == full.checkpoint
