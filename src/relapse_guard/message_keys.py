"""Every message key and term of the ``decisions`` catalogue, in one place.

Each key is an English sentence with ``{name}`` placeholders, registered with
:func:`~relapse_guard.messages.define` and kept as a module-level constant that the engine,
the rules, the triggers and the interventions build their :class:`~relapse_guard.messages.Message`
with; each term (a state, a decision kind, a risk kind, an intervention, a unit...) is a name
the catalogue translates on its own. The Chinese catalogue
(``relapse_guard/locale/zh_CN/LC_MESSAGES/decisions.po``) translates all of them, and a
test fails for a key or a term it lacks.

Keys whose values compare a quantity with a threshold say so (``margin=``): a decision that
records the message carries the :class:`~relapse_guard.messages.Margin` its values state.
"""

from __future__ import annotations

from .errors import ParameterNotInForce
from .hazards import HazardKind
from .messages import Message, compared, define, define_terms, period_left

__all__: list[str] = []  # constants and helpers imported by name; nothing to re-export

_YEAR = "yuan/person/year"
_MONTH = "yuan/person/month"
_YUAN = "yuan"

# --- terms ------------------------------------------------------------------------------

STATES = define_terms("state", ("new", "identified", "assisted", "exited", "monitored", "relapsed", "stable"))
DECISION_KINDS = define_terms(
    "decision kind",
    (
        "transition",
        "transition_refused",
        "risk_detected",
        "intervention_granted",
        "intervention_pending",
        "route_skipped",
        "risk_eliminated",
        "entitlement_recomputed",
        "entitlement_ended",
        "household_changed",
    ),
)
SEVERITIES = define_terms("severity", ("low", "medium", "high", "severe"))
PERIODS = define_terms("grant period", ("one_off", "monthly", "yearly"))
#: The kinds of risk the built-in triggers find (relapse_guard.triggers).
TRIGGER_RISK_KINDS = (
    "illness",
    "disaster",
    "unemployment",
    "schooling",
    "income_drop",
    "unsafe_housing",
    "main_earner_lost",
)
#: Those, the risk of a state entered (``entered:relapsed``), which a transition records, and
#: the occasion of a new year in a state (``each_year:monitored``), which the clock records.
RISK_KINDS = define_terms(
    "risk kind",
    TRIGGER_RISK_KINDS
    + tuple(f"entered:{state}" for state in STATES if state != "new")
    + tuple(f"each_year:{state}" for state in STATES),
)
INTERVENTIONS = define_terms(
    "intervention",
    (
        "safety_net",
        "temporary_relief",
        "medical_aid",
        "education_aid",
        "housing_renovation",
        "industry_funds",
        "industry_funds_exited",
        "industry_funds_low_income",
        "micro_insurance",
        "paired_helper",
        "job_training",
        "job_referral",
    ),
)
CONDITIONS = define_terms(
    "route condition", ("income_left_under_standard", "house_unsafe", "no_income_left", "on_file", "in_hardship")
)
PROCEDURES = define_terms("case procedure", ("identification", "risk_elimination"))
OUTCOMES = define_terms("case outcome", ("approved", "rejected"))
BASIC_NEEDS = define_terms(
    "basic need", ("food_and_clothing", "compulsory_schooling", "medical_cover", "safe_housing", "safe_water")
)
EVIDENCE_LABELS = define_terms(
    "evidence label",
    (
        "self_paid_cost",
        "hospitalised",
        "household_status",
        "alert_amount",
        "annual_income",
        "income_per_capita",
        "members",
        "income_share",
        "income_share_amount",
        "cost_to_income",
        "hazard",
        "hazard_kind",
        "loss",
        "min_loss",
        "loss_to_income",
        "labour_capacity",
        "other_members_who_can_work",
        "poverty_line",
        "monitoring_threshold",
        "half_poverty_line",
        "finding",
        "previous_income_per_capita",
        "change_per_capita",
        "level",
        "annual_cost",
        "cause",
        "grade",
        "meaning",
        "reason",
    ),
)
#: The kinds of hazard (:class:`~relapse_guard.hazards.HazardKind`), by their codes: what a
#: disaster's evidence names its kind by, and how a reason says its hazard.
HAZARD_KINDS = define_terms("hazard kind", tuple(kind.value for kind in HazardKind))
#: A household's status as evidence says it: "on file (monitored)", "not on file (new)".
HOUSEHOLD_STATUSES = define_terms(
    "evidence value",
    tuple(f"on file ({state})" for state in STATES if state not in ("new", "stable"))
    + tuple(f"not on file ({state})" for state in ("new", "stable")),
)
EVIDENCE_VALUES = define_terms(
    "evidence value",
    (
        "yes",
        "no",
        "unknown (income never assessed)",
        "no income",
        "below the poverty line",
        "edge household near the line",
        "unstable exited household in the monitoring range",
        "partly dangerous",
        "whole building dangerous",
        "full",
        "partial",
        "none",
        "preschool",
        "primary",
        "junior_secondary",
        "senior_secondary",
        "vocational",
        "tertiary",
        # hazards of no kind (relapse_guard.hazards), causes of a lost earner, measures of
        # assistance the shipped data use
        "storm",
        "accident",
        "death",
        "disability",
        "serious_illness",
        "lost labour capacity",
        "industry project",
        "poultry project",
        "vegetable greenhouse",
        "fruit orchard",
        "skills training",
        "microcredit",
        "public-welfare job",
    ),
)
GROUPS = define_terms(
    "household group",
    ("households on file", "households not on file", "safety-net household", "household", "not appraised"),
)
SERVICES = define_terms(
    "service", ("free skills training", "job referral", "paired helper: revisits and income accounts")
)
INSURANCE_PRODUCTS = define_terms("insurance product", ("accident", "serious_illness", "rural_medical"))
THRESHOLDS = define_terms(
    "threshold",
    (
        "poverty line",
        "half the poverty line",
        "monitoring threshold",
        "relative-poverty threshold",
        "safety-net standard",
        "hardship line",
        "alert amount",
        "share of annual income",
        "minimum loss",
        "transition period",
        "gradual-exit period",
        "monitoring before risk elimination",
        "income above the monitoring threshold",
    ),
)
#: The units the built-in interventions and the shipped policies name as delivering a grant
#: (an intervention's ``responsible`` default, a policy's ``{prefix}.responsible`` parameter).
RESPONSIBLE_UNITS = define_terms(
    "responsible unit",
    (
        "town civil affairs office",
        "district civil affairs bureau (medical aid)",
        "district education commission",
        "district housing and urban-rural development commission",
        "district poverty alleviation office",
        "district human resources and social security bureau",
        "district public employment service",
        "Dazu district human resources and social security bureau",
        "Dazu district public employment service",
    ),
)
#: The reviews the shipped policies schedule (:class:`~relapse_guard.reviews.Review`), by name.
REVIEW_NAMES = define_terms("review name", ("income_account", "joint_review", "inspection", "holiday_visit"))
#: Who the shipped policies make responsible for their reviews.
REVIEW_RESPONSIBLE = define_terms(
    "responsible unit",
    ("village cadre", "paired helper", "Dazu joint meeting of departments", "Dazu district supervision office"),
)
#: The steps of the national case procedures (:mod:`relapse_guard.cases.national`).
CASE_STEPS = define_terms(
    "case step",
    (
        "household_verification",
        "data_comparison",
        "village_deliberation",
        "public_notice",
        "township_review",
        "county_approval",
    ),
)
#: The kinds of fact (:data:`relapse_guard.facts.DEFAULT_FACT_KINDS`); ``main_earner_lost`` is
#: also a risk kind, said with the same term.
FACT_KINDS = define_terms(
    "fact kind",
    (
        "income_assessed",
        "exit_verified",
        "assistance_granted",
        "illness_reported",
        "disaster_reported",
        "job_lost",
        "main_earner_lost",
        "school_enrolled",
        "house_appraised",
        "basic_needs_checked",
        "review_completed",
        "case_opened",
        "case_step_recorded",
        "case_decided",
        "entitlement_stopped",
        "member_joined",
        "member_left",
        "member_died",
        "household_moved",
        "fact_corrected",
        "fact_retracted",
    ),
)
SEPARATORS = define_terms("separator", ("; ", ", ", " and "))
CHANGE_REASONS = define_terms(
    "household change reason", ("birth", "marriage_in", "return", "other", "marriage_out", "moved_away")
)

