"""Texts of decisions that render in any language: a message key and its values, and margins.

A decision does not keep only a sentence in English: it keeps a :class:`Message`, a **key**
(the English sentence with ``{name}`` placeholders, which is also the gettext msgid of the
``decisions`` domain) and the **values** put in it. English is the key filled in (no
catalogue needed); another language is the key's translation filled in, each value rendered
in that language first:

>>> message = Message("income per capita {income} < poverty line {line}", Decimal(2000), Decimal(3000))
>>> message.english()
'income per capita 2000 < poverty line 3000'
>>> message.render("zh-CN")
'人均收入 2000 低于贫困线 3000'

A value is text (rendered as it is in every language: numbers as the engine writes them,
dates ISO, ids), a number or a date (written so), a nested :class:`Message`, a :class:`Term`
(a name the catalogue translates on its own: a state, a risk kind, an intervention) or a
:class:`Join` (values joined by a separator the catalogue translates: ``"; "`` is a full-width semicolon in Chinese).
Plain text where a message is expected (a reason written by a policy's own code) is an
**untranslated** message: rendered as it is in every language (:func:`as_message`).

Every key and term the library uses is registered here (:func:`define`, :func:`define_terms`,
from :mod:`relapse_guard.message_keys`): the registry is what the catalogue must translate,
and a test checks it does.

A key may say that its values compare a quantity with a threshold (:class:`MarginSpec`): the
message then carries a :class:`Margin`, how far the value is from the threshold ("210
yuan/person/year below the poverty line of 4000"), worked out from the values it states
(:func:`margins_of`), and only when someone asks (a decision being recorded), never on the
engine's hot path.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import string
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Union

import attrs

__all__ = [
    "ENGLISH",
    "NEAR_SHARE",
    "UNTRANSLATED",
    "Direction",
    "Join",
    "KeySpec",
    "Margin",
    "MarginSpec",
    "Message",
    "Term",
    "Text",
    "Value",
    "as_message",
    "compared",
    "define",
    "define_terms",
    "label",
    "margins_of",
    "message_from_dict",
    "period_left",
    "placeholders",
    "registered_keys",
    "registered_terms",
    "render",
    "render_stored",
    "value_from_json",
]

ENGLISH: Final = "en"
#: The key of an untranslated text (:func:`as_message`): rendered as it is in every language.
UNTRANSLATED: Final = "{text}"
#: How close a condition that held must be to its threshold for its margin to be recorded
#: ("near"): within this share of the threshold (10%: an income of 3700 is near a line of 4000).
NEAR_SHARE: Final = Decimal("0.1")

# --- messages ---------------------------------------------------------------------------

#: A value put in a message.
Value = Union[str, int, Decimal, dt.date, "Message", "Term", "Join"]
#: What a decision or a reason says: a message, values joined, or plain (untranslated) text.
Text = Union[str, "Message", "Join"]


class Message:
    """A key (an English sentence with ``{name}`` placeholders, the msgid) and its values.

    The values are given in the order the key's placeholders first appear
    (``Message("{income} < {line}", income, line)``: cheap enough for the engine's hot path),
    or by name (``Message.named("{income} < {line}", income=income, line=line)``). They are kept as
    given and rendered only when read: :meth:`english`, :meth:`render`. Equal messages have
    the same key and the same values as text.
    """

    __slots__ = ("args", "key")

    def __init__(self, key: str, /, *values: Value) -> None:
        self.key = key
        #: The values, in the order of the key's placeholders.
        self.args: tuple[Value, ...] = values

    @classmethod
    def named(cls, key: str, /, **values: Value) -> Message:
        """The message of ``key`` with its values given by name (each placeholder once; a
        name missing is a :class:`KeyError`)."""
        return cls(key, *(values[name] for name in _names(key)))

    @property
    def names(self) -> tuple[str, ...]:
        """The key's placeholders, in the order their values are given."""
        return _names(self.key)

    @property
    def values(self) -> tuple[tuple[str, str | Message | Join], ...]:
        """The values by name, in order: numbers and dates as text, nested values as they are."""
        return tuple(zip(_names(self.key), [_neutral(value) for value in self.args], strict=True))

    def get(self, name: str) -> Value | None:
        """The value put in as ``name``, as given (a number stays a number), or None."""
        names = _names(self.key)
        return self.args[names.index(name)] if name in names else None

    def english(self) -> str:
        """The message in English: its key filled in."""
        values = [value if type(value) is str else _english(value) for value in self.args]
        return self.key.format_map(dict(zip(_names(self.key), values, strict=True)))

    def render(self, language: str = ENGLISH) -> str:
        """The message in ``language`` (``en``, ``zh-CN``); English when the catalogue has no
        translation of the key (or one that does not fit its values)."""
        if language == ENGLISH:
            return self.english()
        return self._render(_gettext(language))

    def _render(self, gettext: Callable[[str], str]) -> str:
        values = dict(zip(_names(self.key), [_render_value(value, gettext) for value in self.args], strict=True))
        template = gettext(self.key)
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError):  # a translation that does not fit its values
            return self.key.format_map(values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"key": ..., "values": {name: value}}``: text for text, numbers and
        dates, ``{"key": ..., "values": ...}`` for a nested message, ``{"term": name}`` for a
        term, ``{"join": separator, "items": [...]}`` for values joined."""
        return {
            "key": self.key,
            "values": {name: _to_json(value) for name, value in zip(self.names, self.args, strict=True)},
        }

    def __str__(self) -> str:
        return self.english()

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.values)
        return f"Message({self.key!r}{values})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not Message:
            return NotImplemented
        return self.key == other.key and self.values == other.values

    def __hash__(self) -> int:
        return hash((self.key, self.values))

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[Any, ...]]:
        return Message, (self.key, *self.args)


def _names(key: str) -> tuple[str, ...]:
    """The placeholders of ``key``: the registry's, or read from the key."""
    spec = _KEYS.get(key)
    return spec.names if spec is not None else placeholders(key)


