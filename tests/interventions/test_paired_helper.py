"""Paired helper: a named responsible person per household and revisit dates, once."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Grant
from relapse_guard.errors import InvalidPolicy
from relapse_guard.household import Household, Place
from relapse_guard.interventions import Intervention, PairedHelper
from relapse_guard.interventions.paired_helper import revisit_dates

from .helpers import context, declined, household, past_grant, risk, used, with_params

HELPER = PairedHelper()


def _every(months: float, count: float) -> str:
    return (
        f"[paired_helper.revisit_interval_months]\nvalues = {{ 2015-01-01 = {months} }}\n"
        f"[paired_helper.revisits]\nvalues = {{ 2015-01-01 = {count} }}\n"
    )


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(HELPER, Intervention)
    assert (HELPER.name, HELPER.prefix, HELPER.helper_for) == ("paired_helper", "paired_helper", None)


def test_village_cadre_with_monthly_revisits_for_a_year() -> None:
    grant = HELPER.grant(risk("entered:exited"), context(size=3, date=dt.date(2016, 6, 15)))
    assert isinstance(grant, Grant)
    assert grant.amount is None
    assert grant.service == "paired helper: revisits and income accounts"
    assert grant.responsible == "village cadre of Village"
    assert grant.persons == 3
    assert grant.revisits == tuple(dt.date(2016 + (6 + i) // 12, (6 + i) % 12 + 1, 15) for i in range(12))
    assert grant.revisits[0] == dt.date(2016, 7, 15)
    assert grant.revisits[-1] == dt.date(2017, 6, 15)
    assert grant.basis == (
        "village cadre of Village paired with the household of 3 members;"
        " 12 revisits every 1 month, 2016-07-15 to 2017-06-15"
    )
    assert used(grant) == {
        "paired_helper.revisit_interval_months": ("1", dt.date(2015, 1, 1)),
        "paired_helper.revisits": ("12", dt.date(2015, 1, 1)),
    }


def test_quarterly_revisits() -> None:
    grant = HELPER.grant(risk(), context(date=dt.date(2016, 6, 15), parameters=with_params(_every(3, 4))))
    assert isinstance(grant, Grant)
    assert grant.revisits == (dt.date(2016, 9, 15), dt.date(2016, 12, 15), dt.date(2017, 3, 15), dt.date(2017, 6, 15))


def test_revisits_from_a_month_end_keep_to_the_month_end() -> None:
    assert revisit_dates(dt.date(2016, 1, 31), interval_months=1, count=4) == (
        dt.date(2016, 2, 29),
        dt.date(2016, 3, 31),
        dt.date(2016, 4, 30),
        dt.date(2016, 5, 31),
    )
    assert revisit_dates(dt.date(2015, 11, 30), interval_months=3, count=2) == (
        dt.date(2016, 2, 29),
        dt.date(2016, 5, 30),
    )
    assert revisit_dates(dt.date(2016, 2, 29), interval_months=12, count=2) == (
        dt.date(2017, 2, 28),
        dt.date(2018, 2, 28),
    )


def test_no_revisits_planned() -> None:
    grant = HELPER.grant(risk(), context(parameters=with_params(_every(1, 0))))
    assert isinstance(grant, Grant)
    assert grant.revisits == ()
    assert grant.basis.endswith("; no revisits planned")


@pytest.mark.parametrize(("months", "count"), [(0, 12), (1.5, 12), (1, -1), (1, 2.5)])
def test_bad_schedule_parameters_are_a_policy_error(months: float, count: float) -> None:
    with pytest.raises(InvalidPolicy, match="whole number"):
        HELPER.grant(risk(), context(parameters=with_params(_every(months, count))))


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (Place("Bishan", "Dinglin", "Shuangqiao"), "village cadre of Shuangqiao"),
        (Place("Bishan", "Dinglin"), "village cadre of Dinglin"),
        (Place("Bishan"), "village cadre of Bishan"),
    ],
)
def test_default_helper_names_the_nearest_place(place: Place, expected: str) -> None:
    grant = HELPER.grant(risk(), context(hh=household(2, place=place)))
    assert isinstance(grant, Grant)
    assert grant.responsible == expected


def test_custom_helper() -> None:
    def helper_for(hh: Household) -> str:
        return f"Bishan agriculture commission, cadre for {hh.id}"

    grant = PairedHelper(helper_for=helper_for).grant(risk(), context())
    assert isinstance(grant, Grant)
    assert grant.responsible == "Bishan agriculture commission, cadre for h1"
    assert grant.basis.startswith("Bishan agriculture commission, cadre for h1 paired with the household of 3 members")


def test_only_once_per_household() -> None:
    earlier = (past_grant("paired_helper", None, date=dt.date(2016, 1, 1)),)
    assert declined(HELPER.grant(risk(), context(grants=earlier))) == (
        "already paired on 2016-01-01: a household is paired once"
    )
    assert isinstance(PairedHelper(name="second_helper").grant(risk(), context(grants=earlier)), Grant)


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    interval=st.integers(min_value=1, max_value=24),
    count=st.integers(min_value=0, max_value=30),
)
def test_revisit_dates_are_whole_intervals_after_the_start(start: dt.date, interval: int, count: int) -> None:
    dates = revisit_dates(start, interval_months=interval, count=count)
    assert len(dates) == count
    assert dates == tuple(start + relativedelta(months=interval * (i + 1)) for i in range(count))
    assert all(a < b for a, b in itertools.pairwise(dates))
