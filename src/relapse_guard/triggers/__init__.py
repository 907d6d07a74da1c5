"""Built-in triggers: each looks at one kind of fact and returns a risk or nothing.

Every trigger implements :class:`~relapse_guard.triggers.base.Trigger`, reads its thresholds
from the policy's dated parameters (under its ``prefix``, ``triggers.<name>`` by default) so
they are explained and can change over time, and builds risks whose ``kind`` the policy's
routes dispatch on: ``illness``, ``disaster``, ``unemployment``, ``schooling``,
``income_drop``, ``unsafe_housing``, ``main_earner_lost``. Each declares that one kind as its
``risk_kinds``, whatever name it is given.

:data:`BUILTIN_TRIGGERS` maps each default name to its ``"module:Class"`` path, for the
trigger registry; nothing registers itself on import.
"""

from .base import Trigger
from .disaster import DisasterTrigger
from .illness import IllnessTrigger
from .income_drop import IncomeDropTrigger
from .main_earner import MainEarnerLostTrigger
from .schooling import SchoolingTrigger
from .unemployment import UnemploymentTrigger
from .unsafe_housing import UnsafeHousingTrigger

__all__ = [
    "BUILTIN_TRIGGERS",
    "DisasterTrigger",
    "IllnessTrigger",
    "IncomeDropTrigger",
    "MainEarnerLostTrigger",
    "SchoolingTrigger",
    "Trigger",
    "UnemploymentTrigger",
    "UnsafeHousingTrigger",
]

#: Default trigger names to ``"module:Class"`` paths (imported by the trigger registry).
BUILTIN_TRIGGERS: dict[str, str] = {
    "illness": "relapse_guard.triggers.illness:IllnessTrigger",
    "disaster": "relapse_guard.triggers.disaster:DisasterTrigger",
    "unemployment": "relapse_guard.triggers.unemployment:UnemploymentTrigger",
    "schooling": "relapse_guard.triggers.schooling:SchoolingTrigger",
    "income_drop": "relapse_guard.triggers.income_drop:IncomeDropTrigger",
    "unsafe_housing": "relapse_guard.triggers.unsafe_housing:UnsafeHousingTrigger",
    "main_earner_lost": "relapse_guard.triggers.main_earner:MainEarnerLostTrigger",
}
