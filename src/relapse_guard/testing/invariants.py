"""The library's invariants, as plain functions of a policy, a household's facts and its result.

Each function returns the :class:`Violation` s it finds (an empty list when the invariant
holds); :func:`check_result` runs them all but ``history_is_append_only``, which compares two
results of one household. :class:`~relapse_guard.testing.PolicyStateMachine` asserts each of
them after every step, and a ``@given`` test can call :func:`check_result` directly::

    @given(histories(household, start, end, policy=policy))
    def test_my_policy(facts):
        result = Engine(policy).run(household, facts, as_of=end)
        assert not check_result(policy, household, facts, result)
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

import attrs

from ..decisions import Decision, DecisionKind
from ..engine import Engine
from ..errors import InvalidArgument, InvalidInput, ParameterError, WrongType, typed_repr
from ..facts import Fact
from ..household import Household
from ..lifecycle import TABLE, State
from ..money import FEN
from ..policy import Policy
from ..result import HouseholdResult
from ..timeline import transition_period

__all__ = [
    "DEADLINE_PARAMETER",
    "INVARIANTS",
    "Violation",
    "amounts_are_sound",
    "check_result",
    "history_is_append_only",
    "monitoring_ends_by_the_period_end",
    "no_risk_is_paid_twice",
    "prefilter_changes_nothing",
    "replay_gives_the_same_result",
    "risks_are_routed_within_the_deadline",
    "transitions_follow_the_lifecycle",
]

#: The dated parameter giving the days within which a detected risk must be routed (0 if absent).
DEADLINE_PARAMETER = "routing.deadline_days"

#: Each invariant by name, with what it asserts.
INVARIANTS: dict[str, str] = {
    "amounts_are_sound": "every amount granted is a finite Decimal, never negative, to the fen",
    "no_risk_is_paid_twice": "no intervention grants twice for one risk, and each grant names the risk it was made for",
    "risks_are_routed_within_the_deadline": "every detected risk has a route, and each step of it is granted or "
    f"skipped within {DEADLINE_PARAMETER} days (0 when the policy lacks it)",
    "monitoring_ends_by_the_period_end": "a monitored household is stable or relapsed by its transition period's end, "
    "and the period is the one the policy's parameters give",
    "replay_gives_the_same_result": "the same facts, shuffled, stored and read back, with a duplicate, give the same "
    "result under a fresh engine",
    "prefilter_changes_nothing": "the engine skipping income assessments under the rules' and triggers' "
    "quiet_from gives what evaluating every fact gives",
    "transitions_follow_the_lifecycle": "every transition is an edge of the lifecycle, from the state the household "
    "was in; refusals leave the state unchanged",
    "history_is_append_only": "facts dated later never change the decisions already made (stateful harness only)",
}


@attrs.frozen
class Violation:
    """An invariant that does not hold for one household, and how."""

    invariant: str
    household_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.invariant}: household {self.household_id}: {self.message}"


def _violation(invariant: str, result: HouseholdResult, message: str) -> Violation:
    return Violation(invariant, result.household_id, message)


def _require_decisions(caller: str, result: HouseholdResult) -> None:
    """Raise :class:`InvalidArgument` for a result made by an engine that records no decisions
    (``Engine(policy, record_decisions=False)``): the invariants that read the decisions, or
    compare the result with a run that records them, would report what is not wrong.

    Such a result is told by what it holds without a decision to explain it (a state, a risk, a
    grant); one that holds nothing would have no decision either, and every invariant holds on it.
    """
    if result.decisions:
        return
    if result.state is not State.NEW or result.risks or result.grants or result.pending or result.eliminated_risks:
        raise InvalidArgument(
            f"{caller}: the result of household {result.household_id!r} records no decisions (state "
            f"{result.state.value}, {len(result.risks)} risks, {len(result.grants)} grants, no decision): it was made "
            "by Engine(policy, record_decisions=False); run the engine with record_decisions=True (the default) "
            "to check it"
        )


def amounts_are_sound(result: HouseholdResult) -> list[Violation]:
    """Every money grant is a finite :class:`~decimal.Decimal`, never negative, rounded to the fen."""
    found = []
    for grant in result.grants:
        amount = grant.amount
        if amount is None:
            continue
        what = f"{grant.intervention} granted {amount!r} on {grant.date} for risk {grant.risk_key}"
        if not isinstance(amount, Decimal) or not amount.is_finite():
            found.append(_violation("amounts_are_sound", result, f"{what}: not a finite Decimal"))
        elif amount < 0:
            found.append(_violation("amounts_are_sound", result, f"{what}: a negative amount"))
        elif amount != amount.quantize(FEN):
            found.append(_violation("amounts_are_sound", result, f"{what}: not rounded to the fen (0.01)"))
    return found


def no_risk_is_paid_twice(result: HouseholdResult) -> list[Violation]:
    """No ``(risk, intervention)`` pair is granted twice; a grant names the risk and the
    intervention it was routed for. An entitlement's recomputed pieces continue it: they count
    as one grant, and no two entitlements of one intervention are in force on the same day."""
    found = []
    for decision in result.decisions:
        grant, risk = decision.grant, decision.risk
        if grant is None or risk is None:
            continue
        if grant.risk_key != risk.key:
            found.append(
                _violation(
                    "no_risk_is_paid_twice",
                    result,
                    f"{decision.rule} on {decision.date} was routed for risk {risk.key} "
                    f"but its grant names risk {grant.risk_key}",
                )
            )
        if decision.rule != f"intervention.{grant.intervention}":
            found.append(
                _violation(
                    "no_risk_is_paid_twice",
                    result,
                    f"{decision.rule} on {decision.date} made a grant that names intervention {grant.intervention!r}",
                )
            )
    counts = Counter((g.risk_key, g.intervention) for g in result.grants if not g.is_entitlement)
    pieces = sorted((g for g in result.grants if g.is_entitlement), key=lambda g: (g.intervention, g.first_day))
    for before, after in itertools.pairwise(pieces):
        if (
            before.intervention == after.intervention
            and (before.ends is None or before.ends > after.first_day)
            and (after.ends is None or after.ends > after.first_day)
        ):
            found.append(
                _violation(
                    "no_risk_is_paid_twice",
                    result,
                    f"{before.intervention} of {before.amount} a month from {before.first_day} is still in force on "
                    f"{after.first_day}, when {after.amount} a month starts",
                )
            )
    for (key, intervention), count in counts.items():
        if count > 1:
            dates = ", ".join(str(g.date) for g in result.grants if (g.risk_key, g.intervention) == (key, intervention))
            found.append(
                _violation(
                    "no_risk_is_paid_twice", result, f"risk {key} was granted {intervention} {count} times ({dates})"
                )
            )
    return found


def _deadline(policy: Policy, on: dt.date) -> int:
    if DEADLINE_PARAMETER not in policy.parameters:
        return 0
    try:
        value = policy.parameters.value(DEADLINE_PARAMETER, on)
    except ParameterError:
        return 0
    return int(value) if isinstance(value, Decimal) else 0


def risks_are_routed_within_the_deadline(policy: Policy, result: HouseholdResult) -> list[Violation]:
    """Each detected risk has a route, and each step of it was first decided (granted, skipped
    or set pending) no earlier than the risk and within ``routing.deadline_days`` of it (0 when
    the policy lacks the parameter): help that comes later must be planned at detection."""
    name = "risks_are_routed_within_the_deadline"
    _require_decisions(name, result)
    found = []
    first: dict[tuple[str, str], Decision] = {}
    for decision in result.decisions:
        # granted, skipped, or any later kind (e.g. pending a case): the step was routed
        if decision.risk is not None and decision.kind not in (DecisionKind.RISK_DETECTED, DecisionKind.TRANSITION):
            first.setdefault((decision.risk.key, decision.rule), decision)
    for risk in result.risks:
        steps = policy.routes.get(risk.kind)
        if not steps:
            found.append(_violation(name, result, f"risk {risk.key} ({risk.kind}, {risk.date}) has no route"))
            continue
        days = _deadline(policy, risk.date)
        latest = risk.date + dt.timedelta(days=days)
        for index, route_step in enumerate(steps):
            routed = first.get((risk.key, f"intervention.{route_step.intervention}"))
            if routed is None:
                found.append(
                    _violation(
                        name, result, f"risk {risk.key}: step {index} ({route_step.intervention}) was never routed"
                    )
                )
            elif not risk.date <= routed.date <= latest:
                found.append(
                    _violation(
                        name,
                        result,
                        f"risk {risk.key} detected on {risk.date}: {route_step.intervention} first "
                        f"{routed.kind.value} on {routed.date}, {(routed.date - risk.date).days} days later; "
                        f"the deadline is {days} days ({DEADLINE_PARAMETER})",
                    )
                )
    return found


def _period(policy: Policy, exit_date: dt.date) -> tuple[dt.date, dt.date]:
    tree = policy.parameters
    starts = tree.value("transition.starts", exit_date)
    years = tree.value("transition.years", exit_date)
    leap_day = tree.value("transition.leap_day", exit_date) if "transition.leap_day" in tree else "feb28"
    if not (isinstance(starts, str) and isinstance(years, Decimal) and isinstance(leap_day, str)):
        raise WrongType(f"transition parameters of the wrong type on {exit_date}: {starts!r}, {years!r}, {leap_day!r}")
    return transition_period(exit_date, starts=starts, years=int(years), leap_day=leap_day)


def monitoring_ends_by_the_period_end(policy: Policy, result: HouseholdResult) -> list[Violation]:
    """After an exit the household is monitored from the start of the transition period the
    policy gives, and stable on its end unless it relapsed before; a household still exited or
    monitored as of the result's date is inside its period, and the result records that period."""
    name = "monitoring_ends_by_the_period_end"
    found: list[str] = []
    transitions = result.transitions
    as_of = result.as_of
    for index, exit_ in enumerate(transitions):
        if exit_.to_state is not State.EXITED:
            continue
        start, end = _period(policy, exit_.date)
        after = [(d.to_state, d.date) for d in transitions[index + 1 : index + 3]]
        if not after or (after == [(State.MONITORED, start)]):
            state, due = (State.EXITED, start) if not after else (State.MONITORED, end)
            if as_of is not None and as_of >= due:
                found.append(f"still {state.value} as of {as_of}, though its transition period ran {start} to {end}")
            if (result.monitoring_starts_on, result.monitoring_ends_on) != (start, end):
                found.append(
                    f"records the period {result.monitoring_starts_on} to {result.monitoring_ends_on}; "
                    f"the policy gives {start} to {end} for the exit on {exit_.date}"
                )
            continue
        next_state, on = after[0]
        if next_state is State.RELAPSED and on < start:
            continue
        if (next_state, on) != (State.MONITORED, start):
            found.append(f"exited on {exit_.date}, then {_shown(next_state)} on {on}; expected monitored on {start}")
            continue
        next_state, on = after[1]
        if (next_state, on) != (State.STABLE, end) and not (next_state is State.RELAPSED and on < end):
            found.append(
                f"monitored from {start}, then {_shown(next_state)} on {on}; expected stable on {end} "
                "or relapsed before it"
            )
    return [_violation(name, result, message) for message in found]


