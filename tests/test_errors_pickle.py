"""Every library error pickles with its message and attributes (screens send them between processes)."""

from __future__ import annotations

import inspect
import pickle

import pytest

from relapse_guard import errors
from relapse_guard.errors import InvalidFact, PluginFailed, RelapseGuardError

ERROR_CLASSES = sorted(
    (cls for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, RelapseGuardError)),
    key=lambda cls: cls.__name__,
)


def test_a_plugin_failure_pickles_with_its_cause() -> None:
    failure = PluginFailed("H1", "trigger.illness", "f1", ZeroDivisionError("division by zero"))
    back = pickle.loads(pickle.dumps(failure))
    assert type(back) is PluginFailed
    assert str(back) == str(failure)
    assert (back.household_id, back.plugin, back.fact_id) == ("H1", "trigger.illness", "f1")
    assert isinstance(back.error, ZeroDivisionError)


def test_an_invalid_fact_pickles_with_its_fields() -> None:
    error = InvalidFact("H1", "date", "2016-13-45", "an ISO date", fact_id="f9")
    back = pickle.loads(pickle.dumps(error))
    assert (str(back), back.household_id, back.field, back.value) == (str(error), "H1", "date", "2016-13-45")


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_pickles(cls: type[RelapseGuardError]) -> None:
    error = cls.__new__(cls)
    error.args = ("a message",)
    error.__dict__["detail"] = 42
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.args, back.__dict__) == (cls, ("a message",), {"detail": 42})
