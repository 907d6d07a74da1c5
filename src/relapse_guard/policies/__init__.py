"""Shipped policies and the policy registry.

The seed's district policies (Chongqing 2016) are built in; packages add their own under
the entry-point group ``relapse_guard.policies`` (a name pointing at a function that
returns a :class:`~relapse_guard.policy.Policy`).

>>> load_policy("yubei_2016").label
'yubei_2016@2016.1'
"""

from __future__ import annotations

from ..policy import Policy
from ..registry import Registry

__all__ = ["POLICIES", "load_policy", "policy_names"]

#: The policy registry: names to functions returning a Policy.
POLICIES: Registry[Policy] = Registry(
    "policy",
    "relapse_guard.policies",
    {
        "chongqing_2016": "relapse_guard.policies.chongqing_2016:policy",
        "yubei_2016": "relapse_guard.policies.yubei_2016:policy",
        "dazu_2016": "relapse_guard.policies.dazu_2016:policy",
        "bishan_2016": "relapse_guard.policies.bishan_2016:policy",
    },
)


def load_policy(name: str) -> Policy:
    """The registered policy ``name``; :class:`~relapse_guard.errors.UnknownPlugin` lists the known ones."""
    return POLICIES.create(name)


def policy_names() -> tuple[str, ...]:
    """Names of every registered policy."""
    return POLICIES.names()
