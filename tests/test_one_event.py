"""One event reported by several channels is one risk, paid once.

The household's own declaration, a cadre's visit and a department's data are three channels
for finding *a* risk (domain.md 3.3). Two reports of one flood each paid 3,000 temporary relief
and weighed twice on the safety net (633.33 a month instead of 466.68); an illness the household
dated on admission and the medical-insurance data on discharge paid medical aid and relief twice
(+6,300 and +2,700). A later report of an event takes the key of its first report: the router
finds the risk known, records that it is the same event (naming both facts) and pays nothing.
Channels word a disaster's hazard apart (``flood``, ``洪灾``): its reports are one event when
their texts name one kind of hazard (:mod:`relapse_guard.hazards`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.decisions import DecisionKind
from relapse_guard.facts import DisasterReported, Fact, IllnessReported, JobLost, MainEarnerLost, Source
from relapse_guard.hazards import HazardKind, hazard_kind
from relapse_guard.result import HouseholdResult

from .test_hazards import worded

D = dt.date
DAZU = load_policy("dazu_2016")
YEAR_END = D(2016, 12, 31)
CHANNELS = (Source.SELF_DECLARED, Source.VISIT, Source.DEPARTMENT)


def _household(size: int = 3) -> Household:
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Dazu", "town": "T", "village": "V"},
            "members": [{"id": f"H1-{n}", "birth_date": "1975-01-01", "labour_capacity": "full"} for n in range(size)],
        }
    )


# 2,400 a year a person = 200.00 a month, under the 300.00 standard: on the safety net from February,
# (300 - 200) x 3 = 300.00 a month.
INCOME = IncomeAssessed(id="i1", household_id="H1", date=D(2016, 1, 10), income_per_capita=Decimal(2400))


def _flood(fid: str, on: dt.date, source: Source, loss: int = 5000, hazard: str = "flood") -> DisasterReported:
    return DisasterReported(id=fid, household_id="H1", date=on, hazard=hazard, loss=Decimal(loss), source=source)


def _illness(
    fid: str, on: dt.date, source: Source, cost: int = 9000, hospitalised: bool = True, member: str = "H1-1"
) -> IllnessReported:
    return IllnessReported(
        id=fid,
        household_id="H1",
        date=on,
        member_id=member,
        self_paid_cost=Decimal(cost),
        hospitalised=hospitalised,
        source=source,
    )


def _run(*facts: Fact) -> HouseholdResult:
    return Engine(DAZU, record_decisions=True).run(_household(), [INCOME, *facts], as_of=YEAR_END)


def _one_off(result: HouseholdResult, intervention: str) -> Decimal:
    line = result.money().get(intervention)
    return Decimal(0) if line is None else line.one_off


def _again(result: HouseholdResult) -> list[tuple[tuple[str, ...], str]]:
    """The decisions on later reports of an event: their facts and what they say."""
    return [
        (d.facts, d.explanation) for d in result.decisions if d.kind is DecisionKind.RISK_DETECTED and d.risk is None
    ]


def test_a_flood_reported_by_the_household_and_by_department_data_is_paid_once() -> None:
    result = _run(
        _flood("d-self", D(2016, 7, 4), Source.SELF_DECLARED),
        _flood("d-dept", D(2016, 7, 4), Source.DEPARTMENT),
    )
    # one relief: min(loss 5,000, cap 10 months x 300 = 3,000) = 3,000 (not 6,000)
    assert _one_off(result, "temporary_relief") == Decimal("3000.00")
    assert [risk.key for risk in result.risks if risk.kind == "disaster"] == ["disaster:d-dept"]  # same day: by id
    # the loss borne once: 5,000 - 3,000 relief = 2,000 / 3 members = 666.67 a year a person;
    # 2,400 - 666.67 = 1,733.33 a year = 144.44 a month; (300 - 144.44) x 3 = 466.68 a month from
    # August (two losses: 2,400 - 1,333.33 = 1,066.67 = 88.89 a month, (300 - 88.89) x 3 = 633.33)
    assert result.owed(D(2016, 8, 1))["safety_net"] == Decimal("466.68")
    assert result.owed(D(2016, 12, 1))["safety_net"] == Decimal("466.68")
    [(facts, said)] = _again(result)
    assert facts == ("d-self", "d-dept")
    assert said == (
        "disaster reported again: the same event as fact d-dept of 2016-07-04 (risk disaster:d-dept), "
        "found and routed once; nothing is paid again"
    )


def test_an_illness_dated_on_admission_and_on_discharge_is_paid_once() -> None:
    result = _run(
        _illness("ill-self", D(2016, 9, 1), Source.SELF_DECLARED),
        _illness("ill-dept", D(2016, 10, 5), Source.DEPARTMENT),  # 34 days later: within 60
    )
    # medical aid: 0.7 (safety-net household) x 9,000 = 6,300 (not 12,600);
    # relief on the cost left: min(9,000 - 6,300 = 2,700, cap 3,000) = 2,700 (not 5,400)
    assert _one_off(result, "medical_aid") == Decimal("6300.00")
    assert _one_off(result, "temporary_relief") == Decimal("2700.00")
    assert [risk.key for risk in result.risks if risk.kind == "illness"] == ["illness:H1-1:2016-09-01"]
    [(facts, said)] = _again(result)
    assert facts == ("ill-dept", "ill-self")
    assert "the same event as fact ill-self of 2016-09-01 (risk illness:H1-1:2016-09-01)" in said
    # the bill paid in full (6,300 + 2,700): nothing weighs on the income, the top-up stays 300.00
    assert result.owed(D(2016, 11, 1))["safety_net"] == Decimal("300.00")


def test_a_report_with_another_cost_is_not_a_correction() -> None:
    result = _run(
        _illness("ill-self", D(2016, 9, 1), Source.SELF_DECLARED, cost=9000),
        _illness("ill-dept", D(2016, 10, 5), Source.DEPARTMENT, cost=12000),
    )
    # the first report's cost stands: 0.7 x 9,000 = 6,300, relief 2,700
    assert _one_off(result, "medical_aid") == Decimal("6300.00")
    assert _one_off(result, "temporary_relief") == Decimal("2700.00")
    [(facts, said)] = _again(result)
    assert facts == ("ill-dept", "ill-self")
    assert said.endswith(
        "This report's cost 12000.00 differs from the first report's 9000.00: a second report is not a "
        "correction (correct the first report to change the cost)"
    )


def test_reports_beyond_the_window_or_of_another_event_are_new_risks() -> None:
    result = _run(
        _illness("ill-1", D(2016, 3, 1), Source.SELF_DECLARED),
        _illness("ill-2", D(2016, 4, 30), Source.DEPARTMENT),  # 60 days after: the same illness
        _illness("ill-3", D(2016, 5, 1), Source.DEPARTMENT),  # 61 days after the first: another one
        _illness("ill-4", D(2016, 5, 1), Source.VISIT, hospitalised=False),  # the same as ill-3, outpatient
        _illness("ill-5", D(2016, 5, 1), Source.VISIT, member="H1-2"),  # another member
        _flood("d-1", D(2016, 7, 4), Source.SELF_DECLARED),
        _flood("d-2", D(2016, 7, 4), Source.DEPARTMENT, hazard=" Flood "),  # the same hazard, written apart
        _flood("d-3", D(2016, 7, 4), Source.DEPARTMENT, hazard="landslide"),  # another hazard
        _flood("d-4", D(2016, 7, 5), Source.DEPARTMENT),  # another day
    )
    keys = [risk.key for risk in result.risks if risk.kind in ("illness", "disaster")]
    assert sorted(keys) == [
        "disaster:d-1",
        "disaster:d-3",
        "disaster:d-4",
        "illness:H1-1:2016-03-01",
        "illness:H1-1:2016-05-01",
        "illness:H1-2:2016-05-01",
    ]
    assert sorted(facts for facts, _ in _again(result)) == [("d-2", "d-1"), ("ill-2", "ill-1"), ("ill-4", "ill-3")]


def test_a_job_loss_and_a_main_earner_lost_reported_twice_are_one_risk_each() -> None:
    result = _run(
        JobLost(id="job-self", household_id="H1", date=D(2016, 3, 1), member_id="H1-1", source=Source.SELF_DECLARED),
        # the employment bureau's quarterly data, 92 days after: the same job loss
        JobLost(id="job-dept", household_id="H1", date=D(2016, 6, 1), member_id="H1-1", source=Source.DEPARTMENT),
        MainEarnerLost(id="died-self", household_id="H1", date=D(2016, 8, 3), member_id="H1-0", cause="death"),
        # the civil-affairs data, dated on registration and worded otherwise: the same loss
        MainEarnerLost(
            id="died-dept",
            household_id="H1",
            date=D(2016, 9, 20),
            member_id="H1-0",
            cause="died",
            source=Source.DEPARTMENT,
        ),
    )
    keys = [risk.key for risk in result.risks if risk.kind in ("unemployment", "main_earner_lost")]
    assert keys == ["unemployment:H1-1:2016-03-01", "main_earner_lost:H1-0:2016-08-03"]
    assert sorted(facts for facts, _ in _again(result)) == [("died-dept", "died-self"), ("job-dept", "job-self")]
    # each intervention of a route paid once, for the first report's key
    paid = [(grant.intervention, grant.risk_key) for grant in result.grants if grant.risk_key in keys]
    assert len(paid) == len(set(paid))
    assert {key for _, key in paid} <= set(keys)


def _money(result: HouseholdResult) -> tuple[object, ...]:
    """What a household is paid: each intervention's one-off sum and each month's amounts owed."""
    owed = tuple(tuple(sorted(result.owed(D(2016, month, 1)).items())) for month in range(1, 13))
    return (tuple(sorted((name, line.one_off) for name, line in result.money().items())), owed)


_REPORTS = st.lists(st.tuples(st.sampled_from(CHANNELS), st.integers(0, 60)), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(("disaster", "illness")),
    amount=st.integers(6001, 40000),  # over the alert and the minimum loss: a risk
    reports=_REPORTS,
    ids=st.permutations(range(5)),
    reverse=st.booleans(),
)
def test_any_number_of_reports_of_one_event_give_the_money_of_one_report(
    kind: str, amount: int, reports: list[tuple[Source, int]], ids: list[int], reverse: bool
) -> None:
    start = D(2016, 5, 10)

    def report(n: int, channel: Source, days: int) -> Fact:
        fid = f"r{ids[n]}"
        if kind == "disaster":  # every report of a disaster carries the day it struck
            return _flood(fid, start, channel, loss=amount)
        return _illness(fid, start + dt.timedelta(days=days), channel, cost=amount)

    # the first report by date opens the event; the others fall within the window from it
    facts = [report(n, channel, 0 if n == 0 else days) for n, (channel, days) in enumerate(reports)]
    if reverse:
        facts.reverse()
    many = _run(*facts)
    one = _run(report(0, reports[0][0], 0))
    assert _money(many) == _money(one)
    assert len([risk for risk in many.risks if risk.kind == kind]) == 1
    assert len(_again(many)) == len(reports) - 1
    # each later report names itself and the first
    first = next(risk.fact_id for risk in many.risks if risk.kind == kind)
    assert all(facts[1] == first and facts[0] != first for facts, _ in _again(many))


def _disasters(result: HouseholdResult) -> list[str]:
    return [risk.key for risk in result.risks if risk.kind == "disaster"]


_KINDS = st.sampled_from(list(HazardKind))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), kind=_KINDS, channels=st.lists(st.sampled_from(CHANNELS), min_size=2, max_size=2))
def test_any_two_names_of_one_kind_on_one_date_are_one_risk_and_one_relief(
    data: st.DataObject, kind: HazardKind, channels: list[Source]
) -> None:
    first, second = (data.draw(st.sampled_from(kind.names).flatmap(worded)) for _ in channels)
    on = D(2016, 7, 4)
    both = _run(_flood("d1", on, channels[0], hazard=first), _flood("d2", on, channels[1], hazard=second))
    one = _run(_flood("d1", on, channels[0], hazard=first))
    assert _disasters(both) == ["disaster:d1"]
    assert _money(both) == _money(one)  # one relief (3,000), the loss borne once
    assert _one_off(both, "temporary_relief") == Decimal("3000.00")
    assert [facts for facts, _ in _again(both)] == [("d2", "d1")]
    (risk,) = [risk for risk in both.risks if risk.kind == "disaster"]
    assert (risk.get("hazard"), risk.get("hazard_kind")) == (first, kind.value)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), kinds=st.lists(_KINDS, min_size=2, max_size=2, unique=True))
def test_names_of_two_kinds_on_one_date_are_two_risks(data: st.DataObject, kinds: list[HazardKind]) -> None:
    first, second = (data.draw(st.sampled_from(kind.names)) for kind in kinds)
    on = D(2016, 7, 4)
    result = _run(
        _flood("d1", on, Source.SELF_DECLARED, hazard=first), _flood("d2", on, Source.DEPARTMENT, hazard=second)
    )
    assert _disasters(result) == ["disaster:d1", "disaster:d2"]
    assert _again(result) == []
    assert [risk.get("hazard_kind") for risk in result.risks if risk.kind == "disaster"] == [k.value for k in kinds]


#: Texts of no kind: compared as they always were, the same but for case and spaces around.
_NO_KIND = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=10).filter(
    lambda text: hazard_kind(text) is None and text.strip() != ""
)


@settings(max_examples=40, deadline=None)
@given(first=_NO_KIND, other=_NO_KIND, same=st.booleans())
def test_texts_of_no_kind_are_one_event_only_when_they_are_the_same_text(first: str, other: str, same: bool) -> None:
    if same:  # the same text, in other case and spacing
        other = f"  {first.upper()} "
        assume(hazard_kind(other) is None)
    on = D(2016, 7, 4)
    result = _run(
        _flood("d1", on, Source.SELF_DECLARED, hazard=first), _flood("d2", on, Source.DEPARTMENT, hazard=other)
    )
    one_event = first.strip().casefold() == other.strip().casefold()
    assert _disasters(result) == (["disaster:d1"] if one_event else ["disaster:d1", "disaster:d2"])
    for risk in result.risks:
        if risk.kind == "disaster":
            assert risk.get("hazard_kind") is None
            assert risk.get("reason") == f"{risk.get('hazard')} loss 5000 >= minimum loss 1000"


def test_the_columnar_screen_gives_what_the_engine_gives_for_reports_of_one_event() -> None:
    """Reports each under their threshold are quiet, decided in columns; a household with a report
    over it is handed to the engine, which makes one risk of the event."""

    def household(hid: str, *costs: int) -> tuple[Household, list[Fact]]:
        home = Household.from_dict(
            {
                "id": hid,
                "place": {"district": "Dazu", "town": "T", "village": "V"},
                "members": [
                    {"id": f"{hid}-0", "birth_date": "1975-01-01"},
                    {"id": f"{hid}-1", "birth_date": "1975-01-01"},
                ],
            }
        )
        # 9,000 a year a person, 18,000 a household: not on file, alert 10,000, 40% = 7,200
        facts: list[Fact] = [
            IncomeAssessed(id=f"{hid}-i", household_id=hid, date=D(2016, 1, 10), income_per_capita=Decimal(9000))
        ]
        for n, (cost, channel) in enumerate(zip(costs, CHANNELS, strict=False)):
            on = D(2016, 6, 1) + dt.timedelta(days=20 * n)
            facts.append(
                IllnessReported(
                    id=f"{hid}-ill{n}",
                    household_id=hid,
                    date=on,
                    member_id=f"{hid}-1",
                    self_paid_cost=Decimal(cost),
                    source=channel,
                )
            )
            facts.append(
                DisasterReported(
                    id=f"{hid}-d{n}", household_id=hid, date=D(2016, 7, 4), hazard="flood", loss=Decimal(cost // 20)
                )
            )
        return home, facts

    pytest.importorskip("numpy")  # the columnar screen: the fast extra
    from relapse_guard.testing import vectorised_matches_engine

    population = [household("Q1", 500, 700), household("E1", 12000, 12000, 12000), household("E2", 500, 12000)]
    check = vectorised_matches_engine(DAZU, population, as_of=YEAR_END)
    assert check, str(check)
    assert check.paths == {"columnar": 1, "engine": 2}


def test_the_columnar_screen_gives_what_the_engine_gives_for_a_disaster_worded_apart() -> None:
    """Losses under the minimum are quiet in columns whatever their wording; a household with two
    reports over it, worded apart, is handed to the engine, which makes one risk of one flood and
    two of a flood and a fire."""

    def household(hid: str, *reports: tuple[str, int]) -> tuple[Household, list[Fact]]:
        home = Household.from_dict(
            {
                "id": hid,
                "place": {"district": "Dazu", "town": "T", "village": "V"},
                "members": [{"id": f"{hid}-0", "birth_date": "1975-01-01"}],
            }
        )
        facts: list[Fact] = [
            IncomeAssessed(id=f"{hid}-i", household_id=hid, date=D(2016, 1, 10), income_per_capita=Decimal(9000))
        ]
        for n, ((hazard, loss), channel) in enumerate(zip(reports, CHANNELS, strict=False)):
            facts.append(
                DisasterReported(
                    id=f"{hid}-d{n}",
                    household_id=hid,
                    date=D(2016, 7, 4),
                    hazard=hazard,
                    loss=Decimal(loss),
                    source=channel,
                )
            )
        return home, facts

    pytest.importorskip("numpy")  # the columnar screen: the fast extra
    from relapse_guard.testing import vectorised_matches_engine

    population = [
        household("Q1", ("flood", 500), ("洪灾", 500), ("storm", 999)),
        household("E1", ("flood", 4000), ("洪灾", 4000), ("FLOOD", 4000)),
        household("E2", ("flood", 4000), ("火灾", 4000)),
    ]
    check = vectorised_matches_engine(DAZU, population, as_of=YEAR_END)
    assert check, str(check)
    assert check.paths == {"columnar": 1, "engine": 2}
    results = {home.id: Engine(DAZU).run(home, facts, as_of=YEAR_END) for home, facts in population}
    assert {hid: len(_disasters(result)) for hid, result in results.items()} == {"Q1": 0, "E1": 1, "E2": 2}
