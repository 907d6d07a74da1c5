"""The trigger protocol: look at a fact and the household, return a risk or nothing."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..context import Context
from ..decisions import Risk
from ..facts import Fact

__all__ = ["Trigger"]


@runtime_checkable
class Trigger(Protocol):
    """Detects one kind of risk.

    ``name`` identifies the trigger in decisions (``trigger.<name>``); ``fact_kinds`` lists the
    fact classes it looks at (the engine calls :meth:`detect` only for those). Thresholds are
    read from the policy's dated parameters through ``ctx.param`` so they are explained and
    can change over time; build the risk with ``ctx.risk(...)``.

    A trigger may also declare ``risk_kinds: tuple[str, ...]``, the kinds of risk it produces;
    the static checks (:func:`relapse_guard.checks.check_policy`) read it to find kinds with
    no route, and assume a trigger without it produces risks of its ``name``.

    A trigger of income assessments may declare ``quiet_from(ctx) -> Decimal | None``: the
    per-capita income at and above which it finds nothing, as for
    :attr:`relapse_guard.rules.Rule.quiet_from`. The engine then skips it, with the other rules
    and triggers, for assessments at or above that income (docs/performance.md).
    """

    @property
    def name(self) -> str: ...

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]: ...

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """The risk found in ``fact`` on ``ctx.date``, or None."""
        ...