def _shown(state: State | None) -> str:
    return "nothing" if state is None else state.value


def replay_gives_the_same_result(
    policy: Policy, household: Household, facts: Sequence[Fact], result: HouseholdResult
) -> list[Violation]:
    """Running the facts again — shuffled, through ``to_dict`` and the policy's fact kinds,
    with one sent twice, on a fresh :class:`~relapse_guard.engine.Engine` — gives ``result``."""
    name = "replay_gives_the_same_result"
    _require_decisions(name, result)
    shuffled = list(facts)
    random.Random(len(shuffled)).shuffle(shuffled)
    try:
        stored = [policy.fact_kinds.parse(fact.to_dict()) for fact in shuffled]
    except InvalidInput as error:
        return [_violation(name, result, f"a fact does not read back from its dict: {error}")]
    again = Engine(policy).run(household, [*stored, *shuffled[:1]], as_of=result.as_of)
    if again == result:
        return []
    hint = (
        " (is a rule, trigger, condition or intervention impure: it keeps state between runs, "
        "or reads the clock or randomness?)"
    )
    for first, second in zip(result.decisions, again.decisions, strict=False):
        if first != second:
            shown = f"first run: {first.explain()}\n  replay:    {second.explain()}"
            return [_violation(name, result, f"replay differs at decision {first.sequence}{hint}:\n  {shown}")]
    shorter = min(len(result.decisions), len(again.decisions))
    extra = (again.decisions if len(again.decisions) > shorter else result.decisions)[shorter:]
    which = "replay" if len(again.decisions) > shorter else "first run"
    shown = f"; the {which} goes on with: {extra[0].explain()}" if extra else ""
    return [
        _violation(
            name,
            result,
            f"replay gives {len(again.decisions)} decisions and state {again.state.value}, "
            f"first run {len(result.decisions)} and {result.state.value}{hint}{shown}",
        )
    ]


