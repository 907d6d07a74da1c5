"""Households with other facts than income assessments, decided in columns when no trigger finds anything in them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")  # the columnar screen needs it (the fast extra)

from relapse_guard import load_policy
from relapse_guard.engine import Engine
from relapse_guard.facts import (
    BasicNeed,
    BasicNeedsChecked,
    DisasterReported,
    Fact,
    HouseAppraised,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    MainEarnerLost,
    SchoolEnrolled,
)
from relapse_guard.household import Household, Schooling
from relapse_guard.policy import Policy
from relapse_guard.screening.columnar import FactFrame, run_columnar
from relapse_guard.screening.columnar import run as columnar_run
from relapse_guard.screening.screen import screen_records
from relapse_guard.screening.screened import Tally
from relapse_guard.testing import households, vectorised_matches_engine
from relapse_guard.triggers import IllnessTrigger

from ..conftest import make_household
from .plain_trigger import PlainTrigger

D = dt.date
AS_OF = D(2016, 12, 31)


def _mid_year() -> Policy:
    """Yubei with the triggers' thresholds moved mid-year, and the line raised."""
    return load_policy("yubei_2016").derive(
        name="yubei_thresholds_moved",
        parameters={
            "poverty_line": {D(2016, 7, 1): 3800},
            "triggers.illness.self_paid_alert": {D(2016, 7, 1): 8000},
            "triggers.illness.income_share": {D(2016, 9, 1): Decimal("0.25")},
            "triggers.schooling.income_share": {D(2016, 9, 1): Decimal("0.2")},
            "triggers.disaster.min_loss": {D(2016, 10, 1): 1500},
        },
    )


def _plain_illness() -> Policy:
    return load_policy("yubei_2016").derive(
        name="yubei_plain_illness", remove_triggers=("illness",), triggers=(PlainTrigger(IllnessTrigger()),)
    )


POLICIES = {name: load_policy(name) for name in ("yubei_2016", "bishan_2016", "dazu_2016", "chongqing_2016")} | {
    "yubei_thresholds_moved": _mid_year(),
    "yubei_plain_illness": _plain_illness(),
}

_EDGES = [D(2016, 1, 1), D(2016, 6, 30), D(2016, 7, 1), D(2016, 8, 31), D(2016, 9, 1), D(2016, 10, 1), D(2017, 1, 1)]
_DATES = st.one_of(st.sampled_from(_EDGES), st.dates(D(2015, 6, 1), D(2017, 6, 30)))
#: Incomes mostly at or above the bands (5400 and 5700 are 1.5 x the lines), some under.
_INCOMES = st.one_of(
    st.integers(5400, 12000).map(Decimal),
    st.sampled_from([Decimal("5400"), Decimal("5700"), Decimal("5700.5"), Decimal("3600"), Decimal("4000")]),
)
#: Amounts on and around the thresholds: the alerts (6000, 8000, 10000), the minimum losses
#: (1000, 1500), and shares of an annual income (worked out from the household's incomes below).
_FIXED = [Decimal(v) for v in (0, 999, 1000, 1001, 1499, 1500, 5999, 6000, 7999, 8000, 8001, 9999, 10000, 10001)]


@st.composite
def _amount(draw: st.DrawFn, incomes: Sequence[Decimal], size: int) -> Decimal:
    shares = [Decimal(s) for s in ("0.2", "0.25", "0.3", "0.4")]
    near = [share * income * size + delta for share in shares for income in incomes for delta in (-1, 0, 1)]
    options: list[Decimal] = [*_FIXED, *(amount for amount in near if amount >= 0)]
    return draw(st.one_of(st.sampled_from(options), st.integers(0, 40000).map(Decimal)))


