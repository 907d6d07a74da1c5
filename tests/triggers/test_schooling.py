from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import JobLost, SchoolEnrolled, State
from relapse_guard.decisions import Severity
from relapse_guard.errors import InvalidFact, InvalidPolicy
from relapse_guard.household import Schooling
from relapse_guard.parameters import ParameterTree
from relapse_guard.triggers import SchoolingTrigger, Trigger
from relapse_guard.triggers.schooling import DEFAULT_START_MONTH

from .conftest import (
    DAY,
    M1,
    M2,
    M3,
    NOT_ON_FILE,
    ON_FILE,
    PARAMETERS,
    amounts,
    evidence,
    incomes,
    make_ctx,
    states,
    used,
)

TRIGGER = SchoolingTrigger()
#: The school year's first month.
START = "triggers.schooling.school_year_start_month"
LEVELS_IN_SCHOOL = [level for level in Schooling if level is not Schooling.NONE]


def enrolled(
    cost: str | Decimal = "0",
    *,
    level: Schooling = Schooling.PRIMARY,
    member: str = M1,
    date: dt.date = DAY,
    fid: str = "s1",
) -> SchoolEnrolled:
    return SchoolEnrolled(
        id=fid, household_id="h1", date=date, member_id=member, level=level, annual_cost=Decimal(cost)
    )


def test_is_a_trigger_of_enrolments() -> None:
    assert isinstance(TRIGGER, Trigger)
    assert TRIGGER.name == "schooling"
    assert TRIGGER.prefix == "triggers.schooling"
    assert TRIGGER.fact_kinds == (SchoolEnrolled,)


def test_other_fact_kinds_are_ignored() -> None:
    assert TRIGGER.detect(JobLost(id="j", household_id="h1", date=DAY, member_id=M1), make_ctx()) is None


@pytest.mark.parametrize("state", list(State))
def test_not_in_school_raises_nothing(state: State) -> None:
    fact = enrolled("50000", level=Schooling.NONE)
    assert TRIGGER.detect(fact, make_ctx(state=state, income="100")) is None


@pytest.mark.parametrize("state", ON_FILE)
@pytest.mark.parametrize("level", LEVELS_IN_SCHOOL)
def test_every_pupil_of_a_household_on_file_is_a_risk(state: State, level: Schooling) -> None:
    risk = TRIGGER.detect(enrolled("0", level=level), make_ctx(state=state))
    assert risk is not None
    assert risk.severity is Severity.MEDIUM
    assert risk.get("level") == level.value
    assert risk.key == f"schooling:{M1}:{level.value}:2015"  # 1 June 2016: the school year 2015/16
    assert evidence(risk)["reason"] == f"household on file ({state.value})"


@pytest.mark.parametrize("state", NOT_ON_FILE)
@pytest.mark.parametrize(
    ("cost", "fires"), [("0", False), ("2999.99", False), ("3000", False), ("3000.00", False), ("3000.01", True)]
)
def test_not_on_file_fires_over_30_percent_of_income(state: State, cost: str, fires: bool) -> None:
    # 2 members x 5000 = 10000 a year; 30% is 3000.
    risk = TRIGGER.detect(enrolled(cost), make_ctx(state=state, income="5000"))
    assert (risk is not None) is fires


def test_not_on_file_with_unknown_income_raises_nothing() -> None:
    assert TRIGGER.detect(enrolled("99999"), make_ctx(state=State.NEW)) is None


def test_on_file_with_unknown_income_is_medium() -> None:
    risk = TRIGGER.detect(enrolled("99999"), make_ctx(state=State.RELAPSED))
    assert risk is not None
    assert risk.severity is Severity.MEDIUM
    assert used(risk) == [(START, "9", "2015-01-01")]  # the key's school year: the income share is not read
    assert evidence(risk)["annual_income"] == "unknown (income never assessed)"


@pytest.mark.parametrize("state", [State.NEW, State.MONITORED])
@pytest.mark.parametrize(
    ("cost", "severity"),
    [
        ("3000.01", Severity.HIGH),
        ("9999.99", Severity.HIGH),
        ("10000", Severity.SEVERE),  # the whole annual income
        ("25000", Severity.SEVERE),
    ],
)
def test_severity_of_a_large_cost(state: State, cost: str, severity: Severity) -> None:
    risk = TRIGGER.detect(enrolled(cost), make_ctx(state=state, income="5000"))
    assert risk is not None
    assert risk.severity is severity


