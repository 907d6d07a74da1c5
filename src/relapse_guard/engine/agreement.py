"""Where two policies part: the first date on which one may decide otherwise than the other.

Two policies agree but for parameters when every part (rules, triggers, interventions, routes,
reviews, procedures, fact kinds, ``assist_on_grant``, ``decision_required``) is the same object
or of one class with the same fields all the way down (:func:`same_part`: functions and other
objects by identity, so unlike the fingerprint a rule of the same name and other code does not
pass), and they have the same parameter names, each with the same description, unit,
reference, bounds, ``on_expiry`` and first date. Their runs may then differ only from the first
date on which a parameter's entry in force differs (:func:`parting`): its effective date, its
value and the value's type and text, whether it has expired (and on what day), its
``review_by``. Policies that differ in anything else part from the start (``dt.date.min``).
A what-if shares each household's run before that date (:mod:`.fork`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from ..parameters import Parameter, ParameterTree
from ..policy import Policy

__all__ = ["parting", "same_part", "same_parts"]

_DAY = dt.timedelta(days=1)

#: The policy's fields that are not parts: its name, words and sources (a run's result
#: carries the label, which each engine sets itself) and its parameters (compared by date).
_NOT_PARTS = frozenset({"name", "version", "description", "sources", "derived_from", "parameters"})

#: A parameter's fields other than its timeline: a run may see any of them (an error names
#: its first date, a decision its reference), so they must be the same.
_PARAMETER_FIELDS = ("description", "unit", "reference", "minimum", "maximum", "on_expiry", "first_date")

_PLAIN = (str, bytes, int, float, Decimal, dt.date, dt.timedelta, enum.Enum, type(None))

#: How deep :func:`same_part` follows a part's fields before it gives up (and says "not the same").
_DEPTH = 12


def same_part(x: object, y: object, depth: int = 0) -> bool:
    """True when ``x`` and ``y`` decide alike by construction: the same object, equal plain
    values, or containers or attrs instances of one type whose items and fields (``eq=False``
    ones too: a rule's test is one) are the same in turn. Anything else — functions, other
    objects — only when it is the same object: conservative."""
    if x is y:
        return True
    if type(x) is not type(y) or depth > _DEPTH:
        return False
    if isinstance(x, _PLAIN):  # a number's text too: 1.0 and 1 are equal, and print apart
        return x == y and (not isinstance(x, Decimal | float) or str(x) == str(y))
    if isinstance(x, tuple | list):
        assert isinstance(y, tuple | list)
        return len(x) == len(y) and all(same_part(i, j, depth + 1) for i, j in zip(x, y, strict=True))
    if isinstance(x, frozenset | set):
        assert isinstance(y, frozenset | set)
        return all(isinstance(item, _PLAIN) for item in x) and x == y
    if isinstance(x, Mapping):
        assert isinstance(y, Mapping)
        return x.keys() == y.keys() and all(same_part(x[key], y[key], depth + 1) for key in x)
    kind = type(x)
    if attrs.has(kind):
        fields: tuple[attrs.Attribute[object], ...] = attrs.fields(kind)
        return all(same_part(getattr(x, field.name), getattr(y, field.name), depth + 1) for field in fields)
    return False


def same_parts(a: Policy, b: Policy) -> bool:
    """True when ``a`` and ``b`` differ at most in their parameters' values: every part the
    same (:func:`same_part`) and the same parameter names (a rule may ask whether a parameter
    exists, whatever the date)."""
    for field in attrs.fields(Policy):
        if field.name not in _NOT_PARTS and not same_part(getattr(a, field.name), getattr(b, field.name)):
            return False
    return a.parameters.parameters.keys() == b.parameters.parameters.keys()


def parting(a: Policy, b: Policy) -> dt.date | None:
    """The first date on which ``b`` may decide otherwise than ``a``: ``dt.date.min`` when
    they differ in more than parameter values (see the module doc), else the first date a
    parameter's entry in force differs; None when nothing a run sees differs."""
    if not same_parts(a, b):
        return dt.date.min
    return _parameters_part(a.parameters, b.parameters)


def _parameters_part(a: ParameterTree, b: ParameterTree) -> dt.date | None:
    first: dt.date | None = None
    for name, ours in a.parameters.items():
        theirs = b.parameters[name]
        if ours is theirs:
            continue
        if any(getattr(ours, field) != getattr(theirs, field) for field in _PARAMETER_FIELDS):
            return dt.date.min
        day = _timeline_part(ours, theirs)
        if day is not None and (first is None or day < first):
            first = day
    return first


def _timeline_part(ours: Parameter, theirs: Parameter) -> dt.date | None:
    """The first date the entry in force of ``ours`` and ``theirs`` differs, None if never.

    An entry changes only on a value's effective date and the day after a value expires, so
    it is enough to look on those dates."""
    dates = {day for day, _ in ours.values} | {day for day, _ in theirs.values}
    for parameter in (ours, theirs):
        if parameter.on_expiry != "carry_forward":
            dates.update(day + _DAY for _, day in parameter.expires if day < dt.date.max)
    for day in sorted(dates):
        if _entry(ours, day) != _entry(theirs, day):
            return day
    return None


def _entry(parameter: Parameter, on: dt.date) -> tuple[object, ...] | None:
    """What a run can see of ``parameter`` on ``on``: the entry in force, its value's type and
    text, its reference (which decisions cite), the day it expired (None while it has not), its
    review date."""
    index = bisect.bisect_right(parameter.values, on, key=lambda item: item[0]) - 1
    if index < 0:
        return None
    effective, value = parameter.values[index]
    expiry = None if parameter.on_expiry == "carry_forward" else parameter.expiry(effective)
    expired = expiry if expiry is not None and on > expiry else None
    reference = parameter.reference_of(effective)
    return effective, type(value), value, str(value), reference, expired, parameter.review_date(effective)
