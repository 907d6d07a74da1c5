"""The reference engine of the core benchmark: the engine written straightforwardly on ``transitions``.

It does all the engine's work, but the way a first implementation on ``transitions`` would:

- one ``transitions.Machine`` per household, built when the household's run starts;
- for every fact, the Machine is asked which lifecycle events the household's state allows
  (``get_triggers``), and each move is fired on the Machine (which checks it is allowed);
- every fact is evaluated by the rules and triggers (no prefilter).

Kept here, not in the library: it exists to measure what compiling the lifecycle into a
table and skipping quiet facts buy. :func:`lifecycle_only` compares the lifecycle step alone:
the same moves through the compiled table and through a Machine per household.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from typing import Any

from relapse_guard import Engine, Fact, Household, HouseholdResult, Policy, State
from relapse_guard.context import Context
from relapse_guard.decisions import Said
from relapse_guard.engine.case_step import CaseStep
from relapse_guard.engine.decision_log import DecisionLog
from relapse_guard.engine.entitlement_step import EntitlementStep
from relapse_guard.engine.lifecycle_step import LifecycleStep
from relapse_guard.engine.routing_step import Router
from relapse_guard.engine.run_state import RunState
from relapse_guard.lifecycle import GUARDS, TABLE, Event, build_machine


class _Model:
    """A Machine model whose guards always pass: the engine's rules evaluated them already."""

    def __init__(self) -> None:
        for guard in GUARDS:
            setattr(self, guard, True)
        self.state: Any = None


class _MachineLifecycle(LifecycleStep):
    """The engine's lifecycle step, each move fired on the household's Machine first."""

    def __init__(self, engine: MachineEngine, log: DecisionLog) -> None:
        super().__init__(engine.policy, log, on_enter=engine._enter, on_clock=engine._entitlements.advance)
        self._engine = engine

    def move(self, run: RunState, event: Event, date: dt.date, explanation: Said, **kwargs: Any) -> None:
        getattr(self._engine._model, event.value)()  # fired on the Machine; raises MachineError if not allowed
        super().move(run, event, date, explanation, **kwargs)


class MachineEngine(Engine):
    """:class:`relapse_guard.Engine` driven through a ``transitions.Machine`` per household."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(policy, prefilter=False)
        self._model = _Model()
        self._machine: Any = None
        # The same steps as the engine's, wired to a lifecycle that fires every move on the Machine.
        log = DecisionLog(True)
        self._entitlements = EntitlementStep(policy, log, context=self._context)
        self._lifecycle = _MachineLifecycle(self, log)
        self._router = Router(policy, log, assist=self._lifecycle.assist_after_grants, entitlements=self._entitlements)
        self._cases = CaseStep(log, self._lifecycle, self._entitlements)

    def run(
        self,
        household: Household,
        facts: Iterable[Fact],
        *,
        as_of: dt.date | None = None,
        known_on: dt.datetime | None = None,
    ) -> HouseholdResult:
        self._model = _Model()
        self._machine = build_machine(self._model)  # one Machine per household
        return super().run(household, facts, as_of=as_of, known_on=known_on)

    def _apply(self, run: RunState, fact: Fact, ctx: Context) -> None:
        self._machine.get_triggers(self._model.state)  # what may happen from here, asked per fact
        super()._apply(run, fact, ctx)


# --- the lifecycle step alone -------------------------------------------------------------------

#: For each state, the events the table allows from it (what ``get_triggers`` answers).
_ALLOWED: dict[State, tuple[Event, ...]] = {}
for (_source, _event), _target in TABLE.items():
    _ALLOWED.setdefault(_source, ())
    _ALLOWED[_source] += (_event,)


def lifecycle_only(histories: Sequence[tuple[int, Sequence[Event]]]) -> tuple[float, float]:
    """Seconds (CPU) to drive the lifecycle through the table and through a Machine per household.

    ``histories`` gives, per household, its number of facts and the moves it made. For every
    fact each side answers which events the state allows; each move is then made (the table
    looks it up, the Machine fires it).
    """
    table = TABLE
    allowed = _ALLOWED
    start = time.process_time()
    for facts, moves in histories:
        state = State.NEW
        for _ in range(facts):
            allowed.get(state)
        for event in moves:
            state = table[(state, event)][0]
    table_seconds = time.process_time() - start

    start = time.process_time()
    for facts, moves in histories:
        model = _Model()
        machine = build_machine(model)
        for _ in range(facts):
            machine.get_triggers(model.state)
        for event in moves:
            getattr(model, event.value)()
    machine_seconds = time.process_time() - start
    return table_seconds, machine_seconds