def test_risk_content_and_parameters() -> None:
    risk = TRIGGER.detect(enrolled("4000", level=Schooling.TERTIARY), make_ctx(state=State.NEW, income="5000"))
    assert risk is not None
    assert risk.kind == "schooling"
    assert risk.trigger == "schooling"
    assert risk.cost == Decimal(4000)
    assert risk.member_id == M1
    assert risk.key == f"schooling:{M1}:tertiary:2015"
    assert risk.severity is Severity.HIGH
    assert risk.evidence == (
        ("level", "tertiary"),
        ("annual_cost", "4000"),
        ("household_status", "not on file (new)"),
        ("income_per_capita", "5000"),
        ("members", "2"),
        ("annual_income", "10000"),
        ("income_share", "0.3"),
        ("income_share_amount", "3000.00"),
        ("cost_to_income", "40.00%"),
        ("reason", "school cost 4000 > 0.3 x annual income 10000 = 3000.00"),
    )
    assert used(risk) == [("triggers.schooling.income_share", "0.3", "2015-01-01"), (START, "9", "2015-01-01")]


def test_both_reasons_for_a_household_on_file_with_a_large_cost() -> None:
    risk = TRIGGER.detect(enrolled("3500.50"), make_ctx(state=State.ASSISTED, income="5000"))
    assert risk is not None
    assert risk.severity is Severity.HIGH
    assert evidence(risk)["reason"] == (
        "household on file (assisted); school cost 3500.50 > 0.3 x annual income 10000 = 3000.00"
    )
    assert evidence(risk)["cost_to_income"] == "35.01%"


def test_no_income_at_all() -> None:
    risk = TRIGGER.detect(enrolled("0.01"), make_ctx(state=State.NEW, income="0"))
    assert risk is not None
    assert risk.severity is Severity.SEVERE
    assert evidence(risk)["cost_to_income"] == "no income"
    assert TRIGGER.detect(enrolled("0"), make_ctx(state=State.NEW, income="0")) is None


def test_income_share_that_changes_on_a_date_is_picked_by_the_context_date() -> None:
    # The share is 0.3 (3000 of 10000) until 2016-12-31 and 0.25 (2500) from 2017-01-01.
    before, after = dt.date(2016, 12, 31), dt.date(2017, 1, 1)
    assert TRIGGER.detect(enrolled("2800", date=before), make_ctx(state=State.NEW, income="5000", date=before)) is None
    risk = TRIGGER.detect(enrolled("2800", date=after), make_ctx(state=State.NEW, income="5000", date=after))
    assert risk is not None
    assert risk.key == f"schooling:{M1}:primary:2016"
    assert evidence(risk)["income_share_amount"] == "2500.00"
    assert used(risk) == [("triggers.schooling.income_share", "0.25", "2017-01-01"), (START, "9", "2015-01-01")]


def _key(fact: SchoolEnrolled, parameters: ParameterTree = PARAMETERS) -> str:
    """The key of the risk ``fact`` is, for a household on file, on the fact's date."""
    risk = TRIGGER.detect(fact, make_ctx(date=fact.date, parameters=parameters))
    assert risk is not None
    return risk.key


def test_one_key_per_member_level_and_school_year() -> None:
    september = _key(enrolled(fid="s1", date=dt.date(2016, 9, 1)))
    # the education department's data of the spring: the same pupil, level and school year 2016/17
    assert _key(enrolled(fid="s2", date=dt.date(2017, 3, 1))) == september == f"schooling:{M1}:primary:2016"
    assert _key(enrolled(fid="s3", date=dt.date(2017, 7, 31))) == september  # the last month of it (8 from 2018)
    assert _key(enrolled(fid="s4", date=dt.date(2016, 8, 31))) == f"schooling:{M1}:primary:2015"  # the year before
    assert _key(enrolled(fid="s5", date=dt.date(2017, 9, 1))) == f"schooling:{M1}:primary:2017"  # the next one
    assert _key(enrolled(fid="s6", level=Schooling.JUNIOR_SECONDARY, date=dt.date(2017, 3, 1))) == (
        f"schooling:{M1}:junior_secondary:2016"
    )
    assert _key(enrolled(fid="s7", member=M2, date=dt.date(2017, 3, 1))) == f"schooling:{M2}:primary:2016"


def test_the_start_month_in_force_on_the_facts_date_is_used_and_cited() -> None:
    # 9 until 2017, 8 from 2018: 1 August starts a school year in 2018, not in 2017
    for day, year, value, since in [
        (dt.date(2017, 8, 1), 2016, "9", "2015-01-01"),
        (dt.date(2018, 7, 31), 2017, "8", "2018-01-01"),
        (dt.date(2018, 8, 1), 2018, "8", "2018-01-01"),
    ]:
        risk = TRIGGER.detect(enrolled(date=day), make_ctx(date=day))
        assert risk is not None
        assert risk.key == f"schooling:{M1}:primary:{year}"
        assert (START, value, since) in used(risk)


