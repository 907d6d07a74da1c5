"""``relapse-guard diff ID --known-on A --known-on B``: what changed in a household's decisions
between two knowledge dates, and which facts made the difference (:mod:`relapse_guard.diff`).

The household runs under ``--policy``, or with ``--policy-map`` under the policy its place has
on ``--as-of`` (without it, on the date of its last fact), as ``explain`` resolves it; the
output names the policy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from .cli_policy import load_policy_spec, policy_or_map
from .cli_screen import policy_for_household, unknown_household
from .diff import KnowledgeDiff, decisions_between
from .engine import Engine
from .errors import InvalidArgument, RelapseGuardError, StoreError, UnknownHousehold
from .policies.policy_map import PolicyMap
from .policy import Policy
from .population import read_population
from .screening.choice import shared_fact_kinds

__all__ = ["diff_household", "run_diff"]


def run_diff(args: argparse.Namespace, *, lang: str = "en") -> int:
    """The ``diff`` command: print the difference (in ``lang``); 0."""
    moments: list[dt.datetime] = args.known_on
    if len(moments) != 2:
        raise InvalidArgument(f"diff needs --known-on twice (the earlier, then the later), not {len(moments)} times")
    change = diff_household(
        args.household_id,
        policy_or_map(args.policy, args.policy_map),
        moments[0],
        moments[1],
        store=args.store,
        population=args.population,
        as_of=args.as_of,
        output_format=args.format,
        lang=lang,
    )
    if args.format == "json":
        print(json.dumps(change.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(change.lines(lang)))
    return 0


def diff_household(
    household_id: str,
    policy: str | Policy | PolicyMap,
    before: dt.datetime,
    after: dt.datetime,
    *,
    store: str | None = None,
    population: str | None = None,
    as_of: dt.date | None = None,
    output_format: str = "text",
    lang: str = "en",
) -> KnowledgeDiff:
    """The household's decisions as known on ``before`` and ``after``, compared; its facts read
    from a SQLite ``store`` or a ``population`` directory.

    ``policy`` is a policy spec, a policy, or a policy map: the household then runs under the
    policy its place has on ``as_of`` (or, without it, on the date of its last fact), said on a
    line of its own (on stderr when ``output_format`` is ``json``), as ``explain`` says it.
    """
    source = load_policy_spec(policy) if isinstance(policy, str) else policy
    kinds = source.fact_kinds if isinstance(source, Policy) else shared_fact_kinds(source.label, source.policies())
    if store is not None:
        from .store import SQLiteStore

        if not Path(store).is_file():
            raise StoreError(f"no store file at {store}")
        with SQLiteStore(store, read_only=True) as opened:  # comparing writes nothing
            try:
                household = opened.household(household_id)
            except UnknownHousehold as error:
                raise unknown_household(error, store, lang) from None
            facts = opened.facts(household_id, kinds=kinds)
            chosen = policy_for_household(source, household, facts, as_of, output_format, lang)
            if chosen.fact_kinds is not kinds:
                facts = opened.facts(household_id, kinds=chosen.fact_kinds)
        return decisions_between(Engine(chosen), household, facts, before, after, as_of=as_of)
    if population is None:
        raise InvalidArgument("diff needs --store or --population")
    for partition in read_population(population).partitions:
        for found, read, _bad in partition.records(kinds=kinds):
            if found is not None and found.id == household_id:
                chosen = policy_for_household(source, found, read, as_of, output_format, lang)
                return decisions_between(Engine(chosen), found, read, before, after, as_of=as_of)
    raise RelapseGuardError(f"household {household_id!r} is not in {population}")
