"""Dated parameters: a tree of named values, each a timeline of (effective date -> value).

Parameters are data, kept in TOML beside the policy that uses them. A leaf is a table
with a ``values`` table whose keys are ISO dates; branches nest by dotted name::

    [safety_net.standard]
    description = "Rural safety-net (dibao) standard"
    unit = "yuan per person per month"
    reference = "Chongqing poverty-alleviation bulletin no. 1 (2017), Yubei item 5"
    values = { 2015-01-01 = 230, 2016-01-01 = 300 }

A parameter may declare bounds, ``min`` and ``max`` (inclusive numbers), that every value of
its timeline must keep; the shipped policies' poverty lines, standards and amounts declare
``min = 0``::

    [safety_net.standard]
    unit = "yuan per person per month"
    min = 0
    values = { 2015-01-01 = 230, 2016-01-01 = 300 }

Numbers are read as :class:`~decimal.Decimal` (never float) and must be finite (``nan`` and
``inf`` are refused); strings and booleans stay as they are. A value that breaks these rules,
in a file or given in code (:meth:`ParameterTree.with_value`, ``Policy.derive(parameters=...)``),
raises :class:`~relapse_guard.errors.InvalidParameter` naming the parameter, the date and the value.
A look-up returns a :class:`ParameterValue` that carries its effective date
and reference, so every decision can say which value it used and why.
"""

from __future__ import annotations

import bisect
import datetime as dt
import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .errors import InvalidParameter, InvalidParameterFile, ParameterNotInForce, UnknownParameter

__all__ = ["Parameter", "ParameterTree", "ParameterValue", "Value"]

#: What a parameter may hold.
Value = Decimal | str | bool


@attrs.frozen
class ParameterValue:
    """One parameter value as looked up: its name, value, and the date it took effect."""

    name: str
    value: Value
    effective_from: dt.date
    reference: str = ""

    def __str__(self) -> str:
        return f"{self.name} = {self.value} (from {self.effective_from.isoformat()})"


