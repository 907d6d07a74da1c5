"""The trigger and intervention registries.

Built-ins are known by name; other packages add theirs by entry point in the groups
``relapse_guard.triggers`` and ``relapse_guard.interventions`` (a name pointing at a class or
function that builds the plug-in), or in code with ``TRIGGERS.register(name, factory)``.

>>> TRIGGERS.create("illness").name
'illness'
"""

from __future__ import annotations

from .interventions import BUILTIN_INTERVENTIONS
from .interventions.base import Intervention
from .registry import Registry
from .triggers import BUILTIN_TRIGGERS
from .triggers.base import Trigger

__all__ = ["INTERVENTIONS", "TRIGGERS"]

#: Triggers by name.
TRIGGERS: Registry[Trigger] = Registry("trigger", "relapse_guard.triggers", BUILTIN_TRIGGERS)

#: Interventions by name.
INTERVENTIONS: Registry[Intervention] = Registry("intervention", "relapse_guard.interventions", BUILTIN_INTERVENTIONS)
