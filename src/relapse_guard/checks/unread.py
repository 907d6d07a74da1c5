"""The ``parameter_unread`` check: a parameter nothing reads whose name is close to one that is read.

A district's parameter file lays its values over the province's (``derive(parameter_tree=...)``),
and a table may declare a parameter the province lacks. So a misspelt override
(``[safety_net.standrd]``) is not refused: it becomes a new parameter nobody reads, and the
value meant to change stays as it was. The probe records every parameter the components read;
a parameter of the policy that none of them read, that no entitlement's terms name (the
engine reads those), and whose name is close to one that is read is reported, with that name.

A parameter nothing reads whose name is close to no read one is not reported: a component may
read it only on inputs the probe does not give (a plug-in's own, a rare branch), and such a
finding would be noise.
"""

from __future__ import annotations

import difflib

from ..entitlements import terms_of
from ..policy import Policy
from .findings import Finding
from .probe import Probe

__all__ = ["SIMILARITY", "unread_findings"]

#: How close two names must be (``difflib``'s ratio) for an unread one to be called a misspelling
#: of a read one: one letter dropped, doubled or swapped in a dotted name is well above it, and
#: no two distinct parameters of the shipped policies are this close.
SIMILARITY = 0.85


def unread_findings(policy: Policy, probe: Probe) -> list[Finding]:
    """A ``parameter_unread`` finding for each parameter of ``policy`` nothing read while probed
    (nor named by an entitlement's terms) that looks like a misspelling of one that was read
    (or that the terms name)."""
    read = {name for logs in probe.logs.values() for log in logs.values() for name in log.reads}
    named = {name for intervention in policy.interventions.values() for name in _term_parameters(intervention)}
    unread = sorted(set(policy.parameters) - read - named)
    candidates = sorted((read | named) & set(policy.parameters))
    found = []
    for name in unread:
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=SIMILARITY)
        if close:
            found.append(
                Finding(
                    "parameter_unread",
                    f"parameter {name}",
                    f"nothing in the policy reads it, so its values are never used; did you mean {close[0]!r}, "
                    "which is read? (a misspelt name in a parameter file declares a new parameter)",
                )
            )
    return found


def _term_parameters(intervention: object) -> list[str]:
    """The parameters ``intervention``'s entitlement terms name (the engine reads them, not the intervention)."""
    terms = terms_of(intervention)
    named = (terms.gradual_exit_months, terms.max_months, terms.recheck_months, terms.recheck_months_can_work)
    return [name for name in (*named, terms.obvious_change) if name is not None]
