"""A year of monthly monitoring cycles over a small generated county, each district under its
own policy; at the end, every household's checkpoint is what a full replay of its facts gives.

Each month the departments send the facts dated in that month, and a few they were late to
send (dated a month or two earlier). The cycle stores them, rescreens only the households
given new facts or with something due — resumed from their checkpoints, patched when the
month was quiet, replayed from their whole history when a fact came late — and says what
needs attention. See docs/monitoring.md.

Run: python examples/monthly_cycle.py
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

from relapse_guard import Engine, Household
from relapse_guard.engine import Checkpoint
from relapse_guard.facts import Fact
from relapse_guard.monitoring import Monitor
from relapse_guard.policies.policy_map import load_policy_map
from relapse_guard.population import synthetic_households
from relapse_guard.store import MemoryStore

HOUSEHOLDS = 600
YEAR = 2016
#: The share of facts sent one or two months after the month they are dated in.
LATE_SHARE = 0.03


def month_end(month: int) -> dt.date:
    """The last day of ``month`` (1 to 12) of the year."""
    first_of_next = dt.date(YEAR + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def deliveries(people: list[tuple[Household, list[Fact]]], *, seed: int = 7) -> dict[int, list[Fact]]:
    """The facts each month's delivery holds: those dated in the month, and some sent late."""
    rng = random.Random(seed)
    months: dict[int, list[Fact]] = defaultdict(list)
    for _, facts in people:
        for fact in facts:
            late = rng.randint(1, 2) if rng.random() < LATE_SHARE else 0
            months[min(fact.date.month + late, 12)].append(fact)
    return months


def main() -> None:
    people = list(synthetic_households(HOUSEHOLDS, seed=3, start=dt.date(YEAR, 1, 1), months=12))
    policies = load_policy_map("chongqing")  # Yubei, Dazu and Bishan each under its own policy
    store = MemoryStore()
    store.put_households(household for household, _ in people)
    monitor = Monitor(store, policies, chunk_size=200)
    by_month = deliveries(people)

    facts_in_year = sum(len(facts) for _, facts in people)
    print(f"{HOUSEHOLDS} households, {facts_in_year:,} facts in {YEAR}, a cycle as of each month's end")
    print("month       facts  picked  resumed  quiet  replayed  new  alerts")
    for month in range(1, 13):
        as_of = month_end(month)
        report = monitor.cycle((fact.to_dict() for fact in by_month[month]), as_of=as_of)
        alerts = ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in report.alert_counts.items())
        print(
            f"{as_of}  {report.ingest.stored:5}  {report.picked:6}  {report.resumed:7}  {report.quiet:5}  "
            f"{report.replayed:8}  {report.started:3}  {alerts}"
        )
        assert not report.problems

    # A cycle run again changes nothing: the facts are duplicates and nobody is pending.
    again = monitor.cycle((fact.to_dict() for fact in by_month[12]), as_of=month_end(12))
    assert again.ingest.stored == 0
    assert again.rescreened == 0
    print(f"December's cycle run again: {again.ingest.duplicates} duplicates, {again.rescreened} households rescreened")

    # Twelve cycles end where one replay of every household's whole year ends.
    december = month_end(12)
    stored = store.checkpoints([household.id for household, _ in people])
    engines: dict[str, Engine] = {}
    states: Counter[str] = Counter()
    for household, facts in people:
        policy = policies.policy_for(household.place, december)
        engine = engines.setdefault(policy.label, Engine(policy, record_decisions=False))
        replayed = engine.run_checkpointed(household, facts, as_of=december).checkpoint
        kept = Checkpoint.from_bytes(stored[household.id].body, policy)
        assert kept == replayed, f"household {household.id}: the cycles and a full replay differ"
        states[kept.state.value] += 1
    by_state = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    print(f"as of {december}: every household's checkpoint equals a full replay of its facts ({by_state})")
    count = store.checkpoint_count()
    print(f"{count} checkpoints in the store, {store.checkpoint_bytes() / count:.0f} bytes each on average")


if __name__ == "__main__":
    main()
