"""Partition results merge in partition order, and a failure is the serial merge's failure,
whatever order the partitions finish in (local processes and Dask both merge this way)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given

from relapse_guard.screening.parallel import merge_in_order


@attrs.define
class _Part:
    """A partition's result: the indices merged into it, in order."""

    merged: list[int] = attrs.Factory(list)
    households_done: int = 1
    bad_rows: list[Any] = attrs.Factory(list)
    problems: list[Any] = attrs.Factory(list)
    fact_id_digests: list[Any] = attrs.Factory(list)

    def merge(self, other: Self) -> None:
        self.merged += other.merged


@attrs.frozen
class _Partition:
    households: int | None = None
    facts: int | None = None


@attrs.frozen
class _Population:
    partitions: tuple[_Partition, ...]
    households: int | None = None


class _Failed(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(f"partition {index} failed")
        self.index = index


def _getter(index: int, fails: bool, looked_at: list[int]) -> Callable[[], _Part]:
    def get() -> _Part:
        looked_at.append(index)
        if fails:
            raise _Failed(index)
        return _Part([index])

    return get


@st.composite
def _runs(draw: st.DrawFn) -> tuple[int, frozenset[int], list[int]]:
    """A number of partitions, the ones that fail, and the order they finish in."""
    count = draw(st.integers(1, 8))
    failing = draw(st.frozensets(st.integers(0, count - 1)))
    order = draw(st.permutations(range(count)))
    return count, failing, list(order)


@given(_runs())
def test_the_serial_merges_failure_is_raised_whatever_order_partitions_finish_in(
    run: tuple[int, frozenset[int], list[int]],
) -> None:
    count, failing, order = run
    population = _Population(tuple(_Partition() for _ in range(count)))
    looked_at: list[int] = []
    cancelled: list[int] = []
    finished = ((index, _getter(index, index in failing, looked_at)) for index in order)
    into = _Part()
    if not failing:
        merge_in_order(finished, population, into, None, cancel_after=cancelled.append)  # type: ignore[arg-type]
        assert into.merged == list(range(count))
        assert not cancelled
        return
    first = min(failing)
    with pytest.raises(_Failed) as raised:
        merge_in_order(finished, population, into, None, cancel_after=cancelled.append)  # type: ignore[arg-type]
    assert raised.value.index == first  # what the serial merge meets first
    assert into.merged == list(range(first))  # every partition before it, in order; none after
    assert cancelled[-1:] == [first]  # the partitions after it are stopped
    known: int | None = None  # the earliest failure met so far
    for index in looked_at:  # once a partition failed, none after it is looked at
        assert known is None or index < known
        if index in failing:
            known = index
    assert cancelled == sorted(cancelled, reverse=True)  # each failure met is earlier than the last


def test_a_failure_waits_for_the_partitions_before_it_and_ignores_those_after() -> None:
    population = _Population(tuple(_Partition() for _ in range(4)))
    looked_at: list[int] = []
    cancelled: list[int] = []
    # partition 2 fails first; 3 finishes after it (ignored); 1 then fails earlier still; 0 is merged
    finished = [(index, _getter(index, index in {1, 2}, looked_at)) for index in (2, 3, 1, 0)]
    into = _Part()
    with pytest.raises(_Failed) as raised:
        merge_in_order(iter(finished), population, into, None, cancel_after=cancelled.append)  # type: ignore[arg-type]
    assert raised.value.index == 1
    assert cancelled == [2, 1]
    assert looked_at == [2, 1, 0]  # 3 was not looked at
    assert into.merged == [0]
