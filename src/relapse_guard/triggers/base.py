"""The trigger protocol: look at a fact and the household, return a risk or nothing."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..context import Context
from ..decisions import Risk
from ..facts import Fact

__all__ = ["RiskKinds", "Trigger"]

#: What a trigger's ``risk_kinds`` may be: a tuple (its order is kept) or a frozenset of kinds.
RiskKinds = tuple[str, ...] | frozenset[str]


@runtime_checkable
class Trigger(Protocol):
    """Detects one kind of risk (or a few).

    ``name`` identifies the trigger in decisions (``trigger.<name>``); ``fact_kinds`` lists the
    fact classes it looks at (the engine calls :meth:`detect` only for those). Thresholds are
    read from the policy's dated parameters through ``ctx.param`` so they are explained and
    can change over time; build the risk with ``ctx.risk(...)``.

    ``risk_kinds`` lists every ``kind`` of risk :meth:`detect` can return, a tuple or a
    frozenset of str, whatever the trigger's name, prefix or parameters (a built-in trigger
    named ``illness_b`` still produces ``illness`` risks). The engine does not read it; the
    static checks (:func:`relapse_guard.checks.check_policy`) do, to find kinds with no route
    and routes for kinds no trigger produces. A trigger object written without it still runs
    and is still checked: the checks then assume it produces risks of its ``name`` (and of the
    kinds they see it produce while probing) and say so in their findings, but it does not
    satisfy this protocol, for type checkers nor for ``isinstance``.

    A trigger of income assessments may declare ``quiet_from(ctx) -> Decimal | None``: the
    per-capita income at and above which it finds nothing, as for
    :attr:`relapse_guard.rules.Rule.quiet_from`. The engine then skips it, with the other rules
    and triggers, for assessments at or above that income (docs/performance.md). It may also
    declare ``vectorised_quiet_from(frame)``, the same over many dates at once, for the
    columnar screen (docs/columnar.md); without it the households the trigger would be asked
    about are handed to the engine.

    A trigger of illnesses, disasters, lost jobs or earners, school enrolments or needs checks
    may declare ``vectorised_quiet(frame)``: for each fact of a
    :class:`~relapse_guard.screening.columnar.FactFrame`, True where :meth:`detect` finds
    nothing, for the columnar screen to decide the households with such facts (docs/columnar.md).
    """

    @property
    def name(self) -> str: ...

    @property
    def fact_kinds(self) -> tuple[type[Fact], ...]: ...

    @property
    def risk_kinds(self) -> RiskKinds: ...

    def detect(self, fact: Fact, ctx: Context) -> Risk | None:
        """The risk found in ``fact`` on ``ctx.date``, or None."""
        ...
