"""Dates up to :data:`~relapse_guard.bounds.LAST_DATE`: a fact or an as-of date near the end of
Python's calendar overflowed the engine's date arithmetic part way through a run (``year 10000
is out of range``, an internal error with exit 3). Such a date is refused where it is given,
naming it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.bounds import LAST_DATE
from relapse_guard.errors import InvalidArgument, InvalidFact
from relapse_guard.monitoring import Monitor
from relapse_guard.screening.screen import screen_records
from relapse_guard.store import MemoryStore

from .cli.helpers import cli

HOME = Household(id="H1", place=Place("Yubei", "T", "V"), members=(Member(id="m1", birth_date=dt.date(1970, 1, 1)),))
ENGINE = Engine(load_policy("yubei_2016"))


def _income(on: dt.date) -> IncomeAssessed:
    return IncomeAssessed(id="i1", household_id="H1", date=on, income_per_capita=Decimal(1000))


@given(st.dates(min_value=LAST_DATE + dt.timedelta(days=1)))
def test_a_fact_or_an_as_of_after_the_last_date_is_refused_naming_it(late: dt.date) -> None:
    with pytest.raises(InvalidFact) as refused:
        ENGINE.run(HOME, [_income(late)])
    assert (refused.value.household_id, refused.value.field) == ("H1", "date")
    assert late.isoformat() in str(refused.value)
    with pytest.raises(InvalidArgument, match=f"as_of {late.isoformat()} is after 9000-12-31"):
        ENGINE.run(HOME, [_income(dt.date(2016, 1, 1))], as_of=late)
    with pytest.raises(InvalidArgument, match="9000-12-31"):
        screen_records([(HOME, [], ())], ENGINE.policy, late)
    with pytest.raises(InvalidArgument, match="9000-12-31"):
        Monitor(MemoryStore(), "yubei_2016").cycle([], as_of=late)


@given(st.dates(min_value=LAST_DATE + dt.timedelta(days=1)))
def test_a_fact_dated_after_the_last_date_is_quarantined_not_stored(late: dt.date) -> None:
    # It was stored, and in the cycle held back every fact stored after it until that date.
    store = MemoryStore()
    store.put_household(HOME)
    report = store.ingest([{**_income(dt.date(2016, 1, 1)).to_dict(), "date": late.isoformat()}])
    assert (report.stored, report.quarantined) == (0, 1)
    (quarantined,) = store.quarantined()
    assert f"field 'date' has value '{late.isoformat()}'" in quarantined.reason
    assert store.facts("H1") == []


def test_the_last_date_itself_runs() -> None:
    result = ENGINE.run(HOME, [_income(LAST_DATE)], as_of=LAST_DATE)
    assert result.as_of == LAST_DATE


def test_the_cli_refuses_an_as_of_after_the_last_date_as_a_usage_error() -> None:
    done = cli("screen", "county", "--policy", "yubei_2016", "--as-of", "9999-12-31")
    assert done.returncode == 2
    assert "'9999-12-31' is after 9000-12-31, the last day the library takes" in done.stderr
