"""What changed between two knowledge dates: the decisions that differ, and the facts behind them.

:func:`decisions_between` runs one household as known on two moments (see
:meth:`~relapse_guard.engine.Engine.run` ``known_on``) and lists the decisions made as known on
one and not the other, with the facts whose version differs between them: a fact recorded in
between (version 0 before), corrected (version 1, then 2) or retracted (version 0 after).

>>> import datetime as dt
>>> from decimal import Decimal
>>> from relapse_guard import Engine, load_policy
>>> from relapse_guard.demo import demo_households
>>> from relapse_guard.facts import FactRetracted
>>> _, household, facts = next(demo_households())
>>> withdrawn = FactRetracted(id="r1", household_id=household.id, date=dt.date(2016, 6, 1), retracts=facts[-1].id,
...                           recorded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
>>> change = decisions_between(Engine(load_policy("yubei_2016")), household, [*facts, withdrawn],
...                            dt.datetime(2019, 12, 31, tzinfo=dt.UTC), dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
>>> [(fact.fact_id, fact.before, fact.after, fact.by) for fact in change.facts] == [(facts[-1].id, 1, 0, ("r1",))]
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from .decisions import Decision
from .engine import Engine
from .facts import Fact, FactCorrected, FactRetracted
from .household import Household
from .interface import tr
from .result import HouseholdResult
from .versions import check_known_on, known_by, resolve, target_of

__all__ = ["FactChange", "KnowledgeDiff", "decisions_between"]


@attrs.frozen
class FactChange:
    """A fact whose version differs between the two knowledge dates: 0 when not known (or
    retracted), 1 as first recorded, 2 after one correction in force...; ``by`` names the facts
    recorded in between that made the difference (the fact itself, its corrections, its
    retraction, and the retractions that withdraw one of those). A correction withdrawn counts for
    nothing: withdrawing the only one brings the fact back to version 1; ``before`` and ``after``
    may then be equal, the version made by another correction."""

    fact_id: str
    kind: str
    date: dt.date
    before: int
    after: int
    by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "fact_id": self.fact_id,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "before": self.before,
            "after": self.after,
            "by": list(self.by),
        }


@attrs.frozen
class KnowledgeDiff:
    """The decisions made as known on ``before`` only (``dropped``) and on ``after`` only
    (``added``), and the facts whose version differs (``facts``), with both results."""

    household_id: str
    before: dt.datetime
    after: dt.datetime
    dropped: tuple[Decision, ...]
    added: tuple[Decision, ...]
    facts: tuple[FactChange, ...]
    result_before: HouseholdResult
    result_after: HouseholdResult

    @property
    def same(self) -> bool:
        """True when both knowledge dates give the same decisions."""
        return not self.dropped and not self.added

    @property
    def policy(self) -> str:
        """The label of the policy both runs were under."""
        return self.result_before.policy

    def lines(self, language: str = "en") -> list[str]:
        """The difference as text lines in ``language`` (``en``, ``zh-CN``): the policy, the facts,
        then the decisions dropped (-) and added (+)."""
        out = [
            tr(
                language,
                "household {household} under {policy}: as known on {before} and on {after}",
                household=self.household_id,
                policy=self.policy,
                before=self.before.isoformat(),
                after=self.after.isoformat(),
            )
        ]
        if not self.facts:
            out.append(tr(language, "no fact differs"))
        for fact in self.facts:
            by = tr(language, " (by {facts})", facts=tr(language, ", ").join(fact.by)) if fact.by else ""
            after = _version(fact.after, language)
            if fact.before == fact.after:  # the same version number on both dates, made by another correction
                after = tr(language, "another {version}", version=after)
            out.append(
                tr(
                    language,
                    "fact {fact} ({kind}, {date}): {before} -> {after}{by}",
                    fact=fact.fact_id,
                    kind=fact.kind,
                    date=fact.date.isoformat(),
                    before=_version(fact.before, language),
                    after=after,
                    by=by,
                )
            )
        if self.same:
            out.append(tr(language, "no decision differs"))
        out += [f"- {decision.explain(language)}" for decision in self.dropped]
        out += [f"+ {decision.explain(language)}" for decision in self.added]
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "household_id": self.household_id,
            "policy": self.policy,
            "before": self.before.isoformat(),
            "after": self.after.isoformat(),
            "facts": [fact.to_dict() for fact in self.facts],
            "dropped": [decision.to_dict() for decision in self.dropped],
            "added": [decision.to_dict() for decision in self.added],
        }


def _version(number: int, language: str = "en") -> str:
    return tr(language, "not known") if number == 0 else f"v{number}"


def _key(decision: Decision) -> str:
    """What a decision says, without its place in the list or the versions it names."""
    data = decision.to_dict()
    del data["sequence"]
    data.pop("versions", None)
    return json.dumps(data, sort_keys=True)


def _only(these: tuple[Decision, ...], others: tuple[Decision, ...]) -> tuple[Decision, ...]:
    left = Counter(_key(decision) for decision in others)
    out = []
    for decision in these:
        key = _key(decision)
        if left[key]:
            left[key] -= 1
        else:
            out.append(decision)
    return tuple(out)


def _versions(household_id: str, facts: list[Fact], known_on: dt.datetime) -> dict[str, tuple[int, str]]:
    """Each fact applied as known on ``known_on``: its version and the correction that made it
    (two versions of one number differ when another correction made them, one withdrawn)."""
    resolved = resolve(household_id, facts, known_on)
    return {fact.id: resolved.versions.get(fact.id, (1, "")) for fact in resolved.facts}


def _changing(fact_id: str, facts: list[Fact]) -> set[str]:
    """The ids of the fact ``fact_id`` and of the corrections and retractions that change it: those
    that name it, and those that withdraw one of them, and so on."""
    naming: dict[str, list[str]] = {}
    for fact in facts:
        target = target_of(fact)
        if target is not None:
            naming.setdefault(target, []).append(fact.id)
    found, todo = {fact_id}, [fact_id]
    while todo:
        for change in naming.get(todo.pop(), ()):
            if change not in found:
                found.add(change)
                todo.append(change)
    return found


def decisions_between(
    engine: Engine,
    household: Household,
    facts: Iterable[Fact],
    before: dt.datetime,
    after: dt.datetime,
    *,
    as_of: dt.date | None = None,
) -> KnowledgeDiff:
    """The decisions that differ between the household's runs as known on ``before`` and on
    ``after`` (timezone-aware datetimes), with the facts whose version differs.

    Decisions are compared by what they say (date, kind, rule, explanation, facts, parameters,
    states, risk, grant), not by their number in the list.
    """
    before, after = check_known_on(before), check_known_on(after)
    facts = list(facts)
    first = engine.run(household, facts, as_of=as_of, known_on=before)
    second = engine.run(household, facts, as_of=as_of, known_on=after)
    old, new = _versions(household.id, facts, before), _versions(household.id, facts, after)
    early, late = min(before, after), max(before, after)
    changes = []
    by_id = {fact.id: fact for fact in facts if not isinstance(fact, FactCorrected | FactRetracted)}
    for fact_id in sorted(old.keys() | new.keys()):
        was, now = old.get(fact_id, (0, "")), new.get(fact_id, (0, ""))
        if was == now:
            continue
        changing = _changing(fact_id, facts)
        between = tuple(
            sorted(
                fact.id for fact in facts if fact.id in changing and known_by(fact, late) and not known_by(fact, early)
            )
        )
        shown = by_id[fact_id]
        changes.append(FactChange(fact_id, shown.kind, shown.date, was[0], now[0], between))
    return KnowledgeDiff(
        household_id=household.id,
        before=before,
        after=after,
        dropped=_only(first.decisions, second.decisions),
        added=_only(second.decisions, first.decisions),
        facts=tuple(changes),
        result_before=first,
        result_after=second,
    )
