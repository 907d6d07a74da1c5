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

A value may carry the date it must be reviewed by, ``review_by``, and the last day it may be
used, ``expires`` (each a table keyed by the value's effective date, or a date: the last
value's). ``relapse-guard check`` reports a value in use past its ``review_by``; a look-up past
its ``expires`` raises :class:`~relapse_guard.errors.ParameterExpired`, unless ``on_expiry``
says ``"carry_forward"`` (the last value goes on being used). ``on_expiry`` is a leaf's own, or,
at the top of a file, the default of the file's parameters (``"error"`` unless given)::

    on_expiry = "error"

    [safety_net.standard]
    values = { 2015-01-01 = 230, 2016-01-01 = 300 }
    review_by = 2016-12-31
    expires = { 2016-01-01 = 2017-06-30 }
    on_expiry = "carry_forward"

The expiry is checked when a look-up finds the value's place in its timeline (the engine keeps
what it looked up, by date): the look-ups cost no more for it. An expiry is a change in the
timeline (:meth:`Parameter.next_change`): a value the engine keeps using (a monthly grant) is
looked up again the day after it expires.

Numbers are read as :class:`~decimal.Decimal` (never float) and must be finite (``nan`` and
``inf`` are refused); strings and booleans stay as they are. A value that breaks these rules,
in a file or given in code (:meth:`ParameterTree.with_value`, ``Policy.derive(parameters=...)``),
raises :class:`~relapse_guard.errors.InvalidParameter` naming the parameter, the date and the value.
A look-up returns a :class:`ParameterValue` that carries its effective date
and reference, so every decision can say which value it used and why.

A reference belongs to the values it was given with: a parameter's ``reference`` is its
values' source, and a value laid over its timeline later (:meth:`ParameterTree.overlaid`,
:meth:`ParameterTree.with_value`, ``Policy.derive``) keeps a reference of its own (``""``
when none was given), never the one of the values it joins, which keep theirs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args

import attrs

from .errors import InvalidParameter, InvalidParameterFile, ParameterExpired, ParameterNotInForce, UnknownParameter

__all__ = ["ON_EXPIRY", "OnExpiry", "Parameter", "ParameterTree", "ParameterValue", "Value"]

#: What a parameter may hold.
Value = Decimal | str | bool

#: What a look-up past a value's ``expires`` does: raise :class:`~relapse_guard.errors.ParameterExpired`
#: (``"error"``) or go on with the last value (``"carry_forward"``).
OnExpiry = Literal["error", "carry_forward"]
#: The values ``on_expiry`` takes.
ON_EXPIRY: tuple[str, ...] = get_args(OnExpiry)

#: Dates per value: ``(the value's effective date, a date)`` pairs, in date order.
Dated = tuple[tuple[dt.date, dt.date], ...]
#: References per value: ``(the value's effective date, its reference)`` pairs, in date order.
Referenced = tuple[tuple[dt.date, str], ...]

# A limit no date's ordinal reaches: a value that never expires.
_NEVER = dt.date.max.toordinal() + 1


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


def _referenced(given: Mapping[dt.date, str] | Iterable[tuple[dt.date, str]] | None) -> Referenced:
    """``references`` as given (a mapping of effective date to text, pairs, or None) as sorted pairs;
    their types are checked by :class:`Parameter`."""
    if given is None:
        return ()
    pairs = given.items() if isinstance(given, Mapping) else given
    return tuple(sorted(pairs, key=lambda pair: pair[0] if isinstance(pair[0], dt.date) else dt.date.min))


def _dated(given: Mapping[dt.date, dt.date] | Iterable[tuple[dt.date, dt.date]] | None) -> Dated:
    """``expires`` or ``review_by`` as given (a mapping of effective date to date, pairs, or None) as
    sorted pairs; their types are checked by :class:`Parameter`."""
    if given is None:
        return ()
    pairs = given.items() if isinstance(given, Mapping) else given
    return tuple(sorted(pairs, key=lambda pair: pair[0] if isinstance(pair[0], dt.date) else dt.date.min))


