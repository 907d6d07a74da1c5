"""The columnar screen (needs numpy: the ``fast`` extra); see docs/columnar.md.

:func:`run_columnar` screens a stream of households as :func:`~relapse_guard.screening.screen.run_records`
does, deciding in columns the households it can decide exactly and handing every other one
to the engine; :class:`QuietFrame` is what a rule's or trigger's ``vectorised_quiet_from``
is called with, and :class:`FactFrame` what a trigger's ``vectorised_quiet`` of other facts is.
:func:`screen_safety_net_month` is a single-period safety-net screen: every household's
monthly top-up on one date, read from Parquet in columns (:mod:`.safety_net_month`).
"""

from __future__ import annotations

from .frame import (
    FRAMED_KINDS,
    NO_BAND,
    SCALE,
    FactFrame,
    QuietFrame,
    VectorisedQuiet,
    VectorisedQuietFrom,
    band_scaled,
    quiet_plan,
    scaled,
)
from .run import COLUMNAR, ENGINE, run_columnar
from .safety_net_month import SafetyNetMonth, screen_safety_net_month, top_up_fen

__all__ = [
    "COLUMNAR",
    "ENGINE",
    "FRAMED_KINDS",
    "NO_BAND",
    "SCALE",
    "FactFrame",
    "QuietFrame",
    "SafetyNetMonth",
    "VectorisedQuiet",
    "VectorisedQuietFrom",
    "band_scaled",
    "quiet_plan",
    "run_columnar",
    "scaled",
    "screen_safety_net_month",
    "top_up_fen",
]
