"""The parameters' dates: ``parameter_review_due`` and ``parameter_expired``.

A parameter's value may say when it should be reviewed (``review_by``) and the last day it may
be used (``expires``; see :mod:`relapse_guard.parameters`). On the date checked, each value in
force is compared with both: past its ``review_by`` it is due for review; past its ``expires``
a run that reads it raises :class:`~relapse_guard.errors.ParameterExpired`, unless the policy
carries the last value forward (``on_expiry = "carry_forward"``), which is still reported, since
the value is then used past the date its authors gave.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .findings import Finding

if TYPE_CHECKING:
    from ..policy import Policy

__all__ = ["expiry_findings"]


def expiry_findings(policy: Policy, as_of: dt.date) -> list[Finding]:
    """The values in force on ``as_of`` past their ``review_by``, then those past their ``expires``,
    each naming the parameter, its value, the date it took effect and the date passed."""
    review: list[Finding] = []
    expired: list[Finding] = []
    tree = policy.parameters
    for name in tree:
        parameter = tree.get(name)
        entry = parameter.in_force(as_of)
        if entry is None:
            continue
        effective, value = entry
        subject = f"parameter {name}"
        what = f"its value {value} (from {effective.isoformat()})"
        review_by = parameter.review_date(effective)
        if review_by is not None and as_of > review_by:
            review.append(
                Finding(
                    "parameter_review_due",
                    subject,
                    f"{what} is in use on {as_of.isoformat()}, past its review_by {review_by.isoformat()}",
                )
            )
        expires = parameter.expiry(effective)
        if expires is not None and as_of > expires:
            if parameter.on_expiry == "carry_forward":
                consequence = 'the policy carries it forward (on_expiry = "carry_forward"): give it a new value'
            else:
                consequence = (
                    f"a run reading it on {as_of.isoformat()} raises ParameterExpired "
                    '(give it a new value, or set on_expiry = "carry_forward")'
                )
            expired.append(
                Finding("parameter_expired", subject, f"{what} expired on {expires.isoformat()}: {consequence}")
            )
    return [*review, *expired]