@attrs.frozen(kw_only=True)
class Parameter:
    """A named timeline: ``values`` maps effective dates to values, in date order.

    ``minimum`` and ``maximum`` (``min`` and ``max`` in TOML) bound every value, inclusive: a
    value outside them, a number that is not finite or a value of another type than
    :data:`Value` raises :class:`~relapse_guard.errors.InvalidParameter`.

    ``reference`` is where the values come from; ``references`` maps the effective date of a value
    that has a reference of its own (a value laid over the timeline later, by a derived policy) to
    it, ``""`` for a value given without one. A look-up carries the value's reference
    (:meth:`reference_of`).

    ``expires`` and ``review_by`` map a value's effective date to the last day it may be used and
    to the date it should be reviewed by (each on or after the value takes effect). Past its
    expiry a look-up raises :class:`~relapse_guard.errors.ParameterExpired`, unless ``on_expiry``
    is ``"carry_forward"``; None (not said) is ``"error"``, and lets a file's or a tree's default
    (:meth:`ParameterTree.with_on_expiry`) decide.

    >>> p = Parameter(name="a", values=((dt.date(2016, 1, 1), Decimal(300)),),
    ...               expires={dt.date(2016, 1, 1): dt.date(2016, 12, 31)})
    >>> p.at(dt.date(2016, 12, 31)).value
    Decimal('300')
    >>> p.at(dt.date(2017, 1, 1))
    Traceback (most recent call last):
    ...
    relapse_guard.errors.ParameterExpired: parameter 'a' has no value on 2017-01-01: its value 300 (from 2016-01-01) \
expired on 2016-12-31; give it a new value, or set on_expiry = "carry_forward" to go on using the last one
    """

    name: str
    values: tuple[tuple[dt.date, Value], ...]
    description: str = ""
    unit: str = ""
    reference: str = ""
    references: Referenced = attrs.field(default=(), converter=_referenced)
    minimum: Decimal | None = attrs.field(default=None, converter=_bound)
    maximum: Decimal | None = attrs.field(default=None, converter=_bound)
    expires: Dated = attrs.field(default=(), converter=_dated)
    review_by: Dated = attrs.field(default=(), converter=_dated)
    on_expiry: OnExpiry | None = None
    _ordinals: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _looked_up: tuple[ParameterValue, ...] = attrs.field(init=False, repr=False, eq=False)
    # Per value: the ordinal of the last day it may be used (_NEVER when it does not expire, or is
    # carried forward); and the timeline's change points, expiries included.
    _limits: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _changes: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        ordered = tuple(sorted(self.values, key=lambda item: item[0]))
        if not ordered:
            raise InvalidParameterFile(f"parameter {self.name!r} has no values")
        for effective, value in ordered:
            self._check(effective, value)
        object.__setattr__(self, "values", ordered)
        object.__setattr__(self, "_ordinals", tuple(d.toordinal() for d, _ in ordered))
        # Only the references that differ from the parameter's are kept: equal parameters compare equal.
        own = self._checked_references()
        object.__setattr__(self, "references", tuple(sorted(own.items())))
        # Look-ups are on the engine's hot path: build each answer once, hand out the same object.
        answers = tuple(
            ParameterValue(self.name, value, effective, own.get(effective, self.reference))
            for effective, value in ordered
        )
        object.__setattr__(self, "_looked_up", answers)
        if self.on_expiry is not None and self.on_expiry not in ON_EXPIRY:
            raise InvalidParameter(self.name, None, self.on_expiry, f"on_expiry {' or '.join(map(repr, ON_EXPIRY))}")
        expires = self._checked_dates("expires", self.expires)
        self._checked_dates("review_by", self.review_by)
        carried = self.on_expiry == "carry_forward"
        limits = tuple(_NEVER if carried or d not in expires else expires[d].toordinal() for d, _ in ordered)
        object.__setattr__(self, "_limits", limits)
        # After a value expires (before the next one takes effect), the timeline changes: to no value.
        ends = {limit + 1 for limit, nxt in zip(limits, (*self._ordinals[1:], _NEVER), strict=True) if limit + 1 < nxt}
        object.__setattr__(self, "_changes", tuple(sorted({*self._ordinals, *ends})))

    def _checked_references(self) -> dict[dt.date, str]:
        """``references`` as a dict, each naming a value of the timeline and holding text; those equal
        to the parameter's ``reference`` left out."""
        effective_dates = {d for d, _ in self.values}
        found: dict[dt.date, str] = {}
        for pair in self.references:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidParameter(self.name, None, pair, "references as (effective date, text) pairs")
            effective, text = pair
            if not _is_date(effective) or effective not in effective_dates:
                raise InvalidParameter(
                    self.name, effective, text, "references keyed by the effective date of one of its values"
                )
            if not isinstance(text, str):
                raise InvalidParameter(self.name, effective, text, "a reference as text", what="reference")
            if effective in found:
                raise InvalidParameter(self.name, effective, text, "one reference per value")
            if text != self.reference:
                found[effective] = text
        return found

    def _checked_dates(self, what: str, pairs: Dated) -> dict[dt.date, dt.date]:
        """``expires`` or ``review_by`` as a dict, after checking each pair names a value of the timeline
        and a date on or after it takes effect."""
        effective_dates = {d for d, _ in self.values}
        found: dict[dt.date, dt.date] = {}
        for pair in pairs:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InvalidParameter(self.name, None, pair, f"{what} as (effective date, date) pairs")
            effective, day = pair
            if not _is_date(effective) or effective not in effective_dates:
                raise InvalidParameter(
                    self.name, effective, day, f"{what} keyed by the effective date of one of its values"
                )
            if not _is_date(day) or day < effective:
                raise InvalidParameter(
                    self.name,
                    effective,
                    day,
                    "a datetime.date on or after the value takes effect",
                    what=f"{what} date",
                )
            if effective in found:
                raise InvalidParameter(self.name, effective, day, f"one {what} date per value")
            found[effective] = day
        return found

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
        """The value in force on ``on``; :class:`ParameterNotInForce` before the first date,
        :class:`~relapse_guard.errors.ParameterExpired` past the value's expiry (unless carried forward)."""
        ordinal = on.toordinal()
        index = bisect.bisect_right(self._ordinals, ordinal) - 1
        if index < 0:
            raise ParameterNotInForce(self.name, on.isoformat(), self.first_date.isoformat())
        if ordinal > self._limits[index]:
            effective, value = self.values[index]
            expired = dt.date.fromordinal(self._limits[index])
            raise ParameterExpired(self.name, on.isoformat(), expired.isoformat(), effective.isoformat(), value)
        return self._looked_up[index]

    def next_change(self, on: dt.date) -> dt.date | None:
        """The first date after ``on`` the timeline changes: a value takes effect, or the one in force
        expires (the day after its ``expires``, unless carried forward); None when nothing changes."""
        index = bisect.bisect_right(self._changes, on.toordinal())
        return dt.date.fromordinal(self._changes[index]) if index < len(self._changes) else None

    def expiry(self, effective_from: dt.date) -> dt.date | None:
        """The last day the value from ``effective_from`` may be used (its ``expires``), or None."""
        return dict(self.expires).get(effective_from)

    def reference_of(self, effective_from: dt.date) -> str:
        """The reference of the value from ``effective_from``: its own, else the parameter's."""
        return dict(self.references).get(effective_from, self.reference)

    def review_date(self, effective_from: dt.date) -> dt.date | None:
        """The date the value from ``effective_from`` should be reviewed by (its ``review_by``), or None."""
        return dict(self.review_by).get(effective_from)

    def in_force(self, on: dt.date) -> tuple[dt.date, Value] | None:
        """The timeline's entry in force on ``on`` — expired or not —, None before the first date."""
        index = bisect.bisect_right(self._ordinals, on.toordinal()) - 1
        return self.values[index] if index >= 0 else None

    def with_value(
        self,
        effective_from: dt.date,
        value: Value,
        *,
        reference: str = "",
        expires: dt.date | None = None,
        review_by: dt.date | None = None,
    ) -> Parameter:
        """A copy whose timeline gains (or replaces) the value from ``effective_from``, with its own
        ``reference`` (``""``: none; never the other values'), and its own ``expires`` and
        ``review_by`` when given (a replaced value's are dropped)."""
        kept = tuple(item for item in self.values if item[0] != effective_from)
        references = tuple((d, self.reference_of(d)) for d, _ in kept)
        return attrs.evolve(
            self,
            values=(*kept, (effective_from, value)),
            references=(*references, (effective_from, reference)),
            expires=_replaced(self.expires, effective_from, expires),
            review_by=_replaced(self.review_by, effective_from, review_by),
        )


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _replaced(pairs: Dated, effective_from: dt.date, day: dt.date | None) -> Dated:
    kept = tuple(pair for pair in pairs if pair[0] != effective_from)
    return kept if day is None else (*kept, (effective_from, day))


