"""The pure core: ``Engine(policy).run(household, facts)`` -> state and explained decisions.

:class:`Engine` composes the phases a fact goes through, each in its own module:
:mod:`.run_state` (the run's state and what a fact observes), :mod:`.lifecycle_step` (the
clock and the lifecycle's moves), :mod:`.routing_step` (risks routed to interventions),
:mod:`.case_step` (decided cases), :mod:`.decision_log` (decisions recorded) and
:mod:`.prefilter` (quiet income assessments only recorded).
"""

from .engine import Engine

__all__ = ["Engine"]
