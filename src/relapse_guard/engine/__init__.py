"""The pure core: ``Engine(policy).run(household, facts)`` -> state and explained decisions.

:class:`Engine` composes the phases a fact goes through, each in its own module:
:mod:`.run_state` (the run's state and what a fact observes), :mod:`.lifecycle_step` (the
clock and the lifecycle's moves), :mod:`.routing_step` (risks routed to interventions),
:mod:`.case_step` (decided cases), :mod:`.household_step` (members joining, leaving and
dying, moves), :mod:`.decision_log` (decisions recorded) and
:mod:`.prefilter` (quiet income assessments only recorded). :mod:`.checkpoint` and
:mod:`.resume` carry a run on from where it stopped (:meth:`Engine.resume`); :mod:`.agreement`
says from what date two policies may decide apart, and :mod:`.fork` runs a household's facts
before it once for both (a what-if's first pass).
"""

from .checkpoint import CHECKPOINT_SCHEMA, Checkpoint, OpenCase
from .engine import Engine
from .fingerprint import household_fingerprint, policy_fingerprint
from .household_step import household_on
from .resume import Checkpointed, ResumePath

__all__ = [
    "CHECKPOINT_SCHEMA",
    "Checkpoint",
    "Checkpointed",
    "Engine",
    "OpenCase",
    "ResumePath",
    "household_fingerprint",
    "household_on",
    "policy_fingerprint",
]