def prefilter_changes_nothing(
    policy: Policy, household: Household, facts: Sequence[Fact], result: HouseholdResult
) -> list[Violation]:
    """Evaluating every fact (``Engine(policy, prefilter=False)``) gives ``result``.

    The engine skips an income assessment when every rule and trigger it would be evaluated
    by declares, through ``quiet_from``, that it cannot fire; a ``quiet_from`` that promises
    too much shows here as a decision the prefiltered run missed. Policy code that is not pure
    (it keeps state between runs, or reads the clock or randomness) shows here too, as every
    run differs: :func:`replay_gives_the_same_result` tells the two apart.
    """
    _require_decisions("prefilter_changes_nothing", result)
    full = Engine(policy, prefilter=False).run(household, facts, as_of=result.as_of)
    if full == result:
        return []
    for ours, theirs in zip(result.decisions, full.decisions, strict=False):
        if ours != theirs:
            shown = f"prefiltered: {ours.explain()}\n  every fact:  {theirs.explain()}"
            break
    else:
        shorter = min(len(result.decisions), len(full.decisions))
        longer = full.decisions if len(full.decisions) > shorter else result.decisions
        shown = f"one run goes on with: {longer[shorter].explain()}" if len(longer) > shorter else "same decisions"
    return [
        _violation(
            "prefilter_changes_nothing",
            result,
            "evaluating every fact gives another result (does a quiet_from promise more than its rule or "
            "trigger keeps? Or is a rule, trigger, condition or intervention impure: it keeps state between runs, "
            f"or reads the clock or randomness? replay_gives_the_same_result tells which):\n  {shown}",
        )
    ]


