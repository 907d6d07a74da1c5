"""Policies: parameters (dated data) plus rules, triggers, interventions, routes and reviews.

A :class:`Policy` is a value. A custom policy derives from another with :meth:`Policy.derive`
— change a parameter from a date, add or replace a trigger, reroute a risk — without
copying it; the base is left unchanged. Its static checks are
:func:`relapse_guard.checks.check_policy` (the policy itself does not depend on them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import FunctionType
from typing import Any

import attrs

from .cases import NATIONAL_PROCEDURES, Procedure
from .errors import InvalidParameter, InvalidPolicy, UnknownParameter, WrongType, close_names, typed_repr
from .facts import DEFAULT_FACT_KINDS, Fact, FactKinds
from .interventions.base import Intervention
from .parameters import ParameterTree, Value
from .result import HouseholdResult
from .reviews import Review, ReviewStatus, review_status
from .routing import Condition, RouteStep
from .rules import EXIT_RULE, INCOME_BELOW_LINE, RELAPSE_RULE, Rule
from .triggers.base import Trigger

__all__ = ["Policy"]

Routes = Mapping[str, tuple[RouteStep, ...]]

#: Parameters every policy needs: the engine reads them for the lifecycle.
REQUIRED_PARAMETERS = ("poverty_line", "transition.years", "transition.starts")


def _check(policy: Policy) -> None:
    label = policy.label
    missing = [name for name in REQUIRED_PARAMETERS if name not in policy.parameters]
    if missing:
        raise InvalidPolicy(f"policy {label}: missing parameter(s) {', '.join(missing)}")
    if not policy.identification:
        raise InvalidPolicy(f"policy {label}: needs at least one identification rule")
    for index, rule in enumerate(policy.identification):
        _check_rule(label, f"identification[{index}]", rule)
    _check_rule(label, "exit_rule", policy.exit_rule)
    _check_rule(label, "relapse_rule", policy.relapse_rule)
    for trigger in policy.triggers:
        _check_trigger(label, trigger)
    names = [t.name for t in policy.triggers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidPolicy(f"policy {label}: trigger name(s) used twice: {', '.join(duplicates)}")
    for name, intervention in policy.interventions.items():
        if not callable(getattr(intervention, "grant", None)):
            raise InvalidPolicy(
                f"policy {label}: intervention {name!r} is {typed_repr(intervention)}, "
                "which has no grant(risk, ctx) method"
            )
        if intervention.name != name:
            raise InvalidPolicy(f"policy {label}: intervention registered as {name!r} is named {intervention.name!r}")
    for kind, steps in policy.routes.items():
        for index, route_step in enumerate(steps):
            if not isinstance(route_step, RouteStep):
                raise InvalidPolicy(
                    f"policy {label}: route {kind!r} step {index} is {typed_repr(route_step)}; expected a step: "
                    f"routes={{{kind!r}: [step('medical_aid'), ...]}} (relapse_guard.routing.step)"
                )
            condition = route_step.condition
            if condition is not None and not isinstance(condition, Condition):
                raise InvalidPolicy(
                    f"policy {label}: route {kind!r} step {index} has condition {_shown(condition)}; expected a "
                    "Condition: wrap it in Condition(name, description, test), as "
                    "step('safety_net', when=Condition('poor', 'income left under the standard', test))"
                )
            if route_step.intervention not in policy.interventions:
                known = sorted(policy.interventions)
                close = close_names(route_step.intervention, known, limit=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InvalidPolicy(
                    f"policy {label}: route {kind!r} step {index} names intervention "
                    f"{route_step.intervention!r}, which the policy does not have{hint} (it has: "
                    f"{', '.join(known) or 'none'})"
                )
    unknown = sorted(policy.decision_required - set(policy.interventions))
    if unknown:
        raise InvalidPolicy(f"policy {label}: decision_required names unknown intervention(s) {', '.join(unknown)}")
    review_names = [r.name for r in policy.reviews]
    if len(set(review_names)) != len(review_names):
        raise InvalidPolicy(f"policy {label}: two reviews share a name")
    for procedure in policy.procedures:
        if not isinstance(procedure, Procedure):
            raise InvalidPolicy(f"policy {label}: procedures holds {procedure!r}, not a Procedure")
    procedure_names = [p.name for p in policy.procedures]
    if len(set(procedure_names)) != len(procedure_names):
        raise InvalidPolicy(f"policy {label}: two procedures share a name ({', '.join(procedure_names)})")


def _check_rule(label: str, where: str, rule: object) -> None:
    """A rule the engine can run: a :class:`Rule` (a plain function has no name to record)."""
    if not isinstance(rule, Rule):
        raise InvalidPolicy(
            f"policy {label}: {where} is {_shown(rule)}; expected a Rule: wrap it in Rule(name, description, "
            "test), e.g. Rule('dibao_edge', 'income under 1.5 x the standard', test)"
        )


def _shown(value: object) -> str:
    """``value`` for a message: a function by its name (its repr carries an address), else typed."""
    if isinstance(value, FunctionType):
        return f"the function {value.__qualname__!r}"
    return typed_repr(value)


def _rules(items: Iterable[Rule]) -> tuple[Rule, ...]:
    """The converter of ``identification``: a list of rules becomes a tuple; one rule alone (or
    anything else not a collection) is refused, not iterated."""
    if isinstance(items, Rule):
        raise WrongType(
            f"identification is one Rule ({items.name!r}); expected a list of rules: identification=[rule], "
            "or [*policy.identification, rule] to add it to a policy's"
        )
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise WrongType(f"identification is {_shown(items)}; expected a list of rules: identification=[rule]")
    return tuple(items)


def _check_trigger(label: str, trigger: object) -> None:
    """A trigger the engine can run: a name, ``detect`` and the fact classes it reads."""
    name = getattr(trigger, "name", None)
    if not isinstance(name, str) or not callable(getattr(trigger, "detect", None)):
        raise InvalidPolicy(
            f"policy {label}: trigger {typed_repr(trigger)} needs a name (str) and a detect(fact, ctx) method"
        )
    kinds = getattr(trigger, "fact_kinds", None)
    if kinds is None:
        raise InvalidPolicy(
            f"policy {label}: trigger {name!r} has no fact_kinds: the fact classes it reads, e.g. (DisasterReported,)"
        )
    wrong = [kind for kind in _items(kinds) if not (isinstance(kind, type) and issubclass(kind, Fact))]
    if wrong:
        raise InvalidPolicy(
            f"policy {label}: trigger {name!r}: fact_kinds must be fact classes, e.g. (DisasterReported,), "
            f"not kind names; found {typed_repr(wrong[0])}"
        )


def _items(value: object) -> tuple[object, ...]:
    """``value``'s items when it is a collection (not text), else ``value`` alone."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