class Term(str):
    """A name the catalogue translates on its own (a state, a risk kind, an intervention):
    ``Term("illness")`` is ``illness`` in English (it is that text), ``因病`` in Chinese. A
    name the catalogue does not know (a policy's own intervention) renders as it is."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The name, as plain text."""
        return str.__str__(self)

    def english(self) -> str:
        """The name itself."""
        return str.__str__(self)

    def render(self, language: str = ENGLISH) -> str:
        """The name's label in ``language``."""
        return self.name if language == ENGLISH else _gettext(language)(self.name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"term": name}``."""
        return {"term": self.name}

    def __repr__(self) -> str:
        return f"Term({self.name!r})"


class Join:
    """Values joined by a separator the catalogue translates (``"; "``, ``", "``, ``" and "``)."""

    __slots__ = ("items", "separator")

    def __init__(self, items: Iterable[Value], separator: str = "; ") -> None:
        self.items: tuple[Value, ...] = tuple(items)
        self.separator = separator

    def english(self) -> str:
        """The items in English, joined by the separator."""
        return self.separator.join(_english(item) for item in self.items)

    def render(self, language: str = ENGLISH) -> str:
        """The items in ``language``, joined by the separator's translation."""
        if language == ENGLISH:
            return self.english()
        gettext = _gettext(language)
        return gettext(self.separator).join(_render_value(item, gettext) for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"join": separator, "items": [...]}``."""
        return {"join": self.separator, "items": [_to_json(item) for item in self.items]}

    def __str__(self) -> str:
        return self.english()

    def __repr__(self) -> str:
        return f"Join({list(self.items)!r}, {self.separator!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not Join:
            return NotImplemented
        neutral = tuple(_neutral(item) for item in self.items)
        return self.separator == other.separator and neutral == tuple(_neutral(item) for item in other.items)

    def __hash__(self) -> int:
        return hash(("join", self.separator, tuple(_neutral(item) for item in self.items)))

    def __reduce__(self) -> tuple[type[Join], tuple[tuple[Value, ...], str]]:
        return Join, (self.items, self.separator)


def _neutral(value: Value) -> str | Message | Join:
    """A value as stored: text for a number or a date (as the engine writes them)."""
    if isinstance(value, str | Message | Join):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _english(value: Value) -> str:
    if isinstance(value, str):
        return str.__str__(value)  # a term is its name
    if isinstance(value, Message | Join):
        return value.english()
    neutral = _neutral(value)
    assert isinstance(neutral, str)
    return neutral


def _render_value(value: Value, gettext: Callable[[str], str]) -> str:
    if type(value) is str:
        return value
    if isinstance(value, Message):
        return value._render(gettext)
    if isinstance(value, Term):
        return gettext(value.name)
    if isinstance(value, Join):
        return gettext(value.separator).join(_render_value(item, gettext) for item in value.items)
    return _english(value)


def _to_json(value: Value) -> Any:
    if isinstance(value, Message | Term | Join):
        return value.to_dict()
    return _neutral(value)


@functools.cache
def placeholders(key: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of ``key``, in the order they first appear.

    >>> placeholders("{amount} per {level} student x 1 student = {amount} per year")
    ('amount', 'level')
    """
    names: list[str] = []
    for _, name, _, _ in string.Formatter().parse(key):
        if name is not None and name not in names:
            names.append(name)
    return tuple(names)


