"""Case procedures: multi-step identification and risk-elimination workflows with deadlines.

A risk does not change a household's status by itself: it opens a **case** of a
**procedure** that passes through steps, each done by a level of government within a
deadline, with a public notice in which neighbours may object. Procedures are data
(:class:`Procedure`, :class:`Step`); each runs on a :mod:`transitions` Machine compiled to a
table; a case's records are facts and replay like a household's; when a case is decided,
:meth:`CaseState.decision_fact` is the :class:`~relapse_guard.facts.CaseDecided` fact the
household engine applies. :func:`cases_due` lists the running deadlines as of a date.

>>> from relapse_guard.cases import IDENTIFICATION
>>> IDENTIFICATION.step_names[0], IDENTIFICATION.step("public_notice").deadline_text
('household_verification', 'notice of 5 days')
"""

from .calendar import WorkingCalendar
from .case import CaseEntry, CaseState
from .deadlines import CaseDeadline, DeadlineState, Roster, case_deadline, cases_due
from .elimination import RiskEliminationCondition
from .machine import build_machine, case_transitions, mermaid, table
from .national import (
    IDENTIFICATION,
    NATIONAL_PROCEDURES,
    RISK_ELIMINATION,
    national_identification,
    national_risk_elimination,
)
from .procedure import APPROVED, REJECTED, Outcome, Procedure, StartCondition, StartContext, Step
from .replay import check_start, group_cases, open_case, procedure_named, replay_case, replay_cases

__all__ = [
    "APPROVED",
    "IDENTIFICATION",
    "NATIONAL_PROCEDURES",
    "REJECTED",
    "RISK_ELIMINATION",
    "CaseDeadline",
    "CaseEntry",
    "CaseState",
    "DeadlineState",
    "Outcome",
    "Procedure",
    "RiskEliminationCondition",
    "Roster",
    "StartCondition",
    "StartContext",
    "Step",
    "WorkingCalendar",
    "build_machine",
    "case_deadline",
    "case_transitions",
    "cases_due",
    "check_start",
    "group_cases",
    "mermaid",
    "national_identification",
    "national_risk_elimination",
    "open_case",
    "procedure_named",
    "replay_case",
    "replay_cases",
    "table",
]
