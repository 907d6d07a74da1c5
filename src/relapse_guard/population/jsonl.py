"""JSON Lines: one household or one fact per line, as their ``to_dict()`` writes them.

Reading decodes each line with the ``json`` module's C scanner directly (half the cost of
``json.loads``, which only adds checks for whitespace around the value); a line it does not
take is handed to ``json.loads``, which accepts what it may and words the error otherwise.
Blank lines are skipped; an object giving a key twice is a bad row (``json`` would keep the
last value silently). Facts are grouped by household as every format's are
(:class:`~.grouping.FactRuns`); a line that names no household (unreadable, or without a string
``household_id``) joins the group it sits in.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidInput
from ..fact_plans import NOT_FAST
from ..facts import Fact
from ..household import Household
from .grouping import FactGroup, FactRuns, Failure, HouseholdGroup, built, runs_of
from .households import build_household
from .records import BadRow, describe_error, describe_failure, fact_field_names, fact_subject, readable_id
from .rows import FactBuilder, FactDumper

__all__ = ["JsonlFactWriter", "JsonlWriter", "encoding_problem", "fact_groups", "household_groups"]

#: Fact lines built before their groups are made: few, so that facts do not outlive their household long.
_BATCH_LINES = 64


class _RepeatedKey(ValueError):
    """An object of a line gives one key twice: which value is meant cannot be told."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object of ``pairs``; :class:`_RepeatedKey` when a key comes twice (``json`` keeps the last)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return found


# The C scanner json.loads ends in; it returns (value, end) for a value starting at an index.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_BLANK = object()
_NOTHING = object()


def _decode(line: str) -> tuple[Any, str | None]:
    """``(value, None)``, ``(_BLANK, None)`` for a blank line, or ``(None, problem)``."""
    try:
        value, end = _scan(line, 0)
    except (StopIteration, ValueError, RecursionError):
        value, end = _NOTHING, 0
    if value is not _NOTHING and (end == len(line) or line[end:].isspace()):
        return value, None
    if not line.strip():
        return _BLANK, None
    try:
        return json.loads(line.rstrip("\n")), None  # without its newline: an error's column is on the line
    except json.JSONDecodeError as error:
        return None, f"not valid JSON: {error.msg.removesuffix(' at')} at column {error.colno}"
    except RecursionError:
        return None, "not readable JSON: nested too deep"
    except ValueError as error:  # a number Python refuses: an int of over 4,300 digits
        return None, f"not readable JSON: {error}"


def _repeated_key(line: str) -> str | None:
    """Why the object of ``line`` (read already) is refused for a key given twice, or None."""
    try:
        json.loads(line, object_pairs_hook=_unique)
    except _RepeatedKey as repeated:
        return f"the key {repeated.args[0]!r} is given twice in the object (which value is meant cannot be told)"
    except (ValueError, RecursionError):  # read already: cannot happen, but a read is not a check
        return None
    return None


def _household_keys(data: dict[str, Any]) -> int:
    """How many keys a household's object holds, with its place's and members' (each followed by a colon)."""
    count = len(data)
    place = data.get("place")
    if type(place) is dict:
        count += len(place)
    members = data.get("members")
    if type(members) is list:
        for member in members:
            if type(member) is dict:
                count += len(member)
    return count


_SURROGATE = re.compile("[\udc80-\udcff]")


def encoding_problem(line: str) -> str | None:
    """Why a line read with ``errors="surrogateescape"`` is not UTF-8 (a byte it could not decode), or None."""
    if line.isascii():
        return None
    found = _SURROGATE.search(line)
    if found is None:
        return None
    return f"not UTF-8: byte 0x{ord(found.group()) - 0xDC00:02x} at column {found.start() + 1}"


def _ids_of(line: str) -> tuple[str | None, str | None]:
    """The fact id and household id of a line that is not UTF-8, read best effort (each byte that
    cannot be decoded as U+FFFD): ``(None, None)`` when the line is no JSON object; an id that
    holds such a byte is not trusted (None)."""
    text = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, None
    if type(data) is not dict:
        return None, None
    return readable_id(data.get("id")), readable_id(data.get("household_id"))


def _not_an_object(value: object, what: str) -> str:
    return f"expected a JSON object (a {what}), found {type(value).__name__ if value is not None else 'null'}"


