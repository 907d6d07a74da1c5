"""The shipped procedures, following national practice: identification and risk elimination.

Source: ``/work/shared/domain.md`` ("Risk triggers" and "Risk elimination"): application →
home visit (e.g. within 3 days) → comparison with department data (e.g. 5 days) → village
deliberation → public notice in the village (at least 5 days) → township review → county
approval; the issue asks for discovery to decision in about 15 days, with a public notice in
which an objection sends the case back to verification. Local variants differ, so every
deadline is a parameter of the factories below, and a policy derives its own
(``national_identification(notice_days=7)``, ``procedure.with_step(...)``).

The whole identification case has its own deadline: 15 calendar days from the day the risk clue
was found (``case_days``; source, a county government's reading of the national guidance,
qinan.gov.cn:
「从农户申报、干部排查、部门预警等发现风险线索之日起，到完成监测对象识别认定，一般不超过15天，其中村内公示不少于5天」).
The steps' own deadlines do not add up to it: a case that uses every step's full time takes 3 + 5 + 1 + 5
calendar days, then 1 working day at the township and 1 at the county — 16 days when those fall
on weekdays, 18 over a weekend. The sources fix only the whole (15 days) and the notice's floor
(5 days); the visit's 3 days and the data's 5 are examples of practice, so they are kept, and
the whole-case deadline is what makes a case late that takes every step's full time.

Who decides: the township review and the county approval (the levels of government) may reject;
the steps below investigate, deliberate and publish, and may send the case back. An appeal of a
rejection reopens the case at the township review, once. An overdue step escalates to the level
above (village and notice to the township, the departments' comparison and the township review
to the county); the county is the deciding level and is listed overdue, not escalated.

Risk elimination runs the same approval steps, may start only when
:class:`~relapse_guard.cases.elimination.RiskEliminationCondition` holds, and takes no
appeal: a refusal keeps the household monitored, and a new case may open later.
"""

from __future__ import annotations

from .calendar import WorkingCalendar
from .elimination import RiskEliminationCondition
from .procedure import Outcome, Procedure, StartCondition, Step

__all__ = [
    "IDENTIFICATION",
    "NATIONAL_PROCEDURES",
    "RISK_ELIMINATION",
    "national_identification",
    "national_risk_elimination",
]

_SOURCES = (
    "national anti-relapse monitoring mechanism, as in domain.md: visit (3 days), department data (5 days), "
    "village deliberation, public notice (at least 5 days), township review, county approval",
)
_CASE_DAYS_SOURCE = (
    "qinan.gov.cn Q&A on the national guidance: identification within 15 days of the risk clue, the village "
    "notice at least 5"
)
_PASS = frozenset({Outcome.APPROVE})
_PASS_OR_BACK = frozenset({Outcome.APPROVE, Outcome.SEND_BACK})
_DECIDE = frozenset({Outcome.APPROVE, Outcome.REJECT, Outcome.SEND_BACK})


def _approval_steps(
    *,
    verification_days: int,
    data_comparison_days: int,
    deliberation_days: int,
    notice_days: int,
    township_days: int,
    county_days: int,
    about: str,
) -> tuple[Step, ...]:
    return (
        Step(
            name="household_verification",
            level="village",
            deadline_days=verification_days,
            outcomes=_PASS,
            escalate_to="township",
            description=f"home visit by village cadres to verify {about}, with the household's consent",
        ),
        Step(
            name="data_comparison",
            level="department",
            deadline_days=data_comparison_days,
            outcomes=_PASS_OR_BACK,
            escalate_to="county",
            description="comparison with the departments' data (civil affairs, medical insurance, housing, "
            "education, employment)",
        ),
        Step(
            name="village_deliberation",
            level="village",
            deadline_days=deliberation_days,
            outcomes=_PASS_OR_BACK,
            send_back_to="household_verification",
            escalate_to="township",
            description="deliberation by the village's representatives",
        ),
        Step(
            name="public_notice",
            level="village",
            deadline_days=notice_days,
            notice=True,
            escalate_to="township",
            description="public notice in the village; an objection sends the case back to verification",
        ),
        Step(
            name="township_review",
            level="township",
            deadline_days=township_days,
            working_days=True,
            outcomes=_DECIDE,
            send_back_to="village_deliberation",
            escalate_to="county",
            description="review by the township government (may reject, or send back for a new deliberation)",
        ),
        Step(
            name="county_approval",
            level="county",
            deadline_days=county_days,
            working_days=True,
            outcomes=_DECIDE,
            description="approval by the county (may reject, or send back to the township)",
        ),
    )


def national_identification(
    *,
    verification_days: int = 3,
    data_comparison_days: int = 5,
    deliberation_days: int = 1,
    notice_days: int = 5,
    township_days: int = 1,
    county_days: int = 1,
    max_appeals: int = 1,
    calendar: WorkingCalendar | None = None,
    case_days: int | None = 15,
) -> Procedure:
    """The identification procedure of national practice, its deadlines as given (days).

    The township and county deadlines are working days; the others calendar days;
    ``case_days`` bounds the whole case in calendar days from the day the risk was found
    (None: no such bound). Decided approved, the case identifies the household (relapsed, for
    an exited one) and releases the grants that waited for it.
    """
    return Procedure(
        name="identification",
        description="identification of a household at risk: verification, department data, village deliberation, "
        "public notice, township review, county approval",
        steps=_approval_steps(
            verification_days=verification_days,
            data_comparison_days=data_comparison_days,
            deliberation_days=deliberation_days,
            notice_days=notice_days,
            township_days=township_days,
            county_days=county_days,
            about="the household's income, assets and hardship",
        ),
        appeal_to="township_review",
        max_appeals=max_appeals,
        calendar=calendar or WorkingCalendar(),
        sources=(*_SOURCES, _CASE_DAYS_SOURCE),
        case_deadline_days=case_days,
    )


def national_risk_elimination(
    *,
    verification_days: int = 3,
    data_comparison_days: int = 5,
    deliberation_days: int = 1,
    notice_days: int = 5,
    township_days: int = 1,
    county_days: int = 1,
    condition: StartCondition | None = None,
    calendar: WorkingCalendar | None = None,
) -> Procedure:
    """The risk-elimination procedure of national practice: the same approval steps, a start condition.

    ``condition`` defaults to :class:`~relapse_guard.cases.elimination.RiskEliminationCondition`
    with the national numbers. Decided approved, the case closes its risk (``risk_key``).
    """
    return Procedure(
        name="risk_elimination",
        description="elimination of a household's risk once income and basic needs are stable: the same approval "
        "steps as identification",
        steps=_approval_steps(
            verification_days=verification_days,
            data_comparison_days=data_comparison_days,
            deliberation_days=deliberation_days,
            notice_days=notice_days,
            township_days=township_days,
            county_days=county_days,
            about="income, basic needs and the measures delivered",
        ),
        max_appeals=0,
        start_condition=condition or RiskEliminationCondition(),
        calendar=calendar or WorkingCalendar(),
        sources=(*_SOURCES, "domain.md, Risk elimination: income stable 6 months, needs secured, 6 months monitored"),
    )


#: The shipped identification procedure.
IDENTIFICATION: Procedure = national_identification()
#: The shipped risk-elimination procedure.
RISK_ELIMINATION: Procedure = national_risk_elimination()
#: Both, as a policy declares them (``Policy.procedures``' default).
NATIONAL_PROCEDURES: tuple[Procedure, ...] = (IDENTIFICATION, RISK_ELIMINATION)
