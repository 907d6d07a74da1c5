"""relapse_guard: a rules-and-workflow engine for anti-relapse monitoring.

Households that left poverty are watched through a lifecycle (identified, assisted, exited,
monitored, relapsed, stable); dated facts about them are checked by pluggable triggers, each
risk is routed to dedicated interventions with the amounts a policy's dated parameters
give, and every decision says which rule, which facts and which parameter values it used.

The public API is re-exported here; triggers, interventions and shipped policies live in
:mod:`relapse_guard.triggers`, :mod:`relapse_guard.interventions` and
:mod:`relapse_guard.policies`.
"""

from .cases import (
    CaseDeadline,
    CaseState,
    DeadlineState,
    Procedure,
    Step,
    WorkingCalendar,
    cases_due,
    open_case,
    replay_case,
)
from .checks import CHECKS, Finding, check_policy
from .context import Context
from .decisions import Decision, DecisionKind, Declined, Grant, Period, Risk, Severity
from .engine import Engine
from .errors import (
    BackendUnavailable,
    CaseCannotStart,
    CaseError,
    ConcurrencyConflict,
    ConflictingFact,
    InvalidCaseStep,
    InvalidFact,
    InvalidHousehold,
    InvalidInput,
    InvalidParameterFile,
    InvalidPolicy,
    InvalidProcedure,
    InvalidTransition,
    ParameterError,
    ParameterNotInForce,
    RelapseGuardError,
    StoreError,
    UnknownHousehold,
    UnknownParameter,
    UnknownPlugin,
    UnknownSchemaVersion,
)
from .facts import (
    DEFAULT_FACT_KINDS,
    AssistanceGranted,
    BasicNeed,
    BasicNeedsChecked,
    CaseDecided,
    CaseOpened,
    CaseStepRecorded,
    DisasterReported,
    ExitVerified,
    Fact,
    FactKinds,
    HouseAppraised,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    ReviewCompleted,
    SchoolEnrolled,
    Source,
    parse_fact,
)
from .household import Health, Household, LabourCapacity, Member, Place, Schooling
from .interventions.base import Intervention
from .lifecycle import Event, State
from .parameters import Parameter, ParameterTree, ParameterValue
from .policies import load_policy, policy_names
from .policy import Policy
from .registry import Registry
from .result import HouseholdResult
from .reviews import Review, ReviewState, ReviewStatus, review_status
from .routing import Condition, RouteStep, entered, step
from .rules import Rule, Verdict
from .timeline import order_facts, transition_period
from .triggers.base import Trigger
from .whatif import Comparison, compare

__version__ = "0.1.0"

__all__ = [
    "CHECKS",
    "DEFAULT_FACT_KINDS",
    "AssistanceGranted",
    "BackendUnavailable",
    "BasicNeed",
    "BasicNeedsChecked",
    "CaseCannotStart",
    "CaseDeadline",
    "CaseDecided",
    "CaseError",
    "CaseOpened",
    "CaseState",
    "CaseStepRecorded",
    "Comparison",
    "ConcurrencyConflict",
    "Condition",
    "ConflictingFact",
    "Context",
    "DeadlineState",
    "Decision",
    "DecisionKind",
    "Declined",
    "DisasterReported",
    "Engine",
    "Event",
    "ExitVerified",
    "Fact",
    "FactKinds",
    "Finding",
    "Grant",
    "Health",
    "HouseAppraised",
    "Household",
    "HouseholdResult",
    "HousingGrade",
    "IllnessReported",
    "IncomeAssessed",
    "Intervention",
    "InvalidCaseStep",
    "InvalidFact",
    "InvalidHousehold",
    "InvalidInput",
    "InvalidParameterFile",
    "InvalidPolicy",
    "InvalidProcedure",
    "InvalidTransition",
    "JobLost",
    "LabourCapacity",
    "MainEarnerLost",
    "Member",
    "Parameter",
    "ParameterError",
    "ParameterNotInForce",
    "ParameterTree",
    "ParameterValue",
    "Period",
    "Place",
    "Policy",
    "Procedure",
    "Registry",
    "RelapseGuardError",
    "Review",
    "ReviewCompleted",
    "ReviewState",
    "ReviewStatus",
    "Risk",
    "RouteStep",
    "Rule",
    "SchoolEnrolled",
    "Schooling",
    "Severity",
    "Source",
    "State",
    "Step",
    "StoreError",
    "Trigger",
    "UnknownHousehold",
    "UnknownParameter",
    "UnknownPlugin",
    "UnknownSchemaVersion",
    "Verdict",
    "WorkingCalendar",
    "__version__",
    "cases_due",
    "check_policy",
    "compare",
    "entered",
    "load_policy",
    "open_case",
    "order_facts",
    "parse_fact",
    "policy_names",
    "replay_case",
    "review_status",
    "step",
    "transition_period",
]
