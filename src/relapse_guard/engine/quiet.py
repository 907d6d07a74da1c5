"""A quiet month without decoding a checkpoint: income assessments the prefilter would only
record, applied to a compact checkpoint's head, its tail (risks, grants, cases) left as it is.

Most households get one income assessment a month, or none, and nothing happens to them. For
such a household :meth:`Engine.resume <relapse_guard.engine.Engine.resume>` would decode the
whole checkpoint, record the income (the prefilter's band says no rule or trigger can fire)
and encode it again. :func:`patch_quiet` gives the same checkpoint from the head alone, when

- the checkpoint was made under the engine's policy (fingerprint) for the same household record;
- every new fact is an income assessment at or above the checkpoint's income band (and, with an
  entitlement running that follows the income, strictly inside its gate: no obvious change
  before the re-check), dated on or after its clock and before the band or gate may change,
  sorting after its last fact, and not before a member's birth;
- nothing falls due on the way: the new clock (``as_of``) is before the checkpoint's next event
  (so no transition period starts or ends, no review or case step falls due);
- the engine records no decisions (a quiet fact makes none, but the count would be unknown).

Otherwise it returns None, and the household is resumed the usual way.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from decimal import Decimal

from ..facts import Fact, IncomeAssessed
from ..household import Household
from .checkpoint import HEAD, join_compact, split_compact
from .fingerprint import household_fingerprint

__all__ = ["patch_quiet"]

_AT = {name: index for index, name in enumerate(HEAD)}
_RECORD, _STATE_SINCE = _AT["household"], _AT["state_since"]
_INCOME, _INCOME_FACT, _PREVIOUS = _AT["income"], _AT["income_fact"], _AT["previous_income"]
_CLOCK, _LAST, _DECISIONS, _NEXT = _AT["clock"], _AT["last_fact"], _AT["decisions"], _AT["next_event"]
_BAND, _UNTIL, _GATE = _AT["quiet_band"], _AT["quiet_until"], _AT["quiet_gate"]
#: Where the compact form keeps the policy fingerprint (after the 4 bytes of magic and schema).
_FINGERPRINT_AT = slice(4, 12)


@functools.lru_cache(maxsize=64)
def _raw(fingerprint: str) -> bytes:
    return bytes.fromhex(fingerprint)


def patch_quiet(
    data: bytes,
    household: Household,
    new_facts: Sequence[Fact],
    *,
    as_of: dt.date,
    fingerprint: str,
    wake: dt.date | None = None,
) -> bytes | None:
    """The compact checkpoint ``data`` carried on to ``as_of`` with ``new_facts`` (in the order the
    engine applies them), when they are quiet (see the module docstring); else None.

    ``fingerprint`` is the engine's policy fingerprint; ``wake``, when given, a date before
    which the caller wants the household left alone (the store's next event for it), so the
    new clock must be before it too.
    """
    if data[_FINGERPRINT_AT] != _raw(fingerprint):  # another policy or other parameters: not here
        return None
    found, head, tail = split_compact(data)
    values = json.loads(head)
    band, until, next_event, clock = values[_BAND], values[_UNTIL], values[_NEXT], values[_CLOCK]
    if band is None or until is None or clock is None or values[_DECISIONS] is not None:
        return None
    day = as_of.isoformat()
    if day < clock or (next_event is not None and day >= next_event) or (wake is not None and as_of >= wake):
        return None
    if values[_RECORD] != household_fingerprint(household):
        return None
    if new_facts:
        threshold = Decimal(band)
        gate = values[_GATE] if len(values) > _GATE else None  # a head without it has no gate
        bounds = None if gate is None else (Decimal(gate[0]), Decimal(gate[1]))
        last = values[_LAST]
        born = max(member.birth_date for member in household.members)
        previous_key = None if last is None else (dt.date.fromisoformat(last[0]), last[1], last[2])
        clock_date = dt.date.fromisoformat(clock)
        until_date = dt.date.fromisoformat(until)
        for fact in new_facts:
            if type(fact) is not IncomeAssessed or fact.income_per_capita < threshold:
                return None
            if bounds is not None and not bounds[0] < fact.income_per_capita < bounds[1]:
                return None
            key = (fact.date, fact.order, fact.id)
            if (previous_key is not None and key <= previous_key) or fact.date < clock_date:
                return None
            if fact.date >= until_date or fact.date > as_of or fact.date < born:
                return None
            previous_key = key
            values[_PREVIOUS], values[_INCOME] = values[_INCOME], str(fact.income_per_capita)
            values[_INCOME_FACT] = fact.id
        values[_LAST] = [new_facts[-1].date.isoformat(), new_facts[-1].order, new_facts[-1].id]
    values[_CLOCK] = day
    text = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return join_compact(found, text, tail)
