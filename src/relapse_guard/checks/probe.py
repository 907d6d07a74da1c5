"""The probe behind the static checks: every component of a policy run on representative inputs.

Rules, triggers, route conditions and interventions are called in each of the
:data:`~relapse_guard.checks.samples.SITUATIONS` (a few households in each lifecycle state),
with representative facts of every kind they look at
(:func:`~relapse_guard.checks.samples.sample_facts`), on each date asked for. Parameters are
read through a recording tree, which notes in a :class:`Log` every name read, those the policy
lacks and those read before their first value (answering with the first value, so that
probing goes on). A :class:`Probe` keeps what it saw: the logs, the values components
refused, what components raised, the risk kinds each trigger produced and the grants each
intervention made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import attrs

from ..context import Context
from ..decisions import Grant, Period, Risk, Severity
from ..engine.answers import checked_grant, checked_risk, checked_verdict
from ..errors import InvalidPolicy, ParameterError, ParameterNotInForce, PluginFailed, UnknownParameter
from ..facts import Fact
from ..household import Household
from ..parameters import ParameterTree, ParameterValue
from ..routing import is_occasion
from ..triggers.base import Trigger
from .samples import SITUATIONS, safety_net_grants, sample_facts

_A = TypeVar("_A")

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


class Probe:
    """Runs every component of ``policy`` on representative inputs on each of ``dates``, at once,
    recording what it reads; ``engine_parameters`` are read as the component ``the engine``.

    Components are named as findings name them: ``"trigger illness"``,
    ``"intervention safety_net"``, ``"identification rule income_below_line"``, ... What a
    component raises on one probe input is not a finding (the input may be one it never meets);
    :attr:`failures` keeps, for each component, how many of its calls raised and the first error,
    so that one that raises on every input can be reported.
    """

    def __init__(self, policy: Policy, dates: Sequence[dt.date], engine_parameters: Sequence[str]) -> None:
        self.policy = policy
        self.engine_parameters = engine_parameters
        #: What each component read, by date.
        self.logs: dict[str, dict[dt.date, Log]] = {}
        #: The first InvalidPolicy each component raised: the date and the message.
        self.errors: dict[str, tuple[dt.date, str]] = {}
        #: The risk kinds each trigger (by name) produced.
        self.kinds: dict[str, set[str]] = {}
        #: The grants each intervention (by name) made.
        self.grants: dict[str, list[Grant]] = {}
        #: Money interventions that pay again for another risk once they have paid.
        self.repeats: set[str] = set()
        #: Interventions seen granting money.
        self.paid: set[str] = set()
        #: How many times each component was called.
        self.calls: dict[str, int] = {}
        #: For each component that raised (but for the parameter errors above): how many of its
        #: calls raised, and the date and error of the first.
        self.failures: dict[str, tuple[int, dt.date, Exception]] = {}
        #: For each trigger or intervention that gave back what the engine refuses (a ``bool``
        #: for a risk, a float amount): the date and what was wrong with the first such answer.
        self.wrong: dict[str, tuple[dt.date, str]] = {}
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
        household, state, income, grade, unmet, on_net = SITUATIONS[situation]
        if grants is None:
            grants = safety_net_grants(household, on) if on_net else ()

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
        self.calls[component] = self.calls.get(component, 0) + 1
        try:
            return call(context(_RecordingTree(self.policy.parameters.parameters, log=log)))
        except (UnknownParameter, ParameterNotInForce):
            return None  # recorded in the log
        except InvalidPolicy as error:
            self.errors.setdefault(component, (on, str(error)))
            return None
        except ParameterError:
            return None  # a parameter's own fault (an expired value): the parameter checks report it
        except Exception as error:  # one probe input it does not expect is no finding; every one is
            count, first_on, first = self.failures.get(component, (0, on, error))
            self.failures[component] = (count + 1, first_on, first)
            return None
        finally:
            if log.late:
                log.late_escapes = _escapes(call, context(self.policy.parameters))
            self.logs.setdefault(component, {}).setdefault(on, Log()).add(log)

    def _checked(self, component: str, name: str, on: dt.date, check: Callable[..., _A], answer: object) -> _A | None:
        """``answer`` of the rule, condition, trigger or intervention ``name`` if ``check`` takes it as the engine
        would, else None, the first such answer kept in :attr:`wrong` (a finding: the engine
        refuses it on any input)."""
        try:
            return check(answer, "probe", name, "probe")
        except PluginFailed as failed:
            self.wrong.setdefault(component, (on, str(failed.error)))
            return None

    def _verdict(
        self, component: str, plugin: str, on: dt.date, test: Callable[[Context], object]
    ) -> Callable[[Context], object]:
        """``test`` (a rule or a bound condition), its answer checked as the engine checks it: one
        that is not a Verdict is kept in :attr:`wrong`."""

        def checked(ctx: Context) -> object:
            verdict = test(ctx)
            self._checked(component, plugin, on, checked_verdict, verdict)
            return verdict

        return checked

    def _engine(self, on: dt.date) -> None:
        names = self.engine_parameters
        self._call("the engine", on, 0, lambda ctx: [ctx.param(n) for n in names if ctx.has_param(n)])

    def _rules_and_triggers(self, on: dt.date) -> dict[str, list[Risk]]:
        policy = self.policy
        rules = [("identification rule", r) for r in policy.identification]
        rules += [("exit rule", policy.exit_rule), ("relapse rule", policy.relapse_rule)]
        for label, rule in rules:
            component = f"{label} {rule.name}"
            role = "identification" if label == "identification rule" else label.removesuffix(" rule")
            for index in range(len(SITUATIONS)):
                self._call(component, on, index, self._verdict(component, f"{role}.{rule.name}", on, rule))
        risks: dict[str, dict[tuple[object, ...], Risk]] = {}
        for trigger in policy.triggers:
            for index, situation in enumerate(SITUATIONS):
                for cls in trigger.fact_kinds:
                    for fact in sample_facts(cls, situation.household, on):
                        risk = self._call(f"trigger {trigger.name}", on, index, _detect(trigger, fact))
                        if risk is not None:
                            risk = self._checked(f"trigger {trigger.name}", trigger.name, on, checked_risk, risk)
                        if isinstance(risk, Risk):
                            self.kinds.setdefault(trigger.name, set()).add(risk.kind)
                            same = (risk.cost, risk.member_id, risk.get("level"), risk.get("grade"))
                            risks.setdefault(risk.kind, {}).setdefault(same, risk)
        return {kind: list(found.values())[:8] for kind, found in risks.items()}

    def _routes(self, on: dt.date, risks: dict[str, list[Risk]]) -> None:
        for kind, steps in self.policy.routes.items():
            for found in risks.get(kind) or _synthetic(kind, on):
                for index, situation in enumerate(SITUATIONS):
                    home = situation.household
                    risk = attrs.evolve(found, household_id=home.id, member_id=_member(found, home))
                    for route_step in steps:
                        if route_step.condition is not None:
                            condition = route_step.condition
                            component = f"condition {condition.name}"
                            test = self._verdict(component, f"condition.{condition.name}", on, _bind(condition, risk))
                            self._call(component, on, index, test)
                        self._grant(route_step.intervention, risk, on, index)

    def _grant(self, name: str, risk: Risk, on: dt.date, index: int) -> None:
        intervention = self.policy.interventions[name]
        component = f"intervention {name}"
        grant = self._call(component, on, index, lambda ctx: intervention.grant(risk, ctx))
        if grant is not None:
            grant = self._checked(component, name, on, checked_grant, grant)
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
            severity=Severity.LOW if is_occasion(kind) else Severity.HIGH,
            trigger="lifecycle" if is_occasion(kind) else "probe",
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
