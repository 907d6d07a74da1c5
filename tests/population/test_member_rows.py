"""A household's member rows read straight from their cells give what the general way gives.

:func:`fast_household_from_rows` (the CSV reader's, and the Parquet reader's for the rows it
does not read column by column) must give :func:`household_from_rows`'s household, or its
bad row, for any cells: valid ones, blank ones, odd text, and the values Parquet cells hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard.household import Health, LabourCapacity
from relapse_guard.population import HOUSEHOLD_COLUMNS
from relapse_guard.population.households import fast_household_from_rows, household_from_rows

from .helpers import dates

NATIONAL_ID = "500112198001011234"
CELLS: dict[str, list[Any]] = {
    "district": ["Yubei", "Dazu", "", None, " ", 7],
    "town": ["T1", "T2", "", None],
    "village": ["V1", "", None, 0],
    "member_id": ["m1", "m2", "m3", "", " ", None, NATIONAL_ID, 5],
    "birth_date": [
        "1970-01-01",
        "2016-02-29",
        "20160301",
        "2016-02-30",
        "bad",
        "",
        None,
        dt.date(1980, 5, 17),
        dt.datetime(1980, 5, 17, 1, 2),
    ],
    "labour_capacity": ["full", "partial", "none", "", None, "lots", LabourCapacity.NONE, 0, ["full"]],
    "health": ["healthy", "disabled", "", None, "ill", Health.DISABLED],
    "schooling": ["none", "primary", "tertiary", "", None, "college"],
}
HIDS = ["H1", "", " ", "\u3000", "户1"]


@st.composite
def member_rows(draw: st.DrawFn) -> tuple[str, list[tuple[int, list[Any]]], dict[str, int]]:
    """A household id, 1 to 4 member rows ``(line, cells)`` of mostly valid cells, and the column of each field."""
    optional = [c for c in HOUSEHOLD_COLUMNS if c not in ("household_id", "district", "member_id", "birth_date")]
    header = ["household_id", "district", "member_id", "birth_date"]
    header += [c for c in optional if draw(st.booleans())]
    header = draw(st.permutations(header))
    valid = st.fixed_dictionaries(
        {
            "district": st.just("Yubei"),
            "town": st.sampled_from(["T1", ""]),
            "village": st.just("V1"),
            "member_id": st.sampled_from(["m1", "m2", "m3", "m4"]),
            "birth_date": dates.map(lambda day: day.isoformat()) | dates,
            "labour_capacity": st.sampled_from(["full", "none", ""]),
            "health": st.sampled_from(["healthy", "chronic_illness"]),
            "schooling": st.sampled_from(["none", "tertiary"]),
        }
    )
    hid = draw(st.sampled_from(HIDS))
    rows = []
    for line in range(2, 2 + draw(st.integers(1, 4))):
        cells = draw(valid)
        for column in draw(st.lists(st.sampled_from(sorted(CELLS)), max_size=2)):
            cells[column] = draw(st.sampled_from(CELLS[column]))
        cells["household_id"] = hid
        rows.append((line, [cells[name] for name in header]))
    return hid, rows, {name: index for index, name in enumerate(header)}


@settings(max_examples=600, deadline=None)
@given(member_rows())
def test_as_the_general_way(case: tuple[str, list[tuple[int, list[Any]]], dict[str, int]]) -> None:
    hid, rows, column = case
    found = fast_household_from_rows("households.csv", hid, rows, column)
    expected = household_from_rows("households.csv", hid, rows, column)
    assert found == expected
    household = found[0]
    if household is not None:
        assert household.to_dict() == expected[0].to_dict()  # type: ignore[union-attr]
        assert [type(member.birth_date) for member in household.members] == [dt.date] * household.size
