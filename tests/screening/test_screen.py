from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from relapse_guard import IllnessReported, State, load_policy
from relapse_guard.entitlements import Money, total
from relapse_guard.population import BadRow
from relapse_guard.screening.screen import Progress, Record, screen_records

from ..conftest import make_household
from ..factories import assist, exit_verified, income

D = dt.date


def records() -> Iterator[Record]:
    yield make_household("a"), [income(D(2016, 3, 1), 3000, hid="a")], []
    yield make_household("b"), [income(D(2016, 3, 1), 9000, hid="b")], [BadRow("facts.jsonl", 7, "date", "not a date")]
    # an exit verified for a household never assisted: refused, listed, the screen goes on
    yield make_household("c"), [exit_verified(D(2016, 3, 1), hid="c")], []
    yield None, [], [BadRow("facts.jsonl", 9, "row", "unreadable")]
    ill = IllnessReported(
        id="ill", household_id="d", date=D(2016, 5, 1), member_id="d-m0", self_paid_cost=Decimal(20000)
    )
    facts = [
        income(D(2015, 1, 5), 2000, hid="d"),
        assist(D(2015, 2, 1), hid="d"),
        income(D(2015, 11, 1), 5000, hid="d"),
        exit_verified(D(2015, 11, 20), hid="d"),
        ill,
    ]
    yield make_household("d"), facts, []


def test_screen_counts_states_risks_money_and_lists_bad_rows_and_errors() -> None:
    seen: list[Progress] = []
    result = screen_records(
        records(), load_policy("yubei_2016"), D(2016, 12, 31), progress=seen.append, progress_every=1
    )
    assert [row.household_id for row in result.rows] == ["a", "b", "d"]
    assert result.totals.households == 3
    assert result.totals.by_state == {"assisted": 1, "new": 1, "monitored": 1}
    assert result.totals.by_risk["illness"] == 1
    assert set(result.errors) == {"c"}
    assert "exit" in result.errors["c"]
    assert [str(b) for b in result.bad_rows] == ["facts.jsonl:7: date: not a date", "facts.jsonl:9: row: unreadable"]
    total_money = total(result.totals.money_by_intervention)
    assert total_money == sum((row.money_total for row in result.rows), Money())
    assert result.totals.to_dict()["money"] == total_money.to_dict()
    assert result.totals.to_dict()["money_units"]["monthly_in_force"] == "yuan a month"
    assert seen[-1].households_done == 4  # three screened, one refused
    assert result.rows[0].state is State.ASSISTED


def test_merging_partitions_equals_one_pass() -> None:
    policy = load_policy("dazu_2016")
    whole = screen_records(records(), policy, D(2017, 6, 30))
    items = list(records())
    first = screen_records(items[:2], policy, D(2017, 6, 30))
    second = screen_records(items[2:], policy, D(2017, 6, 30))
    first.merge(second)
    assert first.totals.to_dict() == whole.totals.to_dict()
    assert first.rows == whole.rows
    assert first.errors == whole.errors
