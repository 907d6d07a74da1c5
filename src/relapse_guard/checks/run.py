"""Running the static checks: :func:`check_policy` and the dates it probes (:func:`dates_used`)."""

from __future__ import annotations

import datetime as dt

from ..policy import REQUIRED_PARAMETERS, Policy
from .expiry import expiry_findings
from .fact_kinds import fact_kind_findings
from .failures import failure_findings
from .findings import Finding, in_check_order
from .grants import double_money_findings, fen_findings, responsibility_findings
from .lines import lines_findings
from .parameters import parameter_findings
from .probe import Probe
from .reachability import reachability_findings
from .review_schedule import review_schedule_findings
from .routes import route_findings, unused_interventions
from .unread import unread_findings

__all__ = ["ENGINE_PARAMETERS", "check_policy", "dates_used"]

#: The parameters the engine itself reads (probed as the component ``the engine``).
ENGINE_PARAMETERS = (*REQUIRED_PARAMETERS, "transition.leap_day")


def check_policy(policy: Policy, *, on: dt.date | None = None, as_of: dt.date | None = None) -> tuple[Finding, ...]:
    """Every finding of :data:`~relapse_guard.checks.findings.CHECKS` for ``policy``, in that
    order; ``()`` when there is none.

    Probes on ``on`` or, by default, on each date the policy uses (:func:`dates_used`). The
    parameter values in force on ``as_of`` (by default ``on``, else today) are checked against
    their ``review_by`` and ``expires`` dates. Never raises for a faulty policy: each fault is a
    :class:`~relapse_guard.checks.findings.Finding` naming the rule, route, trigger,
    intervention, review or parameter at fault, and why.

    >>> from relapse_guard.policies import load_policy
    >>> check_policy(load_policy("chongqing_2016"))
    ()
    """
    probe = Probe(policy, dates_used(policy) if on is None else (on,), ENGINE_PARAMETERS)
    return in_check_order(
        [
            *reachability_findings(policy),
            *route_findings(policy, probe),
            *unused_interventions(policy),
            *fact_kind_findings(policy),
            *parameter_findings(probe),
            *unread_findings(policy, probe),
            *failure_findings(probe),
            *fen_findings(probe),
            *expiry_findings(policy, as_of or on or dt.date.today()),
            *double_money_findings(policy, probe),
            *responsibility_findings(policy, probe),
            *review_schedule_findings(policy),
            *lines_findings(policy),
        ]
    )


def dates_used(policy: Policy) -> tuple[dt.date, ...]:
    """The first date all of the engine's required parameters are in force, then every later
    date a parameter of the policy changes.

    >>> from relapse_guard.policies import load_policy
    >>> dates_used(load_policy("bishan_2016"))[:2]
    (datetime.date(2015, 1, 1), datetime.date(2016, 1, 1))
    """
    tree = policy.parameters
    start = max(tree.get(name).first_date for name in REQUIRED_PARAMETERS)
    changes = {effective for name in tree for effective, _ in tree.get(name).values if effective > start}
    return (start, *sorted(changes))
