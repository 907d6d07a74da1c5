"""vectorised_matches_engine checks its arguments where it is called: a typed error naming the argument."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.importorskip("numpy")  # the columnar screen needs it (the fast extra)

from relapse_guard import load_policy
from relapse_guard.errors import WrongType
from relapse_guard.testing import vectorised_matches_engine

from .helpers import exited_in_2015, household

YUBEI = load_policy("yubei_2016")
HOME = household("H1")
#: Values of the wrong type, as a caller without a type checker passes them.
NAME: Any = "yubei_2016"
ALONE: Any = [HOME]
MOMENT: Any = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
NOT_FACTS: Any = [(HOME, ["income"])]


def test_a_household_without_its_facts_is_refused_naming_it() -> None:
    with pytest.raises(
        WrongType, match=r"households\[0\] must be a \(household, facts\) pair, not Household\("
    ) as refused:
        vectorised_matches_engine(YUBEI, ALONE)
    assert str(refused.value).endswith("; give each household with its facts: [(household, facts)]")


def test_other_arguments_of_the_wrong_type() -> None:
    with pytest.raises(WrongType, match=r"needs a Policy, not 'yubei_2016' \(str\): call load_policy\('yubei_2016'\)"):
        vectorised_matches_engine(NAME, [(HOME, exited_in_2015("H1"))])
    with pytest.raises(WrongType, match=r"households\[0\]\[1\]\[0\] must be a Fact, not 'income' \(str\)"):
        vectorised_matches_engine(YUBEI, NOT_FACTS)
    with pytest.raises(WrongType, match=r"as_of must be a datetime\.date or None"):
        vectorised_matches_engine(YUBEI, [(HOME, exited_in_2015("H1"))], as_of=MOMENT)


def test_good_arguments_still_run() -> None:
    assert vectorised_matches_engine(YUBEI, [(HOME, exited_in_2015("H1"))], as_of=dt.date(2016, 12, 31))
