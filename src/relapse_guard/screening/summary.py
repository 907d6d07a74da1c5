"""What a screen returns: one row per household and totals that merge across partitions.

Totals are sums keyed by state, risk kind, intervention and place, so the totals of two
partitions merged give the totals of the whole; merging in partition order makes a
parallel screen give exactly what the serial screen gives. Each district's totals name the
policy each household was screened under (:class:`DistrictTotals`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..entitlements import MONEY_UNITS, Money, total
from ..errors import InvalidTransition, NoPolicyForPlace, PluginFailed, RelapseGuardError, UnknownHousehold, said
from ..interface import is_english, ntr, tr
from ..labels import label
from ..lifecycle import State
from ..population import BadRow
from ..result import HouseholdResult
from ..reviews import ReviewState, ReviewStatus
from .fact_ids import Digests, SharedFactId

__all__ = [
    "PROBLEM_KINDS",
    "BadRow",
    "DistrictTotals",
    "HouseholdRow",
    "Problem",
    "ScreenResult",
    "ScreenTotals",
    "problem_summary",
]

#: What went wrong with a problem household, by kind: policy code raised, or let out a library
#: error (``plugin_failed``),
#: the engine refused the facts (``refused``), a fact id another household uses
#: (``duplicate_fact_id``), the policy map has no policy for its place (``no_policy``), or
#: anything else (``error``: a bug in relapse_guard).
PROBLEM_KINDS = ("plugin_failed", "refused", "duplicate_fact_id", "no_policy", "error")


@attrs.frozen(kw_only=True)
class Problem:
    """A household a screen could not screen, and why; the screen went on with the others.

    ``error`` is the exception's class name (for policy code that raised, the original
    exception's: ``ZeroDivisionError``), ``message`` its message, ``plugin`` the rule or
    plug-in that raised when known (``trigger.illness``) and ``fact_id`` the fact it was
    applied to. ``kind`` is one of :data:`PROBLEM_KINDS`. ``counted`` is set when the
    household was screened and is in the totals all the same: a fact id it shares with a
    household of another partition, found once every partition was screened.
    """

    household_id: str
    kind: str
    error: str
    message: str
    plugin: str | None = None
    fact_id: str | None = None
    counted: bool = False
    #: What the message says, as values another language can say it in (:meth:`said`): the
    #: form of the message first (``transition``, ``plugin``, ``no_policy``, ``shared_id``,
    #: ``unknown``), then its values; empty for a message that has no such form.
    parts: tuple[str, ...] = attrs.field(default=(), eq=False, repr=False)

    @classmethod
    def from_exception(cls, household_id: str, error: BaseException) -> Problem:
        """The problem ``error``, raised while running household ``household_id``, makes."""
        if isinstance(error, PluginFailed):
            return cls(
                household_id=household_id,
                kind="plugin_failed",
                error=type(error.error).__name__,
                message=str(error),
                plugin=error.plugin,
                fact_id=error.fact_id,
                parts=_plugin_parts(error),
            )
        if isinstance(error, RelapseGuardError) and error.policy_code is not None:
            # the library's own error, let out by policy code (a parameter it reads not in force)
            _, plugin, fact_id = error.policy_code
            return cls(
                household_id=household_id,
                kind="plugin_failed",
                error=type(error).__name__,
                message=said(error),
                plugin=plugin,
                fact_id=fact_id,
            )
        if isinstance(error, SharedFactId):
            kind = "duplicate_fact_id"
        elif isinstance(error, NoPolicyForPlace):
            kind = "no_policy"
        else:
            kind = "refused" if isinstance(error, RelapseGuardError) else "error"
        fact_id = getattr(error, "fact_id", None)
        return cls(
            household_id=household_id,
            kind=kind,
            error=type(error).__name__,
            message=str(error) or type(error).__name__,
            fact_id=fact_id if isinstance(fact_id, str) else None,
            parts=_parts(error),
        )

    @property
    def label(self) -> str:
        """What a summary counts it under: the kind, the error and the plug-in when known."""
        if self.plugin is not None:
            return f"{self.kind} ({self.error} in {self.plugin})"
        return f"{self.kind} ({self.error})"

    def __str__(self) -> str:
        """``kind: message``, the message prefixed with the household and the error when it
        does not name them (an error that is not the library's)."""
        if repr(self.household_id) in self.message:
            return f"{self.kind}: {self.message}"
        return f"{self.kind}: household {self.household_id!r}: {self.error}: {self.message}"

    def said(self, lang: str = "en") -> str:
        """:meth:`__str__` in ``lang``: its kind by its label, the message said in ``lang`` when it
        has a form (:attr:`parts`; a message of policy code as it raised it), else as written.

        >>> problem = Problem(household_id="H1", kind="no_policy", error="NoPolicyForPlace", message="m")
        >>> problem.said("en"), problem.said("zh-CN")
        ("no_policy: household 'H1': NoPolicyForPlace: m", '无适用政策：户 H1：NoPolicyForPlace：m')
        """
        if is_english(lang):
            return str(self)
        kind = label("problem", self.kind, lang)
        if self.parts:
            return tr(lang, "{kind}: {message}", kind=kind, message=self.message_said(lang))
        return tr(
            lang,
            "{kind}: household {household}: {error}: {message}",
            kind=kind,
            household=self.household_id,
            error=self.error,
            message=self.message,
        )

    def message_said(self, lang: str = "en") -> str:
        """:attr:`message` in ``lang``: said anew from :attr:`parts` when it has them, else as written."""
        if is_english(lang) or not self.parts:
            return self.message
        form, *values = self.parts
        household = self.household_id
        if form == "transition":
            state, event, allowed = values
            return tr(
                lang,
                "household {household}: event {event} is not allowed in state {state} "
                "(events allowed there: {allowed})",
                household=household,
                event=event,
                state=label("state", state, lang),
                allowed=tr(lang, ", ").join(allowed.split(",")) if allowed else tr(lang, "none"),
            )
        if form == "plugin":
            plugin, error, fact_id, message = values
            if fact_id:
                return tr(
                    lang,
                    "household {household}: {plugin} raised {error} on fact {fact}: {message}",
                    household=household,
                    plugin=plugin,
                    error=error,
                    fact=fact_id,
                    message=message,
                )
            return tr(
                lang,
                "household {household}: {plugin} raised {error}: {message}",
                household=household,
                plugin=plugin,
                error=error,
                message=message,
            )
        if form == "no_policy":
            place, on, source = values
            return tr(
                lang,
                "no policy for place {place} on {on} in policy map {source}; add a [[place]] entry with its "
                "district (and town) and policy, or a default for every other district",
                place=place,
                on=on,
                source=source,
            )
        if form == "shared_id":
            fact_id, other = values
            return tr(
                lang,
                "household {household}: fact id {fact} is used by household {other} too",
                household=household,
                fact=fact_id,
                other=other,
            )
        if form == "unknown":
            return tr(
                lang, "household {household} is not in the store: store its household record first", household=household
            )
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a line of ``problems.jsonl``)."""
        return {
            "household_id": self.household_id,
            "kind": self.kind,
            "error": self.error,
            "plugin": self.plugin,
            "fact_id": self.fact_id,
            "message": self.message,
            "counted": self.counted,
        }


def _parts(error: BaseException) -> tuple[str, ...]:
    """:attr:`Problem.parts` of a library error whose message another language can say: a
    transition not allowed, no policy for a place, a fact id another household uses, a household
    a store does not hold; empty for any other."""
    if isinstance(error, InvalidTransition):
        return ("transition", error.state, error.event, ",".join(error.allowed))
    if isinstance(error, NoPolicyForPlace) and not error.reason and not error.suggestions:
        return ("no_policy", error.place, str(error.on), error.source)
    if isinstance(error, SharedFactId):
        return ("shared_id", str(error.fact_id), error.other_household)
    if isinstance(error, UnknownHousehold):
        return ("unknown",)
    return ()


def _plugin_parts(error: PluginFailed) -> tuple[str, ...]:
    """:attr:`Problem.parts` of policy code that raised (not of code that gave back what the engine cannot use)."""
    if f" raised {type(error.error).__name__}" not in str(error):
        return ()
    return ("plugin", error.plugin, type(error.error).__name__, error.fact_id or "", str(error.error))


def _problem_label(problem: Problem, lang: str) -> str:
    """:attr:`Problem.label`, its kind said in ``lang``."""
    kind = label("problem", problem.kind, lang)
    if problem.plugin is not None:
        return tr(lang, "{kind} ({error} in {plugin})", kind=kind, error=problem.error, plugin=problem.plugin)
    return tr(lang, "{kind} ({error})", kind=kind, error=problem.error)


def problem_summary(bad_rows: int, problems: Iterable[Problem], *, lang: str = "en") -> str | None:
    """One line counting the bad rows and the problem households by kind; None when there are none.
    Said in ``lang`` (the errors' class names as they are).

    >>> problem_summary(2, [Problem(household_id="h", kind="refused", error="InvalidTransition", message="m")])
    '2 bad rows; 1 problem household: 1 refused (InvalidTransition)'
    >>> problem_summary(1, [])
    '1 bad row'
    """
    counts = Counter(_problem_label(problem, lang) for problem in problems)
    parts = []
    if bad_rows:
        parts.append(ntr(lang, "{count} bad row", "{count} bad rows", bad_rows))
    if counts:
        households = sum(counts.values())
        by_kind = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        parts.append(
            ntr(
                lang,
                "{count} problem household: {kinds}",
                "{count} problem households: {kinds}",
                households,
                kinds=tr(lang, ", ").join(f"{n:,} {kind}" for kind, n in by_kind),
            )
        )
    return tr(lang, "; ").join(parts) or None


@attrs.frozen(kw_only=True)
class HouseholdRow:
    """One household as of the screen's date; ``policy`` is the label (``name@version``) of
    the policy it was screened under."""

    household_id: str
    district: str
    town: str
    village: str
    state: State
    open_risks: tuple[str, ...]
    pending_interventions: tuple[str, ...]
    reviews_due: tuple[str, ...]
    reviews_overdue: tuple[str, ...]
    #: Money by intervention, three figures apart (:class:`~relapse_guard.entitlements.Money`).
    money: Mapping[str, Money]
    policy: str = ""

    @classmethod
    def from_result(
        cls, result: HouseholdResult, place: tuple[str, str, str], reviews: Iterable[ReviewStatus]
    ) -> HouseholdRow:
        """The row of ``result``; ``place`` is (district, town, village)."""
        # A screen makes a row for every household: the empty cases (most households) skip
        # the comprehensions.
        statuses = reviews if type(reviews) is tuple else tuple(reviews)
        due: tuple[str, ...] = ()
        overdue: tuple[str, ...] = ()
        if statuses:
            due = tuple([s.review for s in statuses if s.state is _DUE])
            overdue = tuple([s.review for s in statuses if s.state is _OVERDUE])
        risks = result.open_risks
        pending = result.pending
        return cls(
            household_id=result.household_id,
            district=place[0],
            town=place[1],
            village=place[2],
            state=result.state,
            open_risks=tuple(sorted({risk.kind for risk in risks})) if risks else (),
            pending_interventions=tuple([grant.intervention for grant in pending]) if pending else (),
            reviews_due=due,
            reviews_overdue=overdue,
            money=result.money() if result.grants else {},
            policy=result.policy,
        )

    @property
    def money_total(self) -> Money:
        """The household's money over all interventions (one-off, monthly in force, paid to date)."""
        return total(self.money)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "household_id": self.household_id,
            "district": self.district,
            "town": self.town,
            "village": self.village,
            "state": self.state.value,
            "open_risks": list(self.open_risks),
            "pending_interventions": list(self.pending_interventions),
            "reviews_due": list(self.reviews_due),
            "reviews_overdue": list(self.reviews_overdue),
            "money": {name: amount.to_dict() for name, amount in sorted(self.money.items())},
            "policy": self.policy,
        }


