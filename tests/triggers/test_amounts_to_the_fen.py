"""Amounts the triggers work out with a ratio (the monitoring threshold, ratio x the poverty line;
an income share, share x the annual income) are shown to the fen in explanations, as grants are:
``1.5 x 3600 = 5400.00``, and the margins from them (``786.00 ... of 5400.00``), never ``5400.0``.

Only the showing changed: the risks found and the decisions made are the same.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from relapse_guard import Engine, Household, IncomeAssessed, load_policy
from relapse_guard.money import money_text
from relapse_guard.population import synthetic_households

#: An amount of at least two digits with one decimal (5400.0, 786.0): not to the fen. Ratios (1.5,
#: 0.4) have one digit, percentages their sign.
ONE_DECIMAL = re.compile(r"(?<![\d.])\d{2,}\.\d(?![\d%])")

EDGE = Household.from_dict(
    {
        "id": "H1",
        "place": {"district": "Yubei", "town": "T", "village": "V"},
        "members": [{"id": "m1", "birth_date": "1970-01-01", "labour_capacity": "full"}],
    }
)


def test_the_monitoring_threshold_and_its_margin_are_to_the_fen() -> None:
    income = IncomeAssessed(id="i1", household_id="H1", date=dt.date(2016, 3, 1), income_per_capita=Decimal(4614))
    result = Engine(load_policy("yubei_2016")).run(EDGE, [income], as_of=dt.date(2016, 12, 31))
    (risk,) = [decision for decision in result.decisions if decision.rule == "trigger.income_drop"]
    english = risk.explain()
    assert "monitoring_threshold 5400.00 yuan/person/year;" in english
    assert "income per capita 4614 < monitoring threshold 1.5 x 3600 = 5400.00" in english
    assert english.endswith("margins: 786.00 yuan/person/year below the monitoring threshold of 5400.00")
    assert "3600 = 5400.00" in risk.explain("zh-CN")
    assert not ONE_DECIMAL.search(english)


@pytest.mark.parametrize("policy", ["yubei_2016", "dazu_2016", "bishan_2016", "chongqing_2016"])
def test_no_explanation_shows_an_amount_with_one_decimal(policy: str) -> None:
    engine = Engine(load_policy(policy))
    seen = set()
    for household, facts in synthetic_households(150, seed=2, months=36):
        result = engine.run(household, facts, as_of=dt.date(2018, 12, 31))
        for decision in result.decisions:
            for language in ("en", "zh-CN"):
                text = decision.explain(language)
                assert not ONE_DECIMAL.search(text), text
            seen.add(decision.rule)
    assert {"trigger.income_drop", "trigger.illness", "trigger.schooling", "trigger.unemployment"} <= seen


def test_money_text_never_rounds() -> None:
    assert money_text(Decimal("1.5") * Decimal(3600)) == "5400.00"
    assert money_text(Decimal("0.4") * Decimal("15001.5")) == "6000.60"
    assert money_text(7200) == "7200.00"
    assert money_text(Decimal("0.3333") * Decimal(3601)) == "1200.2133"  # finer than a fen: as it is
