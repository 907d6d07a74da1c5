"""The policy harness: a hypothesis state machine that drives random histories through a policy.

Subclass :class:`PolicyStateMachine`, set ``policy``, and expose its test case::

    class YubeiMachine(PolicyStateMachine):
        policy = load_policy("yubei_2016")

    TestYubei = YubeiMachine.TestCase

Each run follows one household (drawn with :func:`~relapse_guard.testing.households`, or the
class's ``household``) from the policy's first date. Each step appends dated facts of the
kinds the policy takes — incomes around the poverty line, shocks, appraisals, needs checks,
assistance, exits, a recovery followed by an exit — or lets time pass, then reruns the engine
on the whole history and checks every invariant of :mod:`relapse_guard.testing.invariants`.
Add invariants of your own as methods decorated with ``@invariant()``; override one of the
library's with a plain method to switch it off.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any, ClassVar

import attrs
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidDefinition
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from hypothesis.strategies import SearchStrategy

from ..engine import Engine
from ..errors import InvalidTransition
from ..facts import (
    DEFAULT_FACT_KINDS,
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    ReviewCompleted,
    SchoolEnrolled,
)
from ..household import Household, Schooling
from ..lifecycle import State
from ..policy import REQUIRED_PARAMETERS, Policy
from ..result import HouseholdResult
from . import invariants
from .strategies import amounts, facts_of, households

__all__ = ["PolicyStateMachine", "harness_settings"]

_DAYS = st.integers(1, 400)
_MEMBER = st.integers(0, 15)
#: Most runs open poor, some not, some with no income at all.
_OPENING = st.one_of(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(100, 300), st.none())
_NO_EXIT = frozenset({State.NEW, State.IDENTIFIED, State.RELAPSED})


def harness_settings(**changes: Any) -> settings:
    """Hypothesis settings for the harness: the loaded profile's, with ``changes``, no deadline,
    no health checks (as hypothesis's own state-machine default) and without the *explain*
    phase, which reruns a long failing history hundreds of times for little insight.

    Every :class:`PolicyStateMachine` subclass's ``TestCase`` starts with these; change them
    with ``TestX.settings = harness_settings(max_examples=200, stateful_step_count=25)``.
    """
    phases = tuple(phase for phase in settings().phases if phase is not Phase.explain)
    chosen: dict[str, Any] = {"deadline": None, "suppress_health_check": list(HealthCheck), "phases": phases}
    return settings(**{**chosen, **changes})


def _takes(kind: type[Fact]) -> Any:
    return lambda self: self.takes(kind)


class PolicyStateMachine(RuleBasedStateMachine):
    """Random histories of one household under ``policy``, checked against the library's invariants.

    Class attributes to set in a subclass:

    - ``policy`` (required): the :class:`~relapse_guard.policy.Policy` under test;
    - ``household``: a household to follow in every run (default: one drawn per run);
    - ``start``: the first date of the histories (default: the first date all the engine's
      parameters are in force).

    In your own ``@invariant()`` and ``@rule()`` methods, ``self.result`` is the household's
    :class:`~relapse_guard.result.HouseholdResult` as of ``self.today``, ``self.facts`` the
    facts so far, ``self.household`` the household and ``self.engine`` the engine; add facts
    with :meth:`add_facts`.
    """

    policy: ClassVar[Policy]
    household: Household | None = None
    start: ClassVar[dt.date | None] = None
    #: The household's result as of ``today``, and the one before the last step.
    result: HouseholdResult
    previous: HouseholdResult

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TestCase.settings = harness_settings()

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        if not isinstance(getattr(cls, "policy", None), Policy):
            raise InvalidDefinition(
                f"{cls.__name__} has no policy to test; set one on the class:\n"
                f"    class {cls.__name__}(PolicyStateMachine):\n"
                f"        policy = load_policy('yubei_2016')"
            )
        self.engine = Engine(cls.policy)
        self.facts: list[Fact] = []
        self.today = self.first_date() - dt.timedelta(days=1)
        self._numbered = 0
        #: The result the replay invariant last held for (it runs once a step, whichever invariant asks first).
        self._replayed: HouseholdResult | None = None

    @classmethod
    def first_date(cls) -> dt.date:
        """``start``, or the first date on which every parameter the engine needs is in force."""
        if cls.start is not None:
            return cls.start
        return max(cls.policy.parameters.get(name).first_date for name in REQUIRED_PARAMETERS)

    # --- helpers for rules ----------------------------------------------------------------

    def takes(self, kind: type[Fact]) -> bool:
        """True when the policy takes facts of ``kind`` (it is in ``policy.fact_kinds``)."""
        return self.policy.fact_kinds.by_kind.get(kind.kind) is kind

    def own_kinds(self) -> list[type[Fact]]:
        """The fact kinds of the policy beyond the built-in ones, in name order."""
        return [cls for name, cls in sorted(self.policy.fact_kinds.by_kind.items()) if name not in DEFAULT_FACT_KINDS]

    def own_fact(self, kind: type[Fact], on: dt.date) -> SearchStrategy[Fact]:
        """A strategy for one fact of a policy's own ``kind`` dated ``on``; override it to give
        fields their strategies (the default draws them from their types)."""
        return facts_of(kind, self._household(), (on, on))

    def next_id(self) -> str:
        """A fresh fact id: ``<household>-f<n>``."""
        self._numbered += 1
        return f"{self._household().id}-f{self._numbered}"

    def later(self, days: int) -> dt.date:
        """Move today ``days`` later and return it (facts come in date order, as a live feed)."""
        self.today += dt.timedelta(days=days)
        return self.today

    def add_facts(self, *facts: Fact) -> None:
        """Append ``facts`` and run the engine again as of today."""
        self.facts.extend(facts)
        self._rerun()

    def line(self) -> Decimal:
        """The poverty line on today's date."""
        value = self.policy.parameters.value("poverty_line", self.today)
        return value if isinstance(value, Decimal) else Decimal(0)

    def _household(self) -> Household:
        if self.household is None:
            raise InvalidDefinition("the household is chosen by the first (initialize) step")
        return self.household

    def _base(self, days: int) -> dict[str, Any]:
        return {"id": self.next_id(), "household_id": self._household().id, "date": self.later(days)}

    def _member(self, index: int) -> str:
        members = self._household().members
        return members[index % len(members)].id

    def _rerun(self, result: HouseholdResult | None = None) -> None:
        self.previous = self.result
        self.result = result or self.engine.run(self._household(), self.facts, as_of=self.today)
        event(f"reached {self.result.state.value}")

    def _exit(self, *facts: Fact) -> None:
        """Add facts ending in an exit; an exit the lifecycle lacks must be refused, and dropped."""
        before = self.result.state
        try:
            result = self.engine.run(self._household(), [*self.facts, *facts], as_of=self.today)
        except InvalidTransition as error:
            if before not in _NO_EXIT:
                raise
            named = (error.household_id, error.state, error.event)
            if named != (self._household().id, before.value, "exit"):
                raise AssertionError(
                    f"InvalidTransition should name the household, state {before.value!r} and event 'exit': {error}"
                ) from error
            self._rerun()  # the refused facts are not kept
            return
        if before in _NO_EXIT:
            raise AssertionError(f"an exit was accepted from {before.value}, which has none: now {result.state.value}")
        self.facts.extend(facts)
        self._rerun(result)

    # --- rules ------------------------------------------------------------------------------

    @initialize(data=st.data(), opening_income=_OPENING)
    def follow_a_household(self, data: st.DataObject, opening_income: int | None) -> None:
        """Follow the class's household, or one drawn for this run; most runs open with an
        income assessment under the poverty line (``opening_income`` % of it)."""
        if self.household is None:
            self.household = data.draw(households(born_by=self.first_date()), label="household")
        self.result = self.previous = self.engine.run(self.household, [], as_of=self.today)
        if opening_income is not None and self.takes(IncomeAssessed):
            self.assess_income(1, opening_income)

    @precondition(_takes(IncomeAssessed))
    @rule(days=_DAYS, percent_of_line=st.integers(0, 300))
    def assess_income(self, days: int, percent_of_line: int) -> None:
        """An income of ``percent_of_line`` % of the poverty line."""
        base = self._base(days)
        income = (self.line() * percent_of_line / 100).quantize(Decimal(1))
        self.add_facts(IncomeAssessed(**base, income_per_capita=income))

    @precondition(_takes(IncomeAssessed))
    @rule(days=_DAYS, percent_of_line=st.integers(0, 99))
    def fall_below_the_line(self, days: int, percent_of_line: int) -> None:
        """An income under the poverty line: identifies a new or stable household, relapses a watched one."""
        self.assess_income(days, percent_of_line)

    @precondition(_takes(IllnessReported))
    @rule(days=_DAYS, member=_MEMBER, cost=amounts(max_value=60_000), hospitalised=st.booleans())
    def report_illness(self, days: int, member: int, cost: Decimal, hospitalised: bool) -> None:
        """A member falls ill, with a self-paid cost."""
        self.add_facts(
            IllnessReported(
                **self._base(days), member_id=self._member(member), self_paid_cost=cost, hospitalised=hospitalised
            )
        )

    @precondition(_takes(DisasterReported))
    @rule(days=_DAYS, hazard=st.sampled_from(["flood", "landslide", "hail"]), loss=amounts(max_value=80_000))
    def report_disaster(self, days: int, hazard: str, loss: Decimal) -> None:
        """A disaster costs the household ``loss``."""
        self.add_facts(DisasterReported(**self._base(days), hazard=hazard, loss=loss))

    @precondition(_takes(JobLost))
    @rule(days=_DAYS, member=_MEMBER)
    def lose_job(self, days: int, member: int) -> None:
        """A member loses their job."""
        self.add_facts(JobLost(**self._base(days), member_id=self._member(member)))

    @precondition(_takes(MainEarnerLost))
    @rule(days=_DAYS, member=_MEMBER, cause=st.sampled_from(["death", "disability"]))
    def lose_main_earner(self, days: int, member: int, cause: str) -> None:
        """The main earner dies or loses labour capacity."""
        self.add_facts(MainEarnerLost(**self._base(days), member_id=self._member(member), cause=cause))

    @precondition(_takes(SchoolEnrolled))
    @rule(days=_DAYS, member=_MEMBER, level=st.sampled_from(Schooling), cost=amounts(max_value=30_000))
    def enrol_in_school(self, days: int, member: int, level: Schooling, cost: Decimal) -> None:
        """A member enrols at a school level, at a yearly cost."""
        self.add_facts(
            SchoolEnrolled(**self._base(days), member_id=self._member(member), level=level, annual_cost=cost)
        )

    @precondition(_takes(HouseAppraised))
    @rule(days=_DAYS, grade=st.sampled_from(HousingGrade))
    def appraise_house(self, days: int, grade: HousingGrade) -> None:
        """The house is appraised A to D."""
        self.add_facts(HouseAppraised(**self._base(days), grade=grade))

    @precondition(_takes(BasicNeedsChecked))
    @rule(days=_DAYS, unmet=st.frozensets(st.sampled_from(BasicNeed), max_size=2))
    def check_needs(self, days: int, unmet: frozenset[BasicNeed]) -> None:
        """A visit checks the basic needs."""
        self.add_facts(BasicNeedsChecked(**self._base(days), unmet=unmet))

    @precondition(_takes(AssistanceGranted))
    @rule(days=_DAYS)
    def grant_assistance(self, days: int) -> None:
        """Assistance is granted outside the engine."""
        self.add_facts(AssistanceGranted(**self._base(days), measure="industry project"))

    @precondition(_takes(ExitVerified))
    @rule(days=_DAYS)
    def verify_exit(self, days: int) -> None:
        """An exit is verified, whatever the state: refused (InvalidTransition) where the lifecycle has none."""
        self._exit(ExitVerified(**self._base(days)))

    @precondition(lambda self: self.result.state is State.ASSISTED and self.takes(ExitVerified))
    @rule(days=_DAYS, percent_of_line=st.integers(100, 300))
    def recover_and_verify_exit(self, days: int, percent_of_line: int) -> None:
        """An assisted household recovers: safe house, needs met, income over the line, exit verified."""
        on = self.later(days)
        hid = self._household().id
        income = (self.line() * percent_of_line / 100).quantize(Decimal(1), rounding=ROUND_CEILING)
        facts: list[Fact] = []
        if self.takes(HouseAppraised):
            facts.append(HouseAppraised(id=self.next_id(), household_id=hid, date=on, grade=HousingGrade.A))
        if self.takes(BasicNeedsChecked):
            facts.append(BasicNeedsChecked(id=self.next_id(), household_id=hid, date=on))
        if self.takes(IncomeAssessed):
            facts.append(IncomeAssessed(id=self.next_id(), household_id=hid, date=on, income_per_capita=income))
        self._exit(*facts, ExitVerified(id=self.next_id(), household_id=hid, date=on))

    @precondition(lambda self: bool(self.policy.reviews) and self.takes(ReviewCompleted))
    @rule(days=_DAYS, review=st.integers(0, 15))
    def complete_review(self, days: int, review: int) -> None:
        """One of the policy's scheduled reviews is done."""
        chosen = self.policy.reviews[review % len(self.policy.reviews)]
        self.add_facts(ReviewCompleted(**self._base(days), review=chosen.name, responsible=chosen.responsible))

    @precondition(lambda self: bool(self.own_kinds()))
    @rule(days=_DAYS, data=st.data())
    def report_own_fact(self, days: int, data: st.DataObject) -> None:
        """A fact of one of the policy's own kinds (see :meth:`own_fact`)."""
        kind = data.draw(st.sampled_from(self.own_kinds()), label="kind")
        fact = data.draw(self.own_fact(kind, self.later(days)), label="fact")
        self.add_facts(attrs.evolve(fact, id=self.next_id()))

    @precondition(lambda self: self.result.state in (State.EXITED, State.MONITORED))
    @rule(days=st.integers(30, 2000))
    def let_time_pass(self, days: int) -> None:
        """Months or years pass with no fact: a transition period may start or end."""
        self.later(days)
        self._rerun()

    # --- invariants -------------------------------------------------------------------------

    def _assert(self, violations: list[invariants.Violation] | tuple[invariants.Violation, ...]) -> None:
        if violations:
            raise AssertionError("\n".join(map(str, violations)) + "\n\n" + self.result.explain())

    @invariant()
    def amounts_are_sound(self) -> None:
        """Amounts are finite Decimals, never negative, to the fen."""
        self._assert(invariants.amounts_are_sound(self.result))

    @invariant()
    def no_risk_is_paid_twice(self) -> None:
        """No intervention grants twice for one risk."""
        self._assert(invariants.no_risk_is_paid_twice(self.result))

    @invariant()
    def risks_are_routed_within_the_deadline(self) -> None:
        """Every detected risk is routed within the policy's deadline."""
        self._assert(invariants.risks_are_routed_within_the_deadline(self.policy, self.result))

    @invariant()
    def monitoring_ends_by_the_period_end(self) -> None:
        """A monitored household is stable or relapsed by its period's end."""
        self._assert(invariants.monitoring_ends_by_the_period_end(self.policy, self.result))

    @invariant()
    def replay_gives_the_same_result(self) -> None:
        """Replaying the facts gives the same result."""
        if self._replayed is self.result:
            return
        self._assert(invariants.replay_gives_the_same_result(self.policy, self._household(), self.facts, self.result))
        self._replayed = self.result

    @invariant()
    def prefilter_changes_nothing(self) -> None:
        """Skipping quiet income assessments changes nothing.

        The replay is checked first (hypothesis checks invariants in name order): impure policy
        code makes every run differ, and is then reported as what it is."""
        self.replay_gives_the_same_result()
        self._assert(invariants.prefilter_changes_nothing(self.policy, self._household(), self.facts, self.result))

    @invariant()
    def transitions_follow_the_lifecycle(self) -> None:
        """No transition outside the lifecycle."""
        self._assert(invariants.transitions_follow_the_lifecycle(self.result))

    @invariant()
    def history_is_append_only(self) -> None:
        """Later facts never change earlier decisions (checked after the replay, as the prefilter is)."""
        self.replay_gives_the_same_result()
        self._assert(invariants.history_is_append_only(self.previous, self.result))
