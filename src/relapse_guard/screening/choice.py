"""The engine each household of a screen runs under: one policy's, or a policy map's by place and date.

A screen is given a policy (or its registered name) or a
:class:`~relapse_guard.policies.policy_map.PolicyMap`. :func:`choose` makes the
:class:`PolicyChoice` that gives each household its engine: for a map, the policy its place
has on the screen's as-of date, one engine a policy, made the first time it is needed. A
household whose place the map does not cover raises
:class:`~relapse_guard.errors.NoPolicyForPlace`, which the screen makes a problem household.

A map is sent to worker processes as it is (names, not policies); each worker makes its own
choice, which loads the policies there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from ..bounds import LAST_DATE
from ..engine import Engine
from ..errors import InvalidArgument, InvalidPolicy, WrongType
from ..facts import FactKinds
from ..household import Household
from ..policies import load_policy
from ..policies.policy_map import PolicyMap
from ..policy import Policy
from .summary import DistrictTotals

__all__ = [
    "MapChoice",
    "OnePolicy",
    "PolicyChoice",
    "PolicyLoader",
    "PolicySource",
    "choose",
    "name_policies",
    "shared_fact_kinds",
]

#: What a screen is run under: a registered policy's name, or a policy map.
PolicySource = str | PolicyMap

#: How a worker gets the policy from its name: :func:`~relapse_guard.policies.load_policy` (the
#: registry), or another module-level function (it must pickle), such as one that also takes
#: ``path/to/file.py:NAME``.
PolicyLoader = Callable[[str], Policy]


class PolicyChoice:
    """The engine of each household of one screen, and what the screen says it was run under."""

    #: A policy's label, or a policy map's (``policy map chongqing``).
    label: str
    #: The fact kinds every policy of the choice reads (the population is read with them).
    kinds: FactKinds
    #: Whether :meth:`district_name` names districts its own way (a policy map's spelling),
    #: rather than as the data gives them.
    names_districts: bool = False

    def engine_for(self, household: Household) -> Engine:
        """The engine ``household`` runs under; :class:`~relapse_guard.errors.NoPolicyForPlace` when none."""
        raise NotImplementedError

    def district_name(self, district: str) -> str:
        """The name a household's ``district`` is counted under: as given, or as a policy map spells it."""
        return district

    def in_force(self, district: str, start: dt.date, end: dt.date) -> tuple[str, ...]:
        """The policies in force in ``district`` from ``start`` to ``end``, described for totals and reports."""
        raise NotImplementedError


class OnePolicy(PolicyChoice):
    """Every household under one engine's policy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.label = engine.policy.label
        self.kinds = engine.policy.fact_kinds

    def engine_for(self, household: Household) -> Engine:
        """The one engine, whatever the household."""
        return self.engine

    def in_force(self, district: str, start: dt.date, end: dt.date) -> tuple[str, ...]:
        """The one policy's label, whatever the district and the dates."""
        return (self.label,)


class MapChoice(PolicyChoice):
    """Each household under the policy ``policy_map`` gives its place on ``as_of``, one engine a
    policy. Every policy of the map is loaded at once (the population is read with the fact
    kinds of them all); each engine is made when a household first needs it. ``policies``, when
    given, are the map's policies by name already loaded (a what-if of two maps naming one
    policy file runs it once, and both maps then name the same policy)."""

    names_districts = True

    def __init__(
        self,
        policy_map: PolicyMap,
        as_of: dt.date,
        *,
        record_decisions: bool = True,
        policies: Mapping[str, Policy] | None = None,
    ) -> None:
        self.policy_map = policy_map
        self.as_of = as_of
        self.record_decisions = record_decisions
        self.label = policy_map.label
        self.policies = policy_map.policies() if policies is None else dict(policies)
        self.kinds = shared_fact_kinds(policy_map.label, self.policies)
        self._names: dict[tuple[str, str], str] = {}
        self._engines: dict[str, Engine] = {}
        self._districts: dict[str, str] = {}

    def engine_for(self, household: Household) -> Engine:
        """The engine of the policy of the household's place on the as-of date (cached by district and town)."""
        place = household.place
        key = (place.district, place.town)
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self.policy_map.policy_name_for(place, self.as_of)
        engine = self._engines.get(name)
        if engine is None:
            engine = self._engines[name] = Engine(self.policies[name], record_decisions=self.record_decisions)
        return engine

    def district_name(self, district: str) -> str:
        """``district`` as the map spells it (:meth:`PolicyMap.district_name`); cached (asked for each household)."""
        found = self._districts.get(district)
        if found is None:
            found = self._districts[district] = self.policy_map.district_name(district)
        return found

    def in_force(self, district: str, start: dt.date, end: dt.date) -> tuple[str, ...]:
        """Each policy the map has in force in ``district`` (or a town of it) from ``start`` to
        ``end``: its label, its dates and its town."""
        spells = self.policy_map.spells(district, start, end)
        return tuple(spell.describe(self.policies[spell.policy].label) for spell in spells)