# --- counts -----------------------------------------------------------------------------

MEMBER = define("{n} member")
MEMBERS = define("{n} members")
REVISIT = define("{n} revisit")
REVISITS = define("{n} revisits")
MONTH = define("{n} month")
MONTHS = define("{n} months")
ASSESSMENT = define("{n} assessment")
ASSESSMENTS = define("{n} assessments")
MEASURE = define("{n} measure")
MEASURES = define("{n} measures")
GRADUAL_MONTH = define("{n} gradual-exit month")
GRADUAL_MONTHS = define("{n} gradual-exit months")
DAY = define("{n} day")
DAYS = define("{n} days")
TIME = define("{n} time")
TIMES = define("{n} times")

_COUNTS = {
    "member": (MEMBER, MEMBERS),
    "revisit": (REVISIT, REVISITS),
    "month": (MONTH, MONTHS),
    "assessment": (ASSESSMENT, ASSESSMENTS),
    "measure": (MEASURE, MEASURES),
    "gradual-exit month": (GRADUAL_MONTH, GRADUAL_MONTHS),
    "day": (DAY, DAYS),
    "time": (TIME, TIMES),
}


def no_value_yet(error: ParameterNotInForce) -> Message:
    """Why a parameter cannot be read on a date, as :class:`ParameterNotInForce` says it in English."""
    return Message.named(NO_VALUE_YET, name=error.name, on=str(error.on), first=str(error.first))


def count(n: int, noun: str, *, grouped: bool = False) -> Message:
    """``n`` and its noun in English (``"1 member"``, ``"3 members"``; ``grouped``: thousands
    separated, ``"1,200 months"``, as :func:`relapse_guard.text.plural` writes them): ``noun``
    is one of member, revisit, month, assessment, measure, gradual-exit month, day, time."""
    one, many = _COUNTS[noun]
    return Message(one if n == 1 else many, f"{n:,}" if grouped else str(n))


# --- rules: identification, exit, relapse ------------------------------------------------

