"""The monthly monitoring cycle: checkpoints kept in a store, households resumed from them
with the month's new facts, each under its district's policy, and the alerts that follow.

>>> from relapse_guard.monitoring import Monitor
"""

from .alerts import Alert, AlertKind, replay_reason
from .choosers import OnePolicy, PolicyChooser
from .monitor import FAR_AHEAD, CycleProgress, CycleReport, FactAhead, Monitor, cycle_dates, last_cycle
from .rescreen import ChunkOutcome

__all__ = [
    "FAR_AHEAD",
    "Alert",
    "AlertKind",
    "ChunkOutcome",
    "CycleProgress",
    "CycleReport",
    "FactAhead",
    "Monitor",
    "OnePolicy",
    "PolicyChooser",
    "cycle_dates",
    "last_cycle",
    "replay_reason",
]
