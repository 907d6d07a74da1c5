"""A delivery — the records of one :meth:`~relapse_guard.store.base.Store.ingest` — read twice: once
to find the fact ids it gives in two different versions, then batch by batch to store it.

Batches are committed one after the other, and a stored fact is stored for good: a version of a
fact stored by an early batch could not be taken back when a later batch gave another. So the
delivery is read through first, keeping for each fact id a hash of its record (about 100 bytes an
id while the ingest runs); the ids whose records differ are looked at again, parsed, and those
whose facts differ (``3500`` and ``3500.00`` are the same amount: not different versions) are
:class:`~relapse_guard.errors.ConflictingVersions` in every record giving them. A list or tuple
given is read again as it is; any other iterable is kept in a temporary file, a batch at a time.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import IO, Any

from ..errors import ConflictingVersions
from ..facts import Fact

__all__ = ["Delivery", "conflicting_versions"]


def _chunks(records: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _content(record: Mapping[Any, Any]) -> int:
    """A hash of what ``record`` says, but when it was recorded (``recorded_at`` is not a fact's
    content). Equal records hash equal; records that differ only in how they say it (key order,
    ``"3500"`` and ``"3500.00"``) are told apart here and compared as facts afterwards."""
    try:
        if "recorded_at" not in record:  # most records: hashed as they are
            return hash(tuple(record.items()))
        return hash(tuple([item for item in record.items() if item[0] != "recorded_at"]))
    except TypeError:  # a value that does not hash (a list): its text
        return hash(repr([item for item in record.items() if item[0] != "recorded_at"]))


class Delivery:
    """The records of one ingest in batches of ``size``, readable a second time (:meth:`again`)
    once :meth:`first` has read them; :attr:`suspects` are the fact ids given by records that differ."""

    def __init__(self, records: Iterable[Any], size: int) -> None:
        self._records = records
        #: Records a batch.
        self.size = size
        self._given = records if isinstance(records, list | tuple) else None
        # closed by close(), once the ingest has read the delivery again
        self._file: IO[bytes] | None = None if self._given is not None else tempfile.TemporaryFile()  # noqa: SIM115
        self._kept: list[list[Any] | None] = []  # a batch kept as it is (None: pickled to the file)
        self.suspects: set[str] = set()

    def first(self) -> Iterator[list[Any]]:
        """The batches, read for the first time: each record's fact id and content noted, each batch kept."""
        seen: dict[str, int] = {}
        for chunk in _chunks(self._records, self.size):
            for record in chunk:
                if isinstance(record, Mapping) and type(fact_id := record.get("id")) is str:
                    content = _content(record)
                    if seen.setdefault(fact_id, content) != content:
                        self.suspects.add(fact_id)
            self._keep(chunk)
            yield chunk

    def again(self) -> Iterator[list[Any]]:
        """The batches once more, as :meth:`first` gave them."""
        if self._given is not None:
            yield from _chunks(self._given, self.size)
            return
        assert self._file is not None
        self._file.seek(0)
        for kept in self._kept:
            yield kept if kept is not None else pickle.load(self._file)

    def _keep(self, chunk: list[Any]) -> None:
        if self._file is None:
            return
        try:
            data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a record that does not pickle (a caller's odd value): kept in memory
            self._kept.append(chunk)
            return
        self._file.write(data)
        self._kept.append(None)

    def close(self) -> None:
        """Remove the temporary file, if any."""
        if self._file is not None:
            self._file.close()


def conflicting_versions(delivery: Delivery, parse: Callable[[Any], Fact]) -> dict[int, ConflictingVersions]:
    """For each record of ``delivery`` (by its number in the delivery, from 0) giving a fact id the
    delivery gives in two or more different facts: the error quarantining it. Records that do not
    parse (``parse`` raises) are no version: they are refused for what is wrong with them."""
    if not delivery.suspects:
        return {}
    versions: dict[str, list[tuple[int, Fact]]] = {}
    for number, chunk in enumerate(delivery.again()):
        for index, record in enumerate(chunk):
            if isinstance(record, Mapping) and record.get("id") in delivery.suspects:
                try:
                    fact = parse(record)
                except (ValueError, TypeError):
                    continue
                versions.setdefault(fact.id, []).append((number * delivery.size + index, fact))
    refused: dict[int, ConflictingVersions] = {}
    for fact_id, given in versions.items():
        distinct: list[Fact] = []
        for _, fact in given:
            if fact not in distinct:  # facts compare as the engine compares them (household and kind too)
                distinct.append(fact)
        if len(distinct) < 2:
            continue
        places = [n + 1 for n, _ in given]
        households = [f.household_id for _, f in given]
        for place, fact in given:
            refused[place] = ConflictingVersions(
                fact.household_id, fact_id, place + 1, places, households, versions=len(distinct)
            )
    return refused
