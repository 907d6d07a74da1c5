"""One schooling risk, and one education aid, per pupil, level and school year.

Chinese schools run from autumn to summer: the autumn term (秋季学期) from September, the spring
term (春季学期) from February or March. A pupil the household reported in September 2016 and the
education department's data reported again in March 2017 is one school year, 2016/17; keyed by
calendar year, the two reports were two risks and education aid was paid twice. The school
year's first month is a dated parameter, ``triggers.schooling.school_year_start_month`` (9 in
the shipped policies, September when a policy does not set it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.engine import Checkpoint, ResumePath
from relapse_guard.engine.fingerprint import policy_fingerprint
from relapse_guard.errors import InvalidParameter, InvalidPolicy
from relapse_guard.facts import Fact, SchoolEnrolled, Source
from relapse_guard.household import Schooling
from relapse_guard.monitoring import Monitor
from relapse_guard.parameters import ParameterTree
from relapse_guard.policy import Policy
from relapse_guard.result import HouseholdResult
from relapse_guard.store import MemoryStore

D = dt.date
START = "triggers.schooling.school_year_start_month"
YUBEI = load_policy("yubei_2016")
PUPIL = "H1-2"
YEAR_END = D(2017, 12, 31)
#: Education aid a year in Yubei, by level (education_aid.per_student.<level>).
AID = {Schooling.PRIMARY: Decimal("1000.00"), Schooling.SENIOR_SECONDARY: Decimal("2000.00")}


def _without_start_month(policy: Policy) -> Policy:
    """``policy`` as a policy whose parameters do not set the school year's first month: one of
    one's own built on a parameter file without it (the shipped ones before it had it)."""
    kept = {name: parameter for name, parameter in policy.parameters.parameters.items() if name != START}
    return attrs.evolve(policy, parameters=ParameterTree(parameters=kept))


def _household() -> Household:
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Yubei", "town": "T", "village": "V"},
            "members": [
                {"id": "H1-0", "birth_date": "1975-01-01", "labour_capacity": "full"},
                {"id": "H1-1", "birth_date": "1976-01-01", "labour_capacity": "full"},
                {"id": PUPIL, "birth_date": "2000-05-01", "schooling": "senior_secondary"},
                {"id": "H1-3", "birth_date": "2008-05-01", "schooling": "primary"},
            ],
        }
    )


#: 2,400 a year a person, under the 3,600 line: identified on 10 January 2016, on file since.
INCOME = IncomeAssessed(id="i1", household_id="H1", date=D(2016, 1, 10), income_per_capita=Decimal(2400))


def _enrolled(
    fid: str,
    on: dt.date,
    *,
    member: str = PUPIL,
    level: Schooling = Schooling.SENIOR_SECONDARY,
    source: Source = Source.SELF_DECLARED,
) -> SchoolEnrolled:
    return SchoolEnrolled(
        id=fid, household_id="H1", date=on, member_id=member, level=level, annual_cost=Decimal(1500), source=source
    )


def _run(*facts: Fact, policy: Policy = YUBEI, as_of: dt.date = YEAR_END) -> HouseholdResult:
    return Engine(policy, record_decisions=True).run(_household(), [INCOME, *facts], as_of=as_of)


def _schooling(result: HouseholdResult) -> list[str]:
    return [risk.key for risk in result.risks if risk.kind == "schooling"]


def _aid(result: HouseholdResult) -> list[tuple[str, Decimal | None]]:
    return [(grant.risk_key, grant.amount) for grant in result.grants if grant.intervention == "education_aid"]


def _again(result: HouseholdResult) -> list[tuple[tuple[str, ...], str]]:
    return [
        (d.facts, d.explanation) for d in result.decisions if d.kind is DecisionKind.RISK_DETECTED and d.risk is None
    ]


def test_september_and_the_departments_march_report_are_one_school_year_paid_once() -> None:
    result = _run(
        _enrolled("s-self", D(2016, 9, 1)),
        _enrolled("s-dept", D(2017, 3, 1), source=Source.DEPARTMENT),
    )
    key = f"schooling:{PUPIL}:senior_secondary:2016"
    assert _schooling(result) == [key]
    assert _aid(result) == [(key, Decimal("2000.00"))]  # not 4,000: one year of school
    assert result.money()["education_aid"].one_off == Decimal("2000.00")
    [(facts, said)] = _again(result)
    assert facts == ("s-dept", "s-self")
    assert said == (
        f"schooling reported again: the same event as fact s-self of 2016-09-01 (risk {key}), "
        "found and routed once; nothing is paid again"
    )
    (found,) = [d for d in result.decisions if d.rule == "trigger.schooling" and d.risk is not None]
    assert [(p.name, p.value, p.effective_from) for p in found.parameters][-1] == (START, Decimal(9), D(2015, 1, 1))


