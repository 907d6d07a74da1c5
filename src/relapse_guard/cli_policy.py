"""The policy a command runs under: ``--policy`` (and ``check POLICY``) and ``--policy-map``, one way for every command.

A policy is given as a **spec**: a registered name (``yubei_2016``, or one a package declares
under the entry-point group ``relapse_guard.policies``), or a policy of your own as
``path/to/file.py:NAME`` or ``package.module:NAME``, where ``NAME`` is a
:class:`~relapse_guard.policy.Policy` or a function of no arguments that returns one.
:func:`load_policy_spec` resolves a spec, :func:`policy_source` and :func:`policy_or_map`
what a command's ``--policy`` or ``--policy-map`` names. The options themselves, with their one
help text, are declared by :mod:`relapse_guard.argtypes`. A file is run to load it: only give
files you trust.
"""

from __future__ import annotations

from .errors import InvalidArgument
from .policies.policy_map import PolicyMap, load_policy_map
from .policies.spec import load_policy_spec
from .policy import Policy
from .screening.choice import PolicySource

__all__ = ["load_policy_spec", "policy_or_map", "policy_source"]


def policy_source(policy: str | None, policy_map: str | None) -> PolicySource:
    """What ``--policy`` or ``--policy-map`` names, checked before any work: the policy spec
    (loaded once here, so that an unknown one fails now), or the policy map read and its
    policies loaded (a built-in map's name, ``chongqing``, or a TOML file).

    Worker processes are sent the spec and load it themselves (with :func:`load_policy_spec`).
    """
    if policy_map is not None:
        loaded = load_policy_map(policy_map)
        loaded.policies()
        return loaded
    if policy is None:
        raise InvalidArgument("give --policy SPEC or --policy-map FILE")
    load_policy_spec(policy)
    return policy


def policy_or_map(policy: str | None, policy_map: str | None) -> Policy | PolicyMap:
    """As :func:`policy_source`, for a command that runs in this process only: the policy
    itself (its file run once), or the policy map."""
    if policy_map is not None:
        return load_policy_map(policy_map)
    if policy is None:
        raise InvalidArgument("give --policy SPEC or --policy-map FILE")
    return load_policy_spec(policy)
