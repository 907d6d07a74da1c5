"""The public API given values of the wrong type: every error is the library's own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import given

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.errors import RelapseGuardError, WrongType
from relapse_guard.facts import parse_fact
from relapse_guard.reviews import Review

ENGINE = Engine(load_policy("yubei_2016"))
HOUSEHOLD = Household(id="H", place=Place("Yubei", "T", "V"), members=[Member(id="m", birth_date=dt.date(1970, 1, 1))])
FACT = IncomeAssessed(id="f", household_id="H", date=dt.date(2016, 1, 1), income_per_capita=Decimal(3000))

#: Values of every shape a careless caller passes: none of them is what any argument below takes.
wrong = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.just(object()),
    st.just(dt.datetime(2016, 1, 1, 12, 0)),
)

CALLS: dict[str, Callable[[object], object]] = {
    "Engine(policy)": lambda value: Engine(value),  # type: ignore[arg-type]
    "Engine.run(household)": lambda value: ENGINE.run(value, [FACT]),  # type: ignore[arg-type]
    "Engine.run(facts)": lambda value: ENGINE.run(HOUSEHOLD, value),  # type: ignore[arg-type]
    "Engine.run([fact])": lambda value: ENGINE.run(HOUSEHOLD, [FACT, value]),  # type: ignore[list-item]
    "Engine.run(as_of)": lambda value: ENGINE.run(HOUSEHOLD, [FACT], as_of=value),  # type: ignore[arg-type]
    "load_policy(name)": lambda value: load_policy(value),  # type: ignore[arg-type]
    "Household(id)": lambda value: Household(id=value, place=HOUSEHOLD.place, members=HOUSEHOLD.members),  # type: ignore[arg-type]
    "Household(place)": lambda value: Household(id="H", place=value, members=HOUSEHOLD.members),  # type: ignore[arg-type]
    "Household(members)": lambda value: Household(id="H", place=HOUSEHOLD.place, members=value),  # type: ignore[arg-type]
    "parse_fact(record)": lambda value: parse_fact(value),  # type: ignore[arg-type]
    "Review.monthly(day)": lambda value: Review.monthly("r", day=value),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", sorted(CALLS))
@given(value=wrong)
def test_a_wrong_type_raises_a_library_error(name: str, value: object) -> None:
    try:
        CALLS[name](value)
    except RelapseGuardError:
        return
    except Exception as error:
        pytest.fail(f"{name} given {value!r} raised {type(error).__name__}: {error}")


def test_engine_run_names_what_it_was_given() -> None:
    with pytest.raises(WrongType, match=r"Engine\.run needs a Household, not str 'H'"):
        ENGINE.run("H", [FACT])  # type: ignore[arg-type]
    with pytest.raises(WrongType, match=r"household 'H': facts must be an iterable of Fact"):
        ENGINE.run(HOUSEHOLD, None)  # type: ignore[arg-type]
    with pytest.raises(WrongType, match=r"as_of must be a datetime\.date, not datetime"):
        ENGINE.run(HOUSEHOLD, [FACT], as_of=dt.datetime(2016, 1, 1))
    assert isinstance(WrongType("x"), TypeError)