@st.composite
def observed(draw: st.DrawFn, household: Household) -> list[Fact]:
    """Income assessments with other facts among them: illnesses, school enrolments, disasters,
    lost jobs and earners, needs checks and house appraisals, on the same days as
    assessments or on days of their own, naming members of the household or not."""
    hid = household.id
    dates: list[dt.date] = sorted(draw(st.lists(_DATES, min_size=1, max_size=10)))
    incomes = [draw(_INCOMES) for _ in dates]
    facts: list[Fact] = [
        IncomeAssessed(id=f"{hid}-i{n:02d}", household_id=hid, date=day, income_per_capita=income)
        for n, (day, income) in enumerate(zip(dates, incomes, strict=True))
    ]
    size = len(household.members)
    member_ids = [member.id for member in household.members]
    for n in range(draw(st.integers(1, 4))):
        day = draw(st.one_of(st.sampled_from(dates), _DATES))
        member = draw(st.sampled_from(member_ids) if draw(st.integers(0, 9)) else st.just("nobody"))
        fid = f"{hid}-o{n}"
        kind = draw(st.integers(0, 7))
        fact: Fact
        if kind <= 1:
            cost = draw(_amount(incomes, size))
            fact = IllnessReported(id=fid, household_id=hid, date=day, member_id=member, self_paid_cost=cost)
        elif kind <= 3:
            level = draw(st.sampled_from(list(Schooling)))
            cost = draw(_amount(incomes, size))
            fact = SchoolEnrolled(id=fid, household_id=hid, date=day, member_id=member, level=level, annual_cost=cost)
        elif kind == 4:
            fact = DisasterReported(
                id=fid, household_id=hid, date=day, hazard="flood", loss=draw(_amount(incomes, size))
            )
        elif kind == 5:
            fact = JobLost(id=fid, household_id=hid, date=day, member_id=member)
        elif kind == 6:
            unmet = draw(st.sampled_from([frozenset(), frozenset({BasicNeed.SAFE_WATER})]))
            fact = BasicNeedsChecked(id=fid, household_id=hid, date=day, unmet=unmet)
        else:
            fact = draw(
                st.sampled_from(
                    [
                        MainEarnerLost(id=fid, household_id=hid, date=day, member_id=member),
                        HouseAppraised(id=fid, household_id=hid, date=day, grade=HousingGrade.A),
                    ]
                )
            )
        facts.append(fact)
    return draw(st.permutations(facts))


@pytest.mark.parametrize("name", sorted(POLICIES))
@settings(max_examples=40)
@given(data=st.data())
def test_households_with_other_facts_screen_as_on_the_engine(name: str, data: st.DataObject) -> None:
    policy = POLICIES[name]
    population = []
    for n in range(data.draw(st.integers(1, 8))):
        household = data.draw(households(household_id=f"H{n:03d}", born_by=D(2010, 12, 31)))
        population.append((household, data.draw(observed(household))))
    as_of = data.draw(st.one_of(st.sampled_from([*_EDGES, AS_OF]), st.dates(D(2015, 6, 1), D(2017, 12, 31))))
    check = vectorised_matches_engine(policy, population, as_of=as_of)
    assert check, str(check)
    assert sum(check.paths.values()) == len(population)


def _household(hid: str, *others: Fact, income: str = "9000") -> tuple[Household, list[Fact]]:
    facts: list[Fact] = [
        IncomeAssessed(id=f"{hid}-i{m:02d}", household_id=hid, date=D(2016, m, 5), income_per_capita=Decimal(income))
        for m in range(1, 13)
    ]
    return make_household(hid), [*facts, *others]


def _paths(policy: Policy, population: Sequence[tuple[Household, list[Fact]]]) -> dict[str, int]:
    check = vectorised_matches_engine(policy, population, as_of=AS_OF)
    assert check, str(check)
    return dict(check.paths)


def _member(household: Household) -> str:
    return household.members[0].id


_JUNE = D(2016, 6, 10)


def _illness(hid: str, member: str, cost: str, day: dt.date = _JUNE) -> IllnessReported:
    return IllnessReported(id=f"{hid}-ill", household_id=hid, date=day, member_id=member, self_paid_cost=Decimal(cost))


def test_a_small_illness_is_decided_in_columns_and_a_costly_one_by_the_engine() -> None:
    policy = POLICIES["yubei_2016"]
    small, costly = make_household("S1"), make_household("S2")
    population = [
        _household("S1", _illness("S1", _member(small), "800")),
        _household("S2", _illness("S2", _member(costly), "12000")),  # over the alert of 10000
    ]
    assert _paths(policy, population) == {"columnar": 1, "engine": 1}
    result = screen_records([(h, f, ()) for h, f in population], policy, AS_OF, engine="columnar")
    assert [len(row.open_risks) for row in result.rows] == [0, 1]


def test_an_illness_over_a_share_of_a_small_income_goes_to_the_engine() -> None:
    # yubei: 40% of the annual income; 9000 a person, members of make_household
    household = make_household("A1")
    annual = Decimal(9000) * household.size
    at_share = _household("A1", _illness("A1", _member(household), str(annual * Decimal("0.4"))))
    over = _household("A2", _illness("A2", _member(household).replace("A1", "A2"), str(annual * Decimal("0.4") + 1)))
    assert _paths(POLICIES["yubei_2016"], [at_share]) == {"columnar": 1}
    assert _paths(POLICIES["yubei_2016"], [over]) == {"engine": 1}