@attrs.frozen
class ParameterTree:
    """An immutable set of parameters by dotted name; derive with :meth:`with_value` or :meth:`merged`.

    >>> tree = ParameterTree.from_toml('[a.b]\\nvalues = { 2016-01-01 = 300 }')
    >>> tree.value("a.b", dt.date(2016, 5, 1))
    Decimal('300')
    """

    parameters: Mapping[str, Parameter] = attrs.field(factory=dict)
    #: The file the tree was read from (:meth:`from_toml`, :meth:`from_file`), ``""`` otherwise:
    #: an error found when the tree is laid over a policy's (:meth:`overlaid`) names it.
    source: str = attrs.field(default="", eq=False, kw_only=True)

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
        self,
        name: str,
        effective_from: dt.date,
        value: Value | int,
        *,
        reference: str = "",
        expires: dt.date | None = None,
        review_by: dt.date | None = None,
    ) -> ParameterTree:
        """A new tree where ``name`` takes ``value`` from ``effective_from`` (the old tree is unchanged),
        with the value's ``reference``, ``expires`` and ``review_by`` when given.

        A new name is created; an existing timeline keeps its earlier values, each with its own
        reference: ``reference`` is the new value's alone (``""``, none, unless given).
        """
        checked = _coerce(name, value, on=effective_from)
        if name in self.parameters:
            parameter = self.parameters[name].with_value(
                effective_from, checked, reference=reference, expires=expires, review_by=review_by
            )
        else:
            parameter = Parameter(
                name=name,
                values=((effective_from, checked),),
                reference=reference,
                expires=_replaced((), effective_from, expires),
                review_by=_replaced((), effective_from, review_by),
            )
        return ParameterTree({**self.parameters, name: parameter})

    def with_on_expiry(self, on_expiry: OnExpiry) -> ParameterTree:
        """A new tree where every parameter that does not say its own ``on_expiry`` has this one: the
        policy-wide rule (``"carry_forward"``: past its expiry, the last value goes on being used)."""
        if on_expiry not in ON_EXPIRY:
            raise InvalidParameter("on_expiry", None, on_expiry, " or ".join(map(repr, ON_EXPIRY)))
        return ParameterTree(
            {
                name: parameter if parameter.on_expiry is not None else attrs.evolve(parameter, on_expiry=on_expiry)
                for name, parameter in self.parameters.items()
            }
        )

    def merged(self, other: ParameterTree) -> ParameterTree:
        """A new tree with ``other``'s parameters replacing this tree's of the same name (whole timelines)."""
        return ParameterTree({**self.parameters, **other.parameters})

    def overlaid(self, other: ParameterTree) -> ParameterTree:
        """A new tree where ``other``'s dated values are laid over this tree's timelines.

        A value of ``other`` replaces only the value of the same effective date; earlier and
        later values of this tree stay. Descriptions and units of ``other`` win where it gives
        them; each value keeps the reference it came with (``other``'s values ``other``'s, ``""``
        where it gives none; this tree's their own). This is how a derived policy changes a
        parameter "from a date".
        """
        combined = dict(self.parameters)
        for name, theirs in other.parameters.items():
            ours = combined.get(name)
            if ours is None:
                combined[name] = theirs
                continue
            dates = {effective for effective, _ in theirs.values}
            try:
                combined[name] = _overlaid(name, ours, theirs, dates)
            except InvalidParameter as error:  # our bounds refuse a value of theirs: name their file
                if error.source or not other.source:
                    raise
                raise InvalidParameter(
                    error.name, error.on, error.value, error.expected, source=other.source, what=error.what
                ) from None
        return ParameterTree(combined)

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> ParameterTree:
        """Parse a TOML document; :class:`InvalidParameterFile` names the file and key at fault."""
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as error:
            raise InvalidParameterFile(f"{source}: not valid TOML: {error}") from None
        # A scalar on_expiry at the top is the file's default (a table so named would be a branch).
        default = data.pop("on_expiry") if not isinstance(data.get("on_expiry", {}), Mapping) else None
        if default is not None and default not in ON_EXPIRY:
            raise InvalidParameterFile(
                f"{source}: on_expiry must be {' or '.join(map(repr, ON_EXPIRY))}, not {default!r}"
            )
        found: dict[str, Parameter] = {}
        _walk(data, "", source, found)
        tree = cls(found)
        tree = tree if default is None else tree.with_on_expiry(default)
        return attrs.evolve(tree, source=source)

    @classmethod
    def from_file(cls, path: str | Path) -> ParameterTree:
        """Load a TOML parameter file."""
        path = Path(path)
        return cls.from_toml(path.read_text(encoding="utf-8"), source=str(path))


