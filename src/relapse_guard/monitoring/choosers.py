"""Which policy screens a household: one for every household, or one by place and date.

:class:`~relapse_guard.policies.policy_map.PolicyMap` chooses by district (and town) with
effective dates; :class:`OnePolicy` screens everyone under one policy. A cycle run in worker
processes sends its chooser to each of them, so a chooser must pickle: both hold names and
load the policies where they run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from ..facts import FactKinds
from ..household import Place
from ..policies import load_policy
from ..policy import Policy

__all__ = ["OnePolicy", "PolicyChooser", "fact_kinds_of"]


@runtime_checkable
class PolicyChooser(Protocol):
    """Chooses the policy a household is screened under from its place and the date."""

    def policy_for(self, place: Place, on: dt.date) -> Policy:
        """The policy for a household of ``place`` on ``on`` (a typed error if none covers it)."""

    def policies(self) -> Mapping[str, Policy]:
        """Every policy the chooser may give, by name."""


class OnePolicy:
    """Every household under one policy: a registered name (loaded where it is used), or a
    :class:`~relapse_guard.policy.Policy` (which a worker process receives pickled)."""

    def __init__(self, policy: str | Policy, *, load: Callable[[str], Policy] = load_policy) -> None:
        self._name = policy if isinstance(policy, str) else None
        self._policy = policy if isinstance(policy, Policy) else None
        self._load = load

    @property
    def policy(self) -> Policy:
        """The policy (loaded on first use)."""
        if self._policy is None:
            assert self._name is not None
            self._policy = self._load(self._name)
        return self._policy

    def policy_for(self, place: Place, on: dt.date) -> Policy:
        """The one policy, whatever the place and date."""
        return self.policy

    def policies(self) -> Mapping[str, Policy]:
        """The one policy, by its name."""
        return {self.policy.name: self.policy}

    def __getstate__(self) -> dict[str, object]:
        # A named policy travels by name, not as an object: its functions need not pickle.
        return {"_name": self._name, "_policy": None if self._name else self._policy, "_load": self._load}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"OnePolicy({self._name or self.policy.label!r})"


def fact_kinds_of(chooser: PolicyChooser) -> FactKinds:
    """The fact kinds of every policy the chooser may give, together (to read a month's records)."""
    merged: dict[str, type] = {}
    for policy in chooser.policies().values():
        merged.update(policy.fact_kinds.by_kind)
    return FactKinds(merged)