def test_september_and_the_next_september_are_two_school_years_paid_twice() -> None:
    result = _run(_enrolled("s2016", D(2016, 9, 1)), _enrolled("s2017", D(2017, 9, 1)))
    keys = [f"schooling:{PUPIL}:senior_secondary:{year}" for year in (2016, 2017)]
    assert _schooling(result) == keys
    assert _aid(result) == [(key, Decimal("2000.00")) for key in keys]
    assert result.money()["education_aid"].one_off == Decimal("4000.00")
    assert _again(result) == []


def test_the_summer_before_and_the_autumn_after_are_two_school_years() -> None:
    # a report of June 2016 is of 2015/16, September's of 2016/17
    result = _run(_enrolled("s-june", D(2016, 6, 15)), _enrolled("s-sept", D(2016, 9, 1)))
    assert _schooling(result) == [f"schooling:{PUPIL}:senior_secondary:{year}" for year in (2015, 2016)]
    assert len(_aid(result)) == 2


def test_a_policy_without_the_start_month_starts_the_school_year_in_september() -> None:
    mine = _without_start_month(YUBEI)
    assert START not in mine.parameters
    one = _run(_enrolled("s-self", D(2016, 9, 1)), _enrolled("s-dept", D(2017, 3, 1)), policy=mine)
    assert _schooling(one) == [f"schooling:{PUPIL}:senior_secondary:2016"]
    assert len(_aid(one)) == 1
    (found,) = [d for d in one.decisions if d.rule == "trigger.schooling" and d.risk is not None]
    assert START not in {p.name for p in found.parameters}  # not read: not cited
    two = _run(_enrolled("s-aug", D(2016, 8, 31)), _enrolled("s-sept", D(2016, 9, 1)), policy=mine)
    assert _schooling(two) == [f"schooling:{PUPIL}:senior_secondary:{year}" for year in (2015, 2016)]


def test_a_district_may_start_its_school_year_in_another_month() -> None:
    march = YUBEI.derive(name="spring_start", parameters={START: {D(2016, 1, 1): 3}})
    result = _run(_enrolled("s-feb", D(2016, 2, 29)), _enrolled("s-mar", D(2016, 3, 1)), policy=march)
    assert _schooling(result) == [f"schooling:{PUPIL}:senior_secondary:{year}" for year in (2015, 2016)]


def test_a_start_month_out_of_bounds_is_refused_where_the_policy_is_made() -> None:
    with pytest.raises(InvalidParameter) as caught:
        YUBEI.derive(name="thirteen", parameters={START: {D(2016, 1, 1): 13}})
    assert caught.value.name == START
    assert caught.value.value == 13


def test_a_start_month_that_is_not_a_month_fails_the_run_naming_the_household() -> None:
    # a tree of one's own declares no bounds: the trigger refuses the value when it reads it
    tree = ParameterTree.from_toml(f"[{START}]\nvalues = {{ 2015-01-01 = 9.5 }}\n")
    odd = attrs.evolve(YUBEI, parameters=_without_start_month(YUBEI).parameters.overlaid(tree))
    with pytest.raises(InvalidPolicy) as caught:
        _run(_enrolled("s1", D(2016, 9, 1)), policy=odd)
    assert caught.value.policy_code == ("H1", "trigger.schooling", "s1")
    assert f"parameter '{START}' must be a whole month, 1 to 12, found 9.5" in str(caught.value)


_POLICIES: dict[int, Policy] = {}


def _starting(month: int) -> Policy:
    if month not in _POLICIES:
        _POLICIES[month] = YUBEI.derive(name=f"start_{month}", parameters={START: {D(2015, 1, 1): month}})
    return _POLICIES[month]


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(D(2016, 2, 1), D(2019, 12, 31)),
    second=st.dates(D(2016, 2, 1), D(2019, 12, 31)),
    month=st.integers(1, 12),
    other=st.sampled_from(["none", "level", "member"]),
)
def test_two_enrolments_are_one_risk_iff_of_one_member_level_and_school_year(
    first: dt.date, second: dt.date, month: int, other: str
) -> None:
    def school_year(day: dt.date) -> int:  # whole years of months since the start month of year 0
        return (day.year * 12 + day.month - month) // 12

    level = Schooling.PRIMARY if other == "level" else Schooling.SENIOR_SECONDARY
    member = "H1-3" if other == "member" else PUPIL
    result = _run(
        _enrolled("a", first),
        _enrolled("b", second, member=member, level=level, source=Source.DEPARTMENT),
        policy=_starting(month),
        as_of=D(2019, 12, 31),
    )
    one = other == "none" and school_year(first) == school_year(second)
    assert len(_schooling(result)) == (1 if one else 2)
    aid = _aid(result)
    assert len(aid) == len({key for key, _ in aid}) == len(_schooling(result))  # once per risk
    paid = sum((amount for _, amount in aid if amount is not None), Decimal(0))
    assert paid == (AID[Schooling.SENIOR_SECONDARY] if one else AID[Schooling.SENIOR_SECONDARY] + AID[level])


