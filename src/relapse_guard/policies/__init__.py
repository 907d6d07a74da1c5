"""Shipped policies and the policy registry.

The seed's district policies (Chongqing 2016) are built in; packages add their own under
the entry-point group ``relapse_guard.policies`` (a name pointing at a function that
returns a :class:`~relapse_guard.policy.Policy`, or at a policy made when its module is imported).

>>> load_policy("yubei_2016").label
'yubei_2016@2016.1'
"""

from __future__ import annotations

from ..errors import BrokenPlugin, RelapseGuardError, UnknownPlugin
from ..policy import Policy
from ..registry import Registry, reason

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


#: What an unknown name that looks like a spec (``district.py:district``) is told.
_SPEC_ADVICE = (
    "load_policy takes registered names only; for a policy of your own (path/to/file.py:NAME or "
    "package.module:NAME) call relapse_guard.cli_policy.load_policy_spec, or pass load=load_policy_spec "
    "to a screen, report or what-if"
)


def load_policy(name: str) -> Policy:
    """The registered policy ``name``; :class:`~relapse_guard.errors.UnknownPlugin` lists the known ones
    (and, for a name such as ``district.py:district``, says to load it with ``load_policy_spec``).

    A registered policy that cannot be loaded — its import raises, or its function raises an
    error that is not the library's own or returns something else than a policy — raises
    :class:`~relapse_guard.errors.BrokenPlugin` with the reason.
    """
    try:
        factory = POLICIES.factory(name)
    except UnknownPlugin as error:
        if ":" not in name:
            raise
        raise UnknownPlugin("policy", name, error.known, advice=_SPEC_ADVICE) from None
    if isinstance(factory, Policy):  # an entry point naming a policy made at import, not a function
        return factory
    try:
        policy = factory()
    except RelapseGuardError:
        raise  # the library's own error (an InvalidPolicy, ...) already says what is wrong
    except Exception as error:  # a plug-in's function may raise anything: say which and why
        raise BrokenPlugin("policy", name, POLICIES.source(name), reason(error)) from error
    if not isinstance(policy, Policy):
        returned = f"its function returned {type(policy).__name__}, not a Policy"
        raise BrokenPlugin("policy", name, POLICIES.source(name), returned)
    return policy


def policy_names() -> tuple[str, ...]:
    """Names of every registered policy."""
    return POLICIES.names()
