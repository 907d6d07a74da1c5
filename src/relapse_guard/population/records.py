"""What reading a population yields: one record per household, the bad rows met on the way, and errors.

A bad *row* is not an error: it becomes a :class:`BadRow` in its household's
:class:`PopulationRecord` and reading goes on; its message comes from the library's error and
never shows a personal id whole (:func:`describe_error`). A :class:`PopulationError` is for what
stops a whole file: a missing file, a CSV header with an unknown column, a manifest of an
unknown format version, a missing extra (:class:`MissingDependency`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import NamedTuple, TypeVar

import attrs

from ..errors import InvalidFact, InvalidInput, RelapseGuardError, redact
from ..facts import Fact, FactKinds
from ..household import Household

__all__ = [
    "BadRow",
    "MissingDependency",
    "PopulationError",
    "PopulationRecord",
    "chunks",
    "describe_error",
    "describe_failure",
    "fact_field_names",
]

_T = TypeVar("_T")


class PopulationError(RelapseGuardError, ValueError):
    """A population directory, manifest or file cannot be read or written as a whole."""


class MissingDependency(PopulationError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs {package}, which is not installed: pip install 'relapse-guard[{extra}]' "
            f"(or pip install {package})"
        )


@attrs.frozen
class BadRow:
    """A row that could not be read, and why; reading went on without it.

    ``file`` is the path of the file as it was opened, ``line`` the 1-based line of the row
    (for CSV the line the row starts on, counting the header as line 1; for Parquet the
    1-based row number), ``field`` the field at fault (``"json"`` or ``"row"`` when the row
    itself is unreadable). ``message`` says what was wrong and what was expected; it never
    shows a member id (a personal id) in full.
    """

    file: str
    line: int
    field: str
    message: str
    household_id: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    def to_dict(self) -> dict[str, str | int | None]:
        """A JSON-ready dict: the file, line, field and message, and the household the row is of
        (None when the row names none that could be read), to join it with the household's row."""
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "household_id": self.household_id,
        }


class PopulationRecord(NamedTuple):
    """One household of a population with its facts, as read from the files.

    A named tuple, so ``for household, facts, bad_rows in records`` works. ``household`` is
    ``None`` when there is no household to screen: its row was invalid, it appeared twice,
    or the record only carries bad rows that belong to no household of the file (facts of a
    household the households file does not have). ``facts`` are the household's valid facts
    in file order; ``bad_rows`` the rows of this household, or of this place in the files,
    that could not be read.
    """

    household: Household | None
    facts: tuple[Fact, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()

    @property
    def household_id(self) -> str | None:
        """The household's id; for a skipped household the id its rows named, if they named one."""
        if self.household is not None:
            return self.household.id
        for row in self.bad_rows:
            if row.household_id is not None:
                return row.household_id
        return None

    @property
    def skipped(self) -> bool:
        """True when there is no household to screen (see :attr:`household`)."""
        return self.household is None


def chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """Lists of ``size`` items from ``items`` (the last may be shorter), read lazily.

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- messages of bad rows --------------------------------------------------------------------

_SAFE_HOUSEHOLD_FIELDS = frozenset({"id", "place", "place.district", "place.town", "place.village", "members"})
_SAFE_MEMBER_FIELDS = frozenset({"birth_date", "labour_capacity", "health", "schooling"})
_LONGEST_SHOWN = 60


def _safe_field(error: InvalidInput, fact_fields: frozenset[str]) -> bool:
    field = error.field
    if isinstance(error, InvalidFact):
        field = field.removeprefix("replacement.")  # a correction's replacement: its own fields
        return field in fact_fields and field != "member_id"
    if field in _SAFE_HOUSEHOLD_FIELDS:
        return True
    head, _, tail = field.partition("].")
    return head.startswith("members[") and tail in _SAFE_MEMBER_FIELDS


def _shown(value: object, safe: bool) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        text = repr(value if safe else redact(value))
    elif isinstance(value, int) and value.bit_length() > 64:
        return f"an int of {value.bit_length()} bits"  # and str() refuses one of over 4,300 digits
    elif isinstance(value, int | float | Decimal | dt.date):
        text = str(value) if safe else repr(redact(str(value)))
    else:
        return f"a {type(value).__name__}"  # a container may hold anything: say what it is, not what is in it
    return text if len(text) <= _LONGEST_SHOWN else text[: _LONGEST_SHOWN - 3] + "..."


def fact_subject(fact_id: str | None, household_id: str | None) -> str:
    """What a bad row's message says it is: ``fact 'f1' of household 'H1'``, as far as known."""
    subject = f"fact {_shown(fact_id, True)}" if fact_id else "fact"
    if household_id:
        subject += f" of household {_shown(household_id, True)}"
    return subject


def readable_id(value: object) -> str | None:
    """``value`` when it is an id a row undecodable in part still says plainly (text without a byte
    that could not be decoded), else None: for naming the row, best effort."""
    if not isinstance(value, str) or not value.strip() or "\ufffd" in value:
        return None
    return None if any("\udc80" <= char <= "\udcff" for char in value) else value


def describe_error(error: InvalidInput, fact_fields: frozenset[str]) -> str:
    """A message for a bad row from the library's error, never showing a personal id whole.

    Values of member ids, and of fields the library does not know (which may hold anything),
    are shown redacted; those of known fields (dates, amounts, grades...) as they are.
    """
    if isinstance(error, InvalidFact):
        subject = fact_subject(error.fact_id, error.household_id)
    else:
        subject = f"household {_shown(error.household_id, True)}" if error.household_id else "household"
    field = _shown(error.field, True)
    if error.value is None and error.expected.endswith("(required)"):
        return f"{subject}: field {field} is missing; expected {error.expected.removesuffix(' (required)')}"
    shown = _shown(error.value, _safe_field(error, fact_fields))
    return f"{subject}: field {field} has value {shown}; expected {error.expected}"


_LONG_NUMBER = re.compile(r"\d{14,}[\dXx]?")


def describe_failure(error: Exception, fact_fields: frozenset[str]) -> tuple[str, str]:
    """``(field, message)`` of a bad row from the error building it raised.

    The library's errors name their field (see :func:`describe_error`); anything else a fact
    class of a policy's own may raise (an attrs validator's ``ValueError``) is reported against
    the field ``fact``, with long digit runs (id numbers) in its text redacted.
    """
    if isinstance(error, InvalidInput):
        return error.field, describe_error(error, fact_fields)
    text = _LONG_NUMBER.sub(lambda match: redact(match.group()), str(error))
    return "fact", f"refused by its fact class: {type(error).__name__}: {text}"


def fact_field_names(kinds: FactKinds) -> frozenset[str]:
    """Every field name of ``kinds`` plus ``kind``: the fields whose values messages may show."""
    names = {"kind"}
    for cls in kinds.by_kind.values():
        names.update(field.name for field in attrs.fields(cls))
    return frozenset(names)