def test_a_policy_without_the_start_month_starts_the_school_year_in_september() -> None:
    assert DEFAULT_START_MONTH == 9
    without = ParameterTree(parameters={n: p for n, p in PARAMETERS.parameters.items() if n != START})
    assert START not in without
    for day, year in [(dt.date(2016, 9, 1), 2016), (dt.date(2017, 3, 1), 2016), (dt.date(2016, 8, 31), 2015)]:
        risk = TRIGGER.detect(enrolled(date=day), make_ctx(date=day, parameters=without))
        assert risk is not None
        assert risk.key == f"schooling:{M1}:primary:{year}"
        assert used(risk) == []  # nothing read: nothing cited


def _starting(month: str) -> ParameterTree:
    """The schooling parameters, the school year starting in ``month`` (TOML: no bounds declared)."""
    return ParameterTree.from_toml(
        "[triggers.schooling]\nincome_share = { values = { 2015-01-01 = 0.3 } }\n"
        f"school_year_start_month = {{ values = {{ 2015-01-01 = {month} }} }}"
    )


@pytest.mark.parametrize("month", ["0", "13", "8.5", "-9"])
def test_a_start_month_that_is_not_a_month_is_refused(month: str) -> None:
    with pytest.raises(InvalidPolicy) as caught:
        TRIGGER.detect(enrolled(), make_ctx(parameters=_starting(month)))
    assert str(caught.value) == f"parameter '{START}' must be a whole month, 1 to 12, found {month}"


def test_a_start_month_in_words_is_refused() -> None:
    with pytest.raises(InvalidPolicy, match=f"parameter '{START}' must be a number, found 'Sept'"):
        TRIGGER.detect(enrolled(), make_ctx(parameters=_starting('"Sept"')))


def test_a_prefix_of_its_own_reads_its_own_start_month() -> None:
    tree = ParameterTree.from_toml(
        "[schools]\nincome_share = { values = { 2015-01-01 = 0.3 } }\n"
        "school_year_start_month = { values = { 2015-01-01 = 3 } }"
    )
    trigger = SchoolingTrigger(name="schools", prefix="schools")
    march, february = dt.date(2017, 3, 1), dt.date(2017, 2, 28)
    assert (risk := trigger.detect(enrolled(date=march), make_ctx(date=march, parameters=tree))) is not None
    assert risk.key == f"schooling:{M1}:primary:2017"
    assert (risk := trigger.detect(enrolled(date=february), make_ctx(date=february, parameters=tree))) is not None
    assert risk.key == f"schooling:{M1}:primary:2016"


_ENROLMENT_DATES = st.dates(dt.date(2015, 1, 1), dt.date(2019, 12, 31))


@given(
    first=_ENROLMENT_DATES,
    second=_ENROLMENT_DATES,
    start=st.integers(1, 12),
    level=st.sampled_from(LEVELS_IN_SCHOOL),
    other_level=st.sampled_from(LEVELS_IN_SCHOOL),
    other_member=st.booleans(),
)
def test_two_enrolments_have_one_key_iff_of_one_school_year(
    first: dt.date, second: dt.date, start: int, level: Schooling, other_level: Schooling, other_member: bool
) -> None:
    tree = _starting(str(start))

    def school_year(day: dt.date) -> int:  # the months since year 0's start month, in whole years
        return (day.year * 12 + day.month - start) // 12

    a = _key(enrolled(fid="a", level=level, date=first), tree)
    b = _key(enrolled(fid="b", level=level, date=second), tree)
    assert (a == b) is (school_year(first) == school_year(second))
    assert a == f"schooling:{M1}:{level.value}:{school_year(first)}"
    other = _key(enrolled(fid="c", level=other_level, member=M2 if other_member else M1, date=second), tree)
    assert (other == a) is (other_level is level and not other_member and school_year(first) == school_year(second))


def test_unknown_member_is_an_invalid_fact_with_the_id_redacted() -> None:
    with pytest.raises(InvalidFact) as caught:
        TRIGGER.detect(enrolled("100", member=M3), make_ctx())  # M3 is not in the couple
    error = caught.value
    assert error.household_id == "h1"
    assert error.field == "member_id"
    assert error.value == "500***12"
    assert error.fact_id == "s1"
    assert M3 not in str(error)


@given(
    cost=amounts,
    income=incomes,
    state=states,
    level=st.sampled_from(list(Schooling)),
)
def test_fires_iff_in_school_and_on_file_or_cost_over_share(
    cost: Decimal, income: Decimal | None, state: State, level: Schooling
) -> None:
    risk = TRIGGER.detect(enrolled(cost, level=level), make_ctx(state=state, income=income))
    over_share = income is not None and cost > Decimal("0.3") * income * 2
    assert (risk is not None) is (level is not Schooling.NONE and (state in ON_FILE or over_share))
    if risk is not None:
        assert risk.get("level") == level.value
        assert risk.cost == cost
        assert risk.severity >= (Severity.HIGH if over_share else Severity.MEDIUM)
