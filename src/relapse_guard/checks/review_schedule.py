"""The ``review_skips_months`` check: a scheduled review that has no due date in a month it names.

:class:`~relapse_guard.reviews.Review` refuses such a schedule when it is built (a day past the
28th, which ``rrule`` skips in the months that lack it); this check finds the ones that got past
it (a review built with attrs validators disabled, a subclass or a review-like object of a
plug-in) by computing each review's due dates over a leap year and a common year.
"""

from __future__ import annotations

import calendar
from typing import TYPE_CHECKING

from ..reviews import Review
from .findings import Finding

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["PROBE_YEARS", "review_schedule_findings"]

NAME = "review_skips_months"
#: The years probed: a leap year and a common year, so February is seen with 29 and 28 days.
PROBE_YEARS = (2016, 2017)


def review_schedule_findings(policy: Policy) -> list[Finding]:
    """One finding per review of ``policy`` that skips a month it names in :data:`PROBE_YEARS`.

    Never raises for a faulty review: a schedule that cannot be computed is a finding too.
    """
    found = []
    for review in policy.reviews:
        subject = f"review {getattr(review, 'name', '?')}"
        try:
            skipped = {year: Review.skipped_months(review, year) for year in PROBE_YEARS}
        except Exception as error:  # a check reports, it does not raise
            found.append(Finding(NAME, subject, f"its schedule cannot be computed: {type(error).__name__}: {error}"))
            continue
        missing = sorted({month for months in skipped.values() for month in months})
        if not missing:
            continue
        names = ", ".join(calendar.month_name[month] for month in missing)
        days = ", ".join(str(day) for day in getattr(review, "bymonthday", ()))
        found.append(
            Finding(
                NAME,
                subject,
                f"is due on day {days} but not in {names} (checked {', '.join(map(str, PROBE_YEARS))}): "
                "those months lack the day, so the review silently skips them; use a day from 1 to 28, "
                "or -1 for the last day of each month",
            )
        )
    return found