NO_INCOME_YET = define("no income assessed yet")
INCOME_BELOW_LINE = define(
    "income per capita {income} < poverty line {line}",
    margin=compared("income", "line", unit=_YEAR, against="poverty line"),
)
INCOME_NOT_BELOW_LINE = define(
    "income per capita {income} >= poverty line {line}",
    margin=compared("income", "line", unit=_YEAR, against="poverty line"),
)
NEEDS_NOT_SECURED = define("basic needs not secured: {needs}")
NEED_HOUSE_GRADED = define("{need} (house graded {grade})")
EXIT_HOLDS = define(
    "income per capita {income} >= poverty line {line} and basic needs secured",
    margin=compared("income", "line", unit=_YEAR, against="poverty line"),
)
NEED_BROKEN = define("basic need broken: {needs}")
NEEDS_SECURED_TOO = define("{reason}; basic needs secured")
RELATIVE_NOT_IN_FORCE = define("relative-poverty rule not in force yet: {error}")
RELATIVE_NOT_BELOW = define(
    "income per capita {income} >= relative-poverty threshold {threshold}",
    margin=compared("income", "threshold", unit=_YEAR, against="relative-poverty threshold"),
)
RELATIVE_NO_LABOUR = define("no member has labour capacity (a case for the safety net, not relative poverty)")
RELATIVE_BELOW = define(
    "income per capita {income} < relative-poverty threshold {threshold} with labour capacity",
    margin=compared("income", "threshold", unit=_YEAR, against="relative-poverty threshold"),
)

# --- route conditions ---------------------------------------------------------------------

INCOME_LEFT_UNDER = define(
    "income left per capita {monthly}/month < safety-net standard {standard}",
    margin=compared("monthly", "standard", unit=_MONTH, against="safety-net standard"),
)
INCOME_LEFT_NOT_UNDER = define(
    "income left per capita {monthly}/month >= safety-net standard {standard}",
    margin=compared("monthly", "standard", unit=_MONTH, against="safety-net standard"),
)
HOUSE_GRADED = define("house graded {grade}")
NO_OTHER_WORKER = define("no other member can work")
NO_INCOME_LEFT = define("no income left after the risk's cost")
OTHERS_CAN_WORK = define("{count} other member(s) can work")
ON_FILE = define("household on file ({state})")
NOT_ON_FILE = define("household not on file ({state})")
IN_HARDSHIP = define(
    "household not on file ({state}): income left per capita {monthly}/month < hardship line {line}"
    " ({ratio} x safety-net standard {standard})",
    margin=compared("monthly", "line", unit=_MONTH, against="hardship line"),
)
NOT_IN_HARDSHIP = define(
    "household not on file ({state}): income left per capita {monthly}/month >= hardship line {line}"
    " ({ratio} x safety-net standard {standard})",
    margin=compared("monthly", "line", unit=_MONTH, against="hardship line"),
)
NOT_ON_FILE_INCOME_UNKNOWN = define("household not on file ({state}): income never assessed")

# --- the engine: lifecycle ----------------------------------------------------------------

PERIOD_STARTS = define("transition period starts on {start} and runs until {end}")
PERIOD_ENDED = define("transition period from {start} ended on {end} with no relapse")
ASSISTED = define("assistance granted: {measure}")
ASSISTED_AMOUNT = define("assistance granted: {measure} ({amount} yuan)")
EXIT_REFUSED = define("exit refused: {reason}")

# --- the engine: routing ------------------------------------------------------------------

RISK_FOUND = define("{kind} risk ({severity}): {evidence}")
EVIDENCE_ITEM = define("{label} {value}")
EVIDENCE_ITEM_IN = define("{label} {value} {unit}", note="an amount in the evidence, with its unit")
#: The unit of each built-in trigger's evidence that is an amount of money: a caseworker reading
#: "income 5293" beside "income left 441.08/month" must not have to guess which is a year's.
EVIDENCE_UNITS = {
    **dict.fromkeys(
        (
            "income_per_capita",
            "previous_income_per_capita",
            "change_per_capita",
            "poverty_line",
            "half_poverty_line",
            "monitoring_threshold",
        ),
        _YEAR,
    ),
    **dict.fromkeys(
        ("annual_income", "annual_cost", "self_paid_cost", "alert_amount", "income_share_amount", "loss", "min_loss"),
        _YUAN,
    ),
}
CONDITION_NOT_MET = define("condition {condition} not met: {reason}")
NOT_GRANTED = define("{intervention} not granted for {kind} risk: {reason}")
ALREADY_GRANTED = define("already granted for this risk")
SAME_EVENT = define(
    "{kind} reported again: the same event as fact {first} of {date} (risk {key}), found and routed once; "
    "nothing is paid again"
)
SAME_EVENT_OTHER_COST = define(
    "{kind} reported again: the same event as fact {first} of {date} (risk {key}), found and routed once; "
    "nothing is paid again. This report's cost {cost} differs from the first report's {first_cost}: "
    "a second report is not a correction (correct the first report to change the cost)"
)
COST_COVERED = define("the cost {cost} is covered by {names}: {covered}")
COST_LEFT = define("on the cost left after {names}: {cost} - {covered} = {left}; {basis}")
NOT_IN_FORCE = define("not in force yet: {error}")
NO_VALUE_YET = define("parameter '{name}' has no value on {on}: its first value takes effect on {first}")
DOES_NOT_APPLY = define("intervention does not apply")
PENDING = define("{intervention} waits for a decided identification case: {basis}")
PENDING_STOPPED = define(
    "{intervention} waits for a decided identification case: stopped on {date}, it is not granted again"
    " without a new decision; {basis}"
)
PENDING_STOPPED_BECAUSE = define(
    "{intervention} waits for a decided identification case: stopped on {date} ({reason}), it is not granted"
    " again without a new decision; {basis}"
)
GRANT_MONEY = define("{amount} yuan {period}")
GRANT_SERVICE = define("service {service}")
WITH_TERM = define("{what} ({term})")
OWED_FROM = define("owed from {starts}")
OWED_FROM_UNTIL = define("owed from {starts} until {ends}")
REPLACES = define("{owed}; replaces {amount} a month granted on {date}")
REPLACES_LOWERED = define("{owed}; replaces {amount} a month granted on {date}, lowered by {change}")
REPLACES_RAISED = define("{owed}; replaces {amount} a month granted on {date}, raised by {change}")
EMERGENCY_FIRST = define("{what} (emergency: paid first, the case decides after)")
GRANTED = define("{what} for {kind} risk: {basis}")
GRANTED_FOR_RISK = define("interventions granted for {kind} risk")