@pytest.mark.parametrize(
    ("fact", "path"),
    [
        (lambda h, m: JobLost(id=f"{h}-j", household_id=h, date=D(2016, 3, 1), member_id=m), "engine"),
        (lambda h, m: MainEarnerLost(id=f"{h}-m", household_id=h, date=D(2016, 3, 1), member_id=m), "engine"),
        (lambda h, m: HouseAppraised(id=f"{h}-a", household_id=h, date=D(2016, 3, 1), grade=HousingGrade.A), "engine"),
        (lambda h, m: BasicNeedsChecked(id=f"{h}-n", household_id=h, date=D(2016, 3, 1)), "columnar"),
        (
            lambda h, m: BasicNeedsChecked(
                id=f"{h}-n", household_id=h, date=D(2016, 3, 1), unmet=frozenset({BasicNeed.SAFE_WATER})
            ),
            "engine",
        ),
        (
            lambda h, m: SchoolEnrolled(
                id=f"{h}-s", household_id=h, date=D(2016, 9, 1), member_id=m, level=Schooling.PRIMARY
            ),
            "columnar",
        ),
        (
            lambda h, m: DisasterReported(
                id=f"{h}-d", household_id=h, date=D(2016, 7, 1), hazard="hail", loss=Decimal(999)
            ),
            "columnar",
        ),
        (
            lambda h, m: DisasterReported(
                id=f"{h}-d", household_id=h, date=D(2016, 7, 1), hazard="hail", loss=Decimal(1000)
            ),
            "engine",
        ),
        (lambda h, m: _illness(h, "nobody", "10"), "engine"),  # no such member: the engine's problem
        (lambda h, m: _illness(h, m, "10", day=D(2016, 1, 1)), "engine"),  # before any income is known
    ],
)
def test_each_kind_of_fact_takes_its_path(fact: Any, path: str) -> None:
    household = make_household("K1")
    population = [_household("K1", fact("K1", _member(household)))]
    assert _paths(POLICIES["yubei_2016"], population) == {path: 1}


def test_an_illness_of_a_trigger_without_a_vectorised_form_goes_to_the_engine() -> None:
    household = make_household("P1")
    population = [_household("P1", _illness("P1", _member(household), "800")), _household("P2")]
    assert _paths(POLICIES["yubei_plain_illness"], population) == {"columnar": 1, "engine": 1}


def test_a_vectorised_quiet_that_promises_too_much_is_found() -> None:
    @attrs.frozen(kw_only=True)
    class Careless(IllnessTrigger):
        def vectorised_quiet(self, frame: FactFrame) -> list[bool]:
            return [True] * len(frame)  # forgets the alert amount

    policy = load_policy("yubei_2016").derive(name="careless", remove_triggers=("illness",), triggers=(Careless(),))
    household = make_household("C1")
    check = vectorised_matches_engine(policy, [_household("C1", _illness("C1", _member(household), "12000"))])
    assert not check
    assert "vectorised_quiet finds it quiet, its detect finds a illness risk" in str(check)
    assert "result differs" in str(check)


def test_a_form_that_fails_or_answers_wrongly_hands_its_households_to_the_engine() -> None:
    answers = {"fails": None, "short": [], "truthy": [1]}
    for name, answer in answers.items():

        @attrs.frozen(kw_only=True)
        class Odd(IllnessTrigger):
            given: Any = None

            def vectorised_quiet(self, frame: FactFrame) -> Any:
                if self.given is None:
                    raise RuntimeError("broken")
                return self.given

        policy = load_policy("yubei_2016").derive(
            name=f"odd_{name}", remove_triggers=("illness",), triggers=(Odd(given=answer),)
        )
        household = make_household("F1")
        assert _paths(policy, [_household("F1", _illness("F1", _member(household), "10"))]) == {"engine": 1}, name


@pytest.mark.parametrize(("batch", "held"), [(3, 2048), (256, 4)])
def test_households_keep_their_order_across_batches(monkeypatch: pytest.MonkeyPatch, batch: int, held: int) -> None:
    monkeypatch.setattr(columnar_run, "BATCH", batch)
    monkeypatch.setattr(columnar_run, "HELD", held)
    policy = POLICIES["yubei_2016"]
    population = []
    for n in range(11):
        hid = f"O{n:02d}"
        member = _member(make_household(hid))
        others = [_illness(hid, member, "12000" if n % 4 == 0 else "500")] if n % 3 else []
        population.append(_household(hid, *others, income="9000" if n % 5 else "3000"))
    check = vectorised_matches_engine(policy, population, as_of=AS_OF)
    assert check, str(check)
    paths: Counter[str] = Counter()
    records = [(household, facts, ()) for household, facts in population]
    screened = list(run_columnar(records, Engine(policy, record_decisions=False), AS_OF, Tally(), paths))
    assert [item.household.id for item in screened if item.household] == [h.id for h, _ in population]
    assert sum(paths.values()) == 11


def test_households_held_are_screened_before_a_reading_error_is_raised() -> None:
    policy = POLICIES["yubei_2016"]
    household, facts = _household("R1", _illness("R1", _member(make_household("R1")), "500"))

    def records() -> Iterator[Any]:
        yield (household, facts, ())
        raise OSError("the file ended")

    seen: list[Any] = []
    screened = run_columnar(records(), Engine(policy, record_decisions=False), AS_OF, Tally(), Counter())
    with pytest.raises(OSError, match="ended"):
        seen.extend(screened)
    assert [item.household.id for item in seen] == ["R1"]