def test_a_checkpoint_holds_the_key_and_a_resumed_run_pays_once() -> None:
    engine = Engine(YUBEI)
    home = _household()
    autumn = engine.run_checkpointed(home, [INCOME, _enrolled("s-self", D(2016, 9, 1))], as_of=D(2016, 12, 31))
    key = f"schooling:{PUPIL}:senior_secondary:2016"
    assert key in autumn.checkpoint.risk_keys
    spring = engine.resume(autumn.checkpoint, home, [_enrolled("s-dept", D(2017, 3, 1))], as_of=D(2017, 6, 30))
    assert spring.path is ResumePath.RESUMED
    assert _schooling(spring.result) == [key]
    assert _aid(spring.result) == [(key, Decimal("2000.00"))]


def test_a_checkpoint_made_before_the_shipped_policy_had_the_start_month_is_replayed() -> None:
    # the same label, other parameters: another fingerprint, so the stored households replay
    before = _without_start_month(YUBEI)
    assert before.label == YUBEI.label
    assert policy_fingerprint(before) != policy_fingerprint(YUBEI)
    home = _household()
    history = [INCOME, _enrolled("s-self", D(2016, 9, 1))]
    old = Engine(before).run_checkpointed(home, history, as_of=D(2016, 12, 31)).checkpoint
    march = _enrolled("s-dept", D(2017, 3, 1))
    again = Engine(YUBEI).resume(old, home, [march], as_of=D(2017, 6, 30), history=history)
    assert again.path is ResumePath.REPLAYED
    assert again.reason == (
        f"the parameters or parts of yubei_2016@2016.1 changed since the checkpoint (fingerprint {old.fingerprint})"
    )
    assert _schooling(again.result) == [f"schooling:{PUPIL}:senior_secondary:2016"]
    assert len(_aid(again.result)) == 1


def test_the_monthly_cycle_replays_a_store_checkpointed_under_the_policy_before() -> None:
    store = MemoryStore()
    store.put_households([_household()])
    autumn = [INCOME, _enrolled("s-self", D(2016, 9, 1))]
    Monitor(store, _without_start_month(YUBEI)).cycle((f.to_dict() for f in autumn), as_of=D(2016, 12, 31))
    spring = Monitor(store, YUBEI).cycle([_enrolled("s-dept", D(2017, 3, 1)).to_dict()], as_of=D(2017, 3, 31))
    assert (spring.resumed, spring.replayed) == (0, 1)
    assert dict(spring.replay_reasons) == {"policy changed": 1}
    (row,) = store.checkpoints(["H1"]).values()
    keys = [key for key in Checkpoint.from_bytes(row.body, YUBEI).risk_keys if key.startswith("schooling:")]
    assert keys == [f"schooling:{PUPIL}:senior_secondary:2016"]


def test_the_columnar_screen_gives_what_the_engine_gives_for_reports_of_one_school_year() -> None:
    """Enrolments of a household not on file whose cost is a small share of its income are quiet,
    decided in columns; a household on file is handed to the engine, which makes one risk of the year."""
    pytest.importorskip("numpy")  # the columnar screen: the fast extra
    from relapse_guard.testing import vectorised_matches_engine

    def household(hid: str, income: int) -> tuple[Household, list[Fact]]:
        home = attrs.evolve(_household(), id=hid)
        facts: list[Fact] = [
            IncomeAssessed(id=f"{hid}-i", household_id=hid, date=D(2016, 1, 10), income_per_capita=Decimal(income))
        ]
        for fid, on in (("sept", D(2016, 9, 1)), ("march", D(2017, 3, 1))):
            facts.append(attrs.evolve(_enrolled(f"{hid}-{fid}", on), household_id=hid))
        return home, facts

    # 9,000 a year a person: not on file, 1,500 well under 0.3 x 36,000; 2,400: on file
    check = vectorised_matches_engine(YUBEI, [household("Q1", 9000), household("E1", 2400)], as_of=D(2017, 6, 30))
    assert check, str(check)
    assert check.paths == {"columnar": 1, "engine": 1}