# --- the engine: cases --------------------------------------------------------------------

CASE_DECIDED = define("{procedure} case {case_id} {outcome}")
CASE_CANNOT_START = define(
    "{procedure} case {case_id} cannot start: {reason}", note="a case opened while its start condition does not hold"
)
CONDITION_SAYS = define("{condition}: {reason}", note="a start condition's name and why it does not hold")
CASE_NOT_STARTED = define(
    "{about}, not applied: the case could not start on {date}", note="the decision of a case refused when it opened"
)
APPROVAL_REFUSED = define(
    "{about}, not applied: {reason}", note="an approval refused: the start condition does not hold on its day"
)
SET_ASIDE = define("{about}: the pending grant is set aside (granted if an appeal wins)")
RELEASED = define("{intervention} granted after {about}: {basis}")
RELEASED_TERM = define("{intervention} granted after {about} ({term}): {basis}")
GRANTED_AFTER_CASE = define("interventions granted after {about}")
RELEASED_DECLINED = define(
    "{about}, worked out on the day of the decision: {reason}",
    note="a grant held for a case, owed nothing on the day the case was decided",
)

# --- the engine: entitlements -------------------------------------------------------------

PARAMETER_CHANGED = define("{name} changed on {day}: {old} -> {new}")
INCOME_ASSESSED = define("income assessed {income} a year per person ({fact})")
NEW_COST_WEIGHS = define("a new cost weighs on the income left: the {kind} risk's {cost} ({fact})")
NEW_COST_BORNE_WEIGHS = define(
    "a new cost weighs on the income left: the {borne} the household bears of the {kind} risk's {cost} ({aid} of"
    " aid for it) ({fact})"
)
AID_TOWARD_COST = define(
    "{intervention} of {amount} paid toward the {kind} risk's cost: the household bears less of it"
)
ON_INCOME_ON_FILE = define("{basis}, on the income the amount in force was set on, {income} a year per person")
INCOME_SHARED = define("{basis}; income per person: household income {total} over {members}")
ON_BASIS_INCOME = define("{why}, worked out on the income the amount was set on, {income} a year per person")
COST_NO_LONGER_WEIGHS = define(
    "income assessed {income} a year per person ({fact}), and a cost the amount was set against no longer"
    " weighs on the income left"
)
EXIT_VERIFIED = define("exit verified")
RISK_ELIMINATED = define("risk {key} eliminated ({why})")
STOPPED = define("stopped")
STOPPED_BECAUSE = define("stopped: {reason}")
DECLINED_BECAUSE = define("{why}: {reason}")
RAISED = define("{name} raised from {old} to {amount} a month, owed from {starts}: {why}")
LOWERED = define("{name} lowered from {old} to {amount} a month, owed from {starts}: {why}")
KEPT_END_CANCELLED = define("{name} kept at {amount} a month, its end cancelled: {why}")
RECHECKED_KEPT = define("{name} re-checked and kept at {amount} a month: {why}")
RECHECK_DUE = define("{text} (the re-check due on {due})")
OBVIOUS_BEFORE_RECHECK = define("{text} (an obvious change before the re-check of {due})")
RECOMPUTED = define("{text}; {basis}")
KEPT_NO_CHANGE = define(
    "{name} re-checked (due on {due}) and kept at {amount} a month: income assessed {income} a year per person"
    " ({fact}) moved less than {share} of the {basis} it was set on, no obvious change"
)
ENDS = define("{name} of {amount} a month ends on {ends} ({owed}): {why}")
ENDS_AFTER = define("{name} of {amount} a month ends on {ends} ({owed}, after {months}): {why}")
NEVER_OWED = define("never owed")
OWED_THROUGH = define("owed through {month}")

# --- interventions ------------------------------------------------------------------------