@functools.cache
def _gettext(language: str) -> Callable[[str], str]:
    """The ``decisions`` catalogue's gettext in ``language`` (loaded once; English: as written)."""
    from .i18n import gettext_for, normalise_language

    return gettext_for("decisions", normalise_language(language))


def as_message(text: Text) -> Message:
    """``text`` as a message: a message as it is; plain text as an untranslated message, which
    renders as it is in every language (and values joined as one that renders them)."""
    return text if type(text) is Message else Message(UNTRANSLATED, text)


def render(text: Value, language: str = ENGLISH) -> str:
    """Any value (plain text, a number, a message, a term, a join) in ``language``."""
    if language == ENGLISH:
        return _english(text)
    return _render_value(text, _gettext(language))


def label(name: str, language: str = ENGLISH) -> str:
    """The label of a name (a state, a decision kind, a risk kind, an intervention, a unit) in
    ``language``: the name itself in English, and when the catalogue does not know it.

    >>> label("relapsed", "zh-CN"), label("safety_net", "zh-CN"), label("my_own_scheme", "zh-CN")
    ('返贫', '低保', 'my_own_scheme')
    """
    return Term(name).render(language)


def value_from_json(data: Any) -> Value:
    """A value from its JSON form (:meth:`Message.to_dict` and the like); text stays text."""
    if isinstance(data, Mapping):
        if "key" in data:
            return message_from_dict(data)
        if "term" in data:
            return Term(str(data["term"]))
        if "join" in data:
            return Join([value_from_json(item) for item in data.get("items", ())], str(data["join"]))
    return str(data)


def message_from_dict(data: Mapping[str, Any]) -> Message:
    """The message a :meth:`Message.to_dict` form describes."""
    values = data.get("values") or {}
    return Message.named(str(data["key"]), **{str(name): value_from_json(value) for name, value in values.items()})


def render_stored(decision: Mapping[str, Any], language: str = ENGLISH) -> str:
    """A stored decision's text (a :meth:`~relapse_guard.decisions.Decision.to_dict` form, as the
    store's log keeps it) in ``language``: its message rendered, or, for a decision stored
    before decisions kept their message, its stored explanation as it is."""
    message = decision.get("message")
    if isinstance(message, Mapping) and "key" in message:
        return message_from_dict(message).render(language)
    return str(decision.get("explanation", ""))


# --- margins ----------------------------------------------------------------------------


