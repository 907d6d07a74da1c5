"""The probe behind the static checks: every component of a policy run on representative inputs.

Rules, triggers, route conditions and interventions are called on a few households in each
lifecycle state, with representative facts of every kind they look at, on each date asked
for. Parameters are read through a recording tree, which notes every name read, those the
policy lacks and those read before their first value (answering with the first value, so
that probing goes on). Private to :mod:`relapse_guard.checks`.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..context import Context
from ..decisions import Grant, Period, Risk, Severity
from ..errors import InvalidInput, InvalidPolicy, ParameterNotInForce, UnknownParameter
from ..facts import (
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
from ..household import Health, Household, LabourCapacity, Member, Place, Schooling
from ..lifecycle import State
from ..parameters import ParameterTree, ParameterValue
from ..triggers.base import Trigger

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["Log", "Probe"]


@attrs.define
class Log:
    """What one component read on one date: every name, those before their first value, unknown ones."""

    reads: dict[str, None] = attrs.field(factory=dict)
    late: dict[str, dt.date] = attrs.field(factory=dict)
    unknown: set[str] = attrs.field(factory=set)
    #: True when, asked again with its late parameters not in force, the component let
    #: ParameterNotInForce out (a component that catches it treats itself as not in force yet).
    late_escapes: bool = False

    def add(self, other: Log) -> None:
        """Add what ``other`` recorded."""
        self.reads.update(other.reads)
        for name, first in other.late.items():
            self.late.setdefault(name, first)
        self.unknown |= other.unknown
        self.late_escapes |= other.late_escapes


@attrs.frozen
class _RecordingTree(ParameterTree):
    """A parameter tree that records reads and, for a date before a parameter's first value,
    records it and answers with that first value, so that probing goes on."""

    log: Log = attrs.field(factory=Log, eq=False)

    def lookup(self, name: str, on: dt.date) -> ParameterValue:
        parameter = self.parameters.get(name)
        if parameter is None:
            self.log.unknown.add(name)
            raise UnknownParameter(name, self.parameters)
        self.log.reads[name] = None
        if on < parameter.first_date:
            self.log.late.setdefault(name, parameter.first_date)
            return parameter.at(parameter.first_date)
        return parameter.at(on)


_WORKER = Household(
    id="probe-a",
    place=Place("District", "Town", "Village"),
    members=(
        Member(id="probe-a-1", birth_date=dt.date(1970, 1, 1)),
        Member(
            id="probe-a-2",
            birth_date=dt.date(1975, 1, 1),
            labour_capacity=LabourCapacity.PARTIAL,
            health=Health.CHRONIC_ILLNESS,
        ),
        Member(
            id="probe-a-3",
            birth_date=dt.date(2008, 1, 1),
            labour_capacity=LabourCapacity.NONE,
            schooling=Schooling.PRIMARY,
        ),
    ),
)
_ALONE = Household(
    id="probe-b",
    place=Place("District"),
    members=(
        Member(
            id="probe-b-1",
            birth_date=dt.date(1940, 1, 1),
            labour_capacity=LabourCapacity.NONE,
            health=Health.DISABLED,
        ),
    ),
)
_A, _B = _WORKER, _ALONE
_NEED = frozenset({BasicNeed.FOOD_AND_CLOTHING})


def _safety_net(household: Household, on: dt.date) -> tuple[Grant, ...]:
    return (
        Grant(
            intervention="safety_net",
            household_id=household.id,
            date=on,
            risk_key="probe",
            amount=Decimal(100),
            period=Period.MONTHLY,
        ),
    )


#: (household, state, income per capita, housing grade, unmet needs, has a safety-net grant)
_SITUATIONS: tuple[tuple[Household, State, int | None, HousingGrade | None, frozenset[BasicNeed], bool], ...] = (
    (_A, State.NEW, None, None, frozenset(), False),
    (_A, State.NEW, 1000, None, frozenset(), False),
    (_A, State.STABLE, 20000, HousingGrade.A, frozenset(), False),
    (_A, State.IDENTIFIED, 1000, HousingGrade.D, _NEED, False),
    (_A, State.ASSISTED, 0, HousingGrade.C, frozenset(), True),
    (_A, State.EXITED, 5000, None, frozenset(), False),
    (_A, State.MONITORED, 5000, HousingGrade.B, frozenset(), True),
    (_B, State.RELAPSED, 500, None, _NEED, False),
    (_B, State.MONITORED, 3000, None, frozenset(), False),
    (_B, State.NEW, 2000, None, frozenset(), False),
)


def _builtin_samples(cls: type[Fact], household: Household, on: dt.date) -> list[Fact] | None:
    h, first, last = household.id, household.members[0].id, household.members[-1].id
    costs = [Decimal(c) for c in (0, 3000, 50000)]
    samples: dict[type[Fact], Callable[[], list[Fact]]] = {
        IncomeAssessed: lambda: [
            IncomeAssessed(id="p", household_id=h, date=on, income_per_capita=Decimal(v)) for v in (0, 3000, 20000)
        ],
        IllnessReported: lambda: [
            IllnessReported(id="p", household_id=h, date=on, member_id=m, self_paid_cost=c, hospitalised=True)
            for m in (first, last)
            for c in costs
        ],
        DisasterReported: lambda: [
            DisasterReported(id="p", household_id=h, date=on, hazard="flood", loss=c) for c in costs
        ],
        JobLost: lambda: [JobLost(id="p", household_id=h, date=on, member_id=m) for m in (first, last)],
        MainEarnerLost: lambda: [MainEarnerLost(id="p", household_id=h, date=on, member_id=first)],
        SchoolEnrolled: lambda: [
            SchoolEnrolled(id="p", household_id=h, date=on, member_id=last, level=level, annual_cost=c)
            for level in Schooling
            for c in (Decimal(0), Decimal(20000))
        ],
        HouseAppraised: lambda: [HouseAppraised(id="p", household_id=h, date=on, grade=g) for g in HousingGrade],
        BasicNeedsChecked: lambda: [
            BasicNeedsChecked(id="p", household_id=h, date=on),
            BasicNeedsChecked(id="p", household_id=h, date=on, unmet=_NEED),
        ],
        AssistanceGranted: lambda: [AssistanceGranted(id="p", household_id=h, date=on, measure="probe")],
        ExitVerified: lambda: [ExitVerified(id="p", household_id=h, date=on)],
        ReviewCompleted: lambda: [ReviewCompleted(id="p", household_id=h, date=on, review="probe")],
    }
    make = samples.get(cls)
    return None if make is None else make()


def _options(name: str, hint: object, household: Household, on: dt.date, amount: str) -> list[object]:
    """Values to try for a field of a fact kind we know nothing else about, likeliest first."""
    first: list[object] = [household.members[0].id] if name == "member_id" else []
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        first.append(next(iter(hint)))
    return [*first, amount, "probe", on, False, frozenset(), None]


def _samples(cls: type[Fact], household: Household, on: dt.date) -> list[Fact]:
    """Representative facts of ``cls``: built-in kinds by hand; for other kinds, values are
    tried field by field, guided by the fact's own validation (which names the field at fault)."""
    builtin = _builtin_samples(cls, household, on)
    if builtin is not None:
        return builtin
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # annotations of a module that is gone (a script): go by trial alone
        hints = {}
    names = [f.name for f in attrs.fields(cls) if f.name not in ("id", "household_id", "date", "source")]
    make: Callable[..., Fact] = cls
    found = []
    for amount in ("0", "3000", "50000"):
        options = {name: _options(name, hints.get(name), household, on, amount) for name in names}
        pick = dict.fromkeys(names, 0)
        for _ in range(sum(len(values) for values in options.values()) + 1):
            try:
                values = {name: options[name][pick[name]] for name in names}
                found.append(make(id="p", household_id=household.id, date=on, **values))
                break
            except InvalidInput as error:
                field = getattr(error, "field", None)
                if field not in pick or pick[field] + 1 >= len(options[field]):
                    break
                pick[field] += 1
            except (TypeError, ValueError):
                break  # a kind we cannot build a sample of is not probed
    return found