INCOME_NEVER_ASSESSED = define("income never assessed")
NO_SAFETY_NET_GAP = define(
    "no safety-net gap: monthly income left per person {left} >= standard {standard}",
    margin=compared("left", "standard", unit=_MONTH, against="safety-net standard"),
)
SAFETY_NET_LESS_THAN_A_FEN = define(
    "safety-net gap {gap} ({standard} - {left}) x {members} = {amount}: less than a fen to pay"
)
SAFETY_NET_BASIS = define(
    "({standard} - {left}) x {members} = {amount} per month (safety-net standard - monthly income per person left"
    " after {costs}: {yearly} a year / 12)"
)
RISK_COST = define("the risk's cost of {cost}")
OPEN_COSTS = define("the costs of the open risks of {costs} (this risk's {cost})")
RISK_COST_BORNE = define("the risk's cost the household bears of {borne} ({cost} less {aid} of aid for it)")
OPEN_COSTS_BORNE = define(
    "the costs of the open risks of {costs} (this risk's {borne} borne: {cost} less {aid} of aid for it)"
)
NO_MEDICAL_COST = define("no self-paid medical cost: cost {cost}")
MEDICAL_CAP_USED = define("medical aid cap {cap} used up in {year}: {used} already granted")
MEDICAL_NOTHING = define("medical aid comes to nothing: {share} x {cost} self-paid = {asked}")
MEDICAL_BASIS = define(
    "{share} x {cost} self-paid = {asked} ({who} share); yearly cap {cap} - {used} already granted in {year}"
    " = {room} left; min = {amount} one-off"
)
RELIEF_COST = define("cost {cost}")
RELIEF_MONTHS = define("{months} months x {standard} x {members} = {asked}")
RELIEF_SIZED = define("min({sizing}, cap {cap_months} months x {standard} = {cap}) = {amount}")
RELIEF_SIZED_PER_PERSON = define("min({sizing}, cap {cap_months} months x {standard} x {members} = {cap}) = {amount}")
RELIEF_NOTHING = define("temporary relief comes to nothing: {sized}")
RELIEF_BASIS = define("{sized} one-off; help first, paperwork after")
RELIEF_BASIS_PRIORITY = define("{sized} one-off; priority relief; help first, paperwork after")
RELIEF_BASIS_EXPENDITURE = define("{sized} one-off; expenditure-type relief: full procedure")
RELIEF_BASIS_EXPENDITURE_PRIORITY = define("{sized} one-off; priority relief; expenditure-type relief: full procedure")
RELIEF_SUDDEN_ILLNESS = define("sudden serious illness (in hospital, severity {severity} >= {least})")
RELIEF_BASIS_SUDDEN = define("{sized} one-off; {sudden}: emergency-type relief, help first, paperwork after")
RELIEF_BASIS_SUDDEN_PRIORITY = define(
    "{sized} one-off; priority relief; {sudden}: emergency-type relief, help first, paperwork after"
)
RELIEF_ONCE_PER_CAUSE = define(
    "temporary relief already granted {times} for {kind} risk in {year} ({dates}): at most {limit} a year for one cause"
)
NOT_IN_SCHOOL = define("not in school: level {level}")
UNKNOWN_LEVEL = define("unknown school level {level}")
NO_LEVEL = define("no school level in the evidence")
LEVEL_NO_MEMBER_NAMED = define("{unknown} and no member named")
LEVEL_NO_SUCH_MEMBER = define("{unknown} and no member {member} in the household")
LEVEL_MEMBER_NOT_IN_SCHOOL = define("{unknown} and member {member} is not in school")
NO_EDUCATION_AMOUNT = define("no education-aid amount for level '{level}'")
EDUCATION_AMOUNT_IS = define("education-aid amount for level '{level}' is {amount}")
EDUCATION_BASIS = define("{amount} per {level} student x 1 student = {amount} per year")
MEMBER_CANNOT_WORK = define("member {member} cannot work (labour capacity {capacity})")
NOBODY_CAN_WORK = define("nobody in the household can work: 0 of {members}")
THE_MEMBER_WHO_CAN_WORK = define("the member concerned, who can work")
MEMBERS_WHO_CAN_WORK = define("{persons} of {size} who can work")
SERVICE_BASIS = define("{service} for {who}, by {responsible}")
HOUSE_NEVER_APPRAISED = define("house never appraised")
UNKNOWN_GRADE = define("unknown house grade {grade}")
HOUSE_SAFE = define("house graded {grade}: only C and D qualify")
HOUSE_SUBSIDISED = define("already granted on {date}: no house is subsidised twice")
HOUSING_BASIS_UPLIFT = define("{grade} grade grant {base} x low-income uplift {uplift} = {amount} one-off")
HOUSING_BASIS = define("{grade} grade grant {base} = {amount} one-off (no low-income uplift)")
HOUSING_NOTHING = define("renovation grant comes to nothing: {basis}")
FUNDS_ONCE = define("already granted on {date}: industry funds are given once per household")
FUNDS_PER_PERSON = define("{per} per person x {members} = {amount} one-off")
FUNDS_PER_HOUSEHOLD = define("{per} per household = {amount} one-off")
FUNDS_NOTHING = define("industry funds come to nothing: {basis}")
PREMIUMS_BOUGHT = define("premiums already bought in {year} (on {date})")
PREMIUM = define("{product} {premium}")
PREMIUMS_BASIS = define("({listed}) = {per_person} per person x {members} = {amount} per year")
PREMIUMS_NOTHING = define("premiums come to nothing: {basis}")
ALREADY_PAIRED = define("already paired on {date}: a household is paired once")
REVISIT_PLAN = define("{revisits} every {interval}, {first} to {last}")
NO_REVISITS = define("no revisits planned")
PAIRING_BASIS = define("{helper} paired with the household of {members}; {plan}")
VILLAGE_CADRE_OF = define("village cadre of {place}", note="the paired helper a household is given by default")

