"""Replaying cases from facts, and opening them.

:func:`replay_case` orders a case's facts as the engine orders a household's (date, kind,
id — so any input order gives the same case), drops exact duplicates, and folds them through
:meth:`~relapse_guard.cases.case.CaseState.advance`. :func:`replay_cases` does it for every
case in a feed, each with the procedure its CaseOpened names. :func:`open_case` makes the
CaseOpened fact of a new case, checking the procedure's start condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from ..errors import CaseCannotStart, ConflictingFact, InvalidCaseStep, UnknownPlugin
from ..facts import CaseOpened, CaseStepRecorded, Fact, Source
from ..rules import Verdict
from .case import NOT_OPENED, CaseState
from .procedure import Procedure, StartContext

__all__ = ["check_start", "group_cases", "open_case", "procedure_named", "replay_case", "replay_cases"]

_CaseFact = CaseOpened | CaseStepRecorded


def _collect(facts: Iterable[Fact], case_id: str | None) -> list[_CaseFact]:
    """The case facts (of ``case_id`` if given), exact duplicates dropped, in the engine's order."""
    by_id: dict[str, _CaseFact] = {}
    for fact in facts:
        if not isinstance(fact, _CaseFact) or (case_id is not None and fact.case_id != case_id):
            continue
        seen = by_id.get(fact.id)
        if seen is None:
            by_id[fact.id] = fact
        elif seen != fact:
            raise ConflictingFact(
                fact.household_id, "id", fact.id, "one fact per id (another fact with this id differs)", fact_id=fact.id
            )
    return sorted(by_id.values(), key=Fact.sort_key)


def _opening(ordered: list[_CaseFact]) -> CaseOpened:
    """The case's one CaseOpened, first in order; raise when it is missing, doubled or late."""
    first = ordered[0]
    openings = [fact for fact in ordered if isinstance(fact, CaseOpened)]
    if isinstance(first, CaseOpened) and len(openings) == 1:
        return first
    if not openings:
        reason, culprit = "the case has no CaseOpened fact", first
    elif len(openings) > 1:
        reason, culprit = "the case is opened twice (" + ", ".join(repr(f.id) for f in openings) + ")", openings[1]
    else:
        reason, culprit = f"the record is dated before the case was opened ({openings[0].date.isoformat()})", first
    raise InvalidCaseStep(
        culprit.case_id,
        culprit.household_id,
        step=culprit.step if isinstance(culprit, CaseStepRecorded) else None,
        state=NOT_OPENED,
        outcome=culprit.outcome if isinstance(culprit, CaseStepRecorded) else "open",
        reason=reason,
        fact_id=culprit.id,
    )


def _replay_ordered(procedure: Procedure, ordered: list[_CaseFact]) -> CaseState:
    case = CaseState.opened(procedure, _opening(ordered))
    for fact in ordered[1:]:
        assert isinstance(fact, CaseStepRecorded)
        case = case.advance(fact)
    return case


def replay_case(procedure: Procedure, facts: Iterable[Fact], *, case_id: str | None = None) -> CaseState:
    """The case after its facts: the CaseOpened and CaseStepRecorded facts (of ``case_id`` if given).

    Other facts are ignored, so a household's whole history may be passed with ``case_id``.
    Facts are applied in the engine's order (date, kind, id), whatever the input order; exact
    duplicates are dropped. Raises :class:`~relapse_guard.errors.InvalidCaseStep` for a
    record the procedure refuses, a case not opened or opened twice, or facts of several
    cases without ``case_id``; :class:`~relapse_guard.errors.ConflictingFact` for two
    different facts with one id.
    """
    ordered = _collect(facts, case_id)
    if not ordered:
        raise InvalidCaseStep(
            case_id or "?", "?", step=None, state=NOT_OPENED, outcome="open", reason="no facts of the case were given"
        )
    cases = sorted({fact.case_id for fact in ordered})
    if len(cases) > 1:
        raise InvalidCaseStep(
            ", ".join(cases),
            ordered[0].household_id,
            step=None,
            state=NOT_OPENED,
            outcome="open",
            reason="facts of several cases were given: pass case_id=, or use replay_cases()",
        )
    return _replay_ordered(procedure, ordered)