def _interventions(
    items: Mapping[str, Intervention] | Iterable[Intervention], label: str = ""
) -> dict[str, Intervention]:
    """Interventions by name; a list must name each once (``label``: the policy's, for the message)."""
    of = f"policy {label}: " if label else ""
    if isinstance(items, Mapping):
        return dict(items)
    listed = list(items)
    for item in listed:
        if not isinstance(getattr(item, "name", None), str):
            raise InvalidPolicy(f"{of}intervention {typed_repr(item)} needs a name (str) and a grant(risk, ctx) method")
    names = [item.name for item in listed]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidPolicy(
            f"{of}intervention name(s) used twice: {', '.join(duplicates)} (one would replace the other)"
        )
    return {item.name: item for item in listed}


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """The converter of the policy's sequences (rules, triggers, reviews, procedures, sources):
    any iterable, a list say, becomes a tuple. Not generic: the attrs mypy plugin cannot solve
    a type variable in a converter, so each field's annotation gives its element type."""
    return tuple(items)


def _names(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items)


def _routes(routes: Mapping[str, Sequence[RouteStep]]) -> dict[str, tuple[RouteStep, ...]]:
    return {kind: tuple(steps) for kind, steps in routes.items()}


def _timelines(
    given: Mapping[str, Mapping[dt.date, Value | int]] | None, argument: str
) -> list[tuple[str, Mapping[dt.date, Value | int]]]:
    """``derive``'s ``parameters``/``new_parameters``, checked for shape: name -> {date: value}."""
    if given is None:
        return []
    expected = "mapping of effective date to value, e.g. {datetime.date(2016, 1, 1): 300}"
    if not isinstance(given, Mapping):
        raise InvalidParameter(argument, None, given, f"a mapping of parameter name to a {expected}")
    out = []
    for name, timeline in given.items():
        if not isinstance(name, str) or not name:
            raise InvalidParameter(str(name), None, timeline, f"{argument} keyed by parameter names (strings)")
        if not isinstance(timeline, Mapping) or not timeline:
            raise InvalidParameter(name, None, timeline, f"a non-empty {expected}")
        for effective in timeline:
            if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
                raise InvalidParameter(
                    name, None, effective, f"effective dates as datetime.date: a {expected}", what="date key"
                )
        out.append((name, timeline))
    return out


