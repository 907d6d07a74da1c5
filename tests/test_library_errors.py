"""Every error the library raises is a RelapseGuardError (and the matching builtin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pytest

from relapse_guard.cases.calendar import WorkingCalendar
from relapse_guard.engine import Engine
from relapse_guard.errors import InvalidArgument, NotFound, RelapseGuardError, WrongType
from relapse_guard.money import parse_decimal
from relapse_guard.plugins import TRIGGERS
from relapse_guard.policies import load_policy
from relapse_guard.reporting.survival import kaplan_meier_counts
from relapse_guard.store import MemoryStore, SQLiteStore
from relapse_guard.store.privacy import Pseudonymizer
from relapse_guard.triggers import IllnessTrigger
from relapse_guard.whatif import compare


def test_an_engine_given_a_policy_name_says_to_load_it() -> None:
    with pytest.raises(WrongType) as info:
        Engine("yubei_2016")  # type: ignore[arg-type]
    assert isinstance(info.value, RelapseGuardError)
    assert isinstance(info.value, TypeError)
    assert "load_policy('yubei_2016')" in str(info.value)
    assert Engine(load_policy("yubei_2016")).policy.name == "yubei_2016"


@pytest.mark.parametrize(
    "call",
    [
        lambda: MemoryStore().ingest([], batch_size=0),
        lambda: MemoryStore().append("h1", [], expected_version=-1),
        lambda: SQLiteStore(":memory:", synchronous="OFF"),  # type: ignore[arg-type]
        lambda: Pseudonymizer(b"short"),
        lambda: TRIGGERS.register("illness", IllnessTrigger),
        lambda: parse_decimal("ten"),
        lambda: parse_decimal(Decimal("NaN")),
        lambda: kaplan_meier_counts({(-1.0, True): 1}),
        lambda: WorkingCalendar().due(dt.date(2016, 1, 1), -1, working_days=True),
    ],
)
def test_refused_arguments_are_library_value_errors(call: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, RelapseGuardError)
    assert isinstance(info.value, ValueError)


def test_a_calendar_day_that_is_not_a_date_is_a_library_type_error() -> None:
    with pytest.raises(WrongType, match="must be dates"):
        WorkingCalendar(holidays=frozenset({"2016-01-01"}))  # type: ignore[arg-type]


def test_an_unknown_household_in_a_comparison_is_a_library_key_error() -> None:
    yubei = load_policy("yubei_2016")
    with pytest.raises(NotFound) as info:
        compare(yubei, yubei, [], as_of=None, keep_all=True).household("nobody")
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, RelapseGuardError)
    assert str(info.value) == "household 'nobody' is not in this comparison"
    # a comparison that keeps the differing households only cannot tell "not there" from "does not differ"
    with pytest.raises(NotFound, match="'nobody' is not among the differing households of this comparison"):
        compare(yubei, yubei, [], as_of=None).household("nobody")


#: None where the signature wants something else: the wrong argument under test.
_NONE: Any = None


def _monitor() -> Any:
    from relapse_guard.monitoring import Monitor

    return Monitor(MemoryStore(), "yubei_2016")


@pytest.mark.parametrize(
    ("call", "kind", "says"),
    [
        # each raised a builtin error from deep inside (a TypeError, an AttributeError)
        (lambda: MemoryStore().append("H1", _NONE), WrongType, "Store.append needs an iterable of facts"),
        (lambda: MemoryStore().ingest(_NONE), WrongType, "Store.ingest needs an iterable of records"),
        (lambda: MemoryStore().ingest(cast(Any, {"id": "f1"})), WrongType, "not {'id': 'f1'} (dict)"),
        (lambda: _monitor().cycle(None, as_of=dt.date(2016, 1, 31)), WrongType, "Monitor.cycle needs an iterable"),
        (lambda: _monitor().alerts("2016-01-31"), WrongType, "as_of must be a datetime.date, not str"),
        (lambda: _monitor().alerts(dt.date(2016, 1, 31), kinds=["nope"]), InvalidArgument, "'nope' is not an alert"),
        (lambda: __import__("relapse_guard.monitoring").monitoring.Monitor(None, "yubei_2016"), WrongType, "Store"),
        (lambda: SQLiteStore(_NONE), WrongType, "not None (NoneType)"),  # it made a file named "None"
        (lambda: SQLiteStore(""), InvalidArgument, "needs a file path"),
    ],
)
def test_wrong_arguments_are_library_errors_saying_what_is_wanted(call: object, kind: type, says: str) -> None:
    with pytest.raises(kind) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, RelapseGuardError)
    assert says in str(info.value)


def test_replay_given_a_policy_name_says_to_load_it() -> None:
    from relapse_guard.store import replay

    with pytest.raises(WrongType, match=r"call load_policy\('yubei_2016'\)"):
        replay(MemoryStore(), "H1", "yubei_2016", as_of=dt.date(2016, 1, 31))  # type: ignore[arg-type]


def test_a_naive_known_on_is_named_not_the_facts() -> None:
    from relapse_guard.household import Household, Member, Place

    home = Household(id="H1", place=Place("Yubei"), members=(Member(id="m1", birth_date=dt.date(1970, 1, 1)),))
    with pytest.raises(WrongType) as info:
        Engine(load_policy("yubei_2016")).run(home, [], known_on=dt.datetime(2016, 1, 1))
    assert str(info.value).startswith("known_on must be a timezone-aware datetime")  # not "facts must be ..."
