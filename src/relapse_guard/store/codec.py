"""How facts, households and log entries are written: canonical JSON, read back through fact kinds.

Canonical JSON (sorted keys, no spaces, UTF-8) makes equal content equal text, which the
hash chain needs. Money stays exact: :meth:`Fact.to_dict` writes decimals as strings, and
they are read back as the same :class:`~decimal.Decimal`.

A fact is encoded by code generated once per fact class (:func:`fact_encoder`), which writes
the same text as ``canonical_json(fact.to_dict())`` without building the dict: ingesting a
province encodes millions of facts.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

import attrs

from ..bounds import STORED
from ..errors import WrongType
from ..fact_fields import field_specs
from ..fact_plans import fact_plan
from ..facts import Fact, FactKinds, MemberJoined
from ..household import Household, LabourCapacity

__all__ = [
    "DERIVED_DECISION_KEYS",
    "canonical_json",
    "date_text",
    "date_texts",
    "decision_identity",
    "decode_fact",
    "decode_household",
    "digest",
    "encode_fact",
    "encode_household",
    "fact_encoder",
    "fact_encoder_of",
    "fact_encoders",
    "record_reader",
    "record_reader_of",
    "same_fact",
    "written_before_blank",
]


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set | tuple):
        return sorted(value, key=str) if isinstance(value, frozenset | set) else list(value)
    raise WrongType(f"{type(value).__name__} cannot be stored as JSON")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_json(value: object) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces, non-ASCII kept.

    >>> canonical_json({"b": 1, "a": [Decimal("1.50")]})
    '{"a":["1.50"],"b":1}'
    """
    return _ENCODER.encode(value)


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _encode_via_dict(fact: Fact) -> str:
    return canonical_json(fact.to_dict())


_FACT_ENCODERS: dict[type, Callable[[Fact], str]] = {}


def encode_fact(fact: Fact) -> str:
    """The stored form of a fact: canonical JSON of :meth:`Fact.to_dict`.

    >>> import datetime as dt
    >>> from relapse_guard.facts import ExitVerified
    >>> encode_fact(ExitVerified(id="f1", household_id="H1", date=dt.date(2016, 3, 1)))
    '{"date":"2016-03-01","household_id":"H1","id":"f1","kind":"exit_verified","source":"visit"}'
    """
    try:
        encode = _FACT_ENCODERS[type(fact)]
    except KeyError:
        encode = fact_encoder_of(type(fact))
    return encode(fact)


def fact_encoder_of(cls: type[Fact]) -> Callable[[Fact], str]:
    """The encoder :func:`encode_fact` uses for facts of class ``cls`` (:func:`fact_encoder`, made once)."""
    try:
        return _FACT_ENCODERS[cls]
    except KeyError:
        encode = _FACT_ENCODERS[cls] = fact_encoder(cls)
        return encode


def fact_encoders() -> Mapping[type, Callable[[Fact], str]]:
    """The encoders made so far, by fact class (read-only use: to skip a call per fact in a loop)."""
    return _FACT_ENCODERS


def date_texts() -> Mapping[dt.date, str]:
    """The ISO text of the plain dates :func:`date_text` has seen (read-only use, as :func:`fact_encoders`)."""
    return _DATE_TEXT


def _enum_set(value: frozenset[Any], enum_type: type[enum.Enum]) -> str | None:
    """A frozenset of members of ``enum_type`` (each valued by text) as :meth:`Fact.to_dict` and
    canonical JSON write it, a sorted list of the values; None for anything else."""
    texts = []
    for member in value:
        if type(member) is not enum_type:
            return None
        texts.append(member.value)
    texts.sort()
    return "[" + ",".join(map(encode_basestring, texts)) + "]"


#: Dates as ISO text and as JSON text (a population has few distinct ones; emptied when full).
_DATE_TEXT: dict[dt.date, str] = {}
_DATE_JSON: dict[dt.date, str] = {}
_DATE_CACHE_LIMIT = 100_000


def date_text(day: dt.date) -> str:
    """``day.isoformat()``, from a cache (bounded) for plain dates."""
    if type(day) is not dt.date:
        return day.isoformat()
    try:
        return _DATE_TEXT[day]
    except KeyError:
        if len(_DATE_TEXT) >= _DATE_CACHE_LIMIT:
            _DATE_TEXT.clear()
        text = _DATE_TEXT[day] = day.isoformat()
        return text


def _date_json(day: dt.date) -> str:
    if len(_DATE_JSON) >= _DATE_CACHE_LIMIT:
        _DATE_JSON.clear()
    text = _DATE_JSON[day] = '"' + day.isoformat() + '"'
    return text


