"""The intervention protocol: decide whether it applies to a risk and what it grants."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..context import Context
from ..decisions import Declined, Grant, Risk

__all__ = ["Intervention"]


@runtime_checkable
class Intervention(Protocol):
    """Grants money (an amount with its period) or a service (with its responsible unit).

    ``name`` identifies the intervention in routes and decisions (``intervention.<name>``).
    :meth:`grant` returns :class:`~relapse_guard.decisions.Declined` with the reason when the
    intervention does not apply (a safety-net gap of zero, a cap used up), or None when there
    is nothing worth saying; amounts come from the policy's dated parameters through ``ctx.param`` and are
    rounded with :func:`relapse_guard.money.to_money`. Build the grant with ``ctx.grant(...)``.

    Two optional attributes say more, read by :func:`~relapse_guard.entitlements.tags_of` and
    :func:`~relapse_guard.entitlements.terms_of`: ``tags`` (the kinds it is, such as
    ``"safety_net"``, which rules ask about instead of its name) and ``terms`` (an
    :class:`~relapse_guard.entitlements.EntitlementTerms`: how its monthly grants start, are
    recomputed and end).
    """

    @property
    def name(self) -> str: ...

    def grant(self, risk: Risk, ctx: Context) -> Grant | Declined | None:
        """What this intervention grants for ``risk``, or why it does not apply."""
        ...
