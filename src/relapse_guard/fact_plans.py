"""Building facts fast from records, with the parsers of :mod:`relapse_guard.fact_fields`.

Reading a province means parsing about 12 million facts, and a fact constructed from parsed
values would parse them again in its ``__attrs_post_init__``. So :func:`fact_plan` gives,
for a fact class whose only validation is :func:`~relapse_guard.fact_fields.validate_fact`
(no validators, converters or post-init of its own), generated code that parses each field
once with the same parsers and sets it on a new instance. It raises one of :data:`NOT_FAST`
for a record it does not take whole, which :meth:`~relapse_guard.facts.FactKinds.parse` then
parses the explaining way (an :class:`~relapse_guard.errors.InvalidFact` naming the
household, the fact, the field and the value): the result and the error are the same.

A leaf below :mod:`relapse_guard.facts`: it does not import it.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from .bounds import valid_text
from .fact_fields import AMOUNT_DIGITS, DATES, TEXT_LIMITS, Parse, field_specs, parse_date, validate_fact

__all__ = [
    "MISSING",
    "NOT_FAST",
    "REJECT",
    "FactPlan",
    "FieldPlan",
    "Reject",
    "fact_plan",
    "field_setter",
    "new_object",
]


class Reject(Exception):
    """The fast path does not take this record: let the explaining path parse it (and say why it fails)."""


REJECT = Reject()
#: What a fast builder raises on a record it does not take whole.
NOT_FAST = (Reject, ValueError, TypeError, KeyError, InvalidOperation)
MISSING = object()
new_object = object.__new__


def field_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """A function setting field ``name`` on a new instance of ``cls``, bypassing a frozen ``__setattr__``.

    For a slotted class, the slot's own setter (faster than ``object.__setattr__``, which looks
    the slot up by name each time); otherwise ``object.__setattr__`` with the name.
    """
    descriptor = inspect.getattr_static(cls, name, None)
    if type(descriptor) is types.MemberDescriptorType:
        setter: Callable[[Any, Any], None] = descriptor.__set__
        return setter
    return lambda instance, value: object.__setattr__(instance, name, value)


#: A field built fast: name, parser, required, default, and whether it is text.
FieldPlan = tuple[str, Parse, bool, object, bool]


class FactPlan:
    """How to build one fact class fast: its fields with their parsers and defaults.

    The builders are generated code (as attrs generates ``__init__``): one straight-line
    function per class and record shape, with no loop and no call for text fields, because
    this runs once per fact of a province. :attr:`build` takes a record (a mapping in
    :meth:`~relapse_guard.facts.Fact.to_dict` form); :meth:`compile` makes builders of rows.
    """

    __slots__ = ("build", "cls", "fields", "setters")

    def __init__(self, cls: type, fields: tuple[FieldPlan, ...]) -> None:
        self.cls = cls
        self.fields = fields
        self.setters = tuple(field_setter(cls, field[0]) for field in fields)
        self.build: Callable[[Mapping[str, Any]], Any] = self.compile(None, None)

    def compile(
        self,
        columns: Mapping[str, int] | None,
        decode: Mapping[str, Parse] | None,
        *,
        then: tuple[Sequence[str], Mapping[str, Any]] | None = None,
    ) -> Callable[..., Any]:
        """A builder from a mapping (``columns`` None) or from a row of cells (``build(row, filled)``).

        For rows, ``columns`` gives each field's cell; a blank cell (``""`` or ``None``) is an
        absent field, ``decode`` turns the cells of some fields into their record form first
        (booleans and lists written as text), and ``filled`` is the number of non-blank cells
        (to detect an extra one).

        ``then``: lines of code and the names they use, run instead of making the fact, once
        every field is parsed and checked as the builder does. They see each field's value as
        ``v_<field>`` and end in a ``return``; a name they use must not start with ``_parse``,
        ``_default``, ``_set`` or ``_decode``. So a caller that needs what the fact holds, not
        the fact, skips making it and gets the same values or the same refusal.
        """
        namespace: dict[str, Any] = {"new_object": new_object, "_cls": self.cls, "MISSING": MISSING}
        namespace.update(REJECT=REJECT, _dates=DATES, _Decimal=Decimal, _valid=valid_text, _ascii=str.isascii, len=len)
        lines = ["def build(data):", "    get = data.get"] if columns is None else ["def build(row, filled):"]
        if then is None:
            lines.append("    fact = new_object(_cls)")
        present = 1 + sum(1 for field in self.fields if field[2])  # "kind" and the required fields
        optional = False
        for index, (name, parse, required, default, is_str) in enumerate(self.fields):
            namespace[f"_parse{index}"] = parse
            namespace[f"_default{index}"] = default
            namespace[f"_set{index}"] = self.setters[index]
            lines += self._fetch(index, name, required, columns)
            optional = optional or not required
            indent = "    " if required else "        "
            if columns is not None and decode is not None and name in decode:
                namespace[f"_decode{index}"] = decode[name]
                lines.append(f"{indent}raw = _decode{index}(raw)")
            lines += [indent + line for line in self._parse(index, name, parse, is_str)]
            if then is None:
                lines.append(f"    _set{index}(fact, v_{name})")
        count = "len(data)" if columns is None else "filled"
        if optional:
            lines.insert(2 if columns is None else 1, f"    present = {present}")
            check = f"present != {count}"
        else:
            check = f"{present} != {count}"
        lines.append(
            f"    if {check} or not v_id or v_id.strip() != v_id or not v_household_id "
            "or v_household_id.strip() != v_household_id:"
        )
        lines.append("        raise REJECT  # an extra field, an empty id or one with spaces around it: worded there")
        if then is None:
            lines.append("    return fact")
        else:
            lines += [f"    {line}" for line in then[0]]
            namespace.update(then[1])
        exec(compile("\n".join(lines), f"<relapse_guard fast builder of {self.cls.__name__}>", "exec"), namespace)
        builder: Callable[..., Any] = namespace["build"]
        return builder

    @staticmethod
    def _fetch(index: int, name: str, required: bool, columns: Mapping[str, int] | None) -> list[str]:
        """The lines fetching a field's raw value: a missing required field rejects the record."""
        if columns is None:
            fetch = f"data[{name!r}]" if required else f"get({name!r}, MISSING)"
            missing = "raw is MISSING"
        elif name in columns:
            fetch = f"row[{columns[name]}]"
            missing = "raw is None or raw == ''"
        else:
            fetch = "MISSING"
            missing = "raw is MISSING"
        lines = [f"    raw = {fetch}"]
        if required and columns is not None:
            lines.append(f"    if {missing}: raise REJECT")
        elif not required:
            lines += [f"    if {missing}:", f"        v_{name} = _default{index}", "    else:", "        present += 1"]
        return lines

    @staticmethod
    def _parse(index: int, name: str, parse: Parse, is_str: bool) -> list[str]:
        """The lines parsing a raw value: text is checked in place (short ASCII text at once), dates come
        from the cache first, and an amount of a few ASCII digits only, with or without one decimal
        point (within its bound whatever they are), is a valid amount as it is."""
        value = f"v_{name}"
        if is_str:
            limit = TEXT_LIMITS.get(parse)
            if limit is None:
                return [f"{value} = _parse{index}(raw)"]
            return [
                f"if type(raw) is not str or not ((_ascii(raw) and len(raw) <= {limit}) or _valid(raw, {limit})):",
                "    raise REJECT",
                f"{value} = raw",
            ]
        if parse is parse_date:
            return [f"{value} = _dates.get(raw)", f"if {value} is None: {value} = _parse{index}(raw)"]
        digits = AMOUNT_DIGITS.get(parse)
        if digits is not None:
            # whole yuan, or yuan and fen ("3456.78": one dot, digits either side of it, the whole
            # part within the bound): a valid amount as it is
            return [
                f"if type(raw) is str and raw.isascii() and (len(raw) <= {digits} and raw.isdigit() "
                f"or 0 < raw.find('.') <= {digits} and raw.replace('.', '', 1).isdigit()): "
                f"{value} = _Decimal(raw)",
                f"else: {value} = _parse{index}(raw)",
            ]
        return [f"{value} = _parse{index}(raw)"]


_PLANS: dict[type, FactPlan | None] = {}


def fact_plan(cls: type) -> FactPlan | None:
    """The fast plan of a fact class, made once; None when constructing it does more than
    :func:`validate_fact` (its records then always go the explaining way)."""
    try:
        return _PLANS[cls]
    except KeyError:
        found = _PLANS[cls] = _plan(cls)
        return found


def _plan(cls: type) -> FactPlan | None:
    if getattr(cls, "__attrs_post_init__", None) is not validate_fact or hasattr(cls, "__attrs_pre_init__"):
        return None
    try:
        specs = field_specs(cls)
    except Exception:  # an annotation that does not resolve, or a type facts may not have
        return None
    fields: list[FieldPlan] = []
    for field, spec in zip(attrs.fields(cls), specs, strict=True):
        if field.validator is not None or field.converter is not None or not field.init or field.alias != field.name:
            return None
        if isinstance(field.default, attrs.Factory) or not field.name.isidentifier():  # type: ignore[arg-type]
            return None
        fields.append((field.name, spec.parse, spec.required, spec.default, spec.hint is str))
    return FactPlan(cls, tuple(fields))
