"""The engine's check of a case's start condition on the case's own facts.

A procedure with a start condition (risk elimination:
:class:`~relapse_guard.cases.elimination.RiskEliminationCondition`) may start only when it
holds: :func:`~relapse_guard.cases.open_case` checks it before it makes the ``CaseOpened`` fact,
and the engine checks it again on the facts, however the case arrives (made by ``open_case``,
sent by another system, or a bare ``CaseDecided``):

- when a ``CaseOpened`` of such a procedure is applied, on the household as the run holds it
  that day: the condition failing, the case **could not start** — a ``transition_refused``
  decision says why, in the words :class:`~relapse_guard.errors.CaseCannotStart` gives, and
  no decision of that case is applied;
- when the case's approval is applied, again on that day (the income, the members, the risks
  found may have changed since it opened): the condition failing, the approval is refused
  the same way, and the risk stays open.

The condition reads the household's history (its assessments since the risk was found), so a
run that applies such a fact is a run of the whole history: a checkpoint is not resumed with
one (:func:`~relapse_guard.engine.resume.refusal`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from collections.abc import Callable

from .. import message_keys as keys
from ..cases.procedure import APPROVED, Procedure, StartContext
from ..cases.replay import check_start
from ..decisions import DecisionKind
from ..errors import PluginFailed, RelapseGuardError, in_policy_code
from ..facts import CaseDecided, CaseOpened
from ..messages import Message, Term
from ..policy import Policy
from ..result import HouseholdResult
from ..rules import Verdict
from .decision_log import DecisionLog
from .run_state import RunState

__all__ = ["CaseConditions", "checked_procedures"]

_DATE = operator.attrgetter("date")


def checked_procedures(policy: Policy) -> frozenset[str]:
    """The names of ``policy``'s procedures that have a start condition."""
    return frozenset(p.name for p in policy.procedures if p.start_condition is not None)


class CaseConditions:
    """Checks the start condition of ``policy``'s procedures on case facts; see the module docstring.

    ``result`` gives a run's result as of a date (the engine's), for the condition's evidence.
    """

    def __init__(self, policy: Policy, log: DecisionLog, result: Callable[[RunState, dt.date], HouseholdResult]):
        self._procedures = {p.name: p for p in policy.procedures if p.start_condition is not None}
        self._policy = policy
        self._log = log
        self._result = result

    def opened(self, run: RunState, fact: CaseOpened) -> None:
        """A case opened: refused (and remembered as such) when its start condition does not hold."""
        procedure = self._procedures.get(fact.procedure)
        if procedure is None:
            return
        verdict = self._verdict(procedure, run, fact.date, fact.risk_key, fact.id)
        if verdict.holds:
            return
        run.refused_cases[fact.case_id] = fact.date
        said = _reason(procedure, verdict)
        said = Message(keys.CASE_CANNOT_START, Term(fact.procedure), fact.case_id, said)
        self._refuse(run, fact.date, procedure, fact.id, said, verdict)

    def allows(self, run: RunState, fact: CaseDecided, about: Message) -> bool:
        """Whether the decision ``fact`` may be applied: not for a case that could not start, nor
        an approval on a day the start condition does not hold (a refusal is recorded)."""
        procedure = self._procedures.get(fact.procedure)
        if procedure is None:
            return True
        refused_on = run.refused_cases.get(fact.case_id)
        if refused_on is not None:
            self._refuse(run, fact.date, procedure, fact.id, Message(keys.CASE_NOT_STARTED, about, refused_on), None)
            return False
        if fact.outcome != APPROVED:
            return True
        verdict = self._verdict(procedure, run, fact.date, fact.risk_key, fact.id)
        if verdict.holds:
            return True
        said = _reason(procedure, verdict)
        self._refuse(run, fact.date, procedure, fact.id, Message(keys.APPROVAL_REFUSED, about, said), verdict)
        return False

    def _verdict(self, procedure: Procedure, run: RunState, on: dt.date, risk_key: str | None, fact_id: str) -> Verdict:
        """The start condition's verdict on the household as the run holds it on ``on``."""
        facts = run.facts
        evidence = StartContext(
            household=run.household,
            on=on,
            facts=facts[: bisect.bisect_right(facts, on, key=_DATE)],
            result=self._result(run, on),
            parameters=self._policy.parameters,
            risk_key=risk_key,
        )
        assert procedure.start_condition is not None
        plugin = f"procedure.{procedure.name}.{procedure.start_condition.name}"
        household = run.household.id
        try:
            return check_start(procedure, evidence, fact_id=fact_id)
        except PluginFailed:
            raise
        except RelapseGuardError as error:  # the library's own, let out by policy code: said where
            in_policy_code(error, household, plugin, fact_id)
            raise
        except Exception as error:  # policy code failed: name it, for this household
            raise PluginFailed(household, plugin, fact_id, error) from error

    def _refuse(
        self,
        run: RunState,
        on: dt.date,
        procedure: Procedure,
        fact_id: str,
        said: Message,
        verdict: Verdict | None,
    ) -> None:
        self._log.record(
            run,
            on,
            DecisionKind.TRANSITION_REFUSED,
            f"case.{procedure.name}",
            said,
            facts=(fact_id,),
            from_state=run.state,
            margins=verdict.margins if verdict is not None else (),
        )


def _reason(procedure: Procedure, verdict: Verdict) -> Message:
    """The condition's name and its verdict, as :class:`~relapse_guard.errors.CaseCannotStart` says them."""
    assert procedure.start_condition is not None
    return Message(keys.CONDITION_SAYS, procedure.start_condition.name, verdict.message)