_DUE, _OVERDUE = ReviewState.DUE, ReviewState.OVERDUE
_NONE = Money()


@attrs.define
class DistrictTotals:
    """One district's households, counted by the policy each was screened under (its label,
    ``name@version``), and the policies in force there over the screen's period.

    ``first_fact`` is the date of the earliest fact of the district's households screened: the
    period runs from it to the as-of date. ``in_force`` describes the policies in force in the
    district over that period (``dazu_2016@2016.1 from 2016-01-01``, one a policy and town;
    several when the district switched policy in the period); the screen sets it once every
    partition is merged (see :func:`~relapse_guard.screening.choice.name_policies`).
    """

    households: int = 0
    by_policy: Counter[str] = attrs.field(factory=Counter)
    first_fact: dt.date | None = None
    in_force: tuple[str, ...] = ()

    def add(self, policy: str, first_fact: dt.date | None = None) -> None:
        """Count one household screened under the policy labelled ``policy``, whose first fact is ``first_fact``."""
        self.households += 1
        self.by_policy[policy] += 1
        if first_fact is not None and (self.first_fact is None or first_fact < self.first_fact):
            self.first_fact = first_fact

    def merge(self, other: DistrictTotals) -> None:
        """Add ``other``'s households (``in_force``: both lists, until the screen names them again)."""
        self.households += other.households
        self.by_policy.update(other.by_policy)
        if other.first_fact is not None and (self.first_fact is None or other.first_fact < self.first_fact):
            self.first_fact = other.first_fact
        self.in_force = tuple(dict.fromkeys((*self.in_force, *other.in_force)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "households": self.households,
            "policies": dict(sorted(self.by_policy.items())),
            "in_force": list(self.in_force),
            "first_fact": self.first_fact.isoformat() if self.first_fact is not None else None,
        }


@attrs.define
class ScreenTotals:
    """Counts and money, by state, risk kind, intervention and place, and each district's
    households by policy (:class:`DistrictTotals`). Mutable while adding."""

    households: int = 0
    by_state: Counter[str] = attrs.field(factory=Counter)
    by_risk: Counter[str] = attrs.field(factory=Counter)
    by_place_state: Counter[str] = attrs.field(factory=Counter)
    money_by_intervention: dict[str, Money] = attrs.field(factory=dict)
    money_by_place: dict[str, Money] = attrs.field(factory=dict)
    reviews_overdue: int = 0
    pending_interventions: int = 0
    by_district: dict[str, DistrictTotals] = attrs.field(factory=dict)

    def add(self, row: HouseholdRow, first_fact: dt.date | None = None) -> None:
        """Count one household's row; ``first_fact`` is the date of its earliest fact."""
        self.households += 1
        district = self.by_district.get(row.district)
        if district is None:
            district = self.by_district[row.district] = DistrictTotals()
        district.add(row.policy, first_fact)
        state = row.state._value_  # .value, without the descriptor's call: this runs for every household
        by_state, by_place_state = self.by_state, self.by_place_state
        by_state[state] = by_state.get(state, 0) + 1
        place = f"{row.district}/{row.town}"
        key = f"{place}|{state}"
        by_place_state[key] = by_place_state.get(key, 0) + 1
        if row.open_risks:
            by_risk = self.by_risk
            for kind in row.open_risks:
                by_risk[kind] = by_risk.get(kind, 0) + 1
        if row.money:
            by_intervention, by_place = self.money_by_intervention, self.money_by_place
            for name, amount in row.money.items():
                by_intervention[name] = by_intervention.get(name, _NONE) + amount
                by_place[place] = by_place.get(place, _NONE) + amount
        self.reviews_overdue += len(row.reviews_overdue)
        self.pending_interventions += len(row.pending_interventions)

    def merge(self, other: ScreenTotals) -> None:
        """Add ``other``'s counts and money to these."""
        self.households += other.households
        self.by_state.update(other.by_state)
        self.by_risk.update(other.by_risk)
        self.by_place_state.update(other.by_place_state)
        for name, amount in other.money_by_intervention.items():
            self.money_by_intervention[name] = self.money_by_intervention.get(name, _NONE) + amount
        for place, amount in other.money_by_place.items():
            self.money_by_place[place] = self.money_by_place.get(place, _NONE) + amount
        self.reviews_overdue += other.reviews_overdue
        self.pending_interventions += other.pending_interventions
        for name, district in other.by_district.items():
            self.by_district.setdefault(name, DistrictTotals()).merge(district)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with sorted keys (stable output)."""
        return {
            "households": self.households,
            "by_state": dict(sorted(self.by_state.items())),
            "by_risk": dict(sorted(self.by_risk.items())),
            "by_place_state": dict(sorted(self.by_place_state.items())),
            "money_units": dict(MONEY_UNITS),
            "money": total(self.money_by_intervention).to_dict(),
            "money_by_intervention": {k: v.to_dict() for k, v in sorted(self.money_by_intervention.items())},
            "money_by_place": {k: v.to_dict() for k, v in sorted(self.money_by_place.items())},
            "reviews_overdue": self.reviews_overdue,
            "pending_interventions": self.pending_interventions,
            "by_district": {name: district.to_dict() for name, district in sorted(self.by_district.items())},
        }


@attrs.define
class ScreenResult:
    """The result of a screen: totals, the rows kept (if asked), errors and bad input rows.

    ``policy`` is what the households were screened under: a policy's label (``name@version``)
    or a policy map's (``policy map chongqing``); each row and district names its own policy.
    """

    as_of: dt.date
    policy: str
    totals: ScreenTotals = attrs.field(factory=ScreenTotals)
    rows: list[HouseholdRow] = attrs.field(factory=list)
    bad_rows: list[BadRow] = attrs.field(factory=list)
    #: Households that could not be screened (policy code raised, the engine refused the
    #: facts, a fact id used by another household), in the order screened.
    problems: list[Problem] = attrs.field(factory=list)
    #: Each partition's fact ids as 64-bit digests (see :mod:`.fact_ids`), until the
    #: ids shared between partitions are looked for (then emptied).
    fact_id_digests: list[Digests] = attrs.field(factory=list, eq=False, repr=False)
    #: Households by the path that screened them: ``columnar`` (decided in columns) or
    #: ``engine`` (run by the engine, problems included); see docs/columnar.md.
    paths: Counter[str] = attrs.field(factory=Counter, eq=False, repr=False)

    @property
    def errors(self) -> dict[str, str]:
        """The problem households' messages by household id."""
        return {problem.household_id: problem.message for problem in self.problems}

    @property
    def households_done(self) -> int:
        """Households screened, or not screened (problems)."""
        return self.totals.households + sum(1 for problem in self.problems if not problem.counted)

    def merge(self, other: ScreenResult) -> None:
        """Append ``other`` (the next partition) to this result."""
        self.totals.merge(other.totals)
        self.rows.extend(other.rows)
        self.bad_rows.extend(other.bad_rows)
        self.problems.extend(other.problems)
        self.fact_id_digests.extend(other.fact_id_digests)
        self.paths.update(other.paths)