def group_cases(facts: Iterable[Fact]) -> dict[tuple[str, str], list[Fact]]:
    """The case facts by ``(household id, case id)``; other facts are left out."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        if isinstance(fact, _CaseFact):
            groups.setdefault((fact.household_id, fact.case_id), []).append(fact)
    return groups


def procedure_named(procedures: Iterable[Procedure] | Mapping[str, Procedure], name: str) -> Procedure:
    """The procedure called ``name``; :class:`~relapse_guard.errors.UnknownPlugin` lists the known ones."""
    found = _by_name(procedures)
    if name not in found:
        raise UnknownPlugin("procedure", name, found)
    return found[name]


def _by_name(procedures: Iterable[Procedure] | Mapping[str, Procedure]) -> dict[str, Procedure]:
    if isinstance(procedures, Mapping):
        return dict(procedures)
    return {procedure.name: procedure for procedure in procedures}


def replay_cases(
    procedures: Iterable[Procedure] | Mapping[str, Procedure],
    facts: Iterable[Fact],
    *,
    as_of: dt.date | None = None,
) -> tuple[CaseState, ...]:
    """Every case in ``facts`` (of any households), each replayed with its procedure, by household and case id.

    Facts dated after ``as_of`` are ignored. Each case's procedure is found by the name its
    CaseOpened gives (:class:`~relapse_guard.errors.UnknownPlugin` if none has it).
    """
    known = _by_name(procedures)
    groups = group_cases(facts if as_of is None else (fact for fact in facts if fact.date <= as_of))
    states = []
    for key in sorted(groups):
        ordered = _collect(groups[key], None)
        procedure = procedure_named(known, _opening(ordered).procedure)
        states.append(_replay_ordered(procedure, ordered))
    return tuple(states)


# --- opening ------------------------------------------------------------------------------


def check_start(procedure: Procedure, evidence: StartContext, *, fact_id: str | None = None) -> Verdict:
    """Whether a case of ``procedure`` may start on the evidence; always holds without a start condition.

    A condition that gives back something other than a :class:`~relapse_guard.rules.Verdict` (a
    ``bool``, None, a ``(holds, reason)`` tuple) is a :class:`~relapse_guard.errors.PluginFailed`
    naming the procedure, the condition, the household and ``fact_id`` (the case fact it was
    checked for, if any).
    """
    condition = procedure.start_condition
    if condition is None:
        return Verdict(True, f"procedure {procedure.name!r} has no start condition")
    return _started(procedure, evidence, fact_id)


def _started(procedure: Procedure, evidence: StartContext, fact_id: str | None) -> Verdict:
    """The verdict of ``procedure``'s start condition on ``evidence``, checked as the engine
    checks a rule's (``fact_id``: the CaseOpened fact it is for, if one is being made)."""
    from ..engine.answers import checked_verdict  # here: the engine package imports the cases

    condition = procedure.start_condition
    assert condition is not None
    plugin = f"procedure.{procedure.name}.{condition.name}"
    return checked_verdict(condition(evidence), evidence.household.id, plugin, fact_id)


def open_case(
    procedure: Procedure,
    *,
    case_id: str,
    household_id: str,
    date: dt.date,
    reason: str = "",
    risk_key: str | None = None,
    evidence: StartContext | None = None,
    fact_id: str | None = None,
    source: Source = Source.VISIT,
) -> CaseOpened:
    """The :class:`~relapse_guard.facts.CaseOpened` fact of a new case, its start condition checked.

    A procedure with a start condition (risk elimination) needs ``evidence`` for the household
    on ``date``; :class:`~relapse_guard.errors.CaseCannotStart` says why the case may not
    start. The condition's reason becomes the case's when none is given. The fact's id
    defaults to ``<case id>:opened``.
    """
    condition = procedure.start_condition
    if condition is not None:
        if evidence is None:
            raise CaseCannotStart(
                procedure.name,
                household_id,
                f"its start condition {condition.name!r} needs the household's evidence: "
                "open_case(..., evidence=StartContext(household=..., on=..., facts=..., result=..., parameters=...))",
            )
        if evidence.household.id != household_id or evidence.on != date:
            raise CaseCannotStart(
                procedure.name,
                household_id,
                f"the evidence is of household {evidence.household.id!r} on {evidence.on.isoformat()}, "
                f"not of {household_id!r} on {date.isoformat()}",
            )
        fact_id = fact_id or f"{case_id}:opened"
        verdict = _started(procedure, attrs.evolve(evidence, risk_key=risk_key), fact_id)
        if not verdict.holds:
            raise CaseCannotStart(procedure.name, household_id, f"{condition.name}: {verdict.reason}")
        reason = reason or f"{condition.name}: {verdict.reason}"
    return CaseOpened(
        id=fact_id or f"{case_id}:opened",
        household_id=household_id,
        date=date,
        source=source,
        case_id=case_id,
        procedure=procedure.name,
        reason=reason,
        risk_key=risk_key,
    )
