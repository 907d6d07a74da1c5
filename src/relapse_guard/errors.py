"""The exception hierarchy: every error the library raises derives from :class:`RelapseGuardError`.

Messages name the household, the field and the value at fault, and what was expected,
so that a data platform screening millions of households can point at the bad record.
Personal ids (member ids, which may be national id numbers) are shown redacted.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ConflictingFact",
    "InvalidFact",
    "InvalidHousehold",
    "InvalidInput",
    "InvalidParameterFile",
    "InvalidPolicy",
    "InvalidTransition",
    "ParameterError",
    "ParameterNotInForce",
    "RelapseGuardError",
    "UnknownParameter",
    "UnknownPlugin",
    "redact",
]


def redact(personal_id: str) -> str:
    """Return ``personal_id`` with its middle masked, for messages and logs.

    >>> redact("500112198001011234")
    '500***34'
    >>> redact("m1")
    'm1'
    """
    if len(personal_id) <= 6:
        return personal_id
    return f"{personal_id[:3]}***{personal_id[-2:]}"


class RelapseGuardError(Exception):
    """Base class of every error raised by relapse_guard."""


class InvalidInput(RelapseGuardError, ValueError):
    """A household, fact or file holds a value the library cannot accept.

    Attributes name what was wrong, so callers can report or quarantine the record.
    """

    def __init__(self, household_id: str | None, field: str, value: object, expected: str) -> None:
        self.household_id = household_id
        self.field = field
        self.value = value
        self.expected = expected
        where = f"household {household_id!r}" if household_id else "record without household id"
        super().__init__(f"{where}: field {field!r} has value {value!r}; expected {expected}")


class InvalidHousehold(InvalidInput):
    """A household or one of its members is invalid (empty id, duplicate member, ...)."""


class InvalidFact(InvalidInput):
    """A fact is invalid: missing field, wrong type, negative amount, unknown kind, ..."""

    def __init__(
        self,
        household_id: str | None,
        field: str,
        value: object,
        expected: str,
        *,
        fact_id: str | None = None,
    ) -> None:
        self.fact_id = fact_id
        super().__init__(household_id, field, value, expected)
        if fact_id:
            self.args = (f"fact {fact_id!r} of {self.args[0]}",)


class ConflictingFact(InvalidFact):
    """Two facts share an id but differ in content; a fact id must name one fact."""


class InvalidTransition(RelapseGuardError):
    """An event was fired in a lifecycle state that has no transition for it."""

    def __init__(self, household_id: str, state: str, event: str, allowed: Iterable[str]) -> None:
        self.household_id = household_id
        self.state = state
        self.event = event
        self.allowed = tuple(sorted(allowed))
        allowed_text = ", ".join(self.allowed) or "none"
        super().__init__(
            f"household {household_id!r}: event {event!r} is not allowed in state {state!r} "
            f"(events allowed there: {allowed_text})"
        )


class ParameterError(RelapseGuardError, LookupError):
    """Base class of parameter look-up and loading errors."""


class UnknownParameter(ParameterError):
    """A parameter name that the tree does not hold."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        known_sorted = sorted(known)
        close = [k for k in known_sorted if k.split(".")[-1] == name.split(".")[-1] or name in k]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        super().__init__(f"unknown parameter {name!r}{hint} ({len(known_sorted)} parameters known)")


class ParameterNotInForce(ParameterError):
    """A parameter looked up on a date before its first effective date."""

    def __init__(self, name: str, on: object, first: object) -> None:
        self.name = name
        self.on = on
        self.first = first
        super().__init__(f"parameter {name!r} has no value on {on}: its first value takes effect on {first}")


class InvalidParameterFile(ParameterError, ValueError):
    """A parameter file (TOML) is malformed; the message names the file and the key."""


class UnknownPlugin(RelapseGuardError, LookupError):
    """A trigger, intervention or policy name that no registry knows."""

    def __init__(self, group: str, name: str, known: Iterable[str]) -> None:
        self.group = group
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(f"unknown {group} {name!r}; known: {', '.join(self.known) or 'none'}")


class InvalidPolicy(RelapseGuardError, ValueError):
    """A policy is inconsistent: a route names an unknown intervention, a rule is missing, ..."""
