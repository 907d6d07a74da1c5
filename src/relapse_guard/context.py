"""The read-only view that rules, triggers, conditions and interventions evaluate against.

A :class:`Context` holds what is known of a household on one date: the household, its
lifecycle state, its latest assessed income, unmet basic needs, housing grade and the grants
already made. Parameter look-ups go through :meth:`Context.param`, which records every value
read, so each risk, grant and decision can say which parameter values (from which date) it used.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

from .decisions import Grant, Period, Risk, Severity
from .entitlements import add_months
from .errors import InvalidPolicy
from .facts import BasicNeed, Fact, HousingGrade
from .household import Household
from .lifecycle import State
from .messages import Message, Text
from .parameters import ParameterTree, ParameterValue, Value

__all__ = ["COST_AID", "COST_WINDOW", "NO_DEATHS", "Context", "HouseholdNow", "ValuesOn", "aid_toward"]

#: How many months a risk's cost weighs on the income left, when a policy sets it.
COST_WINDOW = "income_left.open_risk_months"
#: The tag of an intervention whose one-off and yearly grants for a risk pay toward the risk's
#: cost (medical aid, temporary relief, education aid, housing renovation): the household no
#: longer bears what they paid, so it does not weigh on the income left (one cost, paid once).
COST_AID = "cost_aid"


#: No member died (a mapping never changed: a run's deaths are a new one each time).
NO_DEATHS: Mapping[str, dt.date] = MappingProxyType({})


def aid_toward(risk_key: str, grants: Iterable[Grant], tags: Mapping[str, frozenset[str]], on: dt.date) -> Decimal:
    """The money granted for the risk ``risk_key`` on or before ``on`` by interventions tagged
    :data:`COST_AID` (one-off and yearly grants: a monthly grant pays toward living, not a cost)."""
    total = Decimal(0)
    for grant in grants:
        if (
            grant.risk_key == risk_key
            and grant.amount is not None
            and grant.period is not Period.MONTHLY
            and grant.date <= on
            and COST_AID in tags.get(grant.intervention, ())
        ):
            total += grant.amount
    return total


_LOW_INCOME_STATES = (State.IDENTIFIED, State.ASSISTED, State.RELAPSED)


class HouseholdNow(Protocol):
    """What :meth:`Context.refresh` reads: the household as the engine's run holds it now."""

    @property
    def state(self) -> State: ...
    @property
    def income(self) -> Decimal | None: ...
    @property
    def previous_income(self) -> Decimal | None: ...
    @property
    def unmet(self) -> frozenset[BasicNeed]: ...
    @property
    def housing_grade(self) -> HousingGrade | None: ...
    @property
    def pending(self) -> Sequence[tuple[Risk, Grant]]: ...


#: The parameter values already looked up on a date, by name: a dict the context fills in.
ValuesOn = Callable[[dt.date], dict[str, ParameterValue]]


def _fresh_values(date: dt.date) -> dict[str, ParameterValue]:
    return {}


