"""The reference engine for the core benchmark: one ``transitions.Machine`` per household.

It does the engine's work but moves each household through its lifecycle by firing events
on a Machine built for it, the way a straightforward implementation on ``transitions``
would. Kept here, not in the library, to measure what compiling the lifecycle into a table
buys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from relapse_guard import Engine, Fact, Household, HouseholdResult
from relapse_guard._run_state import RunState
from relapse_guard.lifecycle import GUARDS, Event, build_machine


class _Model:
    """A Machine model whose guards always pass: the engine evaluated them already."""

    def __init__(self) -> None:
        for guard in GUARDS:
            setattr(self, guard, True)
        self.state: Any = None


class MachineEngine(Engine):
    """:class:`relapse_guard.Engine` with a ``transitions.Machine`` per household for its moves."""

    def run(self, household: Household, facts: Iterable[Fact], *, as_of: dt.date | None = None) -> HouseholdResult:
        model = _Model()
        build_machine(model)  # one Machine per household, as the straightforward design would
        self._model = model
        return super().run(household, facts, as_of=as_of)

    def _move(self, run: RunState, event: Event, date: dt.date, explanation: str, **kwargs: Any) -> None:
        getattr(self._model, event.value)()  # fire on the Machine; raises MachineError if not allowed
        super()._move(run, event, date, explanation, **kwargs)
