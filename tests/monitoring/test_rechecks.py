"""A safety net's re-check (N1 art. 31: every year, every half year when a member can work) falls
due with no new fact: the cycle picks the household, announces the re-check due, then overdue,
each cycle until an income assessment does it; the top-up is paid meanwhile."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from relapse_guard import Household, IncomeAssessed, load_policy
from relapse_guard.monitoring import Alert, AlertKind, Monitor
from relapse_guard.monitoring.alerts import RECHECK_GRACE, STANDING_KINDS
from relapse_guard.store import MemoryStore

D = dt.date
RECHECKS = frozenset({AlertKind.RECHECK_DUE, AlertKind.RECHECK_OVERDUE})


def _household() -> Household:
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Yubei", "town": "Dashengzhen", "village": "Qinglong"},
            "members": [
                {"id": f"H1-{n}", "birth_date": "1975-01-01", "labour_capacity": "full" if n == 0 else "none"}
                for n in range(3)
            ],
        }
    )


def _income(fid: str, on: dt.date) -> IncomeAssessed:
    return IncomeAssessed(id=fid, household_id="H1", date=on, income_per_capita=Decimal(2400))


def test_a_recheck_is_announced_due_then_overdue_each_cycle_until_an_assessment_does_it() -> None:
    assert RECHECKS <= STANDING_KINDS
    store = MemoryStore()
    store.put_households([_household()])
    monitor = Monitor(store, load_policy("yubei_2016"))
    # 10 Jan 2016: 2400 a year, (300 - 200) x 3 = 300.00 a month; a member can work: due 10 Jul
    monitor.cycle([_income("i1", D(2016, 1, 10)).to_dict()], as_of=D(2016, 1, 31))

    def cycle(as_of: dt.date, *facts: IncomeAssessed) -> list[Alert]:
        report = monitor.cycle([fact.to_dict() for fact in facts], as_of=as_of)
        assert report.problems == ()
        return [alert for alert in monitor.alerts(as_of) if alert.kind in RECHECKS]

    assert cycle(D(2016, 6, 30)) == []  # not due yet: the household is not even read
    (due,) = cycle(D(2016, 7, 31))
    assert (due.kind, due.date, due.subject, due.open_since) == (
        AlertKind.RECHECK_DUE,
        D(2016, 7, 10),
        "safety_net",
        None,
    )
    assert due.detail == "safety_net re-check due 2016-07-10: deadline 2016-08-09"
    assert due.render("zh-CN") == "低保核查于 2016-07-10 到期，办结时限 2016-08-09"
    assert D(2016, 7, 10) + RECHECK_GRACE == D(2016, 8, 9)
    (overdue,) = cycle(D(2016, 8, 31))
    assert (overdue.kind, overdue.open_since) == (AlertKind.RECHECK_OVERDUE, None)  # news: it was due before
    assert overdue.detail == (
        "safety_net re-check due 2016-07-10: deadline 2016-08-09, 22 days past it (still paid until it is done)"
    )
    assert overdue.render("zh-CN") == (
        "低保核查于 2016-07-10 到期，办结时限 2016-08-09，已逾期 22 天（核查办结前照常发放）"
    )
    (still,) = cycle(D(2016, 9, 30))
    assert (still.kind, still.open_since) == (AlertKind.RECHECK_OVERDUE, D(2016, 8, 31))
    assert "52 days past it" in still.detail
    for alert in (due, overdue, still):
        assert Alert.from_json(alert.to_json()) == alert
        assert Alert.from_dict(alert.to_dict()) == alert
    # the re-check done (an assessment on or after its day): nothing due until 15 Apr 2017
    assert cycle(D(2016, 10, 31), _income("i2", D(2016, 10, 15))) == []
    assert cycle(D(2017, 3, 31)) == []
    (next_due,) = cycle(D(2017, 4, 30))
    assert (next_due.kind, next_due.date) == (AlertKind.RECHECK_DUE, D(2017, 4, 15))
