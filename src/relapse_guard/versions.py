"""Facts as they were known: corrections, retractions and the knowledge date.

A household's facts may include :class:`~relapse_guard.facts.FactCorrected` (a new version of
an earlier fact) and :class:`~relapse_guard.facts.FactRetracted` (an earlier fact withdrawn).
:func:`resolve` turns them into the facts a run applies: for each fact id, the latest version
known, none for a retracted fact. With ``known_on``, only facts recorded by then count (a fact
without ``recorded_at`` counts as known from the start), so a run as known on a moment sees
the versions of that moment. Nothing is changed in place: the stored facts stay as they were.

Corrections and retractions of one fact are taken in the order of their ``recorded_at``
(those without one first), then of their ``date`` (the day each was made), then of their id:
the same facts in any input order resolve the same, and of two made on different days in one
batch, the later one wins (by id alone, ``"fix-10"`` sorted before ``"fix-9"``). The latest
wins: a retraction withdraws the fact, a later correction brings it back in its new version.

A retraction may also name a correction or a retraction made before it (in that order): it
withdraws that record, and the facts resolve as if it had not been made (``withdrawn``); a
retraction of such a retraction withdraws it in turn. So a retraction filed in error is undone
by retracting it, and a bad record stored can always be withdrawn. A correction of a
correction or retraction is refused (:class:`~relapse_guard.errors.CorrectionOfChange`): to
change a fact, correct the fact itself; to undo a correction or retraction, retract it.

>>> import datetime as dt
>>> from decimal import Decimal
>>> from relapse_guard.facts import FactCorrected, FactRetracted, IncomeAssessed
>>> first = IncomeAssessed(id="f1", household_id="H1", date=dt.date(2016, 3, 1), income_per_capita=Decimal(9000))
>>> fixed = FactCorrected(id="c1", household_id="H1", date=dt.date(2016, 3, 20), corrects="f1",
...                       replacement=attrs.evolve(first, income_per_capita=Decimal(3900)))
>>> resolved = resolve("H1", [first, fixed])
>>> resolved.facts[0].income_per_capita, resolved.versions
(Decimal('3900'), {'f1': (2, 'c1')})
>>> undone = FactRetracted(id="r1", household_id="H1", date=dt.date(2016, 3, 25), retracts="c1")
>>> resolved = resolve("H1", [first, fixed, undone])
>>> resolved.facts[0].income_per_capita, resolved.versions, resolved.withdrawn
(Decimal('9000'), {}, {'c1': 'r1'})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs

from .errors import ConflictingFact, CorrectionOfChange, InvalidFact, UnknownCorrectedFact, WrongType
from .facts import VERSION_KINDS, Fact, FactCorrected, FactRetracted

__all__ = ["Resolved", "check_known_on", "known_by", "resolve", "target_of", "version_of"]

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


@attrs.frozen
class Resolved:
    """The facts a run applies, with what corrections and retractions did to them.

    ``versions`` maps a corrected fact's id to its version in ``facts`` (2 after one
    correction in force) and the id of the correction that made it; ``retracted`` maps a
    retracted fact's id to the retraction's id; ``withdrawn`` maps the id of each correction or
    retraction withdrawn (retracted in turn, so resolved as if it had not been made) to the
    retraction that withdrew it.
    """

    facts: list[Fact]
    versions: dict[str, tuple[int, str]] = attrs.field(factory=dict)
    retracted: dict[str, str] = attrs.field(factory=dict)
    withdrawn: dict[str, str] = attrs.field(factory=dict)


def check_known_on(known_on: object) -> dt.datetime:
    """``known_on`` as a run takes it: a timezone-aware datetime (in UTC); else :class:`WrongType`."""
    if not isinstance(known_on, dt.datetime):
        raise WrongType(
            f"known_on must be a timezone-aware datetime.datetime, not {type(known_on).__name__} {known_on!r}"
        )
    if known_on.tzinfo is None or known_on.utcoffset() is None:
        raise WrongType(f"known_on must be a timezone-aware datetime (e.g. tzinfo=datetime.UTC), not {known_on!r}")
    return known_on.astimezone(dt.UTC)


def known_by(fact: Fact, known_on: dt.datetime | None) -> bool:
    """True when ``fact`` was recorded by ``known_on`` (always, without a ``recorded_at`` or a ``known_on``)."""
    return known_on is None or fact.recorded_at is None or fact.recorded_at <= known_on


def _change_order(fact: Fact) -> tuple[dt.datetime, dt.date, str]:
    return (fact.recorded_at or _EARLIEST, fact.date, fact.id)


def target_of(fact: Fact) -> str | None:
    """The id of the record ``fact`` corrects or retracts (a fact, or for a retraction also a
    correction or retraction it withdraws); None for a fact that changes no other."""
    if isinstance(fact, FactRetracted):
        return fact.retracts
    if isinstance(fact, FactCorrected):
        return fact.corrects
    return None


def resolve(household_id: str, facts: Iterable[Fact], known_on: dt.datetime | None = None) -> Resolved:
    """The facts of ``household_id`` to apply as known on ``known_on`` (all, when None).

    A retraction of a correction or retraction made before it withdraws that record: the facts
    resolve as if it had not been made (a retraction of such a retraction withdraws it in turn).
    A record withdrawn is not checked: a bad one stored can always be withdrawn.

    Raises :class:`~relapse_guard.errors.UnknownCorrectedFact` for a correction or retraction
    of an id that is not one of the household's facts known then (for a retraction, nor a
    correction or retraction made before it), :class:`~relapse_guard.errors.CorrectionOfChange`
    for a correction of a correction or retraction, :class:`InvalidFact` for a fact of another
    household and :class:`ConflictingFact` for two different facts with one id.
    """
    plain, changes = _split(household_id, facts, known_on)
    if not changes:
        return Resolved(plain)
    ids = {fact.id for fact in plain}
    ordered = sorted(changes.values(), key=_change_order)
    for change in ordered:
        if change.id in ids:
            raise ConflictingFact(
                household_id,
                "id",
                change.id,
                "one fact per id (a fact with this id is not a correction)",
                fact_id=change.id,
            )
    position = {change.id: index for index, change in enumerate(ordered)}
    withdrawn = _withdrawn(ordered, position)
    current: dict[str, Fact | None] = {}
    versions: dict[str, tuple[int, str]] = {}
    retracted: dict[str, str] = {}
    for index, change in enumerate(ordered):
        if change.id in withdrawn:
            continue
        target = _checked_target(household_id, change, index, ids, ordered, position, known_on)
        if target not in ids:  # a correction or retraction it withdraws: done above
            continue
        if isinstance(change, FactCorrected):
            current[target] = change.replacement
            versions[target] = (versions.get(target, (1, ""))[0] + 1, change.id)
            retracted.pop(target, None)
        else:
            current[target] = None
            retracted[target] = change.id
    applied = _applied(plain, current)
    return Resolved(applied, {key: versions[key] for key in versions if key not in retracted}, retracted, withdrawn)


def _split(
    household_id: str, facts: Iterable[Fact], known_on: dt.datetime | None
) -> tuple[list[Fact], dict[str, Fact]]:
    """The facts known on ``known_on`` that are applied, in the order given, and the corrections
    and retractions by id; a change of another household, or two different ones with one id, refused."""
    plain: list[Fact] = []
    changes: dict[str, Fact] = {}
    for fact in facts:
        if known_on is not None and fact.recorded_at is not None and fact.recorded_at > known_on:
            continue
        if type(fact) in VERSION_KINDS or isinstance(fact, FactCorrected | FactRetracted):
            if fact.household_id != household_id:
                raise InvalidFact(
                    household_id,
                    "household_id",
                    fact.household_id,
                    f"facts of household {household_id!r}",
                    fact_id=fact.id,
                )
            seen = changes.get(fact.id)
            if seen is not None and seen != fact:
                raise ConflictingFact(
                    household_id, "id", fact.id, "one fact per id (another fact with this id differs)", fact_id=fact.id
                )
            changes[fact.id] = fact
        else:
            plain.append(fact)
    return plain, changes


def _withdrawn(ordered: Sequence[Fact], position: Mapping[str, int]) -> dict[str, str]:
    """The corrections and retractions among ``ordered`` (in the change order) withdrawn, each
    with the latest retraction in force that withdraws it. A record is withdrawn only by one
    after it, so going from the last back, whether a retraction is in force is known when it is
    reached: withdrawn itself, it withdraws nothing (a record it withdrew is in force again)."""
    withdrawn: dict[str, str] = {}
    for index in range(len(ordered) - 1, -1, -1):
        change = ordered[index]
        if change.id in withdrawn or not isinstance(change, FactRetracted):
            continue
        at = position.get(change.retracts)
        if at is not None and at < index:
            withdrawn.setdefault(change.retracts, change.id)
    return withdrawn


def _checked_target(
    household_id: str,
    change: Fact,
    index: int,
    ids: Collection[str],
    ordered: Sequence[Fact],
    position: Mapping[str, int],
    known_on: dt.datetime | None,
) -> str:
    """The id ``change`` (in force, ``ordered[index]``) corrects or retracts, checked: one of
    the household's facts, or for a retraction a correction or retraction made before it."""
    if isinstance(change, FactCorrected):
        target = change.corrects
        if target in position:
            other = ordered[position[target]]
            fact = _fact_changed(other, ordered, position)
            raise CorrectionOfChange(household_id, target, other.kind, fact, fact_id=change.id)
        if target not in ids:
            raise UnknownCorrectedFact(household_id, "corrects", target, _expected(known_on), fact_id=change.id)
        return target
    assert isinstance(change, FactRetracted)
    target = change.retracts
    at = position.get(target)
    if at is not None and at >= index:
        expected = (
            "the id of one of the household's facts, or of a correction or retraction made before this retraction "
            f"({target!r} is {'this retraction itself' if at == index else 'made after it'}: the order is "
            "recorded_at, then date, then id)"
        )
        raise UnknownCorrectedFact(household_id, "retracts", target, expected, fact_id=change.id)
    if at is None and target not in ids:
        expected = _expected(known_on, "the id of one of the household's facts, or of a correction or retraction")
        raise UnknownCorrectedFact(household_id, "retracts", target, expected, fact_id=change.id)
    return target