def _overlaid(name: str, ours: Parameter, theirs: Parameter, dates: set[dt.date]) -> Parameter:
    """``ours`` with ``theirs`` laid over it (see :meth:`ParameterTree.overlaid`)."""
    kept = tuple(item for item in ours.values if item[0] not in dates)
    return Parameter(
        name=name,
        values=(*kept, *theirs.values),
        description=theirs.description or ours.description,
        unit=theirs.unit or ours.unit,
        # the parameter's reference as before (what fingerprints read); each value's its own
        reference=theirs.reference or ours.reference,
        references=(
            *((effective, ours.reference_of(effective)) for effective, _ in kept),
            *((effective, theirs.reference_of(effective)) for effective, _ in theirs.values),
        ),
        minimum=ours.minimum if theirs.minimum is None else theirs.minimum,
        maximum=ours.maximum if theirs.maximum is None else theirs.maximum,
        # a value's dates go with it: ours for the values kept, theirs for theirs
        expires=(*(pair for pair in ours.expires if pair[0] not in dates), *theirs.expires),
        review_by=(*(pair for pair in ours.review_by if pair[0] not in dates), *theirs.review_by),
        on_expiry=ours.on_expiry if theirs.on_expiry is None else theirs.on_expiry,
    )


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
        elif (misnamed := _misnamed_values(child)) or any(
            key in _LEAF_KEYS and not isinstance(value, Mapping) for key, value in child.items()
        ):
            # a parameter's keys (a description, bounds) with its values misnamed or missing
            hint = f": found {misnamed[0]!r}, did you mean 'values'?" if misnamed else ""
            raise InvalidParameterFile(f"{source}: parameter {name!r} has no 'values' table of date = value{hint}")
        else:
            _walk(child, name, source, found)


