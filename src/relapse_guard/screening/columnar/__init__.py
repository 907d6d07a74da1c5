"""The columnar screen (needs numpy: the ``fast`` extra); see docs/columnar.md.

:func:`run_columnar` screens a stream of households as :func:`~relapse_guard.screening.screen.run_records`
does, deciding in columns the households it can decide exactly and handing every other one
to the engine; :class:`QuietFrame` is what a rule's or trigger's ``vectorised_quiet_from``
is called with.
"""

from __future__ import annotations

from .frame import NO_BAND, SCALE, QuietFrame, VectorisedQuietFrom, band_scaled, quiet_plan, scaled
from .run import BATCH, COLUMNAR, ENGINE, run_columnar

__all__ = [
    "BATCH",
    "COLUMNAR",
    "ENGINE",
    "NO_BAND",
    "SCALE",
    "QuietFrame",
    "VectorisedQuietFrom",
    "band_scaled",
    "quiet_plan",
    "run_columnar",
    "scaled",
]
