"""Small builders of facts and households for the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from relapse_guard import AssistanceGranted, ExitVerified, HouseAppraised, IncomeAssessed
from relapse_guard.facts import BasicNeed, BasicNeedsChecked, HousingGrade
from relapse_guard.household import Household

_counter = itertools.count()


def _id(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def income(on: dt.date, amount: int | str, hid: str = "h1", fid: str | None = None) -> IncomeAssessed:
    return IncomeAssessed(id=fid or _id("inc"), household_id=hid, date=on, income_per_capita=Decimal(amount))


def assist(on: dt.date, hid: str = "h1", fid: str | None = None) -> AssistanceGranted:
    return AssistanceGranted(id=fid or _id("aid"), household_id=hid, date=on, measure="industry project")


def exit_verified(on: dt.date, hid: str = "h1", fid: str | None = None) -> ExitVerified:
    return ExitVerified(id=fid or _id("exit"), household_id=hid, date=on)


def needs(on: dt.date, *unmet: BasicNeed, hid: str = "h1") -> BasicNeedsChecked:
    return BasicNeedsChecked(id=_id("needs"), household_id=hid, date=on, unmet=frozenset(unmet))


def house(on: dt.date, grade: str, hid: str = "h1") -> HouseAppraised:
    return HouseAppraised(id=_id("house"), household_id=hid, date=on, grade=HousingGrade(grade))


def yubei_household(size: int = 3, workers: int = 1) -> Household:
    """Household ``H1`` of Dashengzhen, Yubei: ``size`` members born five years apart from 1960,
    the first ``workers`` of them able to work."""
    return Household.from_dict(
        {
            "id": "H1",
            "place": {"district": "Yubei", "town": "Dashengzhen", "village": "Qinglong"},
            "members": [
                {
                    "id": f"H1-{i}",
                    "birth_date": f"{1960 + 5 * i}-03-01",
                    "labour_capacity": "full" if i < workers else "none",
                }
                for i in range(size)
            ],
        }
    )