def transitions_follow_the_lifecycle(result: HouseholdResult) -> list[Violation]:
    """Transitions form a path through the lifecycle table from ``new`` to the result's state."""
    name = "transitions_follow_the_lifecycle"
    _require_decisions(name, result)
    found = []
    edges = {(source, dest) for (source, _event), (dest, _guard) in TABLE.items()}
    state = State.NEW
    since: dt.date | None = None
    for decision in result.decisions:
        refused = decision.kind is DecisionKind.TRANSITION_REFUSED
        if refused and (decision.to_state is not None or decision.from_state is not state):
            found.append(_violation(name, result, f"refusal on {decision.date} is not from {state.value} to nowhere"))
        if decision.kind is not DecisionKind.TRANSITION:
            continue
        dest = decision.to_state
        if decision.from_state is not state or dest is None or (state, dest) not in edges:
            shown = dest.value if dest is not None else None
            found.append(
                _violation(
                    name,
                    result,
                    f"{decision.rule} on {decision.date} moves {decision.from_state} -> {shown} "
                    f"while the household is {state.value}; the lifecycle has no such move",
                )
            )
        if dest is not None:
            state, since = dest, decision.date
    if state is not result.state or since != result.state_since:
        found.append(
            _violation(
                name,
                result,
                f"transitions end in {state.value} since {since}, the result says "
                f"{result.state.value} since {result.state_since}",
            )
        )
    return found


def history_is_append_only(previous: HouseholdResult, result: HouseholdResult) -> list[Violation]:
    """``result`` (after later facts) starts with every decision of ``previous``."""
    old, new = previous.decisions, result.decisions
    if new[: len(old)] == old:
        return []
    index = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(new))
    before = old[index].explain() if index < len(old) else "-"
    return [_violation("history_is_append_only", result, f"decision {index} changed after later facts: was {before}")]


def check_result(
    policy: Policy,
    household: Household,
    facts: Sequence[Fact],
    result: HouseholdResult,
) -> tuple[Violation, ...]:
    """Every invariant but ``history_is_append_only`` (which compares a result with the one before
    later facts, as the harness does), for one household's ``result`` of ``facts`` under ``policy``:
    ``amounts_are_sound``, ``no_risk_is_paid_twice``, ``risks_are_routed_within_the_deadline``,
    ``monitoring_ends_by_the_period_end``, ``replay_gives_the_same_result``,
    ``prefilter_changes_nothing`` and ``transitions_follow_the_lifecycle``.

    ``result`` must record its decisions (an engine made with ``record_decisions=False`` gives
    results that do not: :class:`~relapse_guard.errors.InvalidArgument`). Arguments of the wrong
    type raise :class:`~relapse_guard.errors.WrongType`.
    """
    if not isinstance(policy, Policy):
        hint = f": call load_policy({policy!r}) to get one" if isinstance(policy, str) else ""
        raise WrongType(f"check_result needs a Policy, not {typed_repr(policy)}{hint}")
    if not isinstance(household, Household):
        raise WrongType(f"check_result: household must be a Household, not {typed_repr(household)}")
    if isinstance(facts, str | bytes) or not isinstance(facts, Sequence):
        raise WrongType(f"check_result: facts must be a sequence of facts, not {typed_repr(facts)}")
    for index, fact in enumerate(facts):
        if not isinstance(fact, Fact):
            raise WrongType(f"check_result: facts[{index}] must be a Fact, not {typed_repr(fact)}")
    if not isinstance(result, HouseholdResult):
        raise WrongType(
            f"check_result: result must be a HouseholdResult (Engine(policy).run(...)), not {typed_repr(result)}"
        )
    if result.household_id != household.id:
        raise InvalidArgument(
            f"check_result: result is of household {result.household_id!r}, not of household {household.id!r}"
        )
    _require_decisions("check_result", result)
    return (
        *amounts_are_sound(result),
        *no_risk_is_paid_twice(result),
        *risks_are_routed_within_the_deadline(policy, result),
        *monitoring_ends_by_the_period_end(policy, result),
        *replay_gives_the_same_result(policy, household, facts, result),
        *prefilter_changes_nothing(policy, household, facts, result),
        *transitions_follow_the_lifecycle(result),
    )