def household_groups(path: Path) -> Iterator[HouseholdGroup]:
    """Each household line of ``path`` as ``(id, household or None, bad rows, line)``."""
    name = str(path)
    fields = frozenset[str]()
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as stream:  # a BOM skipped
        for number, line in enumerate(stream, 1):
            data, problem = _decode(line)
            if data is _BLANK:
                continue
            if problem is None:
                encoding = encoding_problem(line)
                if encoding is not None:
                    yield None, None, [BadRow(name, number, "encoding", encoding)], number
                    continue
            if problem is not None:
                yield None, None, [BadRow(name, number, "json", problem)], number
                continue
            if type(data) is not dict:
                yield None, None, [BadRow(name, number, "row", _not_an_object(data, "household"))], number
                continue
            # Each key is followed by a colon: as many colons as keys read, no key came twice.
            if line.count(":") != _household_keys(data) and (twice := _repeated_key(line)) is not None:
                yield None, None, [BadRow(name, number, "json", twice)], number
                continue
            raw_id = data.get("id")
            hid = raw_id if type(raw_id) is str and raw_id.strip() else None
            try:
                household = build_household(data)
            except InvalidInput as error:
                yield hid, None, [BadRow(name, number, error.field, describe_error(error, fields), hid)], number
                continue
            yield household.id, household, [], number


def fact_groups(path: Path, builder: FactBuilder, *, keep_lines: bool = False) -> Iterator[FactGroup]:
    """The fact lines of ``path`` grouped by household: ``(id, facts, bad rows, first, last line)``;
    with ``keep_lines`` each group's facts are a :class:`~.grouping.FactsAt`, with the line of each."""
    name = str(path)
    fields = fact_field_names(builder.kinds)
    build = builder.build
    plans_get = builder.fast_builders().get
    groups = FactRuns(name, lines=keep_lines)
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as stream:  # a BOM skipped
        numbered = enumerate(stream, 1)
        while batch := list(itertools.islice(numbered, _BATCH_LINES)):
            lines: list[int] = []
            hids: list[str | None] = []
            results: list[Fact | Failure] = []
            clean = True
            for number, line in batch:
                # The common case inline (a call per line costs): one object, then the newline.
                try:
                    data, end = _scan(line, 0)
                except (StopIteration, ValueError, RecursionError):
                    end = -1
                tail = line[end:]  # "\n" for a well-formed line (a one-character string: no copy)
                if not line.isascii() and (encoding := encoding_problem(line)) is not None:
                    lines.append(number)
                    fid, hid = _ids_of(line)  # named when the line says them plainly (ASCII ids in GBK text)
                    hids.append(hid)
                    results.append(
                        Failure("encoding", f"{fact_subject(fid, hid)}: {encoding}" if fid or hid else encoding)
                    )
                    clean = False
                    continue
                if end < 0 or (tail != "\n" and tail and not tail.isspace()):
                    data, problem = _decode(line)
                    if data is _BLANK:
                        continue
                    if type(data) is not dict:
                        lines.append(number)
                        hids.append(None)
                        failure = ("json", problem) if problem is not None else ("row", _not_an_object(data, "fact"))
                        results.append(Failure(*failure))
                        clean = False
                        continue
                elif type(data) is not dict:
                    lines.append(number)
                    hids.append(None)
                    results.append(Failure("row", _not_an_object(data, "fact")))
                    clean = False
                    continue
                lines.append(number)
                # Each key of the line is followed by a colon: as many colons as keys read, no key
                # came twice. More (a colon in a value, a nested object) are looked at closely; a
                # line with a key twice names no household (it may be the key given twice).
                if line.count(":") != len(data) and (twice := _repeated_key(line)) is not None:
                    hids.append(None)
                    results.append(Failure("json", twice))
                    clean = False
                    continue
                hid = data.get("household_id")
                hids.append(hid if type(hid) is str else None)
                kind = data.get("kind")
                fast = plans_get(kind) if type(kind) is str else None  # the builder's dispatch, inline
                if fast is not None:
                    try:
                        results.append(fast(data))
                        continue
                    except NOT_FAST:
                        pass
                try:
                    results.append(build(data))
                except (ValueError, TypeError) as error:
                    results.append(Failure(*describe_failure(error, fields)))
                    clean = False
            yield from groups.add(runs_of(hids), lines, built(results), clean=clean)
        yield from groups.close()


class JsonlFactWriter:
    """Writes facts alone as JSON Lines: one :meth:`Fact.to_dict` a line (compact, UTF-8)."""

    suffix = ".jsonl"

    def __init__(self, facts_path: Path) -> None:
        self._facts: IO[str] = open(facts_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._line = FactDumper().json_line

    def write(self, facts: Iterable[Fact]) -> int:
        """Write facts; return the number written."""
        lines = [self._line(fact) for fact in facts]
        self._facts.writelines(lines)
        return len(lines)

    def close(self) -> None:
        """Flush and close the file."""
        self._facts.close()


class JsonlWriter:
    """Writes households and facts as JSON Lines (compact, UTF-8, one object per line)."""

    suffix = ".jsonl"

    def __init__(self, households_path: Path, facts_path: Path) -> None:
        self._households: IO[str] = open(households_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._facts = JsonlFactWriter(facts_path)

    def write(self, household: Household, facts: Iterable[Fact]) -> int:
        """Write one household and its facts; return the number of facts written."""
        self._households.write(_encode(household.to_dict()) + "\n")
        return self._facts.write(facts)

    def close(self) -> None:
        """Flush and close both files."""
        self._households.close()
        self._facts.close()