class Direction(enum.Enum):
    """Where a value stands from its threshold: below it, above it (or on it), or a period's
    months left."""

    BELOW = "below"
    ABOVE = "above"
    LEFT = "left"


@attrs.frozen(kw_only=True)
class Margin:
    """How far a compared value is from its threshold, so that a caseworker sees how close a
    household is: ``amount`` (never negative) in ``unit`` ("yuan/person/year", "months") below
    or above ``threshold`` (``direction``), or, for a period, months left of it.

    ``value`` is the value compared (for a period: the months gone); ``against`` names the
    threshold (a term: "poverty line", "transition period"). ``amount`` is
    ``|value - threshold|``, exactly as the reason states them.
    """

    amount: Decimal
    unit: str
    threshold: Decimal
    direction: Direction
    value: Decimal
    against: str

    @classmethod
    def of(cls, value: Decimal, threshold: Decimal, *, unit: str, against: str) -> Margin:
        """The margin of ``value`` from ``threshold``: below it, or above (on) it."""
        direction = Direction.BELOW if value < threshold else Direction.ABOVE
        return cls(
            amount=abs(value - threshold),
            unit=unit,
            threshold=threshold,
            direction=direction,
            value=value,
            against=against,
        )

    @classmethod
    def left(cls, gone: Decimal | int, total: Decimal | int, *, unit: str = "months", against: str) -> Margin:
        """A period of ``total`` (months) with ``gone`` of them gone: ``total - gone`` left."""
        gone, total = Decimal(gone), Decimal(total)
        return cls(
            amount=max(total - gone, Decimal(0)),
            unit=unit,
            threshold=total,
            direction=Direction.LEFT,
            value=gone,
            against=against,
        )

    @property
    def near(self) -> bool:
        """True when the value is within :data:`NEAR_SHARE` of the threshold (a period: that
        share of it left)."""
        return self.amount <= NEAR_SHARE * abs(self.threshold)

    def message(self) -> Message:
        """The margin as a message ("210 yuan/person/year below the poverty line of 4000")."""
        unit = Term("month" if self.unit == "months" and self.amount == 1 else self.unit)
        against = Term(self.against)
        if self.direction is Direction.LEFT:
            return Message(MARGIN_LEFT, self.amount, unit, self.threshold, against)
        if self.amount == 0:
            return Message(MARGIN_AT, against, self.threshold)
        key = MARGIN_BELOW if self.direction is Direction.BELOW else MARGIN_ABOVE
        return Message(key, self.amount, unit, against, self.threshold)

    def render(self, language: str = ENGLISH) -> str:
        """The margin in ``language``."""
        return self.message().render(language)

    def __str__(self) -> str:
        return self.message().english()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: numbers as text, exactly, in plain notation."""
        return {
            "amount": f"{self.amount:f}",
            "unit": self.unit,
            "direction": self.direction.value,
            "threshold": f"{self.threshold:f}",
            "value": f"{self.value:f}",
            "against": self.against,
            "near": self.near,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Margin:
        """The margin a :meth:`to_dict` form describes."""
        return cls(
            amount=Decimal(data["amount"]),
            unit=str(data["unit"]),
            threshold=Decimal(data["threshold"]),
            direction=Direction(data["direction"]),
            value=Decimal(data["value"]),
            against=str(data["against"]),
        )


@attrs.frozen(kw_only=True)
class MarginSpec:
    """What a key's values compare: the placeholder holding the value, the one holding the
    threshold, the unit and the threshold's name (terms). ``left``: a period, ``value`` months
    gone of ``threshold``."""

    value: str
    threshold: str
    unit: str
    against: str
    left: bool = False

    def margin(self, message: Message) -> Margin | None:
        """The margin ``message`` states, or None when a value is not a number."""
        value, threshold = _number(message.get(self.value)), _number(message.get(self.threshold))
        if value is None or threshold is None:
            return None
        if self.left:
            return Margin.left(value, threshold, unit=self.unit, against=self.against)
        return Margin.of(value, threshold, unit=self.unit, against=self.against)


def compared(value: str, threshold: str, *, unit: str, against: str) -> MarginSpec:
    """A key's values compare ``value`` with ``threshold`` (placeholders), in ``unit``."""
    return MarginSpec(value=value, threshold=threshold, unit=unit, against=against)