class Probe:
    """Runs every component of a policy on representative inputs, recording what it reads."""

    def __init__(self, policy: Policy, dates: Sequence[dt.date], engine_parameters: Sequence[str]) -> None:
        self.policy = policy
        self.engine_parameters = engine_parameters
        self.logs: dict[str, dict[dt.date, Log]] = {}
        self.errors: dict[str, tuple[dt.date, str]] = {}
        self.kinds: dict[str, set[str]] = {}
        self.grants: dict[str, list[Grant]] = {}
        self.repeats: set[str] = set()  # money interventions that pay again for another risk
        self.paid: set[str] = set()  # interventions seen granting money
        for on in dates:
            self._engine(on)
            risks = self._rules_and_triggers(on)
            self._routes(on, risks)

    def _call(
        self,
        component: str,
        on: dt.date,
        situation: int,
        call: Callable[[Context], object],
        *,
        grants: tuple[Grant, ...] | None = None,
    ) -> object:
        household, state, income, grade, unmet, on_net = _SITUATIONS[situation]
        if grants is None:
            grants = _safety_net(household, on) if on_net else ()

        def context(parameters: ParameterTree) -> Context:
            return Context(
                household=household,
                date=on,
                state=state,
                parameters=parameters,
                income_per_capita=None if income is None else Decimal(income),
                unmet_needs=unmet,
                housing_grade=grade,
                grants=grants,
            )

        log = Log()
        try:
            return call(context(_RecordingTree(self.policy.parameters.parameters, log=log)))
        except (UnknownParameter, ParameterNotInForce):
            return None  # recorded in the log
        except InvalidPolicy as error:
            self.errors.setdefault(component, (on, str(error)))
            return None
        except Exception:
            return None  # a probe input the component does not expect is not a finding
        finally:
            if log.late:
                log.late_escapes = _escapes(call, context(self.policy.parameters))
            self.logs.setdefault(component, {}).setdefault(on, Log()).add(log)

    def _engine(self, on: dt.date) -> None:
        names = self.engine_parameters
        self._call("the engine", on, 0, lambda ctx: [ctx.param(n) for n in names if ctx.has_param(n)])

    def _rules_and_triggers(self, on: dt.date) -> dict[str, list[Risk]]:
        policy = self.policy
        rules = [("identification rule", r) for r in policy.identification]
        rules += [("exit rule", policy.exit_rule), ("relapse rule", policy.relapse_rule)]
        for label, rule in rules:
            for index in range(len(_SITUATIONS)):
                self._call(f"{label} {rule.name}", on, index, rule)
        risks: dict[str, dict[tuple[object, ...], Risk]] = {}
        for trigger in policy.triggers:
            for index, situation in enumerate(_SITUATIONS):
                for cls in trigger.fact_kinds:
                    for fact in _samples(cls, situation[0], on):
                        risk = self._call(f"trigger {trigger.name}", on, index, _detect(trigger, fact))
                        if isinstance(risk, Risk):
                            self.kinds.setdefault(trigger.name, set()).add(risk.kind)
                            same = (risk.cost, risk.member_id, risk.get("level"), risk.get("grade"))
                            risks.setdefault(risk.kind, {}).setdefault(same, risk)
        return {kind: list(found.values())[:8] for kind, found in risks.items()}

    def _routes(self, on: dt.date, risks: dict[str, list[Risk]]) -> None:
        for kind, steps in self.policy.routes.items():
            for found in risks.get(kind) or _synthetic(kind, on):
                for index, situation in enumerate(_SITUATIONS):
                    risk = attrs.evolve(found, household_id=situation[0].id, member_id=_member(found, situation[0]))
                    for route_step in steps:
                        if route_step.condition is not None:
                            self._call(
                                f"condition {route_step.condition.name}", on, index, _bind(route_step.condition, risk)
                            )
                        self._grant(route_step.intervention, risk, on, index)

    def _grant(self, name: str, risk: Risk, on: dt.date, index: int) -> None:
        intervention = self.policy.interventions[name]
        component = f"intervention {name}"
        grant = self._call(component, on, index, lambda ctx: intervention.grant(risk, ctx))
        if not isinstance(grant, Grant):
            return
        self.grants.setdefault(name, []).append(grant)
        if grant.amount is not None:
            self.paid.add(name)
        if grant.amount is None or grant.period is Period.MONTHLY or name in self.repeats:
            return
        # Does it pay again, for another event, once it has paid? ("once" schemes decline.)
        again = attrs.evolve(risk, key=risk.key + ":again")
        if isinstance(
            self._call(component, on, index, lambda ctx: intervention.grant(again, ctx), grants=(grant,)), Grant
        ):
            self.repeats.add(name)


