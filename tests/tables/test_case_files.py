"""Reading case files: typed cases with the defaults filled in, and errors naming file, case, field and value."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard.decisions import Period
from relapse_guard.errors import InvalidCaseFile, RelapseGuardError
from relapse_guard.facts import IllnessReported, IncomeAssessed
from relapse_guard.household import LabourCapacity, Place, Schooling
from relapse_guard.lifecycle import State
from relapse_guard.policies import load_policy
from relapse_guard.testing.tables import (
    DEFAULT_BIRTH_DATE,
    DEFAULT_DISTRICT,
    DEFAULT_HOUSEHOLD_ID,
    ExpectedGrant,
    ExpectedRisk,
    has_cases,
    load_case_file,
    parse_case_file,
)

from .helpers import SAFETY_NET_2016, cases, with_expect, write

D = dt.date


def test_a_case_file_reads_into_typed_cases() -> None:
    case_file = cases(SAFETY_NET_2016)
    assert (case_file.source, case_file.policy.name, case_file.policy_spec) == (
        "cases.toml",
        "yubei_2016",
        "yubei_2016",
    )
    (case,) = case_file.cases
    assert (case.name, case.number, case.source, case.as_of) == (
        "a low-income household of two in 2016",
        1,
        "cases.toml",
        D(2016, 12, 31),
    )
    assert case.label == "case #1 'a low-income household of two in 2016'"
    assert case.household.id == "YB-2"
    assert case.household.place == Place("Yubei", "Luqi", "Wuyi")
    assert [m.id for m in case.household.members] == ["m1", "m2"]
    assert {m.birth_date for m in case.household.members} == {DEFAULT_BIRTH_DATE}
    (fact,) = case.facts
    assert fact == IncomeAssessed(id="f1", household_id="YB-2", date=D(2016, 6, 1), income_per_capita=Decimal(2000))
    expect = case.expect
    assert expect.state is State.ASSISTED
    assert expect.risks == (ExpectedRisk(kind="income_drop", date=D(2016, 6, 1)),)
    assert expect.grants is not None
    assert expect.grants[2] == ExpectedGrant(
        intervention="safety_net", amount=Decimal("266.66"), period=Period.MONTHLY, date=D(2016, 6, 1)
    )
    assert expect.reviews_completed == {}
    assert expect.partial is False


def test_decimals_are_read_exactly_and_strings_and_ints_are_amounts_too() -> None:
    text = with_expect(
        'grants = [{ intervention = "a", amount = 0.1 }, { intervention = "b", amount = "266.66" }, '
        '{ intervention = "c", amount = 12000, tolerance_fen = 5 }]'
    )
    grants = cases(text).cases[0].expect.grants
    assert grants is not None
    assert [(g.amount, g.tolerance_fen) for g in grants] == [
        (Decimal("0.1"), 0),
        (Decimal("266.66"), 0),
        (Decimal(12000), 5),
    ]
    assert str(grants[0].amount) == "0.1"  # not 0.1000000000000000055511151231257827


def test_defaults_household_members_ids_and_the_top_as_of() -> None:
    text = """
    policy = "yubei_2016"
    [[case]]
    name = "bare"
    as_of = "2016-12-31"
    expect = { state = "new" }
    """
    (case,) = cases(text).cases
    assert case.household.id == DEFAULT_HOUSEHOLD_ID
    assert case.household.place == Place(DEFAULT_DISTRICT)
    assert [m.id for m in case.household.members] == ["m1"]
    assert case.facts == ()
    assert case.as_of == D(2016, 12, 31)


def test_a_case_s_household_keys_replace_the_default_s() -> None:
    text = """
    policy = "yubei_2016"
    as_of = 2016-12-31
    [household]
    id = "H9"
    place = { district = "Dazu", town = "Longgang" }
    members = 4

    [[case]]
    name = "default"
    expect = { state = "new" }

    [[case]]
    name = "own members"
    as_of = 2017-01-31
    [case.household]
    members = [
        { id = "grandmother", birth_date = 1941-02-03, labour_capacity = "none", health = "chronic_illness" },
        { birth_date = 2009-03-04, schooling = "primary" },
    ]
    [case.expect]
    state = "new"
    """
    first, second = cases(text).cases
    assert (first.household.id, first.household.size, first.household.place) == ("H9", 4, Place("Dazu", "Longgang"))
    assert (second.household.id, second.household.place) == ("H9", Place("Dazu", "Longgang"))
    grandmother, child = second.household.members
    assert (grandmother.id, grandmother.birth_date, grandmother.labour_capacity) == (
        "grandmother",
        D(1941, 2, 3),
        LabourCapacity.NONE,
    )
    assert (child.id, child.schooling, child.labour_capacity) == ("m2", Schooling.PRIMARY, None)
    # left blank: read from the age, 7 on the case's date, so no capacity to work
    assert child.capacity_on(D(2017, 1, 31)) is LabourCapacity.NONE
    assert (first.as_of, second.as_of) == (D(2016, 12, 31), D(2017, 1, 31))


def test_facts_get_the_household_s_id_and_ids_of_their_own() -> None:
    facts = """[
        { kind = "income_assessed", date = 2016-03-01, income_per_capita = 4800 },
        { id = "f1", kind = "income_assessed", date = 2016-04-01, income_per_capita = 4800 },
    { kind = "illness_reported", date = 2016-09-12, member_id = "m2", self_paid_cost = 12000.50, hospitalised = true },
    ]"""
    (case,) = cases(with_expect('state = "new"', facts=facts)).cases
    assert [f.id for f in case.facts] == ["f1'", "f1", "f3"]
    assert {f.household_id for f in case.facts} == {"YB-2"}
    illness = case.facts[2]
    assert isinstance(illness, IllnessReported)
    assert (illness.member_id, illness.self_paid_cost, illness.hospitalised) == ("m2", Decimal("12000.50"), True)


def test_facts_may_be_written_as_tables_of_their_own() -> None:
    text = """
    policy = "yubei_2016"
    as_of = 2016-12-31
    [[case]]
    name = "tables"
    [[case.facts]]
    kind = "income_assessed"
    date = 2016-03-01
    income_per_capita = 3000
    [[case.facts]]
    kind = "basic_needs_checked"
    date = 2016-04-01
    unmet = ["safe_water"]
    [case.expect]
    state = "assisted"
    """
    (case,) = cases(text).cases
    assert [f.kind for f in case.facts] == ["income_assessed", "basic_needs_checked"]


def test_reviews_completed_by_name_or_with_the_date() -> None:
    by_name = cases(with_expect('reviews_completed = ["income_account"]')).cases[0].expect
    with_date = cases(with_expect("reviews_completed = { income_account = 2016-12-05 }")).cases[0].expect
    assert by_name.reviews_completed == {"income_account": None}
    assert with_date.reviews_completed == {"income_account": D(2016, 12, 5)}


def test_a_given_policy_wins_over_the_file_s_and_reads_the_facts() -> None:
    dazu = load_policy("dazu_2016")
    case_file = parse_case_file(SAFETY_NET_2016, policy=dazu)
    assert (case_file.policy, case_file.policy_spec) == (dazu, "yubei_2016")
    unnamed = parse_case_file(SAFETY_NET_2016.replace('policy = "yubei_2016"', ""), policy=dazu)
    assert (unnamed.policy, unnamed.policy_spec) == (dazu, None)


def test_a_policy_file_is_found_relative_to_the_case_file(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    write(tmp_path / "policies", "mine.py", "from relapse_guard import load_policy\nmine = load_policy('dazu_2016')\n")
    text = SAFETY_NET_2016.replace('policy = "yubei_2016"', 'policy = "policies/mine.py:mine"')
    path = write(tmp_path, "cases.toml", text)

    def load(spec: str) -> object:
        from relapse_guard.cli_check import load_policy_spec

        assert spec == f"{tmp_path / 'policies/mine.py'}:mine"
        return load_policy_spec(spec)

    assert load_case_file(path, load=load).policy.name == "dazu_2016"  # type: ignore[arg-type]


def test_has_cases_looks_for_a_case_table_only() -> None:
    assert has_cases(SAFETY_NET_2016)
    assert has_cases("  [[ case ]]\nname = 'x'")
    assert not has_cases("[tool.case]\n[[cases]]\n# [[case]]\n")


# --- errors ---------------------------------------------------------------------------------------


def _error(text: str) -> InvalidCaseFile:
    with pytest.raises(InvalidCaseFile) as info:
        parse_case_file(text, "cases.toml")
    return info.value


@pytest.mark.parametrize(
    ("expect", "field", "value", "message"),
    [
        ('state = "asisted"', "expect.state", "asisted", "expected one of 'new', 'identified', 'assisted'"),
        ('grant = [{ intervention = "x" }]', "expect.grant", [{"intervention": "x"}], "did you mean 'grants'?"),
        ("grants = [{ amount = 1 }]", "expect.grants[0].intervention", None, "is missing; expected the intervention's"),
        ('grants = [{ intervention = "x", period = "montly" }]', "expect.grants[0].period", "montly", "'monthly'"),
        ('grants = [{ intervention = "x", amount = "lots" }]', "expect.grants[0].amount", "lots", "an amount in yuan"),
        ('grants = [{ intervention = "x", amount = nan }]', "expect.grants[0].amount", Decimal("nan"), "an amount"),
        (
            'grants = [{ intervention = "x", tolerance_fen = 0.5 }]',
            "expect.grants[0].tolerance_fen",
            Decimal("0.5"),
            "fen",
        ),
        ('grants = [{ intervention = "x", tolerance_fen = -1 }]', "expect.grants[0].tolerance_fen", -1, "0 or more"),
        ('grants = [{ intervention = "x", date = "June" }]', "expect.grants[0].date", "June", "a date such as"),
        ('grants = ["safety_net"]', "expect.grants[0]", "safety_net", "a table"),
        ('grants = { intervention = "x" }', "expect.grants", {"intervention": "x"}, "a list of grant tables"),
        (
            'risks = [{ kind = "illness", member = "m1" }]',
            "expect.risks[0].member",
            "m1",
            "a key of an expected risk (kind, date)",
        ),
        ("reviews_completed = 3", "expect.reviews_completed", 3, "a list of review names"),
        ("reviews_completed = { income_account = true }", "expect.reviews_completed.income_account", True, "date"),
        ('state = "new"\npartial = "yes"', "expect.partial", "yes", "true or false"),
        ("partial = true", "expect", {"partial": True}, "at least one of state, grants, risks, reviews_completed"),
    ],
)
def test_an_expectation_refused_names_the_file_case_field_and_value(
    expect: str, field: str, value: object, message: str
) -> None:
    error = _error(with_expect(expect))
    assert (error.source, error.case, error.field) == (
        "cases.toml",
        "case #1 'a low-income household of two in 2016'",
        field,
    )
    assert error.value == value or (isinstance(value, Decimal) and value.is_nan())
    assert str(error).startswith("case file cases.toml: case #1 'a low-income household of two in 2016': ")
    assert message in str(error)
    assert isinstance(error, RelapseGuardError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("facts", "field", "value", "message"),
    [
        ('[{ kind = "income_asessed", date = 2016-03-01 }]', "facts[0].kind", "income_asessed", "one of "),
        ('[{ kind = "income_assessed", date = 2016-03-01 }]', "facts[0].income_per_capita", None, "(required)"),
        (
            '[{ kind = "income_assessed", date = 2016-03-01, income_per_capita = -5 }]',
            "facts[0].income_per_capita",
            -5,
            "non-negative",
        ),
        (
            '[{ kind = "income_assessed", date = 2016-03-01T10:00:00, income_per_capita = 5 }]',
            "facts[0].date",
            dt.datetime(2016, 3, 1, 10),
            "an ISO date",
        ),
        (
            '[{ kind = "income_assessed", date = 2016-03-01, income_per_capita = 5, note = "x" }]',
            "facts[0].note",
            "x",
            "no such field",
        ),
        (
            '[{ kind = "income_assessed", date = 2017-03-01, income_per_capita = 5 }]',
            "facts[0].date",
            D(2017, 3, 1),
            "on or before the case's as_of 2016-12-31",
        ),
        (
            '[{ kind = "job_lost", date = 2016-03-01, member_id = "m3" }]',
            "facts[0].member_id",
            "m3",
            "a member of the household on 2016-03-01 (m1, m2)",
        ),
        (
            '[{ kind = "job_lost", date = 2016-03-01, member_id = "m1", household_id = "H2" }]',
            "facts[0].household_id",
            "H2",
            "'YB-2'",
        ),
        (
            '[{ id = "a", kind = "job_lost", date = 2016-03-01, member_id = "m1" }, '
            '{ id = "a", kind = "exit_verified", date = 2016-04-01 }]',
            "facts[1].id",
            "a",
            "no other fact",
        ),
        ('{ kind = "job_lost" }', "facts", {"kind": "job_lost"}, "a list of fact tables"),
        ('["income"]', "facts[0]", "income", "a table"),
    ],
)
def test_a_fact_refused_names_the_fact_s_position_and_field(
    facts: str, field: str, value: object, message: str
) -> None:
    error = _error(with_expect('state = "new"', facts=facts))
    assert (error.case, error.field, error.value) == ("case #1 'a low-income household of two in 2016'", field, value)
    assert message in str(error)


@pytest.mark.parametrize(
    ("household", "field", "value", "message"),
    [
        ("members = 0", "household.members", 0, "at least 1"),
        ('members = "two"', "household.members", "two", "a number of members"),
        ("members = [{ id = 'a' }, { id = 'a' }]", "household.members[1].id", "a", "not used twice"),
        ('members = [{ birth_date = "1980-02-30" }]', "household.members[0].birth_date", "1980-02-30", "an ISO date"),
        ('members = [{ labour_capacity = "some" }]', "household.members[0].labour_capacity", "some", "'partial'"),
        (
            'members = [{ labor_capacity = "none" }]',
            "household.members[0].labor_capacity",
            "none",
            "did you mean 'labour_capacity'?",
        ),
        ('id = ""', "household.id", "", "a non-empty string"),
        ('place = "a/b/c/d"', "household.place", "a/b/c/d", "district/town/village"),
        (
            'place = { county = "Yubei" }',
            "household.place.county",
            "Yubei",
            "a key of a place (district, town, village)",
        ),
        ("size = 3", "household.size", 3, "expected a key of a household (id, place, members)"),
    ],
)
def test_a_household_refused_names_the_field(household: str, field: str, value: object, message: str) -> None:
    error = _error(with_expect('state = "new"', extra=f"household = {{ {household} }}"))
    assert (error.field, error.value) == (field, value)
    assert message in str(error)


def test_errors_about_the_file_as_a_whole() -> None:
    not_toml = _error('policy = "yubei_2016"\n[[case]\n')
    assert (not_toml.case, not_toml.field) == ("", "")
    assert str(not_toml).startswith("case file cases.toml: not TOML: ")
    assert "line 2" in str(not_toml)
    no_case = _error('policy = "yubei_2016"\n')
    assert str(no_case) == "case file cases.toml: case is missing; expected [[case]] tables, one per worked case"
    unknown_top = _error(SAFETY_NET_2016.replace("as_of = 2016", "asof = 2016"))
    assert unknown_top.field == "asof"
    assert "did you mean 'as_of'?" in str(unknown_top)
    assert "as_of is missing" in str(_error(SAFETY_NET_2016.replace("as_of = 2016-12-31", "")))


def test_a_policy_not_named_or_not_loading() -> None:
    unnamed = _error(SAFETY_NET_2016.replace('policy = "yubei_2016"', ""))
    assert (unnamed.field, unnamed.value) == ("policy", None)
    assert "(--policy)" in str(unnamed)
    unknown = _error(SAFETY_NET_2016.replace('"yubei_2016"', '"yubei_2061"'))
    assert (unknown.field, unknown.value) == ("policy", "yubei_2061")
    assert "unknown policy 'yubei_2061' (did you mean yubei_2016?); known: " in str(unknown)
    assert _error(SAFETY_NET_2016.replace('"yubei_2016"', "2016")).field == "policy"


def test_case_names_are_required_and_unique() -> None:
    twice = (
        SAFETY_NET_2016 + SAFETY_NET_2016.split('[household]\nid = "YB-2"\nplace = "Yubei/Luqi/Wuyi"\nmembers = 2\n')[1]
    )
    error = _error(twice)
    assert (error.case, error.field) == ("case #2 'a low-income household of two in 2016'", "name")
    assert "no other case" in str(error)
    nameless = _error(SAFETY_NET_2016.replace('name = "a low-income household of two in 2016"', ""))
    assert (nameless.case, nameless.field) == ("case #1", "name")
    assert "expect is missing" in str(_error(SAFETY_NET_2016.split("[case.expect]")[0]))


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InvalidCaseFile, match=r"missing.toml: cannot be read: No such file"):
        load_case_file(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b'policy = "caf\xe9"')
    with pytest.raises(InvalidCaseFile, match="not UTF-8 text"):
        load_case_file(tmp_path / "latin.toml")


def test_the_error_pickles_with_its_fields() -> None:
    error = _error(with_expect('state = "asisted"'))
    back = pickle.loads(pickle.dumps(error))
    assert (str(back), back.source, back.case, back.field, back.value) == (
        str(error),
        "cases.toml",
        error.case,
        "expect.state",
        "asisted",
    )


def test_member_ids_are_shown_redacted() -> None:
    household = 'household = { members = [{ id = "500112198001011234" }] }'
    facts = '[{ kind = "job_lost", date = 2016-03-01, member_id = "500112198001019999" }]'
    error = _error(with_expect('state = "new"', facts=facts, extra=household))
    assert (error.field, error.value) == ("facts[0].member_id", "500***99")
    assert "a member of the household on 2016-03-01 (500***34)" in str(error)
    assert "1980" not in str(error)


def _members_case(facts: str) -> str:
    return with_expect('state = "assisted"\npartial = true', facts=f"[{facts}]")


INCOME = '{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }'
BABY = '{ kind = "member_joined", date = 2016-07-01, member_id = "baby", birth_date = 2016-07-01 }'


def test_a_member_joined_by_an_earlier_fact_is_a_member_of_the_later_ones() -> None:
    ill = '{ kind = "illness_reported", date = DAY, member_id = "baby", self_paid_cost = 5000 }'
    for day in ("2016-07-01", "2016-08-01"):  # the same day too: household changes apply first
        (outcome,) = cases(_members_case(f"{INCOME}, {BABY}, {ill.replace('DAY', day)}")).run()
        assert outcome.passed, outcome.report()
        assert outcome.result is not None
        assert outcome.result.risks[-1].member_id == "baby"
    before = _error(_members_case(f"{INCOME}, {ill.replace('DAY', '2016-06-15')}, {BABY}"))
    assert (before.field, before.value) == ("facts[1].member_id", "baby")
    assert before.expected == "the id of a member of the household on 2016-06-15 (m1, m2)"
    twice = _error(_members_case(f"{INCOME}, {BABY}, {BABY.replace('07-01', '08-01')}"))
    assert (twice.field, twice.value) == ("facts[2].member_id", "baby")
    assert "a member joins once" in twice.expected


def test_a_member_who_left_or_died_is_a_member_of_the_facts_before() -> None:
    lost = '{ kind = "job_lost", date = DAY, member_id = "m2" }'
    for change in ("member_left", "member_died"):
        gone = f'{{ kind = "{change}", date = 2016-08-01, member_id = "m2" }}'
        (outcome,) = cases(_members_case(f"{INCOME}, {lost.replace('DAY', '2016-07-31')}, {gone}")).run()
        assert outcome.passed, outcome.report()
        after = _error(_members_case(f"{INCOME}, {gone}, {lost.replace('DAY', '2016-08-01')}"))
        assert (after.field, after.value) == ("facts[2].member_id", "m2")
        assert after.expected == "the id of a member of the household on 2016-08-01 (m1)"
        again = _error(_members_case(f"{INCOME}, {gone}, {gone.replace('08-01', '09-01')}"))
        assert (again.field, again.value) == ("facts[2].member_id", "m2")


def test_a_file_naming_no_policy_says_how_to_give_one() -> None:
    unnamed = SAFETY_NET_2016.replace('policy = "yubei_2016"', "")
    with pytest.raises(InvalidCaseFile, match=r"\(--relapse-guard-policy\)"):
        parse_case_file(unnamed, "cases.toml", policy_option="--relapse-guard-policy")
