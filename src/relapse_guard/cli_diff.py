"""``relapse-guard diff ID --known-on A --known-on B``: what changed in a household's decisions
between two knowledge dates, and which facts made the difference (:mod:`relapse_guard.diff`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from .cli_policy import load_policy_spec
from .diff import KnowledgeDiff, decisions_between
from .engine import Engine
from .errors import InvalidArgument, RelapseGuardError, StoreError
from .policy import Policy
from .population import read_population

__all__ = ["diff_household", "run_diff"]


def run_diff(args: argparse.Namespace) -> int:
    """The ``diff`` command: print the difference; 0."""
    moments: list[dt.datetime] = args.known_on
    if len(moments) != 2:
        raise InvalidArgument(f"diff needs --known-on twice (the earlier, then the later), not {len(moments)} times")
    change = diff_household(
        args.household_id,
        args.policy,
        moments[0],
        moments[1],
        store=args.store,
        population=args.population,
        as_of=args.as_of,
    )
    if args.format == "json":
        print(json.dumps(change.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(change.lines()))
    return 0


def diff_household(
    household_id: str,
    policy: str | Policy,
    before: dt.datetime,
    after: dt.datetime,
    *,
    store: str | None = None,
    population: str | None = None,
    as_of: dt.date | None = None,
) -> KnowledgeDiff:
    """The household's decisions as known on ``before`` and ``after``, compared; its facts read
    from a SQLite ``store`` or a ``population`` directory."""
    loaded = load_policy_spec(policy) if isinstance(policy, str) else policy
    if store is not None:
        from .store import SQLiteStore

        if not Path(store).is_file():
            raise StoreError(f"no store file at {store}")
        with SQLiteStore(store, read_only=True) as opened:  # comparing writes nothing
            household = opened.household(household_id)
            facts = opened.facts(household_id, kinds=loaded.fact_kinds)
        return decisions_between(Engine(loaded), household, facts, before, after, as_of=as_of)
    if population is None:
        raise InvalidArgument("diff needs --store or --population")
    for partition in read_population(population).partitions:
        for found, read, _bad in partition.records(kinds=loaded.fact_kinds):
            if found is not None and found.id == household_id:
                return decisions_between(Engine(loaded), found, read, before, after, as_of=as_of)
    raise RelapseGuardError(f"household {household_id!r} is not in {population}")
