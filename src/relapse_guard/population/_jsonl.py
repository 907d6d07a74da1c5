"""JSON Lines: one household or one fact per line, as their ``to_dict()`` writes them.

Reading decodes each line with the ``json`` module's C scanner directly (half the cost of
``json.loads``, which only adds checks for whitespace around the value); a line it does not
take is handed to ``json.loads``, which accepts what it may and words the error otherwise.
Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidInput
from ..fact_plans import NOT_FAST
from ..facts import Fact
from ..household import Household
from ._build import FactBuilder
from ._households import build_household
from ._layout import FactDumper
from ._merge import FactGroup, HouseholdGroup
from ._messages import describe_error, describe_failure, fact_field_names
from ._records import BadRow

__all__ = ["JsonlWriter", "jsonl_fact_groups", "jsonl_household_groups"]

# The C scanner json.loads ends in; it returns (value, end) for a value starting at an index.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_BLANK = object()
_NOTHING = object()


def _decode(line: str) -> tuple[Any, str | None]:
    """``(value, None)``, ``(_BLANK, None)`` for a blank line, or ``(None, problem)``."""
    try:
        value, end = _scan(line, 0)
    except (StopIteration, ValueError):
        value, end = _NOTHING, 0
    if value is not _NOTHING and (end == len(line) or line[end:].isspace()):
        return value, None
    if not line.strip():
        return _BLANK, None
    try:
        return json.loads(line), None
    except json.JSONDecodeError as error:
        return None, f"not valid JSON: {error.msg} at column {error.colno}"


def _not_an_object(value: object, what: str) -> str:
    return f"expected a JSON object (a {what}), found {type(value).__name__ if value is not None else 'null'}"


def jsonl_household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """Each household line of ``path`` as ``(id, household or None, bad rows, line)``."""
    name = str(path)
    fields = frozenset[str]()
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            data, problem = _decode(line)
            if data is _BLANK:
                continue
            if problem is not None:
                yield None, None, [BadRow(name, number, "json", problem)], number
                continue
            if type(data) is not dict:
                yield None, None, [BadRow(name, number, "row", _not_an_object(data, "household"))], number
                continue
            raw_id = data.get("id")
            hid = raw_id if type(raw_id) is str and raw_id.strip() else None
            try:
                household = build_household(data)
            except InvalidInput as error:
                yield hid, None, [BadRow(name, number, error.field, describe_error(error, fields), hid)], number
                continue
            yield household.id, household, [], number


def jsonl_fact_groups(path: Path, builder: FactBuilder) -> Iterator[FactGroup]:
    """The fact lines of ``path`` grouped by household: ``(id, facts, bad rows)`` per run of lines.

    A line that names no household (unreadable, or without a string ``household_id``) joins
    the group it sits in.
    """
    name = str(path)
    fields = fact_field_names(builder.kinds)
    build = builder.build
    plans_get = builder.fast_builders().get
    current: str | None = None
    facts: list[Fact] = []
    bad: list[BadRow] = []
    first = last = 0
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            # The common case inline (a call per line costs): one object, then the newline.
            try:
                data, end = _scan(line, 0)
            except (StopIteration, ValueError):
                end = -1
            tail = line[end:]  # "\n" for a well-formed line (a one-character string: no copy)
            if end < 0 or (tail != "\n" and tail and not tail.isspace()):
                data, problem = _decode(line)
            else:
                problem = None
            if type(data) is dict:
                hid = data.get("household_id")
                if hid != current and type(hid) is str:
                    if facts or bad:
                        yield current, facts, bad, first, last
                        facts, bad = [], []
                    current, first = hid, number
                last = number
                kind = data.get("kind")
                fast = plans_get(kind) if type(kind) is str else None  # the builder's dispatch, inline
                if fast is not None:
                    try:
                        facts.append(fast(data))
                        continue
                    except NOT_FAST:
                        pass
                try:
                    facts.append(build(data))
                except (ValueError, TypeError) as error:
                    field, message = describe_failure(error, fields)
                    bad.append(BadRow(name, number, field, message, current))
                continue
            if data is _BLANK:
                continue
            if not facts and not bad:
                first = number
            last = number
            if problem is not None:
                bad.append(BadRow(name, number, "json", problem, current))
            else:
                bad.append(BadRow(name, number, "row", _not_an_object(data, "fact"), current))
    if facts or bad:
        yield current, facts, bad, first, last


class JsonlWriter:
    """Writes households and facts as JSON Lines (compact, UTF-8, one object per line)."""

    suffix = ".jsonl"

    def __init__(self, households_path: Path, facts_path: Path) -> None:
        self._households: IO[str] = open(households_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._facts: IO[str] = open(facts_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._line = FactDumper().json_line

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written."""
        self._households.write(_encode(household.to_dict()) + "\n")
        lines = [self._line(fact) for fact in facts]
        self._facts.writelines(lines)
        return len(lines)

    def close(self) -> None:
        """Flush and close both files."""
        self._households.close()
        self._facts.close()