def _misnamed_values(node: Mapping[str, Any]) -> list[str]:
    """The keys of ``node`` spelled like ``values`` (``value``, ``vaules``) that hold a table:
    a parameter's values under a misspelt key."""
    import difflib  # only for a file with a mistake: loading stays cheap

    return sorted(
        key
        for key, value in node.items()
        if isinstance(value, Mapping) and difflib.SequenceMatcher(None, key.lower(), "values").ratio() >= 0.8
    )


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
        import difflib  # only for a file with a mistake: loading stays cheap

        close = difflib.get_close_matches(unknown[0], _LEAF_KEYS, n=1)
        hint = f", did you mean {close[0]!r}?" if close else ""
        raise InvalidParameterFile(
            f"{source}: parameter {name!r}: unknown key {unknown[0]!r}{hint} (allowed: {', '.join(_LEAF_KEYS)})"
        )
    bounds = {key: _bound_of(name, node, key, source) for key in ("min", "max")}
    if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
        raise InvalidParameterFile(f"{source}: parameter {name!r}: min {bounds['min']} is above max {bounds['max']}")
    on_expiry = node.get("on_expiry")
    if on_expiry is not None and on_expiry not in ON_EXPIRY:
        raise InvalidParameterFile(
            f"{source}: parameter {name!r}: on_expiry must be {' or '.join(map(repr, ON_EXPIRY))}, not {on_expiry!r}"
        )
    last = max(effective for effective, _ in values)
    try:
        return Parameter(
            name=name,
            values=tuple(values),
            description=str(node.get("description", "")),
            unit=str(node.get("unit", "")),
            reference=str(node.get("reference", "")),
            minimum=bounds["min"],
            maximum=bounds["max"],
            expires=_dates_of(name, node, "expires", last, source),
            review_by=_dates_of(name, node, "review_by", last, source),
            on_expiry=on_expiry,
        )
    except InvalidParameter as error:
        raise InvalidParameter(error.name, error.on, error.value, error.expected, source=source) from None


_LEAF_KEYS = ("values", "description", "unit", "reference", "min", "max", "expires", "review_by", "on_expiry")


def _dates_of(name: str, node: Mapping[str, Any], key: str, last: dt.date, source: str) -> Dated:
    """A leaf's ``expires`` or ``review_by``: a date (the last value's) or a table of effective date = date."""
    raw = node.get(key)
    if raw is None:
        return ()
    if _is_date(raw):
        return ((last, raw),)
    if not isinstance(raw, Mapping):
        raise InvalidParameterFile(
            f"{source}: parameter {name!r}: {key} must be a date (the last value's) or a table of "
            f"effective date = date, not {raw!r}"
        )
    pairs = []
    for raw_date, day in raw.items():
        try:
            effective = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            raise InvalidParameterFile(
                f"{source}: parameter {name!r}: {key} key {raw_date!r} is not an ISO date (YYYY-MM-DD)"
            ) from None
        if not _is_date(day):
            raise InvalidParameterFile(
                f"{source}: parameter {name!r}: {key} of the value from {effective} must be a date, not {day!r}"
            )
        pairs.append((effective, day))
    return tuple(pairs)


def _bound_of(name: str, node: Mapping[str, Any], key: str, source: str) -> Decimal | None:
    raw = node.get(key)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal) or not Decimal(raw).is_finite():
        raise InvalidParameterFile(f"{source}: parameter {name!r}: {key} must be a finite number, not {raw!r}")
    return Decimal(raw)