def _detect(trigger: Trigger, fact: Fact) -> Callable[[Context], object]:
    return lambda ctx: trigger.detect(fact, ctx)


def _bind(condition: Callable[[Risk, Context], object], risk: Risk) -> Callable[[Context], object]:
    return lambda ctx: condition(risk, ctx)


def _member(risk: Risk, household: Household) -> str | None:
    if risk.member_id is None or household.has_member(risk.member_id):
        return risk.member_id
    return household.members[0].id


def _synthetic(kind: str, on: dt.date) -> Iterable[Risk]:
    """Risks of a kind no probed trigger produced (lifecycle entries, custom kinds)."""
    for cost in (Decimal(0), Decimal(5000)):
        yield Risk(
            kind=kind,
            household_id="probe",
            date=on,
            severity=Severity.LOW if kind.startswith("entered:") else Severity.HIGH,
            trigger="lifecycle" if kind.startswith("entered:") else "probe",
            fact_id="probe",
            key=f"{kind}:{on.isoformat()}:{cost}",
            cost=cost,
        )


def _escapes(call: Callable[[Context], object], ctx: Context) -> bool:
    """True when ``call`` lets ParameterNotInForce out, with the policy's own parameters."""
    try:
        call(ctx)
    except ParameterNotInForce:
        return True
    except Exception:
        return False  # another failure is another check's business
    return False
