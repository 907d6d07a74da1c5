"""A cycle names the facts it took that are dated more than a year after its date (a mistyped
year): stored as any other, counted in its report and its record, never refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from relapse_guard import Household, IncomeAssessed
from relapse_guard.facts import FactCorrected
from relapse_guard.monitoring import FAR_AHEAD, FactAhead, Monitor
from relapse_guard.store import MemoryStore

AS_OF = dt.date(2017, 9, 30)
HOME = Household.from_dict(
    {
        "id": "H1",
        "place": {"district": "Yubei", "town": "T", "village": "V"},
        "members": [{"id": "m1", "birth_date": "1970-01-01"}, {"id": "m2", "birth_date": "1972-01-01"}],
    }
)


def income(fid: str, on: dt.date, amount: int = 3000) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(amount))


def test_facts_dated_more_than_a_year_ahead_are_stored_and_named() -> None:
    year_on = AS_OF + FAR_AHEAD
    typo = income("typo", dt.date(2071, 9, 20))
    fixed_far = FactCorrected(
        id="fix",
        household_id="H1",
        date=dt.date(2017, 9, 1),
        corrects="first",
        replacement=income("first", dt.date(2018, 10, 1)),
    )
    records = [
        income("first", dt.date(2017, 9, 1)).to_dict(),
        income("on-the-day", year_on).to_dict(),  # a year on: not more than a year
        typo.to_dict(),
        {**income("as-a-date", dt.date(2019, 1, 1)).to_dict(), "date": dt.date(2019, 1, 1)},
        fixed_far.to_dict(),  # a correction whose replacement is dated far ahead
        {**typo.to_dict(), "income_per_capita": "1"},  # conflicts with the stored one: quarantined, not named
        {"kind": "income_assessed", "id": "bad", "household_id": "H1", "date": "2071-13-01"},  # not a date
    ]
    with MemoryStore() as store:
        store.put_household(HOME)
        store.append("H1", [typo])  # stored before: the record given again is a duplicate, named again
        report = Monitor(store, "yubei_2016").cycle(records, as_of=AS_OF)
        assert (report.ingest.stored, report.ingest.duplicates) == (4, 1)
        assert report.ingest.quarantined == 2
        assert report.ahead == (
            FactAhead("H1", "typo", dt.date(2071, 9, 20)),
            FactAhead("H1", "as-a-date", dt.date(2019, 1, 1)),
            FactAhead("H1", "fix", dt.date(2018, 10, 1)),
        )
        assert report.to_dict()["facts_far_ahead"] == 3
        kept = store.cycle("2017-09-30")
        assert kept is not None
        assert json.loads(kept)["facts_far_ahead"] == 3  # the store's record of the cycle counts them
        summary = report.summary()
        assert "  3 facts dated more than a year after 2017-09-30 (a mistyped year?)" in summary
        # run again: the same facts, duplicates now, are still stored and still named
        again = Monitor(store, "yubei_2016").cycle(records, as_of=AS_OF)
        assert again.ahead == report.ahead


def test_a_cycle_with_nothing_ahead_says_nothing_of_it() -> None:
    with MemoryStore() as store:
        store.put_household(HOME)
        report = Monitor(store, "yubei_2016").cycle([income("i1", dt.date(2017, 9, 1)).to_dict()], as_of=AS_OF)
    assert report.ahead == ()
    assert report.to_dict()["facts_far_ahead"] == 0
    assert "a year after" not in report.summary()
