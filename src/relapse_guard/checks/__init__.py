"""Static checks of a policy: what can be found wrong without any household's facts.

:func:`check_policy` looks at a policy's lifecycle settings, routes, interventions, reviews
and dated parameters, and probes every rule, trigger, route condition and intervention on
representative households and facts on the dates the policy uses, recording each parameter
they read. Each problem is a :class:`Finding` naming the check, the rule, route, trigger,
intervention, review or parameter at fault, and why it matters. An empty tuple means nothing
was found.

The checks (:data:`CHECKS`), by module:

- ``unreachable_state`` (:mod:`.reachability`): lifecycle states the policy can never reach,
  and the ``entered:<state>`` routes and reviews that therefore never run;
- ``unrouted_risk_kind``, ``dead_route``, ``unused_intervention`` (:mod:`.routes`): risk kinds
  the triggers produce that no route handles, routes for a kind no trigger produces (often
  a typo), interventions no route names;
- ``unread_fact_kind`` (:mod:`.fact_kinds`): triggers of a fact kind the policy's ``fact_kinds``
  do not take (files and stores refuse such facts);
- ``parameter_missing``, ``parameter_invalid`` (:mod:`.parameters`): parameters read but not
  defined, or not in force on a date the policy uses; a value a component refuses;
- ``parameter_unread`` (:mod:`.unread`): parameters nothing reads whose name is close to one
  that is read (a misspelt override in a parameter file);
- ``component_fails`` (:mod:`.failures`): components that raise on every input probed;
- ``parameter_review_due``, ``parameter_expired`` (:mod:`.expiry`): parameter values in use
  past their ``review_by`` or their ``expires`` date;
- ``double_money``, ``no_responsible_unit`` (:mod:`.grants`): two route steps that pay the
  same money for one risk; reviews and services with no responsible unit;
- ``review_skips_months`` (:mod:`.review_schedule`): reviews with no due date in a month they name;
- ``lines_apart`` (:mod:`.lines`): a poverty line and a safety-net standard that were one line
  (two lines in one) and part on a later date.

:mod:`.findings` holds :data:`CHECKS` and :class:`Finding`, :mod:`.run` runs them all,
:mod:`.probe` runs the components on the inputs of :mod:`.samples`.

A trigger's risk kinds are those it declares in ``risk_kinds`` and those seen while probing;
a trigger that declares none is assumed to produce risks of its ``name`` (:func:`risk_kinds`).
"""

from .findings import CHECKS, Finding
from .routes import risk_kinds
from .run import check_policy

__all__ = ["CHECKS", "Finding", "check_policy", "risk_kinds"]