def _field_code(index: int, hint: object, namespace: dict[str, Any], slow: str) -> list[str] | None:
    """The lines setting ``jp<index>`` to the JSON of value ``v`` when it has the exact type ``hint``
    names, else running ``slow`` (a ``return`` or a ``raise``); None for a type with no fast code.
    Every name in ``namespace`` starts with ``_j``."""
    piece = f"jp{index}"
    if hint is str:
        return [f"if type(v) is not _jstr: {slow}", f"{piece} = _jtext(v)"]
    if hint is dt.date:
        return [
            f"if type(v) is not _jdate: {slow}",
            f"{piece} = _jdates.get(v)",
            f"if {piece} is None: {piece} = _jdate_json(v)",
        ]
    if hint is Decimal:
        return [f"if type(v) is not _jDecimal: {slow}", f"{piece} = '\"' + _jstr(v) + '\"'"]
    if hint is bool:
        return [f"if type(v) is not _jbool: {slow}", f"{piece} = 'true' if v else 'false'"]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        # by the member's name: an enum's hash is Python code, a name's is not
        namespace[f"_jenum{index}"] = hint
        namespace[f"_jjson{index}"] = {member.name: canonical_json(member.value) for member in hint}
        return [f"if type(v) is not _jenum{index}: {slow}", f"{piece} = _jjson{index}[v._name_]"]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is frozenset and len(args) == 1 and isinstance(args[0], type) and issubclass(args[0], enum.Enum):
        if not all(type(member.value) is str for member in args[0]):
            return None
        namespace[f"_jenum{index}"] = args[0]
        return [
            f"if type(v) is not _jfrozenset: {slow}",
            f"{piece} = _jenum_set(v, _jenum{index})",
            f"if {piece} is None: {slow}",
        ]
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = _field_code(index, args[0] if args[1] is type(None) else args[1], namespace, slow)
        if inner is None:
            return None
        return ["if v is None:", f"    {piece} = 'null'", "else:", *(f"    {line}" for line in inner)]
    return None


def _json_code(cls: type[Fact], load: str, slow: str) -> tuple[list[str], str, dict[str, Any]] | None:
    """Code writing the stored form of a fact of class ``cls`` from its field values: the lines
    (``load`` formatted with each field's ``name`` puts its value in ``v``; a value of another type
    than the field's runs ``slow``), the expression of the JSON text, and the names they use. None
    when the class has no such code: it defines its own ``to_dict``, or a field's type has none."""
    if cls.to_dict is not Fact.to_dict:
        return None
    try:
        hints = {spec.name: spec.hint for spec in field_specs(cls)}
    except Exception:  # an annotation that does not resolve, or a type facts may not have
        return None
    names = [field.name for field in attrs.fields(cls)]
    if "kind" in names or set(names) != set(hints) or not all(name.isidentifier() for name in names):
        return None
    namespace: dict[str, Any] = {
        "_jtext": encode_basestring,
        "_jenum_set": _enum_set,
        "_jdates": _DATE_JSON,
        "_jdate_json": _date_json,
        "_jstr": str,
        "_jdate": dt.date,
        "_jDecimal": Decimal,
        "_jbool": bool,
        "_jfrozenset": frozenset,
    }
    lines: list[str] = []
    parts: list[str] = []  # the JSON text, in order: names of constants and of pieces
    text = ""
    namespace["_jdatetime"] = dt.datetime
    for index, name in enumerate(sorted([*names, "kind"])):  # canonical JSON sorts the keys
        if name == "recorded_at" and index > 0:
            # left out when None (as to_dict leaves it): the key goes with the value
            key = "," + canonical_json(name) + ":"
            lines.append(load.format(name=name))
            lines += [
                f"if v is None: jp{index} = ''",
                f"elif type(v) is _jdatetime: jp{index} = {key!r} + _jtext(v.isoformat())",
                f"else: {slow}",
            ]
            namespace[f"_jk{index}"] = text
            parts += [f"_jk{index}", f"jp{index}"]
            text = ""
            continue
        text += ("{" if index == 0 else ",") + canonical_json(name) + ":"
        if name == "kind":
            text += canonical_json(cls.kind)
            continue
        code = _field_code(index, hints[name], namespace, slow)
        if code is None:
            return None
        lines.append(load.format(name=name))
        lines.extend(code)
        namespace[f"_jk{index}"] = text
        parts += [f"_jk{index}", f"jp{index}"]
        text = ""
    namespace["_jend"] = text + "}"
    return lines, f"''.join(({', '.join(parts)}, _jend))", namespace


def fact_encoder(cls: type[Fact]) -> Callable[[Fact], str]:
    """A function giving the stored form of facts of class ``cls``: exactly
    ``canonical_json(fact.to_dict())``, written by code generated for the class's fields.

    A field whose value is not of the exact type its annotation names (a subclass, a value set
    around the validators) makes that fact go through :meth:`Fact.to_dict`; so do classes that
    define their own ``to_dict`` or have a field of a type with no generated code.
    """
    code = _json_code(cls, "v = fact.{name}", "return _jvia_dict(fact)")
    if code is None:
        return _encode_via_dict
    lines, text, namespace = code
    namespace["_jvia_dict"] = _encode_via_dict
    source = "\n".join(["def encode(fact):", *(f"    {line}" for line in lines), f"    return {text}"])
    exec(compile(source, f"<relapse_guard fact encoder of {cls.__name__}>", "exec"), namespace)
    encode: Callable[[Fact], str] = namespace["encode"]
    return encode


