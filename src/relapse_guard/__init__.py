"""relapse_guard: a rules-and-workflow engine for anti-relapse monitoring.

Households that left poverty are watched through a lifecycle (identified, assisted, exited,
monitored, relapsed, stable); dated facts about them are checked by pluggable triggers, each
risk is routed to dedicated interventions with the amounts a policy's dated parameters
give, and every decision says which rule, which facts and which parameter values it used.

This package exports what a first program needs: the engine and the shipped policies, the
policy map (which district screens under which policy), the household, the main kinds of
fact, the result and its lifecycle state, and the base error. Everything else is imported
from the submodule that documents it: errors from :mod:`relapse_guard.errors`, every fact
kind from :mod:`relapse_guard.facts`, decisions from :mod:`relapse_guard.decisions`, rules,
routes, reviews and parameters from :mod:`relapse_guard.rules`,
:mod:`relapse_guard.routing`, :mod:`relapse_guard.reviews` and
:mod:`relapse_guard.parameters`; case procedures, static checks and what-if comparisons from
:mod:`relapse_guard.cases`, :mod:`relapse_guard.checks` and :mod:`relapse_guard.whatif`.

Importing the package is cheap: it loads :mod:`relapse_guard.errors` only, and each other
name here loads its submodule on first use (``from relapse_guard import Engine`` brings in
the engine with its triggers, interventions and case procedures, not the static checks,
what-if comparisons, populations or the store).
"""

from __future__ import annotations

from .errors import RelapseGuardError

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing`, which would be most of this
#: import's time; type checkers take any ``TYPE_CHECKING`` to be true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from .engine import Engine
    from .facts import (
        AssistanceGranted,
        DisasterReported,
        ExitVerified,
        Fact,
        HouseAppraised,
        IllnessReported,
        IncomeAssessed,
        JobLost,
        MainEarnerLost,
        SchoolEnrolled,
    )
    from .household import Household, Member, Place
    from .lifecycle import State
    from .policies import load_policy, policy_names
    from .policies.policy_map import PolicyMap
    from .policy import Policy
    from .result import HouseholdResult

__version__ = "0.1.0"

__all__ = [
    "AssistanceGranted",
    "DisasterReported",
    "Engine",
    "ExitVerified",
    "Fact",
    "HouseAppraised",
    "Household",
    "HouseholdResult",
    "IllnessReported",
    "IncomeAssessed",
    "JobLost",
    "MainEarnerLost",
    "Member",
    "Place",
    "Policy",
    "PolicyMap",
    "RelapseGuardError",
    "SchoolEnrolled",
    "State",
    "__version__",
    "load_policy",
    "policy_names",
]

#: Exported names loaded on first use, each with the module that defines it.
_LAZY = {
    "AssistanceGranted": "relapse_guard.facts",
    "DisasterReported": "relapse_guard.facts",
    "Engine": "relapse_guard.engine",
    "ExitVerified": "relapse_guard.facts",
    "Fact": "relapse_guard.facts",
    "HouseAppraised": "relapse_guard.facts",
    "Household": "relapse_guard.household",
    "HouseholdResult": "relapse_guard.result",
    "IllnessReported": "relapse_guard.facts",
    "IncomeAssessed": "relapse_guard.facts",
    "JobLost": "relapse_guard.facts",
    "MainEarnerLost": "relapse_guard.facts",
    "Member": "relapse_guard.household",
    "Place": "relapse_guard.household",
    "Policy": "relapse_guard.policy",
    "PolicyMap": "relapse_guard.policies.policy_map",
    "SchoolEnrolled": "relapse_guard.facts",
    "State": "relapse_guard.lifecycle",
    "load_policy": "relapse_guard.policies",
    "policy_names": "relapse_guard.policies",
}

if not TYPE_CHECKING:  # type checkers see the imports above; an unknown name stays an error for them

    def __getattr__(name: str) -> object:
        """Import a lazily exported name on first use (PEP 562), then keep it here."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
