"""The merge of households and facts gives the records it gave before its shortcut, for any files.

Households in any order, some invalid, some twice, some without an id; facts of households
in their place, out of place, of households not in the file, of none; any lookahead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import Household, Member, Place
from relapse_guard.population import BadRow
from relapse_guard.population.grouping import FactGroup, HouseholdGroup, merge

from . import reference

IDS = ["H1", "H2", "H3", "H4", "H5"]


def _household(hid: str) -> Household:
    return Household(id=hid, place=Place("Yubei"), members=(Member(id="m1", birth_date=dt.date(1980, 1, 1)),))


@st.composite
def households(draw: st.DrawFn) -> list[HouseholdGroup]:
    """Household groups: mostly valid, in any order; some invalid, some twice, some with no id."""
    groups: list[HouseholdGroup] = []
    for line in range(1, 1 + draw(st.integers(0, 8))):
        hid = draw(st.sampled_from([*IDS, None]))
        if hid is not None and draw(st.integers(0, 4)):
            groups.append((hid, _household(hid), [], line))
        else:
            groups.append((hid, None, [BadRow("h", line, "id", "invalid", hid)], line))
    return groups


@st.composite
def fact_groups(draw: st.DrawFn) -> list[FactGroup]:
    """Fact groups of any households (or none), some with bad rows, some with no valid fact."""
    groups: list[FactGroup] = []
    line = 1
    for _ in range(draw(st.integers(0, 8))):
        hid = draw(st.sampled_from([*IDS, "H9", None]))
        count = draw(st.integers(0, 2))
        bad = [BadRow("f", line + count, "date", "bad", hid)] if draw(st.booleans()) or not count else []
        facts: list[Any] = [f"fact {line + index}" for index in range(count)]  # the merge only passes them on
        groups.append((hid, facts, bad, line, line + count + len(bad) - 1))
        line += count + len(bad)
    return groups


@settings(max_examples=1000, deadline=None)
@given(households(), fact_groups(), st.integers(0, 3) | st.just(10_000))
def test_as_before(households: list[HouseholdGroup], facts: list[FactGroup], lookahead: int) -> None:
    names = {"households_file": "h", "facts_file": "f", "lookahead": lookahead}
    found = list(merge(iter(households), iter(facts), **names))  # type: ignore[arg-type]
    expected = list(reference.merge(iter(households), iter(facts), **names))  # type: ignore[arg-type]
    assert found == expected
    assert [type(record) for record in found] == [type(record) for record in expected]