class Context:
    """What is known of one household on one date.

    Rules, triggers, conditions and interventions read it and never write it. The engine
    keeps one context per run and moves it through :meth:`refresh`, its one way to change:
    to a fact's date and to the household as the run now holds it. ``values_on`` gives the
    dict of parameter values already looked up on a date, so that runs can share them
    (parameters are immutable); by default each date starts empty. ``risks`` are the
    household's risks found with a cost, ``found`` all its risks found so far, in the order found
    (:attr:`risks_found`, :meth:`found_risk`), ``eliminated`` those closed (by key, with the
    date), ``tags`` the kinds each intervention declares (see :meth:`entitlement`), ``died``
    the members who died, by id, with the day (see :meth:`died_today`), and ``pending`` the
    grants waiting for a decided case, each with its risk (see :attr:`pending`).
    """

    __slots__ = (
        "_died",
        "_eliminated",
        "_found",
        "_known_risks",
        "_parameters",
        "_pending",
        "_risks",
        "_seen",
        "_size",
        "_tags",
        "_used",
        "_values_on",
        "date",
        "grants",
        "household",
        "housing_grade",
        "income_per_capita",
        "previous_income_per_capita",
        "state",
        "unmet_needs",
    )

    def __init__(
        self,
        *,
        household: Household,
        date: dt.date,
        state: State,
        parameters: ParameterTree,
        income_per_capita: Decimal | None = None,
        previous_income_per_capita: Decimal | None = None,
        unmet_needs: frozenset[BasicNeed] = frozenset(),
        housing_grade: HousingGrade | None = None,
        grants: Sequence[Grant] = (),
        known_risks: Collection[str] = (),
        values_on: ValuesOn = _fresh_values,
        risks: Sequence[Risk] = (),
        eliminated: Mapping[str, dt.date] | None = None,
        tags: Mapping[str, frozenset[str]] | None = None,
        found: Sequence[Risk] = (),
        died: Mapping[str, dt.date] | None = None,
        pending: Sequence[tuple[Risk, Grant]] = (),
    ) -> None:
        self.household = household
        self._size = household.size  # read by many rules and interventions: counted once
        self.date = date
        self.state = state
        self.income_per_capita = income_per_capita
        self.previous_income_per_capita = previous_income_per_capita
        self.unmet_needs = unmet_needs
        self.housing_grade = housing_grade
        self.grants = grants
        self._parameters = parameters
        self._known_risks = known_risks
        self._risks = risks
        self._found = found
        self._eliminated: Mapping[str, dt.date] = {} if eliminated is None else eliminated
        self._tags: Mapping[str, frozenset[str]] = {} if tags is None else tags
        self._died = NO_DEATHS if died is None else died
        self._pending = pending
        self._values_on = values_on
        self._seen = values_on(date)
        self._used: dict[str, ParameterValue] = {}

    def refresh(self, date: dt.date, now: HouseholdNow) -> None:
        """Move to ``date`` and to the household as ``now`` holds it (state, income, needs,
        housing, the grants waiting for a case).

        The engine's one way to change a context, before each rule, trigger and route step.
        """
        if date != self.date:
            self.date = date
            self._seen = self._values_on(date)
        self.state = now.state
        self.income_per_capita = now.income
        self.previous_income_per_capita = now.previous_income
        self.unmet_needs = now.unmet
        self.housing_grade = now.housing_grade
        self._pending = now.pending  # (a decided case leaves the run a new list of those still waiting)

    def rehouse(self, household: Household, died: Mapping[str, dt.date] | None = None) -> None:
        """Move to ``household`` as changed (a member joined, left or died, or it moved): the
        engine calls it on a household change, so that what follows reads the household of that
        date (``died``: the members who died, by id, with the day, when a death changed them)."""
        self.household = household
        self._size = household.size
        if died is not None:
            self._died = died

    def died_today(self, member_id: str) -> bool:
        """True when member ``member_id`` died on this date: no longer counted (``household``
        is the household after the death), though a fact of the same day may still name them
        (the main earner lost to that death)."""
        return self._died.get(member_id) == self.date

    # --- parameters ---------------------------------------------------------------------

    def param(self, name: str) -> Value:
        """The value of parameter ``name`` on this context's date; recorded as used."""
        found = self._seen.get(name)
        if found is None:
            found = self._seen[name] = self._parameters.lookup(name, self.date)
        self._used.setdefault(name, found)
        return found.value

    def amount(self, name: str) -> Decimal:
        """A numeric parameter; :class:`InvalidPolicy` if it holds text or a boolean."""
        # param()'s look-up, written out: amounts are read more than anything on the hot path
        found = self._seen.get(name)
        if found is None:
            found = self._seen[name] = self._parameters.lookup(name, self.date)
        self._used.setdefault(name, found)
        value = found.value
        if not isinstance(value, Decimal):
            raise InvalidPolicy(f"parameter {name!r} must be a number, found {value!r}")
        return value

    def text(self, name: str) -> str:
        """A text parameter; :class:`InvalidPolicy` if it holds a number or a boolean."""
        value = self.param(name)
        if not isinstance(value, str):
            raise InvalidPolicy(f"parameter {name!r} must be text, found {value!r}")
        return value

    def has_param(self, name: str) -> bool:
        """True when the policy defines ``name`` (whatever its dates)."""
        return name in self._parameters

    def used_parameters(self) -> tuple[ParameterValue, ...]:
        """Parameter values read since the last :meth:`reset_used`, in the order first read."""
        return tuple(self._used.values())

    def reset_used(self) -> None:
        """Forget recorded parameter reads (the engine calls it before each rule or plug-in)."""
        self._used = {}

    # --- derived facts about the household ----------------------------------------------

    @property
    def size(self) -> int:
        """Number of household members."""
        return self._size

    @property
    def poverty_line(self) -> Decimal:
        """The policy's poverty line (``poverty_line``, yuan per person per year) on this date."""
        return self.amount("poverty_line")

    @property
    def monthly_income_per_capita(self) -> Decimal | None:
        """Latest assessed income per person per month (annual / 12), or None if never assessed."""
        return None if self.income_per_capita is None else self.income_per_capita / 12

    def income_left_per_capita(self, risk: Risk) -> Decimal | None:
        """Annual income per person left after the risk's cost (never below zero).

        When the policy sets ``income_left.open_risk_months``, a cost weighs on it for that many
        months from its risk's date: the costs of the household's other open risks (found and
        not eliminated) dated within that many months before this date weigh on it too, so a
        later risk never lowers the safety net an earlier one pays for; and the risk's own cost
        no longer weighs once it is older than that (a year's cost against a year's income), so
        a top-up granted for a hospital bill is worked out again on the income alone (see
        :meth:`open_costs`).
        """
        if self.income_per_capita is None:
            return None
        costs = self.open_costs(risk) if self._risks or risk.cost else risk.cost  # (most have no cost: no call)
        left = self.income_per_capita - costs / self.size
        return max(left, Decimal(0))

    def open_costs(self, risk: Risk) -> Decimal:
        """The cost ``risk`` leaves the household to bear, plus those of the other open risks
        that still weigh on the income.

        A cost is borne less what interventions tagged :data:`COST_AID` granted for its risk on
        or before this date (:meth:`cost_borne`): medical aid paid on a bill is not taken off
        the income a second time. Only when the policy sets ``income_left.open_risk_months``:
        the others count when found on or before this date, not eliminated, and dated within
        that many months; the risk's own cost counts on its own date and while it is within
        that many months. Without the parameter, the risk's own cost alone, whatever its age.
        A risk eliminated (an approved risk-elimination case) no longer weighs, its own cost
        included: what the household is owed for it is then the means test on its income.
        """
        if not risk.cost and not self._risks:
            return risk.cost  # the engine gives the risks with a cost: most households have none
        cost = self.cost_borne(risk) if risk.cost else risk.cost
        if cost and self._eliminated and risk.key in self._eliminated:
            cost = Decimal(0)
        date, key = self.date, risk.key
        others = [other for other in self._risks if other.cost and other.key != key and other.date <= date]
        if (not others and (not cost or risk.date >= date)) or COST_WINDOW not in self._parameters:
            return cost  # (the window is read only when it can change the answer: cited only then)
        since = add_months(date, -int(self.amount(COST_WINDOW)))
        if risk.date < date and since >= risk.date:
            cost = Decimal(0)  # the risk's own cost is older than the window: it no longer weighs
        for other in others:
            if since < other.date and other.key not in self._eliminated:
                cost += self.cost_borne(other)
        return cost

    def cost_borne(self, risk: Risk) -> Decimal:
        """``risk``'s cost less what interventions tagged :data:`COST_AID` granted for it on or
        before this date (never below zero): what the household is left to pay.

        A risk passed with less than its cost as found (a route step's ``after``: the cost its
        interventions left) keeps the smaller of the two, so no grant is taken off twice.
        """
        cost = risk.cost
        aid = aid_toward(risk.key, self.grants, self._tags, self.date)
        if not aid:
            return cost
        found = next((known.cost for known in self._risks if known.key == risk.key), cost)
        return max(min(cost, found - aid), Decimal(0))

    def granted_total(self, intervention: str, since: dt.date | None = None) -> Decimal:
        """Money already granted by ``intervention`` (one-off and yearly amounts), since a date."""
        total = Decimal(0)
        for grant in self.grants:
            amount = grant.amount
            if amount is None or grant.period is Period.MONTHLY or grant.intervention != intervention:
                continue
            if since is None or grant.date >= since:
                total += amount
        return total

    @property
    def pending(self) -> Sequence[Grant]:
        """The grants waiting for a decided identification case (the policy's
        ``decision_required``), in the order held: granted by their interventions, not paid yet,
        and paid, on the decision's date, when the case is approved. Not among :attr:`grants`;
        nor are those a rejected case set aside."""
        return [grant for _, grant in self._pending]

    def has_grant(self, intervention: str) -> bool:
        """True when ``intervention`` has already granted something to this household (ever)."""
        return any(grant.intervention == intervention for grant in self.grants)

    def entitlement(self, tag: str) -> Grant | None:
        """The entitlement of the kind ``tag`` running on this date, or None.

        Running: granted on or before this date and not ended (owed now, or approved and
        owed from next month). ``tag`` is a kind an intervention declares in its ``tags``
        (``"safety_net"``), or an intervention's name; an ended entitlement never counts.
        """
        date, tags = self.date, self._tags
        for grant in reversed(self.grants):
            if grant.running(date) and tag in tags.get(grant.intervention, (grant.intervention,)):
                return grant
        return None

    def knows_risk(self, key: str) -> bool:
        """True when a risk with this key was already found for the household.

        The engine routes a risk once; a trigger may check its key first and return None
        without writing evidence that would be discarded.
        """
        return key in self._known_risks

    def found_risk(self, key: str) -> Risk | None:
        """The risk found for the household with this key (the one a grant's ``risk_key`` names),
        or None when the engine did not pass it."""
        for known in reversed(self._found):
            if known.key == key:
                return known
        return None

    @property
    def risks_found(self) -> Sequence[Risk]:
        """Every risk found for the household so far, in the order found (one per key: a later
        report of a risk already found is not among them).

        A trigger reads it to tell a second report of one event (the household's own
        declaration and a department's data, say) from a new event, and gives the second report
        the key of the first, so that the event is one risk, routed and paid once
        (docs/facts.md, "One event, several reports").
        """
        return self._found

    @property
    def receives_safety_net(self) -> bool:
        """True when an entitlement of the ``safety_net`` kind runs on this date (see :meth:`entitlement`)."""
        return self.entitlement("safety_net") is not None

    @property
    def is_low_income(self) -> bool:
        """On file and not out of poverty (identified, assisted, relapsed) or on the safety net."""
        return self.state in _LOW_INCOME_STATES or self.receives_safety_net

    # --- building results ---------------------------------------------------------------

    def risk(
        self,
        *,
        trigger: str,
        fact: Fact,
        kind: str,
        severity: Severity,
        cost: Decimal = Decimal(0),
        member_id: str | None = None,
        key: str | None = None,
        evidence: Iterable[tuple[str, object]] = (),
    ) -> Risk:
        """A :class:`Risk` found in ``fact``, carrying the parameters read so far.

        Evidence values are kept as text (an enum member as its value), a
        :class:`~relapse_guard.messages.Message` (a reason) as the message, which the risk reads
        as its English text and a decision renders in any language.
        """
        return Risk(
            kind=kind,
            household_id=self.household.id,
            date=fact.date,
            severity=severity,
            trigger=trigger,
            fact_id=fact.id,
            key=key if key is not None else f"{kind}:{fact.id}",
            cost=cost,
            member_id=member_id,
            # an enum member is stored as its value ("primary", "C"), not as "Schooling.PRIMARY"
            evidence=tuple(
                [
                    (
                        label,
                        value
                        if type(value) is Message
                        else str(value.value)
                        if isinstance(value, enum.Enum)
                        else str(value),
                    )
                    for label, value in evidence
                ]
            ),
            parameters=self.used_parameters(),
        )

    def grant(
        self,
        *,
        intervention: str,
        risk: Risk,
        amount: Decimal | None = None,
        period: Period = Period.ONE_OFF,
        service: str | None = None,
        responsible: str = "",
        persons: int = 0,
        basis: Text = "",
        revisits: Iterable[dt.date] = (),
        emergency: bool = False,
    ) -> Grant:
        """A :class:`Grant` for ``risk``, carrying the parameters read so far (``basis``: text,
        or a :class:`~relapse_guard.messages.Message` that renders in any language)."""
        return Grant(
            intervention=intervention,
            household_id=self.household.id,
            date=self.date,
            risk_key=risk.key,
            amount=amount,
            period=period,
            service=service,
            responsible=responsible,
            persons=persons,
            basis=basis,
            revisits=tuple(revisits),
            emergency=emergency,
            parameters=self.used_parameters(),
        )