# --- triggers -----------------------------------------------------------------------------

COST_OVER_ALERT = define(
    "self-paid cost {cost} > alert amount {alert} for {group}",
    margin=compared("cost", "alert", unit=_YUAN, against="alert amount"),
)
COST_OVER_SHARE = define(
    "self-paid cost {cost} > {share} x annual income {annual} = {amount}",
    margin=compared("cost", "amount", unit=_YUAN, against="share of annual income"),
)
LOSS_OVER_MINIMUM = define(
    "{hazard} loss {loss} >= minimum loss {minimum}",
    margin=compared("loss", "minimum", unit=_YUAN, against="minimum loss"),
)
INCOME_BELOW_HALF_LINE = define(
    "income per capita {income} < half the poverty line {half}",
    margin=compared("income", "half", unit=_YEAR, against="half the poverty line"),
)
EDGE_BELOW_THRESHOLD = define(
    "{edge}: income per capita {income} < monitoring threshold {multiple} x {line} = {threshold}",
    margin=compared("income", "threshold", unit=_YEAR, against="monitoring threshold"),
)
FELL_BY = define("{reason}; fell by {change} from {previous}")
FELL_AGAIN = define("{reason}; a new fall this year: the income was back at or above the line, and no safety net runs")
HOUSEHOLD_STATUS = define("household {status}")
NOT_ON_FILE_NO_INCOME = define("household not on file, income never assessed")
BELOW_THRESHOLD = define(
    "income per capita {income} < monitoring threshold {multiple} x {line} = {threshold}",
    margin=compared("income", "threshold", unit=_YEAR, against="monitoring threshold"),
)
NOT_BELOW_THRESHOLD = define(
    "income per capita {income} >= monitoring threshold {multiple} x {line} = {threshold}",
    margin=compared("income", "threshold", unit=_YEAR, against="monitoring threshold"),
)
JOB_LOST = define("member able to work lost their job; {reason}")
EARNER_LOST = define("main earner lost ({cause}); {others} other member(s) can work")
SCHOOL_COST_OVER_SHARE = define(
    "school cost {cost} > {share} x annual income {annual} = {amount}",
    margin=compared("cost", "amount", unit=_YUAN, against="share of annual income"),
)
HOUSE_APPRAISED = define("house appraised {grade} ({meaning}): qualifies for renovation")
TWO_REASONS = define("{first}; {second}")


def reasons(found: list[Message]) -> Message:
    """One reason, or two joined ("...; ..."), as one message (a trigger's reason evidence)."""
    if len(found) == 1:
        return found[0]
    first, second = found
    return Message(TWO_REASONS, first, second)


# --- the engine: household changes -------------------------------------------------------

MEMBERS_LIST = define("{count}: {ids}")
WITH_MEMBERS = define("{text} [members counted: {members}]")
MEMBER_JOINED = define("member {member} joined ({reason}, {fact})")
MEMBER_LEFT = define("member {member} left ({reason}, {fact})")
MEMBER_DIED = define("member {member} died ({fact})")
HOUSEHOLD_MOVED = define("the household moved from {before} to {after} ({fact})")
HOUSEHOLD_DISSOLVED = define("{what}: the household dissolved, no member left; the lifecycle stays {state}")
MOVED_SAME_POLICY = define("{what}; this run stays under {policy}")
MOVED_RESCREEN = define(
    "{what}; this run stays under {policy}: re-screen it under the policy of {district}, picked by the place in force"
)
SIZE_CHANGED = define("{what}: {before} -> {members}")
ALL_MEMBERS_GONE = define("all members gone ({what})")
HOUSEHOLD_SIZE = define("household size {before} -> {after} ({what})")

# --- case start conditions: risk elimination ----------------------------------------------