@attrs.frozen(kw_only=True)
class Policy:
    """Everything the engine needs to decide for a household.

    ``interventions`` may be given as a list (keyed by each one's ``name``); ``routes`` map
    a risk kind (or ``entered:<state>``) to steps. Raises
    :class:`~relapse_guard.errors.InvalidPolicy` when a route names an intervention the policy
    lacks, a required parameter is missing, two triggers share a name, or a rule or a route
    step's condition is not a :class:`~relapse_guard.rules.Rule` or
    :class:`~relapse_guard.routing.Condition` (a plain function); ``identification`` given as
    one rule, not a list, raises :class:`~relapse_guard.errors.WrongType`.
    """

    name: str
    version: str = "1"
    description: str = ""
    parameters: ParameterTree
    identification: tuple[Rule, ...] = attrs.field(default=(INCOME_BELOW_LINE,), converter=_rules)
    exit_rule: Rule = EXIT_RULE
    relapse_rule: Rule = RELAPSE_RULE
    triggers: tuple[Trigger, ...] = attrs.field(default=(), converter=_tuple)
    interventions: Mapping[str, Intervention] = attrs.field(factory=dict, converter=_interventions)
    routes: Routes = attrs.field(factory=dict, converter=_routes)
    reviews: tuple[Review, ...] = attrs.field(default=(), converter=_tuple)
    fact_kinds: FactKinds = DEFAULT_FACT_KINDS
    #: Whether an intervention granted by routing counts as assistance (identified/relapsed -> assisted).
    assist_on_grant: bool = True
    #: Interventions that wait for a decided identification case before they are granted;
    #: an emergency grant (emergency-type temporary relief: help first, paperwork after) is paid
    #: at once; expenditure-type relief (a medical bill, school costs) waits like the others.
    decision_required: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    #: The case procedures (see :mod:`relapse_guard.cases`); national identification and risk elimination by default.
    procedures: tuple[Procedure, ...] = attrs.field(default=NATIONAL_PROCEDURES, converter=_tuple)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    derived_from: str | None = None

    def __attrs_post_init__(self) -> None:
        _check(self)

    @property
    def label(self) -> str:
        """``name@version``, as decisions record it."""
        return f"{self.name}@{self.version}"

    def reviews_due(self, result: HouseholdResult, as_of: dt.date) -> tuple[ReviewStatus, ...]:
        """This policy's scheduled reviews for a household as of ``as_of``: due, overdue or done.

        Reviews count from the day the household entered its current state; a household that
        never entered one (``new``) has none.
        """
        if result.state_since is None:
            return ()
        return review_status(
            self.reviews,
            household_id=result.household_id,
            state=result.state,
            state_since=result.state_since,
            completed=result.reviews_completed,
            as_of=as_of,
        )

    def derive(
        self,
        *,
        name: str,
        version: str = "1",
        description: str | None = None,
        parameters: Mapping[str, Mapping[dt.date, Value | int]] | None = None,
        new_parameters: Mapping[str, Mapping[dt.date, Value | int]] | None = None,
        parameter_tree: ParameterTree | None = None,
        triggers: Iterable[Trigger] = (),
        remove_triggers: Iterable[str] = (),
        interventions: Iterable[Intervention] = (),
        routes: Mapping[str, Sequence[RouteStep] | None] | None = None,
        reviews: Iterable[Review] | None = None,
        identification: Iterable[Rule] | None = None,
        exit_rule: Rule | None = None,
        relapse_rule: Rule | None = None,
        fact_kinds: FactKinds | None = None,
        decision_required: Iterable[str] | None = None,
        procedures: Iterable[Procedure] | None = None,
        sources: Iterable[str] = (),
    ) -> Policy:
        """A new policy based on this one, changed only where told.

        - ``parameters={"safety_net.standard": {date(2016, 1, 1): 230}}`` adds dated values to
          parameters the policy has, each with the reference ``"set by policy NAME@VERSION
          (derived from BASE@VERSION)"`` (the values it does not replace keep theirs; to give a
          reference of your own, give the values in a ``parameter_tree`` with its ``reference``,
          as a parameter file does): a name it does not have raises
          :class:`~relapse_guard.errors.UnknownParameter` ("did you mean ...?"), a timeline that is
          not a ``{date: value}`` mapping or a value the parameter refuses (not finite, outside its
          ``min``/``max``) :class:`~relapse_guard.errors.InvalidParameter`;
        - ``new_parameters`` (same shape, the same reference) declares parameters the policy does not
          have yet (a name it has raises :class:`~relapse_guard.errors.InvalidParameter`: change it
          with ``parameters``);
        - ``parameter_tree`` lays a tree's dated values over this policy's timelines (a value
          replaces only the one of the same date, and carries the tree's reference; see
          :meth:`ParameterTree.overlaid`); its
          parameters may be new (a tree declares them, with description, unit and bounds), so a
          misspelt name there is a new parameter: ``check_policy`` reports it (``parameter_unread``);
        - ``triggers`` are added, replacing any of the same name; ``remove_triggers`` by name;
        - ``interventions`` are added or replace those of the same name;
        - ``routes`` replace the route of each kind given (``None`` removes it);
        - ``reviews``, rules, ``fact_kinds``, ``decision_required`` and ``procedures`` replace this
          policy's when given.
        """
        tree = self.parameters if parameter_tree is None else self.parameters.overlaid(parameter_tree)
        # a value set here in code has no source but this policy: said so, never the base value's
        set_here = f"set by policy {name}@{version} (derived from {self.label})"
        for parameter_name, timeline in _timelines(parameters, "parameters"):
            if parameter_name not in tree:
                raise UnknownParameter(
                    parameter_name,
                    tree,
                    context=f"policy {self.label}: derive(parameters=...)",
                    advice="declare a new parameter with derive(new_parameters=...) or parameter_tree=",
                )
            for effective_from, value in timeline.items():
                tree = tree.with_value(parameter_name, effective_from, value, reference=set_here)
        for parameter_name, timeline in _timelines(new_parameters, "new_parameters"):
            if parameter_name in tree:
                raise InvalidParameter(
                    parameter_name,
                    None,
                    dict(timeline),
                    f"a name the policy does not have yet: {self.label} has {parameter_name!r} already "
                    "(change its values with derive(parameters=...))",
                )
            for effective_from, value in timeline.items():
                tree = tree.with_value(parameter_name, effective_from, value, reference=set_here)
        removed = set(remove_triggers)
        new_triggers = list(triggers)
        new_names = {t.name for t in new_triggers}
        unknown = removed - {t.name for t in self.triggers}
        if unknown:
            raise InvalidPolicy(f"policy {self.label}: cannot remove unknown trigger(s) {', '.join(sorted(unknown))}")
        kept = [t for t in self.triggers if t.name not in removed and t.name not in new_names]
        new_routes = dict(self.routes)
        for kind, steps in (routes or {}).items():
            if steps is None:
                new_routes.pop(kind, None)
            elif isinstance(steps, str | RouteStep):
                raise InvalidPolicy(
                    f"policy {name}@{version}: route {kind!r} is {typed_repr(steps)}; expected a list of steps: "
                    f"routes={{{kind!r}: [step('medical_aid'), ...]}} (relapse_guard.routing.step)"
                )
            else:
                new_routes[kind] = tuple(steps)
        return Policy(
            name=name,
            version=version,
            description=self.description if description is None else description,
            parameters=tree,
            identification=self.identification if identification is None else _rules(identification),
            exit_rule=exit_rule or self.exit_rule,
            relapse_rule=relapse_rule or self.relapse_rule,
            triggers=(*kept, *new_triggers),
            interventions={**self.interventions, **_interventions(interventions, f"{name}@{version}")},
            routes=new_routes,
            reviews=self.reviews if reviews is None else tuple(reviews),
            fact_kinds=fact_kinds or self.fact_kinds,
            assist_on_grant=self.assist_on_grant,
            decision_required=self.decision_required if decision_required is None else _names(decision_required),
            procedures=self.procedures if procedures is None else tuple(procedures),
            sources=(*self.sources, *sources),
            derived_from=self.label,
        )
