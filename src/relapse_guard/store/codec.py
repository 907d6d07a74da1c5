"""How facts, households and log entries are written: canonical JSON, read back through fact kinds.

Canonical JSON (sorted keys, no spaces, UTF-8) makes equal content equal text, which the
hash chain needs. Money stays exact: :meth:`Fact.to_dict` writes decimals as strings, and
they are read back as the same :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import WrongType
from ..facts import Fact, FactKinds
from ..household import Household

__all__ = [
    "canonical_json",
    "decode_fact",
    "decode_household",
    "digest",
    "encode_fact",
    "encode_household",
    "same_fact",
]


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set | tuple):
        return sorted(value, key=str) if isinstance(value, frozenset | set) else list(value)
    raise WrongType(f"{type(value).__name__} cannot be stored as JSON")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_json(value: object) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces, non-ASCII kept.

    >>> canonical_json({"b": 1, "a": [Decimal("1.50")]})
    '{"a":["1.50"],"b":1}'
    """
    return _ENCODER.encode(value)


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_fact(fact: Fact) -> str:
    """The stored form of a fact: canonical JSON of :meth:`Fact.to_dict`."""
    return canonical_json(fact.to_dict())


def decode_fact(body: str, kinds: FactKinds) -> Fact:
    """A stored fact read back through ``kinds`` (raises :class:`InvalidFact` for an unknown kind)."""
    data: Mapping[str, Any] = json.loads(body)
    return kinds.parse(data)


def same_fact(body: str, fact: Fact, encoded: str | None = None) -> bool:
    """True when the stored ``body`` is the same fact as ``fact``, as the engine compares facts.

    Equal text is the same fact; otherwise the stored fact is parsed as ``fact``'s kind and
    compared by value, so ``"3500"`` and ``"3500.00"`` are the same amount, as in
    :func:`~relapse_guard.engine.order_facts`. ``encoded`` is ``fact``'s stored form, if known.
    """
    if body == (encoded if encoded is not None else encode_fact(fact)):
        return True
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("kind") != fact.kind:
        return False
    try:
        stored = FactKinds({fact.kind: type(fact)}).parse(data)
    except ValueError:
        return False
    return stored == fact


def encode_household(household: Household) -> str:
    """The stored form of a household: canonical JSON of :meth:`Household.to_dict`."""
    return canonical_json(household.to_dict())


def decode_household(body: str) -> Household:
    """A stored household read back."""
    return Household.from_dict(json.loads(body))
