"""Which households a parameter change cannot touch: the second policy runs only where it could.

A what-if of two policies that differ only in parameter values ("the safety-net standard
rises to 330 on 1 July") changes nothing for a household whose run under the first policy
never asked a changed parameter a question the second policy answers differently. A run is a
function of the household, its facts, the date, the policy's parts and what its parameters
answer; when the parts are equal and every answer it got is the second policy's answer too,
the second run is the first, step for step.

:class:`ParameterWatch` gives the first policy's engine a parameter tree whose changed
parameters note every question asked of them (a method and its arguments, or an attribute)
during a run, and says afterwards whether the second policy's parameters answer each the
same (the same value, or the same error). Unchanged parameters are equal in both policies and
are not watched, so the run pays nothing for them. An engine shares its parameter look-ups
between its runs; those of the changed parameters are not shared here
(:meth:`~relapse_guard.engine.Engine.unshare_lookups`), so that each run asks its own questions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs

from ..engine import Engine
from ..engine.agreement import same_part, same_parts
from ..parameters import Parameter, ParameterTree, ParameterValue
from ..policy import Policy

__all__ = ["ParameterWatch", "changed_parameters"]

#: A question asked of a parameter: its name, the attribute, and the call's positional and
#: keyword arguments (None for an attribute read).
Question = tuple[str, str, tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]] | None]
#: An answer: the value, or the error's type and text; and which of the two it is.
_Answer = tuple[bool, Any]


def _same_thing(a: object, b: object) -> bool:
    """Equal and alike: ``Decimal("300")`` and ``Decimal("300.00")`` are equal, not alike."""
    return type(a) is type(b) and a == b and repr(a) == repr(b)


def changed_parameters(a: Policy, b: Policy) -> frozenset[str] | None:
    """The names of the parameters that differ between ``a`` and ``b`` in anything (their
    timelines, bounds, words), when the two policies differ in nothing else a run reads
    (:func:`~relapse_guard.engine.agreement.same_parts`: the same parts, functions by identity
    so that a rule of the same name and other code differs, and the same parameter names).
    None otherwise."""
    if not same_parts(a, b):
        return None
    left, right = a.parameters.parameters, b.parameters.parameters
    return frozenset(name for name in left if not same_part(left[name], right[name]))


#: The arguments of a question that could not be noted (unhashable): never answered the same.
_UNNOTED = ((), (("unhashable", True),))


class _Watched:
    """A changed parameter of the first policy that notes each question asked of it."""

    __slots__ = ("_asked", "_name", "_parameter")

    def __init__(self, parameter: Parameter, asked: set[Question]) -> None:
        self._parameter = parameter
        self._name = parameter.name
        self._asked = asked

    # The two questions a run asks most, written out: the value on a date and its next change.
    def at(self, on: dt.date) -> ParameterValue:
        self._note("at", (on,), {})
        return self._parameter.at(on)

    def next_change(self, on: dt.date) -> dt.date | None:
        self._note("next_change", (on,), {})
        return self._parameter.next_change(on)

    def _note(self, attribute: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self._asked.add((self._name, attribute, (args, tuple(sorted(kwargs.items())))))
        except TypeError:  # an argument that cannot be a key: the question cannot be asked again
            self._asked.add((self._name, attribute, _UNNOTED))

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self._parameter, attribute)
        if not callable(found):
            self._asked.add((self._name, attribute, None))
            return found

        def ask(*args: Any, **kwargs: Any) -> Any:
            self._note(attribute, args, kwargs)
            return found(*args, **kwargs)

        return ask

    # Special methods are looked up on the type, not through __getattr__: the parameter's own.
    def __repr__(self) -> str:
        self._note("__repr__", (), {})
        return repr(self._parameter)

    def __eq__(self, other: object) -> bool:
        self._note("__eq__", (other,), {})
        return self._parameter == other

    def __hash__(self) -> int:
        self._note("__hash__", (), {})
        return hash(self._parameter)


def _answer(
    parameter: Parameter, attribute: str, arguments: tuple[tuple[Any, ...], tuple[tuple[str, Any], ...]] | None
) -> _Answer:
    """What ``parameter`` answers to a question: (True, value) or (False, (error type, text))."""
    try:
        found = getattr(parameter, attribute)
        if arguments is None:
            return True, found
        args, kwargs = arguments
        return True, cast(Callable[..., Any], found)(*args, **dict(kwargs))
    except Exception as error:  # an error is an answer too: the run may act on it
        return False, (type(error), str(error))


@attrs.define
class ParameterWatch:
    """The first policy's engine, watching its changed parameters, and whether a run's questions
    get the second policy's answers. Made by :meth:`of`; one per process (not shared by threads).

    ``engine`` runs ``first`` (the first policy, its changed parameters watched). Call
    :meth:`start` before each household's run on it and :meth:`same_answers` after.
    """

    first: Policy
    engine: Engine
    changed: frozenset[str]
    _asked: set[Question]
    _second: Mapping[str, Parameter]
    _verdicts: dict[Question, bool] = attrs.field(factory=dict)

    @classmethod
    def of(cls, first: Policy, second: Policy) -> ParameterWatch | None:
        """A watch of the parameters ``first`` and ``second`` give differently, on an engine of
        ``first`` that records no decisions; None when the two policies differ in more than
        parameter values."""
        changed = changed_parameters(first, second)
        if changed is None:
            return None
        asked: set[Question] = set()
        timelines = first.parameters.parameters
        watched = {
            name: cast(Parameter, _Watched(parameter, asked)) if name in changed else parameter
            for name, parameter in timelines.items()
        }
        policy = attrs.evolve(first, parameters=ParameterTree(parameters=watched))
        engine = Engine(policy, record_decisions=False)
        engine.unshare_lookups(changed)
        return cls(first, engine, changed, asked, second.parameters.parameters)

    def start(self) -> None:
        """Forget the questions of the run before."""
        self._asked.clear()

    def same_answers(self) -> bool:
        """Whether the second policy answers every question the run since :meth:`start` asked
        of a changed parameter as the first one did: then its run is the first one's."""
        verdicts = self._verdicts
        for question in self._asked:
            same = verdicts.get(question)
            if same is None:
                same = verdicts[question] = self._same(question)
            if not same:
                return False
        return True

    def _same(self, question: Question) -> bool:
        name, attribute, arguments = question
        if arguments == _UNNOTED:
            return False
        watched = cast(_Watched, self.engine.policy.parameters.parameters[name])
        first_ok, first = _answer(watched._parameter, attribute, arguments)
        second_ok, second = _answer(self._second[name], attribute, arguments)
        return first_ok == second_ok and _same_thing(first, second)
