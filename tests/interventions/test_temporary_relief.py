"""Temporary relief: min(cost, cap) or months x standard x members within the cap, for a household
in hardship; emergency-type relief first, expenditure-type by the full procedure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Declined, Grant, Period, Risk, Severity
from relapse_guard.errors import InvalidPolicy
from relapse_guard.interventions import Intervention, TemporaryRelief
from relapse_guard.lifecycle import State
from relapse_guard.messages import margins_of
from relapse_guard.money import FEN

from .helpers import D2015, SEED, context, declined, past_grant, risk, used, with_params

RELIEF = TemporaryRelief()


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(RELIEF, Intervention)
    assert (RELIEF.name, RELIEF.prefix, RELIEF.priority) == ("temporary_relief", "temporary_relief", False)


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("0.01", "0.01"),
        ("2500", "2500.00"),
        ("2999.99", "2999.99"),
        ("3000", "3000.00"),  # the cap: 10 x 300
        ("3000.01", "3000.00"),
        ("80000", "3000.00"),
        ("1234.565", "1234.57"),  # rounded half-up to the fen
    ],
)
def test_cost_paid_up_to_ten_months_of_the_standard(cost: str, expected: str) -> None:
    grant = RELIEF.grant(risk("disaster", cost=cost), context(size=3))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)
    assert grant.period is Period.ONE_OFF
    assert grant.emergency is True


def test_basis_and_parameters_for_a_cost() -> None:
    grant = RELIEF.grant(risk("disaster", cost=5000), context(size=2))
    assert isinstance(grant, Grant)
    assert grant.basis.startswith("min(cost 5000.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off")
    assert "help first, paperwork after" in grant.basis
    assert "priority" not in grant.basis
    assert used(grant) == {
        "safety_net.standard": ("300", dt.date(2016, 1, 1)),
        "temporary_relief.cap_months": ("10", dt.date(2015, 1, 1)),
    }
    assert grant.persons == 2


@pytest.mark.parametrize(
    ("size", "expected"),
    [(1, "900.00"), (2, "1800.00"), (3, "2700.00"), (4, "3000.00"), (7, "3000.00")],
)
def test_without_cost_months_times_standard_times_members_within_the_cap(size: int, expected: str) -> None:
    grant = RELIEF.grant(risk("unemployment"), context(size=size))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)


def test_without_cost_basis_and_parameters() -> None:
    grant = RELIEF.grant(risk("unemployment"), context(size=4))
    assert isinstance(grant, Grant)
    assert grant.basis.startswith(
        "min(3 months x 300.00 x 4 members = 3600.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off"
    )
    assert set(used(grant)) == {
        "safety_net.standard",
        "temporary_relief.cap_months",
        "temporary_relief.months_without_cost",
    }


def test_sized_on_the_2015_standard_before_2016() -> None:
    small = RELIEF.grant(risk("unemployment", date=D2015), context(size=3, date=D2015))
    capped = RELIEF.grant(risk("unemployment", date=D2015), context(size=4, date=D2015))
    assert isinstance(small, Grant)
    assert isinstance(capped, Grant)
    assert small.amount == Decimal("2070.00")  # 3 x 230 x 3
    assert capped.amount == Decimal("2300.00")  # 3 x 230 x 4 = 2760, capped at 10 x 230


def test_priority_is_recorded_in_the_basis_and_does_not_change_the_amount() -> None:
    plain = RELIEF.grant(risk("illness", cost=1000), context())
    priority = TemporaryRelief(priority=True).grant(risk("illness", cost=1000), context())
    assert isinstance(plain, Grant)
    assert isinstance(priority, Grant)
    assert plain.amount == priority.amount == Decimal("1000.00")
    assert "priority relief" in priority.basis
    assert "priority" not in plain.basis
    assert priority.emergency is plain.emergency is False  # a medical bill: expenditure-type


def test_declined_when_it_comes_to_nothing() -> None:
    params = with_params("[temporary_relief.months_without_cost]\nvalues = { 2015-01-01 = 0 }")
    assert declined(RELIEF.grant(risk("unemployment"), context(parameters=params))) == (
        "temporary relief comes to nothing:"
        " min(0 months x 300.00 x 3 members = 0.00, cap 10 months x 300.00 = 3000.00) = 0.00"
    )
    params = with_params("[temporary_relief.cap_months]\nvalues = { 2015-01-01 = 0 }")
    assert declined(RELIEF.grant(risk("disaster", cost=500), context(parameters=params))) == (
        "temporary relief comes to nothing: min(cost 500.00, cap 0 months x 300.00 = 0.00) = 0.00"
    )


@given(
    cost=st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False, allow_infinity=False),
    size=st.integers(min_value=1, max_value=9),
    on=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2017, 12, 31)),
)
def test_never_negative_never_above_the_cap_always_to_the_fen(cost: Decimal, size: int, on: dt.date) -> None:
    grant = RELIEF.grant(risk(cost=cost, date=on), context(size=size, date=on))
    standard = Decimal(230) if on < dt.date(2016, 1, 1) else Decimal(300)
    if isinstance(grant, Declined):
        assert grant.reason.startswith("temporary relief comes to nothing: min(cost 0.00,")
        assert cost < FEN / 2
        assert cost > 0
        return
    assert grant.amount is not None
    assert 0 < grant.amount <= 10 * standard
    assert grant.amount.as_tuple().exponent == -2
    if cost == 0:
        assert grant.amount == min(3 * standard * size, 10 * standard)
    else:
        assert grant.amount == min(cost.quantize(FEN, rounding="ROUND_HALF_UP"), 10 * standard)


# --- who: a household in hardship (State Council order 649, art. 47) ----------------------

RICH = "60000"  # a year per person: 5,000 a month, 16.7 x the 300 standard


def test_refused_to_a_household_not_on_file_far_above_the_hardship_line() -> None:
    # 60000 - 8000 / 3 members = 57333.33 a year left per person = 4777.78 a month,
    # >= the hardship line 1.5 x 300 = 450.00
    result = RELIEF.grant(risk("disaster", cost=8000), context(state=State.NEW, income=RICH))
    assert declined(result) == (
        "condition in_hardship not met: household not on file (new): income left per capita 4777.78/month"
        " >= hardship line 450.00 (1.5 x safety-net standard 300)"
    )
    assert isinstance(result, Declined)
    (margin,) = margins_of(result.message)
    assert (margin.value, margin.threshold) == (Decimal("4777.78"), Decimal("450.00"))


def test_granted_to_a_household_on_file_whatever_its_income() -> None:
    grant = RELIEF.grant(risk("disaster", cost=8000), context(state=State.EXITED, income=RICH))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal("3000.00")  # min(8000, cap 10 x 300)


@pytest.mark.parametrize(
    ("loss", "granted"),
    [
        # 6000 - 1200 / 3 = 5600 a year = 466.67 a month >= 450: refused
        (1200, None),
        # 6000 - 1350 / 3 = 5550 a year = 462.50 a month >= 450: refused
        (1350, None),
        # 6000 - 1800 / 3 = 5400 a year = 450.00 a month, not under 450: refused (the line itself)
        (1800, None),
        # 6000 - 1803 / 3 = 5399 a year = 449.92 a month < 450: min(1803, 3000) = 1803
        (1803, "1803.00"),
        # 6000 - 6000 / 3 = 4000 a year = 333.33 a month < 450: min(6000, 3000) = 3000
        (6000, "3000.00"),
    ],
)
def test_not_on_file_granted_only_under_the_hardship_line_after_its_loss(loss: int, granted: str | None) -> None:
    result = RELIEF.grant(risk("disaster", cost=loss), context(state=State.NEW, income=6000))
    if granted is None:
        assert declined(result).startswith("condition in_hardship not met: household not on file (new)")
    else:
        assert isinstance(result, Grant)
        assert result.amount == Decimal(granted)
        assert used(result)["temporary_relief.hardship_ratio"] == ("1.5", dt.date(2015, 1, 1))


def test_refused_to_a_household_not_on_file_whose_income_was_never_assessed() -> None:
    assert declined(RELIEF.grant(risk("disaster", cost=8000), context(state=State.NEW))) == (
        "condition in_hardship not met: household not on file (new): income never assessed"
    )


def test_a_household_on_file_reads_no_hardship_line() -> None:
    grant = RELIEF.grant(risk("disaster", cost=500), context(state=State.MONITORED))
    assert isinstance(grant, Grant)
    assert "temporary_relief.hardship_ratio" not in used(grant)


@given(
    income=st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False),
    cost=st.decimals(min_value=0, max_value=30000, places=2, allow_nan=False, allow_infinity=False),
    size=st.integers(min_value=1, max_value=8),
)
def test_not_on_file_granted_exactly_when_income_left_is_under_the_hardship_line(
    income: Decimal, cost: Decimal, size: int
) -> None:
    result = RELIEF.grant(risk("disaster", cost=cost), context(state=State.NEW, income=income, size=size))
    left = max(income - cost / size, Decimal(0))
    if left / 12 < Decimal("1.5") * 300:
        assert isinstance(result, Grant) or declined(result).startswith("temporary relief comes to nothing")
    else:
        assert declined(result).startswith("condition in_hardship not met")


# --- type: emergency-type first, expenditure-type by the full procedure (MCA/MOF 2018 no. 23) ---


@pytest.mark.parametrize(
    ("kind", "emergency"),
    [
        ("illness", False),
        ("schooling", False),
        ("disaster", True),
        ("main_earner_lost", True),
        ("unemployment", True),
    ],
)
def test_the_type_follows_the_risk_kind(kind: str, emergency: bool) -> None:
    grant = RELIEF.grant(risk(kind, cost=1000), context())
    assert isinstance(grant, Grant)
    assert grant.emergency is emergency
    if emergency:
        assert grant.basis.endswith("one-off; help first, paperwork after")
    else:
        assert grant.basis.endswith("one-off; expenditure-type relief: full procedure")


def test_expenditure_kinds_are_the_policy_s_to_choose() -> None:
    relief = TemporaryRelief(priority=True, expenditure_kinds=frozenset({"schooling"}))
    grant = relief.grant(risk("illness", cost=1000), context())
    assert isinstance(grant, Grant)
    assert grant.emergency is True
    grant = relief.grant(risk("schooling", cost=1000), context())
    assert isinstance(grant, Grant)
    assert grant.emergency is False
    assert grant.basis == (
        "min(cost 1000.00, cap 10 months x 300.00 = 3000.00) = 1000.00 one-off; priority relief;"
        " expenditure-type relief: full procedure"
    )


# --- type: a sudden serious illness is emergency-type (MCA/MOF 2018 no. 23, s. 2(1)) ----------

IN_HOSPITAL = (("hospitalised", "yes"),)
AT_HOME = (("hospitalised", "no"),)
LEAST_HIGH = with_params('[temporary_relief.sudden_illness_severity]\nvalues = { 2015-01-01 = "high" }')


def illness(severity: Severity, evidence: tuple[tuple[str, str], ...] = IN_HOSPITAL, kind: str = "illness") -> Risk:
    return risk(kind, cost=5000, evidence=evidence, severity=severity)


@pytest.mark.parametrize(
    ("severity", "evidence", "emergency"),
    [
        (Severity.SEVERE, IN_HOSPITAL, True),  # sudden (in hospital) and serious (a year's income or more)
        (Severity.HIGH, IN_HOSPITAL, False),  # in hospital, but not serious enough
        (Severity.MEDIUM, IN_HOSPITAL, False),
        (Severity.SEVERE, AT_HOME, False),  # serious, but no stay in hospital: a medical bill
        (Severity.SEVERE, (), False),  # nothing says it was in hospital
    ],
)
def test_a_sudden_serious_illness_is_emergency_type_any_other_illness_expenditure_type(
    severity: Severity, evidence: tuple[tuple[str, str], ...], emergency: bool
) -> None:
    grant = TemporaryRelief(priority=True).grant(illness(severity, evidence), context())
    assert isinstance(grant, Grant)
    assert grant.emergency is emergency
    if emergency:
        assert grant.basis == (
            "min(cost 5000.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off; priority relief; sudden serious"
            " illness (in hospital, severity severe >= severe): emergency-type relief, help first, paperwork after"
        )
    else:
        assert grant.basis.endswith("one-off; priority relief; expenditure-type relief: full procedure")


def test_the_least_severity_of_a_sudden_serious_illness_is_the_policy_s_to_set() -> None:
    high = RELIEF.grant(illness(Severity.HIGH), context(parameters=LEAST_HIGH))
    assert isinstance(high, Grant)
    assert high.emergency is True
    assert high.basis.endswith(
        "one-off; sudden serious illness (in hospital, severity high >= high): emergency-type relief,"
        " help first, paperwork after"
    )
    assert used(high)["temporary_relief.sudden_illness_severity"] == ("high", dt.date(2015, 1, 1))
    medium = RELIEF.grant(illness(Severity.MEDIUM), context(parameters=LEAST_HIGH))
    assert isinstance(medium, Grant)
    assert medium.emergency is False
    assert "temporary_relief.sudden_illness_severity" in used(medium)  # it decided the type: cited


def test_the_least_severity_is_read_only_for_an_illness_in_hospital() -> None:
    for at_home in (illness(Severity.SEVERE, AT_HOME), risk("disaster", cost=5000)):
        grant = RELIEF.grant(at_home, context(parameters=LEAST_HIGH))
        assert isinstance(grant, Grant)
        assert "temporary_relief.sudden_illness_severity" not in used(grant)
    # school costs are expenditure-type, whatever the evidence says
    school = RELIEF.grant(illness(Severity.SEVERE, kind="schooling"), context(parameters=LEAST_HIGH))
    assert isinstance(school, Grant)
    assert school.emergency is False


@pytest.mark.parametrize("value", ['"grave"', '"Severe"', "4"])
def test_the_least_severity_must_name_a_severity(value: str) -> None:
    params = with_params(f"[temporary_relief.sudden_illness_severity]\nvalues = {{ 2015-01-01 = {value} }}")
    with pytest.raises(InvalidPolicy, match="sudden_illness_severity"):
        RELIEF.grant(illness(Severity.SEVERE), context(parameters=params))


@given(
    kind=st.sampled_from(["illness", "schooling", "disaster", "main_earner_lost"]),
    severity=st.sampled_from(Severity),
    hospitalised=st.sampled_from([(), AT_HOME, IN_HOSPITAL]),
    least=st.none() | st.sampled_from(Severity),
)
def test_emergency_type_exactly_for_a_sudden_cause(
    kind: str, severity: Severity, hospitalised: tuple[tuple[str, str], ...], least: Severity | None
) -> None:
    params = SEED
    if least is not None:
        name = least.name.lower()
        params = with_params(f'[temporary_relief.sudden_illness_severity]\nvalues = {{ 2015-01-01 = "{name}" }}')
    grant = RELIEF.grant(illness(severity, hospitalised, kind=kind), context(parameters=params))
    assert isinstance(grant, Grant)
    sudden = kind == "illness" and hospitalised == IN_HOSPITAL and severity >= (least or Severity.SEVERE)
    assert grant.emergency is (sudden or kind not in ("illness", "schooling"))
    assert ("sudden serious illness" in grant.basis) is sudden
    assert grant.amount == Decimal("3000.00")  # the type never changes the amount


# --- how often: once per cause per year, when the policy says so ----------------------------

ONCE = with_params("[temporary_relief.times_per_cause_per_year]\nvalues = { 2015-01-01 = 1 }")


def _earlier(kind: str, on: dt.date, key: str) -> tuple[Risk, Grant]:
    found = risk(kind, cost=5000, date=on, key=key)
    return found, attrs.evolve(past_grant("temporary_relief", 3000, date=on), risk_key=key)


def test_once_per_cause_refuses_a_second_relief_for_the_same_cause_in_the_year() -> None:
    flood, paid = _earlier("disaster", dt.date(2016, 3, 10), "disaster:d3")
    ctx = context(parameters=ONCE, grants=[paid], found=[flood])
    assert declined(RELIEF.grant(risk("disaster", cost=5000, key="disaster:d5"), ctx)) == (
        "temporary relief already granted 1 time for disaster risk in 2016 (2016-03-10): at most 1 time a year"
        " for one cause"
    )


def test_once_per_cause_grants_another_cause_and_the_next_year() -> None:
    flood, paid = _earlier("disaster", dt.date(2016, 3, 10), "disaster:d3")
    ctx = context(parameters=ONCE, grants=[paid], found=[flood])
    assert isinstance(RELIEF.grant(risk("main_earner_lost", key="m"), ctx), Grant)
    flood, paid = _earlier("disaster", dt.date(2015, 9, 10), "disaster:d9")
    ctx = context(parameters=ONCE, grants=[paid], found=[flood])
    assert isinstance(RELIEF.grant(risk("disaster", cost=5000, key="disaster:d5"), ctx), Grant)


def test_twice_per_cause_refuses_the_third() -> None:
    twice = with_params("[temporary_relief.times_per_cause_per_year]\nvalues = { 2015-01-01 = 2 }")
    march, paid_march = _earlier("disaster", dt.date(2016, 3, 10), "d3")
    may, paid_may = _earlier("disaster", dt.date(2016, 5, 10), "d5")
    one = context(parameters=twice, grants=[paid_march], found=[march])
    assert isinstance(RELIEF.grant(risk("disaster", cost=5000, key="d7"), one), Grant)
    two = context(parameters=twice, grants=[paid_march, paid_may], found=[march, may])
    assert declined(RELIEF.grant(risk("disaster", cost=5000, key="d7"), two)) == (
        "temporary relief already granted 2 times for disaster risk in 2016 (2016-03-10, 2016-05-10): at most"
        " 2 times a year for one cause"
    )


def test_once_per_cause_counts_a_relief_waiting_for_a_case() -> None:
    # the March illness's relief waits for a decided case: the May illness's is refused as if it were paid
    march = risk("illness", cost=5000, date=dt.date(2016, 3, 10), key="illness:a")
    waiting = attrs.evolve(past_grant("temporary_relief", 3000, date=march.date), risk_key=march.key)
    ctx = context(parameters=ONCE, pending=[(march, waiting)], found=[march])
    may = risk("illness", cost=5000, key="illness:b")
    assert declined(RELIEF.grant(may, ctx)) == (
        "temporary relief already granted 1 time for illness risk in 2016 (2016-03-10): at most 1 time a year"
        " for one cause"
    )
    # another relief waiting, of another intervention or for another cause, is not counted
    other = attrs.evolve(waiting, intervention="medical_aid")
    flood = risk("disaster", cost=5000, date=march.date, key="disaster:d")
    flood_relief = attrs.evolve(waiting, risk_key=flood.key)
    ctx = context(parameters=ONCE, pending=[(march, other), (flood, flood_relief)], found=[march, flood])
    assert isinstance(RELIEF.grant(may, ctx), Grant)


def test_a_relief_counts_in_the_year_it_was_asked_in_once() -> None:
    # asked on 2015-12-20, waiting for a case decided (and paid) on 2016-01-15
    december = risk("illness", cost=5000, date=dt.date(2015, 12, 20), key="illness:a")
    waiting = attrs.evolve(past_grant("temporary_relief", 3000, date=december.date), risk_key=december.key)
    paid = attrs.evolve(waiting, date=dt.date(2016, 1, 15))
    for ctx in (
        context(parameters=ONCE, pending=[(december, waiting)], found=[december]),
        context(parameters=ONCE, grants=[paid], found=[december]),
    ):
        # 2016: none asked yet
        assert isinstance(RELIEF.grant(risk("illness", cost=5000, key="illness:b"), ctx), Grant)
    late = risk("illness", cost=5000, date=dt.date(2015, 12, 28), key="illness:c")
    ctx = context(date=late.date, parameters=ONCE, grants=[paid], found=[december])
    assert declined(RELIEF.grant(late, ctx)) == (
        "temporary relief already granted 1 time for illness risk in 2015 (2015-12-20): at most 1 time a year"
        " for one cause"
    )


@given(
    earlier=st.lists(
        st.tuples(
            st.sampled_from(["disaster", "illness"]),
            st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2016, 12, 31)),
            st.booleans(),  # paid, or waiting for a case
        ),
        max_size=6,
    ),
    limit=st.integers(min_value=1, max_value=3),
)
def test_refused_exactly_when_the_year_s_reliefs_for_the_cause_paid_or_waiting_reach_the_limit(
    earlier: list[tuple[str, dt.date, bool]], limit: int
) -> None:
    found: list[Risk] = []
    paid: list[Grant] = []
    waiting: list[tuple[Risk, Grant]] = []
    for n, (kind, on, was_paid) in enumerate(earlier):
        before = risk(kind, cost=5000, date=on, key=f"{kind}:{n}")
        grant = attrs.evolve(past_grant("temporary_relief", 3000, date=on), risk_key=before.key)
        found.append(before)
        if was_paid:
            paid.append(grant)
        else:
            waiting.append((before, grant))
    params = with_params(f"[temporary_relief.times_per_cause_per_year]\nvalues = {{ 2015-01-01 = {limit} }}")
    ctx = context(parameters=params, grants=paid, pending=waiting, found=found)
    result = RELIEF.grant(risk("disaster", cost=5000, key="disaster:now"), ctx)
    counted = sorted(on for kind, on, _ in earlier if kind == "disaster" and on.year == 2016)
    if len(counted) < limit:
        assert isinstance(result, Grant)
    else:
        assert declined(result).startswith(
            f"temporary relief already granted {len(counted)} time{'s' if len(counted) > 1 else ''} for disaster"
            f" risk in 2016 ({', '.join(str(on) for on in counted)})"
        )


def test_without_the_parameter_no_limit() -> None:
    flood, paid = _earlier("disaster", dt.date(2016, 3, 10), "d3")
    grant = RELIEF.grant(risk("disaster", cost=5000, key="d5"), context(grants=[paid], found=[flood]))
    assert isinstance(grant, Grant)
    assert "temporary_relief.times_per_cause_per_year" not in used(grant)


@pytest.mark.parametrize("value", ["0", "1.5"])
def test_times_per_cause_must_be_a_whole_number_of_one_or_more(value: str) -> None:
    params = with_params(f"[temporary_relief.times_per_cause_per_year]\nvalues = {{ 2015-01-01 = {value} }}")
    with pytest.raises(InvalidPolicy, match="times_per_cause_per_year"):
        RELIEF.grant(risk("disaster", cost=5000), context(parameters=params))


# --- the cap: per household, or per person when the policy says so ---------------------------

PER_PERSON = with_params('[temporary_relief.cap_basis]\nvalues = { 2015-01-01 = "person" }')
PER_HOUSEHOLD = with_params('[temporary_relief.cap_basis]\nvalues = { 2015-01-01 = "household" }')


@pytest.mark.parametrize(
    ("size", "per_household", "per_person"),
    [
        # 3 months x 300 x members; cap 10 x 300 = 3000, or 10 x 300 x members
        (3, "2700.00", "2700.00"),  # 2700 under both caps
        (4, "3000.00", "3600.00"),  # 3600 > 3000; < 12000
        (7, "3000.00", "6300.00"),  # 6300 > 3000; < 21000
    ],
)
def test_cap_per_household_or_per_person(size: int, per_household: str, per_person: str) -> None:
    household_grant = RELIEF.grant(risk("unemployment"), context(size=size, parameters=PER_HOUSEHOLD))
    person_grant = RELIEF.grant(risk("unemployment"), context(size=size, parameters=PER_PERSON))
    assert isinstance(household_grant, Grant)
    assert isinstance(person_grant, Grant)
    assert household_grant.amount == Decimal(per_household)
    assert person_grant.amount == Decimal(per_person)


def test_cap_per_person_basis() -> None:
    grant = RELIEF.grant(risk("disaster", cost=8000), context(size=3, parameters=PER_PERSON))
    assert isinstance(grant, Grant)
    # min(8000, 10 x 300 x 3 = 9000)
    assert grant.basis == (
        "min(cost 8000.00, cap 10 months x 300.00 x 3 members = 9000.00) = 8000.00 one-off; help first, paperwork after"
    )


def test_unknown_cap_basis_is_a_policy_error() -> None:
    params = with_params('[temporary_relief.cap_basis]\nvalues = { 2015-01-01 = "family" }')
    with pytest.raises(InvalidPolicy, match=r"cap_basis.*'family'"):
        RELIEF.grant(risk("disaster", cost=5000), context(parameters=params))


@given(
    cost=st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False),
    size=st.integers(min_value=1, max_value=9),
)
def test_per_person_cap_never_below_the_household_cap(cost: Decimal, size: int) -> None:
    kind = "disaster" if cost else "unemployment"
    household_grant = RELIEF.grant(risk(kind, cost=cost), context(size=size, parameters=PER_HOUSEHOLD))
    person_grant = RELIEF.grant(risk(kind, cost=cost), context(size=size, parameters=PER_PERSON))
    assert isinstance(household_grant, Grant)
    assert isinstance(person_grant, Grant)
    assert household_grant.amount is not None
    assert person_grant.amount is not None
    assert household_grant.amount <= person_grant.amount <= 10 * 300 * size
    assert person_grant.amount == min(cost if cost else Decimal(900 * size), Decimal(3000 * size))