def _bound(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@attrs.frozen(kw_only=True)
class Parameter:
    """A named timeline: ``values`` maps effective dates to values, in date order.

    ``minimum`` and ``maximum`` (``min`` and ``max`` in TOML) bound every value, inclusive: a
    value outside them, a number that is not finite or a value of another type than
    :data:`Value` raises :class:`~relapse_guard.errors.InvalidParameter`.
    """

    name: str
    values: tuple[tuple[dt.date, Value], ...]
    description: str = ""
    unit: str = ""
    reference: str = ""
    minimum: Decimal | None = attrs.field(default=None, converter=_bound)
    maximum: Decimal | None = attrs.field(default=None, converter=_bound)
    _ordinals: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _looked_up: tuple[ParameterValue, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        ordered = tuple(sorted(self.values, key=lambda item: item[0]))
        if not ordered:
            raise InvalidParameterFile(f"parameter {self.name!r} has no values")
        for effective, value in ordered:
            self._check(effective, value)
        object.__setattr__(self, "values", ordered)
        object.__setattr__(self, "_ordinals", tuple(d.toordinal() for d, _ in ordered))
        # Look-ups are on the engine's hot path: build each answer once, hand out the same object.
        answers = tuple(ParameterValue(self.name, value, effective, self.reference) for effective, value in ordered)
        object.__setattr__(self, "_looked_up", answers)

    def _check(self, effective: dt.date, value: object) -> None:
        if not isinstance(value, Decimal | str | bool):
            raise InvalidParameter(self.name, effective, value, "a number (Decimal or int), a string or a boolean")
        bounded = self.minimum is not None or self.maximum is not None
        if not isinstance(value, Decimal):
            if bounded:
                raise InvalidParameter(self.name, effective, value, f"a number {self.bounds()}")
            return
        if not value.is_finite():
            raise InvalidParameter(self.name, effective, value, "a finite number (not nan or infinity)")
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise InvalidParameter(self.name, effective, value, f"a number {self.bounds()}")

    def bounds(self) -> str:
        """The declared bounds in words, e.g. ``">= 0"``, ``"between 0 and 1"``; ``""`` when none."""
        if self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        if self.minimum is not None:
            return f">= {self.minimum}"
        if self.maximum is not None:
            return f"<= {self.maximum}"
        return ""

    @property
    def first_date(self) -> dt.date:
        """The first effective date."""
        return self.values[0][0]

    def at(self, on: dt.date) -> ParameterValue:
        """The value in force on ``on``; :class:`ParameterNotInForce` before the first date."""
        index = bisect.bisect_right(self._ordinals, on.toordinal()) - 1
        if index < 0:
            raise ParameterNotInForce(self.name, on.isoformat(), self.first_date.isoformat())
        return self._looked_up[index]

    def next_change(self, on: dt.date) -> dt.date | None:
        """The first effective date after ``on``; None when the value in force on ``on`` is the last."""
        index = bisect.bisect_right(self._ordinals, on.toordinal())
        return self.values[index][0] if index < len(self.values) else None

    def with_value(self, effective_from: dt.date, value: Value) -> Parameter:
        """A copy whose timeline gains (or replaces) the value from ``effective_from``."""
        kept = tuple(item for item in self.values if item[0] != effective_from)
        return attrs.evolve(self, values=(*kept, (effective_from, value)))


@attrs.frozen
class ParameterTree:
    """An immutable set of parameters by dotted name; derive with :meth:`with_value` or :meth:`merged`.

    >>> tree = ParameterTree.from_toml('[a.b]\\nvalues = { 2016-01-01 = 300 }')
    >>> tree.value("a.b", dt.date(2016, 5, 1))
    Decimal('300')
    """

    parameters: Mapping[str, Parameter] = attrs.field(factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.parameters))

    def __len__(self) -> int:
        return len(self.parameters)

    def get(self, name: str) -> Parameter:
        """The parameter named ``name``; :class:`UnknownParameter` if there is none."""
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownParameter(name, self.parameters) from None

    def lookup(self, name: str, on: dt.date) -> ParameterValue:
        """The value of ``name`` in force on ``on``, with its effective date."""
        parameter = self.parameters.get(name)
        if parameter is None:
            raise UnknownParameter(name, self.parameters)
        return parameter.at(on)

    def value(self, name: str, on: dt.date) -> Value:
        """Shortcut for ``lookup(name, on).value``."""
        return self.get(name).at(on).value

    def with_value(
        self, name: str, effective_from: dt.date, value: Value | int, *, reference: str = ""
    ) -> ParameterTree:
        """A new tree where ``name`` takes ``value`` from ``effective_from`` (the old tree is unchanged).

        A new name is created; an existing timeline keeps its earlier values.
        """
        checked = _coerce(name, value, on=effective_from)
        if name in self.parameters:
            parameter = self.parameters[name].with_value(effective_from, checked)
            if reference:
                parameter = attrs.evolve(parameter, reference=reference)
        else:
            parameter = Parameter(name=name, values=((effective_from, checked),), reference=reference)
        return ParameterTree({**self.parameters, name: parameter})

    def merged(self, other: ParameterTree) -> ParameterTree:
        """A new tree with ``other``'s parameters replacing this tree's of the same name (whole timelines)."""
        return ParameterTree({**self.parameters, **other.parameters})

    def overlaid(self, other: ParameterTree) -> ParameterTree:
        """A new tree where ``other``'s dated values are laid over this tree's timelines.

        A value of ``other`` replaces only the value of the same effective date; earlier and
        later values of this tree stay. Descriptions, units and references of ``other`` win
        where it gives them. This is how a derived policy changes a parameter "from a date".
        """
        combined = dict(self.parameters)
        for name, theirs in other.parameters.items():
            ours = combined.get(name)
            if ours is None:
                combined[name] = theirs
                continue
            dates = {effective for effective, _ in theirs.values}
            combined[name] = Parameter(
                name=name,
                values=(*(item for item in ours.values if item[0] not in dates), *theirs.values),
                description=theirs.description or ours.description,
                unit=theirs.unit or ours.unit,
                reference=theirs.reference or ours.reference,
                minimum=ours.minimum if theirs.minimum is None else theirs.minimum,
                maximum=ours.maximum if theirs.maximum is None else theirs.maximum,
            )
        return ParameterTree(combined)

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> ParameterTree:
        """Parse a TOML document; :class:`InvalidParameterFile` names the file and key at fault."""
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as error:
            raise InvalidParameterFile(f"{source}: not valid TOML: {error}") from None
        found: dict[str, Parameter] = {}
        _walk(data, "", source, found)
        return cls(found)

    @classmethod
    def from_file(cls, path: str | Path) -> ParameterTree:
        """Load a TOML parameter file."""
        path = Path(path)
        return cls.from_toml(path.read_text(encoding="utf-8"), source=str(path))


def _coerce(name: str, value: object, source: str = "", on: dt.date | None = None) -> Value:
    if isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if source:
        raise InvalidParameterFile(f"{source}: parameter {name!r}: value {value!r} is not a number, string or boolean")
    raise InvalidParameter(name, on, value, "a number (Decimal or int, not float), a string or a boolean")


def _walk(node: Mapping[str, Any], prefix: str, source: str, found: dict[str, Parameter]) -> None:
    for key, child in node.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(child, Mapping):
            raise InvalidParameterFile(f"{source}: key {name!r} must be a table (a branch or a parameter)")
        if "values" in child:
            found[name] = _leaf(name, child, source)
        else:
            _walk(child, name, source, found)


def _leaf(name: str, node: Mapping[str, Any], source: str) -> Parameter:
    raw_values = node["values"]
    if not isinstance(raw_values, Mapping) or not raw_values:
        raise InvalidParameterFile(f"{source}: parameter {name!r}: 'values' must be a non-empty table of date = value")
    values = []
    for raw_date, raw_value in raw_values.items():
        try:
            effective = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            raise InvalidParameterFile(
                f"{source}: parameter {name!r}: key {raw_date!r} is not an ISO date (YYYY-MM-DD)"
            ) from None
        values.append((effective, _coerce(name, raw_value, source)))
    unknown = sorted(set(node) - set(_LEAF_KEYS))
    if unknown:
        raise InvalidParameterFile(
            f"{source}: parameter {name!r}: unknown key {unknown[0]!r} (allowed: {', '.join(_LEAF_KEYS)})"
        )
    bounds = {key: _bound_of(name, node, key, source) for key in ("min", "max")}
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise InvalidParameterFile(f"{source}: parameter {name!r}: min {bounds['min']} is above max {bounds['max']}")
    try:
        return Parameter(
            name=name,
            values=tuple(values),
            description=str(node.get("description", "")),
            unit=str(node.get("unit", "")),
            reference=str(node.get("reference", "")),
            minimum=bounds["min"],
            maximum=bounds["max"],
        )
    except InvalidParameter as error:
        raise InvalidParameter(error.name, error.on, error.value, error.expected, source=source) from None


_LEAF_KEYS = ("values", "description", "unit", "reference", "min", "max")


def _bound_of(name: str, node: Mapping[str, Any], key: str, source: str) -> Decimal | None:
    raw = node.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal) or not Decimal(raw).is_finite():
        raise InvalidParameterFile(f"{source}: parameter {name!r}: {key} must be a finite number, not {raw!r}")
    return Decimal(raw)
