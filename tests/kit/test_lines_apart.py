"""``lines_apart``: the poverty line and the safety-net standard, one line (12 x the monthly
standard) in the Chongqing policies, parted by a derived policy that moves only one of them.

A what-if raising the standard alone left households between the old and the new line under
the standard but never identified: they were paid nothing for the raise, and the check said
nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import load_policy
from relapse_guard.checks import CHECKS, check_policy
from relapse_guard.checks.lines import lines_findings

YUBEI = load_policy("yubei_2016")  # line 3600 = 12 x 300 from 2016, 2760 = 12 x 230 in 2015


def test_the_shipped_policies_keep_the_lines_together() -> None:
    for name in ("chongqing_2016", "yubei_2016", "dazu_2016", "bishan_2016"):
        assert lines_findings(load_policy(name)) == []


def test_a_standard_raised_alone_is_named_with_the_households_it_leaves_out() -> None:
    raised = YUBEI.derive(name="raised", parameters={"safety_net.standard": {dt.date(2016, 7, 1): 330}})
    (finding,) = [f for f in check_policy(raised) if f.check == "lines_apart"]
    assert finding.subject == "parameters poverty_line and safety_net.standard"
    assert finding.message.startswith("from 2016-07-01 the poverty line 3600 is not 12 x the monthly standard 330")
    assert "between 3600 and 3960 a year per person is under the standard but not under the line" in finding.message
    assert "lines_apart" in CHECKS


def test_a_standard_lowered_alone_is_named_too() -> None:
    lowered = YUBEI.derive(name="lowered", parameters={"safety_net.standard": {dt.date(2016, 1, 1): 230}})
    (finding,) = lines_findings(lowered)
    assert "between 2760 and 3600 a year per person is under the line but not under the standard" in finding.message


def test_lines_never_merged_are_not_checked() -> None:
    apart = YUBEI.derive(
        name="apart",
        parameters={"poverty_line": {dt.date(2015, 1, 1): 2300, dt.date(2016, 1, 1): 2800}},
    )
    assert lines_findings(apart) == []


@settings(max_examples=60, deadline=None)
@given(
    standard=st.integers(50, 2000),
    extra=st.integers(-500, 500),
    month=st.integers(1, 12),
)
def test_both_moved_on_one_date_is_no_finding_and_one_alone_is(standard: int, extra: int, month: int) -> None:
    on = dt.date(2017, month, 1)
    together = YUBEI.derive(
        name="together",
        parameters={"safety_net.standard": {on: standard}, "poverty_line": {on: 12 * standard}},
    )
    assert lines_findings(together) == []
    line = 12 * standard + extra
    apart = YUBEI.derive(name="apart", parameters={"safety_net.standard": {on: standard}, "poverty_line": {on: line}})
    found = lines_findings(apart)
    if extra == 0:
        assert found == []
    else:
        (finding,) = found
        assert finding.message.startswith(f"from {on.isoformat()} the poverty line {Decimal(line)} is not 12 x")