def _fact_changed(change: Fact, ordered: Sequence[Fact], position: Mapping[str, int]) -> str:
    """The id of the fact ``change`` changes, through the corrections and retractions it withdraws."""
    target = target_of(change) or ""
    for _ in ordered:  # a chain of withdrawals is no longer than the records
        if target not in position:
            break
        target = target_of(ordered[position[target]]) or ""
    return target


def _expected(known_on: dt.datetime | None, what: str = "the id of one of the household's facts") -> str:
    return what + (f" recorded by {known_on.isoformat()}" if known_on is not None else "")


def _applied(plain: list[Fact], current: Mapping[str, Fact | None]) -> list[Fact]:
    """``plain`` with the versions in ``current`` (None: retracted) in place of theirs."""
    applied: list[Fact] = []
    for fact in plain:
        if fact.id in current:
            replacement = current[fact.id]
            if replacement is not None:
                applied.append(replacement)
        else:
            applied.append(fact)
    if any(fact.id in current for fact in plain):
        # one version per id: the duplicates of a corrected fact become one replacement
        unique: dict[str, Fact] = {}
        for fact in applied:
            if fact.id in current:
                unique.setdefault(fact.id, fact)
        applied = [fact for fact in applied if fact.id not in current] + list(unique.values())
    return applied


def version_of(fact_id: str, facts: Sequence[Fact], known_on: dt.datetime | None = None) -> int:
    """The version of fact ``fact_id`` as known on ``known_on``: 1, plus one per correction
    known (0 when the fact is not known then, or retracted)."""
    household = next((fact.household_id for fact in facts if fact.id == fact_id), None)
    if household is None:
        return 0
    resolved = resolve(household, [fact for fact in facts if fact.household_id == household], known_on)
    if fact_id in resolved.retracted or not any(fact.id == fact_id and known_by(fact, known_on) for fact in facts):
        return 0
    return resolved.versions.get(fact_id, (1, ""))[0]
