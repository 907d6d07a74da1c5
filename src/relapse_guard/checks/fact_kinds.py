"""The ``unread_fact_kind`` check: a trigger of facts the policy does not take.

A policy's ``fact_kinds`` are the kinds its readers and its store take: a population file,
a month's facts, a store's ingest refuse any other (``kind 'crop_failure' refused``). A
trigger of a kind not among them never sees a fact of it from a file or a store, however
many are reported. The usual cause: a trigger of a fact class of one's own, added without
``derive(fact_kinds=policy.fact_kinds.with_kind(CropFailure))``.
"""

from __future__ import annotations

from ..policy import Policy
from .findings import Finding

__all__ = ["fact_kind_findings"]


def fact_kind_findings(policy: Policy) -> list[Finding]:
    """An ``unread_fact_kind`` finding for each trigger and fact class the policy's ``fact_kinds`` lack."""
    taken = policy.fact_kinds.by_kind
    found = []
    for trigger in policy.triggers:
        for cls in trigger.fact_kinds:
            if taken.get(cls.kind) is cls:
                continue
            found.append(
                Finding(
                    "unread_fact_kind",
                    f"trigger {trigger.name}",
                    f"reads {cls.__name__} facts ({cls.kind!r}), which the policy's fact_kinds do not take: files "
                    f"and stores refuse them, so it never fires; derive(fact_kinds=policy.fact_kinds.with_kind("
                    f"{cls.__name__}))",
                )
            )
    return found
