"""What a store does inside one write transaction, and how a batch of facts is sorted out there.

A concrete store implements :class:`Writer` over its storage (dicts, SQLite);
:func:`plan_facts` splits a batch into new facts, exact duplicates and conflicts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

import attrs

from ..errors import ConflictingFact
from ..facts import Fact
from .base import QuarantinedRecord, StoredCheckpoint
from .chain import ChainHead, LogRow
from .codec import date_text, same_fact
from .linked import ChainedFactRow, CheckpointLogRow, FactRow

__all__ = [
    "AlertRow",
    "ChainedFactRow",
    "CheckpointLogRow",
    "Encoded",
    "FactRow",
    "LogEntry",
    "Plan",
    "Writer",
    "fact_rows",
    "plan_facts",
]


#: An alert as stored: cycle, household id, position (from 1, per cycle and household), JSON body.
AlertRow = tuple[str, str, int, str]


@attrs.frozen
class LogEntry:
    """A decisions-log entry as stored; ``digest`` identifies the decision's content (no re-logging)."""

    sequence: int
    household_id: str
    policy: str
    digest: str
    row: LogRow


class Writer(Protocol):
    """The storage primitives a store runs inside one write transaction."""

    def versions(self, household_ids: Collection[str]) -> dict[str, int]:
        """The current version of each household that has facts."""

    def stored_facts(self, fact_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """For each of ``fact_ids`` already stored: ``(household id, JSON body)``."""

    def recorded(self, household_ids: Collection[str]) -> set[str]:
        """The households among ``household_ids`` that have a record."""

    def fact_head(self) -> ChainHead:
        """The head of the facts' chain as recorded."""

    def insert_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> None:
        """Insert chained fact rows, record the chain's new head, set the households' new versions and
        mark the households pending."""

    def insert_new_facts(self, rows: Sequence[ChainedFactRow], versions: Mapping[str, int], head: ChainHead) -> bool:
        """:meth:`insert_facts` if none of the rows' fact ids is stored (True); else change nothing (False)."""

    def put_households(self, rows: Sequence[tuple[str, str]]) -> None:
        """Insert or replace household records ``(id, JSON body)``."""

    def quarantine(self, rows: Sequence[QuarantinedRecord]) -> None:
        """Add rejected records to the quarantine."""

    def quarantined_keys(self, household_ids: Collection[str | None]) -> set[str]:
        """The :attr:`~.base.QuarantinedRecord.key` of each quarantined record of these households
        (``None``: the records with no household id)."""

    def logged_digests(self, household_id: str, policy: str, digests: Collection[str]) -> set[str]:
        """Which of ``digests`` the household's log already holds for ``policy``."""

    def chain_head(self) -> ChainHead:
        """The log's head as recorded."""

    def checkpoint_head(self) -> ChainHead:
        """The head of the checkpoint log as recorded."""

    def put_checkpoints(
        self, rows: Sequence[StoredCheckpoint], entries: Sequence[CheckpointLogRow], head: ChainHead
    ) -> None:
        """Insert or replace the households' checkpoints (one per household), each with its entry of the
        checkpoint log (``entries``, in the same order), append the entries and record the log's new head."""

    def mark_pending(self, household_ids: Collection[str]) -> None:
        """Put households in the pending index (those already in it stay)."""

    def clear_pending(self, household_ids: Collection[str]) -> None:
        """Take households out of the pending index (those not in it are left alone)."""

    def based(self, cycle: str, household_ids: Collection[str]) -> set[str]:
        """The households among ``household_ids`` with a base for ``cycle``."""

    def keep_bases(self, cycle: str, household_ids: Collection[str]) -> None:
        """Keep each household's checkpoint (or none) as its base for ``cycle``, over its base of
        an earlier cycle."""

    def delete_alerts(self, cycle: str, household_ids: Collection[str]) -> None:
        """Delete the alerts stored for ``cycle`` and each of ``household_ids``."""

    def alert_positions(self, cycle: str, household_ids: Collection[str]) -> dict[str, int]:
        """The last position of the alerts stored for ``cycle`` and each household that has some."""

    def insert_alerts(self, rows: Sequence[AlertRow]) -> None:
        """Insert alert rows."""

    def cycle_run_count(self, cycle: str) -> int:
        """How many runs of ``cycle`` have a record."""

    def put_cycle_run(self, cycle: str, run: int, body: str) -> None:
        """Insert or replace the record of run ``run`` of ``cycle``."""

    def append_log(self, entries: Sequence[LogEntry], head: ChainHead) -> None:
        """Append log entries and record the new head."""


#: A fact and its stored form (canonical JSON), encoded before the transaction starts.
Encoded = tuple[Fact, str]


@attrs.define
class Plan:
    """A batch of one household sorted out: facts to store, duplicates skipped, conflicts (index, error)."""

    new: list[Encoded] = attrs.Factory(list)
    duplicates: int = 0
    conflicts: list[tuple[int, ConflictingFact]] = attrs.Factory(list)


def plan_facts(
    household_id: str,
    facts: Sequence[Encoded],
    stored: Mapping[str, tuple[str, str]],
    staged: dict[str, tuple[str, Fact]],
) -> Plan:
    """Split ``facts`` into new ones, exact duplicates and conflicts (same id, other content).

    ``staged`` holds facts accepted earlier in the same transaction (any household).
    """
    plan = Plan()
    new = plan.new
    for index, (fact, body) in enumerate(facts):
        fact_id = fact.id
        given = fact_id in staged  # given earlier in this call, not stored
        if given:
            owner, other = staged[fact_id]
            same = owner == household_id and other == fact
        elif fact_id in stored:
            owner, stored_body = stored[fact_id]
            same = owner == household_id and same_fact(stored_body, fact, body)
        else:
            staged[fact_id] = (household_id, fact)
            new.append((fact, body))
            continue
        if same:
            plan.duplicates += 1
            continue
        where = "given before it with this id" if given else "stored with this id"
        expected = f"one fact per id (a fact {where} differs)"
        if owner != household_id:
            expected = _other_household(fact_id, owner, given=given)
        plan.conflicts.append((index, ConflictingFact(household_id, "id", fact.id, expected, fact_id=fact.id)))
    return plan


def _other_household(fact_id: str, owner: str, *, given: bool) -> str:
    """What a fact id used by household ``owner`` is expected to be, and what to do."""
    if given:
        return (
            f"a fact id not used by another household (given before it for household {owner!r}): a fact id names "
            "one fact, so send one of them under another id"
        )
    return (
        f"a fact id not used by another household (it is stored for household {owner!r}, and a fact id names one "
        f"fact for good): send this fact under a new id; if the stored one was filed under the wrong household, "
        f"also retract it (a fact_retracted of household {owner!r} with retracts={fact_id!r})"
    )


def fact_rows(household_id: str, current: int, facts: Sequence[Encoded]) -> list[FactRow]:
    """The rows of new facts appended after position ``current`` of the household's stream."""
    return [
        (fact.id, household_id, position, fact.kind, date_text(fact.date), body)
        for position, (fact, body) in enumerate(facts, start=current + 1)
    ]
