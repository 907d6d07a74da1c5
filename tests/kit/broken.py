"""Deliberately broken policies, each fault one the static checks or the harness must catch.

:func:`broken_policy` gathers the static faults (one or more per check). The ``with_*``
functions each add one runtime fault the engine allows, to a sound base, for the harness.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from relapse_guard import ExitVerified, Fact, IncomeAssessed, Policy, State, load_policy
from relapse_guard.context import Context
from relapse_guard.decisions import Declined, Grant, Period, Risk, Severity
from relapse_guard.facts import DEFAULT_FACT_KINDS, FactKinds
from relapse_guard.interventions import PairedHelper, TemporaryRelief
from relapse_guard.parameters import ParameterTree
from relapse_guard.reviews import Review
from relapse_guard.routing import INCOME_LEFT_UNDER_STANDARD, entered, step

D = dt.date


@attrs.frozen(kw_only=True)
class IncomeFallTrigger:
    """BUG (replay): remembers the last income it saw in the trigger itself, across runs."""

    name: str = "income_fall"
    risk_kinds: tuple[str, ...] = ("income_fall",)
    last: dict[str, Decimal] = attrs.field(factory=dict, eq=False)

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return (IncomeAssessed,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        assert isinstance(fact, IncomeAssessed)
        ratio = ctx.amount("triggers.income_fall.ratio")
        before = self.last.get(fact.household_id)
        self.last[fact.household_id] = fact.income_per_capita
        if before is None or fact.income_per_capita >= before * ratio:
            return None
        return ctx.risk(trigger=self.name, fact=fact, kind="income_fall", severity=Severity.HIGH)


@attrs.frozen(kw_only=True)
class LateExitTrigger:
    """BUG (unread_fact_kind): reads exit_verified facts, a kind the broken policy no longer takes."""

    name: str = "late_exit"
    risk_kinds: tuple[str, ...] = ("disaster",)

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return (ExitVerified,)

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        return None


@attrs.frozen(kw_only=True)
class SeedVoucher:
    """BUG (parameter_missing): reads ``seed_voucher.cap``, which no policy defines."""

    name: str = "seed_voucher"

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        return ctx.grant(intervention=self.name, risk=risk, amount=ctx.amount("seed_voucher.cap"), responsible="bureau")


@attrs.frozen(kw_only=True)
class ReliefAccount:
    """BUG (paid twice): books every relief to one household account instead of the risk."""

    inner: TemporaryRelief = attrs.field(factory=TemporaryRelief)
    name: str = "temporary_relief"

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        grant = self.inner.grant(risk, ctx)
        return (
            attrs.evolve(grant, risk_key=f"relief-account:{risk.household_id}") if isinstance(grant, Grant) else grant
        )


@attrs.frozen(kw_only=True)
class MonthlyBatchRelief:
    """BUG (deadline): pays relief with the next month's batch, whatever the deadline."""

    inner: TemporaryRelief = attrs.field(factory=TemporaryRelief)
    name: str = "temporary_relief"

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        grant = self.inner.grant(risk, ctx)
        if not isinstance(grant, Grant):
            return grant
        return attrs.evolve(grant, date=grant.date.replace(day=1) + relativedelta(months=1))


@attrs.frozen(kw_only=True)
class WinterAllowance:
    """BUG (amounts): a seventh of the standard per member, never rounded to the fen."""

    name: str = "winter_allowance"
    share: Decimal = Decimal(1) / 7

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        amount = ctx.amount("safety_net.standard") * self.share * ctx.size
        return ctx.grant(intervention=self.name, risk=risk, amount=amount, period=Period.YEARLY, responsible="town")


#: How many times AlternatingAllowance has granted, in every run (module state: the bug).
GRANTED = [0]


@attrs.frozen(kw_only=True)
class AlternatingAllowance:
    """BUG (replay): impure, its amount alternates with a count kept across runs (a global counter)."""

    name: str = "alternating_allowance"

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        GRANTED[0] += 1
        amount = Decimal(100 + GRANTED[0] % 2)
        return ctx.grant(intervention=self.name, risk=risk, amount=amount, period=Period.YEARLY, responsible="town")


def _chongqing() -> Policy:
    return load_policy("chongqing_2016")


