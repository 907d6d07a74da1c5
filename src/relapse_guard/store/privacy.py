"""Personal ids in the store: kept as given, or replaced by a keyed hash when the caller asks.

With a key, every member id — in households and in the ``member_id`` field of facts, a
correction's replacement fact included — is stored as ``"h:"`` followed by the hex
HMAC-SHA256 of the id under the key. The same id always gives the same hash, so a household
read back still matches its facts and the engine runs on it unchanged; without the key nobody
can compute the hash of a guessed id (an unkeyed hash of an 18-digit national id number is
easily reversed by trying them all).

Messages and logs never show a full personal id: :func:`scrub` masks any left in a text
with :func:`~relapse_guard.errors.redact`.
"""

from __future__ import annotations

import hmac
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from hashlib import sha256
from typing import Any

import attrs

from ..errors import InvalidArgument, redact
from ..fact_fields import field_specs
from ..facts import Fact
from ..household import Household

__all__ = ["HASH_PREFIX", "PERSONAL_FIELDS", "Pseudonymizer", "is_hashed", "personal_values", "scrub"]

#: What a hashed personal id starts with.
HASH_PREFIX = "h:"
#: Fact fields that hold a personal id.
PERSONAL_FIELDS = frozenset({"member_id"})

_HASHED = re.compile(r"h:[0-9a-f]{64}")
# Characters that may be part of an id: a personal id is replaced only where it stands alone.
_ID_CHAR = r"[0-9A-Za-z_\-]"


def is_hashed(value: str) -> bool:
    """True for a personal id already hashed by a :class:`Pseudonymizer`."""
    return _HASHED.fullmatch(value) is not None


def personal_values(record: object) -> list[str]:
    """The personal ids a raw record holds, as text (for :func:`scrub`), whatever their type,
    those of a record inside it (a correction's ``replacement``) included."""
    if not isinstance(record, Mapping):
        return []
    found: list[str] = []
    for key in PERSONAL_FIELDS:
        value = record.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            found.append(str(value))
        elif isinstance(value, list | tuple):
            found.extend(str(v) for v in value if isinstance(v, str | int))
    for value in record.values():
        if isinstance(value, Mapping):
            found.extend(personal_values(value))
    return found


def scrub(text: str, personal_ids: Iterable[str]) -> str:
    """``text`` with each of ``personal_ids`` found in it shown redacted.

    >>> scrub("member '500112198001011234' unknown", ["500112198001011234"])
    "member '500***34' unknown"
    """
    for personal_id in sorted(set(personal_ids), key=len, reverse=True):
        if len(personal_id) > 6 and personal_id in text:
            text = text.replace(personal_id, redact(personal_id))
    return text


class Pseudonymizer:
    """Replaces personal ids by their keyed hash (``key`` given) or leaves them (``key=None``).

    Hashing is idempotent: an id that is already a hash is kept, so facts read back from a
    store and written again are not hashed twice.

    >>> p = Pseudonymizer(b"a key of 16 bytes or more")
    >>> p.personal_id("500112198001011234") == p.personal_id(p.personal_id("500112198001011234"))
    True
    >>> Pseudonymizer(None).personal_id("m1")
    'm1'
    """

    def __init__(self, key: bytes | None) -> None:
        if key is not None and (not isinstance(key, bytes) or len(key) < 16):
            raise InvalidArgument("id_key must be bytes, at least 16 of them (e.g. os.urandom(32)), or None")
        self._key = key

    @property
    def enabled(self) -> bool:
        """True when personal ids are hashed."""
        return self._key is not None

    def personal_id(self, value: str) -> str:
        """The stored form of a personal id."""
        if self._key is None or is_hashed(value):
            return value
        return HASH_PREFIX + hmac.new(self._key, value.encode("utf-8"), sha256).hexdigest()

    def household(self, household: Household) -> Household:
        """``household`` with its member ids hashed."""
        if self._key is None:
            return household
        members = tuple(attrs.evolve(m, id=self.personal_id(m.id)) for m in household.members)
        return attrs.evolve(household, members=members)

    def fact(self, fact: Fact) -> Fact:
        """``fact`` with its personal id fields hashed, and those of a fact it holds (a
        correction's ``replacement``)."""
        if self._key is None:
            return fact
        changes: dict[str, Any] = {
            name: self.personal_id(value)
            for name in PERSONAL_FIELDS
            if isinstance(value := getattr(fact, name, None), str)
        }
        for name in _fact_fields(type(fact)):
            value = getattr(fact, name)
            if isinstance(value, Fact) and (hashed := self.fact(value)) is not value:
                changes[name] = hashed
        return attrs.evolve(fact, **changes) if changes else fact

    def record(self, record: object) -> object:
        """A raw input record (a dict, before parsing) with its personal id fields hashed.

        A malformed id is hashed too: a number as its digits, each string inside a list; and so
        are those of a record inside it (a correction's ``replacement``).
        """
        if self._key is None or not isinstance(record, Mapping):
            return record
        return {
            key: self._any_id(value)
            if key in PERSONAL_FIELDS
            else self.record(value)
            if isinstance(value, Mapping)
            else value
            for key, value in record.items()
        }

    def _any_id(self, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return _replace_strings(value, self.personal_id)

    def decision(self, entry: dict[str, Any], personal_ids: Iterable[str]) -> dict[str, Any]:
        """A decision's dict with each of ``personal_ids`` replaced wherever it stands alone.

        A decision names members in its risk (``member_id`` and keys such as
        ``illness:<member>:<date>``); ids inside longer ids are left alone.
        """
        ids = sorted({i for i in personal_ids if i and not is_hashed(i)}, key=len, reverse=True)
        if self._key is None or not ids:
            return entry
        pattern = re.compile(
            rf"(?<!{_ID_CHAR})(?:{'|'.join(re.escape(i) for i in ids)})(?!{_ID_CHAR})",
        )
        result = _replace_strings(entry, lambda text: pattern.sub(lambda m: self.personal_id(m.group(0)), text))
        assert isinstance(result, dict)
        return result


#: By fact class: its fields that hold a fact (see :func:`_fact_fields`).
_FACT_FIELDS: dict[type, tuple[str, ...]] = {}


def _fact_fields(cls: type) -> tuple[str, ...]:
    """The fields of fact class ``cls`` that hold a fact (a correction's ``replacement``), looked
    up once per class: every fact stored goes through :meth:`Pseudonymizer.fact`."""
    found = _FACT_FIELDS.get(cls)
    if found is None:
        found = _FACT_FIELDS[cls] = tuple(
            spec.name for spec in field_specs(cls) if spec.hint is Fact or Fact in typing.get_args(spec.hint)
        )
    return found


def _replace_strings(value: object, replace: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _replace_strings(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, replace) for item in value]
    return value