NAMES_NO_RISK = define("a risk-elimination case names the risk it would close (risk_key)")
RISK_ALREADY_ELIMINATED = define("risk {key} was eliminated on {date} already")
RISK_FOUND_ON = define("risk {key} found on {date}")
NO_SUCH_RISK = define("no risk {key} was found for household {household}")
NO_INCOME_SINCE = define("no income assessed since the risk was found ({since})")
BELOW_MONITORING_THRESHOLD = define(
    "income per capita {income} on {date} < monitoring threshold {threshold} ({ratio} x {line})",
    margin=compared("income", "threshold", unit=_YEAR, against="monitoring threshold"),
)
ASSESSMENT_SPAN = define("from {first} to {last} ({assessments})")
ABOVE_TOO_SHORT = define(
    "income at or above the monitoring threshold only {span}: needs assessments at least {months} apart"
)
ABOVE_THRESHOLD = define("income at or above the monitoring threshold ({threshold} on {date}) {span}")
NEEDS_NOT_CHECKED = define("basic needs not checked since the risk was found ({since})")
NEEDS_NOT_SECURED_ON = define("basic needs not secured on {date}: {unmet}")
HOUSE_GRADED_ON = define("house graded {grade} on {date}")
NEEDS_SECURED_CHECKED = define("basic needs secured (checked {date})")
MONITORED_SINCE = define("monitored since {since} ({months})")
MONITORED_TOO_SHORT = define(
    "monitored since {since} ({months}): needs {needed}",
    margin=period_left("months", "needed", against="monitoring before risk elimination"),
)
DELIVERED = define("{measures} for the risk delivered since")
DELIVERED_NAMED = define("{measures} for the risk delivered since ({names})")
TOO_FEW_MEASURES = define("{delivered}: needs {needed}")
WATCHED_AND_DELIVERED = define("{watched}, {delivered}")
A_MEMBER_CAN_WORK = define("a member can work")
NO_MEMBER_CAN_WORK = define("no member can work")
NO_NEW_RISK = define("no risk found since {since} still open")
NEW_RISK_OPEN = define("a risk found since is still open: {risks}", note="later risks not eliminated, each named")

# --- explaining a decision ----------------------------------------------------------------

EXPLAIN_LINE = define("{date} {kind} [{rule}] {text}")
EXPLAIN_FACTS = define("facts: {facts}")
EXPLAIN_PARAMETERS = define("parameters: {parameters}")
PARAMETER_USED = define("{name} = {value} (from {effective_from})")
RESULT_HEADING = define("household {household} under {policy}:")
RESULT_STATE = define("=> {state}")
RESULT_STATE_SINCE = define("=> {state} since {since}")
RESULT_TRANSITION = define("{text} (transition period {starts} to {ends})")
EXPLAIN_MARGINS = define("margins: {margins}")


# --- monitoring: alerts (relapse_guard.monitoring.alerts) ----------------------------------

ALERT_NEW_RISK = define("{kind} risk ({severity}) found on {date}: {evidence}")
ALERT_NEW_RISK_BARE = define("{kind} risk ({severity}) found on {date}", note="a risk found with no evidence")
ALERT_STATE_CHANGED = define("{before} -> {after} since {since}", note="a household's lifecycle state changed")
ALERT_RELAPSED = define(
    "{before} -> relapsed -> {after} since {since}",
    note="a household watched after its exit relapsed (返贫), then moved on to {after} on {since}",
)
ALERT_FIRST_SCREENED = define(
    "first screened: {state} since {since}", note="the state of a household screened for the first time"
)
ALERT_GRANTED = define("{intervention} granted: {what}")
ALERT_MONTHLY_FROM = define("{amount} yuan a month from {first_day}", note="a monthly grant and its first day owed")
ALERT_ONE_OFF = define("{amount} yuan one-off")
ALERT_YEARLY = define("{amount} yuan yearly")
ALERT_GRANT_ENDS = define("{intervention} of {amount} yuan a month ends on {ends}")
ALERT_GRANT_CHANGED = define(
    "{intervention} changed from {before} to {after} yuan a month from {first_day} ({change})",
    note="a monthly grant's amount changed; {change}: raised or lowered by how much",
)
ALERT_RAISED_BY = define("raised by {amount}", note="how much a monthly grant's amount rose, in yuan")
ALERT_LOWERED_BY = define("lowered by {amount}", note="how much a monthly grant's amount fell, in yuan")
ALERT_GRANT_GONE = define(
    "{intervention} granted on {date} no longer stands", note="a replay of the history no longer makes the grant"
)
ALERT_TRANSITION_ENDING = define("transition period ends on {end} (monitored since {start})")
ALERT_REVIEW_OVERDUE = define(
    "review {review} due {due}: deadline {deadline}, {days} past it",
    note="{deadline}: the last day of the review's grace period; {days}: counted from it",
)
ALERT_REVIEW_OVERDUE_BY = define(
    "review {review} due {due}: deadline {deadline}, {days} past it ({responsible})",
    note="{deadline}: the last day of the review's grace period; {days}: counted from it; "
    "{responsible}: who the review falls to",
)
ALERT_REVIEW_DUE = define(
    "review {review} due {due}: deadline {deadline}", note="{deadline}: the last day of the review's grace period"
)
ALERT_REVIEW_DUE_BY = define(
    "review {review} due {due}: deadline {deadline} ({responsible})",
    note="{deadline}: the last day of the review's grace period; {responsible}: who the review falls to",
)
ALERT_RECHECK_DUE = define(
    "{intervention} re-check due {due}: deadline {deadline}",
    note="an entitlement's periodic re-check (the safety net's 核查); {deadline}: the last day to do it",
)
ALERT_RECHECK_OVERDUE = define(
    "{intervention} re-check due {due}: deadline {deadline}, {days} past it (still paid until it is done)",
    note="{deadline}: the last day to do the re-check; {days}: counted from it; the amount is paid meanwhile",
)
ALERT_STEP_OVERDUE = define(
    "{procedure} case {case_id}: step {step} past its deadline {deadline}",
    note="a case step past its deadline",
)
ALERT_STEP_DUE = define(
    "{procedure} case {case_id}: step {step}, deadline {deadline}", note="a case step whose deadline is near"
)
ALERT_STEP_OVERDUE_IN_CASE = define(
    "{procedure} case {case_id}: step {step} past its deadline {deadline}; {case}",
    note="a case step past its deadline; {case}: the whole case's deadline",
)
ALERT_STEP_DUE_IN_CASE = define(
    "{procedure} case {case_id}: step {step}, deadline {deadline}; {case}",
    note="a case step, its deadline near or the whole case's passed; {case}: the whole case's deadline",
)
ALERT_CASE_DUE = define(
    "the whole case due {deadline}", note="the deadline of the whole case (identification: 15 days)"
)
ALERT_CASE_PAST = define("the whole case past its deadline {deadline}", note="the whole case's deadline has passed")
#: The words of review and case-step alerts stored before they named their deadline: kept so that
#: those alerts still render in every language. The review overdue ones, first those of before
#: they said the grace period (their days were always counted from its end), then those that said it.
ALERT_REVIEW_OVERDUE_STORED = (
    define("review {review} due {due} is {days} overdue", note="stored alerts: {days} past the grace period"),
    define(
        "review {review} due {due} is {days} overdue ({responsible})",
        note="stored alerts: {days} past the grace period; {responsible}: who the review falls to",
    ),
    define(
        "review {review} due {due} is {days} past its grace period", note="{days}: counted from the grace period's end"
    ),
    define(
        "review {review} due {due} is {days} past its grace period ({responsible})",
        note="{days}: counted from the grace period's end; {responsible}: who the review falls to",
    ),
)
ALERT_DUE_STORED = (
    define("review {review} due {due}"),
    define("review {review} due {due} ({responsible})", note="{responsible}: who the review falls to"),
    define("{procedure} case {case_id}: step {step} was due {due}"),
    define("{procedure} case {case_id}: step {step} due {due}"),
)
ALERT_REPLAYED = define("history replayed: {reason}", note="a household's whole history replayed, and why")
ALERT_MOVED_IN = define(
    "moved in from {before} on {date} ({fact}): take its file over",
    note="in the worklist of the district moved to (转移接续: it takes the household's file over); {before}: the "
    "place left, district/town/village",
)
ALERT_MOVED_OUT = define(
    "moved away to {after} on {date} ({fact}): hand its file over and close it here",
    note="in the worklist of the district left (转移接续: it hands the file over and closes it); {after}: the place "
    "moved to, district/town/village",
)
ALERT_MOVED_WITHIN = define(
    "moved within {district} from {before} to {after} on {date} ({fact})",
    note="a move between towns or villages of one district; {before}, {after}: town/village",
)