def shared_fact_kinds(label: str, policies: Mapping[str, Policy]) -> FactKinds:
    """The fact kinds of every policy of ``policies`` (by name): the same registry when they share
    one (the usual case). Two policies that read one kind as two classes raise
    :class:`~relapse_guard.errors.InvalidPolicy` (``label`` names the map)."""
    registries = list({id(policy.fact_kinds): policy.fact_kinds for policy in policies.values()}.values())
    if len(registries) == 1:
        return registries[0]
    by_kind: dict[str, type] = {}
    owner: dict[str, str] = {}
    for name, policy in sorted(policies.items()):
        for kind, cls in policy.fact_kinds.by_kind.items():
            if by_kind.setdefault(kind, cls) is not cls:
                raise InvalidPolicy(
                    f"{label}: policies {owner[kind]} and {name} read fact kind {kind!r} as different classes "
                    f"({by_kind[kind].__qualname__}, {cls.__qualname__}); one screen reads each kind one way"
                )
            owner.setdefault(kind, name)
    return FactKinds(by_kind)


def checked_as_of(as_of: object) -> dt.date:
    """``as_of`` if it is a date; :class:`~relapse_guard.errors.WrongType` otherwise (a datetime
    too: a screen is as of a day), :class:`~relapse_guard.errors.InvalidArgument` for a day after
    :data:`~relapse_guard.bounds.LAST_DATE`."""
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise WrongType(f"as_of must be a datetime.date, not {type(as_of).__name__} {as_of!r}")
    if as_of > LAST_DATE:
        raise InvalidArgument(
            f"as_of {as_of.isoformat()} is after {LAST_DATE.isoformat()}, the last day a run may be as of"
        )
    return as_of


def choose(
    policy: Policy | PolicyMap | PolicyChoice | str,
    as_of: dt.date,
    *,
    record_decisions: bool = True,
    load: PolicyLoader = load_policy,
) -> PolicyChoice:
    """The choice of engines for a screen as of ``as_of`` under ``policy``: a policy, a
    registered name (loaded with ``load``), a policy map, or a choice already made (returned).
    ``as_of`` that is not a date raises :class:`~relapse_guard.errors.WrongType` here, before a
    household is screened (each would be a problem household of its own)."""
    as_of = checked_as_of(as_of)
    if isinstance(policy, PolicyChoice):
        return policy
    if isinstance(policy, PolicyMap):
        return MapChoice(policy, as_of, record_decisions=record_decisions)
    if isinstance(policy, str):
        policy = load(policy)
    return OnePolicy(Engine(policy, record_decisions=record_decisions))


def name_policies(by_district: Mapping[str, DistrictTotals], choice: PolicyChoice, as_of: dt.date) -> None:
    """Set each district's ``in_force``: the policies in force there from its first fact
    (or the as-of date, if later or unknown) to the as-of date."""
    for name, district in by_district.items():
        first = district.first_fact
        start = first if first is not None and first < as_of else as_of
        district.in_force = choice.in_force(name, start, as_of)
