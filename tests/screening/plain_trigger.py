"""A shipped trigger wrapped without its vectorised forms (nor its scalar ``quiet_from``)."""

from __future__ import annotations

from typing import Any

import attrs

from relapse_guard.facts import Fact


@attrs.frozen
class PlainTrigger:
    """``inner`` as the engine sees it (its name, kinds and ``detect``), and nothing more: the
    columnar screen must hand the households it would be asked about to the engine."""

    inner: Any

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]:
        return tuple(self.inner.fact_kinds)

    @property
    def risk_kinds(self) -> tuple[str, ...]:
        return tuple(self.inner.risk_kinds)

    def detect(self, fact: Fact, ctx: Any) -> Any:
        return self.inner.detect(fact, ctx)