# Why a checkpoint was replayed rather than resumed, as the engine and the cycle say it
# (Checkpointed.why; relapse_guard.monitoring.alerts.replay_reason reads a text of one back). Fact
# ids come quoted.
REPLAY_OTHER_POLICY = define("the checkpoint was made under {made}, this run is under {policy}")
REPLAY_FINGERPRINT = define(
    "the parameters or parts of {policy} changed since the checkpoint (fingerprint {fingerprint})"
)
REPLAY_HOUSEHOLD = define("the household's record (place or members) changed since the checkpoint")
REPLAY_DECISIONS = define("the checkpoint was made without decisions, and this run records them")
REPLAY_BEFORE_CLOCK = define("as of {as_of} is before the checkpoint's clock ({clock})")
REPLAY_SORTS_BEFORE = define(
    "fact {fact} ({kind}, {date}) sorts before the checkpoint's last fact ({last}, {last_date})",
    note="{kind}: the kind of fact",
)
REPLAY_LATE_FACT = define("fact {fact} is dated {date}, before the checkpoint's clock ({clock})")
REPLAY_CASE_STEP = define(
    "fact {fact} records a step of case {case}, which the checkpoint does not hold (decided for good, or not "
    "opened before it)"
)
REPLAY_CASE_CONDITION = define(
    "fact {fact} ({kind}) is of case {case}, whose start condition is checked on the household's whole history",
    note="{kind}: the kind of fact (a case opened or decided)",
)
REPLAY_CORRECTED = define(
    "fact {fact} corrects fact {target} (now dated {date}): the household is replayed from that fact"
)
REPLAY_RETRACTED = define("fact {fact} retracts fact {target}: the household is replayed without it")
REPLAY_EARNER_DEATH = define(
    "fact {fact} says member {member} who died on {date} was the main earner: the household is replayed with"
    " the earner's share of the income leaving with them"
)
REPLAY_STALE = define("the checkpoint was made under {made} with other parts or parameters than {policy}")
#: Every replay reason's key, in the order they are tried.
REPLAY_REASONS = (
    REPLAY_OTHER_POLICY,
    REPLAY_FINGERPRINT,
    REPLAY_HOUSEHOLD,
    REPLAY_DECISIONS,
    REPLAY_BEFORE_CLOCK,
    REPLAY_SORTS_BEFORE,
    REPLAY_LATE_FACT,
    REPLAY_CASE_STEP,
    REPLAY_CASE_CONDITION,
    REPLAY_EARNER_DEATH,
    REPLAY_CORRECTED,
    REPLAY_RETRACTED,
    REPLAY_STALE,
)
