"""The ``check`` command of ``relapse-guard``: a policy's static checks, for people and for CI.

The policy is a registered name (``yubei_2016``) or a policy of your own, given as
``path/to/file.py:NAME`` or ``package.module:NAME``, where ``NAME`` is a
:class:`~relapse_guard.policy.Policy` or a function of no arguments that returns one, as
every ``--policy`` takes it: :func:`~relapse_guard.cli_policy.load_policy_spec` (also here)
resolves such a spec. :func:`run_check` prints the findings of
:func:`~relapse_guard.checks.check_policy` and returns the exit code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence

from .checks import CHECKS, Finding, check_policy
from .cli_policy import load_policy_spec
from .errors import InvalidArgument
from .interface import ntr, plural, tr
from .policy import Policy

__all__ = ["OUTPUT_FORMATS", "finding_to_dict", "load_policy_spec", "run_check", "summary"]

#: What ``relapse-guard check --format`` can print.
OUTPUT_FORMATS = ("text", "json")


def finding_to_dict(finding: Finding, policy: Policy) -> dict[str, str]:
    """One finding as JSON-ready data: ``policy`` (its label), ``check``, ``subject`` and ``message``."""
    return {"policy": policy.label, "check": finding.check, "subject": finding.subject, "message": finding.message}


def summary(policy: Policy, findings: Sequence[Finding], lang: str = "en") -> str:
    """The closing line of ``check``: how many findings of which check, or none (in ``lang``).

    >>> summary(load_policy_spec("yubei_2016"), ())
    'yubei_2016@2016.1: no findings (16 checks run)'
    """
    if not findings:
        checks = plural(len(CHECKS), "check", lang=lang)
        return tr(lang, "{policy}: no findings ({checks} run)", policy=policy.label, checks=checks)
    counts = Counter(f.check for f in findings)
    by_check = ", ".join(f"{check} {counts[check]}" for check in CHECKS if check in counts)
    return ntr(
        lang,
        "{policy}: {count} finding ({checks})",
        "{policy}: {count} findings ({checks})",
        len(findings),
        policy=policy.label,
        count=str(len(findings)),
        checks=by_check,
    )


def run_check(
    spec: str, output_format: str = "text", on: dt.date | None = None, as_of: dt.date | None = None, *, lang: str = "en"
) -> int:
    """Print the static checks' findings for the policy ``spec`` names (see :func:`load_policy_spec`).

    ``text`` prints one line per finding (``check: subject: message``) and a summary line;
    ``json`` prints a JSON list of findings as objects (:func:`finding_to_dict`) and nothing
    else. ``on`` probes that date only, instead of every date the policy uses; ``as_of`` is the
    date the parameters' ``review_by`` and ``expires`` are compared with (``on``, else today).
    The summary line is said in ``lang`` (the findings as the checks wrote them).

    Returns 0 when there are no findings and 1 when there are; raises
    :class:`~relapse_guard.errors.InvalidPolicySpec` (an
    :class:`~relapse_guard.errors.UnknownPolicy` for an unknown name) for a spec that names no policy.
    """
    if output_format not in OUTPUT_FORMATS:
        raise InvalidArgument(f"unknown output format {output_format!r}; known: {', '.join(OUTPUT_FORMATS)}")
    policy = load_policy_spec(spec)
    findings = check_policy(policy, on=on, as_of=as_of)
    if output_format == "json":
        print(json.dumps([finding_to_dict(f, policy) for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding)
        print(summary(policy, findings, lang))
    return 1 if findings else 0
