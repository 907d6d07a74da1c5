"""Two lines in one: ``lines_apart``.

Where the poverty line and the safety-net line are merged (国务院: 「两线合一」), the line is twelve
times the monthly safety-net standard, as in the Chongqing policies. A policy whose two
parameters were one line on some date and part later (a standard raised without the line, a
derived policy's what-if) leaves households between them: under the standard but not under
the line, they are never identified, and reach the safety net only through a risk found
afresh; under the line but not under the standard, they are identified with no top-up. The
check names the first date they part. A policy that never merged them is not checked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["LINE", "STANDARD", "lines_findings"]

#: The poverty line (yuan per person per year) and the safety-net standard (yuan per person per month).
LINE, STANDARD = "poverty_line", "safety_net.standard"


def lines_findings(policy: Policy) -> list[Finding]:
    """The first date on which the poverty line is no longer 12 x the safety-net standard,
    after a date on which it was (one finding at most)."""
    tree = policy.parameters
    if LINE not in tree or STANDARD not in tree:
        return []
    line, standard = tree.get(LINE), tree.get(STANDARD)
    merged = False
    for day in sorted({on for on, _ in line.values} | {on for on, _ in standard.values}):
        found_line, found_standard = line.in_force(day), standard.in_force(day)
        if found_line is None or found_standard is None:
            continue
        yearly, monthly = found_line[1], found_standard[1]
        if not isinstance(yearly, Decimal) or not isinstance(monthly, Decimal):
            return []  # parameter_invalid's to say
        if yearly == 12 * monthly:
            merged = True
            continue
        if merged:
            return [_apart(day.isoformat(), yearly, monthly)]
    return []


def _apart(day: str, yearly: Decimal, monthly: Decimal) -> Finding:
    twelve = 12 * monthly
    if yearly < twelve:
        between = (
            f"a household between {yearly} and {twelve} a year per person is under the standard but not "
            "under the line: it is never identified, and reaches the safety net only through a risk found afresh"
        )
    else:
        between = (
            f"a household between {twelve} and {yearly} a year per person is under the line but not under "
            "the standard: it is identified, and the safety net pays it nothing"
        )
    return Finding(
        "lines_apart",
        f"parameters {LINE} and {STANDARD}",
        f"from {day} the poverty line {yearly} is not 12 x the monthly standard {monthly} = {twelve}, "
        f"though they were one line before (two lines in one): {between}; give both the same date",
    )