#: What :func:`record_reader` functions return: the fact's id, household id, ISO date and stored form.
ReadRecord = tuple[str, str, str, str]

_RECORD_READERS: dict[type, Callable[[Mapping[str, Any]], ReadRecord] | None] = {}


def record_reader_of(cls: type[Fact]) -> Callable[[Mapping[str, Any]], ReadRecord] | None:
    """:func:`record_reader` of ``cls``, made once."""
    try:
        return _RECORD_READERS[cls]
    except KeyError:
        reader = _RECORD_READERS[cls] = record_reader(cls)
        return reader


def record_reader(cls: type[Fact]) -> Callable[[Mapping[str, Any]], ReadRecord] | None:
    """A function of a record (a dict, in :meth:`Fact.to_dict` form) of a fact of class ``cls``,
    giving what parsing it (:meth:`~relapse_guard.facts.FactKinds.parse`) and encoding the fact
    (:func:`encode_fact`) give: the fact's id, household id, ISO date and stored form, without
    making the fact.

    It parses and checks each field with the class's fast builder's code
    (:meth:`~relapse_guard.fact_plans.FactPlan.compile`) and raises one of
    :data:`~relapse_guard.fact_plans.NOT_FAST` for a record that builder does not take, or whose
    values it would not write itself: parse such a record the usual way. None for a class with no
    fast builder or no generated encoder.
    """
    plan = fact_plan(cls)
    code = _json_code(cls, "v = v_{name}", "raise REJECT")
    if plan is None or code is None or "date" not in {field[0] for field in plan.fields}:
        return None
    lines, text, namespace = code
    namespace.update(_jtexts=_DATE_TEXT, _jdate_text=date_text)
    tail = [
        *lines,
        "if type(v_date) is not _jdate: raise REJECT",
        "jday = _jtexts.get(v_date)",
        "if jday is None: jday = _jdate_text(v_date)",
        f"return v_id, v_household_id, jday, {text}",
    ]
    reader: Callable[[Mapping[str, Any]], ReadRecord] = plan.compile(None, None, then=(tail, namespace))
    return reader


def decode_fact(body: str, kinds: FactKinds) -> Fact:
    """A stored fact read back through ``kinds`` (raises :class:`InvalidFact` for an unknown kind),
    as it was stored: a value an earlier version stored and input refuses now is read
    (:data:`~relapse_guard.bounds.STORED`)."""
    data: Mapping[str, Any] = json.loads(body)
    token = STORED.set(True)
    try:
        return kinds.parse(data)
    finally:
        STORED.reset(token)


def same_fact(body: str, fact: Fact, encoded: str | None = None) -> bool:
    """True when the stored ``body`` is the same fact as ``fact``, as the engine compares facts.

    Equal text is the same fact; otherwise the stored fact is parsed as ``fact``'s kind and
    compared by value, so ``"3500"`` and ``"3500.00"`` are the same amount, as in
    :func:`~relapse_guard.engine.order_facts`. ``encoded`` is ``fact``'s stored form, if known.
    """
    if body == (encoded if encoded is not None else encode_fact(fact)):
        return True
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("kind") != fact.kind:
        return False
    try:
        stored = FactKinds({fact.kind: type(fact)}).parse(data)
    except ValueError:
        return False
    return stored == fact or stored == written_before_blank(fact)


def written_before_blank(fact: Fact) -> Fact:
    """``fact`` as it was stored before a member joining could leave the labour capacity blank:
    the capacity ``none`` (then the default; every stored form wrote it). A record given again
    after that change, the capacity still left out, is the fact stored then, which stands."""
    if isinstance(fact, MemberJoined) and fact.labour_capacity is None:
        return attrs.evolve(fact, labour_capacity=LabourCapacity.NONE)
    return fact


def encode_household(household: Household) -> str:
    """The stored form of a household: canonical JSON of :meth:`Household.to_dict`."""
    return canonical_json(household.to_dict())


def decode_household(body: str) -> Household:
    """A stored household read back, as it was stored (see :func:`decode_fact`)."""
    token = STORED.set(True)
    try:
        return Household.from_dict(json.loads(body))
    finally:
        STORED.reset(token)


#: What a logged decision keeps beside its content: how it renders (its message) and how near
#: its conditions were (its margins) — both follow from the rest. Left out of the digest that
#: says whether a decision is logged already, so that a decision logged before decisions kept
#: them is not logged again.
DERIVED_DECISION_KEYS = ("message", "margins")


def decision_identity(entry: dict[str, Any]) -> dict[str, Any]:
    """The part of a decision's stored dict that identifies it and its digest covers (see
    :data:`DERIVED_DECISION_KEYS`)."""
    return {key: value for key, value in entry.items() if key not in DERIVED_DECISION_KEYS}