def broken_policy() -> Policy:
    """One policy with every static fault; see the comments for the check each one trips."""
    base = _chongqing()
    no_exit_facts = FactKinds({k: v for k, v in DEFAULT_FACT_KINDS.by_kind.items() if k != "exit_verified"})
    return base.derive(
        name="broken_district",
        # unreachable_state: no exit facts, so no household exits, is monitored, relapses or is stable
        fact_kinds=no_exit_facts,
        # parameter_missing: the trigger's ratio starts in 2016, the policy is used from 2015
        new_parameters={"triggers.income_fall.ratio": {D(2016, 1, 1): Decimal("0.8")}},
        # parameter_review_due and parameter_expired (on any date checked since 2017): read by nothing
        parameter_tree=ParameterTree({})
        .with_value("notices.visits_a_year", D(2016, 1, 1), 4, review_by=D(2016, 6, 30))
        .with_value("notices.form_fee", D(2016, 1, 1), 10, expires=D(2016, 12, 31))
        # parameter_unread: a misspelt override, so the standard meant to rise stays as it was
        .with_value("safety_net.standrd", D(2016, 7, 1), 330)
        # lines_apart: the poverty line raised alone, no longer 12 x the monthly standard
        .with_value("poverty_line", D(2017, 1, 1), 3700),
        triggers=[IncomeFallTrigger(), LateExitTrigger()],
        interventions=[
            PairedHelper(),  # unused_intervention: no route names it
            TemporaryRelief(name="emergency_relief"),  # double_money with temporary_relief
            SeedVoucher(),  # parameter_missing: seed_voucher.cap
            WinterAllowance(),  # amount_not_to_the_fen: a seventh of the standard, never rounded
        ],
        routes={
            "schooling": None,  # unrouted_risk_kind: the schooling trigger's risks go nowhere
            "income_fal": [step("safety_net")],  # dead_route (a typo); unrouted_risk_kind income_fall
            "disaster": [step("temporary_relief"), step("emergency_relief")],  # double_money in one route
            # double_money across routes
            entered(State.IDENTIFIED): [step("temporary_relief"), step("seed_voucher"), step("winter_allowance")],
            entered(State.MONITORED): [step("safety_net")],  # unreachable_state: no household is ever monitored
        },
        reviews=[
            Review.monthly("home_visit", states=frozenset({State.IDENTIFIED, State.ASSISTED})),  # no_responsible_unit
            Review.yearly(
                "income_account", months=(12,), responsible="village cadre"
            ),  # unreachable (exited/monitored)
            _month_end_review(),  # review_skips_months: due on the 30th, never in February
        ],
    )


def _month_end_review() -> Review:
    # Review refuses a day some months lack; a review that got past it is what the check finds.
    with attrs.validators.disabled():
        return Review(
            name="month_end_visit",
            frequency="monthly",
            bymonthday=(30,),
            states=frozenset({State.IDENTIFIED, State.ASSISTED}),
            responsible="village cadre",
        )


def with_relief_account() -> Policy:
    """Relief booked to one account: the same 'risk' is paid again and again."""
    return _chongqing().derive(name="relief_account", interventions=[ReliefAccount()])


def with_monthly_batch_relief() -> Policy:
    """Relief paid with next month's batch, under a 15-day routing deadline."""
    return _chongqing().derive(
        name="batch_relief",
        new_parameters={"routing.deadline_days": {D(2015, 1, 1): 15}},
        interventions=[MonthlyBatchRelief()],
    )


def with_winter_allowance() -> Policy:
    """An allowance on identification that is not rounded to the fen."""
    return _chongqing().derive(
        name="winter_allowance",
        interventions=[WinterAllowance()],
        routes={entered(State.IDENTIFIED): [step("winter_allowance")]},
    )


def with_alternating_allowance() -> Policy:
    """An allowance on identification whose amount alternates from one grant to the next, across runs."""
    return _chongqing().derive(
        name="alternating",
        interventions=[AlternatingAllowance()],
        routes={entered(State.IDENTIFIED): [step("alternating_allowance")]},
    )


def with_clawback() -> Policy:
    """An allowance that pays a negative amount: the engine refuses it (PluginFailed)."""
    return _chongqing().derive(
        name="clawback",
        interventions=[WinterAllowance(share=Decimal(-1))],
        routes={entered(State.IDENTIFIED): [step("winter_allowance")]},
    )


def with_remembering_trigger() -> Policy:
    """A trigger that remembers incomes across runs: replaying the facts gives another result."""
    return _chongqing().derive(
        name="remembering",
        new_parameters={"triggers.income_fall.ratio": {D(2015, 1, 1): Decimal("0.8")}},
        triggers=[IncomeFallTrigger()],
        routes={"income_fall": [step("safety_net", when=INCOME_LEFT_UNDER_STANDARD)]},
    )