def period_left(gone: str, total: str, *, against: str, unit: str = "months") -> MarginSpec:
    """A key's values give ``gone`` months of a period of ``total`` months (placeholders)."""
    return MarginSpec(value=gone, threshold=total, unit=unit, against=against, left=True)


def _number(value: Value | None) -> Decimal | None:
    if isinstance(value, Message):  # a count ("{n} months") stands for its number
        return _number(value.get("n"))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def margins_of(text: Value | None) -> tuple[Margin, ...]:
    """The margins a text states: those of its key (:class:`MarginSpec`), then those of the
    messages nested in it, in order."""
    found: list[Margin] = []
    _margins(text, found)
    return tuple(found)


def _margins(value: Value | None, found: list[Margin]) -> None:
    if type(value) is Message:
        spec = _KEYS.get(value.key)
        if spec is not None and spec.margins:
            for margin_spec in spec.margins:
                margin = margin_spec.margin(value)
                if margin is not None:
                    found.append(margin)
        for nested in value.args:
            if type(nested) is Message or type(nested) is Join:
                _margins(nested, found)
    elif type(value) is Join:
        for item in value.items:
            if type(item) is Message or type(item) is Join:
                _margins(item, found)


# --- the registry -----------------------------------------------------------------------


@attrs.frozen
class KeySpec:
    """A registered key: its text (the msgid), the margins its values state, and a note for
    translators."""

    key: str
    margins: tuple[MarginSpec, ...] = ()
    note: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The key's placeholders, in order."""
        return placeholders(self.key)


_KEYS: dict[str, KeySpec] = {}
_TERMS: dict[str, str] = {}


def define(key: str, *, margin: MarginSpec | None = None, note: str = "") -> str:
    """Register ``key`` (an English sentence with ``{name}`` placeholders) as a message of the
    ``decisions`` catalogue, with the margin its values state; returns the key, to keep as a
    module-level constant. Registering one key twice alike is harmless; differently is an error."""
    spec = KeySpec(key, () if margin is None else (margin,), note)
    if margin is not None:
        missing = {margin.value, margin.threshold} - set(spec.names)
        if missing:
            raise ValueError(f"margin of key {key!r} names no placeholder {sorted(missing)}")
    known = _KEYS.setdefault(key, spec)
    if known != spec:
        raise ValueError(f"key {key!r} registered twice, differently")
    return key


def define_terms(group: str, names: Iterable[str]) -> tuple[str, ...]:
    """Register ``names`` as terms of ``group`` ("state", "risk kind", ...): each a msgid the
    catalogue translates on its own. Returns them."""
    registered = tuple(names)
    for name in registered:
        _TERMS.setdefault(name, group)
    return registered


def registered_keys() -> Mapping[str, KeySpec]:
    """Every registered key (importing :mod:`relapse_guard.message_keys` registers the library's)."""
    return dict(_KEYS)


def registered_terms() -> Mapping[str, str]:
    """Every registered term, with its group."""
    return dict(_TERMS)


#: A margin as a message: a value below its threshold.
MARGIN_BELOW = define(
    "{amount} {unit} below the {against} of {threshold}", note="a margin: the value is short of the threshold"
)
#: A value above its threshold.
MARGIN_ABOVE = define(
    "{amount} {unit} above the {against} of {threshold}", note="a margin: the value is over the threshold"
)
#: A value on its threshold.
MARGIN_AT = define("at the {against} of {threshold}", note="a margin: the value equals the threshold")
#: A period's months left.
MARGIN_LEFT = define("{amount} {unit} left of {threshold} ({against})", note="a margin: months left of a period")
define_terms("unit", ("yuan/person/year", "yuan/person/month", "yuan", "months", "month"))
